"""The API of assistance under Article 6: needs that affected States state, offers of
those in a position to give, commitments with their yearly amounts and the recipient's
confirmation, the funding table, the gap and the exchange rates.

Everything the assistance pages show is here. Lists and details go through
assistance.queries (`needs_for`, `offers_for`, `commitments_for`): a record the caller
may not see is absent from the lists and a 404 on its own. Writes go through
assistance.services, which ask the permission layer (403 saying what the caller lacks)
and validate the records (422 naming the field). Money is a JSON number with its
currency alongside. Each operation runs a fixed number of SQL queries, whatever the
number of records; the comments say how many, besides identifying the caller (two
queries with a token, one more for ISU staff and coordinators: their second factor).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from article6.accounts.models import Visibility
from article6.api.auth import OPTIONAL, OPTIONAL_SECURITY
from article6.api.errors import UNREADABLE_BODY, BadParameter, Detail, InvalidValue, ParameterErrors
from article6.api.paging import Page, Paging
from article6.api.params import Iso3
from article6.assistance import queries, services
from article6.assistance.filters import (
    MAX_ID,
    CommitmentFilters,
    GapFilters,
    NeedFilters,
    OfferFilters,
    RegionName,
    Year,
)
from article6.assistance.models import (
    Channel,
    Commitment,
    DeclaredNeedStatus,
    ExchangeRate,
    FlowKind,
    Modality,
    Need,
    NeedStatus,
    Offer,
    OfferKind,
    Priority,
)
from article6.states.models import Organisation, State
from article6.treaty.models import Pillar

try:
    from ninja import Status
except ImportError:  # django-ninja releases before Status: a (status, body) tuple

    def Status(status_code: int, value):  # noqa: N802
        return status_code, value


router = Router()

MAX_NOTE = 500  # a confirmation's note (Flow.description)
TAGS = ["Assistance"]
READ = {"auth": OPTIONAL, "openapi_extra": OPTIONAL_SECURITY, "tags": TAGS}
WRITE = {"tags": TAGS}  # the API's default: an identified caller (article6.api.auth.REQUIRED)

LIST_RESPONSES = {400: ParameterErrors, 401: Detail, 422: ParameterErrors}
DETAIL_RESPONSES = {401: Detail, 404: Detail, 422: ParameterErrors}
WRITE_RESPONSES = {**UNREADABLE_BODY, 401: Detail, 403: Detail, 404: Detail, 422: ParameterErrors}


# --- Parameters ------------------------------------------------------------------------------


def _currency(value: str) -> str:
    return value.strip().upper()


# An ISO 4217 code, any case; the records' own validation says whether it is known.
Currency = Annotated[str, StringConstraints(max_length=3), AfterValidator(_currency)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]

ID_PATH = Path(ge=1, le=MAX_ID, description="The record's id.")


# --- Shapes ------------------------------------------------------------------------------------


class _In(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


def _admits_null(prop: dict) -> bool:
    return prop.get("type") == "null" or any(_admits_null(option) for option in prop.get("anyOf", ()))


def _no_null_defaults(schema: dict, model) -> None:
    """The schema of fields one may leave out but not set to null shows no default of null."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and not _admits_null(prop):
            del prop["default"]


class _Fields(_In):
    """The fields of a record a body may give. Left out, a field is not set (a PATCH keeps
    it); null is accepted only where the record holds no value (an amount, a quantity,
    the other kind of provider), and refused with a 422 naming the field elsewhere: an
    empty text is "", an empty list []. The defaults of None are never validated, so they
    only mark a field as left out (model_dump(exclude_unset=True) drops them)."""

    model_config = ConfigDict(json_schema_extra=_no_null_defaults)


