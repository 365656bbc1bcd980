"""`article6 worker`: runs the queued tasks (django-tasks-db's worker), and adds what a
site that must not lose an e-mail needs:

- a task that fails is tried again after each delay of settings.ARTICLE6_TASK_RETRY_DELAYS
  (1 min, 5 min, 30 min, 2 h by default), its last error kept; after the last one it stays
  failed, and ISU staff see it with its error on /work/tasks/ and may try it again;
- a task left running by a worker that was stopped by force (killed, the machine lost) is
  queued again: at once when that worker ran on this machine and is gone, otherwise once
  it has run longer than settings.ARTICLE6_TASK_LEASE_SECONDS. A task may so run twice
  (an e-mail sent twice), never not at all.

Stopped with SIGTERM or Ctrl+C, the worker finishes the task it is running, then exits."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from article6.ops.tasks import job_id_of

logger = logging.getLogger("article6.worker")

READY, RUNNING, FAILED = "READY", "RUNNING", "FAILED"


def new_worker_id() -> str:
    """host:pid:random, so that a worker can tell that a task's worker on its machine is gone."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def _gone(worker_id: str, host: str) -> bool:
    """Whether the worker `worker_id` ran on `host` and its process no longer exists."""
    parts = worker_id.split(":")
    if len(parts) != 3 or parts[0] != host[:40] or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def attempts_allowed() -> int:
    return len(settings.ARTICLE6_TASK_RETRY_DELAYS) + 1


def retry_or_give_up(result: DBTaskResult, now: dt.datetime | None = None) -> bool:
    """After a failed attempt: queue the task again after its delay (True), or leave it
    failed (False). Its last error stays on it either way."""
    now = now or timezone.now()
    attempts = len(result.worker_ids)
    delays = settings.ARTICLE6_TASK_RETRY_DELAYS
    if attempts <= len(delays):
        result.status = READY
        result.run_after = now + dt.timedelta(seconds=delays[attempts - 1])
        result.finished_at = None
        result.save(update_fields=["status", "run_after", "finished_at"])
        logger.warning("task %s failed (attempt %d), tried again at %s", result.id, attempts, result.run_after)
        return True
    job_id = job_id_of(result.task_path, result.args_kwargs)
    if job_id is not None:
        from article6.ops import jobs

        jobs.fail(job_id, result.exception_class_path.rsplit(".", 1)[-1] or "error")
    logger.error("task %s failed %d times: given up", result.id, attempts)
    return False


def requeue_interrupted(now: dt.datetime | None = None, host: str | None = None) -> int:
    """Queue again the tasks whose worker stopped without finishing them. Returns how many."""
    now = now or timezone.now()
    host = host or socket.gethostname()
    lease = dt.timedelta(seconds=settings.ARTICLE6_TASK_LEASE_SECONDS)
    count = 0
    with transaction.atomic():
        for result in DBTaskResult.objects.select_for_update().filter(status=RUNNING):
            last = result.worker_ids[-1] if result.worker_ids else ""
            if not (_gone(last, host) or (result.started_at and now - result.started_at > lease)):
                continue
            result.status, result.run_after = READY, now
            result.exception_class_path = "article6.ops.worker.Interrupted"
            result.traceback = f"Interrupted: the worker {last} stopped while running this task."
            result.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
            count += 1
    if count:
        logger.warning("%d interrupted task(s) queued again", count)
    return count


class Worker(DatabaseWorker):
    @classmethod
    def on_default_queue(cls, *, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None):
        """The worker of `article6 worker`: the default queue and backend, a worker id of its own."""
        return cls(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=new_worker_id(),
            excluded_queue_names=[],
        )

    def run(self) -> None:
        requeue_interrupted()
        super().run()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == FAILED:
            retry_or_give_up(db_task_result)
