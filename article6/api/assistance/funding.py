"""The funding table, the gap between what is needed and what is given, and the
exchange rates amounts are shown in US dollars with."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from article6.api.assistance.common import (
    LIST_RESPONSES,
    READ,
    money,
)
from article6.api.assistance.schemas import Currency, MissingOut
from article6.api.errors import BadParameter
from article6.api.numbers import Amount
from article6.api.paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, Page, Paging
from article6.api.params import Iso3Filter
from article6.assistance import rules
from article6.assistance.filters import GapFilters, Year
from article6.assistance.models import ExchangeRate

router = Router()


# --- Shapes ------------------------------------------------------------------------------------


class GapRowOut(Schema):
    state: str = Field(description="ISO3 code.")
    pillar: str = Field(description="The pillar; empty for amounts of commitments without pillar shares.")
    year: int
    currency: str = Field(description="Always USD.")
    needed: Amount = Field(description="What the open needs ask for in this year.")
    pledged: Amount = Field(description="Pledged, as recorded: shown, never counted as funding.")
    committed: Amount = Field(description="Committed, as recorded.")
    disbursed: Amount = Field(description="Disbursed, as recorded.")
    funded: Amount = Field(
        description="What counts towards the open needs: per commitment, the larger of what is committed and what "
        "is paid, counted once, divided between the needs it is linked to."
    )
    outside_needs: Amount = Field(description="What counts as funding and meets no open need.")
    gap: Amount = Field(description="What each open need still lacks, added up: never below 0, never above needed.")
    complete: bool = Field(description="False when a figure lacks an amount for want of an exchange rate.")
    missing: dict[str, list[MissingOut]] = Field(
        description="Per figure (needed, funded, gap…), the amounts it cannot include: no exchange rate."
    )
    problems: list[str] = Field(description="Each amount that could not be counted, named once, and why.")


class GapPage(Page):
    items: list[GapRowOut]


class RateOut(Schema):
    currency: str
    year: int
    usd_per_unit: float = Field(description="US dollars per unit of the currency.")
    source: str


class RatePage(Page):
    items: list[RateOut]


class FundingCommitmentOut(Schema):
    """One commitment of the funding table (the shape of `article6 funding --json`)."""

    model_config = ConfigDict(extra="allow")

    id: int
    provider: str
    recipient: str = Field(description="ISO3 code.")
    pillars: list[str] = Field(description="Its pillars, largest share first.")
    currency: str
    committed: float
    disbursed: float
    expended: float
    usd: dict[str, float] | None = Field(description="The amounts in US dollars; null when a rate is missing.")
    source: str = Field(description="manual, iati:<identifier> or crs:<key>.")


class FundingTotalsOut(Schema):
    model_config = ConfigDict(extra="allow")

    usd: dict[str, float] = Field(
        description="Committed, disbursed, expended in US dollars, over the commitments that could be converted."
    )
    commitments: int
    missing_rates: list[list[Any]] = Field(description="[currency, year] pairs the exchange-rate table lacks.")


class FundingOut(Schema):
    model_config = ConfigDict(extra="allow")

    commitments: list[FundingCommitmentOut] = Field(description="Every commitment, or the page asked for.")
    totals: FundingTotalsOut = Field(description="Over every commitment that matches, whatever the page.")
    problems: list[dict[str, Any]] = Field(description="Amounts that could not be shown in US dollars, and why.")
    # Only with `limit` or `offset`: the page's place, as every list operation gives it.
    count: int = Field(None, description="With limit or offset only: how many commitments match.")
    limit: int = Field(None, description="With limit or offset only.")
    offset: int = Field(None, description="With limit or offset only.")
    next_offset: int | None = Field(None, description="With limit or offset only; null on the last page.")
    previous_offset: int | None = Field(None, description="With limit or offset only; null on the first page.")


# --- Funding, gap, exchange rates ------------------------------------------------------------------


def _numbers(value):
    """Decimal amounts as JSON numbers, however deep."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_numbers(v) for v in value]
    return value


