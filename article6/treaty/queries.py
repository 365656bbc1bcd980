"""The Convention's clock applied to stored States: the queries pages, the API
and the CLI share. Each function runs a fixed number of SQL queries, whatever
the number of States."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q

from article6.states.models import Region, State
from article6.treaty import rules
from article6.treaty.models import FormerUse, Meeting


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
                "last_fact_date": iso(o.last_fact_date),
            }

        s = self.state
        return {
            "iso3": s.iso3,
            "name": s.name,
            "region": s.region,
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
    """Clocks for all States (or the given queryset), in three queries (States, their facts, the facts' meetings)."""
    qs = (states if states is not None else State.objects.all()).for_clock()
    return [clock(s, as_of) for s in qs]


# Every State's clock on a day is what the home page, the States list and the deadlines
# compute first, and the same for every reader (public data). Kept per process and day:
# forgotten at once in the process where a State, an obligation fact or a meeting is saved
# or deleted (forget_clocks, connected in treaty.apps), and after a minute in the others.
CLOCKS_CACHE_SECONDS = 60
_generation = [0]


def forget_clocks(**_signal) -> None:
    _generation[0] += 1


# The clocks themselves stay in this process's memory: unpickling 125 States from the cache
# would cost a good part of what computing them does. The cache holds a ticket to them, so
# that they expire, and are forgotten when the cache is cleared, as the cache's own entries.
_kept: dict[str, object] = {}


def _cached(name: str, as_of: dt.date | None, compute):
    import uuid

    from django.core.cache import cache

    key = f"article6:treaty:{name}:{_generation[0]}:{as_of.isoformat() if as_of else ''}"
    ticket = cache.get(key)
    found = _kept.get(ticket) if ticket else None
    if found is None:
        found = compute()
        if len(_kept) >= 64:  # a few dozen days at most; most requests ask for today
            _kept.clear()
        ticket = uuid.uuid4().hex
        _kept[ticket] = found
        cache.set(key, ticket, CLOCKS_CACHE_SECONDS)
    return found


def all_clocks(as_of: dt.date) -> list[StateClock]:
    """Every State's clock on `as_of`, by name: three queries, none when kept (see above)."""
    return _cached("clocks", as_of, lambda: clocks(as_of))


def membership(as_of: dt.date) -> rules.Membership:
    """States Parties, Signatories and in-force counts on a date, by region (one query)."""
    rows = State.objects.only(
        "region", "signature_date", "deposit_date", "withdrawal_notified_date", "withdrawal_armed_conflict_ended"
    )
    return rules.membership(((s.region, s.treaty_dates) for s in rows), as_of)


def membership_json(as_of: dt.date, *, by_region: bool = False) -> dict:
    """The membership figures in the shape scripts rely on (`article6 membership
    --json`, the API): totals, and with `by_region` the same three counts for
    every region, in the order of `Region`. One query."""
    figures = membership(as_of)

    def counts(c: rules.RegionCount | rules.Membership) -> dict:
        return {"states_parties": c.states_parties, "signatories": c.signatories, "in_force": c.in_force}

    out = {"as_of": as_of.isoformat(), **counts(figures)}
    if by_region:
        regions = list(Region.values) + sorted(set(figures.by_region) - set(Region.values))
        out["by_region"] = {r: counts(figures.by_region.get(r, rules.RegionCount())) for r in regions}
    return out


@dataclass(frozen=True)
class StateDeadline:
    state: State
    deadline: rules.Deadline

    @property
    def date(self) -> dt.date:
        return self.deadline.date


# Three letters, any case: anything else is no State's code and is not sent to
# the database (PostgreSQL refuses a NUL character in a query parameter).
ISO3_CODE = re.compile(r"[A-Za-z]{3}", re.ASCII)


def state_exists(iso3: str) -> bool:
    """Whether a State has this ISO3 code (any case). One query, none for what is not a code."""
    code = iso3.strip()
    return bool(ISO3_CODE.fullmatch(code)) and State.objects.filter(iso3=code.upper()).exists()


def meetings_with_opening() -> list[tuple[str, dt.date]]:
    return _cached("meetings", None, lambda: list(Meeting.objects.exclude(opens=None).values_list("code", "opens")))


@dataclass(frozen=True)
class PassedDeadline:
    """An Art. 3 or Art. 4 deadline that had passed with no completion declared."""

    state: State
    obligation: rules.Obligation

    @property
    def date(self) -> dt.date | None:
        return self.obligation.deadline


def _deadline_clocks(start: dt.date, iso3: str | None, known_on: dt.date | None) -> list[StateClock]:
    found = all_clocks(start)
    if iso3:
        found = [c for c in found if c.state.iso3 == iso3.upper()]
    if known_on is not None:
        found = [c for c in found if c.state.deposit_date is not None and c.state.deposit_date <= known_on]
    return found


def _in_period(
    found: list[StateClock],
    start: dt.date,
    end: dt.date,
    article: int | None,
    kinds: set[rules.DeadlineKind] | None,
) -> list[StateDeadline]:
    meetings = meetings_with_opening()
    out: list[StateDeadline] = []
    for c in found:
        for d in rules.state_deadlines(c.state.treaty_dates, c.obligations, start, end, meetings):
            if article is not None and d.article != article:
                continue
            if kinds is not None and d.kind not in kinds:
                continue
            out.append(StateDeadline(c.state, d))
    out.sort(key=lambda sd: (sd.date, sd.deadline.article, sd.state.name))
    return out


def _passed(found: list[StateClock], article: int | None) -> list[PassedDeadline]:
    out = [
        PassedDeadline(c.state, o)
        for c in found
        for o in c.obligations
        if o.passed and (article is None or o.article == article)
    ]
    out.sort(key=lambda p: (p.date, p.obligation.article, folded(p.state.name)))
    return out


def deadlines(
    start: dt.date,
    end: dt.date,
    *,
    article: int | None = None,
    iso3: str | None = None,
    kinds: set[rules.DeadlineKind] | None = None,
    known_on: dt.date | None = None,
) -> list[StateDeadline]:
    """Every deadline from `start` to `end` (both included), in date order.
    Obligations are taken as they stand on `start`. With `known_on`, only the
    States that had deposited their instrument by that day (a page "as of" a
    past date does not show deadlines of States that joined later). Four queries."""
    return _in_period(_deadline_clocks(start, iso3, known_on), start, end, article, kinds)


def deadlines_with_passed(
    start: dt.date,
    end: dt.date,
    *,
    article: int | None = None,
    iso3: str | None = None,
    known_on: dt.date | None = None,
) -> tuple[list[StateDeadline], list[PassedDeadline]]:
    """The deadlines from `start` to `end` as `deadlines` gives them, and the Art. 3
    and Art. 4 deadlines that had passed by `start` with no completion declared
    (overdue, or with no information since), oldest first. Four queries."""
    found = _deadline_clocks(start, iso3, known_on)
    passed = _passed(found, article) if article in (None, 3, 4) else []
    return _in_period(found, start, end, article, None), passed


# --- Pages: the States list, a State's profile, deadlines grouped for reading ---------------

STATE_SORTS = ("name", "region", "deposit", "eif")


def folded(text: str) -> str:
    """Lower case without accents, so that "cote" finds "Côte d'Ivoire" and
    names sort as people expect. No query."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _sort_value(c: StateClock, key: str):
    if key == "region":
        return c.state.region
    if key == "deposit":
        return c.state.deposit_date
    if key == "eif":
        return c.entry_into_force
    return folded(c.state.name)


def search_states(
    as_of: dt.date,
    *,
    status: rules.Status | None = None,
    region: str | None = None,
    q: str | None = None,
    sort: str = "name",
    art3: rules.ObligationFilter | None = None,
    art4: rules.ObligationFilter | None = None,
    months: int = rules.DUE_SOON_MONTHS,
) -> tuple[list[StateClock], dict[rules.Status, int]]:
    """The States matching a region, a search text (name, accents and case
    ignored, or ISO3 code) and what is asked of their Art. 3 and Art. 4
    obligations (`art3`, `art4`; "due" means within `months`), with their status
    on `as_of`; then only those of `status`, sorted by `sort` (one of
    STATE_SORTS, "-" in front for descending; States without the date sort last
    either way, ties by name).

    Returns the States and how many of each status matched before the status
    filter, so a page can offer them as choices. Three queries."""
    found = all_clocks(as_of)
    if region:
        found = [c for c in found if c.state.region == region]
    text = folded((q or "").strip())
    if text:
        found = [c for c in found if text in folded(c.state.name) or text == c.state.iso3.casefold()]
    if art3 is not None:
        found = [c for c in found if rules.obligation_matches(c.article_3, art3, months)]
    if art4 is not None:
        found = [c for c in found if rules.obligation_matches(c.article_4, art4, months)]
    counts = dict.fromkeys(rules.Status, 0)
    for c in found:
        counts[c.status] += 1
    if status is not None:
        found = [c for c in found if c.status is status]

    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in STATE_SORTS:
        raise ValueError(f"Unknown sort {sort!r}; one of {', '.join(STATE_SORTS)}")
    found.sort(key=lambda c: folded(c.state.name))
    dated = [c for c in found if _sort_value(c, key) is not None]
    undated = [c for c in found if _sort_value(c, key) is None]
    dated.sort(key=lambda c: _sort_value(c, key), reverse=descending)  # stable: ties stay by name
    return dated + undated, counts


@dataclass(frozen=True)
class StateProfile:
    """One State on `clock.as_of`, with its deadlines up to `until`."""

    clock: StateClock
    until: dt.date
    upcoming: list[rules.Deadline]
    meetings: dict[str, Meeting]  # by code, for the obligation facts

    @property
    def state(self) -> State:
        return self.clock.state

    def extensions(self, article: int) -> list[rules.ObligationFact]:
        """The extensions granted for an article, in the order decided, including
        any decided after `as_of` (a page marks those)."""
        obligation = self.clock.article_3 if article == 3 else self.clock.article_4
        return [f for f in obligation.facts if f.kind is rules.FactKind.EXTENSION_GRANTED]

    @property
    def extensions_3(self) -> list[rules.ObligationFact]:
        return self.extensions(3)

    @property
    def extensions_4(self) -> list[rules.ObligationFact]:
        return self.extensions(4)

    @property
    def timeline(self) -> list[tuple[str, dt.date | None]]:
        """The State's treaty events in order, (event, day): signature, deposit,
        entry into force, withdrawal notified and effective. Steps not (yet)
        reached have no day and come last; a withdrawal only once notified."""
        s, c = self.state, self.clock
        events = [
            ("signature", s.signature_date),
            ("deposit", s.deposit_date),
            ("entry_into_force", c.entry_into_force),
        ]
        if s.withdrawal_notified_date:
            events += [
                ("withdrawal_notified", s.withdrawal_notified_date),
                ("withdrawal_effective", c.withdrawal_effective),
            ]
        if s.deposit_date and not s.signature_date:
            events = events[1:]  # accession without signature (Art. 16(2))
        dated = sorted((e for e in events if e[1] is not None), key=lambda e: e[1])
        return dated + [e for e in events if e[1] is None]


def state_profile(iso3: str, as_of: dt.date, months: int = 24) -> StateProfile | None:
    """A State by ISO3 code (any case) as of a date, with every deadline from
    `as_of` to `months` later if it had deposited its instrument by then; None
    when no State has that code (no query when it is not three letters). Four queries."""
    code = iso3.strip()
    if not ISO3_CODE.fullmatch(code):
        return None
    state = State.objects.filter(iso3=code.upper()).for_clock().first()
    if state is None:
        return None
    meetings = {m.code: m for m in Meeting.objects.all()}
    openings = [(m.code, m.opens) for m in meetings.values() if m.opens is not None]
    c = clock(state, as_of)
    until = rules.add_months(as_of, months)
    upcoming = []
    if state.deposit_date is not None and state.deposit_date <= as_of:  # as in deadlines(known_on=as_of)
        upcoming = rules.state_deadlines(state.treaty_dates, c.obligations, as_of, until, openings)
    return StateProfile(clock=c, until=until, upcoming=upcoming, meetings=meetings)


@dataclass(frozen=True)
class AnnualReportsDue:
    """The annual reports (Art. 7(2)) of several States, all due the same 30 April."""

    date: dt.date
    covered_year: int | None
    states: tuple[State, ...]
    is_group = True
    kind = rules.DeadlineKind.ANNUAL_REPORT
    article = 7

    @property
    def count(self) -> int:
        return len(self.states)


def group_annual_reports(items: list[StateDeadline]) -> list[StateDeadline | AnnualReportsDue]:
    """The same deadlines, with the annual reports due on one day collapsed into
    one row in the place of the first of them. No query."""
    out: list = []
    groups: dict[dt.date, tuple[int, list[State], int | None]] = {}
    for item in items:
        d = item.deadline
        if d.kind is not rules.DeadlineKind.ANNUAL_REPORT:
            out.append(item)
            continue
        if d.date not in groups:
            groups[d.date] = (len(out), [], d.covered_year)
            out.append(None)
        groups[d.date][1].append(item.state)
    for day, (index, states, year) in groups.items():
        out[index] = AnnualReportsDue(date=day, covered_year=year, states=tuple(states))
    return out


def by_month(items: list) -> list[tuple[dt.date, list]]:
    """Items with a `date`, already in date order, as (first day of the month, items). No query."""
    months: list[tuple[dt.date, list]] = []
    for item in items:
        month = item.date.replace(day=1)
        if not months or months[-1][0] != month:
            months.append((month, []))
        months[-1][1].append(item)
    return months


# --- Art. 4(4): where a State used cluster munitions before the Convention bound it ------------


def former_users_in(state_ids=None) -> dict[int, frozenset[int]]:
    """For each State where cluster munitions were used (its id), the ids of the States
    recorded as having used them there (Art. 4(4)); for the States of `state_ids` only,
    or all when None. One query (none for an empty `state_ids`)."""
    rows = FormerUse.objects.all()
    if state_ids is not None:
        state_ids = list(state_ids)
        if not state_ids:
            return {}
        rows = rows.filter(used_in__in=state_ids)
    found: dict[int, set[int]] = {}
    for used_in, used_by in rows.order_by().values_list("used_in_id", "used_by_id"):
        found.setdefault(used_in, set()).add(used_by)
    return {used_in: frozenset(users) for used_in, users in found.items()}


@dataclass(frozen=True)
class FormerUseOf:
    """A State's Art. 4(4) records: `by`, the States recorded as having used cluster
    munitions in it; `in_`, the States it is recorded as having used them in. Each list
    in the order of the other State's name."""

    by: list[FormerUse]
    in_: list[FormerUse]

    def __bool__(self) -> bool:
        return bool(self.by or self.in_)

    def as_json(self) -> dict:
        """The shape of the API's `former_use` (api/treaty.py)."""

        def row(record: FormerUse, other: State) -> dict:
            return {
                "state": other.iso3,
                "state_name": other.name,
                "period": record.period,
                "source": record.source,
                "source_url": record.source_url,
                "is_sample": record.is_sample,
            }

        return {"by": [row(r, r.used_by) for r in self.by], "in": [row(r, r.used_in) for r in self.in_]}


def former_use_of(state: State) -> FormerUseOf:
    """The Art. 4(4) records that name `state`, on either side. One query."""
    rows = list(
        FormerUse.objects.filter(Q(used_in=state) | Q(used_by=state)).select_related("used_by", "used_in").order_by()
    )
    by = sorted((r for r in rows if r.used_in_id == state.pk), key=lambda r: folded(r.used_by.name))
    in_ = sorted((r for r in rows if r.used_by_id == state.pk), key=lambda r: folded(r.used_in.name))
    return FormerUseOf(by=by, in_=in_)
