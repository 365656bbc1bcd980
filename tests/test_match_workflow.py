"""The matching workflow: a coordinator sees the offers suggested for a need and proposes
one; both sides are told by e-mail; each side accepts or declines with a note; once
both accept, the match pre-fills the commitment. Only coordinators and ISU propose; only
the need's State's focal points answer for the State and the provider's for the
provider; a record one may not see is a 404, a step one may not take a 403 that says
what is lacking."""

import html
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from pagetools import element, text
from people import person, sample_ngo

from article6.accounts.models import Role, RoleKind
from article6.assistance import matches
from article6.assistance.models import ExchangeRate, Match, Need, NeedYear, Offer

HTMX = {"HX-Request": "true"}


@pytest.fixture
def need(people, lao):
    need = Need.objects.create(
        state=lao,
        title="Land release in Xieng Khouang",
        description="Survey and land release of cluster munition remnants.",
        pillar="clearance",
        modality="financial",
        amount=Decimal("300000"),
        currency="USD",
        start_year=2026,
        end_year=2028,
        languages=["en", "fr"],
        created_by=people["lao_focal_point"],
    )
    for year, amount in ((2026, "150000"), (2027, "100000"), (2028, "50000")):
        NeedYear.objects.create(need=need, year=year, amount=Decimal(amount))
    return need


@pytest.fixture
def offer(people, nor, lao):
    offer = Offer.objects.create(
        provider_state=nor,
        title="Clearance funding for Asia",
        description="Funding for survey and land release.",
        pillars=["clearance"],
        modalities=["financial"],
        kinds=["funding"],
        regions=["Asia"],
        languages=["en"],
        amount_per_year=Decimal("80000"),
        currency="EUR",
        start_year=2026,
        end_year=2027,
        created_by=people["norway_partner"],
    )
    offer.states.set([lao])
    return offer


@pytest.fixture
def ngo_offer(people):
    return Offer.objects.create(
        provider_organisation=sample_ngo(),
        title="Deminers for hire",
        description="Technical survey teams.",
        pillars=["clearance"],
        modalities=["technical"],
        kinds=["experts"],
        start_year=2026,
        end_year=2030,
        created_by=people["ngo_partner"],
    )


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def propose(client, need, offer, note="", headers=None):
    data = {"need": need.pk, "offer": offer.pk, "note": note, "from": "need"}
    return client.post(reverse("assistance:propose_match"), data, headers=headers or {})


def answer(client, match, side, decision, note="", headers=None):
    data = {"side": side, "decision": decision, "note": note}
    return client.post(reverse("assistance:answer_match", args=[match.pk]), data, headers=headers or {})


def seen(fragment: str) -> str:
    """What a reader sees, entities decoded."""
    return html.unescape(text(fragment))


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# --- Suggestions ----------------------------------------------------------------------------


def test_a_coordinator_sees_the_offers_for_a_need_with_their_reasons_and_proposes(client, people, need, offer):
    as_user(client, people["coordinator"])
    page = client.get(reverse("assistance:need_suggestions", args=[need.pk])).content.decode()
    row = element(page, "suggestion")
    reasons = seen(element(row, "reasons"))
    assert "Clearance funding for Asia" in seen(row)
    assert "Same pillar: clearance" in reasons
    assert "Lao People's Democratic Republic is among the States of interest" in reasons
    assert "Works in English" in reasons
    assert "Periods overlap 2026–2027" in reasons
    assert ">Propose</button>" in row


def test_a_focal_point_sees_suggestions_but_no_propose_button(client, people, need, offer):
    as_user(client, people["lao_focal_point"])
    page = client.get(reverse("assistance:need_suggestions", args=[need.pk])).content.decode()
    assert "Clearance funding for Asia" in page
    assert ">Propose</button>" not in page


def test_the_needs_an_offer_fits(client, people, need, offer):
    as_user(client, people["norway_partner"])
    page = client.get(reverse("assistance:offer_suggestions", args=[offer.pk])).content.decode()
    row = element(page, "suggestion")
    assert "Land release in Xieng Khouang" in seen(row) and "Same pillar: clearance" in seen(row)


