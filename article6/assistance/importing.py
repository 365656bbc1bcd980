"""Importing aid data into commitments and their amounts, and exporting them as IATI.

IATI activity files (:func:`import_iati`), the OECD CRS CSV (:func:`import_crs`) and the
exchange-rate table (:func:`import_rates`): each file is read in full and checked, then
written in one transaction, all or nothing. An unreadable file raises
:class:`ImportRejected` naming the file, line and reason; otherwise the
:class:`ImportReport` lists what was skipped and why. :func:`export_commitments` writes
commitments as IATI 2.03. The mapping, field by field: ``docs/assistance/imports.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from functools import reduce
from operator import or_
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Prefetch, Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from article6.assistance import queries
from article6.assistance.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Channel,
    Commitment,
    CommitmentPillar,
    ExchangeRate,
    Flow,
    FlowKind,
)
from article6.importing import MAX_IMPORT_BYTES, ImportErrors
from article6.interchange.codelists import currencies
from article6.interchange.crs import DEFAULT_PURPOSE_CODES, CrsError, CrsRow, iter_crs_rows
from article6.interchange.iati import (
    DEFAULT_SECTORS,
    Activity,
    ActivityDates,
    Budget,
    IatiError,
    Org,
    ParticipatingOrg,
    RecipientCountry,
    Sector,
    Transaction,
    export_activities,
    parse_file,
)
from article6.interchange.iati_write import activity_element
from article6.states.models import Organisation, OrganisationKind, State
from article6.treaty.models import Pillar

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
#: The largest amount a Flow holds (18 digits, 2 of them decimals).
MAX_AMOUNT = Decimal(10) ** 16

#: The Convention pillar of each DAC purpose code the imports know.
PURPOSE_PILLARS = {"15250": Pillar.CLEARANCE}
#: The DAC purpose codes that are mine action: those with a pillar. Only their part of an amount
#: counts; an import asked for other codes (``sectors``, ``purpose_codes``) counts those instead.
MINE_ACTION_SECTORS = frozenset(PURPOSE_PILLARS)

#: IATI transaction kinds (model.TRANSACTION_KINDS values) that are the provider's assistance.
TRANSACTION_FLOWS = {
    "commitment": FlowKind.COMMITTED,
    "disbursement": FlowKind.DISBURSED,
    "expenditure": FlowKind.EXPENDED,
    "outgoing_pledge": FlowKind.PLEDGED,
}

#: A progress callback: (done, total or None, unit) with unit "bytes", "activities" or "commitments".
Progress = Callable[[int, int | None, str], None]


# --- Reports and errors ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """Something an import skipped or could not do: where (line, activity or CRS key) and why."""

    reason: str
    line: int | None = None
    activity: str | None = None

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line else "", f"activity {self.activity}" if self.activity else ""]
        place = ", ".join(part for part in where if part)
        return f"{place}: {self.reason}" if place else self.reason


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.deleted} deleted" if self.deleted else text


@dataclass
class ImportReport:
    """What an import did. ``created``, ``updated`` and ``unchanged`` count commitments (a
    commitment whose amounts changed counts as updated); ``skipped`` lists what was left
    out on purpose (a recipient outside the registry), ``problems`` what could not be
    imported (an invalid activity in non-strict mode, a transaction in another currency)."""

    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[ImportProblem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    flows: Tally = field(default_factory=Tally)
    notes: list[str] = field(default_factory=list)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    @property
    def imported_nothing(self) -> bool:
        """Problems, and not one commitment imported (created, updated or found unchanged)."""
        return bool(self.problems) and not (self.created or self.updated or self.unchanged)

    def summary(self) -> str:
        return (
            f"{self.file}: commitments {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped_count} skipped; amounts {self.flows}; "
            f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        )


class ImportRejected(Exception):
    """A file refused whole: nothing was written. ``problems`` say where and why."""

    def __init__(self, file: str, problems: list[ImportProblem], what: str = "nothing was imported") -> None:
        self.file = file
        self.problems = problems
        self.what = what
        lines = [f"{file}: {what}:"] + [f"  {file}: {problem}" for problem in problems]
        super().__init__("\n".join(lines))


# --- Reading with a progress report -----------------------------------------------------------


def source_name(source) -> str:
    """The file name of a source, for messages and the audit trail."""
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) else "<data>"


class _CountingReader:
    """A binary file that reports how much of it has been read."""

    def __init__(self, handle: IO[bytes], total: int | None, progress: Progress) -> None:
        self.handle, self.total, self.progress, self.done = handle, total, progress, 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.done += len(data)
        self.progress(self.done, self.total, "bytes")
        return data


def _with_progress(source, progress: Progress | None):
    """(source to read, file to close afterwards or None)."""
    if progress is None:
        return source, None
    if isinstance(source, bytes | bytearray):
        return _CountingReader(io.BytesIO(source), len(source), progress), None
    if isinstance(source, str | os.PathLike):
        try:
            handle = open(source, "rb")  # noqa: SIM115 (closed by the caller)
            total = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            raise ImportRejected(source_name(source), [ImportProblem(f"the file cannot be read: {exc}")]) from None
        return _CountingReader(handle, total, progress), handle
    try:  # a file object that can seek says how long it is
        total = source.seek(0, os.SEEK_END)
        source.seek(0)
    except (AttributeError, OSError, ValueError):
        total = None
    return _CountingReader(source, total, progress), None


# --- What to write: plans ----------------------------------------------------------------------


@dataclass
class _Plan:
    """A commitment as the file has it: its fields, pillar shares and amounts by source_key."""

    source: str
    family: str  # the activity or CRS key: earlier commitments of the same family may be reused
    label: str
    line: int | None
    fields: dict[str, object]
    shares: dict[str, Decimal]
    flows: dict[str, dict[str, object]] = field(default_factory=dict)


class _Registry:
    """The States and organisations, read once."""

    def __init__(self) -> None:
        self.states = {s.iso2.upper(): s for s in State.objects.only("id", "iso2", "iso3", "name")}
        self.states_by_name = {s.name.casefold(): s for s in self.states.values()}
        self.organisations: dict[str, Organisation] = {}
        for org in Organisation.objects.only("id", "name", "acronym", "kind"):
            self.organisations.setdefault(org.name.casefold(), org)
            if org.acronym:
                self.organisations.setdefault(org.acronym.casefold(), org)

    def organisation(self, *names: str | None) -> Organisation | None:
        for name in names:
            if name and name.strip().casefold() in self.organisations:
                return self.organisations[name.strip().casefold()]
        return None


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _clip(text: str | None, length: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def _key(*parts: object) -> str:
    """A source_key (at most 200 characters: a long one keeps its start and a digest)."""
    key = ":".join(str(part) for part in parts)
    if len(key) <= 200:
        return key
    import hashlib

    return key[:150] + "#" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _shares(codes: dict[str, Decimal | None]) -> dict[str, Decimal]:
    """Pillar shares (adding up to 100) from DAC purpose codes and their percentages."""
    weights: dict[str, Decimal] = defaultdict(Decimal)
    for code, percentage in codes.items():
        pillar = PURPOSE_PILLARS.get(code)
        if pillar is not None:
            weights[str(pillar)] += percentage if percentage is not None else Decimal(1)
    total = sum(weights.values(), Decimal(0))
    if total <= 0:
        return {}
    shares = {pillar: _money(weight * HUNDRED / total) for pillar, weight in weights.items()}
    last = sorted(shares)[-1]
    shares[last] += HUNDRED - sum(shares.values())
    return shares


@dataclass(frozen=True)
class SectorSplit:
    """The mine-action part of an amount, by the DAC sectors of its activity or transaction:
    ``percent`` of it counts (0 to 100); ``outside`` are the other DAC purpose codes."""

    percent: Decimal
    outside: tuple[str, ...] = ()

    def parts(self, value: Decimal) -> tuple[Decimal, Decimal]:
        """(the mine-action part, the rest) of ``value``, unrounded: they add up to ``value``."""
        with localcontext() as context:
            context.prec = 60
            counted = value * self.percent / HUNDRED
            return counted, value - counted


#: An amount wholly in mine action (an OECD CRS row of a mine-action purpose code).
ALL_MINE_ACTION = SectorSplit(HUNDRED)


def sector_split(
    sectors: Iterable[Sector], counted: frozenset[str] = MINE_ACTION_SECTORS
) -> tuple[SectorSplit | None, str | None]:
    """(the split, a problem or None) by the DAC 5-digit sectors (vocabulary 1) of an activity
    or transaction, ``counted`` being the mine-action codes; (None, None) when there is none.

    IATI: the percentages of one vocabulary add up to 100, and a single sector may leave its
    percentage out (100). Sectors without one share what the others leave. Percentages that
    do not add up to 100 are used as they are, never rebased: the part counted is the value
    times the mine-action percentages / 100, so that the import never counts money the file
    does not give to mine action, and the sum is reported."""
    given: dict[str, Decimal] = defaultdict(Decimal)
    missing: list[str] = []
    for sector in sectors:
        if sector.vocabulary != "1":
            continue
        if sector.percentage is None:
            if sector.code not in missing and sector.code not in given:
                missing.append(sector.code)
        else:
            given[sector.code] += sector.percentage
    missing = [code for code in missing if code not in given]
    if not given and not missing:
        return None, None
    with localcontext() as context:
        context.prec = 60
        total_given = sum(given.values(), Decimal(0))
        rest = max(HUNDRED - total_given, Decimal(0)) / len(missing) if missing else Decimal(0)
        percentages = {**given, **dict.fromkeys(missing, rest)}
        total = max(total_given, HUNDRED) if missing else total_given  # the shares of the rest make 100
        mine = sum((p for code, p in percentages.items() if code in counted), Decimal(0))
    problem = None
    if total != HUNDRED:
        problem = (
            f"the DAC sector percentages add up to {_plain(total)}, not 100 (IATI: they must add up to 100): "
            f"only the {_plain(_money(mine))}% given to mine action is counted, nothing is rebased"
        )
    elif len(percentages) > 1 and missing:
        problem = (
            f"{len(missing)} of {len(percentages)} DAC sectors have no percentage (IATI: several sectors "
            "must each have one): they share what the others leave equally"
        )
    outside = tuple(sorted(code for code, p in percentages.items() if code not in counted and p > 0))
    return SectorSplit(min(max(mine, Decimal(0)), HUNDRED), outside), problem


@dataclass(frozen=True)
class OutsideMineAction:
    """What a commitment's imported amounts leave out, as outside mine action: the total by
    kind of amount (in the order of the kinds, none that is 0) and the DAC sectors it is in."""

    amounts: dict[str, Decimal]
    sectors: list[str]


def outside_mine_action(flows: Iterable[Flow]) -> OutsideMineAction | None:
    """The part of a commitment's reported amounts outside mine action (None: there is none)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    sectors: set[str] = set()
    for flow in flows:
        if flow.outside_mine_action:
            totals[flow.kind] += flow.outside_mine_action
            sectors.update(flow.outside_sectors.split())
    amounts = {kind: totals[kind] for kind in FlowKind.values if totals.get(kind)}
    return OutsideMineAction(amounts, sorted(sectors)) if amounts else None