class NeedOut(Schema):
    id: int
    state: str = Field(description="ISO3 code.")
    state_name: str
    title: str
    description: str
    pillar: Pillar
    modality: Modality
    priority: Priority
    urgent: bool = Field(description="Emergency assistance is asked for (Art. 6(6)).")
    amount: float | None = Field(description="The amount needed, in `currency`.")
    currency: str
    yearly: dict[int, float] = Field(description="The amount needed per year, in `currency`, when given.")
    start_year: int
    end_year: int
    quantity: float | None
    quantity_unit: str
    declared_status: DeclaredNeedStatus = Field(description="What the State's focal points say of the need.")
    status: NeedStatus = Field(description="Rolled up from the commitments linked to the need that the caller may see.")
    covered_amount: float = Field(
        description="Committed towards the need, in `currency`, by the commitments the caller may see."
    )
    coverage: float | None = Field(description="covered_amount / amount, from 0 to 1; null without an amount.")
    national_plan: str = Field(description="The national plan it belongs to (Lausanne Action Plan, Action 41).")
    national_resources: float | None = Field(description="National resources committed (Action 38).")
    national_resources_currency: str
    languages: list[str]
    evidence: str
    evidence_url: str
    visibility: Visibility
    created: dt.datetime
    updated: dt.datetime
    is_sample: bool = Field(description="Fictional sample data.")


class NeedDetail(NeedOut):
    commitments: list[int] = Field(description="The ids of the commitments linked to the need that the caller may see.")


class NeedPage(Page):
    items: list[NeedOut]


class OfferOut(Schema):
    id: int
    provider: str = Field(description="The donor State's or the organisation's name.")
    provider_state: str | None = Field(description="ISO3 code of the donor State, if a State offers.")
    provider_organisation: int | None = Field(description="Id of the organisation, if an organisation offers.")
    title: str
    description: str
    pillars: list[Pillar]
    modalities: list[Modality]
    kinds: list[OfferKind]
    regions: list[str] = Field(description="Regions of interest.")
    states: list[str] = Field(description="ISO3 codes of the States of interest.")
    languages: list[str]
    amount_per_year: float | None = Field(description="Available per year, in `currency`.")
    currency: str
    start_year: int
    end_year: int
    conditions: str
    contact: str
    is_active: bool = Field(description="Open to new requests.")
    urgent: bool = Field(description="Can answer urgent requests for emergency assistance (Art. 6(6)).")
    visibility: Visibility
    created: dt.datetime
    is_sample: bool = Field(description="Fictional sample data.")


class OfferPage(Page):
    items: list[OfferOut]


class ShareOut(Schema):
    pillar: Pillar
    share: float = Field(description="Percent.")


class CommitmentOut(Schema):
    id: int
    provider: str = Field(description="The donor State's or organisation's name, or the name as reported.")
    provider_state: str | None = Field(description="ISO3 code of the donor State, if any.")
    provider_organisation: int | None = Field(description="Id of the organisation, if any.")
    recipient: str = Field(description="ISO3 code.")
    recipient_name: str
    title: str
    description: str
    channel: Channel
    implementing_partner: str
    currency: str
    cluster_munition_specific: bool
    pillars: list[ShareOut]
    totals: dict[FlowKind, float] = Field(description="Every kind of amount over all years, in `currency`.")
    source: str = Field(description="manual, iati:<identifier> or crs:<key>.")
    visibility: Visibility
    created: dt.datetime
    is_sample: bool = Field(description="Fictional sample data.")


class FlowOut(Schema):
    kind: FlowKind
    year: int
    date: dt.date | None
    amount: float = Field(description="In the commitment's currency; negative: a correction.")
    description: str


class DifferenceOut(Schema):
    year: int
    provided: float | None = Field(description="Disbursed, as the provider reports it.")
    received: float | None = Field(description="Received, as the recipient confirms it.")
    difference: float | None = Field(description="received - provided, where both are known.")
    agrees: bool


class LinkedNeedOut(Schema):
    id: int
    title: str
    amount: float | None = Field(description="Towards the need, in the commitment's currency; null: all of it.")


