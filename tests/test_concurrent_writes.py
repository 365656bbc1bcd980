"""Sixteen people saving at the same moment, a report's autosave, filing needs and
recording commitments mixed, get no error, and every write is stored: on the embedded
SQLite database (a file, as `make run` makes it) and, under CI, on PostgreSQL.

Before the SQLite settings (WAL journal, busy timeout, transactions that take the write
lock when they begin), 90 of these 96 writes failed at once with "database is locked".
The writers run in a process of their own (tests/concurrent_writers.py): the suite's
in-memory database gives every thread the same connection, so nothing would contend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scratch_databases import postgres_databases

from article6.settings import for_several_writers

HERE = Path(__file__).resolve().parent
WRITERS, ROUNDS = 16, 6


def _run(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(HERE)}
    done = subprocess.run(
        [sys.executable, str(HERE / "concurrent_writers.py"), str(WRITERS), str(ROUNDS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_every_write_stored(found: dict) -> None:
    assert found["errors"] == []
    assert sum(found["saved"].values()) == WRITERS * ROUNDS
    assert found["stored"]["need"] == found["saved"]["need"]
    assert found["stored"]["commitment"] == found["saved"]["commitment"]
    # Each autosave leaves a version of the report in its history.
    assert found["stored"]["autosave"] >= found["saved"]["autosave"]


def test_sixteen_writers_on_sqlite_get_no_error_and_every_write_is_stored(tmp_path):
    found = _run(f"sqlite:///{tmp_path / 'article6.sqlite3'}")
    assert found["vendor"] == "sqlite"
    _assert_every_write_stored(found)


def test_sixteen_writers_on_postgresql_get_no_error_and_every_write_is_stored():
    with postgres_databases("writers", "only") as (url,):
        found = _run(url)
    assert found["vendor"] == "postgresql"
    _assert_every_write_stored(found)


def test_sqlite_is_set_for_several_writers_in_one_place():
    sqlite = for_several_writers({"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"})
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert sqlite["OPTIONS"]["timeout"] == 30
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    postgres = for_several_writers({"ENGINE": "django.db.backends.postgresql", "NAME": "article6"})
    assert "OPTIONS" not in postgres
