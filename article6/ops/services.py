"""Writes of the operations app: ISU staff try a failed task again."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from article6.accounts.permissions import require
from article6.ops.queries import PROBLEMS
from article6.ops.tasks import job_id_of


def try_again(user, task_id: str) -> DBTaskResult:
    """Queue a failed (or retrying) task to run now. It keeps its attempts: if it fails
    once more it stays failed, and may be tried again from here."""
    require(user, "ops.retry_task")
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(PROBLEMS, pk=task_id).first()
        if result is None:
            raise Http404
        result.status, result.run_after, result.finished_at = "READY", timezone.now(), None
        result.save(update_fields=["status", "run_after", "finished_at"])
        job_id = job_id_of(result.task_path, result.args_kwargs)
        if job_id is not None:
            from article6.ops.models import Job, JobState

            Job.objects.filter(pk=job_id, state=JobState.FAILED).update(state=JobState.QUEUED, finished=None)
    return result