class CommitmentDetail(CommitmentOut):
    yearly: dict[int, dict[FlowKind, float]] = Field(description="Year → kind → amount, in `currency`.")
    flows: list[FlowOut]
    provided_and_received: list[DifferenceOut] = Field(
        description="Year by year, what the provider disbursed against what the recipient confirmed."
    )
    needs: list[LinkedNeedOut] = Field(description="The needs it meets that the caller may see.")


class CommitmentPage(Page):
    items: list[CommitmentOut]


class GapRowOut(Schema):
    state: str = Field(description="ISO3 code.")
    pillar: str = Field(description="The pillar; empty for amounts of commitments without pillar shares.")
    year: int
    currency: str = Field(description="Always USD.")
    needed: float
    pledged: float
    committed: float
    disbursed: float
    gap: float = Field(description="needed - committed, never below 0.")
    problems: list[str] = Field(description="Amounts that could not be counted, and why (a missing rate).")


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

    commitments: list[FundingCommitmentOut]
    totals: FundingTotalsOut
    problems: list[dict[str, Any]] = Field(description="Amounts that could not be shown in US dollars, and why.")


# --- Bodies ------------------------------------------------------------------------------------

YEARLY = (
    "Amount needed per year (year → amount, in `currency`), within the period, adding up to `amount`; "
    "null or {} for none."
)


class NeedFields(_Fields):
    title: str = Field(None, max_length=200)
    description: str = None
    pillar: Pillar = None
    modality: Modality = None
    priority: Priority = None
    urgent: bool = Field(None, description="Emergency assistance is asked for (Art. 6(6)).")
    amount: Money | None = Field(None, gt=0, description="Required for a financial need; null: none.")
    currency: Currency = Field(None, description="ISO 4217 code; required with an amount.")
    yearly: dict[Year, Annotated[Money, Field(ge=0)]] | None = Field(None, description=YEARLY)
    start_year: Year = None
    end_year: Year = None
    quantity: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)] | None = Field(
        None, description="Null: none."
    )
    quantity_unit: str = Field(None, description="m2, munitions, survivors, expert_months, people, items.")
    declared_status: DeclaredNeedStatus = None
    national_plan: str = Field(None, max_length=300)
    national_resources: Annotated[Money, Field(ge=0)] | None = Field(None, description="Null: none.")
    national_resources_currency: Currency = None
    languages: list[Language] = Field(None, description="Working languages (ISO 639-1 codes); [] for none.")
    evidence: str = None
    evidence_url: str = None
    visibility: Visibility = None


class NeedIn(NeedFields):
    """A need; the State's focal points (or ISU staff) file it."""

    state: Iso3 = Field(description="ISO3 code of the State in need.")
    title: str = Field(max_length=200)
    description: str
    pillar: Pillar
    modality: Modality
    start_year: Year
    end_year: Year


class NeedPatch(NeedFields):
    """The fields to change; those left out stay as they are. A need stays with its State."""


class OfferFields(_Fields):
    provider_state: Iso3 | None = Field(
        None, description="ISO3 code of the donor State that offers; null when an organisation offers."
    )
    provider_organisation: Id | None = Field(
        None, description="Id of the organisation that offers; null when a State offers."
    )
    title: str = Field(None, max_length=200)
    description: str = None
    pillars: list[Pillar] = None
    modalities: list[Modality] = None
    kinds: list[OfferKind] = None
    regions: list[RegionName] = Field(None, description="Regions of interest; [] for none.")
    states: list[Iso3] = Field(None, description="ISO3 codes of the States of interest; [] for none.")
    languages: list[Language] = Field(None, description="Working languages (ISO 639-1 codes); [] for none.")
    amount_per_year: Annotated[Money, Field(ge=0)] | None = Field(None, description="Null: not said.")
    currency: Currency = None
    start_year: Year = None
    end_year: Year = None
    conditions: str = None
    contact: str = Field(None, max_length=300)
    is_active: bool = None
    urgent: bool = Field(None, description="Can answer urgent requests for emergency assistance (Art. 6(6)).")
    visibility: Visibility = None


