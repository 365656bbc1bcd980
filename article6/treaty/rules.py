"""The Convention's clock: plain functions over dates and records.

Nothing here touches the database or a request. Each function says which
article of the Convention on Cluster Munitions (CCM) it implements, so it can
be read against the treaty text and tested from it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

# Art. 17(1): the Convention entered into force on the first day of the sixth
# month after the month in which the thirtieth instrument was deposited
# (16 February 2010), that is on 1 August 2010.
THIRTIETH_INSTRUMENT_DEPOSITED = dt.date(2010, 2, 16)
CONVENTION_ENTRY_INTO_FORCE = dt.date(2010, 8, 1)

STOCKPILE_DESTRUCTION_YEARS = 8  # Art. 3(2)
STOCKPILE_EXTENSION_MAX_YEARS = 4  # Art. 3(3), also for additional extensions
CLEARANCE_YEARS = 10  # Art. 4(1)
CLEARANCE_EXTENSION_MAX_YEARS = 5  # Art. 4(5), also for further extensions
INITIAL_REPORT_DAYS = 180  # Art. 7(1)
ANNUAL_REPORT_MONTH, ANNUAL_REPORT_DAY = 4, 30  # Art. 7(2): 30 April
WITHDRAWAL_MONTHS = 6  # Art. 20(2)
EXTENSION_REQUEST_MONTHS_BEFORE_MEETING = 9  # Arts. 3 and 4: requests reach the meeting 9 months ahead
DUE_SOON_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (or earlier); when that month is
    shorter, its last day. 31 August + 6 months is 28 (or 29) February."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day `years` later; 29 February becomes 28 February."""
    return add_months(day, 12 * years)


def first_day_of_sixth_month_after(day: dt.date) -> dt.date:
    """Art. 17: "the first day of the sixth month after" the month of `day`."""
    return add_months(day.replace(day=1), 6)


def entry_into_force(deposit: dt.date | None) -> dt.date | None:
    """Entry into force of the Convention for a State (Art. 17).

    Instruments deposited up to the thirtieth (16 February 2010) share the
    Convention's own entry into force, 1 August 2010 (Art. 17(1)). For a later
    deposit, the first day of the sixth month after the month of deposit
    (Art. 17(2)): Namibia, 31 August 2018 -> 1 February 2019.
    """
    if deposit is None:
        return None
    if deposit <= THIRTIETH_INSTRUMENT_DEPOSITED:
        return CONVENTION_ENTRY_INTO_FORCE
    return max(CONVENTION_ENTRY_INTO_FORCE, first_day_of_sixth_month_after(deposit))


def withdrawal_effective(notified: dt.date | None, armed_conflict_ended: dt.date | None = None) -> dt.date | None:
    """The day a withdrawal takes effect (Art. 20(2)).

    Six months after the Depositary receives the instrument of withdrawal
    (Lithuania: 6 September 2024 -> 6 March 2025). If at the end of those six
    months the State is engaged in an armed conflict, not before the end of
    that conflict: `armed_conflict_ended` is that day, when known.
    """
    if notified is None:
        return None
    six_months = add_months(notified, WITHDRAWAL_MONTHS)
    if armed_conflict_ended is not None and armed_conflict_ended > six_months:
        return armed_conflict_ended
    return six_months


class Status(StrEnum):
    NON_SIGNATORY = "non_signatory"
    SIGNATORY = "signatory"
    STATE_PARTY = "state_party"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class TreatyDates:
    """The treaty events of one State, as published."""

    signature: dt.date | None = None
    deposit: dt.date | None = None
    withdrawal_notified: dt.date | None = None
    armed_conflict_ended: dt.date | None = None

    @property
    def entry_into_force(self) -> dt.date | None:
        return entry_into_force(self.deposit)

    @property
    def withdrawal_effective(self) -> dt.date | None:
        return withdrawal_effective(self.withdrawal_notified, self.armed_conflict_ended)


def status_on(dates: TreatyDates, day: dt.date) -> Status:
    """A State's status on `day`.

    As in the Convention's own published figures, a State counts as a State
    Party from the day it deposits its instrument of ratification, acceptance,
    approval or accession (Art. 15, 16) until its withdrawal takes effect
    (Art. 20); whether the Convention is already in force for it is a separate
    question (`in_force_on`). A signatory has signed (Art. 15) but not yet
    deposited.
    """
    withdrawn = dates.withdrawal_effective
    if withdrawn is not None and withdrawn <= day:
        return Status.WITHDRAWN
    if dates.deposit is not None and dates.deposit <= day:
        return Status.STATE_PARTY
    if dates.signature is not None and dates.signature <= day:
        return Status.SIGNATORY
    return Status.NON_SIGNATORY


