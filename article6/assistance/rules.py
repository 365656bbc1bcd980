"""The assistance figures, as plain functions over numbers and records (no ORM, no request).

- money: every amount stays in its own currency and is shown in US dollars at the
  year's rate from the exchange-rate table ISU keeps; an unknown currency or a missing
  rate is an error that says which, never a silent zero;
- a need's status, rolled up from the commitments recorded against it;
- the gap: per State, pillar and year, what is needed against what is pledged,
  committed and disbursed;
- what a provider reported against what the recipient confirmed (Art. 6(12): giving
  and receiving States cooperate to carry out agreed assistance fully and promptly).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")

# A need is covered once its commitments reach its amount; "partly covered" below that.
DECLARED_STATUSES = ("draft", "open", "withdrawn", "closed")


class MoneyError(ValueError):
    """An amount that cannot be shown in US dollars, and why."""


class UnknownCurrency(MoneyError):
    def __init__(self, currency: str):
        self.currency = currency
        super().__init__(f"“{currency}” is not an ISO 4217 currency code.")


class MissingRate(MoneyError):
    def __init__(self, currency: str, year: int):
        self.currency = currency
        self.year = year
        super().__init__(f"No exchange rate for {currency} in {year}: ISU records it in the exchange-rate table.")


# Rates: {(currency, year): US dollars per unit of the currency}. USD needs no rate.
Rates = Mapping[tuple[str, int], Decimal]


def to_usd(amount: Decimal, currency: str, year: int, rates: Rates, known_currencies: Iterable[str] | None = None):
    """`amount` of `currency` in US dollars at `year`'s rate, at full precision: figures are
    added up unrounded and rounded once, for display (`rounded`), so that a hundred amounts
    of 0.01 GBP at 1.30 make 1.30 US dollars, not 1.00.

    Raises UnknownCurrency when `currency` is not a known code (when `known_currencies`
    is given) and MissingRate when the table has no rate for that currency and year."""
    currency = (currency or "").upper()
    if known_currencies is not None and currency not in known_currencies:
        raise UnknownCurrency(currency)
    if currency == "USD":
        return Decimal(amount)
    rate = rates.get((currency, year))
    if rate is None:
        raise MissingRate(currency, year)
    return Decimal(amount) * Decimal(rate)


def convert(amount: Decimal, currency: str, to_currency: str, year: int, rates: Rates) -> Decimal:
    """`amount` from one currency to another through US dollars at `year`'s rates (full precision)."""
    if currency.upper() == to_currency.upper():
        return Decimal(amount)
    usd = to_usd(amount, currency, year, rates)
    if to_currency.upper() == "USD":
        return usd
    rate = rates.get((to_currency.upper(), year))
    if rate is None:
        raise MissingRate(to_currency.upper(), year)
    return usd / Decimal(rate)


def rounded(amount: Decimal | None) -> Decimal | None:
    """An amount rounded to the cent, half to even: once, where it is shown or given out."""
    if amount is None:
        return None
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)


def largest_remainder(amount: Decimal, weights: Mapping[object, Decimal]) -> dict[object, Decimal]:
    """`amount` (in cents) divided in proportion to `weights`, by the largest-remainder method:
    each part is rounded down to the cent, and the cents left over go one by one to the parts
    with the largest remainders (ties to the first key in order), so that the parts always add
    up to the whole. Without positive weights the parts are equal. Keys keep their order."""
    keys = list(weights)
    if not keys:
        return {}
    positive = {k: Decimal(w) for k, w in weights.items() if w is not None and w > 0}
    if not positive:
        positive = dict.fromkeys(keys, Decimal(1))
    cents = int((Decimal(amount) / CENT).to_integral_value(rounding=ROUND_HALF_EVEN))
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    total = sum(positive.values(), ZERO)
    exact = {k: Decimal(cents) * positive.get(k, ZERO) / total for k in keys}
    parts = {k: int(exact[k]) for k in keys}
    left = cents - sum(parts.values())
    order = sorted(keys, key=lambda k: (-(exact[k] - parts[k]), keys.index(k)))
    for k in order[:left]:
        parts[k] += 1
    return {k: sign * Decimal(parts[k]) * CENT for k in keys}


