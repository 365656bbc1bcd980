"""Article 7 transparency reporting figures as plain functions over dates and records.

Nothing here touches the database or a request. The Convention's clock (entry into
force, the 180 days of Art. 7(1), the 30 April of Art. 7(2), withdrawal) comes from
`article6.treaty.rules`; this module only decides which reports a State owed on a
date, whether each came in on time, and counts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from article6.treaty.rules import (
    Status,
    TreatyDates,
    annual_report_due,
    annual_reports_due_between,
    first_annual_report_year,
    initial_report_due,
    status_on,
)

INITIAL = "initial"  # Art. 7(1)
ANNUAL = "annual"  # Art. 7(2)
KINDS = (INITIAL, ANNUAL)


@dataclass(frozen=True)
class ReportingState:
    """A State and its treaty dates, as published."""

    iso3: str
    region: str
    dates: TreatyDates


@dataclass(frozen=True)
class Submission:
    """A transparency report received from a State (Art. 7).

    `year` is the calendar year an annual update covers (Art. 7(2)); an initial
    report (Art. 7(1)) has none. `submitted` is the day it was received. `is_sample`:
    a fictional report of the demonstration data, counted but marked as such.
    """

    iso3: str
    kind: str
    year: int | None
    submitted: dt.date
    is_sample: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"A report is {' or '.join(KINDS)}, not {self.kind!r}")
        if self.kind == ANNUAL and self.year is None:
            raise ValueError("An annual update (Art. 7(2)) covers a calendar year")


@dataclass(frozen=True)
class DueReport:
    """A report one State owed: its kind, the year an annual update covers, its due date."""

    iso3: str
    kind: str
    year: int | None
    due: dt.date

    @property
    def key(self) -> tuple[str, str, int | None]:
        return (self.iso3, self.kind, self.year)


class ReportStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    DUE = "due"  # due on the as-of day itself, not yet received: still in time
    OVERDUE = "overdue"  # missing past its deadline, where ISU's records are complete
    NOT_RECORDED = "not_recorded"  # missing, due before ISU's records are complete: not known
    NOT_YET_DUE = "not_yet_due"
    NOT_OWED = "not_owed"  # a report for a period the State did not owe (see `why_not_owed`): no verdict


@dataclass(frozen=True)
class Classification:
    """A report's status on a date. `days_late` is the number of days after the due
    date on which a late report came in, or that an overdue one has been awaited;
    0 otherwise."""

    status: ReportStatus
    days_late: int = 0


@dataclass(frozen=True)
class Completeness:
    """The days from which ISU's records of the reports received are complete: one for
    every State (`default`) and, overriding it, one per State (`by_state`, by ISO3).

    Before that day a report this system does not hold may well have come in: its
    absence says nothing, and it is "not recorded", never "overdue"."""

    default: dt.date | None = None
    by_state: Mapping[str, dt.date] = field(default_factory=dict)

    def for_state(self, iso3: str) -> dt.date | None:
        """The day from which the records of `iso3` are complete, or None if ISU has set none."""
        return self.by_state.get(iso3, self.default)


NOTHING_COMPLETE = Completeness()


def submission_key(submission: Submission) -> tuple[str, str, int | None]:
    """The report a submission answers: an initial report (Art. 7(1)) is one per State,
    an annual update (Art. 7(2)) one per State and covered calendar year."""
    return (submission.iso3, submission.kind, None if submission.kind == INITIAL else submission.year)


def reports_due(state: ReportingState, as_of: dt.date) -> list[DueReport]:
    """The reports a State owed with a due date on or before `as_of`, oldest first.

    The initial report, not later than 180 days after entry into force for the State
    (Art. 7(1)), then the annual updates due by 30 April, each covering the previous
    calendar year, from the first year the Convention's clock gives (Art. 7(2)). Only
    while the State is a State Party on the due date: once its withdrawal has taken
    effect (Art. 20(2)) it owes nothing more; what fell due before stays due.
    """
    eif = state.dates.entry_into_force
    if eif is None:
        return []
    out = []
    initial = initial_report_due(eif)
    if initial <= as_of and status_on(state.dates, initial) is Status.STATE_PARTY:
        out.append(DueReport(state.iso3, INITIAL, None, initial))
    for year, due in annual_reports_due_between(eif, eif, as_of, state.dates.withdrawal_effective):
        if status_on(state.dates, due) is Status.STATE_PARTY:
            out.append(DueReport(state.iso3, ANNUAL, year, due))
    return out


def classify(
    due: DueReport, submission: Submission | None, as_of: dt.date, complete_from: dt.date | None = None
) -> Classification:
    """The status of one report on `as_of` (Art. 7(1) and 7(2): "not later than").

    Received on or before its due date: on time; after it and on or before `as_of`:
    late, by so many days. Not received by `as_of` (a submission dated later does not
    count yet): once `as_of` is past the due date, overdue only if the report fell due
    on or after `complete_from`, the day from which ISU's records of reports received
    are complete; otherwise (or with no such day) "not recorded", since its absence
    from the records says nothing. On the due date itself "due", before it not yet due.
    """
    if submission is not None and submission.submitted <= as_of:
        if submission.submitted <= due.due:
            return Classification(ReportStatus.ON_TIME)
        return Classification(ReportStatus.LATE, (submission.submitted - due.due).days)
    if as_of > due.due:
        if complete_from is None or due.due < complete_from:
            return Classification(ReportStatus.NOT_RECORDED)
        return Classification(ReportStatus.OVERDUE, (as_of - due.due).days)
    if as_of == due.due:
        return Classification(ReportStatus.DUE)
    return Classification(ReportStatus.NOT_YET_DUE)


def first_submissions(submissions: Iterable[Submission]) -> dict[tuple[str, str, int | None], Submission]:
    """The earliest submission of each report (Art. 7): a later one corrects or
    repeats it and does not make it later."""
    first: dict[tuple[str, str, int | None], Submission] = {}
    for submission in submissions:
        key = submission_key(submission)
        if key not in first or submission.submitted < first[key].submitted:
            first[key] = submission
    return first


def rate(submitted: int, due: int, not_recorded: int) -> float | None:
    """The share received of the reports whose status is known: `submitted / (due -
    not_recorded)`, rounded to two decimals; None ("insufficient data", never 0%) when
    no report's status is known."""
    known = due - not_recorded
    return round(submitted / known, 2) if known > 0 else None


