"""The bodies and answers of the assistance API: what a record looks like (Out, Detail,
Page), what a body may give to create one (In) or change one (Patch), and the
parameters they share (an ISO 4217 currency, an id, an amount, a language). The shapes of
the funding table, the gap and the exchange rates are in funding.py, beside their routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Path, Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from article6.accounts.models import Visibility
from article6.api.numbers import Amount, decimal_in
from article6.api.paging import Page
from article6.api.params import Iso3
from article6.assistance.filters import MAX_ID, RegionName, Year
from article6.assistance.models import (
    Channel,
    DeclaredNeedStatus,
    FlowKind,
    Modality,
    NeedStatus,
    OfferKind,
    Priority,
)
from article6.treaty.models import Pillar

MAX_NOTE = 500  # a confirmation's note (Flow.description)


# --- Parameters ------------------------------------------------------------------------------


def _currency(value: str) -> str:
    return value.strip().upper()


# An ISO 4217 code, any case; the records' own validation says whether it is known.
Currency = Annotated[str, StringConstraints(max_length=3), AfterValidator(_currency)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An amount a body gives: a JSON number, to the cent (api.numbers).
Money = decimal_in(digits=18, places=2)
#: The keys of a body's object of years, or of need ids: numbers written as text.
YEAR_KEYS = {"propertyNames": {"pattern": r"^(200[89]|20[1-9][0-9]|2100)$"}}
ID_KEYS = {"propertyNames": {"pattern": r"^[1-9][0-9]{0,17}$"}}
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]

ID_PATH = Path(ge=1, le=MAX_ID, description="The record's id.")


# --- Shapes ------------------------------------------------------------------------------------


class MissingOut(Schema):
    amount: Amount = Field(description="In its own currency.")
    currency: str
    year: int


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
    amount: Amount | None = Field(description="The amount needed, in `currency`.")
    currency: str
    yearly: dict[int, Amount] = Field(description="The amount needed per year, in `currency`, when given.")
    start_year: int
    end_year: int
    quantity: float | None
    quantity_unit: str
    declared_status: DeclaredNeedStatus = Field(description="What the State's focal points say of the need.")
    status: NeedStatus = Field(description="Rolled up from the commitments linked to the need that the caller may see.")
    covered_amount: Amount = Field(
        description="The funding that counts towards the need, in `currency`, from the commitments the caller may "
        "see: per commitment the larger of what is committed and what is paid, counted once (a commitment linked to "
        "several needs is divided between them). Pledges never count."
    )
    coverage: float | None = Field(
        description="covered_amount / amount, as it is (above 1 when over-covered); null without an amount."
    )
    over_covered: bool = Field(description="More counts towards the need than it asks for.")
    not_counted: list[MissingOut] = Field(
        description="Amounts towards the need that cannot be converted into its currency: no exchange rate. "
        "covered_amount leaves them out."
    )
    national_plan: str = Field(description="The national plan it belongs to (Lausanne Action Plan, Action 41).")
    national_resources: Amount | None = Field(description="National resources committed (Action 38).")
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
    amount_per_year: Amount | None = Field(description="Available per year, in `currency`.")
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
    totals: dict[FlowKind, Amount] = Field(description="Every kind of amount over all years, in `currency`.")
    source: str = Field(description="manual, iati:<identifier> or crs:<key>.")
    visibility: Visibility
    created: dt.datetime
    is_sample: bool = Field(description="Fictional sample data.")


class FlowOut(Schema):
    kind: FlowKind
    year: int
    date: dt.date | None
    amount: Amount = Field(
        description="In the commitment's currency; negative: a correction. Imported: the mine-action part only."
    )
    outside_mine_action: Amount = Field(
        description="Imported: the part of the reported transaction or budget outside mine action, not counted."
    )
    outside_sectors: list[str] = Field(description="The DAC purpose codes of that part.")
    description: str


class DifferenceOut(Schema):
    year: int
    provided: Amount | None = Field(description="Disbursed, as the provider reports it.")
    received: Amount | None = Field(description="Received, as the recipient confirms it.")
    difference: Amount | None = Field(description="received - provided, where both are known.")
    agrees: bool


class LinkedNeedOut(Schema):
    id: int
    title: str
    amount: Amount | None = Field(
        description="Given towards the need, in the commitment's currency; null: a part of the commitment, divided "
        "between its needs by pillar, then by what each still needs."
    )
    counted: Amount = Field(description="What of the commitment counts towards the need, in its currency.")


class CommitmentDetail(CommitmentOut):
    yearly: dict[int, dict[FlowKind, Amount]] = Field(description="Year → kind → amount, in `currency`.")
    flows: list[FlowOut]
    provided_and_received: list[DifferenceOut] = Field(
        description="Year by year, what the provider disbursed against what the recipient confirmed."
    )
    counted: Amount = Field(description="What counts as funding: the larger of what is committed and what is paid.")
    outside_needs: Amount = Field(description="What counts and goes to no need the caller may see that it meets.")
    needs: list[LinkedNeedOut] = Field(description="The needs it meets that the caller may see.")


class CommitmentPage(Page):
    items: list[CommitmentOut]


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
    amount: Annotated[Money, Field(gt=0)] | None = Field(None, description="Required for a financial need; null: none.")
    currency: Currency = Field(None, description="ISO 4217 code; required with an amount.")
    yearly: dict[Year, Annotated[Money, Field(ge=0)]] | None = Field(
        None, description=YEARLY, json_schema_extra=YEAR_KEYS
    )
    start_year: Year = None
    end_year: Year = None
    quantity: Annotated[decimal_in(digits=16, places=2), Field(ge=0)] | None = Field(None, description="Null: none.")
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
    pillar_shares: dict[Pillar, Annotated[decimal_in(digits=5, places=2), Field(ge=0, le=100)]] = Field(
        default_factory=dict,
        description="Pillar → percent; adding up to 100.",
        json_schema_extra={"propertyNames": {"enum": list(Pillar.values)}},
    )
    amounts: list[AmountIn] = Field(default_factory=list)
    needs: dict[Id, Annotated[Money, Field(gt=0)] | None] = Field(
        default_factory=dict,
        description="Need id → the amount towards it, in the commitment's currency (null: all of it). "
        "Only needs of the recipient State.",
        json_schema_extra=ID_KEYS,
    )


class ReceiptIn(_In):
    year: Year
    amount: Annotated[Money, Field(ge=0)] = Field(description="Received in the year, in the commitment's currency.")
    note: str = Field("", max_length=MAX_NOTE)