# Who sees which commitments, from the most open to the widest view: everyone (public);
# anyone with a role (signed in); the coordinators and the need's own State (restricted);
# ISU staff (all). A need's coverage is kept once per tier, and each person reads the
# tier they may see, never one above.
COVERAGE_TIERS = ("public", "signed_in", "restricted", "all")
_TIERS_OF_VISIBILITY = {
    "public": COVERAGE_TIERS,
    "signed_in": COVERAGE_TIERS[1:],
    "restricted": COVERAGE_TIERS[2:],
    "isu_only": COVERAGE_TIERS[3:],
}


def tiers_of(visibility: str) -> tuple[str, ...]:
    """The coverage tiers that count a commitment of this visibility."""
    return _TIERS_OF_VISIBILITY.get(visibility, COVERAGE_TIERS[3:])


def coverage_ratio(needed: Decimal | None, covered: Decimal) -> float | None:
    """The share of the need that is covered, as it is: 1.6 for a need covered 160% (the gap
    is then 0; the page says "over-covered"). None without an amount."""
    if not needed or needed <= 0:
        return None
    return float(Decimal(covered) / Decimal(needed))


# --- Counting the money ----------------------------------------------------------------------
#
# The conventions, as donors and OCHA's Financial Tracking Service (FTS) count:
# - a pledge "is not counted towards any totals until it is formalized" (FTS): pledges are
#   shown, never counted as funding;
# - funding is what is committed or paid (FTS counts commitments and paid contributions):
#   per commitment, the larger of what was committed and what was paid (disbursed; expended
#   where the provider reports expenditure instead of disbursements), taken cumulatively year
#   by year, so that money committed in one year and paid in the next counts once;
# - a commitment's money is counted once: linked to several needs, it is divided between
#   them, by pillar first, then in proportion to what each still needs;
# - funding that nets below zero (a correction larger than the amount) counts as zero, and
#   the commitment is flagged for ISU as inconsistent;
# - the gap of a State, pillar and year is what each of its stated needs still lacks, added
#   up; funding not linked to a stated need is shown apart, as FTS shows funding outside a plan;
# - an amount without an exchange rate is never left out silently: each figure it would enter
#   says what it lacks (`Missing`).
# All amounts are Decimals, added at full precision and rounded once, for display (`rounded`).


@dataclass(frozen=True)
class Missing:
    """An amount a figure should include but cannot: there is no rate for its currency and year."""

    amount: Decimal
    currency: str
    year: int


@dataclass(frozen=True)
class FlowIn:
    """One amount of a commitment as recorded: its kind, year and amount (negative: a correction)."""

    kind: str
    year: int
    amount: Decimal


@dataclass(frozen=True)
class CommitmentIn:
    key: object
    state: str  # the recipient State (ISO3)
    currency: str
    visibility: str = "public"
    shares: Mapping[str, Decimal] = field(default_factory=dict)  # pillar -> percent
    flows: tuple[FlowIn, ...] = ()


@dataclass(frozen=True)
class NeedIn:
    key: object
    state: str
    pillar: str
    currency: str
    amount: Decimal | None
    start_year: int
    end_year: int
    yearly: Mapping[int, Decimal] = field(default_factory=dict)
    declared: str = "open"  # draft, open, withdrawn, closed

    @property
    def asked_for(self) -> bool:
        """Counted in what is needed: an open need. A closed need is met (its State says so);
        a draft or a withdrawn need is not asked for."""
        return self.declared == "open"


@dataclass(frozen=True)
class LinkIn:
    """A commitment linked to a need, with the amount towards it, or None: "a part of it"."""

    commitment: object
    need: object
    amount: Decimal | None = None


PAID_KINDS = ("disbursed", "expended")


def _cumulative(by_year: Mapping[int, Decimal], years: list[int]) -> dict[int, Decimal]:
    running, result = ZERO, {}
    for year in years:
        running += by_year.get(year, ZERO)
        result[year] = running
    return result


