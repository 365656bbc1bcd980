"""Ten times the sample data, for the load test (bench/load.py): the sample's needs, offers
and commitments copied nine times over (each copy's title says which, and every copy is
flagged `is_sample`, fictional like the sample), with their years, pillar shares, amounts
and links to the copied needs; and nine more published sample reports for each of the
sample's (annual updates of other States Parties, over the sample's years, with the
sample's fictional figures). Run inside a Django process on a database that holds the
reference data and the sample."""

from __future__ import annotations

import copy
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction

from article6.assistance import queries
from article6.assistance.models import Commitment, CommitmentNeed, CommitmentPillar, Flow, Need, NeedYear, Offer
from article6.reporting import sample as reporting_sample
from article6.reporting.models import Report
from article6.states.models import State


def _copy(original, **changes):
    record = copy.copy(original)
    record.pk = None
    record.id = None
    record._state = copy.copy(original._state)
    record._state.adding = True
    for name, value in changes.items():
        setattr(record, name, value)
    return record


@transaction.atomic
def multiply_assistance(times: int) -> dict[str, int]:
    """The sample's needs, offers and commitments `times` over in all (the sample plus
    `times - 1` copies); returns how many of each there are then."""
    needs = list(Need.objects.filter(is_sample=True).order_by("pk"))
    offers = list(Offer.objects.filter(is_sample=True).order_by("pk").prefetch_related("states"))
    commitments = list(Commitment.objects.filter(is_sample=True).order_by("pk"))
    years = list(NeedYear.objects.filter(need__in=needs))
    shares = list(CommitmentPillar.objects.filter(commitment__in=commitments))
    flows = list(Flow.objects.filter(commitment__in=commitments))
    links = list(CommitmentNeed.objects.filter(commitment__in=commitments))
    new_needs, new_commitments = [], []
    for k in range(2, times + 1):
        mark = f" (copy {k})"
        copies = Need.objects.bulk_create(_copy(need, title=need.title[:180] + mark) for need in needs)
        need_of = {need.pk: copied.pk for need, copied in zip(needs, copies, strict=True)}
        new_needs += need_of.values()
        NeedYear.objects.bulk_create(_copy(y, need_id=need_of[y.need_id]) for y in years)
        for offer in offers:
            interest = [s.pk for s in offer.states.all()]
            copied = _copy(offer, title=offer.title[:180] + mark)
            copied.save()
            copied.states.set(interest)
        commitment_of = {}
        for commitment in commitments:
            copied = _copy(
                commitment,
                title=commitment.title[:280] + mark,
                source=commitment.source if commitment.source == "manual" else f"{commitment.source}:copy{k}",
            )
            copied.save()
            commitment_of[commitment.pk] = copied.pk
        new_commitments += commitment_of.values()
        CommitmentPillar.objects.bulk_create(_copy(s, commitment_id=commitment_of[s.commitment_id]) for s in shares)
        Flow.objects.bulk_create(_copy(f, commitment_id=commitment_of[f.commitment_id]) for f in flows)
        CommitmentNeed.objects.bulk_create(
            CommitmentNeed(
                commitment_id=commitment_of[link.commitment_id],
                need_id=need_of.get(link.need_id, link.need_id),
                amount=link.amount,
            )
            for link in links
        )
    # The bulk writes send no signal: the copies' stored figures are computed here.
    queries.refresh_figures(new_needs, new_commitments)
    return {
        "needs": Need.objects.filter(is_sample=True).count(),
        "offers": Offer.objects.filter(is_sample=True).count(),
        "commitments": Commitment.objects.filter(is_sample=True).count(),
    }


def multiply_reports(times: int) -> int:
    """Published sample reports up to `times` the sample's count: annual updates, over the
    sample's years, of other States Parties, with the fictional figures of the sample's
    States in turn. A period a State does not owe is passed over. Returns the count."""
    wanted = times * Report.objects.filter(is_sample=True).count()
    isu = reporting_sample._user("isu")
    taken = set(Report.objects.values_list("state_id", "year"))
    figures = itertools.cycle(sorted(reporting_sample.SAMPLE_STATES))
    parties = State.objects.exclude(deposit_date=None).exclude(iso3__in=reporting_sample.SAMPLE_STATES).order_by("iso3")
    for state in parties:
        for year in reporting_sample.SAMPLE_YEARS:
            if Report.objects.filter(is_sample=True).count() >= wanted:
                return wanted
            if (state.pk, year) in taken:
                continue
            like = next(figures)
            try:
                with transaction.atomic():
                    reporting_sample._file(
                        state,
                        isu,
                        isu,
                        year,
                        reporting_sample.yearly_content(like, year),
                        *reporting_sample._filed(like, year),
                    )
            except ValidationError:
                continue
    return Report.objects.filter(is_sample=True).count()
