"""The filters of the assistance lists, defined once for each list: the page, its CSV and
Excel exports and the API read the same parameters and filter alike.

Each class validates the parameters (pydantic: a bad value names its parameter) and
applies them to the records the person may see (assistance.queries). A valid value that
names nothing (an unknown State or organisation) raises :class:`UnknownValue`: a 400 in
the API and the exports, an error on the page's form.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from article6.api.params import PADDING, Iso3Filter, blank_is_none  # the parameter types only: no router is loaded
from article6.assistance import queries
from article6.assistance.models import (
    FIRST_YEAR,
    LAST_YEAR,
    CommitmentPillar,
    Flow,
    Modality,
    NeedStatus,
    Offer,
    OfferKind,
    Priority,
)
from article6.states.models import Organisation, Region, State
from article6.treaty.models import Pillar
from article6.treaty.queries import ISO3_CODE

MAX_ID = 2**63 - 1  # the largest the database's ids hold
#: The type of a validation error for valid values that do not go together (a 400 in the API).
APART = "values_apart"


class UnknownValue(Exception):
    """A valid value that names nothing: `parameter` and the reason."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(parameter, reason)
        self.parameter = parameter
        self.reason = reason


def _provider_key(value: str) -> str:
    key = value.strip(PADDING).upper()
    if not (ISO3_CODE.fullmatch(key) or (key.isascii() and key.isdigit() and 0 < int(key))):
        raise ValueError(
            _("“%(value)s” is neither a State's ISO3 code nor an organisation's id.") % {"value": value[:20]}
        )
    return key


# A donor State's ISO3 code or an organisation's id (an id no record can have names no
# organisation: a 400, as for an unknown one); empty means not filtered on.
ProviderKey = Annotated[
    str | None,
    BeforeValidator(blank_is_none),
    AfterValidator(lambda value: None if value is None else _provider_key(value)),
    WithJsonSchema({"type": "string", "pattern": r"^[ \t]*([A-Za-z]{3}|0*[1-9][0-9]{0,18})?[ \t]*$"}),
]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
RegionName = Literal[tuple(Region.values)]  # type: ignore[valid-type]
#: Needs still asked for: open, or partly covered (a gap remains), as the reader sees them.
UNMET = "unmet"
UNMET_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_COVERED)
NeedStatusFilter = Literal[(UNMET, *NeedStatus.values)]  # type: ignore[valid-type]


def _state(code: str, parameter: str) -> State:
    """The State of an ISO3 code given as a filter (UnknownValue naming the parameter if none)."""
    state = State.objects.filter(iso3=code).first()
    if state is None:
        raise UnknownValue(parameter, _("No State has the ISO3 code “%(code)s”.") % {"code": code})
    return state


def _json_list_has(field: str, value: str) -> Q:
    """Records whose JSON list `field` holds `value` (a code from a fixed list, so never
    holding a quote): the quoted value in the list's JSON text, on SQLite and PostgreSQL
    alike (JSON `contains` is PostgreSQL-only)."""
    return Q(**{f"{field}__icontains": f'"{value}"'})


def _provider_q(key: str, parameter: str) -> Q:
    if key.isdigit():
        if int(key) > MAX_ID or not Organisation.objects.filter(pk=int(key)).exists():
            raise UnknownValue(parameter, _("No organisation has the id “%(id)s”.") % {"id": key})
        return Q(provider_organisation_id=int(key))
    return Q(provider_state=_state(key, parameter))


class NeedFilters(Schema):
    """The filters of the needs."""

    state: Iso3Filter = Field(None, description="Only needs of this State (ISO3 code, any case).")
    pillar: Pillar | None = None
    modality: Modality | None = None
    status: NeedStatusFilter | None = Field(
        None, description="Only needs of this status; `unmet`: open or partly covered (the Needs page's default)."
    )
    priority: Priority | None = None
    urgent: bool | None = Field(None, description="true: only needs asking for emergency assistance (Art. 6(6)).")
    region: RegionName | None = Field(None, description="Only needs of States of this region.")
    year: Year | None = Field(None, description="Only needs whose period covers this year.")

    def apply(self, needs):
        # One query more with `state` (the State, so that an unknown code is said to be one).
        if self.state:
            needs = needs.filter(state=_state(self.state, "state"))
        if self.pillar:
            needs = needs.filter(pillar=self.pillar)
        if self.modality:
            needs = needs.filter(modality=self.modality)
        if self.status == UNMET:
            needs = needs.filter(viewer_status__in=UNMET_STATUSES)
        elif self.status:
            needs = needs.filter(viewer_status=self.status)  # the status as the caller sees it
        if self.priority:
            needs = needs.filter(priority=self.priority)
        if self.urgent is not None:
            needs = needs.filter(urgent=self.urgent)
        if self.region:
            needs = needs.filter(state__region=self.region)
        if self.year:
            needs = needs.filter(start_year__lte=self.year, end_year__gte=self.year)
        return needs


