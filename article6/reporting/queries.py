"""Queries the reporting pages, the API and the commands share: the States and the
reports received, turned into the plain records `reporting.rules` counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from article6.reporting import rules
from article6.reporting.models import RecordsComplete, Report
from article6.states.models import State
from article6.treaty.rules import Status, add_years, status_on


def reporting_states(queryset=None) -> list[rules.ReportingState]:
    """Every State (or those of `queryset`) with its treaty dates, in one query."""
    states = (queryset if queryset is not None else State.objects.all()).only(
        "iso3",
        "region",
        "signature_date",
        "deposit_date",
        "withdrawal_notified_date",
        "withdrawal_armed_conflict_ended",
    )
    return [rules.ReportingState(s.iso3, s.region, s.treaty_dates) for s in states.order_by("iso3")]


def submissions(queryset=None) -> list[rules.Submission]:
    """Every report received (submitted, published, or recorded from the past), in one
    query. Each version is listed; `rules.first_submissions` keeps the first."""
    reports = (queryset if queryset is not None else Report.objects.all()).received()
    return [
        rules.Submission(iso3, kind, year, submitted, is_sample)
        for iso3, kind, year, submitted, is_sample in reports.filter(submitted_on__isnull=False).values_list(
            "state__iso3", "kind", "year", "submitted_on", "is_sample"
        )
    ]


def completeness() -> rules.Completeness:
    """The days from which ISU's records of the reports received are complete, for every
    State and per State (rules.Completeness). One query."""
    default, by_state = None, {}
    for iso3, day in RecordsComplete.objects.values_list("state__iso3", "complete_from"):
        if iso3 is None:
            default = day
        else:
            by_state[iso3] = day
    return rules.Completeness(default, by_state)


def completeness_of(state: State) -> dt.date | None:
    """The day from which the records of `state`'s reports are complete (its own day, or
    the one for every State), or None. One query."""
    from django.db.models import Q

    days = dict(
        RecordsComplete.objects.filter(Q(state=state) | Q(state__isnull=True)).values_list("state_id", "complete_from")
    )
    return days.get(state.pk, days.get(None))


def may_read_unpublished(user, state_id: int) -> bool:
    """Whether `user` reads a State's drafts and submitted reports: ISU, the coordinators
    and the State's own focal points."""
    from article6.accounts.permissions import is_coordinator, is_isu, reporting_states_of

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return is_isu(user) or is_coordinator(user) or state_id in reporting_states_of(user)


def readable_reports(user):
    """The reports `user` may read: published ones for everyone; drafts and submitted
    ones for the State's own focal points, the coordinators and ISU."""
    from django.db.models import Q

    from article6.accounts.permissions import is_coordinator, is_isu, reporting_states_of
    from article6.reporting.models import ReportStatus

    reports = Report.objects.all()
    if is_isu(user) or is_coordinator(user):
        return reports
    return reports.filter(Q(status=ReportStatus.PUBLISHED) | Q(state__in=reporting_states_of(user)))


def readable_report(user, pk, *, content: bool = True):
    """One report `user` may read (with its forms and figures when `content`), or None."""
    from article6.reporting.services import with_content

    reports = readable_reports(user)
    reports = with_content(reports) if content else reports.select_related("state")
    return reports.filter(pk=pk).first()


# --- Reporting figures as of a date (Art. 7), computed once per version of the data ---------

FIGURES_CACHE_SECONDS = 3600


