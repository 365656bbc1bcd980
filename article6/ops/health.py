"""What a load balancer and a supervisor ask of each process: `/healthz`, the process is
up and answers; `/readyz`, it can serve: its database answers and every migration is
applied. Both are JSON, never cached, open to everyone and say nothing about the data."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Once every migration is applied it stays so for the life of the process (a deployment
# that migrates restarts the processes); until then it is checked on each request.
_migrated = False


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@never_cache
@require_GET
def readyz(request):
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "unavailable", "database": str(error).splitlines()[0][:200]}, status=503)
    if not _migrated:
        pending = _pending_migrations()
        if pending:
            return JsonResponse(
                {"status": "unavailable", "database": "ok", "migrations_pending": pending[:20], "count": len(pending)},
                status=503,
            )
        _migrated = True
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied"})
