"""Reminders of the reports a State owes (Art. 7(1): the initial report within 180 days
of entry into force; Art. 7(2): the annual update by 30 April): an e-mail to the State's
focal points 60 and 14 days before the due date, and once the report is overdue.

Meant to run daily. Each reminder sent is recorded (ReminderSent) in the same
transaction as it is sent, so that running the command twice sends nothing twice. A
State without a focal point is not recorded: it is reminded once it has one. The
e-mails are in the site's language, with dates written YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from article6.accounts.models import RoleKind
from article6.mail import AlreadySent, send_once
from article6.reporting import queries, rules
from article6.reporting.models import ReminderKind, ReminderSent, ReportKind
from article6.states.models import State

FIRST, SECOND = 60, 14  # days before the due date
OVERDUE_DAYS = 30  # how long after the due date an overdue report is still worth an e-mail


def reminder_due(due: dt.date, today: dt.date) -> str | None:
    """Which reminder a report due on `due` calls for on `today`, if any.

    "60" within 60 days before the due date but more than 14 before it; "14" within 14
    days before it, the due date included ("not later than", Art. 7); "overdue" after
    it, for 30 days, so that a first run does not e-mail about years-old reports.
    """
    days_left = (due - today).days
    if SECOND < days_left <= FIRST:
        return ReminderKind.DAYS_60.value
    if 0 <= days_left <= SECOND:
        return ReminderKind.DAYS_14.value
    if -OVERDUE_DAYS <= days_left < 0:
        return ReminderKind.OVERDUE.value
    return None


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: which report of which State, and which reminder."""

    iso3: str
    kind: str
    year: int | None
    due: dt.date
    reminder: str
    # After the due date: whether the report is known to be missing (it fell due on or after
    # the day from which ISU's records are complete), so that the e-mail may say "overdue";
    # otherwise it says only that this system holds no record of it.
    known_missing: bool = True

    def label(self) -> str:
        period = "initial" if self.kind == rules.INITIAL else f"annual {self.year}"
        return f"{self.iso3} {period}, due {self.due.isoformat()} ({self.reminder})"


def reminders_on(today: dt.date) -> list[Reminder]:
    """Every reminder the reports not yet received call for on `today`."""
    received = set(rules.first_submissions(queries.submissions()))
    complete = queries.completeness()
    out = []
    for state in queries.reporting_states():
        complete_from = complete.for_state(state.iso3)
        for due in rules.reports_due(state, today + dt.timedelta(days=FIRST)):
            if due.key in received:
                continue
            reminder = reminder_due(due.due, today)
            if reminder is not None:
                known = complete_from is not None and due.due >= complete_from
                out.append(Reminder(state.iso3, due.kind, due.year, due.due, reminder, known))
    return out


def _focal_points(state: State) -> list:
    """The State's active focal points with an e-mail address (its reports are theirs)."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, roles__kind=RoleKind.STATE_FOCAL_POINT, roles__state=state)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _messages(reminder: Reminder, state: State, people: list, today: dt.date, base: str) -> list[EmailMessage]:
    days = (reminder.due - today).days
    context = {
        "state": state,
        "reminder": reminder.reminder,
        "initial": reminder.kind == ReportKind.INITIAL,
        "year": reminder.year,
        "due": reminder.due.isoformat(),
        "days_left": max(days, 0),
        "days_overdue": max(-days, 0),
        "known_missing": reminder.known_missing,
        "link": base + reverse("reporting:state_reports", args=[state.iso3]),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("reporting/email/reminder_subject.txt", context).split())
        body = render_to_string("reporting/email/reminder_body.txt", context)
    return [EmailMessage(subject=subject, body=body, to=[person.email]) for person in people]


@dataclass
class ReminderRun:
    day: dt.date
    sent: list[tuple[Reminder, list[str]]] = field(default_factory=list)
    already_sent: list[Reminder] = field(default_factory=list)
    no_focal_point: list[Reminder] = field(default_factory=list)


def send_reminders(today: dt.date | None = None, *, base_url: str = "", dry_run: bool = False) -> ReminderRun:
    """E-mail the reminders due on `today` that were not sent yet, and record them."""
    today = today or timezone.localdate()
    run = ReminderRun(today)
    reminders = reminders_on(today)
    if not reminders:
        return run
    base = (base_url or getattr(settings, "SITE_URL", "") or "").rstrip("/")
    states = {s.iso3: s for s in State.objects.filter(iso3__in={r.iso3 for r in reminders})}
    done = set(
        ReminderSent.objects.filter(state__in=states.values(), due__gte=min(r.due for r in reminders)).values_list(
            "state__iso3", "kind", "due", "reminder"
        )
    )
    people: dict[str, list] = {}
    for reminder in reminders:
        if (reminder.iso3, reminder.kind, reminder.due, reminder.reminder) in done:
            run.already_sent.append(reminder)
            continue
        state = states[reminder.iso3]
        if reminder.iso3 not in people:
            people[reminder.iso3] = _focal_points(state)
        recipients = people[reminder.iso3]
        if not recipients:
            run.no_focal_point.append(reminder)
            continue
        emails = [p.email for p in recipients]
        if dry_run:
            run.sent.append((reminder, emails))
            continue
        messages = _messages(reminder, state, recipients, today, base)
        try:
            send_once(
                partial(
                    ReminderSent.objects.create,
                    state=state,
                    kind=reminder.kind,
                    year=reminder.year,
                    due=reminder.due,
                    reminder=reminder.reminder,
                    recipients=len(messages),
                ),
                partial(_deliver, messages),
            )
        except AlreadySent:  # another run sent it meanwhile
            run.already_sent.append(reminder)
            continue
        run.sent.append((reminder, emails))
    return run


def _deliver(messages) -> None:
    with get_connection() as connection:
        connection.send_messages(messages)
