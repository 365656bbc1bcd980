"""The production server: `article6 serve` refuses to start with DEBUG on or without a
secret key of its own; started for real, it answers /healthz and /readyz, serves the
static files compressed with a year-long cache under hashed names, and logs one JSON line
per request. /readyz says when migrations are not applied."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from article6.ops import health


def test_serve_refuses_to_start_with_debug_on(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="DEBUG is on"):
        call_command("serve", stdout=StringIO())


def test_serve_refuses_to_start_without_a_secret_key_of_its_own(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(CommandError, match="SECRET_KEY is not set"):
        call_command("serve", stdout=StringIO())
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(CommandError, match="SECRET_KEY is too short"):
        call_command("serve", stdout=StringIO())


def test_healthz_and_readyz_answer_json(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migrations"] == "applied"
    assert "no-cache" in ready["Cache-Control"]


def test_readyz_says_which_migrations_are_not_applied(client, db, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health, "_pending_migrations", lambda: ["assistance.0099_future"])
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "database": "ok",
        "migrations_pending": ["assistance.0099_future"],
        "count": 1,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (a local address)
        return answer.status, dict(answer.headers), answer.read()


def test_serve_runs_gunicorn_with_compressed_long_cached_static_files_and_a_log_line_per_request(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "CI")}
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "ARTICLE6_STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    command = [sys.executable, "-m", "article6"]
    subprocess.run([*command, "migrate", "--noinput", "--verbosity", "0"], env=env, check=True, timeout=300)
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 (read after the server stops)
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # collecting the static files comes first
        while True:
            try:
                status, _headers, body = _get(base + "/healthz")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.5)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, _headers, body = _get(base + "/readyz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        status, _headers, page = _get(base + "/")
        assert status == 200
        # The stylesheet under a name that carries its content's hash, compressed, kept a year.
        stylesheet = re.search(rb'href="(/static/css/article6\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page links the collected, hashed stylesheet"
        status, headers, _body = _get(base + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    paths = {(line["method"], line["path"], line["status"]) for line in lines}
    assert {("GET", "/healthz", 200), ("GET", "/readyz", 200), ("GET", "/", 200)} <= paths
    assert all(isinstance(line["ms"], float | int) for line in lines)


def test_no_file_a_template_names_is_left_out_of_the_collected_static_files():
    # A page naming a file that `serve` leaves out would fail with a 500 in production only.
    from fnmatch import fnmatch
    from pathlib import Path

    from article6.ops.storage import LEFT_OUT

    templates = Path(__file__).resolve().parent.parent / "article6" / "templates"
    named = set()
    for path in templates.rglob("*.html"):
        named |= set(re.findall(r"""\{%\s*static\s+["']([^"']+)["']""", path.read_text()))
    assert len(named) > 10
    left_out = sorted(n for n in named if any(fnmatch(part, p) for p in LEFT_OUT for part in Path(n).parts))
    assert left_out == []