def figures(
    states: Iterable[ReportingState],
    submissions: Iterable[Submission],
    as_of: dt.date,
    completeness: Completeness = NOTHING_COMPLETE,
) -> dict:
    """Art. 7 reporting figures on `as_of`, ready to print as JSON.

    Initial reports (Art. 7(1)): how many were due by `as_of`, came in on time, late,
    are overdue (and which States), or are not recorded: missing, but due before the
    day from which ISU's records are complete (`completeness`), so not known. Annual
    updates (Art. 7(2)), by the calendar year they cover: how many were due by `as_of`,
    came in by then, came in on time, are not recorded, and the rate over the reports
    whose status is known (`rate`: None when none is). Only reports due on or before
    `as_of` count; years with nothing due are left out.

    Where fictional sample reports count in a figure, the group says how many, under
    "sample" ({"submitted_on_time", "submitted_late"} for the initial reports,
    {"submitted", "on_time"} for a year): "of which N from sample data". Without
    sample data the key is absent and the shape is the one scripts rely on.
    """
    first = first_submissions(submissions)
    initial = {
        "due": 0,
        "submitted_on_time": 0,
        "submitted_late": 0,
        "overdue": 0,
        "overdue_states": [],
        "not_recorded": 0,
    }
    initial_sample = {"submitted_on_time": 0, "submitted_late": 0}
    annual: dict[int, dict] = {}
    annual_sample: dict[int, dict] = {}
    for state in states:
        for due in reports_due(state, as_of):
            submission = first.get(due.key)
            complete_from = completeness.for_state(state.iso3)
            status = classify(due, submission, as_of, complete_from).status
            if status is ReportStatus.DUE and (complete_from is None or due.due < complete_from):
                # Due today and not in records that are not complete for it: not known
                # either, so no rate rests on it (no "0%" on the due date itself).
                status = ReportStatus.NOT_RECORDED
            sample = submission is not None and submission.is_sample
            if due.kind == INITIAL:
                initial["due"] += 1
                if status is ReportStatus.ON_TIME:
                    initial["submitted_on_time"] += 1
                    initial_sample["submitted_on_time"] += sample
                elif status is ReportStatus.LATE:
                    initial["submitted_late"] += 1
                    initial_sample["submitted_late"] += sample
                elif status is ReportStatus.OVERDUE:
                    initial["overdue"] += 1
                    initial["overdue_states"].append(state.iso3)
                elif status is ReportStatus.NOT_RECORDED:
                    initial["not_recorded"] += 1
            else:
                year = annual.setdefault(due.year, {"due": 0, "submitted": 0, "on_time": 0, "not_recorded": 0})
                of_sample = annual_sample.setdefault(due.year, {"submitted": 0, "on_time": 0})
                year["due"] += 1
                if status in (ReportStatus.ON_TIME, ReportStatus.LATE):
                    year["submitted"] += 1
                    of_sample["submitted"] += sample
                if status is ReportStatus.ON_TIME:
                    year["on_time"] += 1
                    of_sample["on_time"] += sample
                if status is ReportStatus.NOT_RECORDED:
                    year["not_recorded"] += 1
    initial["overdue_states"].sort()
    if any(initial_sample.values()):
        initial["sample"] = initial_sample
    for year, counts in annual.items():
        counts["rate"] = rate(counts["submitted"], counts["due"], counts["not_recorded"])
        if any(annual_sample[year].values()):
            counts["sample"] = annual_sample[year]
    return {
        "as_of": as_of.isoformat(),
        "initial": initial,
        "annual": {str(year): annual[year] for year in sorted(annual)},
    }