def test_a_restricted_offer_is_suggested_only_to_those_who_may_see_it(client, people, need, ngo_offer):
    ngo_offer.visibility = "restricted"
    ngo_offer.save()
    url = reverse("assistance:need_suggestions", args=[need.pk])
    as_user(client, people["lao_focal_point"])
    assert "Deminers for hire" not in client.get(url).content.decode()
    as_user(client, people["coordinator"])
    page = client.get(url).content.decode()
    # The coordinator sees it, but it cannot be proposed: the State could not read it.
    assert "Deminers for hire" in page
    assert "restricted to its own parties" in seen(element(page, "cannot-propose"))


def test_no_suggestions_for_a_closed_need_and_404_for_a_need_one_may_not_see(client, people, need, offer):
    need.status = need.declared_status = "closed"
    need.save()
    as_user(client, people["coordinator"])
    page = client.get(reverse("assistance:need_suggestions", args=[need.pk])).content.decode()
    assert "This need is closed" in seen(element(page, "not-open"))
    need.visibility = "isu_only"
    need.save()
    assert client.get(reverse("assistance:need_suggestions", args=[need.pk])).status_code == 404
    assert client.get(reverse("assistance:need_suggestions", args=[999999])).status_code == 404
    as_user(client, people["isu"])
    assert client.get(reverse("assistance:need_suggestions", args=[need.pk])).status_code == 200


# --- Proposing ------------------------------------------------------------------------------