class OfferIn(OfferFields):
    """An offer of a donor State or an organisation (one of provider_state, provider_organisation)."""

    title: str = Field(max_length=200)
    description: str
    pillars: list[Pillar]
    modalities: list[Modality]
    kinds: list[OfferKind]
    start_year: Year
    end_year: Year


class OfferPatch(OfferFields):
    """The fields to change; those left out stay as they are."""


class AmountIn(_In):
    kind: FlowKind = Field(description="pledged, committed, disbursed, expended or budgeted.")
    year: Year
    amount: Money = Field(description="In the commitment's currency; negative: a correction.")
    date: dt.date | None = None
    description: str = Field("", max_length=500)


class CommitmentIn(_In):
    """A commitment from a provider to a recipient State, with its amounts."""

    provider_state: Iso3 | None = Field(None, description="ISO3 code of the donor State that provides.")
    provider_organisation: Id | None = Field(None, description="Id of the organisation that provides.")
    provider_name: str = Field("", max_length=300, description="A provider not in the registry (ISU only).")
    recipient: Iso3 = Field(description="ISO3 code of the recipient State.")
    title: str = Field(max_length=300)
    description: str = ""
    channel: Channel
    implementing_partner: str = Field("", max_length=300)
    currency: Currency
    cluster_munition_specific: bool = False
    visibility: Visibility = Visibility.PUBLIC
    pillar_shares: dict[Pillar, Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]] = Field(
        default_factory=dict, description="Pillar → percent; adding up to 100."
    )
    amounts: list[AmountIn] = Field(default_factory=list)
    needs: dict[Id, Annotated[Money, Field(gt=0)] | None] = Field(
        default_factory=dict,
        description="Need id → the amount towards it, in the commitment's currency (null: all of it). "
        "Only needs of the recipient State.",
    )


class ReceiptIn(_In):
    year: Year
    amount: Annotated[Money, Field(ge=0)] = Field(description="Received in the year, in the commitment's currency.")
    note: str = Field("", max_length=MAX_NOTE)


# --- Helpers -----------------------------------------------------------------------------------


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _not_found(what: str, pk: int):
    return HttpError(404, _("No %(record)s has the id %(id)s.") % {"record": what, "id": pk})


