"""Jobs: long work started from a page, run by the worker, its progress shown while it runs.

`start()` stores the job and queues its task in one transaction (the queue is a table of
the same database: a job is queued if and only if it is stored). The worker runs the kind's
runner (RUNNERS), which reports its progress through a `Progress` and returns what the page
shows when it ends; a `Refused` says what the person must fix (nothing was written). Any
other error fails the task, which the worker tries again (article6.ops.worker)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from article6.ops.models import Job, JobState

# What each kind of job runs: "app.module.function", called with (job, progress).
RUNNERS = {
    "workbook_import": "article6.reporting.jobs.import_workbook",
    "commitments_import": "article6.assistance.jobs.import_commitments",
    "commitments_export": "article6.assistance.jobs.export_commitments",
}


@dataclass
class Outcome:
    """What the page shows when a job is done."""

    summary: list[str] = field(default_factory=list)
    link: str = ""
    link_label: str = ""
    output: bytes | None = None
    output_name: str = ""
    output_type: str = ""


class Refused(Exception):
    """The job refuses its input, with every reason (the page lists them); nothing was written."""

    def __init__(self, errors: list, summary: list[str] | None = None, *, table: str = "") -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors  # lines, or rows for `table` (a template that lists `errors`)
        self.summary = summary or []
        self.table = table


def start(owner, kind: str, label: str, *, params: dict | None = None, upload=None, upload_name: str = "") -> Job:
    """Store a job (with its uploaded file, if any) and queue it."""
    from article6.ops.tasks import run_job

    if kind not in RUNNERS:
        raise ValueError(f"no such kind of job: {kind}")
    with transaction.atomic():
        job = Job(owner=owner, kind=kind, label=label[:300], params=params or {})
        if upload is not None:
            job.upload.save(upload_name or getattr(upload, "name", "upload"), upload, save=False)
        job.save()
        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
        job.task_id = str(result.id)
    return job


class Progress:
    """Called as progress(done, total, unit) by the importers and exporters. Written to the
    job at most every `every` seconds (and at each change of step), and never from inside a
    transaction: there the page would not see it before the end, and on SQLite the write
    would wait for the very lock the import holds."""

    def __init__(self, job: Job, *, every: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        self.job, self.every, self.clock, self.last = job, every, clock, float("-inf")
        # The transactions open when the job started (none in the worker) are not the job's own.
        self.depth = len(transaction.get_connection().atomic_blocks)

    def step(self, step: str, total: int | None = None, unit: str = "") -> None:
        self.job.step = step
        self._write(0, total, unit, force=True)

    def __call__(self, done: int, total: int | None, unit: str) -> None:
        if unit == "commitments" and self.job.step == "reading":  # the file is read; the saving starts
            self.job.step = "writing"
        self._write(done, total, unit, force=unit != self.job.unit)

    def _write(self, done: int, total: int | None, unit: str, *, force: bool) -> None:
        now = self.clock()
        if len(transaction.get_connection().atomic_blocks) > self.depth:
            return
        if not force and now - self.last < self.every and (total is None or done < total):
            return
        self.last = now
        self.job.done, self.job.total, self.job.unit = done, total, unit
        Job.objects.filter(pk=self.job.pk).update(step=self.job.step, done=done, total=total, unit=unit)


def run(job_id: str) -> str:
    """Run a job (the worker calls this through the task `run_job`)."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return "nothing to do"
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, done=0)
    job.state = JobState.RUNNING
    runner = import_string(RUNNERS[job.kind])
    try:
        outcome = runner(job, Progress(job))
    except Refused as refused:
        result = {"summary": refused.summary, "errors": refused.errors, "error_table": refused.table}
        _finish(job, JobState.REFUSED, result)
        return "refused"
    result = {"summary": outcome.summary, "errors": [], "link": outcome.link, "link_label": outcome.link_label}
    if outcome.output is not None:
        job.output.save(outcome.output_name, ContentFile(outcome.output), save=False)
        job.output_name, job.output_type = outcome.output_name, outcome.output_type
    _finish(job, JobState.DONE, result)
    return "done"


def fail(job_id: str, reason: str) -> None:
    """The worker gave up on the job's task: say so on its page."""
    job = Job.objects.filter(pk=job_id).first()
    if job is not None and not job.is_finished:
        # The upload is kept: ISU staff may try the task again (/work/tasks/).
        _finish(job, JobState.FAILED, {"summary": [], "errors": [reason]}, keep_upload=True)


def _finish(job: Job, state: str, result: dict, *, keep_upload: bool = False) -> None:
    job.state, job.result, job.finished = state, result, timezone.now()
    if job.total is not None and state == JobState.DONE:
        job.done = job.total
    upload = "" if keep_upload else job.upload.name
    if upload:
        job.upload = ""
    job.save()
    if upload:  # what was uploaded has been read; it is not kept
        job.upload.storage.delete(upload)