def counted_by_year(flows: Iterable[FlowIn]) -> tuple[dict[int, Decimal], list[str]]:
    """What a commitment counts as funding, per year, and the inconsistencies found.

    Up to each year, it counts the larger of what was committed and what was paid (disbursed,
    or expended where no disbursement is reported), never below zero; a year counts what that
    adds. A later correction that lowers the total is taken from the latest years before it,
    so that no year counts less than zero and the years add up to the total."""
    flows = list(flows)
    years = sorted({f.year for f in flows if f.kind in ("committed", *PAID_KINDS)})
    if not years:
        return {}, []
    by_kind: dict[str, dict[int, Decimal]] = {k: {} for k in ("committed", *PAID_KINDS)}
    for f in flows:
        if f.kind in by_kind:
            by_kind[f.kind][f.year] = by_kind[f.kind].get(f.year, ZERO) + Decimal(f.amount)
    paid_kind = "disbursed" if by_kind["disbursed"] else "expended"
    committed = _cumulative(by_kind["committed"], years)
    paid = _cumulative(by_kind[paid_kind], years)
    problems = []
    for kind, running in (("committed", committed), (paid_kind, paid)):
        below = [year for year in years if running[year] < 0]
        if below:
            problems.append(
                f"The {kind} amounts add up to less than zero by {below[0]} "
                f"({rounded(running[below[0]])}): counted as zero."
            )
    total = {year: max(committed[year], paid[year], ZERO) for year in years}
    yearly, before = {}, ZERO
    for year in years:
        yearly[year] = total[year] - before
        before = total[year]
    # A negative year (a correction) is taken from the years before it, the latest first.
    for i, year in enumerate(years):
        if yearly[year] < 0:
            owed = -yearly[year]
            yearly[year] = ZERO
            for earlier in reversed(years[:i]):
                taken = min(owed, yearly[earlier])
                yearly[earlier] -= taken
                owed -= taken
                if not owed:
                    break
    return {year: amount for year, amount in yearly.items() if amount}, problems


def pledged_by_year(flows: Iterable[FlowIn]) -> dict[int, Decimal]:
    """Pledges per year (net, never below zero): shown, never counted as funding."""
    table: dict[int, Decimal] = {}
    for f in flows:
        if f.kind == "pledged":
            table[f.year] = table.get(f.year, ZERO) + Decimal(f.amount)
    return {year: amount for year, amount in table.items() if amount > 0}


def by_pillar(by_year: Mapping[int, Decimal], shares: Mapping[str, Decimal]) -> dict[tuple[int, str], Decimal]:
    """{(year, pillar): amount}: each year's amount split by the pillar shares, to the cent and
    adding up (largest_remainder); pillar "" when the commitment is not split by pillar."""
    result = {}
    for year, amount in sorted(by_year.items()):
        split = split_by_pillar(amount, shares) or {"": amount}
        for pillar, part in split.items():
            if part:
                result[(year, pillar)] = part
    return result


def needed_by_year(need: NeedIn) -> dict[int, Decimal]:
    """The amount a need asks for in each year of its period: its yearly amounts, or its amount
    spread evenly over the period, to the cent and adding up to the amount."""
    if need.amount is None:
        return {}
    if need.yearly:
        return dict(sorted(need.yearly.items()))
    years = list(range(need.start_year, need.end_year + 1)) or [need.start_year]
    return largest_remainder(need.amount, dict.fromkeys(years, Decimal(1)))


def _placed(year: int, need: NeedIn) -> int:
    """The year of a need that money of `year` counts for: its own year within the period;
    money committed before the period counts for its first year, after it for its last."""
    return min(max(year, need.start_year), need.end_year)