def _visible(queryset, pk: int, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise _not_found(what, pk)
    return found


def _apply(record, values: dict) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def _states(codes: list[str], parameter: str) -> list[State]:
    found = {s.iso3: s for s in State.objects.filter(iso3__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise InvalidValue(parameter, _("No State has the ISO3 code “%(code)s”.") % {"code": unknown[0]})
    return [found[code] for code in dict.fromkeys(codes)]


def _body_state(code: str, parameter: str) -> State:
    return _states([code], parameter)[0]


def _body_organisation(pk: int, parameter: str) -> Organisation:
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise InvalidValue(parameter, _("No organisation has the id “%(id)s”.") % {"id": pk})
    return found


def _provider_fields(values: dict) -> dict:
    """provider_state (ISO3) and provider_organisation (id) in a body, as records."""
    resolved = {}
    if "provider_state" in values:
        code = values.pop("provider_state")
        resolved["provider_state"] = _body_state(code, "provider_state") if code else None
    if "provider_organisation" in values:
        pk = values.pop("provider_organisation")
        resolved["provider_organisation"] = _body_organisation(pk, "provider_organisation") if pk else None
    return resolved


# --- Needs ---------------------------------------------------------------------------------------


def need_out(need: Need) -> dict:
    """A need (its State selected, its yearly amounts prefetched) as the API shows it."""
    return {
        "id": need.pk,
        "state": need.state.iso3,
        "state_name": need.state.name,
        "title": need.title,
        "description": need.description,
        "pillar": need.pillar,
        "modality": need.modality,
        "priority": need.priority,
        "urgent": need.urgent,
        "amount": _money(need.amount),
        "currency": need.currency,
        "yearly": {y.year: float(y.amount) for y in need.yearly.all()},
        "start_year": need.start_year,
        "end_year": need.end_year,
        "quantity": _money(need.quantity),
        "quantity_unit": need.quantity_unit,
        "declared_status": need.declared_status,
        # What the caller may see: only the commitments they may read are counted.
        "status": need.seen_status,
        "covered_amount": float(need.seen_covered),
        "coverage": need.coverage,
        "national_plan": need.national_plan,
        "national_resources": _money(need.national_resources),
        "national_resources_currency": need.national_resources_currency,
        "languages": list(need.languages or []),
        "evidence": need.evidence,
        "evidence_url": need.evidence_url,
        "visibility": need.visibility,
        "created": need.created,
        "updated": need.updated,
        "is_sample": need.is_sample,
    }


def _need_detail(request, pk: int) -> dict:
    # Three queries: the need with its State, its yearly amounts, the commitments linked to it
    # that the caller may see (and the caller's roles once, for the visibility).
    need = _visible(queries.needs_for(request.user), pk, _("need"))
    linked = queries.commitments_for(request.user).prefetch_related(None).filter(needs=need)
    return {**need_out(need), "commitments": list(linked.values_list("pk", flat=True))}


@router.get(
    "/needs",
    response={200: NeedPage, **LIST_RESPONSES},
    operation_id="list_needs",
    summary="Needs for assistance that affected States state",
    **READ,
)
def list_needs(
    request,
    filters: Query[NeedFilters],
    paging: Query[Paging] = None,
):
    """The needs the caller may see, newest first: public ones for everyone; those for
    signed-in States Parties and partners; restricted ones for their State's focal points,
    coordinators and ISU staff."""
    # Three queries (the count, the page with the States, their yearly amounts), one more for
    # a signed-in caller (their roles), one more with `state`.
    return paging.page(filters.apply(queries.needs_for(request.user)), need_out)


@router.get(
    "/needs/{id}",
    response={200: NeedDetail, **DETAIL_RESPONSES},
    operation_id="get_need",
    summary="One need, with its yearly amounts, how much is covered and the commitments that meet it",
    **READ,
)
def get_need(request, id: Annotated[int, ID_PATH]):
    """A need the caller may see (else a 404), with its yearly amounts, the amount
    covered by commitments and the ratio, and the ids of the linked commitments."""
    # Three queries, one more for a signed-in caller (their roles).
    return _need_detail(request, id)


def _save_need(request, need: Need, values: dict, yearly) -> dict:
    _apply(need, values)
    services.save_need(request.user, need, yearly)
    return _need_detail(request, need.pk)


@router.post(
    "/needs",
    response={201: NeedDetail, **WRITE_RESPONSES},
    operation_id="create_need",
    summary="File a need for a State (the State's focal points, ISU)",
    **WRITE,
)
def create_need(request, payload: NeedIn):
    """File a need of a State: for the State's own focal points and ISU staff. The yearly
    amounts, when given, fall within the period and add up to the amount needed."""
    # A fixed number of queries for a given body: the State; then, in services.save_need, the
    # permission, the need and its history row, three per yearly amount (read, written, its history
    # row) and the roll-up of its status (six); then as get_need (35 with three yearly amounts).
    values = payload.model_dump(exclude_unset=True)
    state = _body_state(values.pop("state"), "state")
    yearly = values.pop("yearly", None)
    need = Need(state=state)
    return Status(201, _save_need(request, need, values, yearly))


@router.patch(
    "/needs/{id}",
    response={200: NeedDetail, **WRITE_RESPONSES},
    operation_id="update_need",
    summary="Change a need (the State's focal points, ISU)",
    **WRITE,
)
def update_need(request, id: Annotated[int, ID_PATH], payload: NeedPatch):
    """Change the fields given; the others stay. `yearly` replaces the yearly amounts
    (`{}` removes them). When the amount or the period changes and yearly amounts are
    kept, they must still fall within the period and add up to the amount."""
    # As create_need, reading the need (two queries) instead of the State.
    need = _visible(queries.needs_for(request.user), id, _("need"))
    values = payload.model_dump(exclude_unset=True)
    if "yearly" in values:
        yearly = values.pop("yearly") or {}
    else:
        # Checked again against the new amount and period (services.save_need checks those given).
        yearly = {y.year: y.amount for y in need.yearly.all()} or None
    return _save_need(request, need, values, yearly)


# --- Offers --------------------------------------------------------------------------------------


def offer_out(offer: Offer) -> dict:
    """An offer (its provider selected, its States prefetched) as the API shows it."""
    return {
        "id": offer.pk,
        "provider": offer.provider_label,
        "provider_state": offer.provider_state.iso3 if offer.provider_state_id else None,
        "provider_organisation": offer.provider_organisation_id,
        "title": offer.title,
        "description": offer.description,
        "pillars": list(offer.pillars or []),
        "modalities": list(offer.modalities or []),
        "kinds": list(offer.kinds or []),
        "regions": list(offer.regions or []),
        "states": sorted(s.iso3 for s in offer.states.all()),
        "languages": list(offer.languages or []),
        "amount_per_year": _money(offer.amount_per_year),
        "currency": offer.currency,
        "start_year": offer.start_year,
        "end_year": offer.end_year,
        "conditions": offer.conditions,
        "contact": offer.contact,
        "is_active": offer.is_active,
        "urgent": offer.urgent,
        "visibility": offer.visibility,
        "created": offer.created,
        "is_sample": offer.is_sample,
    }


def _offer_detail(request, pk: int) -> dict:
    # Two queries: the offer with its provider, its States.
    return offer_out(_visible(queries.offers_for(request.user), pk, _("offer")))


@router.get(
    "/offers",
    response={200: OfferPage, **LIST_RESPONSES},
    operation_id="list_offers",
    summary="Offers of assistance from donor States and organisations",
    **READ,
)
def list_offers(
    request,
    filters: Query[OfferFilters],
    paging: Query[Paging] = None,
):
    """The offers the caller may see, newest first."""
    # Three queries (the count, the page with the providers, their States), one more for a
    # signed-in caller (their roles), one more each with `state` and `provider`.
    return paging.page(filters.apply(queries.offers_for(request.user)), offer_out)


@router.get(
    "/offers/{id}",
    response={200: OfferOut, **DETAIL_RESPONSES},
    operation_id="get_offer",
    summary="One offer",
    **READ,
)
def get_offer(request, id: Annotated[int, ID_PATH]):
    """An offer the caller may see (else a 404)."""
    # Two queries, one more for a signed-in caller (their roles).
    return _offer_detail(request, id)


def _save_offer(request, offer: Offer, values: dict) -> dict:
    values.update(_provider_fields(values))
    codes = values.pop("states", None)
    states = _states(codes, "states") if codes is not None else None
    _apply(offer, values)
    services.save_offer(request.user, offer, states)
    return _offer_detail(request, offer.pk)


@router.post(
    "/offers",
    response={201: OfferOut, **WRITE_RESPONSES},
    operation_id="create_offer",
    summary="Publish an offer (the provider's partner focal points, ISU)",
    **WRITE,
)
def create_offer(request, payload: OfferIn):
    """Publish an offer of a donor State (`provider_state`) or an organisation
    (`provider_organisation`): for its partner focal points and ISU staff."""
    # A fixed number of queries for a given body: the provider and the States named, the offer and its
    # history row, its States set, then as get_offer.
    return Status(201, _save_offer(request, Offer(), payload.model_dump(exclude_unset=True)))


@router.patch(
    "/offers/{id}",
    response={200: OfferOut, **WRITE_RESPONSES},
    operation_id="update_offer",
    summary="Change an offer (the provider's partner focal points, ISU)",
    **WRITE,
)
def update_offer(request, id: Annotated[int, ID_PATH], payload: OfferPatch):
    """Change the fields given; the others stay. `states` replaces the States of interest."""
    # As create_offer, reading the offer first (two queries) and again in services.save_offer.
    offer = _visible(queries.offers_for(request.user), id, _("offer"))
    return _save_offer(request, offer, payload.model_dump(exclude_unset=True))


# --- Commitments ---------------------------------------------------------------------------------


def _commitments(user):
    """The commitments `user` may see, with what a list shows (no linked needs)."""
    return queries.commitments_for(user).prefetch_related(None).prefetch_related("pillar_shares", "flows")


def commitment_out(commitment: Commitment) -> dict:
    """A commitment (provider and recipient selected, shares and flows prefetched)."""
    return {
        "id": commitment.pk,
        "provider": commitment.provider_label,
        "provider_state": commitment.provider_state.iso3 if commitment.provider_state_id else None,
        "provider_organisation": commitment.provider_organisation_id,
        "recipient": commitment.recipient.iso3,
        "recipient_name": commitment.recipient.name,
        "title": commitment.title,
        "description": commitment.description,
        "channel": commitment.channel,
        "implementing_partner": commitment.implementing_partner,
        "currency": commitment.currency,
        "cluster_munition_specific": commitment.cluster_munition_specific,
        "pillars": [
            {"pillar": s.pillar, "share": float(s.share)}
            for s in sorted(commitment.pillar_shares.all(), key=lambda s: (-s.share, s.pillar))
        ],
        "totals": {kind: float(amount) for kind, amount in queries.totals(commitment).items()},
        "source": commitment.source,
        "visibility": commitment.visibility,
        "created": commitment.created,
        "is_sample": commitment.is_sample,
    }


def _commitment_detail(request, pk: int) -> dict:
    # Four queries: the commitment with its provider and recipient, its shares, its amounts,
    # the needs it meets that the caller may see.
    commitment = _visible(_commitments(request.user), pk, _("commitment"))
    links = queries.commitment_needs(request.user, commitment)
    return {
        **commitment_out(commitment),
        "yearly": {year: {k: float(v) for k, v in kinds.items()} for year, kinds in queries.yearly(commitment).items()},
        "flows": [
            {
                "kind": f.kind,
                "year": f.year,
                "date": f.date,
                "amount": float(f.amount),
                "description": f.description,
            }
            for f in commitment.flows.all()
        ],
        "provided_and_received": [
            {
                "year": d.year,
                "provided": _money(d.provided),
                "received": _money(d.received),
                "difference": _money(d.difference),
                "agrees": d.agrees,
            }
            for d in queries.provided_and_received(commitment)
        ],
        "needs": [{"id": link.need.pk, "title": link.need.title, "amount": _money(link.amount)} for link in links],
    }


@router.get(
    "/commitments",
    response={200: CommitmentPage, **LIST_RESPONSES},
    operation_id="list_commitments",
    summary="Commitments of assistance, with their totals by kind of amount",
    **READ,
)
def list_commitments(
    request,
    filters: Query[CommitmentFilters],
    paging: Query[Paging] = None,
):
    """The commitments the caller may see, newest first, each with its pillar shares and
    its totals (pledged, committed, disbursed, expended, budgeted, received)."""
    # Four queries (the count, the page with providers and recipients, the shares, the amounts),
    # one more for a signed-in caller (their roles), one more each with `recipient` and `provider`.
    return paging.page(filters.apply(_commitments(request.user)), commitment_out)


@router.get(
    "/commitments/{id}",
    response={200: CommitmentDetail, **DETAIL_RESPONSES},
    operation_id="get_commitment",
    summary="One commitment: pillars, amounts by year and kind, provided against received",
    **READ,
)
def get_commitment(request, id: Annotated[int, ID_PATH]):
    """A commitment the caller may see (else a 404): its pillar shares, its amounts by year
    and kind, what the provider disbursed against what the recipient confirmed year by
    year (with the difference), and the needs it meets."""
    # Four queries, one more for a signed-in caller (their roles).
    return _commitment_detail(request, id)


@router.post(
    "/commitments",
    response={201: CommitmentDetail, **WRITE_RESPONSES},
    operation_id="create_commitment",
    summary="Record a commitment (the provider's partner focal points, ISU)",
    **WRITE,
)
def create_commitment(request, payload: CommitmentIn):
    """Record a commitment of a donor State or an organisation to a recipient State, with
    its pillar shares, its amounts and the needs of the recipient it meets: for the
    provider's partner focal points and ISU staff (ISU may name a provider not in the
    registry with `provider_name`)."""
    # A fixed number of queries for a given body: the provider and the recipient; then, in
    # services.save_commitment, the commitment and its history row, each share, each amount and
    # each need linked (written with their history rows), the roll-up of the needs; then as
    # get_commitment.
    values = payload.model_dump(exclude_unset=True)
    shares = values.pop("pillar_shares", None)
    amounts = [services.Amount(**a) for a in values.pop("amounts", [])] if "amounts" in values else None
    needs = values.pop("needs", None)
    values.update(_provider_fields(values))
    values["recipient"] = _body_state(values.pop("recipient"), "recipient")
    commitment = Commitment()
    _apply(commitment, values)
    services.save_commitment(request.user, commitment, pillar_shares=shares, amounts=amounts, needs=needs)
    return Status(201, _commitment_detail(request, commitment.pk))


@router.post(
    "/commitments/{id}/receipts",
    response={200: CommitmentDetail, **WRITE_RESPONSES},
    operation_id="confirm_receipt",
    summary="Confirm what the recipient received in a year (the recipient State's focal points, ISU)",
    **WRITE,
)
def confirm_receipt(request, id: Annotated[int, ID_PATH], payload: ReceiptIn):
    """The recipient State confirms what it received in a year, replacing an earlier
    confirmation for that year; shown beside what the provider reports as disbursed.
    For the recipient State's focal points and ISU staff. Answers with the commitment."""
    # One query to find it (with its recipient, named in a refusal), then as for a commitment.
    commitment = _visible(queries.commitments_for(request.user).prefetch_related(None), id, _("commitment"))
    services.confirm_receipt(request.user, commitment, payload.year, payload.amount, payload.note)
    return _commitment_detail(request, commitment.pk)


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
    operation_id="get_funding",
    summary="The funding table: commitments with their amounts, in their currency and in US dollars",
    **READ,
)
def get_funding(
    request,
    state: Annotated[Iso3 | None, Query(description="Only commitments to this State (ISO3 code).")] = None,
    year: Annotated[Year | None, Query(description="Only the amounts of this year.")] = None,
):
    """The commitments the caller may see with their committed, disbursed and expended
    amounts, in their currency and in US dollars, and the totals: the same table as
    `article6 funding --json`."""
    # The queries of assistance.funding.funding_json: one for the State given, the exchange rates,
    # the commitments with their providers and recipient, their shares, their amounts; one more
    # for a signed-in caller (their roles).
    from article6.assistance.funding import UnknownState, funding_json

    try:
        # Never None: to funding_json, None is the command line, which sees everything.
        return _numbers(funding_json(request.user, state=state, year=year))
    except UnknownState:
        raise BadParameter("state", _("No State has the ISO3 code “%(code)s”.") % {"code": state}) from None


def gap_out(row) -> dict:
    return {
        "state": row.state,
        "pillar": row.pillar,
        "year": row.year,
        "currency": "USD",
        "needed": float(row.needed),
        "pledged": float(row.pledged),
        "committed": float(row.committed),
        "disbursed": float(row.disbursed),
        "gap": float(row.gap),
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
    """Per State, pillar and year, in US dollars at each year's rate: needed, pledged,
    committed, disbursed and the gap (needed and not yet committed), over the needs and
    commitments the caller may see. Amounts that could not be counted (a missing rate)
    are named in `problems`."""
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
