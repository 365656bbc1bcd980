"""A mail server that refuses, for the tests of what is sent once (reminders, digest)."""

from __future__ import annotations

import contextlib

from django.core.mail.backends.locmem import EmailBackend
from django.db import connection


@contextlib.contextmanager
def refusing(monkeypatch):
    """While inside, every send raises ConnectionRefusedError. Yields the transaction
    depths at which sends were tried, beside the depth on entry: equal when nothing
    holds a transaction open across the send."""
    tried: list[int] = []
    entry = len(connection.atomic_blocks)

    def refuse(self, messages):
        tried.append(len(connection.atomic_blocks))
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", refuse)
        yield entry, tried
