"""Offers of assistance from donor States and organisations: list, read, publish, change."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Query, Router

from article6.api.assistance.common import (
    DETAIL_RESPONSES,
    LIST_RESPONSES,
    READ,
    WRITE,
    WRITE_RESPONSES,
    Status,
    apply,
    body_states,
    money,
    provider_fields,
    visible,
)
from article6.api.assistance.schemas import ID_PATH, OfferIn, OfferOut, OfferPage, OfferPatch
from article6.api.paging import Paging
from article6.assistance import queries, services
from article6.assistance.filters import OfferFilters
from article6.assistance.models import Offer

router = Router()


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
        "amount_per_year": money(offer.amount_per_year),
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
    return offer_out(visible(queries.offers_for(request.user), pk, _("offer")))


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
    values.update(provider_fields(values))
    codes = values.pop("states", None)
    states = body_states(codes, "states") if codes is not None else None
    apply(offer, values)
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
    offer = visible(queries.offers_for(request.user), id, _("offer"))
    return _save_offer(request, offer, payload.model_dump(exclude_unset=True))
