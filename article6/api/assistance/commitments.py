"""Commitments of assistance, their amounts by year and kind, and what the recipient
confirms it received: list, read, record, confirm."""

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
    provider_fields,
    visible,
)
from article6.api.assistance.schemas import ID_PATH, CommitmentDetail, CommitmentIn, CommitmentPage, ReceiptIn
from article6.api.paging import Paging
from article6.assistance import queries, services
from article6.assistance.filters import CommitmentFilters
from article6.assistance.models import Commitment

router = Router()


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
        "totals": queries.totals(commitment),
        "source": commitment.source,
        "visibility": commitment.visibility,
        "created": commitment.created,
        "is_sample": commitment.is_sample,
    }


def _commitment_detail(request, pk: int) -> dict:
    # Four queries: the commitment with its provider and recipient, its shares, its amounts,
    # the needs it meets that the caller may see.
    commitment = visible(_commitments(request.user), pk, _("commitment"))
    links = queries.commitment_needs(request.user, commitment)
    # How its money is divided, as the caller may see it (queries.division_of, a fixed number more).
    division, _needs = queries.division_of(request.user, commitment)
    return {
        **commitment_out(commitment),
        "yearly": {year: dict(kinds) for year, kinds in queries.yearly(commitment).items()},
        "flows": [
            {
                "kind": f.kind,
                "year": f.year,
                "date": f.date,
                "amount": f.amount,
                "outside_mine_action": f.outside_mine_action,
                "outside_sectors": f.outside_sectors.split(),
                "description": f.description,
            }
            for f in commitment.flows.all()
        ],
        "provided_and_received": [
            {
                "year": d.year,
                "provided": money(d.provided),
                "received": money(d.received),
                "difference": money(d.difference),
                "agrees": d.agrees,
            }
            for d in queries.provided_and_received(commitment)
        ],
        "counted": money(division.counted),
        "outside_needs": money(division.outside_total),
        "needs": [
            {
                "id": link.need.pk,
                "title": link.need.title,
                "amount": money(link.amount),
                "counted": money(division.towards(link.need.pk)),
            }
            for link in links
        ],
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
    values.update(provider_fields(values))
    values["recipient"] = body_state(values.pop("recipient"), "recipient")
    commitment = Commitment()
    apply(commitment, values)
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
    commitment = visible(queries.commitments_for(request.user).prefetch_related(None), id, _("commitment"))
    services.confirm_receipt(request.user, commitment, payload.year, payload.amount, payload.note)
    return _commitment_detail(request, commitment.pk)