# --- IATI ---------------------------------------------------------------------------------------

_GOVERNMENT_REF = re.compile(r"(?P<iso2>[A-Z]{2})-(?:1(?:-.*)?|GOV-.*)")
_COUNTRY_PREFIX = re.compile(r"(?P<iso2>[A-Z]{2})(?:-.*)?")
_DAC_CHANNEL = re.compile(r"\d{5}")
UN_ACRONYMS = frozenset(
    {"UNDP", "UNICEF", "UNMAS", "UNOPS", "UNHCR", "UNFPA", "UNESCO", "UNODA", "UNIDIR", "WFP", "WHO", "FAO", "OCHA"}
)
ORGANISATION_TYPE_CHANNELS = {
    **dict.fromkeys(("10", "11", "15"), Channel.BILATERAL),
    **dict.fromkeys(("21", "22", "23", "24", "60"), Channel.NGO),
    **dict.fromkeys(("30", "70", "71", "72", "73", "80"), Channel.NATIONAL),
}
ORGANISATION_KIND_CHANNELS = {
    OrganisationKind.UN_AGENCY: Channel.UN,
    OrganisationKind.ICRC: Channel.INTERNATIONAL,
    OrganisationKind.CMC: Channel.NGO,
    OrganisationKind.NGO: Channel.NGO,
    OrganisationKind.REGIONAL: Channel.REGIONAL,
    OrganisationKind.OTHER: Channel.INTERNATIONAL,
}


def _is_un(ref: str | None, name: str | None) -> bool:
    if ref and ref.upper().startswith(("XM-DAC-41", "41")):
        return True
    words = set(re.findall(r"[A-Za-z]+", name or ""))
    return "united nations" in (name or "").casefold() or bool(words & UN_ACRONYMS)


def _is_trust_fund(name: str | None) -> bool:
    """A trust fund says so in its name (Art. 6(9)): no IATI OrganisationType or DAC
    channel code marks one, so its name is the only sign a file gives."""
    return "trust fund" in " ".join((name or "").casefold().split())


