"""What ISU staff see of the background tasks, and a person of their own jobs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from article6.ops.models import Job
from article6.ops.tasks import describe, job_id_of
from article6.ops.worker import attempts_allowed

# A task with an error that is queued again is "retrying"; one that failed for good, "failed".
RETRYING = Q(status="READY") & ~Q(traceback="")
PROBLEMS = Q(status="FAILED") | RETRYING


@dataclass
class TaskRow:
    id: str
    what: str
    status: str  # "failed" or "retrying"
    attempts: int
    attempts_allowed: int
    error: str
    last_line: str
    enqueued_at: dt.datetime
    finished_at: dt.datetime | None
    run_after: dt.datetime | None


def task_counts(now: dt.datetime | None = None) -> dict[str, int]:
    """How many tasks wait, run, are being retried, failed for good, succeeded in the last day."""
    now = now or timezone.now()
    return DBTaskResult.objects.aggregate(
        waiting=Count("pk", filter=Q(status="READY", traceback="")),
        running=Count("pk", filter=Q(status="RUNNING")),
        retrying=Count("pk", filter=RETRYING),
        failed=Count("pk", filter=Q(status="FAILED")),
        succeeded=Count("pk", filter=Q(status="SUCCESSFUL", finished_at__gte=now - dt.timedelta(days=1))),
    )


def problem_tasks():
    """The tasks that failed for good or are waiting to be tried again, latest first."""
    return DBTaskResult.objects.filter(PROBLEMS).order_by("-enqueued_at", "-pk")


def rows(results) -> list[TaskRow]:
    """Rows for the page from a page of tasks: two queries (the tasks, the jobs they run)."""
    results = list(results)
    job_ids = {str(j) for r in results if (j := job_id_of(r.task_path, r.args_kwargs))}
    labels = {str(pk): label for pk, label in Job.objects.filter(pk__in=job_ids).values_list("pk", "label")}
    allowed = attempts_allowed()
    out = []
    for r in results:
        lines = [line for line in r.traceback.strip().splitlines() if line.strip()]
        out.append(
            TaskRow(
                id=str(r.pk),
                what=describe(r.task_path, r.args_kwargs, labels),
                status="failed" if r.status == "FAILED" else "retrying",
                attempts=len(r.worker_ids),
                attempts_allowed=allowed,
                error=r.exception_class_path.rsplit(".", 1)[-1],
                last_line=lines[-1] if lines else "",
                enqueued_at=r.enqueued_at,
                finished_at=r.finished_at,
                run_after=r.run_after if r.status == "READY" else None,
            )
        )
    return out


def jobs_of(user):
    return Job.objects.filter(owner=user)
