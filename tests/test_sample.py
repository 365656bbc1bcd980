"""The sample needs, offers and commitments: enough to show every list, chart and page
as it will look in use, every record flagged as fictional, the same on every load."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from article6.accounts.models import Visibility
from article6.assistance.models import Channel, Commitment, CommitmentNeed, Flow, Match, Need, NeedStatus, Offer
from article6.assistance.sample import RECIPIENTS
from article6.treaty.models import FactKind, ObligationFact, Pillar


@pytest.fixture
def loaded(reference, monkeypatch):
    monkeypatch.setenv("ARTICLE6_SAMPLE_PASSWORD", "a-sample-password-for-tests")
    started = time.process_time()  # the work done, not the wait for a shared machine
    call_command("load-sample", stdout=StringIO())
    return time.process_time() - started


def snapshot() -> dict:
    return {
        "needs": sorted(Need.objects.values_list("state__iso3", "title", "pillar", "amount", "status", "urgent")),
        "offers": sorted(Offer.objects.values_list("title", "pillars", "visibility", "urgent")),
        "commitments": sorted(Commitment.objects.values_list("source", "recipient__iso3", "channel", "visibility")),
        "flows": sorted(Flow.objects.values_list("commitment__source", "kind", "year", "amount")),
        "links": sorted(CommitmentNeed.objects.values_list("commitment__source", "need__title", "amount")),
        "matches": sorted(Match.objects.values_list("need__title", "offer__title", "need_side", "offer_side")),
    }


def test_the_sample_has_the_size_of_a_system_in_use(loaded):
    needs, offers, commitments = Need.objects.all(), Offer.objects.all(), Commitment.objects.all()
    assert (needs.count(), offers.count(), commitments.count()) == (40, 25, 60)
    assert all(r.is_sample for model in (needs, offers, commitments) for r in model)
    assert all("(sample)" in r.title for model in (needs, offers, commitments) for r in model)
    # 12 affected States Parties, each contaminated (Art. 4) or with survivors (Art. 5); every pillar.
    assert set(needs.values_list("state__iso3", flat=True)) == set(RECIPIENTS) and len(RECIPIENTS) == 12
    contaminated = set(ObligationFact.objects.filter(kind=FactKind.CONTAMINATED).values_list("state__iso3", flat=True))
    assert len(set(RECIPIENTS) & contaminated) == 10
    assert set(needs.values_list("pillar", flat=True)) == set(Pillar.values)
    assert set().union(*offers.values_list("pillars", flat=True)) == set(Pillar.values)
    # Some covered, some partly, some open; some for signed-in readers, some restricted; some urgent.
    statuses = set(needs.values_list("status_all", flat=True))
    assert {NeedStatus.COVERED, NeedStatus.PARTLY_COVERED, NeedStatus.OPEN} <= statuses
    for model in (needs, offers, commitments):
        assert {Visibility.PUBLIC, Visibility.SIGNED_IN, Visibility.RESTRICTED} <= set(
            model.values_list("visibility", flat=True)
        )
    assert needs.filter(urgent=True).exists() and offers.filter(urgent=True).exists()
    assert commitments.filter(channel=Channel.TRUST_FUND).exists()
    # Amounts committed, disbursed and expended over 2019-2026, in US dollars.
    flows = Flow.objects.filter(commitment__is_sample=True)
    assert set(flows.values_list("kind", flat=True)) >= {"committed", "disbursed", "expended", "received"}
    assert set(flows.values_list("year", flat=True)) == set(range(2019, 2027))
    assert set(commitments.values_list("currency", flat=True)) == {"USD"}
    # Matches in every state: accepted (with its commitment), waiting, declined.
    states = {m.state for m in Match.objects.all()}
    assert states == {"accepted", "proposed", "declined"}
    assert Match.objects.get(need_side="accepted", offer_side="accepted").commitment is not None
    # Fast enough to load on every `make run`.
    assert loaded < 10


def test_loading_again_changes_nothing(loaded):
    from article6.reporting.models import Report
    from article6.reporting.needs import file_needs

    # The needs filed from the sample report stay the report's.
    report = Report.objects.get(is_sample=True, state__iso3="LAO", year=2025)  # the full sample update
    filed = file_needs(report.created_by, report)
    assert filed
    before = snapshot()
    call_command("load-sample", stdout=StringIO())
    assert snapshot() == before
    assert {r.need_id for r in report.needs.all()} == {n.pk for n in filed}


def test_the_public_sees_only_the_public_sample_and_its_flag(loaded):
    visitor = Client()
    page = visitor.get(reverse("assistance:needs"), {"limit": 200}).content.decode()
    public = Need.objects.filter(visibility=Visibility.PUBLIC)
    restricted = Need.objects.filter(visibility=Visibility.RESTRICTED).first()
    need = public.first()
    html = visitor.get(reverse("assistance:need", args=[need.pk])).content.decode()
    assert "sample" in html and 'data-testid="sample-banner"' in html
    assert visitor.get(reverse("assistance:need", args=[restricted.pk])).status_code == 404
    assert "sample" in page
    api = visitor.get("/api/v1/needs", {"limit": 200}).json()
    assert api["count"] == public.count() and all(n["is_sample"] for n in api["items"])


def test_remove_takes_every_sample_record_away(loaded):
    call_command("load-sample", "--remove", stdout=StringIO())
    assert not Need.objects.exists() and not Offer.objects.exists() and not Commitment.objects.exists()
    assert not Match.objects.exists()
