"""Visibility follows the data: into the records linked to a record, a need's coverage and
status, the audit trail, the e-mails, the history pages, drafts and matches. A record a
person may not see is never named to them, never counted in a figure they read, and is a
404 wherever they ask for it."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from pagetools import element, text
from people import everyone

from article6.assistance import matches, services
from article6.assistance.models import Commitment, Need, Offer
from article6.states.models import State

SECRET = "Survivors' rehabilitation in Houaphanh"


@pytest.fixture
def people(reference):
    return everyone()


@pytest.fixture
def lao(reference):
    return State.objects.get(iso3="LAO")


@pytest.fixture
def nor(reference):
    return State.objects.get(iso3="NOR")


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def a_need(people, lao, title="Clearance of two districts", **changes):
    values = {
        "state": lao,
        "title": title,
        "description": "Survey and clearance.",
        "pillar": "clearance",
        "modality": "financial",
        "amount": Decimal("100000"),
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2027,
        **changes,
    }
    return services.save_need(people["isu"], Need(**values))


def a_commitment(people, nor, lao, *, visibility="public", committed="37123", needs=(), title="Support to Lao"):
    commitment = Commitment(
        provider_state=nor,
        recipient=lao,
        title=title,
        channel="bilateral",
        currency="USD",
        visibility=visibility,
    )
    return services.save_commitment(
        people["isu"],
        commitment,
        pillar_shares={"clearance": Decimal(100)},
        amounts=[services.Amount("committed", 2026, Decimal(committed))],
        needs={need.pk: None for need in needs},
    )


def an_offer(people, nor, lao):
    offer = Offer.objects.create(
        provider_state=nor,
        title="Clearance funding for Asia",
        description="Funding for survey and land release.",
        pillars=["clearance"],
        modalities=["financial"],
        kinds=["funding"],
        regions=["Asia"],
        start_year=2026,
        end_year=2027,
        created_by=people["norway_partner"],
    )
    offer.states.set([lao])
    return offer


# --- A restricted need linked to a public commitment ------------------------------------------


@pytest.fixture
def linked(people, nor, lao):
    """ISU links a restricted need of Lao to a public commitment of Norway."""
    hidden = a_need(people, lao, title=SECRET, visibility="restricted")
    public = a_need(people, lao, title="Clearance of two districts")
    commitment = a_commitment(people, nor, lao, needs=[hidden, public])
    return commitment, hidden, public


@pytest.mark.parametrize("role", ["anonymous", "no_role", "lebanon_focal_point", "norway_partner"])
def test_a_restricted_need_is_never_named_with_the_commitment_it_is_linked_to(client, people, linked, role):
    commitment, hidden, public = linked
    as_user(client, people[role])
    page = html.unescape(client.get(commitment.get_absolute_url()).content.decode())
    assert "Clearance of two districts" in page and SECRET not in page
    detail = client.get(f"/api/v1/commitments/{commitment.pk}").json()
    assert [n["title"] for n in detail["needs"]] == ["Clearance of two districts"]
    for export in ("csv", "xlsx"):
        assert SECRET.encode() not in client.get(reverse("assistance:export_commitments", args=[export])).content
    assert SECRET.encode() not in client.get(reverse("assistance:export_iati")).content
    # From the other side: the need page and the API list the commitment.
    assert client.get(f"/api/v1/needs/{public.pk}").json()["commitments"] == [commitment.pk]
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", ["lao_focal_point", "coordinator", "isu"])
def test_those_who_may_see_the_need_see_it_with_the_commitment(client, people, linked, role):
    commitment, hidden, public = linked
    as_user(client, people[role])
    page = html.unescape(client.get(commitment.get_absolute_url()).content.decode())
    assert SECRET in page
    detail = client.get(f"/api/v1/commitments/{commitment.pk}").json()
    assert sorted(n["title"] for n in detail["needs"]) == sorted([SECRET, "Clearance of two districts"])


# --- The audit trail of a match -----------------------------------------------------------------


@pytest.fixture
def match(people, nor, lao):
    need = a_need(people, lao)
    offer = an_offer(people, nor, lao)
    return matches.propose(people["coordinator"], need, offer, "Worth a look")


def test_a_matchs_history_never_names_a_commitment_the_reader_may_not_see(client, people, match, nor, lao):
    for side in ("state", "provider"):
        matches.answer(people["isu"], match, side, True)
    secret = a_commitment(people, nor, lao, visibility="isu_only", needs=[match.need], title="Confidential grant")
    match.commitment = secret
    match._history_user = people["isu"]
    match.save()
    for role in ("coordinator", "norway_partner", "lao_focal_point"):
        as_user(client, people[role])
        page = html.unescape(client.get(reverse("assistance:match", args=[match.pk])).content.decode())
        history = text(element(page, "history"))
        assert "a record you cannot see" in history, role
        assert "Confidential grant" not in page, role
    as_user(client, people["isu"])
    page = html.unescape(client.get(reverse("assistance:match", args=[match.pk])).content.decode())
    assert "Confidential grant" in text(element(page, "history"))


# --- History pages -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["need", "offer", "commitment"])
def test_the_history_of_a_hidden_record_is_a_404_like_its_page(client, people, nor, lao, kind):
    if kind == "need":
        record = a_need(people, lao, visibility="isu_only")
    elif kind == "offer":
        record = an_offer(people, nor, lao)
        record.visibility = "isu_only"
        record.save()
    else:
        record = a_commitment(people, nor, lao, visibility="isu_only")
    as_user(client, people["lebanon_focal_point"])
    assert client.get(record.get_absolute_url()).status_code == 404
    assert client.get(reverse("assistance:history", args=[kind, record.pk])).status_code == 404
    assert client.get(reverse("assistance:history", args=[kind, 999999])).status_code == 404
    as_user(client, people["isu"])
    assert client.get(reverse("assistance:history", args=[kind, record.pk])).status_code == 200


def test_the_history_of_a_visible_record_one_may_not_change_is_a_403(client, people, lao):
    need = a_need(people, lao)
    as_user(client, people["lebanon_focal_point"])
    assert client.get(reverse("assistance:history", args=["need", need.pk])).status_code == 403
