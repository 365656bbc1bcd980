"""Every stored figure is computed again, in the same transaction, whenever anything it depends
on changes: a need (its amount, currency, period, pillar, status), its yearly amounts, a
commitment (its currency, visibility, recipient), its pillar shares, its amounts, its links to
needs, or an exchange rate. Writes that touch many records wrap them in
`queries.figures_once()`, so that the figures are computed once, at the end."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save


def _need_changed(sender, instance, **kwargs):
    from article6.assistance import queries

    queries.figures_changed(need_ids=[instance.pk])


def _part_of_need_changed(sender, instance, **kwargs):
    from article6.assistance import queries

    queries.figures_changed(need_ids=[instance.need_id])


def _commitment_changed(sender, instance, **kwargs):
    from article6.assistance import queries

    queries.figures_changed(commitment_ids=[instance.pk])


def _part_of_commitment_changed(sender, instance, **kwargs):
    from article6.assistance import queries

    if getattr(instance, "kind", None) in ("received", "budgeted"):
        return  # a recipient's confirmation and a budget count in no figure of the money

    queries.figures_changed(commitment_ids=[instance.commitment_id])


def _link_changed(sender, instance, **kwargs):
    from article6.assistance import queries

    queries.figures_changed(need_ids=[instance.need_id], commitment_ids=[instance.commitment_id])


def _rate_changed(sender, instance, **kwargs):
    """A rate of a currency and year changes what every amount in that currency counts for."""
    from django.db.models import Q

    from article6.assistance import queries
    from article6.assistance.models import CommitmentNeed

    currency = (instance.currency or "").upper()
    needs = CommitmentNeed.objects.filter(Q(commitment__currency=currency) | Q(need__currency=currency))
    queries.figures_changed(need_ids=list(needs.values_list("need_id", flat=True).distinct()))


def connect() -> None:
    from article6.assistance.models import (
        Commitment,
        CommitmentNeed,
        CommitmentPillar,
        ExchangeRate,
        Flow,
        Need,
        NeedYear,
    )

    uid = "article6-figures"
    post_save.connect(_need_changed, sender=Need, dispatch_uid=f"{uid}-need")
    for model in (NeedYear,):
        post_save.connect(_part_of_need_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-save")
        post_delete.connect(_part_of_need_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-delete")
    post_save.connect(_commitment_changed, sender=Commitment, dispatch_uid=f"{uid}-commitment")
    # A deleted commitment's links are deleted with it, each computing its need again.
    for model in (Flow, CommitmentPillar):
        post_save.connect(_part_of_commitment_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-save")
        post_delete.connect(_part_of_commitment_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-delete")
    post_save.connect(_link_changed, sender=CommitmentNeed, dispatch_uid=f"{uid}-link-save")
    post_delete.connect(_link_changed, sender=CommitmentNeed, dispatch_uid=f"{uid}-link-delete")
    post_save.connect(_rate_changed, sender=ExchangeRate, dispatch_uid=f"{uid}-rate-save")
    post_delete.connect(_rate_changed, sender=ExchangeRate, dispatch_uid=f"{uid}-rate-delete")