def _dac_channel(code: str) -> str:
    """The channel of an OECD DAC channel code (5 digits): the code's family."""
    if code.startswith("1"):
        return Channel.BILATERAL
    if code.startswith("2"):
        return Channel.NGO
    if code.startswith("41"):
        return Channel.UN
    if code.startswith(("42", "46")):
        return Channel.REGIONAL
    if code.startswith("4"):
        return Channel.INTERNATIONAL
    if code.startswith(("3", "5", "6")):
        return Channel.NATIONAL
    return Channel.BILATERAL


def _channel(org: ParticipatingOrg | None, registry: _Registry) -> str:
    if org is None:
        return Channel.BILATERAL
    if _is_trust_fund(org.name):
        return Channel.TRUST_FUND
    registered = registry.organisation(org.name, org.ref)
    if registered is not None:
        return ORGANISATION_KIND_CHANNELS.get(registered.kind, Channel.INTERNATIONAL)
    if org.type in ORGANISATION_TYPE_CHANNELS:
        return ORGANISATION_TYPE_CHANNELS[org.type]
    if org.type == "40":
        return Channel.UN if _is_un(org.ref, org.name) else Channel.INTERNATIONAL
    if org.type is None and org.ref and _DAC_CHANNEL.fullmatch(org.ref):
        return _dac_channel(org.ref)
    return Channel.BILATERAL


def _provider(org: Org | None, registry: _Registry) -> dict[str, object]:
    """provider_state_id / provider_organisation_id / provider_name of a reporting-org."""
    ref = (org.ref or "").strip().upper() if org else ""
    name = (org.name or org.ref or "") if org else ""
    state = None
    government = _GOVERNMENT_REF.fullmatch(ref)
    if government is None and org is not None and org.type == "10":
        government = _COUNTRY_PREFIX.fullmatch(ref)
    if government and not government["iso2"].startswith("X"):  # XM-, XI-: registration agencies, not countries
        state = registry.states.get(government["iso2"])
    organisation = None if state else registry.organisation(org.name if org else None, org.ref if org else None)
    return {
        "provider_state_id": state.pk if state else None,
        "provider_organisation_id": organisation.pk if organisation else None,
        "provider_name": _clip(name, 300),
    }


def _implementing(activity: Activity) -> tuple[ParticipatingOrg | None, str]:
    """The implementing organisation and the implementing partner's name."""
    implementing = [p for p in activity.participating_orgs if p.role == "4"]
    if not implementing:
        return None, ""
    first = implementing[0]
    names = [p.name or p.ref or "" for p in implementing]
    if len(implementing) == 1 and first.ref and _DAC_CHANNEL.fullmatch(first.ref):
        receivers = {
            t.receiver_org.name.strip()
            for t in activity.transactions
            if t.kind in ("disbursement", "expenditure") and t.receiver_org and t.receiver_org.name
        }
        if len(receivers) == 1:
            names = [receivers.pop()]
    return first, _clip("; ".join(n for n in names if n), 300)


def _split(value: Decimal, percentages: list[Decimal]) -> list[Decimal]:
    """``value`` split by percentages; when they add up to 100 the last part takes the remainder."""
    parts = [_money(value * p / HUNDRED) for p in percentages]
    if parts and sum(percentages) == HUNDRED:
        parts[-1] = _money(value) - sum(parts[:-1])
    return parts


def _merged_countries(countries: list[RecipientCountry]) -> list[RecipientCountry]:
    """The recipient countries, each once (a country named twice adds up its percentages)."""
    merged: dict[str, RecipientCountry] = {}
    for country in countries:
        earlier = merged.get(country.code)
        if earlier is None:
            merged[country.code] = country
        elif earlier.percentage is not None and country.percentage is not None:
            merged[country.code] = RecipientCountry(country.code, earlier.percentage + country.percentage)
    return list(merged.values())


def _country_percentages(countries: list[RecipientCountry]) -> list[Decimal]:
    if len(countries) == 1:
        return [countries[0].percentage if countries[0].percentage is not None else HUNDRED]
    given = [c.percentage for c in countries if c.percentage is not None]
    missing = len(countries) - len(given)
    rest = max(HUNDRED - sum(given, Decimal(0)), Decimal(0)) / missing if missing else Decimal(0)
    return [c.percentage if c.percentage is not None else rest for c in countries]


def _activity_currency(activity: Activity) -> str | None:
    if activity.default_currency:
        return activity.default_currency
    for item in (*activity.transactions, *activity.budgets):
        if item.currency:
            return item.currency
    return None


def _current_budgets(budgets: list[Budget]) -> list[Budget]:
    """The budgets, without the original ones that a revised budget of the same period replaces."""
    revised = {(b.period_start, b.period_end) for b in budgets if b.type == "2"}
    return [b for b in budgets if not (b.type == "1" and (b.period_start, b.period_end) in revised)]


def _plain(value: Decimal) -> str:
    """A value as a key part: 2750000 whether the file writes 2750000 or 2750000.00."""
    return format(value.normalize(), "f") if value else "0"


