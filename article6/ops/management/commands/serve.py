"""`article6 serve [--workers N] [--port P] [--host H]`: the production server.

gunicorn, with the static files collected once, compressed and named by their content's
hash, served by WhiteNoise from the same processes with a year-long cache; one JSON log
line per request. It reads the same environment settings as every other command
(DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, …) and refuses to start with DEBUG on or
without a SECRET_KEY of its own: a production site never runs on the key made for a
laptop, nor shows its tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from article6.ops.storage import LEFT_OUT


def default_workers() -> int:
    # gunicorn's own advice is 2 × cores + 1; a small server is kept to a handful.
    return min(2 * (os.cpu_count() or 1) + 1, 9)


class Command(BaseCommand):
    help = "Serve article6 in production: gunicorn, compressed static files with long caching, one log line a request."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=default_workers(), help="worker processes")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="the address to listen on")
        parser.add_argument("--timeout", type=int, default=60, help="seconds before a stuck worker is replaced")

    def handle(self, *args, **options):
        refused = []
        if settings.DEBUG:
            refused.append("DEBUG is on: turn it off (unset DEBUG) for a production server.")
        if not os.environ.get("SECRET_KEY"):
            refused.append("SECRET_KEY is not set: give the site a secret key of its own (at least 50 characters).")
        elif len(os.environ["SECRET_KEY"]) < 50:
            refused.append("SECRET_KEY is too short: give at least 50 characters.")
        if options["workers"] < 1:
            refused.append("--workers: give at least 1.")
        if refused:
            raise CommandError(" ".join(refused))
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed: run `make install`.")
        env = {**os.environ, "ARTICLE6_STATIC_COLLECTED": "1", "ARTICLE6_REQUEST_LOG": "1"}
        # The static files once, in a process with the collected storage (its settings differ).
        ignored = [f"--ignore={pattern}" for pattern in LEFT_OUT]
        subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
            [sys.executable, "-m", "article6", "collectstatic", "--noinput", "--verbosity", "0", *ignored],
            env=env,
            check=True,
        )
        command = [
            gunicorn,
            "article6.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            "30",
            # Requests are logged by the application, one JSON line each (article6.ops.request_log).
            "--error-logfile",
            "-",
        ]
        address = f"http://{options['host']}:{options['port']}"
        self.stdout.write(f"Serving article6 on {address} with {options['workers']} workers")
        self.stdout.flush()
        # gunicorn takes this process's place, so that a supervisor's signals reach it.
        os.execve(gunicorn, command, env)  # noqa: S606