def in_force_on(dates: TreatyDates, day: dt.date) -> bool:
    """Whether the Convention is in force for the State on `day` (Art. 17, 20)."""
    eif = dates.entry_into_force
    if eif is None or eif > day:
        return False
    withdrawn = dates.withdrawal_effective
    return withdrawn is None or withdrawn > day


# --- Articles 3 and 4: deadlines and their extensions ---------------------------------


def stockpile_destruction_deadline(eif: dt.date) -> dt.date:
    """Art. 3(2): not later than eight years after entry into force for the State."""
    return add_years(eif, STOCKPILE_DESTRUCTION_YEARS)


def clearance_deadline(eif: dt.date, end_of_active_hostilities: dt.date | None = None) -> dt.date:
    """Art. 4(1): ten years after entry into force for the State; for remnants
    that arose after that, ten years after the end of the active hostilities in
    which they became remnants (Art. 4(1)(b)), whichever is later."""
    base = add_years(eif, CLEARANCE_YEARS)
    if end_of_active_hostilities is not None and end_of_active_hostilities > eif:
        return max(base, add_years(end_of_active_hostilities, CLEARANCE_YEARS))
    return base


def base_deadline(article: int, eif: dt.date, end_of_active_hostilities: dt.date | None = None) -> dt.date:
    if article == 3:
        return stockpile_destruction_deadline(eif)
    if article == 4:
        return clearance_deadline(eif, end_of_active_hostilities)
    raise ValueError(f"Only Articles 3 and 4 set destruction or clearance deadlines, not {article}")


def max_extension_years(article: int) -> int:
    """Art. 3(3): up to four years (additional extensions in exceptional
    circumstances, also up to four); Art. 4(5): up to five years (further
    extensions, also up to five)."""
    return {3: STOCKPILE_EXTENSION_MAX_YEARS, 4: CLEARANCE_EXTENSION_MAX_YEARS}[article]


@dataclass(frozen=True)
class Extension:
    """An extension granted by a Meeting of States Parties or a Review Conference."""

    decided: dt.date  # the day the meeting took the decision
    new_deadline: dt.date
    meeting: str = ""
    source: str = ""


def extension_exceeds_limit(article: int, previous_deadline: dt.date, new_deadline: dt.date) -> bool:
    """True when a single extension is longer than the article allows."""
    return new_deadline > add_years(previous_deadline, max_extension_years(article))


def extended_deadline(base: dt.date, extensions: Iterable[Extension], as_of: dt.date) -> dt.date | None:
    """The deadline in force on `as_of` after the extensions decided by then, or
    None when none had been granted. Later decisions replace earlier ones."""
    granted = sorted((e for e in extensions if e.decided <= as_of), key=lambda e: e.decided)
    if not granted:
        return None
    return granted[-1].new_deadline


def extension_request_last_day(meeting_opens: dt.date) -> dt.date:
    """Last day to submit an extension request to a meeting: nine months before
    the Meeting of States Parties or Review Conference that considers it
    (Arts. 3 and 4). A shorter month gives its last day, the earlier date."""
    return add_months(meeting_opens, -EXTENSION_REQUEST_MONTHS_BEFORE_MEETING)


class ObligationStatus(StrEnum):
    """What the published facts say of an Art. 3 or Art. 4 obligation on a date.

    A deadline that passed says nothing by itself: the register of facts is
    partial, so "overdue" needs a fact dated after the deadline that shows the
    obligation still open. Without one, the honest status is
    `passed_no_information`.
    """

    NOT_APPLICABLE = "not_applicable"
    ON_TRACK = "on_track"
    DUE_SOON = "due_within_12_months"
    PASSED_NO_INFORMATION = "passed_no_information"
    OVERDUE = "overdue"
    COMPLETED = "completed"
    COMPLETED_LATE = "completed_late"


