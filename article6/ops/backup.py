"""Backups: a consistent snapshot of the database and the uploaded files, taken while the
site runs, and its restoration into an empty database.

A backup is one gzipped tar file:
- `manifest.json`: what it holds (the database's kind, when it was taken, the migrations
  applied, the files and their SHA-256);
- `database.sqlite3` (SQLite's online backup API: a page-by-page copy that sees one
  consistent state, while others go on writing) or `database.dump` (`pg_dump`'s custom
  format, one snapshot transaction);
- `media/…`: the uploaded files (evidence documents, workbooks).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
# Tables that `migrate` fills by itself: a database holding only these is empty.
MADE_BY_MIGRATE = {"django_migrations", "django_content_type", "auth_permission", "django_site"}


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _pg_arguments(database: dict) -> tuple[list[str], dict]:
    """The connection options of pg_dump and pg_restore, and the password in their environment."""
    args = ["--dbname", database["NAME"]]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: it comes with PostgreSQL's client programs.")
    return found


def _dump_database(target: Path) -> str:
    """The database, consistent, into `target`; returns the member's name."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        name = "database.sqlite3"
        source = sqlite3.connect(database["NAME"])
        try:
            copy = sqlite3.connect(target / name)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
        return name
    if connection.vendor == "postgresql":
        name = "database.dump"
        args, env = _pg_arguments(database)
        options = ["--format=custom", "--no-owner", "--no-privileges", "--file", str(target / name)]
        subprocess.run(  # noqa: S603 (PostgreSQL's own program, options from the settings)
            [_program("pg_dump"), *options, *args],
            env=env,
            check=True,
            capture_output=True,
        )
        return name
    raise BackupError(f"No backup for a {connection.vendor} database.")


def backup(output: Path) -> dict:
    """Write a backup to `output`; returns its manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        database = _dump_database(work)
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "vendor": connection.vendor,
            "taken": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": database,
            "migrations": sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations()),
            "files": {str(p.relative_to(media_root)): _sha256(p) for p in files},
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / database, arcname=database)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media_root)}")
        partial.replace(output)  # never a half-written backup under the name asked for
    return manifest


def data_tables() -> dict[str, int]:
    """The tables holding rows, besides what `migrate` makes by itself."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        found = {}
        for table in tables:
            if table in MADE_BY_MIGRATE:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"{member.name}: not a file this backup can hold.")
        members.append(member)
    return members


def restore(source: Path, *, force: bool = False) -> dict:
    """Restore the backup `source` into this database and the media folder. Refused when
    the database holds data, unless `force`. Returns the backup's manifest."""
    with tarfile.open(source, "r:gz") as tar:
        members = {m.name: m for m in _safe_members(tar)}
        if "manifest.json" not in members:
            raise BackupError("Not an article6 backup: it has no manifest.json.")
        manifest = json.load(tar.extractfile(members["manifest.json"]))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"A backup of format {manifest.get('format')}; this version reads format {FORMAT}.")
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"A backup of a {manifest['vendor']} database cannot go into {connection.vendor}.")
        holding = data_tables() if connection.introspection.table_names() else {}
        if holding and not force:
            names = ", ".join(sorted(holding)[:5])
            raise BackupError(
                f"The database is not empty ({len(holding)} tables hold data: {names}…): give --force to replace it."
            )
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            tar.extractall(work, members=list(members.values()), filter="data")
            _restore_database(work / manifest["database"])
            media_root = Path(settings.MEDIA_ROOT)
            if force and media_root.exists():
                shutil.rmtree(media_root)
            for name, digest in manifest["files"].items():
                target = media_root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / "media" / name, target)
                if _sha256(target) != digest:
                    raise BackupError(f"media/{name}: its content differs from the backup's manifest.")
    return manifest


def _restore_database(dump: Path) -> None:
    database = connection.settings_dict
    connections.close_all()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(dump)
        try:
            target = sqlite3.connect(database["NAME"])
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        return
    args, env = _pg_arguments(database)
    options = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    subprocess.run(  # noqa: S603 (PostgreSQL's own program, options from the settings)
        [_program("pg_restore"), *options, *args, str(dump)],
        env=env,
        check=True,
        capture_output=True,
    )