def data_fingerprint() -> tuple:
    """Changes whenever a report or a State is added, changed or deleted: how many there
    are, the last time a report was saved, and the last row of each history (every change
    through the models adds one). One small query, so that every process agrees."""
    from django.db import connection

    def part(aggregate: str, table: str) -> str:
        # Our own table and column names, from the models; nothing from the request.
        return f"(SELECT {aggregate} FROM {connection.ops.quote_name(table)})"  # noqa: S608

    report, state = Report._meta.db_table, State._meta.db_table
    report_history = Report.history.model._meta.db_table
    state_history = State.history.model._meta.db_table
    complete_history = RecordsComplete.history.model._meta.db_table
    parts = [
        part("MAX(history_id)", complete_history),
        part("COUNT(*)", report),
        part(f"MAX({connection.ops.quote_name('updated')})", report),
        part("MAX(history_id)", report_history),
        part("COUNT(*)", state),
        part("MAX(id)", state),
        part("MAX(history_id)", state_history),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(str(value) for value in cursor.fetchone())


def _records() -> tuple[list[rules.ReportingState], dict[str, str], list[rules.Submission], set]:
    """The States (with their names), every report received, and which of those were
    recorded by ISU from past documents (Art. 7 reports before this system). Two queries.

    """
    states = State.objects.only(
        "iso3",
        "name",
        "region",
        "signature_date",
        "deposit_date",
        "withdrawal_notified_date",
        "withdrawal_armed_conflict_ended",
    ).order_by("iso3")
    reporting, names = [], {}
    for state in states:
        reporting.append(rules.ReportingState(state.iso3, state.region, state.treaty_dates))
        names[state.iso3] = state.name
    received, historic = [], set()
    rows = (
        Report.objects.received()
        .filter(submitted_on__isnull=False)
        .values_list("state__iso3", "kind", "year", "submitted_on", "historic", "is_sample")
    )
    for iso3, kind, year, submitted, is_historic, is_sample in rows:
        submission = rules.Submission(iso3, kind, year, submitted, is_sample)
        received.append(submission)
        if is_historic:
            historic.add(submission)
    return reporting, names, received, historic


def _membership_note(states: list[rules.ReportingState], names: dict[str, str], as_of) -> dict:
    """Why the initial reports due need not equal the States Parties on the date: a
    State that withdrew (Art. 20(2)) still owes the reports that fell due while it was
    a State Party, and a State that joined lately owes its initial report only 180 days
    after entry into force (Art. 7(1)). The States are named."""
    parties, withdrawn, not_yet_due = 0, [], []
    for state in states:
        party = status_on(state.dates, as_of) is Status.STATE_PARTY
        parties += party
        owes_initial = any(due.kind == rules.INITIAL for due in rules.reports_due(state, as_of))
        if not party and owes_initial:
            withdrawn.append((state.iso3, names.get(state.iso3, state.iso3), state.dates.withdrawal_effective))
        elif party and not owes_initial:
            not_yet_due.append((state.iso3, names.get(state.iso3, state.iso3)))
    return {
        "parties": parties,
        "withdrawn": sorted(withdrawn, key=lambda s: s[1]),
        "not_yet_due": sorted(not_yet_due, key=lambda s: s[1]),
    }


def _compute(as_of) -> dict:
    states, names, received, historic = _records()
    complete = completeness()
    # What was in by `as_of`, each report once, at its first submission (Art. 7).
    first = [s for s in rules.first_submissions(received).values() if s.submitted <= as_of]
    dates = {state.iso3: state.dates for state in states}
    not_owed = sum(1 for s in first if s.iso3 in dates and not rules.is_owed(dates[s.iso3], s.kind, s.year))
    return {
        "figures": rules.figures(states, received, as_of, complete),
        "by_region": rules.figures_by_region(states, received, as_of, complete),
        "names": names,
        "complete_from": complete.default,
        "complete_by_state": len(complete.by_state),
        "membership": _membership_note(states, names, as_of),
        "recorded": {
            "reports": len(first),
            "historic": sum(1 for s in first if s in historic),
            "earliest": min((s.submitted for s in first), default=None),
            "not_owed": not_owed,
            "sample": sum(1 for s in first if s.is_sample),
        },
    }


def transparency(as_of) -> dict:
    """Everything the Transparency page shows for `as_of`: `figures` (rules.figures, the
    shape of `article6 reporting --json`), `by_region` (rules.figures_by_region), the
    States' `names` by ISO3 code, and `recorded`: how many reports received by `as_of`
    this system holds, how many of them ISU recorded from past documents, the
    earliest date, how many are for a period the State did not owe (counted in no
    figure) and how many are fictional sample data; `complete_from`, the day from which
    ISU's records are complete for every State (None if unset) and `complete_by_state`,
    how many States have a day of their own; `membership`, why the initial reports due
    differ from the States Parties (`_membership_note`). Computed once per version of
    the data and date, then cached: one query when cached, four otherwise."""
    import hashlib

    from django.core.cache import cache

    key = hashlib.sha256(repr((data_fingerprint(), as_of.isoformat())).encode()).hexdigest()
    found = cache.get(f"article6:reporting:{key}")
    if found is None:
        found = _compute(as_of)
        cache.set(f"article6:reporting:{key}", found, FIGURES_CACHE_SECONDS)
    return found


def figures_as_of(as_of) -> dict:
    """rules.figures for every State on `as_of`, from the cache when the data has not changed."""
    return transparency(as_of)["figures"]


def figures_by_region_as_of(as_of) -> dict:
    """rules.figures_by_region for every State on `as_of`, cached likewise."""
    return transparency(as_of)["by_region"]


# --- One State's reports -----------------------------------------------------------------------

NEXT_DUE_YEARS = 2  # an annual update falls due every 30 April (Art. 7(2)): two years always hold one


@dataclass(frozen=True)
class ReportLink:
    """The version of a received report the reader may open: the latest they may read."""

    pk: int
    version: int
    status: str


@dataclass(frozen=True)
class StateReport:
    """One report a State owes (Art. 7(1) or 7(2)), and where it stands on the date."""

    kind: str
    year: int | None
    due: dt.date
    status: rules.ReportStatus
    days_late: int
    submitted: dt.date | None  # the first version's submission date, if by the date
    link: ReportLink | None

    @property
    def is_initial(self) -> bool:
        return self.kind == rules.INITIAL


@dataclass(frozen=True)
class StateReporting:
    iso3: str
    as_of: dt.date
    reports: list[StateReport]  # every report due on or before as_of, oldest first
    next_due: StateReport | None  # the first report due after as_of
    complete_from: dt.date | None = None  # the day from which ISU's records of its reports are complete

    @property
    def overdue(self) -> list[StateReport]:
        return [r for r in self.reports if r.status is rules.ReportStatus.OVERDUE]

    @property
    def not_recorded(self) -> list[StateReport]:
        return [r for r in self.reports if r.status is rules.ReportStatus.NOT_RECORDED]


COMPLETENESS_ROW = "complete"  # the kind given to a completeness day in `_reports_and_completeness`


def _reports_and_completeness(state: State) -> list[tuple]:
    """In one query: the State's reports received, as (pk, kind, year, version, status,
    submitted_on), and the days from which ISU's records are complete that apply to it, as
    (pk, "complete", None, None, "all" or "state", complete_from)."""
    from django.db.models import Case, CharField, IntegerField, Q, Value, When
    from django.db.models.functions import Cast

    reports = (
        Report.objects.received()
        .filter(state_id=state.pk, submitted_on__isnull=False)
        .values_list("pk", "kind", "year", "version", "status", "submitted_on")
        .order_by()
    )
    days = (
        RecordsComplete.objects.filter(Q(state_id=state.pk) | Q(state__isnull=True))
        .annotate(
            row_kind=Value(COMPLETENESS_ROW, output_field=CharField()),
            no_year=Cast(Value(None), IntegerField()),
            no_version=Cast(Value(None), IntegerField()),
            scope=Case(When(state__isnull=True, then=Value("all")), default=Value("state"), output_field=CharField()),
        )
        .values_list("pk", "row_kind", "no_year", "no_version", "scope", "complete_from")
        .order_by()
    )
    return list(reports.union(days, all=True))


def state_reporting(state: State, as_of: dt.date, user=None) -> StateReporting:
    """The reports `state` owed on `as_of`, each on time, late by N days, overdue by N
    days, due that day, or not recorded (missing, but due before the day from which
    ISU's records are complete); the next one due; and for each report received by then,
    the latest version `user` may read (published ones for everyone). One query (the
    reports and the days its records are complete from, together), and the user's roles
    once per request."""
    from article6.reporting.models import ReportStatus as Stored

    reporting_state = rules.ReportingState(state.iso3, state.region, state.treaty_dates)
    rows, days = [], {}
    for row in _reports_and_completeness(state):
        if row[1] == COMPLETENESS_ROW:
            days[row[4]] = row[5]  # "all" for every State, "state" for its own day
        else:
            rows.append(row)
    complete_from = days.get("state", days.get("all"))
    readable_all = may_read_unpublished(user, state.pk)
    first = rules.first_submissions(
        rules.Submission(state.iso3, kind, year, day) for _pk, kind, year, _v, _s, day in rows
    )
    links: dict[tuple, ReportLink] = {}
    for pk, kind, year, version, status, _day in rows:
        if status != Stored.PUBLISHED and not readable_all:
            continue
        key = (state.iso3, kind, None if kind == rules.INITIAL else year)
        if key not in links or version > links[key].version:
            links[key] = ReportLink(pk, version, status)

    def entry(due: rules.DueReport) -> StateReport:
        submission = first.get(due.key)
        found = rules.classify(due, submission, as_of, complete_from)
        received = found.status in (rules.ReportStatus.ON_TIME, rules.ReportStatus.LATE)
        return StateReport(
            kind=due.kind,
            year=due.year,
            due=due.due,
            status=found.status,
            days_late=found.days_late,
            submitted=submission.submitted if received else None,
            link=links.get(due.key) if received else None,
        )

    reports = [entry(due) for due in rules.reports_due(reporting_state, as_of)]
    next_due = None
    if status_on(state.treaty_dates, as_of) is Status.STATE_PARTY:
        later = rules.reports_due(reporting_state, add_years(as_of, NEXT_DUE_YEARS))
        upcoming = [due for due in later if due.due > as_of]
        if upcoming:
            next_due = entry(upcoming[0])
    return StateReporting(state.iso3, as_of, reports, next_due, complete_from)


def first_submitted(report) -> dt.date | None:
    """The day the first version of a report was received: the one that counts for
    timeliness (Art. 7); a correction does not make a report later."""
    from django.db.models import Min

    return (
        Report.objects.received()
        .filter(state=report.state_id, kind=report.kind, year=report.year)
        .aggregate(first=Min("submitted_on"))["first"]
    )


def timeliness(report, as_of: dt.date, first: dt.date | None = None) -> rules.Classification:
    """On time, late by N days, overdue, not recorded or not yet due on `as_of`, by the
    Convention's clock (Art. 7(1), 7(2)) and the day from which ISU's records are
    complete; "not owed", and no verdict, for a period the State did not owe
    (rules.why_not_owed). `first` is the first version's submission day, when the
    caller has read it."""
    due = report.due_date
    if due is None:
        return rules.Classification(rules.ReportStatus.NOT_OWED)
    first = first or first_submitted(report)
    submission = rules.Submission(report.state.iso3, report.kind, report.year, first) if first else None
    due_report = rules.DueReport(report.state.iso3, report.kind, report.year, due)
    if submission is not None and submission.submitted <= as_of:
        return rules.classify(due_report, submission, as_of)  # received: the records say when
    return rules.classify(due_report, submission, as_of, completeness_of(report.state))
