"""Databases of their own for the tests that run article6 in another process (concurrent
writers, backups): a file for SQLite, and under CI a new database on the PostgreSQL server
the suite runs on, dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid

import dj_database_url
import pytest


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def require_postgres() -> str:
    """The suite's PostgreSQL URL: CI must have one (a failure, never a skip); elsewhere the
    test is skipped."""
    url = postgres_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs the suite on PostgreSQL: DATABASE_URL must name it")
        pytest.skip("runs where the suite runs on PostgreSQL (CI, or DATABASE_URL set to it)")
    return url


@contextlib.contextmanager
def postgres_databases(prefix: str, *sides: str):
    """New, empty databases on the suite's PostgreSQL server, one per side: their URLs."""
    import psycopg

    url = require_postgres()
    settings = dj_database_url.parse(url)
    server = {
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    names = [f"article6_{prefix}_{uuid.uuid4().hex[:10]}_{side}" for side in sides]
    with psycopg.connect(**server) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        with psycopg.connect(**server) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
