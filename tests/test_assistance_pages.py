"""The assistance pages: a State's focal point files a need, a partner publishes an
offer and records a commitment against it, the need's status follows, the recipient
confirms what it received, and the Funding page and the donor's view add it all up.
Only a State's own focal points file its needs; only a provider's own focal points
speak for it; what is restricted stays with the parties named."""

import csv
import io
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from pagetools import element, text
from people import sample_ngo

from article6.assistance.models import Commitment, Flow, Need, Offer
from article6.states.models import State

NEED = {
    "state": None,  # set per test
    "title": "Clearance of two districts",
    "description": "Technical survey and clearance of confirmed hazardous areas.",
    "pillar": "clearance",
    "modality": "financial",
    "quantity": "4500000",
    "quantity_unit": "m2",
    "amount": "100000",
    "currency": "usd",
    "start_year": "2026",
    "end_year": "2027",
    "yearly-TOTAL_FORMS": "10",
    "yearly-INITIAL_FORMS": "0",
    "yearly-0-year": "2026",
    "yearly-0-amount": "60000",
    "yearly-1-year": "2027",
    "yearly-1-amount": "40000",
    "national_plan": "National strategy 2021-2030",
    "national_resources": "15000",
    "national_resources_currency": "USD",
    "languages": ["en", "fr"],
    "evidence": "Survey of 2025",
    "evidence_url": "",
    "priority": "high",
    "visibility": "public",
    "declared_status": "open",
}


@pytest.fixture
def lao():
    return State.objects.get(iso3="LAO")


def file_need(client, user, **changes):
    client.force_login(user)
    data = {**NEED, "state": State.objects.get(iso3="LAO").pk, **changes}
    return client.post(reverse("assistance:need_add"), data)


def test_a_focal_point_files_a_need_and_it_is_listed(client, people, lao):
    response = file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/needs/{need.pk}/"
    assert (need.state, need.currency, need.status, need.created_by) == (lao, "USD", "open", people["lao_focal_point"])
    assert {y.year: y.amount for y in need.yearly.all()} == {2026: Decimal("60000"), 2027: Decimal("40000")}
    client.logout()
    listing = client.get(reverse("assistance:needs")).content.decode()
    assert "Clearance of two districts" in text(element(listing, "needs"))
    page = client.get(need.get_absolute_url()).content.decode()
    assert text(element(page, "need-status")) == "open"


def test_yearly_amounts_must_add_up_and_nothing_is_written(client, people):
    response = file_need(client, people["lao_focal_point"], **{"yearly-1-amount": "10000"})
    assert response.status_code == 200
    assert "add up to 70000" in response.content.decode()
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"currency": "XYZ"}, "currency", "Select a valid choice. XYZ is not one of the available choices."),
        ({"end_year": "2025"}, "end_year", "The period ends before it starts."),
        ({"amount": "", "yearly-0-amount": "", "yearly-1-amount": ""}, "amount", "A financial need states the amount"),
        ({"yearly-1-amount": "twenty"}, "yearly-1-amount", "Enter a number."),
        ({"yearly-1-year": "2026"}, "yearly", "Row 2: 2026 is given already in row 1."),
        ({"yearly-1-year": ""}, "yearly-1-year", "Give the year of this amount."),
    ],
)
def test_bad_input_is_named_field_by_field(client, people, changes, field, message):
    response = file_need(client, people["lao_focal_point"], **changes)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="field-error-{field}"' in page and message in page
    assert not Need.objects.exists()


@pytest.mark.parametrize("role", ["lebanon_focal_point", "norway_partner", "coordinator"])
def test_nobody_files_a_need_for_another_state(client, people, role):
    response = file_need(client, people[role])
    assert response.status_code in (200, 403)
    assert not Need.objects.exists()