@dataclass
class Division:
    """How one commitment's money is divided (in its own currency): towards each need, per
    year of the need; and outside stated needs, per year and pillar of the commitment."""

    to_needs: dict[object, dict[int, Decimal]] = field(default_factory=dict)
    outside: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    counted: Decimal = ZERO  # all that the commitment counts as funding (counted_by_year)

    def towards(self, need_key) -> Decimal:
        return sum(self.to_needs.get(need_key, {}).values(), ZERO)

    @property
    def outside_total(self) -> Decimal:
        return sum(self.outside.values(), ZERO)


def divide(
    amounts: Mapping[tuple[int, str], Decimal],
    links: Iterable[LinkIn],
    needs: Mapping[object, NeedIn],
    weights: Mapping[object, Decimal],
) -> Division:
    """Divide a commitment's money, {(year, pillar): amount}, between the needs it is linked to.

    A link with an amount takes that amount from the money of the need's pillar (over the years
    in proportion to them), scaled down, and flagged, where the links ask for more than there is.
    What is left of each year and pillar goes to the links without an amount of that pillar
    (any pillar, for money not split by pillar), in proportion to `weights` (what each need
    still lacks); with no such link it is outside stated needs."""
    division = Division()
    links = [link for link in links if link.need in needs]
    left = {key: Decimal(amount) for key, amount in amounts.items() if amount > 0}

    def of_pillar(pillar: str) -> list[tuple[int, str]]:
        return sorted(key for key in left if key[1] in (pillar, ""))

    def give(need_key, year: int, amount: Decimal) -> None:
        if amount:
            need = needs[need_key]
            shelf = division.to_needs.setdefault(need_key, {})
            placed = _placed(year, need)
            shelf[placed] = shelf.get(placed, ZERO) + amount

    explicit = [link for link in links if link.amount is not None]
    by_pillar_asked: dict[str, Decimal] = {}
    for link in explicit:
        pillar = needs[link.need].pillar
        by_pillar_asked[pillar] = by_pillar_asked.get(pillar, ZERO) + Decimal(link.amount)
    available = {p: sum((left[k] for k in of_pillar(p)), ZERO) for p in by_pillar_asked}
    for link in explicit:
        pillar = needs[link.need].pillar
        asked, there = by_pillar_asked[pillar], available[pillar]
        amount = Decimal(link.amount)
        if asked > there:
            amount = amount * there / asked if asked else ZERO
        keys = of_pillar(pillar)
        if not keys or amount <= 0:
            continue
        parts = largest_remainder(amount, {k: available_k for k in keys if (available_k := left[k]) > 0})
        for key, part in parts.items():
            part = min(part, left[key])
            left[key] -= part
            give(link.need, key[0], part)
    for pillar, asked in sorted(by_pillar_asked.items()):
        if asked > available[pillar]:
            division.problems.append(
                f"The amounts linked to needs of this pillar ({rounded(asked)}) are more than the commitment "
                f"counts for it ({rounded(available[pillar])}): each is counted in proportion."
            )
    shared = [link for link in links if link.amount is None]
    for (year, pillar), amount in sorted(left.items()):
        if amount <= 0:
            continue
        takers = [link.need for link in shared if pillar in ("", needs[link.need].pillar)]
        if not takers:
            division.outside[(year, pillar)] = division.outside.get((year, pillar), ZERO) + amount
            continue
        parts = largest_remainder(amount, {need: weights.get(need, ZERO) for need in takers})
        for need_key, part in parts.items():
            give(need_key, year, part)
    return division


@dataclass(frozen=True)
class Excess:
    """Amounts linked to needs that are more than a commitment has: `need` is the need's key, or
    None for the sum of the links of `pillar` (or of all pillars, when `pillar` is None)."""

    need: object
    pillar: str | None
    asked: Decimal
    available: Decimal