class _IatiMapper:
    def __init__(self, registry: _Registry, report: ImportReport, counted: frozenset[str]) -> None:
        self.registry = registry
        self.report = report
        self.counted = counted  # the DAC purpose codes whose part of an amount counts

    def plans(self, activity: Activity) -> list[_Plan]:
        report, identifier = self.report, activity.iati_identifier
        where = {"line": activity.source_line, "activity": identifier}
        if not activity.recipient_countries:
            report.skipped.append(ImportProblem("the activity names no recipient country: not imported", **where))
            return []
        currency = _activity_currency(activity)
        if currency is None:
            reason = "the activity has no currency (default-currency): not imported"
            report.problems.append(ImportProblem(reason, **where))
            return []
        implementing, partner = _implementing(activity)
        common = {
            **_provider(activity.reporting_org, self.registry),
            "title": _clip(activity.title or identifier, 300),
            "description": (activity.description or "").strip(),
            "channel": _channel(implementing, self.registry),
            "implementing_partner": partner,
            "currency": currency,
        }
        splits = self._splits(activity)
        if splits is None:
            reason = (
                f"the activity has no mine-action sector (DAC {', '.join(sorted(self.counted))}) "
                "with a share of its value: not imported"
            )
            report.skipped.append(ImportProblem(reason, **where))
            return []
        sectors = activity.sectors or [s for t in activity.transactions for s in t.sectors]
        shares = _shares({s.code: s.percentage for s in sectors if s.vocabulary == "1"})
        countries = _merged_countries(activity.recipient_countries)
        several = len(countries) > 1
        plans: list[tuple[_Plan, int]] = []  # (plan, position of its country)
        for index, country in enumerate(countries):
            state = self.registry.states.get(country.code)
            if state is None:
                report.skipped.append(
                    ImportProblem(
                        f"recipient {country.code} is not a State in the registry (the States that signed "
                        "or joined the Convention): not imported",
                        **where,
                    )
                )
                continue
            source = f"iati:{identifier}:{state.iso3}" if several else f"iati:{identifier}"
            fields = {**common, "recipient_id": state.pk}
            plans.append((_Plan(source, identifier, identifier, activity.source_line, fields, shares), index))
        if not plans:
            return []
        activity_split, own, problems = splits
        report.problems += problems
        # Each amount is split once for all countries, so that the parts add up to the whole;
        # only its mine-action part is counted (rounded once), the rest is kept beside it.
        percentages = _country_percentages(countries)
        amounts = self._amounts(activity, currency, activity_split, own)
        for amount_key, kind, year, day, value, description, split in amounts:
            counted, _rest = split.parts(value)
            with localcontext() as context:
                context.prec = 60  # at full precision until the one rounding to the cent
                parts = _split(counted, percentages)
                wholes = _split(value, percentages)
            for plan, index in plans:
                outside = wholes[index] - parts[index]
                plan.flows[_key(plan.source, amount_key)] = {
                    "kind": kind,
                    "year": year,
                    "date": day,
                    "amount": parts[index],
                    "outside_mine_action": outside,
                    "outside_sectors": " ".join(split.outside) if outside else "",
                    "description": description,
                }
        return [plan for plan, _index in plans]

    def _splits(
        self, activity: Activity
    ) -> tuple[SectorSplit | None, list[SectorSplit | None], list[ImportProblem]] | None:
        """The mine-action split of the activity's sectors and of each transaction's own sectors
        (which override the activity's for that transaction), with their problems; None
        when no sector of the activity or its transactions gives mine action a share."""
        split, problem = sector_split(activity.sectors, self.counted)
        found = [(split, problem, activity.source_line)]
        own: list[SectorSplit | None] = []
        for t in activity.transactions:
            t_split, t_problem = sector_split(t.sectors, self.counted) if t.kind in TRANSACTION_FLOWS else (None, None)
            own.append(t_split)
            found.append((t_split, f"a {t.kind} transaction: {t_problem}" if t_problem else None, t.line))
        if not any(s is not None and s.percent > 0 for s, _problem, _line in found):
            return None
        identifier = activity.iati_identifier
        problems = [
            ImportProblem(reason, line or activity.source_line, identifier) for _s, reason, line in found if reason
        ]
        return split, own, problems

    def _amounts(
        self, activity: Activity, currency: str, split: SectorSplit | None, own: list[SectorSplit | None]
    ) -> Iterator[tuple]:
        """(key, kind, year, date, value, description, sector split) of the activity's amounts.
        The key is ``t<date>:<value>`` for a transaction, ``b<period start>:<value>`` for a
        budget, with ``:<n>`` for the n-th of identical ones: it does not depend on where the
        amount is in the activity, so inserting, removing or reordering amounts touches only
        those. A transaction's own sectors replace the activity's; a budget has the activity's,
        or, where the sectors are on the transactions, the one split they all share."""
        occurrences: Counter[str] = Counter()

        def key(letter: str, day: dt.date, value: Decimal) -> str:
            base = f"{letter}{day.isoformat()}:{_plain(value)}"
            occurrences[base] += 1
            return base if occurrences[base] == 1 else f"{base}:{occurrences[base]}"

        for t, t_split in zip(activity.transactions, own, strict=True):
            kind = TRANSACTION_FLOWS.get(t.kind)
            if kind is None:
                continue
            day = t.date or t.value_date
            what = f"{t.kind} transaction"
            if self._check(activity, t.line, what, t.currency, currency, t.value, day) and self._known(
                activity, t.line, what, t_split or split
            ):
                yield key("t", day, t.value), kind, day.year, day, t.value, _clip(t.description, 500), t_split or split
        shared = {s for s in own if s is not None}
        budget_split = split or (shared.pop() if len(shared) == 1 else None)
        for b in _current_budgets(activity.budgets):
            day = b.period_start or b.period_end
            if self._check(activity, b.line, "budget", b.currency, currency, b.value, day) and self._known(
                activity, b.line, "budget", budget_split
            ):
                end = f" to {b.period_end.isoformat()}" if b.period_end else ""
                kind_name = {"1": "original", "2": "revised"}.get(b.type or "", "")
                text = f"{kind_name + ' ' if kind_name else ''}budget, {day.isoformat()}{end}"
                yield key("b", day, b.value), FlowKind.BUDGETED, day.year, day, b.value, text, budget_split

    def _known(self, activity, line, what, split: SectorSplit | None) -> bool:
        """Whether the mine-action part of an amount is known; if not, the problem is listed."""
        if split is not None:
            return True
        if what == "budget":
            reason = (
                "a budget of an activity whose sectors are on its transactions, which give mine action "
                "different shares: its mine-action part is not known, not imported"
            )
        else:
            reason = (
                f"a {what} without a DAC sector, in an activity without one: its mine-action part is not "
                "known, not imported"
            )
        where = {"line": line or activity.source_line, "activity": activity.iati_identifier}
        self.report.problems.append(ImportProblem(reason, **where))
        return False

    def _check(self, activity, line, what, currency, expected, value, day) -> bool:
        """Whether an amount can be recorded; if not, the problem is listed."""
        where = {"line": line or activity.source_line, "activity": activity.iati_identifier}
        if currency and currency != expected:
            reason = f"a {what} in {currency}, not in the activity's currency {expected}: not imported"
        elif not currency:
            reason = f"a {what} without a currency: not imported"
        elif day is None:
            reason = f"a {what} without a date: not imported"
        elif not FIRST_YEAR <= day.year <= LAST_YEAR:
            reason = f"a {what} of {day.year}, outside {FIRST_YEAR}-{LAST_YEAR}: not imported"
        elif abs(value) >= MAX_AMOUNT:
            reason = f"a {what} of {value}: too large an amount, not imported"
        else:
            return True
        self.report.problems.append(ImportProblem(reason, **where))
        return False


def _iati_family_q(identifiers: list[str]) -> Q:
    exact = Q(source__in=[f"iati:{i}" for i in identifiers])
    return reduce(or_, (Q(source__startswith=f"iati:{i}:") for i in identifiers), exact)


def _iati_family_of(source: str, families: set[str]) -> str | None:
    rest = source.removeprefix("iati:")
    if rest in families:
        return rest
    head = rest.rpartition(":")[0]
    return head if head in families else None


