"""The Convention's clock applied to stored States: the queries pages, the API
and the CLI share. Each function runs a fixed number of SQL queries, whatever
the number of States."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from article6.states.models import State
from article6.treaty import rules
from article6.treaty.models import Meeting


@dataclass(frozen=True)
class StateClock:
    """One State seen through the Convention's clock on `as_of`."""

    state: State
    as_of: dt.date
    status: rules.Status
    in_force: bool
    entry_into_force: dt.date | None
    withdrawal_effective: dt.date | None
    initial_report_due: dt.date | None
    next_annual_report_due: dt.date | None
    article_3: rules.Obligation
    article_4: rules.Obligation

    @property
    def obligations(self) -> tuple[rules.Obligation, rules.Obligation]:
        return (self.article_3, self.article_4)

    @property
    def is_party(self) -> bool:
        return self.status is rules.Status.STATE_PARTY

    def as_json(self) -> dict:
        """The shape scripts rely on (`article6 state ISO3 --json`, the API)."""

        def iso(day: dt.date | None) -> str | None:
            return day.isoformat() if day else None

        def obligation(o: rules.Obligation) -> dict:
            return {
                "applies": o.applies,
                "deadline": iso(o.base_deadline),
                "extended_deadline": iso(o.extended_deadline),
                "completed": iso(o.completed),
                "status": o.status.value,
            }

        s = self.state
        return {
            "iso3": s.iso3,
            "name": s.name,
            "as_of": self.as_of.isoformat(),
            "status": self.status.value,
            "in_force": self.in_force,
            "signature_date": iso(s.signature_date),
            "deposit_date": iso(s.deposit_date),
            "instrument": s.get_instrument_kind_display() if s.instrument_kind else None,
            "entry_into_force": iso(self.entry_into_force),
            "withdrawal_effective": iso(self.withdrawal_effective),
            "initial_report_due": iso(self.initial_report_due),
            "next_annual_report_due": iso(self.next_annual_report_due),
            "article_3": obligation(self.article_3),
            "article_4": obligation(self.article_4),
        }


def clock(state: State, as_of: dt.date) -> StateClock:
    """Uses `state.obligation_facts.all()`: prefetch it (State.objects.for_clock())."""
    dates = state.treaty_dates
    eif = dates.entry_into_force
    withdrawn = dates.withdrawal_effective
    status = rules.status_on(dates, as_of)
    facts = [f.as_rule_fact() for f in state.obligation_facts.all()]
    # Reports fall due only for a State that has deposited its instrument and not withdrawn.
    reporting = status is rules.Status.STATE_PARTY and eif is not None
    return StateClock(
        state=state,
        as_of=as_of,
        status=status,
        in_force=rules.in_force_on(dates, as_of),
        entry_into_force=eif,
        withdrawal_effective=withdrawn,
        initial_report_due=rules.initial_report_due(eif) if eif else None,
        next_annual_report_due=rules.next_annual_report_due(eif, as_of, withdrawn) if reporting else None,
        article_3=rules.obligation_on(3, eif, facts, as_of),
        article_4=rules.obligation_on(4, eif, facts, as_of),
    )


def clocks(as_of: dt.date, states=None) -> list[StateClock]:
    """Clocks for all States (or the given queryset), in two queries."""
    qs = (states if states is not None else State.objects.all()).for_clock()
    return [clock(s, as_of) for s in qs]


def membership(as_of: dt.date) -> rules.Membership:
    """States Parties, Signatories and in-force counts on a date, by region (one query)."""
    rows = State.objects.only(
        "region", "signature_date", "deposit_date", "withdrawal_notified_date", "withdrawal_armed_conflict_ended"
    )
    return rules.membership(((s.region, s.treaty_dates) for s in rows), as_of)


@dataclass(frozen=True)
class StateDeadline:
    state: State
    deadline: rules.Deadline

    @property
    def date(self) -> dt.date:
        return self.deadline.date


def meetings_with_opening() -> list[tuple[str, dt.date]]:
    return list(Meeting.objects.exclude(opens=None).values_list("code", "opens"))


def deadlines(
    start: dt.date,
    end: dt.date,
    *,
    article: int | None = None,
    iso3: str | None = None,
    kinds: set[rules.DeadlineKind] | None = None,
) -> list[StateDeadline]:
    """Every deadline from `start` to `end` (both included), in date order.
    Obligations are taken as they stand on `start`. Three queries."""
    qs = State.objects.all()
    if iso3:
        qs = qs.filter(iso3=iso3.upper())
    meetings = meetings_with_opening()
    out: list[StateDeadline] = []
    for c in clocks(start, qs):
        for d in rules.state_deadlines(c.state.treaty_dates, c.obligations, start, end, meetings):
            if article is not None and d.article != article:
                continue
            if kinds is not None and d.kind not in kinds:
                continue
            out.append(StateDeadline(c.state, d))
    out.sort(key=lambda sd: (sd.date, sd.deadline.article, sd.state.name))
    return out