class OfferFilters(Schema):
    """The filters of the offers."""

    pillar: Pillar | None = None
    modality: Modality | None = None
    kind: OfferKind | None = None
    urgent: bool | None = Field(None, description="true: only offers that answer urgent requests (Art. 6(6)).")
    region: RegionName | None = Field(None, description="Only offers for this region.")
    state: Iso3Filter = Field(
        None, description="Only offers that name this State (ISO3 code) among those of interest, or its region."
    )
    provider: ProviderKey = Field(None, description="Only offers of this donor State (ISO3 code) or organisation (id).")
    year: Year | None = Field(None, description="Only offers whose period covers this year.")

    def apply(self, offers):
        # One query more with `state`, one with `provider`.
        if self.pillar:
            offers = offers.filter(_json_list_has("pillars", self.pillar))
        if self.modality:
            offers = offers.filter(_json_list_has("modalities", self.modality))
        if self.kind:
            offers = offers.filter(_json_list_has("kinds", self.kind))
        if self.urgent is not None:
            offers = offers.filter(urgent=self.urgent)
        if self.region:
            offers = offers.filter(_json_list_has("regions", self.region))
        if self.state:
            state = _state(self.state, "state")
            named = Offer.states.through.objects.filter(state=state).values("offer_id")
            offers = offers.filter(Q(pk__in=named) | _json_list_has("regions", state.region))
        if self.provider:
            offers = offers.filter(_provider_q(self.provider, "provider"))
        if self.year:
            offers = offers.filter(start_year__lte=self.year, end_year__gte=self.year)
        return offers


class CommitmentFilters(Schema):
    """The filters of the commitments."""

    recipient: Iso3Filter = Field(None, description="Only commitments to this State (ISO3 code).")
    provider: ProviderKey = Field(
        None, description="Only commitments of this donor State (ISO3 code) or organisation (id)."
    )
    pillar: Pillar | None = Field(None, description="Only commitments with a share for this pillar.")
    year: Year | None = Field(None, description="Only commitments with an amount in this year.")
    source: str | None = Field(
        None, max_length=300, description="Only commitments whose source begins so: `manual`, `iati:`, `crs:`, …"
    )

    def apply(self, commitments):
        # One query more with `recipient`, one with `provider`.
        if self.recipient:
            commitments = commitments.filter(recipient=_state(self.recipient, "recipient"))
        if self.provider:
            commitments = commitments.filter(_provider_q(self.provider, "provider"))
        if self.pillar:
            shares = CommitmentPillar.objects.filter(pillar=self.pillar).values("commitment_id")
            commitments = commitments.filter(pk__in=shares)
        if self.year:
            commitments = commitments.filter(pk__in=Flow.objects.filter(year=self.year).values("commitment_id"))
        if self.source:
            commitments = commitments.filter(source__startswith=self.source)
        return commitments


class GapFilters(Schema):
    """The filters of the gap table (the Funding page)."""

    state: list[Iso3Filter] | None = Field(
        None, description="Only these States (ISO3 codes; the parameter repeated; an empty one is left out)."
    )
    region: RegionName | None = Field(None, description="Only States of this region.")
    year: Year | None = None
    pillar: Pillar | None = None

    def rows(self, user) -> list:
        # One query more with `state`, one with `region`.
        rows = queries.gap(user, year=self.year, pillar=self.pillar)
        codes = {code for code in self.state or () if code}
        if codes:
            known = set(State.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
            for code in sorted(codes - known):
                raise UnknownValue("state", _("No State has the ISO3 code “%(code)s”.") % {"code": code})
            rows = [r for r in rows if r.state in codes]
        if self.region:
            in_region = set(State.objects.filter(region=self.region).values_list("iso3", flat=True))
            rows = [r for r in rows if r.state in in_region]
        return rows


LanguageCode = Literal["ar", "zh", "en", "fr", "ru", "es", "pt"]


class SuggestionFilters(Schema):
    """The filters of the suggestions (a need's offers, an offer's needs): the page, the
    API and the `suggestions` command read the same parameters."""

    modality: Modality | None = Field(None, description="Only candidates of this modality.")
    min_usd: float | None = Field(
        None,
        ge=0,
        le=1e15,
        description="Only candidates of at least this many US dollars: an offer's amount a year (at this year's "
        "rate), a need's amount still lacking.",
    )
    from_year: Year | None = Field(None, description="Only candidates whose period has a year from this one on.")
    to_year: Year | None = Field(None, description="Only candidates whose period has a year up to this one.")
    language: LanguageCode | None = Field(None, description="Only candidates that work in this language.")
    hide_restricted: bool | None = Field(
        None, description="true: leave out records restricted to their own parties (or to ISU)."
    )

    @field_validator("to_year")
    @classmethod
    def _not_before_from_year(cls, value, info: ValidationInfo):
        # On `to_year`, so that the refusal names the parameter (the page's field, the API's 422).
        first = info.data.get("from_year")
        if value is not None and first is not None and value < first:
            # Two valid years that do not go together: the API's 400 (api.errors), which no
            # schema can say, where a value that is not a year at all is a 422.
            raise PydanticCustomError(APART, _("The last year comes before the first."))
        return value

    def to_matching(self):
        from article6.assistance.matching import Filters

        return Filters(
            modality=self.modality or "",
            min_usd=self.min_usd,
            year_from=self.from_year,
            year_to=self.to_year,
            language=self.language or "",
            hide_restricted=bool(self.hide_restricted),
        )


def given(filters: Schema) -> dict[str, Any]:
    """The filters given, as text (for the exports' "About" sheet)."""
    return {
        name: ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for name, value in filters.model_dump(mode="json", exclude_none=True).items()
    }


def parameters(schema: type[Schema], query) -> dict[str, Any]:
    """The GET parameters a filter class reads (others are ignored): a list for a filter
    that takes several values (the parameter repeated), else the last value given."""
    result: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        if name not in query:
            continue
        values = [value for value in query.getlist(name) if value != ""]  # empty: not filtered on
        if values:
            several = "list" in repr(field.annotation)
            result[name] = values if several else values[-1]
    return result