def import_iati(
    source, *, sectors: Iterable[str] | None = DEFAULT_SECTORS, strict: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import the activities of an IATI file that have one of ``sectors`` (DAC purpose codes):
    of each amount, only the part of those sectors counts (None: every activity, the
    mine-action part counts), the rest is kept as outside mine action.

    Strict: the file is validated against the IATI 2.03 schema and any problem rejects it
    (:class:`ImportRejected`, nothing written). Not strict: the valid activities are
    imported and the invalid ones listed in the report's problems. A file that cannot be
    read (malformed, truncated, declaring entities) is always rejected whole."""
    name = source_name(source)
    sectors = None if sectors is None else frozenset(sectors)
    reader, handle = _with_progress(source, progress)
    try:
        result = parse_file(reader, sectors, strict=strict)
    except IatiError as exc:
        raise ImportRejected(name, [_problem_of(exc)]) from exc
    finally:
        if handle is not None:
            handle.close()
    problems = [ImportProblem(p.reason, p.line, p.activity) for p in result.problems]
    if strict and problems:
        raise ImportRejected(name, problems, "rejected by the IATI 2.03 schema, nothing was imported")
    report = ImportReport(file=name, problems=problems)
    if not result.schema_checked:
        report.notes.append(
            f"IATI {result.version or '1.0x'} file: read without schema validation (the 2.03 schema does not apply)"
        )
    counted = MINE_ACTION_SECTORS if sectors is None else frozenset(sectors)
    mapper = _IatiMapper(_Registry(), report, counted)
    plans = []
    first_line: dict[str, int | None] = {}
    for activity in result.activities:
        identifier = activity.iati_identifier
        if identifier in first_line:
            report.problems.append(
                ImportProblem(
                    f"the iati-identifier is already that of the activity on line {first_line[identifier]}: "
                    "only the first one is imported",
                    activity.source_line,
                    identifier,
                )
            )
            continue
        first_line[identifier] = activity.source_line
        plans += mapper.plans(activity)
    _write(
        plans,
        report,
        reason=f"import-iati {name}",
        family_q=_iati_family_q,
        family_of=_iati_family_of,
        progress=progress,
    )
    return report


def _problem_of(exc: IatiError) -> ImportProblem:
    """An unreadable file's fault: line and activity apart, column and element in the reason."""
    element = "" if not exc.element else exc.element if "@" in exc.element else f"<{exc.element}>"
    parts = [f"column {exc.column}" if exc.column and exc.line else "", element, exc.reason]
    return ImportProblem(": ".join(part for part in parts if part), exc.line, exc.activity)


# --- OECD CRS -----------------------------------------------------------------------------------


def _crs_channel(row: CrsRow, provider: dict[str, object], registry: _Registry) -> str:
    if provider["provider_state_id"]:
        return Channel.BILATERAL
    if _is_trust_fund(row.provider_name):
        return Channel.TRUST_FUND
    organisation = registry.organisation(row.provider_name, row.provider_code)
    if organisation is not None:
        return ORGANISATION_KIND_CHANNELS.get(organisation.kind, Channel.INTERNATIONAL)
    code = row.provider_code.upper()
    if code.startswith("CRS_1UN") or _is_un(None, row.provider_name):
        return Channel.UN
    if code.startswith("CRS_4EU"):
        return Channel.REGIONAL
    return Channel.INTERNATIONAL if code.startswith("CRS_") else Channel.BILATERAL


def _crs_provider(row: CrsRow, registry: _Registry) -> dict[str, object]:
    state = registry.states.get(row.provider_code.upper()) or registry.states_by_name.get(row.provider_name.casefold())
    organisation = None if state else registry.organisation(row.provider_name, row.provider_code)
    return {
        "provider_state_id": state.pk if state else None,
        "provider_organisation_id": organisation.pk if organisation else None,
        "provider_name": _clip(row.provider_name, 300),
    }


def import_crs(
    source, *, purpose_codes: Iterable[str] | None = DEFAULT_PURPOSE_CODES, progress: Progress | None = None
) -> ImportReport:
    """Import the rows of an OECD CRS CSV with one of ``purpose_codes``: one commitment per
    provider, recipient and purpose, a disbursed amount per year (US dollars). A row has one
    purpose code: it counts whole (None: every row is read, those of a purpose code that is not
    mine action are skipped and listed)."""
    name = source_name(source)
    purpose_codes = None if purpose_codes is None else frozenset(purpose_codes)
    try:
        rows = list(iter_crs_rows(source, purpose_codes))
    except CrsError as exc:
        problems = [
            ImportProblem((f"column {error.column}: " if error.column else "") + error.reason, error.line)
            for error in getattr(exc, "errors", [exc])
        ]
        raise ImportRejected(name, problems) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportRejected(name, [ImportProblem(f"the file cannot be read: {exc}")]) from exc
    report = ImportReport(file=name)
    registry = _Registry()
    counted = MINE_ACTION_SECTORS if purpose_codes is None else frozenset(purpose_codes)
    plans: dict[str, _Plan] = {}
    seen: dict[tuple[str, int], int] = {}
    duplicates = []
    for row in rows:
        source_key = f"crs:{row.provider_code}:{row.recipient_iso2}:{row.purpose_code}"
        if (source_key, row.year) in seen:
            duplicates.append(
                ImportProblem(
                    f"the same provider, recipient, purpose code and year ({row.year}) is already on line "
                    f"{seen[source_key, row.year]}",
                    row.line,
                    source_key,
                )
            )
            continue
        seen[source_key, row.year] = row.line
        state = registry.states.get(row.recipient_iso2)
        if state is None:
            report.skipped.append(
                ImportProblem(
                    f"recipient {row.recipient_iso2} ({row.recipient_name}) is not a State in the registry "
                    "(the States that signed or joined the Convention): not imported",
                    row.line,
                    source_key,
                )
            )
            continue
        if not FIRST_YEAR <= row.year <= LAST_YEAR or abs(row.value_usd) >= MAX_AMOUNT:
            report.problems.append(ImportProblem(f"{row.year}: {row.value_usd} USD cannot be recorded", row.line))
            continue
        if row.purpose_code not in counted:  # only when every purpose code is read
            report.skipped.append(
                ImportProblem(
                    f"purpose code {row.purpose_code} ({row.purpose_name}) is not mine action (DAC "
                    f"{', '.join(sorted(counted))}): not imported",
                    row.line,
                    source_key,
                )
            )
            continue
        plan = plans.get(source_key)
        if plan is None:
            provider = _crs_provider(row, registry)
            fields = {
                **provider,
                "recipient_id": state.pk,
                "title": _clip(f"{row.purpose_name} (OECD CRS {row.purpose_code})", 300),
                "description": (
                    f"Disbursements of {row.provider_name} to {row.recipient_name} reported to the OECD "
                    f"Creditor Reporting System, purpose code {row.purpose_code} ({row.purpose_name}), "
                    "in current US dollars."
                ),
                "channel": _crs_channel(row, provider, registry),
                "implementing_partner": "",
                "currency": "USD",
            }
            shares = _shares({row.purpose_code: None})
            plan = plans[source_key] = _Plan(source_key, source_key, source_key, row.line, fields, shares)
        plan.flows[_key(source_key, row.year)] = {
            "kind": FlowKind.DISBURSED,
            "year": row.year,
            "date": None,
            "amount": _money(row.value_usd),
            "outside_mine_action": Decimal(0),
            "outside_sectors": "",
            "description": "OECD Creditor Reporting System",
        }
    if duplicates:
        raise ImportRejected(name, duplicates)
    _write(
        list(plans.values()),
        report,
        reason=f"import-crs {name}",
        family_q=lambda keys: Q(source__in=keys),
        family_of=lambda source, families: source if source in families else None,
        progress=progress,
    )
    return report


# --- Writing: compare, then create, update or delete --------------------------------------------

COMMITMENT_FIELDS = (
    "provider_state_id",
    "provider_organisation_id",
    "provider_name",
    "recipient_id",
    "title",
    "description",
    "channel",
    "implementing_partner",
    "currency",
)
FLOW_FIELDS = ("kind", "year", "date", "amount", "outside_mine_action", "outside_sectors", "description")


def _field_name(attname: str) -> str:
    return attname.removesuffix("_id")


def _load_existing(plans: list[_Plan], family_q, family_of) -> dict[str, list[Commitment]]:
    families = sorted({plan.family for plan in plans})
    family_set = set(families)
    found: dict[str, list[Commitment]] = defaultdict(list)
    imported_flows = Prefetch("flows", queryset=Flow.objects.exclude(source_key="").order_by("id"))
    for start in range(0, len(families), 200):
        chunk = families[start : start + 200]
        query = Commitment.objects.filter(family_q(chunk)).prefetch_related("pillar_shares", imported_flows)
        for commitment in query.order_by("id"):
            family = family_of(commitment.source, family_set)
            if family is not None:
                found[family].append(commitment)
    return found


def _match(plan: _Plan, candidates: list[Commitment]) -> Commitment | None:
    """The earlier commitment of a plan: the one with its source, else one of the same
    family with the same recipient (an activity split by country since, or merged)."""
    for rule in (
        lambda c: c.source == plan.source,
        lambda c: c.recipient_id == plan.fields["recipient_id"],
    ):
        for commitment in candidates:
            if rule(commitment):
                candidates.remove(commitment)
                return commitment
    return None


def _write(plans: list[_Plan], report: ImportReport, *, reason: str, family_q, family_of, progress) -> None:
    """Bring the database in line with the plans, in one transaction, writing only what changed."""
    if progress is not None:  # heard before the transaction, where a page may still see it
        progress(0, len(plans), "commitments")
    with transaction.atomic():
        existing = _load_existing(plans, family_q, family_of)
        new_commitments: list[tuple[_Plan, Commitment]] = []
        flows_to_create: list[Flow] = []
        flows_to_update: list[Flow] = []
        shares_to_create: list[CommitmentPillar] = []
        touched: set[int] = set()
        for done, plan in enumerate(plans, start=1):
            if progress is not None:
                progress(done, len(plans), "commitments")
            commitment = _match(plan, existing.get(plan.family, []))
            if commitment is None:
                new_commitments.append((plan, Commitment(**plan.fields, source=plan.source)))
                continue
            changed = [name for name in COMMITMENT_FIELDS if getattr(commitment, name) != plan.fields[name]]
            for name in changed:
                setattr(commitment, name, plan.fields[name])
            if commitment.source != plan.source:
                commitment.source = plan.source
                changed.append("source")
            if changed:
                commitment._change_reason = reason
                commitment.save(update_fields=[_field_name(name) for name in changed])
            if not commitment.pillar_shares.all() and plan.shares:
                shares_to_create += _share_objects(commitment, plan.shares)
                changed.append("pillar_shares")
            flows_changed = _sync_flows(commitment, plan, report, flows_to_create, flows_to_update, reason)
            if changed or flows_changed:
                report.updated += 1
                touched.add(commitment.pk)
            else:
                report.unchanged += 1
        for leftovers in existing.values():
            for commitment in leftovers:
                report.problems.append(
                    ImportProblem(
                        f"commitment {commitment.pk} ({commitment.source}) is no longer in the file's activity: "
                        "left as it is",
                        activity=commitment.source,
                    )
                )
        if new_commitments:
            created = bulk_create_with_history(
                [commitment for _plan, commitment in new_commitments], Commitment, default_change_reason=reason
            )
            for (plan, _unsaved), commitment in zip(new_commitments, created, strict=True):
                shares_to_create += _share_objects(commitment, plan.shares)
                for key, values in plan.flows.items():
                    flows_to_create.append(Flow(commitment=commitment, source_key=key, **values))
            report.created += len(created)
        if shares_to_create:
            bulk_create_with_history(shares_to_create, CommitmentPillar, default_change_reason=reason)
        if flows_to_create:
            bulk_create_with_history(flows_to_create, Flow, default_change_reason=reason)
            report.flows.created += len(flows_to_create)
        if flows_to_update:
            bulk_update_with_history(flows_to_update, Flow, list(FLOW_FIELDS), default_change_reason=reason)
        # Commitments whose amounts changed, and the needs they meet: their figures follow, in this
        # transaction (the bulk writes send no signal).
        if touched:
            queries.refresh_figures(commitment_ids=touched)


def _share_objects(commitment: Commitment, shares: dict[str, Decimal]) -> list[CommitmentPillar]:
    return [CommitmentPillar(commitment=commitment, pillar=pillar, share=share) for pillar, share in shares.items()]


def _sync_flows(
    commitment: Commitment,
    plan: _Plan,
    report: ImportReport,
    to_create: list[Flow],
    to_update: list[Flow],
    reason: str,
) -> bool:
    """Queue the changes to one commitment's imported amounts; delete those the file no longer has."""
    stored = {flow.source_key: flow for flow in commitment.flows.all()}
    changed = False
    for key, values in plan.flows.items():
        flow = stored.pop(key, None)
        if flow is None:
            to_create.append(Flow(commitment=commitment, source_key=key, **values))
            changed = True
            continue
        different = [name for name in FLOW_FIELDS if getattr(flow, name) != values[name]]
        if different:
            for name in FLOW_FIELDS:
                setattr(flow, name, values[name])
            to_update.append(flow)
            report.flows.updated += 1
            changed = True
        else:
            report.flows.unchanged += 1
    for flow in stored.values():
        flow._change_reason = reason
        flow.delete()
        report.flows.deleted += 1
        changed = True
    return changed


# --- Exchange rates -----------------------------------------------------------------------------

RATE_COLUMNS = ("currency", "year", "usd_per_unit", "source")


@dataclass
class RatesReport:
    file: str
    counts: Tally = field(default_factory=Tally)

    def summary(self) -> str:
        return f"{self.file}: exchange rates {self.counts}"


def _parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not rate.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if rate <= 0:
        raise ValueError(f"{text} is not positive: a rate is more than 0")
    if -rate.normalize().as_tuple().exponent > 8:
        raise ValueError(f"{text} has more than 8 decimal places")
    if rate >= Decimal(10) ** 10:
        raise ValueError(f"{text} is too large for a rate")
    return rate


def import_rates(path: str | os.PathLike) -> RatesReport:
    """Load the exchange-rate table from a CSV (currency, year, usd_per_unit, source).

    Every row is checked first; any error raises :class:`ImportErrors` with every error as
    ``FILE:line: column: reason`` and nothing is written. Otherwise each rate is created or
    updated (by currency and year), unchanged ones are not touched."""
    label = str(path)
    errors: list[str] = []
    rows: list[dict] = []
    try:
        size = os.stat(path).st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportErrors([f"{label}:1: file: {size} bytes is over the {MAX_IMPORT_BYTES} bytes allowed"])
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in RATE_COLUMNS if name not in header]
            if missing:
                raise ImportErrors([f"{label}:1: {name}: missing column" for name in missing])
            seen: dict[tuple[str, int], int] = {}
            line = reader.line_num
            for values in reader:
                start, line = line + 1, reader.line_num
                if not any(v.strip() for v in values):
                    continue
                row, row_errors = _rate_row(dict(zip(header, values, strict=False)), len(values), len(header))
                key = (row["currency"], row["year"]) if row is not None else None
                if key in seen:
                    row_errors.append(("year", f"{key[0]} {key[1]} is already on line {seen[key]}"))
                elif key is not None:
                    seen[key] = start
                errors += [f"{label}:{start}: {column}: {reason}" for column, reason in row_errors]
                if not row_errors:
                    rows.append(row)
    except FileNotFoundError:
        raise ImportErrors([f"{label}: no such file"]) from None
    except UnicodeDecodeError:
        raise ImportErrors([f"{label}: not a UTF-8 text file"]) from None
    except csv.Error as exc:
        raise ImportErrors([f"{label}: {exc}"]) from None
    if errors:
        raise ImportErrors(errors)
    report = RatesReport(file=label)
    reason = f"import-rates {Path(path).name}"
    with transaction.atomic(), queries.figures_once():
        stored = {(r.currency, r.year): r for r in ExchangeRate.objects.all()}
        for row in rows:
            rate = stored.get((row["currency"], row["year"]))
            if rate is None:
                rate = ExchangeRate(**row)
                rate._change_reason = reason
                rate.save()
                report.counts.created += 1
            elif rate.usd_per_unit != row["usd_per_unit"] or rate.source != row["source"]:
                rate.usd_per_unit, rate.source = row["usd_per_unit"], row["source"]
                rate._change_reason = reason
                rate.save(update_fields=["usd_per_unit", "source"])
                report.counts.updated += 1
            else:
                report.counts.unchanged += 1
    return report


