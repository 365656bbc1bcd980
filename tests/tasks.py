"""Running the queued background tasks from a test, as `article6 worker --batch` does,
but inside the test's transaction (the worker's own loop closes connections between
tasks, which a test's transaction must not see)."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from article6.ops.worker import Worker


def run_tasks(limit: int = 100) -> int:
    """Run every task that is due, the way the worker does (retries included). Returns how many ran."""
    runner, ran = Worker.on_default_queue(interval=0, batch=True), 0
    while ran < limit:
        result = DBTaskResult.objects.ready().first()
        if result is None:
            break
        result.claim(runner.worker_id)
        runner.run_task(result)
        ran += 1
    return ran
