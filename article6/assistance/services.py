"""Writing assistance records: needs, offers, commitments and their amounts, the
recipient's confirmation. Pages, the API and imports all come through here: each
function asks the permission layer, validates every record before writing, writes in
one transaction, records who did it in the audit trail, and keeps the needs' status
rolled up from their commitments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from article6.accounts.permissions import require
from article6.assistance import notifications, queries
from article6.assistance.models import (
    Commitment,
    CommitmentNeed,
    CommitmentPillar,
    DeclaredNeedStatus,
    Flow,
    FlowKind,
    Need,
    NeedYear,
    Offer,
)

PROVIDER_KINDS = (FlowKind.PLEDGED, FlowKind.COMMITTED, FlowKind.DISBURSED, FlowKind.EXPENDED, FlowKind.BUDGETED)


def _save(record, user) -> None:
    record.full_clean()
    record._history_user = user
    record.save()


# --- Needs ----------------------------------------------------------------------------------


#: save_need(..., yearly=KEEP): the need keeps its stored yearly amounts, checked again.
KEEP = object()


def _check_yearly(need: Need, yearly: dict[int, Decimal]) -> None:
    """Yearly amounts fall within the period and add up to the amount needed."""
    errors = []
    negative = sorted(y for y, amount in yearly.items() if amount < 0)
    if negative:
        errors.append(_("Negative amounts for: %(years)s.") % {"years": ", ".join(map(str, negative))})
    outside = sorted(y for y in yearly if not (need.start_year <= y <= need.end_year))
    if outside:
        errors.append(_("Years outside the period: %(years)s.") % {"years": ", ".join(map(str, outside))})
    if need.amount is not None and sum(yearly.values(), Decimal(0)) != need.amount:
        errors.append(
            _("The yearly amounts add up to %(sum)s, not to the amount needed, %(amount)s.")
            % {"sum": sum(yearly.values(), Decimal(0)), "amount": need.amount}
        )
    if errors:
        raise ValidationError({"yearly": errors})


@transaction.atomic
@queries.figures_once()
def save_need(user, need: Need, yearly=KEEP) -> Need:
    """Create or update a need (its State set). `yearly` (year → amount) replaces the
    yearly amounts; None or {} removes them; KEEP (the default) keeps those stored and
    checks them again, so that a change of the amount or the period cannot leave
    yearly amounts outside the period or adding up to another amount. Yearly amounts
    must fall within the period and add up to the amount needed."""
    was_open = False
    if need.pk is None:
        require(user, "assistance.add_need_for", need.state, state=need.state)
        need.created_by = user
    else:
        stored = Need.objects.select_related("state").get(pk=need.pk)
        was_open = stored.declared_status != DeclaredNeedStatus.DRAFT
        require(user, "assistance.change_need", stored, state=stored.state)
        if stored.state_id != need.state_id:
            raise PermissionDenied(_("A need stays with the State that filed it."))
    checked = yearly
    if yearly is KEEP:
        checked = dict(NeedYear.objects.filter(need=need).values_list("year", "amount")) if need.pk else {}
    if checked:
        _check_yearly(need, checked)
    _save(need, user)
    if yearly is not KEEP:
        yearly = yearly or {}
        NeedYear.objects.filter(need=need).exclude(year__in=list(yearly)).delete()
        for year, amount in sorted(yearly.items()):
            row, _created = NeedYear.objects.get_or_create(need=need, year=year, defaults={"amount": amount})
            if row.amount != amount:
                row.amount = amount
                row._history_user = user
                row.save()
    queries.figures_changed(need_ids=[need.pk])
    if not was_open and need.declared_status == DeclaredNeedStatus.OPEN:
        # Filed, or out of its draft: the coordinators who follow its pillar are told.
        need_id = need.pk
        transaction.on_commit(lambda: notifications.need_filed(need_id))
    need.refresh_from_db()
    return need


# --- Offers ---------------------------------------------------------------------------------


@transaction.atomic
def save_offer(user, offer: Offer, states: Iterable | None = None) -> Offer:
    """Create or update an offer for a provider the user speaks for."""
    if offer.pk is not None:
        require(user, "assistance.change_offer", Offer.objects.get(pk=offer.pk))
    require(user, "assistance.publish_offer_for", offer)
    if offer.pk is None:
        offer.created_by = user
    _save(offer, user)
    if states is not None:
        offer.states.set(list(states))
    return offer


# --- Commitments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    kind: str
    year: int
    amount: Decimal
    date: object = None
    description: str = ""


@transaction.atomic
@queries.figures_once()
def save_commitment(
    user,
    commitment: Commitment,
    *,
    pillar_shares: dict[str, Decimal] | None = None,
    amounts: Iterable[Amount] | None = None,
    needs: dict[int, Decimal | None] | None = None,
) -> Commitment:
    """Create or update a commitment with its pillar shares, its amounts as the provider
    reports them (these replace the earlier ones; the recipient's confirmations stay) and
    the needs it meets (need id → amount towards it, or None for all of it)."""
    if commitment.pk is not None:
        require(user, "assistance.change_commitment", Commitment.objects.get(pk=commitment.pk))
    require(user, "assistance.record_commitment_for", commitment)
    if commitment.pk is None:
        commitment.created_by = user
    if pillar_shares is not None:
        from article6.treaty.models import Pillar

        unknown = sorted(set(pillar_shares) - set(Pillar.values))
        if unknown:
            raise ValidationError({"pillar_shares": _("Unknown pillar: %(names)s.") % {"names": ", ".join(unknown)}})
        total = sum(pillar_shares.values(), Decimal(0))
        if pillar_shares and total != 100:
            raise ValidationError(
                {"pillar_shares": _("The pillar shares add up to %(total)s%%, not 100%%.") % {"total": total}}
            )
    amounts = list(amounts) if amounts is not None else None
    if amounts is not None:
        wrong = [a.kind for a in amounts if a.kind not in PROVIDER_KINDS]
        if wrong:
            raise ValidationError(
                {"amounts": _("The provider reports pledged, committed, disbursed, expended or budgeted amounts.")}
            )
    _save(commitment, user)
    if pillar_shares is not None:
        CommitmentPillar.objects.filter(commitment=commitment).exclude(pillar__in=list(pillar_shares)).delete()
        for pillar, share in pillar_shares.items():
            CommitmentPillar.objects.update_or_create(commitment=commitment, pillar=pillar, defaults={"share": share})
    if amounts is not None:
        Flow.objects.filter(commitment=commitment, kind__in=PROVIDER_KINDS).delete()
        for a in amounts:
            flow = Flow(
                commitment=commitment, kind=a.kind, year=a.year, amount=a.amount, date=a.date, description=a.description
            )
            _save(flow, user)
    touched = set(commitment.needs.values_list("pk", flat=True))
    if needs is not None:
        visible = set(queries.needs_for(user).filter(pk__in=list(needs)).values_list("pk", flat=True))
        unknown = set(needs) - visible
        if unknown:
            raise ValidationError(
                {"needs": _("Unknown need: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))}}
            )
        wrong_state = Need.objects.filter(pk__in=list(needs)).exclude(state_id=commitment.recipient_id)
        if wrong_state.exists():
            raise ValidationError({"needs": _("A commitment meets only needs of its recipient State.")})
        _check_links(commitment, needs)
        CommitmentNeed.objects.filter(commitment=commitment).exclude(need_id__in=list(needs)).delete()
        for need_id, amount in needs.items():
            CommitmentNeed.objects.update_or_create(commitment=commitment, need_id=need_id, defaults={"amount": amount})
        touched |= set(needs)
    queries.figures_changed(need_ids=touched, commitment_ids=[commitment.pk])
    return commitment


def _check_links(commitment: Commitment, needs: dict[int, Decimal | None]) -> None:
    """The amounts linked to needs never exceed what the commitment has for them (rules.link_excess):
    refused, naming the need, the amount and what there is."""
    from article6.assistance import rules
    from article6.states.templatetags.article6_tags import money as money_text

    if not any(amount is not None for amount in needs.values()):
        return
    stored = Commitment.objects.prefetch_related("pillar_shares", "flows").select_related("recipient")
    record = queries.commitment_in(stored.get(pk=commitment.pk))
    pillars = dict(Need.objects.filter(pk__in=list(needs)).values_list("pk", "pillar"))
    excess = rules.link_excess(record, {pk: (pillars[pk], amount) for pk, amount in needs.items()})
    if not excess:
        return
    currency = commitment.currency
    messages = []
    for e in excess:
        figures = {
            "asked": money_text(e.asked),
            "available": money_text(e.available),
            "currency": currency,
            "need": e.need,
        }
        if e.need is not None:
            messages.append(
                _(
                    "Need %(need)s: %(asked)s %(currency)s linked, more than the commitment has for its pillar "
                    "(%(available)s %(currency)s: the larger of what is committed and what is paid, or what is "
                    "pledged)."
                )
                % figures
            )
        else:
            messages.append(
                _(
                    "The amounts linked to needs add up to %(asked)s %(currency)s, more than the commitment has "
                    "for them (%(available)s %(currency)s)."
                )
                % figures
            )
    raise ValidationError({"needs": messages})


@transaction.atomic
def confirm_receipt(user, commitment: Commitment, year: int, amount: Decimal, note: str = "") -> Flow:
    """The recipient State confirms what it received in a year (replacing an earlier
    confirmation for that year). Shown beside the provider's disbursements."""
    require(user, "assistance.confirm_receipt", commitment, state=commitment.recipient)
    Flow.objects.filter(commitment=commitment, kind=FlowKind.RECEIVED, year=year).delete()
    flow = Flow(commitment=commitment, kind=FlowKind.RECEIVED, year=year, amount=amount, description=note[:500])
    _save(flow, user)
    return flow


@transaction.atomic
def attach_evidence(user, need: Need, upload):
    """Keep a document that shows the need, of an allowed kind and size and holding what
    its name says (importing.check_upload, as forms.EvidenceForm checks it)."""
    from article6.assistance.models import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES, NeedAttachment
    from article6.importing import check_upload

    require(user, "assistance.change_need", need, state=need.state)
    check_upload(upload, EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES)
    attachment = NeedAttachment(need=need, name=upload.name[:200], size=upload.size, uploaded_by=user)
    attachment.file.save(upload.name, upload, save=False)
    attachment._history_user = user
    attachment.save()
    return attachment


@transaction.atomic
def remove_evidence(user, attachment) -> None:
    require(user, "assistance.change_need", attachment.need, state=attachment.need.state)
    attachment._history_user = user
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
