"""`article6 worker [--batch] [--interval S] [--max-tasks N]`: run the background tasks.

E-mail, uploads being imported and big exports are queued in the database; this runs them,
tries a failed one again later and queues again what a stopped worker left behind
(article6.ops.worker). Run one or more beside `article6 serve` (deploy/article6-worker.service)."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from article6.ops.worker import Worker


class Command(BaseCommand):
    help = "Run the background tasks (e-mail, imports, exports): tried again when they fail, never lost."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run the tasks that are due, then exit")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait for new tasks when none is due (default 1)"
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")

    def handle(self, *args, **options):
        if options["interval"] < 0:
            raise CommandError("--interval: give 0 or more seconds.")
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks: give at least 1.")
        level = {0: logging.ERROR, 1: logging.INFO}.get(options["verbosity"], logging.DEBUG)
        for name in ("article6.worker", "django_tasks_db", "django_tasks"):
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.propagate = False
            if not logger.handlers:
                logger.addHandler(logging.StreamHandler(self.stderr))
        worker = Worker.on_default_queue(
            interval=options["interval"], batch=options["batch"], max_tasks=options["max_tasks"]
        )
        worker.configure_signals()
        worker.run()