def link_excess(commitment: CommitmentIn, asks: Mapping[object, tuple[str, Decimal]]) -> list[Excess]:
    """The amounts linked to needs, {need: (pillar, amount)}, that exceed what the commitment
    has for them: what it counts as funding (the larger of committed and paid) or, for a
    commitment only pledged so far, its pledges; per link, per pillar, and in all. Money not
    split by pillar serves every pillar."""
    counted, _problems = counted_by_year(commitment.flows)
    funds = by_pillar(counted, commitment.shares)
    promised = by_pillar(pledged_by_year(commitment.flows), commitment.shares)

    def available(pillar: str | None) -> Decimal:
        def total(table):
            return sum((v for (_y, p), v in table.items() if pillar is None or p in (pillar, "")), ZERO)

        return max(total(funds), total(promised))

    excess = []
    per_pillar: dict[str, Decimal] = {}
    for need, (pillar, amount) in asks.items():
        if amount is None:
            continue
        per_pillar[pillar] = per_pillar.get(pillar, ZERO) + Decimal(amount)
        if Decimal(amount) > available(pillar):
            excess.append(Excess(need, pillar, Decimal(amount), available(pillar)))
    for pillar, asked in sorted(per_pillar.items()):
        if len([1 for p, a in asks.values() if p == pillar and a is not None]) > 1 and asked > available(pillar):
            excess.append(Excess(None, pillar, asked, available(pillar)))
    asked = sum(per_pillar.values(), ZERO)
    if len(per_pillar) > 1 and asked > available(None):
        excess.append(Excess(None, None, asked, available(None)))
    return excess


@dataclass
class NeedFunding:
    """What a need asks for and what counts towards it (in the need's currency), the pledges
    made towards it, and what could not be converted (`missing`, named once each)."""

    needed: Decimal | None
    covered: Decimal = ZERO
    pledged: Decimal = ZERO
    by_commitment: dict[object, Decimal] = field(default_factory=dict)  # in the commitment's currency
    missing: list[Missing] = field(default_factory=list)
    linked: bool = False

    @property
    def gap(self) -> Decimal | None:
        if self.needed is None:
            return None
        return max(self.needed - self.covered, ZERO)

    @property
    def ratio(self) -> float | None:
        return coverage_ratio(self.needed, self.covered)

    @property
    def over_covered(self) -> bool:
        return self.needed is not None and self.covered > self.needed


@dataclass
class GapRow:
    """One State, pillar and year, in US dollars.

    - needed: what its open needs ask for;
    - pledged, committed, disbursed: what the commitments to the State record (pledges are
      shown, never counted);
    - funded: the funding that counts towards its stated needs;
    - outside_needs: the funding that counts and is linked to no open need;
    - gap: what each open need still lacks, added up (never below 0, never more than needed).
    `missing` names, per figure, the amounts it cannot include for want of a rate."""

    state: str
    pillar: str
    year: int
    needed: Decimal = ZERO
    pledged: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    funded: Decimal = ZERO
    outside_needs: Decimal = ZERO
    gap: Decimal = ZERO
    missing: dict[str, list[Missing]] = field(default_factory=dict)

    def lacks(self, figure: str, item: Missing) -> None:
        items = self.missing.setdefault(figure, [])
        if item not in items:
            items.append(item)

    @property
    def complete(self) -> bool:
        return not any(self.missing.values())

    @property
    def problems(self) -> list[str]:
        """Each amount left out, named once."""
        seen: list[Missing] = []
        for items in self.missing.values():
            seen += [item for item in items if item not in seen]
        return [missing_text(item) for item in seen]


GAP_FIGURES = ("needed", "pledged", "committed", "disbursed", "funded", "outside_needs", "gap")


def total_of(rows: Iterable[GapRow], state: str = "", pillar: str = "", year: int = 0) -> GapRow:
    """Rows added up, figure by figure, with every amount each figure lacks (named once)."""
    total = GapRow(state, pillar, year)
    for r in rows:
        for name in GAP_FIGURES:
            setattr(total, name, getattr(total, name) + getattr(r, name))
        for name, items in r.missing.items():
            for item in items:
                total.lacks(name, item)
    return total


def missing_text(item: Missing) -> str:
    return f"{rounded(item.amount)} {item.currency} for {item.year}: no exchange rate"


@dataclass
class Funding:
    needs: dict[object, NeedFunding]
    divisions: dict[object, Division]
    rows: list[GapRow]
    problems: dict[object, list[str]]  # commitment key -> inconsistencies, for ISU