@router.get(
    "/funding",
    response={200: FundingOut, **LIST_RESPONSES},
    exclude_unset=True,  # the page's fields only when a page is asked for
    operation_id="get_funding",
    summary="The funding table: commitments with their amounts, in their currency and in US dollars",
    **READ,
)
def get_funding(
    request,
    state: Annotated[Iso3Filter | None, Query(description="Only commitments to this State (ISO3 code).")] = None,
    year: Annotated[Year | None, Query(description="Only the amounts of this year.")] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_LIMIT, description=f"A page of this many commitments (at most {MAX_LIMIT}); left out: all."),
    ] = None,
    offset: Annotated[
        int | None, Query(ge=0, le=MAX_OFFSET, description="How many commitments the page skips; left out: 0.")
    ] = None,
):
    """The commitments the caller may see with their committed, disbursed and expended
    amounts, in their currency and in US dollars, and the totals: the same table as
    `article6 funding --json`. With `limit` or `offset`, `commitments` is one page of it
    (and `count`, `limit`, `offset`, `next_offset`, `previous_offset` say where), while
    `totals` and `problems` still cover every commitment."""
    # The queries of assistance.funding.funding_json: one for the State given, the exchange rates,
    # the commitments with their providers and recipient, their shares, their amounts; one more
    # for a signed-in caller (their roles).
    from article6.assistance.funding import UnknownState, funding_json

    try:
        # Never None: to funding_json, None is the command line, which sees everything.
        table = _numbers(funding_json(request.user, state=state, year=year))
    except UnknownState:
        raise BadParameter("state", _("No State has the ISO3 code “%(code)s”.") % {"code": state}) from None
    if limit is None and offset is None:
        return table  # the command line's shape, unchanged
    page = Paging(limit=limit or DEFAULT_LIMIT, offset=offset or 0).page(table["commitments"])
    return {**table, "commitments": page.pop("items"), **page}


def gap_out(row) -> dict:
    return {
        "state": row.state,
        "pillar": row.pillar,
        "year": row.year,
        "currency": "USD",
        **{name: money(getattr(row, name)) for name in rules.GAP_FIGURES},
        "complete": row.complete,
        "missing": {
            name: [{"amount": money(m.amount), "currency": m.currency, "year": m.year} for m in items]
            for name, items in sorted(row.missing.items())
            if items
        },
        "problems": list(row.problems),
    }


@router.get(
    "/funding/gap",
    response={200: GapPage, **LIST_RESPONSES},
    operation_id="get_gap",
    summary="The gap: what is needed against what is pledged, committed and disbursed, in US dollars",
    **READ,
)
def get_gap(
    request,
    filters: Query[GapFilters],
    paging: Query[Paging] = None,
):
    """Per State, pillar and year, in US dollars at each year's rate, over the needs and
    commitments the caller may see: needed (the open needs); pledged, committed and disbursed
    (as recorded; pledges never count as funding); funded (what counts towards the stated needs:
    per commitment the larger of committed and paid, divided between the needs it is linked to);
    outside_needs (what counts and meets no open need); and the gap (what each open need still
    lacks, added up). A figure that lacks an amount for want of an exchange rate says so in
    `missing` (and `complete` is false); `problems` names each such amount once."""
    # Seven queries (the needs, their yearly amounts; the commitments, their shares, amounts and
    # linked needs, as queries.commitments_for reads them; the exchange rates), one more for a
    # signed-in caller (their roles), one more with `state`.
    return paging.page(filters.rows(request.user), gap_out)


@router.get(
    "/exchange-rates",
    response={200: RatePage, **LIST_RESPONSES},
    operation_id="list_exchange_rates",
    summary="The exchange rates amounts are shown in US dollars with",
    **READ,
)
def list_exchange_rates(
    request,
    currency: Annotated[Currency | None, Query(description="Only this currency (ISO 4217 code).")] = None,
    year: Annotated[Year | None, Query()] = None,
    paging: Query[Paging] = None,
):
    """US dollars per unit of each currency, per year, as ISU records them; public."""
    # Two queries: the count, the page.
    rates = ExchangeRate.objects.all()
    if currency:
        rates = rates.filter(currency=currency)
    if year:
        rates = rates.filter(year=year)
    return paging.page(
        rates,
        lambda r: {"currency": r.currency, "year": r.year, "usd_per_unit": float(r.usd_per_unit), "source": r.source},
    )
