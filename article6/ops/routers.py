"""Reads of the public pages from a read replica, when one is configured.

With DATABASE_REPLICA_URL set, settings add a `replica` database. A visitor's GET or HEAD
(no account signed in) reads from it: the public pages are most of the traffic and may
trail the primary by the replica's lag. Everything else reads from the primary, so that
whoever writes reads what they wrote: signed-in people, every POST, the commands. Writes
and migrations always go to the primary."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_public_read: ContextVar[bool] = ContextVar("article6_public_read", default=False)


class PublicReadsMiddleware:
    """Marks a visitor's GET or HEAD as a public read for the router (after sign-in is known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        public = request.method in ("GET", "HEAD") and not getattr(user, "is_authenticated", False)
        token = _public_read.set(public)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class PublicReadsRouter:
    def db_for_read(self, model, **hints):
        if _public_read.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
