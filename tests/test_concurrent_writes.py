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
import uuid
from pathlib import Path

import dj_database_url
import pytest

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


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def test_sixteen_writers_on_postgresql_get_no_error_and_every_write_is_stored():
    if _postgres_url() is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs the suite on PostgreSQL: DATABASE_URL must name it")
        pytest.skip("runs where the suite runs on PostgreSQL (CI, or DATABASE_URL set to it)")
    import psycopg

    settings = dj_database_url.parse(_postgres_url())
    name = f"article6_writers_{uuid.uuid4().hex[:12]}"
    server = {
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _postgres_url().rsplit("/", 1)[0] + "/" + name
        found = _run(url)
        assert found["vendor"] == "postgresql"
        _assert_every_write_stored(found)
    finally:
        with psycopg.connect(**server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sqlite_is_set_for_several_writers_in_one_place():
    sqlite = for_several_writers({"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"})
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert sqlite["OPTIONS"]["timeout"] == 30
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    postgres = for_several_writers({"ENGINE": "django.db.backends.postgresql", "NAME": "article6"})
    assert "OPTIONS" not in postgres
