"""The "as of" date every figure is computed for: today, or the day a visitor picks."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = dt.date(2008, 5, 30)  # the Convention was adopted in Dublin on 30 May 2008
LATEST = dt.date(2100, 12, 31)


def today() -> dt.date:
    return timezone.localdate()


def parse_as_of(value: str | None) -> tuple[dt.date, str | None]:
    """(date, error): today when empty; today and an explanation when invalid."""
    if not value:
        return today(), None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return today(), _("“%(value)s” is not a date (YYYY-MM-DD); showing today.") % {"value": value[:40]}
    if not EARLIEST <= day <= LATEST:
        return today(), _("Dates from %(first)s to %(last)s only; showing today.") % {
            "first": EARLIEST.isoformat(),
            "last": LATEST.isoformat(),
        }
    return day, None


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_date(value: str) -> dt.date:
    """A date written YYYY-MM-DD from EARLIEST to LATEST, for the API and the
    command line, which refuse what the pages would replace by today: a
    ValueError says what is wrong."""
    text = value.strip()
    shown = value[:40]
    if not ISO_DATE.fullmatch(text):
        raise ValueError(_("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": shown})
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a day of the calendar.") % {"value": shown}) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            _("Dates from %(first)s to %(last)s only.") % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
        )
    return day


def as_of_from_request(request) -> tuple[dt.date, str | None]:
    cached = getattr(request, "_article6_as_of", None)
    if cached is None:
        cached = parse_as_of(request.GET.get("as_of"))
        request._article6_as_of = cached
    return cached


def as_of_option(value: str | None) -> dt.date:
    """The --as-of option of the commands: today when absent; a CommandError naming
    the option and the reason when it is not a date."""
    from django.core.management.base import CommandError

    if not value:
        return today()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {exc}") from None