def _weights(
    needs: Mapping[object, NeedIn], links: Iterable[LinkIn], currency_of: Mapping[object, str], rates: Rates
) -> dict[object, Decimal]:
    """What each need still lacks before the division, in US dollars at the rates of its first
    year: its amount less what the links with an amount give it. A need that is not open, or
    whose amount cannot be converted, weighs nothing (the others share the money; with no weight
    at all, the needs share it equally)."""
    weights = {}
    for key, need in needs.items():
        if need.amount is None or not need.asked_for:
            weights[key] = ZERO  # a need met, withdrawn or a draft lacks nothing
            continue
        try:
            weights[key] = to_usd(need.amount, need.currency, need.start_year, rates)
        except MoneyError:
            weights[key] = ZERO
    for link in links:
        if link.amount is None or link.need not in needs or link.commitment not in currency_of:
            continue
        try:
            given = to_usd(link.amount, currency_of[link.commitment], needs[link.need].start_year, rates)
        except MoneyError:
            continue
        weights[link.need] = max(weights[link.need] - given, ZERO)
    return weights


def count(
    needs: Iterable[NeedIn],
    commitments: Iterable[CommitmentIn],
    links: Iterable[LinkIn],
    rates: Rates,
) -> Funding:
    """Every figure of the money at once, from the same division, so that they agree: each
    need's coverage, each commitment's division, and the gap per State, pillar and year.

    A reader's figures are computed from the records they may see, and from nothing else:
    the needs and commitments given are those, and a link counts only between the two."""
    needs = {n.key: n for n in needs}
    commitments = list(commitments)
    keys = {c.key for c in commitments}
    links = [link for link in links if link.need in needs and link.commitment in keys]
    links_of: dict[object, list[LinkIn]] = {}
    for link in links:
        links_of.setdefault(link.commitment, []).append(link)
    weights = _weights(needs, links, {c.key: c.currency for c in commitments}, rates)
    result = {key: NeedFunding(needed=need.amount) for key, need in needs.items()}
    rows: dict[tuple[str, str, int], GapRow] = {}
    divisions, problems = {}, {}

    def row(state: str, pillar: str, year: int) -> GapRow:
        return rows.setdefault((state, pillar, year), GapRow(state, pillar, year))

    # What counts towards each shown need, per year, in US dollars (for the gap).
    towards_usd: dict[tuple[object, int], Decimal] = {}
    towards_missing: dict[tuple[object, int], list[Missing]] = {}
    for c in commitments:
        mine = links_of.get(c.key, [])
        counted, flagged = counted_by_year(c.flows)
        division = divide(by_pillar(counted, c.shares), mine, needs, weights)
        division.counted = sum(counted.values(), ZERO)
        shared = [LinkIn(link.commitment, link.need) for link in mine]
        pledges = divide(by_pillar(pledged_by_year(c.flows), c.shares), shared, needs, weights)
        divisions[c.key] = division
        if flagged or division.problems:
            problems[c.key] = flagged + division.problems
        for need_key in {link.need for link in mine}:
            result[need_key].linked = True
        for need_key, by_year in division.to_needs.items():
            need, funding = needs[need_key], result[need_key]
            funding.by_commitment[c.key] = funding.by_commitment.get(c.key, ZERO) + sum(by_year.values(), ZERO)
            for year, amount in by_year.items():
                try:
                    funding.covered += convert(amount, c.currency, need.currency or c.currency, year, rates)
                except MoneyError:
                    funding.missing.append(Missing(amount, c.currency, year))
                try:
                    usd = to_usd(amount, c.currency, year, rates)
                    towards_usd[(need_key, year)] = towards_usd.get((need_key, year), ZERO) + usd
                except MoneyError:
                    towards_missing.setdefault((need_key, year), []).append(Missing(amount, c.currency, year))
        for need_key, by_year in pledges.to_needs.items():
            need = needs[need_key]
            for year, amount in by_year.items():
                try:
                    result[need_key].pledged += convert(amount, c.currency, need.currency or c.currency, year, rates)
                except MoneyError:
                    result[need_key].missing.append(Missing(amount, c.currency, year))
        # The gap rows: what the commitment records, and what counts outside the open needs.
        for f in c.flows:
            if f.kind not in ("pledged", "committed", "disbursed"):
                continue
            split = split_by_pillar(f.amount, c.shares) or {"": Decimal(f.amount)}
            for pillar, part in split.items():
                target = row(c.state, pillar, f.year)
                try:
                    setattr(target, f.kind, getattr(target, f.kind) + to_usd(part, c.currency, f.year, rates))
                except MoneyError:
                    target.lacks(f.kind, Missing(part, c.currency, f.year))
        outside = dict(division.outside)
        for need_key, by_year in division.to_needs.items():
            # Towards an open need it is funding of that need; towards a need since closed,
            # withdrawn, or a draft, it is outside stated needs.
            if needs[need_key].asked_for:
                continue
            for year, amount in by_year.items():
                key = (year, needs[need_key].pillar)
                outside[key] = outside.get(key, ZERO) + amount
        for (year, pillar), amount in outside.items():
            target = row(c.state, pillar, year)
            try:
                target.outside_needs += to_usd(amount, c.currency, year, rates)
            except MoneyError:
                target.lacks("outside_needs", Missing(amount, c.currency, year))
    for key, need in needs.items():
        funding = result[key]
        if not need.asked_for:
            continue
        for year, amount in needed_by_year(need).items():
            target = row(need.state, need.pillar, year)
            towards = towards_usd.get((key, year), ZERO)
            lacking = towards_missing.get((key, year), [])
            target.funded += towards
            for item in lacking:
                target.lacks("funded", item)
                target.lacks("gap", item)
            try:
                usd = to_usd(amount, need.currency, year, rates)
            except MoneyError:
                item = Missing(amount, need.currency, year)
                target.lacks("needed", item)
                target.lacks("gap", item)
                continue
            target.needed += usd
            target.gap += max(usd - towards, ZERO)
    return Funding(result, divisions, [rows[key] for key in sorted(rows)], problems)


