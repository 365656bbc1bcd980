"""Print, as JSON, a digest of every table of the database of DATABASE_URL (its rows in
order, as text) and of every file under the media folder: run by tests/test_backup.py to
compare a database with its restored copy."""

import hashlib
import json
import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "article6.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

tables = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        rows = sorted(repr(row) for row in cursor.fetchall())
        tables[table] = [len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()]
root = Path(settings.MEDIA_ROOT)
files = {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}
print(json.dumps({"tables": tables, "files": files}))
