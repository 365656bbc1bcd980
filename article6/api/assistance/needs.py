"""Needs for assistance that affected States state: list, read, file, change."""

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
    body_state,
    money,
    visible,
)
from article6.api.assistance.schemas import ID_PATH, NeedDetail, NeedIn, NeedPage, NeedPatch
from article6.api.paging import Paging
from article6.assistance import queries, services
from article6.assistance.filters import NeedFilters
from article6.assistance.models import Need

router = Router()


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
        "amount": money(need.amount),
        "currency": need.currency,
        "yearly": {y.year: y.amount for y in need.yearly.all()},
        "start_year": need.start_year,
        "end_year": need.end_year,
        "quantity": money(need.quantity),
        "quantity_unit": need.quantity_unit,
        "declared_status": need.declared_status,
        # What the caller may see: only the commitments they may read are counted.
        "status": need.seen_status,
        "covered_amount": money(need.seen_covered),
        "coverage": need.coverage,
        "over_covered": need.over_covered,
        "not_counted": [{"amount": money(m.amount), "currency": m.currency, "year": m.year} for m in need.seen_missing],
        "national_plan": need.national_plan,
        "national_resources": money(need.national_resources),
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
    need = visible(queries.needs_for(request.user), pk, _("need"))
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
    apply(need, values)
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
    state = body_state(values.pop("state"), "state")
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
    need = visible(queries.needs_for(request.user), id, _("need"))
    values = payload.model_dump(exclude_unset=True)
    # Left out, the stored yearly amounts stay and services.save_need checks them again.
    yearly = (values.pop("yearly") or {}) if "yearly" in values else services.KEEP
    return _save_need(request, need, values, yearly)