def _rate_row(values: dict[str, str], count: int, expected: int) -> tuple[dict | None, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    if count > expected:
        errors.append(("row", f"{count} values, the header has {expected} columns"))
    text = {name: (values.get(name) or "").strip() for name in RATE_COLUMNS}
    currency = text["currency"].upper()
    if not currency:
        errors.append(("currency", "a value is required"))
    elif currency not in currencies():
        errors.append(("currency", f"{text['currency']!r} is not an ISO 4217 currency code"))
    year = None
    if not re.fullmatch(r"\d{4}", text["year"]):
        errors.append(("year", f"{text['year']!r} is not a year" if text["year"] else "a value is required"))
    elif not FIRST_YEAR <= int(text["year"]) <= LAST_YEAR:
        errors.append(("year", f"{text['year']} is outside {FIRST_YEAR}-{LAST_YEAR}"))
    else:
        year = int(text["year"])
    rate = None
    try:
        rate = _parse_rate(text["usd_per_unit"]) if text["usd_per_unit"] else None
        if rate is None:
            errors.append(("usd_per_unit", "a value is required"))
    except ValueError as exc:
        errors.append(("usd_per_unit", str(exc)))
    if currency == "USD" and rate is not None and rate != 1:
        errors.append(("usd_per_unit", "a US dollar is worth 1 US dollar"))
    if len(text["source"]) > 300:
        errors.append(("source", "longer than 300 characters"))
    if errors or year is None or rate is None:
        return (None if year is None or not currency else {"currency": currency, "year": year}), errors
    return {"currency": currency, "year": year, "usd_per_unit": rate, "source": text["source"]}, errors


# --- Export to IATI 2.03 ------------------------------------------------------------------------

#: Flow kinds and the IATI transaction kinds they are written as (received: the recipient's, not exported).
FLOW_TRANSACTIONS = {flow: kind for kind, flow in TRANSACTION_FLOWS.items()}
ORGANISATION_KIND_TYPES = {
    OrganisationKind.UN_AGENCY: "40",
    OrganisationKind.REGIONAL: "40",
    OrganisationKind.NGO: "21",
    OrganisationKind.CMC: "21",
}
#: The OrganisationType of an implementing partner, by channel (none when the channel does not say:
#: bilateral, national, and a trust fund, which any type of organisation may hold).
CHANNEL_TYPES = {Channel.UN: "40", Channel.INTERNATIONAL: "40", Channel.REGIONAL: "40", Channel.NGO: "21"}


@dataclass
class ExportResult:
    """The IATI document (None when no commitment could be exported), the commitments
    written, and those that could not be, with the reason."""

    xml: bytes | None
    exported: list[int]
    problems: list[ImportProblem]


def _reporting_org(commitment: Commitment) -> Org:
    if commitment.provider_state is not None:
        state = commitment.provider_state
        return Org(ref=f"{state.iso2}-1", name=commitment.provider_name or state.name, type="10")
    if commitment.provider_organisation is not None:
        org = commitment.provider_organisation
        return Org(ref=org.name, name=org.name, type=ORGANISATION_KIND_TYPES.get(org.kind, "90"))
    name = commitment.provider_name or "Unknown provider"
    return Org(ref=name, name=name, type="90")


def _identifier(commitment: Commitment, reporting: Org) -> str:
    if commitment.source.startswith("iati:"):
        rest = commitment.source.removeprefix("iati:")
        head, _sep, tail = rest.rpartition(":")
        return f"{head}-{tail}" if head and re.fullmatch(r"[A-Z]{3}", tail) else rest
    prefix = reporting.ref if reporting.ref and not re.search(r"\s", reporting.ref) else "A6"
    return f"{prefix}-A6-{commitment.pk}" if prefix != "A6" else f"A6-{commitment.pk}"


def _flow_day(flow: Flow, today: dt.date) -> dt.date:
    return flow.date or min(dt.date(flow.year, 12, 31), today)


def _one_year_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def commitment_activity(commitment: Commitment, today: dt.date | None = None) -> Activity:
    """A commitment (with provider, recipient and flows loaded) as an IATI activity."""
    today = today or dt.date.today()
    reporting = _reporting_org(commitment)
    participating = [ParticipatingOrg("1", reporting.ref, reporting.name, reporting.type)]
    if commitment.implementing_partner:
        participating.append(
            ParticipatingOrg("4", None, commitment.implementing_partner, CHANNEL_TYPES.get(commitment.channel))
        )
    purpose = "15250"
    if commitment.source.startswith("crs:"):
        purpose = commitment.source.rsplit(":", 1)[-1]
    flows = sorted(commitment.flows.all(), key=lambda f: (f.year, f.date or dt.date(f.year, 12, 31), f.pk))
    transactions, budgets = [], []
    for flow in flows:
        day = _flow_day(flow, today)
        if flow.kind == FlowKind.BUDGETED:
            start = flow.date or dt.date(flow.year, 1, 1)
            budgets.append(Budget(None, None, start, _one_year_on(start), flow.amount, commitment.currency, start))
        elif flow.kind in FLOW_TRANSACTIONS:
            transactions.append(
                Transaction(
                    kind=FLOW_TRANSACTIONS[flow.kind],
                    code="",
                    date=day,
                    value=flow.amount,
                    currency=commitment.currency,
                    value_date=day,
                    provider_org=None,
                    receiver_org=None,
                    description=flow.description or None,
                )
            )
    days = [t.date for t in transactions] + [b.period_start for b in budgets]
    spent = [t.date for t in transactions if t.date <= today]
    ends = [t.date for t in transactions] + [b.period_end for b in budgets]
    start = min(days) if days else None
    end = max(ends) if ends else None
    dates = ActivityDates(
        planned_start=start,
        actual_start=min(spent) if spent else None,
        planned_end=end if end and start and end > start else None,
    )
    return Activity(
        iati_identifier=_identifier(commitment, reporting),
        version="2.03",
        default_currency=commitment.currency,
        language="en",
        title=commitment.title,
        description=commitment.description or None,
        reporting_org=reporting,
        participating_orgs=participating,
        recipient_countries=[RecipientCountry(commitment.recipient.iso2, None)],
        sectors=[Sector(purpose, "1", None)],
        activity_status="2",
        dates=dates,
        transactions=transactions,
        budgets=budgets,
    )


def exportable_commitments(state: str | None = None):
    """The commitments to export (all: the command line sees everything), with what the export reads."""
    commitments = Commitment.objects.select_related("provider_state", "provider_organisation", "recipient")
    if state:
        commitments = commitments.filter(Q(recipient__iso3=state) | Q(provider_state__iso3=state))
    return commitments.prefetch_related("flows").order_by("id")


def export_commitments(commitments: Iterable[Commitment], *, generated: dt.datetime | None = None) -> ExportResult:
    """Commitments as an IATI 2.03 document; those that cannot be exported are listed."""
    activities, exported, problems = [], [], []
    seen: dict[str, int] = {}
    for commitment in commitments:
        if not any(flow.kind != FlowKind.RECEIVED for flow in commitment.flows.all()):
            problems.append(
                ImportProblem(
                    f"commitment {commitment.pk}: it has no amounts, so no date, and IATI 2.03 requires an "
                    "activity-date",
                    activity=commitment.source,
                )
            )
            continue
        try:
            activity = commitment_activity(commitment)
            activity_element(activity)  # raises what IATI requires and the commitment lacks
        except IatiError as exc:
            problems.append(ImportProblem(f"commitment {commitment.pk}: {exc.reason}", activity=commitment.source))
            continue
        if activity.iati_identifier in seen:
            problems.append(
                ImportProblem(
                    f"commitment {commitment.pk}: its iati-identifier {activity.iati_identifier} is already that "
                    f"of commitment {seen[activity.iati_identifier]}",
                    activity=commitment.source,
                )
            )
            continue
        seen[activity.iati_identifier] = commitment.pk
        activities.append(activity)
        exported.append(commitment.pk)
    xml = export_activities(activities, generated=generated) if activities else None
    return ExportResult(xml, exported, problems)


# --- The console --------------------------------------------------------------------------------


class TerminalProgress:
    """A progress bar on the terminal (the command's stderr), redrawn in place with a carriage
    return: "label: reading [#######.............]  35% (120 of 340 kB)". Without a total, a
    counter. The commands draw it only on a terminal (or with --progress): a script's log
    stays quiet."""

    WIDTH = 20

    def __init__(self, write: Callable[[str], None], label: str) -> None:
        self.write = write
        self.label = label
        self.shown = ""

    def _bar(self, done: int, total: int) -> str:
        filled = min(self.WIDTH, done * self.WIDTH // total)
        return f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {min(100, done * 100 // total):3d}%"

    def __call__(self, done: int, total: int | None, unit: str) -> None:
        if unit == "bytes":
            what = f"({done // 1024} of {total // 1024} kB)" if total else f"{done // 1024} kB"
            step = "reading"
        else:
            what = f"({done}/{total} {unit})" if total else f"{done} {unit}"
            step = "writing"
        text = f"{self.label}: {step} {self._bar(done, total)} {what}" if total else f"{self.label}: {step} {what}"
        if text != self.shown:
            self.write("\r" + text.ljust(len(self.shown)))
            self.shown = text

    def close(self) -> None:
        if self.shown:
            self.write("\n")
            self.shown = ""


#: How many skipped records and problems the console shows of each, unless asked for all.
SHOWN = 20


def _first(items: list, limit: int | None, prefix: str, what: str) -> list[str]:
    shown = items if limit is None else items[:limit]
    lines = [f"{prefix}{item}" for item in shown]
    if len(items) > len(shown):
        lines.append(f"... and {len(items) - len(shown)} more {what} (--verbosity 2 lists them all)")
    return lines


def report_lines(report: ImportReport, limit: int | None = SHOWN) -> list[str]:
    """The report as lines for the console: notes, the first `limit` skipped records and
    problems (None: all) with how many more there are, then the summary with the counts."""
    lines = [f"note: {note}" for note in report.notes]
    lines += _first(report.skipped, limit, f"skipped: {report.file}: ", "skipped")
    lines += _first(report.problems, limit, f"problem: {report.file}: ", "problems")
    return [*lines, report.summary()]


def rejection_text(exc: ImportRejected, limit: int | None = SHOWN) -> str:
    """Why a file was refused, with its first `limit` problems (None: all)."""
    return "\n".join([str(exc).splitlines()[0], *_first(exc.problems, limit, f"  {exc.file}: ", "problems")])