def obligation_status(
    *,
    applies: bool,
    deadline: dt.date | None,
    completed: dt.date | None,
    as_of: dt.date,
    open_on: dt.date | None = None,
) -> ObligationStatus:
    """Status of an Art. 3 or Art. 4 obligation on `as_of`.

    `deadline` is the last day allowed, as extended by then (Art. 3(2) eight
    years, Art. 3(3) up to four more; Art. 4(1) ten years, Art. 4(5) up to five
    more); "not later than" means the deadline day itself is still in time.
    `completed` is the day completion was declared, if declared by `as_of`.
    `open_on` is the latest day, on or before `as_of`, of a fact that shows the
    obligation still open (stockpiles still held, areas still contaminated, an
    extension still requested, or ISU's record that the work is in progress).

    Once the deadline has passed, the obligation is `overdue` only when such a
    fact is dated after the deadline; otherwise nothing is known of what
    happened since, and the status is `passed_no_information`. In the same way
    a completion is `completed_late` only when such a fact, dated after the
    deadline, shows the work still open then: a completion dated after the
    deadline alone may rest on an extension the register lacks, or on the date
    of the report that announced it.
    """
    if not applies or deadline is None:
        return ObligationStatus.NOT_APPLICABLE
    if completed is not None and completed <= as_of:
        late = open_on is not None and deadline < open_on <= completed
        return ObligationStatus.COMPLETED_LATE if late else ObligationStatus.COMPLETED
    if as_of > deadline:
        if open_on is not None and deadline < open_on <= as_of:
            return ObligationStatus.OVERDUE
        return ObligationStatus.PASSED_NO_INFORMATION
    if deadline <= add_months(as_of, DUE_SOON_MONTHS):
        return ObligationStatus.DUE_SOON
    return ObligationStatus.ON_TRACK


# --- Article 7: transparency reports -------------------------------------------------


def initial_report_due(eif: dt.date) -> dt.date:
    """Art. 7(1): as soon as practicable and not later than 180 days after entry
    into force for the State (Fiji: in force 1 November 2010 -> 30 April 2011)."""
    return eif + dt.timedelta(days=INITIAL_REPORT_DAYS)


def annual_report_due(covered_year: int) -> dt.date:
    """Art. 7(2): the annual update covering calendar year Y is due by 30 April of Y + 1."""
    return dt.date(covered_year + 1, ANNUAL_REPORT_MONTH, ANNUAL_REPORT_DAY)


def first_annual_report_year(eif: dt.date) -> int:
    """The first calendar year an annual update covers.

    The initial report describes the State's situation when the Convention
    enters into force for it; annual updates then cover each following
    calendar year, starting with the year in which the initial report falls
    due, so that the first annual update is never due on or before the initial
    report (Fiji: initial report due 30 April 2011, first update covering 2011,
    due 30 April 2012).
    """
    return initial_report_due(eif).year


def next_annual_report_due(eif: dt.date, as_of: dt.date, withdrawal_effective: dt.date | None = None) -> dt.date | None:
    """The next 30 April on or after `as_of` on which an annual update is due
    (Art. 7(2)); on 30 April itself that same day. None once withdrawn."""
    year = max(first_annual_report_year(eif), as_of.year - 1)
    due = annual_report_due(year)
    if due < as_of:
        due = annual_report_due(year + 1)
    if withdrawal_effective is not None and due >= withdrawal_effective:
        return None
    return due


def annual_reports_due_between(
    eif: dt.date, start: dt.date, end: dt.date, withdrawal_effective: dt.date | None = None
) -> list[tuple[int, dt.date]]:
    """(covered year, due date) of every annual update due from `start` to `end`, both included."""
    out = []
    year = max(first_annual_report_year(eif), start.year - 1)
    while annual_report_due(year) <= end:
        due = annual_report_due(year)
        if due >= start and (withdrawal_effective is None or due < withdrawal_effective):
            out.append((year, due))
        year += 1
    return out


# --- Membership on a date --------------------------------------------------------------


@dataclass
class RegionCount:
    states_parties: int = 0
    signatories: int = 0
    in_force: int = 0


@dataclass
class Membership:
    as_of: dt.date
    states_parties: int = 0
    signatories: int = 0
    in_force: int = 0
    by_region: dict[str, RegionCount] = field(default_factory=dict)


def membership(states: Iterable[tuple[str, TreatyDates]], as_of: dt.date) -> Membership:
    """Counts of States Parties, Signatories and States for which the Convention
    is in force on `as_of`, in total and by region. `states` yields
    (region, treaty dates) pairs."""
    result = Membership(as_of=as_of)
    for region, dates in states:
        status = status_on(dates, as_of)
        counts = result.by_region.setdefault(region, RegionCount())
        if status is Status.STATE_PARTY:
            result.states_parties += 1
            counts.states_parties += 1
        elif status is Status.SIGNATORY:
            result.signatories += 1
            counts.signatories += 1
        if in_force_on(dates, as_of):
            result.in_force += 1
            counts.in_force += 1
    return result


# --- Obligations from published facts ---------------------------------------------------