def test_proposing_stores_score_and_reasons_and_tells_both_sides(
    client, people, need, offer, django_capture_on_commit_callbacks
):
    person("lao.second@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": need.state})
    no_address = get_user_model().objects.create_user(username="no-address", email="")
    Role.objects.create(user=no_address, kind=RoleKind.STATE_FOCAL_POINT, state=need.state)  # skipped
    as_user(client, people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = propose(client, need, offer, note="A good fit, I think.", headers=HTMX)
    assert response.status_code == 200
    match = Match.objects.get()
    assert (match.need, match.offer, match.proposed_by, match.note) == (
        need,
        offer,
        people["coordinator"],
        "A good fit, I think.",
    )
    assert match.state == "proposed" and 0 < match.score <= 100
    assert {r["code"] for r in match.reasons} >= {"pillar", "modality", "state", "period", "language"}
    assert match.history.get().history_user == people["coordinator"]
    row = response.content.decode()
    assert f'id="suggestion-{need.pk}-{offer.pk}"' in row and "See the match" in row and ">Propose<" not in row

    assert recipients() == ["lao.second@example.org", "lao@example.org", "nor@example.org"]
    to_state = next(m for m in mail.outbox if m.to == ["lao@example.org"])
    to_provider = next(m for m in mail.outbox if m.to == ["nor@example.org"])
    assert "Land release in Xieng Khouang" in to_state.subject
    assert "As a focal point of Lao People's Democratic Republic" in to_state.body
    assert "As a focal point of Norway" in to_provider.body
    assert f"/matches/{match.pk}/" in to_state.body and "Same pillar: clearance" in to_state.body
    assert "A good fit, I think." in to_provider.body


def test_proposing_without_htmx_leads_to_the_match(client, people, need, offer):
    as_user(client, people["isu"])
    response = propose(client, need, offer)
    match = Match.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assistance:match", args=[match.pk])


@pytest.mark.parametrize("role", ["lao_focal_point", "norway_partner", "ngo_partner", "no_role"])
def test_only_coordinators_and_isu_propose(client, people, need, offer, role):
    as_user(client, people[role])
    response = propose(client, need, offer, headers=HTMX)
    assert response.status_code == 403
    assert "Only coordinators and ISU staff propose matches." in response.content.decode()
    assert not Match.objects.exists()


def test_the_anonymous_visitor_is_sent_to_sign_in(client, need, offer):
    response = propose(client, need, offer)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Match.objects.exists()


def test_forged_ids_are_404(client, people, need, offer):
    as_user(client, people["coordinator"])
    assert client.post(reverse("assistance:propose_match"), {"need": 999999, "offer": offer.pk}).status_code == 404
    assert client.post(reverse("assistance:propose_match"), {"need": need.pk, "offer": "x"}).status_code == 404
    assert client.post(reverse("assistance:propose_match"), {}).status_code == 404
    offer.visibility = "isu_only"
    offer.save()
    assert propose(client, need, offer).status_code == 404
    assert not Match.objects.exists()


def test_a_match_is_proposed_once(client, people, need, offer):
    as_user(client, people["coordinator"])
    propose(client, need, offer, headers=HTMX)
    response = propose(client, need, offer, headers=HTMX)
    assert response.status_code == 422
    assert "already been proposed" in seen(element(response.content.decode(), "row-error"))
    response = propose(client, need, offer)
    assert response.status_code == 302
    assert Match.objects.count() == 1


def test_only_open_needs_and_active_offers_are_matched(client, people, need, offer):
    as_user(client, people["coordinator"])
    offer.is_active = False
    offer.save()
    response = propose(client, need, offer, headers=HTMX)
    assert response.status_code == 422 and "not open to new requests" in response.content.decode()
    offer.is_active = True
    offer.save()
    need.status = need.declared_status = "withdrawn"
    need.save()
    response = propose(client, need, offer, headers=HTMX)
    assert response.status_code == 422 and "only open or partly covered needs are matched" in response.content.decode()
    assert not Match.objects.exists()


# --- Answering ------------------------------------------------------------------------------


@pytest.fixture
def match(people, need, offer):
    return matches.propose(people["coordinator"], need, offer, "Proposed in a test.")


def test_both_sides_accept_and_the_commitment_is_prefilled(
    client, people, match, need, offer, django_capture_on_commit_callbacks
):
    ExchangeRate.objects.create(currency="EUR", year=2026, usd_per_unit=Decimal("1.25"))
    ExchangeRate.objects.create(currency="EUR", year=2027, usd_per_unit=Decimal("1.25"))
    as_user(client, people["norway_partner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client, match, "provider", "accept", "Happy to.")
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.offer_side, match.offer_note, match.state) == ("accepted", "Happy to.", "proposed")
    # Both sides and the coordinator who proposed it are told.
    assert recipients() == ["coord@example.org", "lao@example.org", "nor@example.org"]
    assert all("Norway accepted the match" in m.subject for m in mail.outbox)
    mail.outbox.clear()

    as_user(client, people["lao_focal_point"])
    with django_capture_on_commit_callbacks(execute=True):
        answer(client, match, "state", "accept")
    match.refresh_from_db()
    assert match.state == "accepted"
    assert match.history.latest().history_user == people["lao_focal_point"]
    assert "Both sides have accepted" in mail.outbox[0].body and "/commitments/new/?match=" in mail.outbox[0].body

    # The provider's focal point is offered to record the commitment.
    as_user(client, people["norway_partner"])
    page = client.get(reverse("assistance:match", args=[match.pk])).content.decode()
    assert seen(element(page, "record-commitment")) == "Record the commitment"
    assert f'href="/commitments/new/?match={match.pk}"' in page
    assert 'data-testid="answer-provider"' not in page  # answered already

    # 80,000 EUR a year is 100,000 USD: the need's 150,000 in 2026 is capped, 100,000 in
    # 2027 stands, 2028 is outside the offer's period.
    assert matches.commitment_initial(match) == {
        "provider_state": offer.provider_state_id,
        "provider_organisation": None,
        "recipient": need.state_id,
        "title": "Clearance funding for Asia: Land release in Xieng Khouang",
        "description": need.description,
        "currency": "USD",
        "pillar_shares": "clearance: 100",
        "amounts": "committed 2026 100000\ncommitted 2027 100000",
        "needs_met": [need.pk],
        "visibility": "public",
    }


def test_declining_needs_a_note_and_a_declined_match_cannot_be_accepted(
    client, people, match, django_capture_on_commit_callbacks
):
    as_user(client, people["lao_focal_point"])
    response = answer(client, match, "state", "decline", "", headers=HTMX)
    assert response.status_code == 422
    assert "Say why the match is declined." in seen(element(response.content.decode(), "row-error"))
    match.refresh_from_db()
    assert match.need_side == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client, match, "state", "decline", "Already covered by another donor.", headers=HTMX)
    assert response.status_code == 200
    row = response.content.decode()
    assert f'id="match-{match.pk}"' in row and 'data-state="declined"' in row
    match.refresh_from_db()
    assert (match.need_side, match.need_note, match.state) == (
        "declined",
        "Already covered by another donor.",
        "declined",
    )
    assert all("declined the match" in m.subject for m in mail.outbox)
    assert "Already covered by another donor." in mail.outbox[0].body

    as_user(client, people["norway_partner"])
    response = answer(client, match, "provider", "accept", headers=HTMX)
    assert response.status_code == 422 and "cannot be accepted any more" in response.content.decode()
    match.refresh_from_db()
    assert match.offer_side == "pending"


@pytest.mark.parametrize(
    ("role", "side", "status"),
    [
        ("lao_focal_point", "state", 302),
        ("isu", "state", 302),
        ("isu", "provider", 302),
        ("norway_partner", "provider", 302),
        ("lebanon_focal_point", "state", 403),
        ("norway_partner", "state", 403),
        ("lao_focal_point", "provider", 403),
        ("ngo_partner", "provider", 403),
        ("coordinator", "state", 403),
        ("coordinator", "provider", 403),
        ("no_role", "state", 404),  # an account without a role sees no match at all
    ],
)
def test_each_side_answers_for_itself(client, people, match, role, side, status):
    as_user(client, people[role])
    response = answer(client, match, side, "accept")
    assert response.status_code == status, (role, side)
    match.refresh_from_db()
    answered = match.need_side if side == "state" else match.offer_side
    assert answered == ("accepted" if status == 302 else "pending")
    if status == 403:
        assert "ISU staff answer for the" in response.content.decode()


def test_a_match_one_may_not_see_is_404(client, people, match, need):
    as_user(client, people["coordinator"])
    assert client.get(reverse("assistance:match", args=[999999])).status_code == 404
    need.visibility = "isu_only"
    need.save()
    assert client.get(reverse("assistance:match", args=[match.pk])).status_code == 404
    assert answer(client, match, "state", "accept").status_code == 404
    as_user(client, people["isu"])
    assert client.get(reverse("assistance:match", args=[match.pk])).status_code == 200


def test_the_match_page_shows_both_sides_and_the_forms_for_ones_own_side(client, people, match):
    matches.answer(people["norway_partner"], match, "provider", False, "No funds left this year.")
    match.refresh_from_db()
    url = reverse("assistance:match", args=[match.pk])

    as_user(client, people["lao_focal_point"])
    page = client.get(url).content.decode()
    assert "No funds left this year." in seen(element(page, "offer-note"))
    assert seen(element(page, "match-state")) == "declined"
    assert 'data-testid="answer-state"' not in page  # declined: nothing more to answer

    other = Match.objects.create(
        need=match.need, offer=_second_offer(people), score=50, reasons=[], proposed_by=people["coordinator"]
    )
    page = client.get(reverse("assistance:match", args=[other.pk])).content.decode()
    assert 'data-testid="answer-state"' in page and 'data-testid="answer-provider"' not in page
    as_user(client, people["isu"])
    page = client.get(reverse("assistance:match", args=[other.pk])).content.decode()
    assert 'data-testid="answer-state"' in page and 'data-testid="answer-provider"' in page
    assert 'data-testid="history"' in page
    as_user(client, people["coordinator"])
    page = client.get(reverse("assistance:match", args=[other.pk])).content.decode()
    assert 'data-testid="answer-state"' not in page and 'data-testid="answer-provider"' not in page
    client.logout()
    assert client.get(url).status_code == 302  # sign in first


def _second_offer(people):
    offer = Offer.objects.get()
    offer.pk = None
    offer.title = "Second offer"
    offer.save()
    return offer


# --- The list -------------------------------------------------------------------------------


def test_the_list_of_matches_filters_by_state_and_answers_in_the_row(client, people, match, need, offer):
    second = Match.objects.create(
        need=need, offer=_second_offer(people), score=50, reasons=["Written by hand"], proposed_by=people["isu"]
    )
    matches.answer(people["lao_focal_point"], second, "state", False, "Not now.")
    as_user(client, people["lao_focal_point"])
    listing = reverse("assistance:matches")
    assert len(client.get(listing).context["rows"]) == 2
    declined = client.get(listing, {"state": "declined"}).content.decode()
    assert seen(element(declined, "matches")).count("Second offer") == 1
    assert "Clearance funding for Asia" not in seen(element(declined, "matches"))
    proposed = client.get(listing, {"state": "proposed"}).content.decode()
    assert "Clearance funding for Asia" in proposed and "Accept for the State" in proposed
    assert "no-matches" in client.get(listing, {"state": "accepted"}).content.decode()

    response = answer(client, match, "state", "accept", headers=HTMX)
    row = response.content.decode()
    assert response.status_code == 200 and f'id="match-{match.pk}"' in row
    assert "Accept for the State" not in row  # answered