def test_a_restricted_need_stays_with_the_parties(client, people):
    file_need(client, people["lao_focal_point"], visibility="restricted")
    need = Need.objects.get()
    for role, status in [
        ("anonymous", 404),
        ("lebanon_focal_point", 404),
        ("norway_partner", 404),
        ("lao_focal_point", 200),
        ("coordinator", 200),
        ("isu", 200),
    ]:
        client.logout()
        if people[role]:
            client.force_login(people[role])
        assert client.get(need.get_absolute_url()).status_code == status, role
        listed = "Clearance of two districts" in client.get(reverse("assistance:needs")).content.decode()
        assert listed == (status == 200), role


def test_only_the_states_focal_points_edit_its_need(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    client.force_login(people["lebanon_focal_point"])
    assert client.get(reverse("assistance:need_edit", args=[need.pk])).status_code == 403
    edit = reverse("assistance:need_edit", args=[need.pk])
    response = client.post(edit, {**NEED, "state": "", "title": "Taken over"})
    assert response.status_code == 403
    need.refresh_from_db()
    assert need.title == NEED["title"]


def publish_offer(client, user, **changes):
    client.force_login(user)
    data = {
        "provider_state": State.objects.get(iso3="NOR").pk,
        "title": "Funding for clearance in Asia",
        "description": "Survey and clearance funding.",
        "pillars": ["clearance"],
        "modalities": ["financial"],
        "kinds": ["funding"],
        "regions": ["Asia"],
        "states": [State.objects.get(iso3="LAO").pk],
        "languages": ["en"],
        "amount_per_year": "500000",
        "currency": "USD",
        "start_year": "2026",
        "end_year": "2028",
        "conditions": "",
        "contact": "desk@example.org",
        "is_active": "on",
        "visibility": "public",
        **changes,
    }
    return client.post(reverse("assistance:offer_add"), data)


def test_a_partner_publishes_an_offer_only_for_its_own_provider(client, people):
    assert publish_offer(client, people["norway_partner"]).status_code == 302
    offer = Offer.objects.get()
    assert offer.provider_state.iso3 == "NOR" and offer.pillars == ["clearance"]
    # An NGO's focal point cannot publish in Norway's name (a forged provider).
    response = publish_offer(client, people["ngo_partner"], title="Forged")
    assert response.status_code == 200 and Offer.objects.count() == 1
    # A State focal point is not a provider.
    assert publish_offer(client, people["lao_focal_point"]).status_code == 403
    ngo = sample_ngo()
    response = publish_offer(
        client, people["ngo_partner"], provider_state="", provider_organisation=ngo.pk, title="NGO experts"
    )
    assert response.status_code == 302 and Offer.objects.filter(provider_organisation=ngo).exists()


def record_commitment(client, user, need, **changes):
    client.force_login(user)
    data = {
        "provider_state": State.objects.get(iso3="NOR").pk,
        "recipient": need.state.pk,
        "title": "Clearance in two districts",
        "description": "",
        "channel": "ngo",
        "implementing_partner": "An NGO",
        "currency": "USD",
        "cluster_munition_specific": "on",
        "visibility": "public",
        "pillar_shares": "clearance: 100",
        "amounts": "committed 2026 60000\ndisbursed 2026 50000",
        "needs_met": [need.pk],
        **changes,
    }
    return client.post(reverse("assistance:commitment_add"), data)


def test_a_commitment_partly_covers_the_need_and_the_recipient_confirms(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    response = record_commitment(client, people["norway_partner"], need)
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment = Commitment.objects.get()
    need.refresh_from_db()
    assert need.status == "partly_covered" and need.covered_amount == Decimal("60000")
    page = client.get(need.get_absolute_url()).content.decode()
    assert text(element(page, "need-status")) == "partly covered"
    assert "(60%)" in text(element(page, "coverage"))

    # The recipient confirms less than was reported: both are shown with the difference.
    client.force_login(people["lebanon_focal_point"])
    assert (
        client.post(
            reverse("assistance:confirm_receipt", args=[commitment.pk]), {"year": 2026, "amount": "1"}
        ).status_code
        == 403
    )
    client.force_login(people["lao_focal_point"])
    client.post(reverse("assistance:confirm_receipt", args=[commitment.pk]), {"year": 2026, "amount": "45000"})
    assert Flow.objects.get(kind="received").amount == Decimal("45000")
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert text(element(page, "difference-2026")) == "-5,000"


def test_a_commitment_meets_only_needs_of_its_recipient(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    lbn = State.objects.get(iso3="LBN")
    response = record_commitment(client, people["norway_partner"], need, recipient=lbn.pk)
    assert response.status_code == 200
    assert "A commitment meets only needs of its recipient State." in response.content.decode()
    assert not Commitment.objects.exists()


def test_pillar_shares_must_add_up_to_100(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    response = record_commitment(client, people["norway_partner"], need, pillar_shares="clearance: 60")
    assert "not 100%" in response.content.decode() and not Commitment.objects.exists()


def test_funding_page_and_donor_view_show_the_gap(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    record_commitment(client, people["norway_partner"], need)
    client.logout()
    page = client.get(reverse("assistance:funding")).content.decode()
    row = text(element(page, "funding-states"))
    assert "LAO 100,000 0 60,000 50,000 60,000 0 40,000" in row
    assert 'data-chart="chart-by-year"' in page and 'id="chart-by-year" type="application/json"' in page
    assert client.get(reverse("assistance:donor")).status_code == 302
    client.force_login(people["norway_partner"])
    page = client.get(reverse("assistance:donor")).content.decode()
    assert "Norway" in text(element(page, "donor-states"))


@pytest.mark.parametrize(
    "name", ["assistance:needs", "assistance:offers", "assistance:commitments", "assistance:funding"]
)
def test_assistance_pages_run_a_fixed_number_of_queries(client, people, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured.captured_queries)

    file_need(client, people["lao_focal_point"])
    record_commitment(client, people["norway_partner"], Need.objects.get())
    publish_offer(client, people["norway_partner"])
    client.force_login(people["isu"])
    count()  # the first view after saving also reads the flash messages
    few = count()
    for n in range(8):
        file_need(client, people["lao_focal_point"], title=f"Need {n}")
        publish_offer(client, people["norway_partner"], title=f"Offer {n}")
        record_commitment(client, people["norway_partner"], Need.objects.first(), title=f"Commitment {n}")
    client.force_login(people["isu"])
    count()
    assert count() == few


def test_a_needs_history_shows_who_changed_what(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    client.post(reverse("assistance:need_edit", args=[need.pk]), {**NEED, "state": "", "title": "Clearance, phase 2"})
    record_commitment(client, people["norway_partner"], need)
    client.force_login(people["lao_focal_point"])
    page = client.get(reverse("assistance:history", args=["need", need.pk])).content.decode()
    history = text(element(page, "history"))
    assert "lao@example.org · changed · need" in history
    assert "Clearance of two districts Clearance, phase 2" in history  # the title before and after
    assert "yearly amount needed" in history  # its parts too
    assert "status rolled up from the commitments" in history  # and why the status changed
    client.force_login(people["lebanon_focal_point"])
    assert client.get(reverse("assistance:history", args=["need", need.pk])).status_code == 403


# --- Finding things in the lists -----------------------------------------------------------


def listed_needs(client, params=None) -> set[str]:
    import re

    page = client.get(reverse("assistance:needs"), params or {}).content.decode()
    return set(re.findall(r'data-need="(\d+)"', page))


def test_the_needs_list_shows_unmet_needs_by_default(client, people):
    """A need partly covered still has a gap: "open" alone left it out."""
    file_need(client, people["lao_focal_point"], title="Partly covered")
    file_need(client, people["lao_focal_point"], title="Covered")
    file_need(client, people["lao_focal_point"], title="Open")
    partly, covered, still_open = (Need.objects.get(title=t) for t in ("Partly covered", "Covered", "Open"))
    record_commitment(client, people["norway_partner"], partly)
    record_commitment(client, people["norway_partner"], covered, amounts="committed 2026 60000\ncommitted 2027 40000")
    covered.refresh_from_db()
    assert covered.status == "covered"
    client.logout()
    unmet = {str(partly.pk), str(still_open.pk)}
    assert listed_needs(client) == unmet
    assert listed_needs(client, {"status": "unmet"}) == unmet
    assert listed_needs(client, {"status": "open"}) == {str(still_open.pk)}
    assert listed_needs(client, {"status": ""}) == unmet | {str(covered.pk)}  # "All statuses"
    page = client.get(reverse("assistance:needs")).content.decode()
    assert '<option value="unmet" selected>unmet (open or partly covered)</option>' in page
    # Its CSV lists what the page lists, and the API takes the same value.
    assert f"{reverse('assistance:export_needs', args=['csv'])}?status=unmet" in page
    export = client.get(reverse("assistance:export_needs", args=["csv"]), {"status": "unmet"}).content.decode()
    assert {row["id"] for row in csv.DictReader(io.StringIO(export))} == unmet
    api = client.get("/api/v1/needs", {"status": "unmet"}).json()["items"]
    assert {str(item["id"]) for item in api} == unmet


def test_funding_filters_by_region_and_by_states_named(client, people):
    lbn = State.objects.get(iso3="LBN")
    file_need(client, people["lao_focal_point"])
    file_need(client, people["lebanon_focal_point"], state=lbn.pk, title="Lebanon's need")
    client.logout()

    def states(params):
        import re

        page = client.get(reverse("assistance:funding"), params).content.decode()
        return set(re.findall(r'<tr data-state="(\w+)">', page)), page

    assert states({})[0] == {"LAO", "LBN"}
    assert states({"region": "Asia"})[0] == {"LAO"}
    assert states({"state": ["LAO", "LBN"]})[0] == {"LAO", "LBN"}
    assert states({"state": ["LBN"]})[0] == {"LBN"}
    found, page = states({})
    # The State filter is a searchable list of names; the tables name the States.
    select = page[page.index('<select name="state"') : page.index("</select>", page.index('<select name="state"'))]
    assert "multiple" in select and "data-searchable" in select
    assert '<option value="LAO">Lao People&#x27;s Democratic Republic</option>' in select
    row = unescape(text(element(page, "funding-states")))
    assert "Lao People's Democratic Republic LAO 100,000" in row and "Lebanon LBN" in row
    gap = unescape(text(element(page, "gap")))
    assert gap.startswith("Lao People's Democratic Republic LAO clearance 2026") or "Lebanon LBN clearance" in gap
    # The export and the API take the same States.
    export = client.get(reverse("assistance:export_gap", args=["csv"]), {"state": ["LBN"], "region": "Middle East"})
    assert export.status_code == 200, export.content
    assert {row["state"] for row in csv.DictReader(io.StringIO(export.content.decode()))} == {"LBN"}
    api = client.get("/api/v1/funding/gap", {"state": ["LAO", "LBN"]}).json()["items"]
    assert {item["state"] for item in api} == {"LAO", "LBN"}


def test_a_visitor_is_never_linked_to_a_match(client, people):
    """The need page and its suggestions linked visitors to /matches/N/, which asks them to sign in."""
    from article6.assistance.models import Match

    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    publish_offer(client, people["norway_partner"])
    match = Match.objects.create(need=need, offer=Offer.objects.get(), score=0.9, proposed_by=people["coordinator"])
    link = f'href="{reverse("assistance:match", args=[match.pk])}"'
    client.force_login(people["coordinator"])
    assert link in client.get(reverse("assistance:need_suggestions", args=[need.pk])).content.decode()
    assert link in client.get(need.get_absolute_url()).content.decode()
    for role in ("anonymous", "no_role"):
        client.logout()
        if people[role]:
            client.force_login(people[role])
        for url in (need.get_absolute_url(), reverse("assistance:need_suggestions", args=[need.pk])):
            page = client.get(url).content.decode()
            assert "/matches/" not in page, (role, url)
        page = client.get(need.get_absolute_url()).content.decode()
        assert "No match proposed yet." not in page, role  # nor told something it cannot know