class FactKind(StrEnum):
    CONTAMINATED = "contaminated"  # Art. 4 applies
    HOLDS_STOCKPILES = "holds_stockpiles"  # Art. 3 applies
    EXTENSION_CONSIDERED = "extension_considered"
    EXTENSION_GRANTED = "extension_granted"
    COMPLETED = "completed"
    END_OF_HOSTILITIES = "end_of_hostilities"  # Art. 4(1)(b)
    IN_PROGRESS = "in_progress"  # reported, or recorded by ISU, as still in progress


# Facts that show the obligation applies to the State. A State that extended
# or completed a deadline had the obligation too.
APPLYING_FACTS = {
    FactKind.CONTAMINATED,
    FactKind.HOLDS_STOCKPILES,
    FactKind.EXTENSION_CONSIDERED,
    FactKind.EXTENSION_GRANTED,
    FactKind.COMPLETED,
    FactKind.END_OF_HOSTILITIES,
    FactKind.IN_PROGRESS,
}

# Facts that show the obligation still open on their date: stockpiles still
# held (Art. 3), areas still contaminated (Art. 4), more time still asked for
# (Arts. 3(3), 4(5)), or the work reported, or recorded by ISU, as in progress.
# Dated after the deadline, one of them makes the obligation overdue.
OPEN_FACTS = {
    FactKind.CONTAMINATED,
    FactKind.HOLDS_STOCKPILES,
    FactKind.EXTENSION_CONSIDERED,
    FactKind.IN_PROGRESS,
}


@dataclass(frozen=True)
class ObligationFact:
    article: int
    kind: FactKind
    date: dt.date
    new_deadline: dt.date | None = None
    meeting: str = ""
    source: str = ""


@dataclass(frozen=True)
class Obligation:
    """An Art. 3 or Art. 4 obligation of one State as it stood on `as_of`."""

    article: int
    as_of: dt.date
    applies: bool
    base_deadline: dt.date | None
    extended_deadline: dt.date | None
    completed: dt.date | None
    status: ObligationStatus
    facts: tuple[ObligationFact, ...] = ()
    last_fact_date: dt.date | None = None  # the latest fact known on as_of

    @property
    def passed(self) -> bool:
        """The deadline in force has passed with no completion declared: overdue, or
        passed with no information since `last_fact_date`."""
        return self.status in (ObligationStatus.OVERDUE, ObligationStatus.PASSED_NO_INFORMATION)

    @property
    def is_extended(self) -> bool:
        return self.extended_deadline is not None

    @property
    def deadline(self) -> dt.date | None:
        """The deadline in force: as extended, or the base one."""
        return self.extended_deadline or self.base_deadline

    @property
    def days_left(self) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline - self.as_of).days


def obligation_on(article: int, eif: dt.date | None, facts: Iterable[ObligationFact], as_of: dt.date) -> Obligation:
    """A State's Art. 3 or Art. 4 obligation as of `as_of`, from published facts.

    Whether the article applies is a property of the State that the facts
    evidence, whatever their date (a State listed as contaminated in 2019 was
    contaminated before). Extensions (Art. 3(3), 4(5)) count from the day they
    were decided and completion from the day it was declared, so that the
    answer on an earlier date is the one that was true then. Deadlines
    (Art. 3(2), 4(1)) are computed from entry into force even where the article
    does not apply. `last_fact_date` is the date of the latest fact known on
    `as_of`: what "no information since" refers to.
    """
    own = tuple(sorted((f for f in facts if f.article == article), key=lambda f: f.date))
    applies = any(f.kind in APPLYING_FACTS for f in own)
    base = None
    if eif is not None:
        hostilities_end = max((f.date for f in own if f.kind is FactKind.END_OF_HOSTILITIES), default=None)
        base = clearance_deadline(eif, hostilities_end) if article == 4 else stockpile_destruction_deadline(eif)
    extensions = [
        Extension(decided=f.date, new_deadline=f.new_deadline, meeting=f.meeting, source=f.source)
        for f in own
        if f.kind is FactKind.EXTENSION_GRANTED and f.new_deadline is not None
    ]
    extended = extended_deadline(base, extensions, as_of) if base is not None else None
    completed = min((f.date for f in own if f.kind is FactKind.COMPLETED and f.date <= as_of), default=None)
    known = [f for f in own if f.date <= as_of]
    status = obligation_status(
        applies=applies and eif is not None and eif <= as_of,
        deadline=extended or base,
        completed=completed,
        as_of=as_of,
        open_on=max(
            (f.date for f in known if f.kind in OPEN_FACTS and (completed is None or f.date <= completed)), default=None
        ),
    )
    return Obligation(
        article=article,
        as_of=as_of,
        applies=applies,
        base_deadline=base,
        extended_deadline=extended,
        completed=completed,
        status=status,
        facts=own,
        last_fact_date=max((f.date for f in known), default=None),
    )


