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
    """`amount` of `currency` in US dollars at `year`'s rate.

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
    return (Decimal(amount) * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def convert(amount: Decimal, currency: str, to_currency: str, year: int, rates: Rates) -> Decimal:
    """`amount` from one currency to another through US dollars at `year`'s rates."""
    if currency.upper() == to_currency.upper():
        return Decimal(amount)
    usd = to_usd(amount, currency, year, rates)
    if to_currency.upper() == "USD":
        return usd
    rate = rates.get((to_currency.upper(), year))
    if rate is None:
        raise MissingRate(to_currency.upper(), year)
    return (usd / Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def need_status(declared: str, needed: Decimal | None, covered: Decimal, has_commitments: bool) -> str:
    """A need's status from what its focal point declared and what is committed to it.

    A draft, withdrawn or closed need keeps that status. Otherwise: "covered" once the
    commitments reach the amount needed; "partly covered" when some is committed (or,
    for a need stated without an amount, when any commitment is linked to it: only its
    focal point can say it is fully met, by closing it); "open" when nothing is."""
    if declared in ("draft", "withdrawn", "closed"):
        return declared
    if needed is None or needed <= 0:
        return "partly_covered" if has_commitments else "open"
    if covered >= needed:
        return "covered"
    if covered > 0:
        return "partly_covered"
    return "open"


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


@dataclass(frozen=True)
class Contribution:
    """A commitment linked to a need: its visibility, whether its recipient is the need's
    State (the restricted tier counts a restricted commitment only then: that is who may
    read it besides the coordinators), and its amount in the need's currency (what could be
    converted: an amount without a rate is not counted, the commitment is still linked)."""

    visibility: str
    to_need_state: bool
    amount: Decimal


def coverage_by_tier(
    declared: str, needed: Decimal | None, contributions: Iterable[Contribution]
) -> dict[str, tuple[Decimal, str]]:
    """{tier: (covered amount, status)} of a need: each tier counts only the commitments
    its viewers may read. The one place where a need's coverage is computed."""
    covered = dict.fromkeys(COVERAGE_TIERS, ZERO)
    linked = dict.fromkeys(COVERAGE_TIERS, False)
    for c in contributions:
        for tier in _TIERS_OF_VISIBILITY.get(c.visibility, COVERAGE_TIERS[3:]):
            if tier == "restricted" and c.visibility == "restricted" and not c.to_need_state:
                continue
            linked[tier] = True
            if needed is not None:
                covered[tier] += c.amount
    return {
        tier: (covered[tier], need_status(declared, needed, covered[tier], linked[tier])) for tier in COVERAGE_TIERS
    }


def coverage_ratio(needed: Decimal | None, covered: Decimal) -> float | None:
    """The share of the need that is covered, from 0 to 1 (None without an amount)."""
    if not needed or needed <= 0:
        return None
    return float(min(covered / needed, Decimal(1)))


@dataclass
class GapRow:
    """What is needed and what is pledged, committed and disbursed for one State, pillar
    and year, in US dollars. `gap` is what is needed and not yet committed (never below 0).
    `problems` names amounts that could not be counted (a missing rate)."""

    state: str
    pillar: str
    year: int
    needed: Decimal = ZERO
    pledged: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    problems: list[str] = field(default_factory=list)

    @property
    def gap(self) -> Decimal:
        return max(self.needed - self.committed, ZERO)


@dataclass(frozen=True)
class NeedAmount:
    state: str
    pillar: str
    year: int
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class FlowAmount:
    """One yearly amount of a commitment, already split by pillar share."""

    state: str
    pillar: str
    year: int
    kind: str  # pledged, committed, disbursed, expended, received
    amount: Decimal
    currency: str


def gap_table(needs: Iterable[NeedAmount], flows: Iterable[FlowAmount], rates: Rates) -> list[GapRow]:
    """The gap per State, pillar and year, in US dollars, sorted by State, pillar, year."""
    rows: dict[tuple[str, str, int], GapRow] = {}

    def row(state, pillar, year) -> GapRow:
        key = (state, pillar, year)
        if key not in rows:
            rows[key] = GapRow(state, pillar, year)
        return rows[key]

    for need in needs:
        target = row(need.state, need.pillar, need.year)
        try:
            target.needed += to_usd(need.amount, need.currency, need.year, rates)
        except MoneyError as exc:
            target.problems.append(str(exc))
    for flow in flows:
        if flow.kind not in ("pledged", "committed", "disbursed"):
            continue
        target = row(flow.state, flow.pillar, flow.year)
        try:
            usd = to_usd(flow.amount, flow.currency, flow.year, rates)
        except MoneyError as exc:
            target.problems.append(str(exc))
            continue
        setattr(target, flow.kind, getattr(target, flow.kind) + usd)
    return [rows[key] for key in sorted(rows)]


def split_by_pillar(amount: Decimal, shares: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """An amount split by pillar shares (percentages). Shares that do not add up to 100
    are scaled to; without shares, nothing is split (an empty result)."""
    total = sum(shares.values(), ZERO)
    if total <= 0:
        return {}
    return {pillar: (Decimal(amount) * share / total).quantize(CENT) for pillar, share in shares.items()}


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
