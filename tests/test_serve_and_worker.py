"""`article6 serve` and `article6 worker`, started as in production from the installed
project, on SQLite and (where the suite runs on it) PostgreSQL: a State's focal point files
a need through the API, the web process only queues the e-mail to the coordinators, and the
worker sends it to the mail server."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from scratch_databases import postgres_databases
from smtp_sink import SmtpSink
from test_serve import _free_port, _get

TESTS = Path(__file__).resolve().parent

# Both tests share one collection of the static files: on the same test process.
pytestmark = pytest.mark.xdist_group("serve-and-worker")

# People of the test, made in the site's database by a script run with its settings: a
# focal point of Lao PDR with a token, and a coordinator who follows every need.
PEOPLE = """
import django; django.setup()
from people import everyone
from article6.accounts.models import ApiToken
from article6.states.reference import load_reference
load_reference()
people = everyone()
token, secret = ApiToken.issue(people["lao_focal_point"], "serve-and-worker", scope="write")
print(secret)
"""


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """One collection of the static files for both databases (collecting is most of the start)."""
    return tmp_path_factory.mktemp("static")


def _environment(tmp_path, database_url: str, smtp_port: int, static_root) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "CI")}
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "ARTICLE6_STATIC_ROOT": str(static_root),
            "ARTICLE6_MEDIA_ROOT": str(tmp_path / "media"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "DEFAULT_FROM_EMAIL": "article6 <no-reply@example.org>",
            "PYTHONPATH": str(TESTS),
            "DJANGO_SETTINGS_MODULE": "article6.settings",
        }
    )
    return env


def _wait_for(check, what: str, processes, seconds: float = 240):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        for name, process, log in processes:
            assert process.poll() is None, f"{name} stopped: {Path(log.name).read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(0.3)


def _serve_and_file_a_need(tmp_path, database_url: str, static_root) -> None:
    with SmtpSink() as sink:
        env = _environment(tmp_path, database_url, sink.port, static_root)
        command = [sys.executable, "-m", "article6"]
        subprocess.run([*command, "migrate", "--noinput", "--verbosity", "0"], env=env, check=True, timeout=600)
        made = subprocess.run(
            [sys.executable, "-c", PEOPLE], env=env, check=True, timeout=300, capture_output=True, text=True
        )
        token = made.stdout.strip().splitlines()[-1]
        port = _free_port()
        logs = {name: open(tmp_path / f"{name}.log", "w+") for name in ("serve", "worker")}  # noqa: SIM115
        serve = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=logs["serve"],
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [*command, "worker", "--interval", "0.2"], env=env, stdout=logs["worker"], stderr=subprocess.STDOUT
        )
        processes = [("serve", serve, logs["serve"]), ("worker", worker, logs["worker"])]
        base = f"http://127.0.0.1:{port}"
        try:

            def answers():
                try:
                    return _get(base + "/readyz")[0] == 200
                except OSError:
                    return False

            _wait_for(answers, "answer from the server", processes)
            need = {
                "state": "LAO",
                "title": "Survey teams for Xieng Khouang",
                "description": "Two non-technical survey teams for a year.",
                "pillar": "clearance",
                "modality": "technical",
                "start_year": 2027,
                "end_year": 2027,
                "visibility": "public",
            }
            request = urllib.request.Request(
                base + "/api/v1/needs",
                data=json.dumps(need).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (a local address)
                assert answer.status == 201
            messages = _wait_for(lambda: list(sink.messages), "e-mail at the mail server", processes, seconds=60)
        finally:
            for process in (serve, worker):
                process.send_signal(signal.SIGTERM)
            for process in (serve, worker):
                process.wait(timeout=60)
        assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
        assert len(messages) == 1
        message = messages[0]
        assert message["To"] == "coord@example.org"
        subject = str(message["Subject"]).strip()  # a long header comes folded
        assert subject == "article6: Lao People's Democratic Republic filed a need, “Survey teams for Xieng Khouang”"
        assert "Survey teams for Xieng Khouang (clearance, technical)" in message.get_content()
        log = (tmp_path / "worker.log").read_text()
        assert "send_email" in log and "SUCCESSFUL" in log


def test_the_worker_sends_the_email_of_a_need_filed_through_the_served_site_on_sqlite(tmp_path, static_root):
    _serve_and_file_a_need(tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root)


def test_the_worker_sends_the_email_of_a_need_filed_through_the_served_site_on_postgresql(tmp_path, static_root):
    with postgres_databases("serve", "site") as (url,):
        _serve_and_file_a_need(tmp_path, url, static_root)
