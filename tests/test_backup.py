"""Backups: data made (the reference, the sample, uploaded files), backed up while the
site could run, restored into an empty database: every table and every file identical.
A database that holds data is replaced only with --force. On SQLite, and under CI on
PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scratch_databases import postgres_databases

HERE = Path(__file__).resolve().parent


def article6(env: dict, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "article6", *args], env=env, capture_output=True, text=True, timeout=600, check=check
    )


def digests(env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "table_digests.py")], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def _env(database_url: str, media: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    return {**env, "DATABASE_URL": database_url, "ARTICLE6_MEDIA_ROOT": str(media)}


def round_trip(tmp_path: Path, source_url: str, target_url: str) -> None:
    source = _env(source_url, tmp_path / "media-source")
    target = _env(target_url, tmp_path / "media-target")
    article6(source, "migrate", "--noinput", "--verbosity", "0")
    article6(source, "load-reference")
    article6(source, "load-sample")
    evidence = tmp_path / "media-source" / "evidence" / "2026"
    evidence.mkdir(parents=True)
    (evidence / "survey.pdf").write_bytes(b"%PDF-1.7 fictional evidence\n" * 100)
    (evidence / "plan.xlsx").write_bytes(bytes(range(256)) * 40)
    backup = tmp_path / "article6.tar.gz"
    done = article6(source, "backup", "--output", str(backup))
    assert "2 uploaded file(s)" in done.stdout
    # Into an empty database (migrated, holding no data).
    article6(target, "migrate", "--noinput", "--verbosity", "0")
    done = article6(target, "restore", str(backup))
    assert "Restored the backup taken" in done.stdout, done.stderr
    before, after = digests(source), digests(target)
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"] and len(after["files"]) == 2
    assert before["tables"]["assistance_need"][0] > 0
    # Now it holds data: replaced only with --force.
    refused = article6(target, "restore", str(backup), check=False)
    assert refused.returncode != 0 and "The database is not empty" in refused.stderr
    article6(target, "restore", str(backup), "--force")
    assert digests(target) == before
    # A backup is never written over a file.
    refused = article6(source, "backup", "--output", str(backup), check=False)
    assert refused.returncode != 0 and "exists" in refused.stderr


def test_a_backup_restored_into_an_empty_sqlite_database_is_identical(tmp_path):
    round_trip(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}")


def test_a_backup_restored_into_an_empty_postgresql_database_is_identical(tmp_path):
    with postgres_databases("backup", "source", "target") as (source, target):
        round_trip(tmp_path, source, target)