class ObligationFilter(StrEnum):
    """What the States list can ask of an Art. 3 or Art. 4 obligation."""

    APPLIES = "applies"
    EXTENDED = "extended"  # Art. 3(3), 4(5)
    DUE = "due"  # within a number of months
    PASSED = "passed"  # no completion declared by the deadline in force
    COMPLETED = "completed"


def obligation_matches(obligation: Obligation, which: ObligationFilter, months: int = DUE_SOON_MONTHS) -> bool:
    """Whether an obligation, as it stood on its `as_of`, answers `which`: it applies;
    its deadline was extended (Art. 3(3), 4(5)) by then; it is not completed and its
    deadline in force (Art. 3(2), 4(1), as extended) falls from `as_of` to `months`
    later, both days included; its deadline passed with no completion declared
    (overdue, or with no information since); or completion was declared."""
    if which is ObligationFilter.APPLIES:
        return obligation.applies
    if which is ObligationFilter.EXTENDED:
        return obligation.applies and obligation.is_extended
    if which is ObligationFilter.DUE:
        open_ = obligation.status in (ObligationStatus.ON_TRACK, ObligationStatus.DUE_SOON)
        return open_ and obligation.deadline is not None and obligation.deadline <= add_months(obligation.as_of, months)
    if which is ObligationFilter.PASSED:
        return obligation.passed
    return obligation.status in (ObligationStatus.COMPLETED, ObligationStatus.COMPLETED_LATE)


# --- Deadlines over a period -----------------------------------------------------------


class DeadlineKind(StrEnum):
    INITIAL_REPORT = "initial_report"  # Art. 7(1)
    ANNUAL_REPORT = "annual_report"  # Art. 7(2)
    STOCKPILE_DESTRUCTION = "stockpile_destruction"  # Art. 3(2)
    CLEARANCE = "clearance"  # Art. 4(1)
    EXTENSION_REQUEST = "extension_request"  # Arts. 3 and 4: nine months before the meeting


DEADLINE_ARTICLE = {
    DeadlineKind.INITIAL_REPORT: 7,
    DeadlineKind.ANNUAL_REPORT: 7,
    DeadlineKind.STOCKPILE_DESTRUCTION: 3,
    DeadlineKind.CLEARANCE: 4,
}


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    kind: DeadlineKind
    article: int
    covered_year: int | None = None  # for annual reports
    meeting: str = ""  # for extension requests


def state_deadlines(
    dates: TreatyDates,
    obligations: Iterable[Obligation],
    start: dt.date,
    end: dt.date,
    meetings: Iterable[tuple[str, dt.date]] = (),
) -> list[Deadline]:
    """Every deadline of one State from `start` to `end`, both days included.

    Art. 7 reports for States Parties; Art. 3 and Art. 4 deadlines where the
    article applies and completion has not been declared; and, for those, the
    last day to submit an extension request to the next recorded meeting
    (code, opening day) that still accepts one on `start` and opens before the
    deadline expires. Only that next meeting is used: whether a later one also
    comes before the deadline depends on meetings not yet recorded.
    """
    eif = dates.entry_into_force
    if eif is None:
        return []
    withdrawn = dates.withdrawal_effective
    out: list[Deadline] = []

    def keep(day: dt.date) -> bool:
        return start <= day <= end and (withdrawn is None or day < withdrawn)

    initial = initial_report_due(eif)
    if keep(initial):
        out.append(Deadline(initial, DeadlineKind.INITIAL_REPORT, 7))
    for year, due in annual_reports_due_between(eif, start, end, withdrawn):
        out.append(Deadline(due, DeadlineKind.ANNUAL_REPORT, 7, covered_year=year))

    meetings = sorted(meetings, key=lambda m: m[1])
    for obligation in obligations:
        if not obligation.applies or obligation.completed is not None or obligation.deadline is None:
            continue
        kind = DeadlineKind.STOCKPILE_DESTRUCTION if obligation.article == 3 else DeadlineKind.CLEARANCE
        if keep(obligation.deadline):
            out.append(Deadline(obligation.deadline, kind, obligation.article))
        open_to_requests = [
            m for m in meetings if m[1] < obligation.deadline and extension_request_last_day(m[1]) >= start
        ]
        if open_to_requests:
            code, opens = open_to_requests[0]
            last_day = extension_request_last_day(opens)
            if keep(last_day):
                out.append(Deadline(last_day, DeadlineKind.EXTENSION_REQUEST, obligation.article, meeting=code))
    return sorted(out, key=lambda d: (d.date, d.article))
