"""Sending an e-mail once, without holding a transaction open while it goes out.

The reminders and the digest record what they send (a row that is unique per period and
recipient), so that a second run sends nothing twice. The row is written and committed
first, in a short transaction; then the e-mail goes out, outside any transaction, so that
a slow mail server never keeps the database's write lock from the people saving their
work. If sending fails, the row is removed again, so that the next run sends it."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction


class AlreadySent(Exception):
    """Another run recorded (and sends) the same e-mail."""


def send_once(record: Callable[[], object], send: Callable[[], object]) -> None:
    """record() the sending (raising AlreadySent when it is recorded already), then send();
    if send() fails, the record is deleted and the error raised again."""
    try:
        with transaction.atomic():
            sent = record()
    except IntegrityError:
        raise AlreadySent from None
    try:
        send()
    except BaseException:
        type(sent).objects.filter(pk=sent.pk).delete()
        raise