def need_status(
    declared: str, needed: Decimal | None, covered: Decimal, has_commitments: bool, unconverted: bool = False
) -> str:
    """A need's status from what its focal point declared and what is counted towards it.

    A draft, withdrawn or closed need keeps that status. Otherwise: "covered" once the
    funding reaches the amount needed; "partly covered" when some counts (or, for a need
    stated without an amount, when any commitment is linked to it: only its focal point can
    say it is fully met, by closing it); "open" when nothing does. Pledges never count. An
    amount towards it that cannot be converted (`unconverted`) is something: partly covered."""
    if declared in ("draft", "withdrawn", "closed"):
        return declared
    if needed is None or needed <= 0:
        return "partly_covered" if has_commitments else "open"
    if covered >= needed:
        return "covered"
    if covered > 0 or unconverted:
        return "partly_covered"
    return "open"


def split_by_pillar(amount: Decimal, shares: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """An amount split by pillar shares (percentages), the parts adding up to the whole
    (largest_remainder). Shares that do not add up to 100 are scaled to; without shares,
    nothing is split (an empty result)."""
    if sum(shares.values(), ZERO) <= 0:
        return {}
    return largest_remainder(amount, dict(sorted(shares.items())))


@dataclass(frozen=True)
class Difference:
    """What the provider reported and what the recipient confirmed, for one year."""

    year: int
    provided: Decimal | None
    received: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.provided is None or self.received is None:
            return None
        return self.received - self.provided

    @property
    def agrees(self) -> bool:
        return self.difference == 0


def provided_and_received(provided: Mapping[int, Decimal], received: Mapping[int, Decimal]) -> list[Difference]:
    """Side by side, year by year: the provider's disbursements and the recipient's
    confirmation, with the difference (received minus provided) where both exist."""
    years = sorted(set(provided) | set(received))
    return [Difference(year, provided.get(year), received.get(year)) for year in years]