def figures_by_region(
    states: Iterable[ReportingState],
    submissions: Iterable[Submission],
    as_of: dt.date,
    completeness: Completeness = NOTHING_COMPLETE,
) -> dict[str, dict]:
    """The Art. 7 reporting figures of `figures`, for the States of each region
    (regions sorted by name; a region whose States owed nothing shows zeros)."""
    submissions = list(submissions)
    regions: dict[str, list[ReportingState]] = {}
    for state in states:
        regions.setdefault(state.region, []).append(state)
    return {region: figures(regions[region], submissions, as_of, completeness) for region in sorted(regions)}


class NotOwed(StrEnum):
    """Why a State did not owe a report for a period (see `why_not_owed`)."""

    NOT_A_STATE_PARTY = "not_a_state_party"  # no instrument deposited: Art. 7 binds States Parties
    BEFORE_FIRST_UPDATE = "before_first_update"  # a year before the first one an annual update covers
    AFTER_WITHDRAWAL = "after_withdrawal"  # due on or after the day its withdrawal took effect


def why_not_owed(dates: TreatyDates, kind: str, year: int | None) -> NotOwed | None:
    """None if the State owes the report for this period; otherwise why not.

    Art. 7 binds "each State Party": a State that has only signed (or not even that)
    owes no report, initial or annual, since the Convention enters into force only for a
    State that deposits its instrument (Art. 17). The initial report covers the State's
    situation on entry into force (Art. 7(1)); the annual updates cover each calendar
    year from the one in which the initial report falls due (Art. 7(2);
    `treaty.rules.first_annual_report_year`), so an update for an earlier year is not
    owed. Once a withdrawal takes effect (Art. 20(2)) the State is no longer a State
    Party: a report due on that day or later is not owed. This is the rule
    `reports_due` lists: a period is owed exactly when `reports_due` lists it once its
    due date has passed.
    """
    if kind not in KINDS:
        raise ValueError(f"A report is {' or '.join(KINDS)}, not {kind!r}")
    eif = dates.entry_into_force
    if eif is None:
        return NotOwed.NOT_A_STATE_PARTY
    if kind == INITIAL:
        due = initial_report_due(eif)
    else:
        if year is None:
            raise ValueError("An annual update (Art. 7(2)) covers a calendar year")
        if year < first_annual_report_year(eif):
            return NotOwed.BEFORE_FIRST_UPDATE
        due = annual_report_due(year)
    withdrawn = dates.withdrawal_effective
    if withdrawn is not None and due >= withdrawn:
        return NotOwed.AFTER_WITHDRAWAL
    return None


def is_owed(dates: TreatyDates, kind: str, year: int | None) -> bool:
    """Whether the State owes the report of this period (Art. 7, 17, 20; `why_not_owed`)."""
    return why_not_owed(dates, kind, year) is None


def due_date(dates: TreatyDates, kind: str, year: int | None) -> dt.date | None:
    """The day a report is due: the initial report 180 days after entry into force
    (Art. 7(1)), the annual update covering `year` on 30 April of the next year
    (Art. 7(2)). None for a period the State does not owe (`why_not_owed`): it has no
    due date, and so no verdict of on time or late."""
    if kind not in KINDS or (kind == ANNUAL and year is None):
        return None
    if why_not_owed(dates, kind, year) is not None:
        return None
    eif = dates.entry_into_force
    if kind == INITIAL:
        return initial_report_due(eif)
    return annual_report_due(year)


def earliest_submission(kind: str, year: int | None) -> dt.date | None:
    """The first day a report may be submitted: an annual update covers the previous
    calendar year (Art. 7(2)), so the one covering `year` only once that year is over,
    from 1 January of the next. None when there is no such limit (the initial report,
    Art. 7(1): "as soon as practicable"). Drafts may be written before."""
    if kind == ANNUAL and year is not None:
        return dt.date(year + 1, 1, 1)
    return None
