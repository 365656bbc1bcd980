"""Art. 4(4) former-use records (treaty.FormerUse): the record and its checks, the query the
matching reads, the State profile, the back office, the API and the sample's one record.

The records here are made between the test States of `add_states` (codes ISO 3166 leaves to
users, never real States), so that no test says of a real State what no source says."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pagetools import add_states, element, html, text
from signin import force_login_with_second_factor

from article6.states.models import State
from article6.states.sample import SAMPLE_FORMER_USE, load_sample, remove_sample
from article6.treaty import queries
from article6.treaty.models import FormerUse

SOURCE = "Test statement, 1 March 2026 (test record)"


@pytest.fixture
def test_states(reference):
    """Six test States, QAA to QAF, by code."""
    add_states(6)
    return {s.iso3: s for s in State.objects.filter(iso3__startswith="QA")}


def record(used_by, used_in, **values) -> FormerUse:
    return FormerUse.objects.create(used_by=used_by, used_in=used_in, source=values.pop("source", SOURCE), **values)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


# --- The record -------------------------------------------------------------------------------


def test_a_record_names_both_states(test_states):
    used = record(test_states["QAA"], test_states["QAB"], period="1964–1973")
    assert str(used) == "Test State 00 in Test State 01"
    assert list(test_states["QAA"].former_uses_by.all()) == [used]
    assert list(test_states["QAB"].former_uses_in.all()) == [used]


def test_a_state_cannot_have_used_them_in_itself(test_states):
    """Art. 4(4) is about remnants in another State: the form says so on the field, once."""
    same = FormerUse(used_by=test_states["QAA"], used_in=test_states["QAA"], source=SOURCE)
    with pytest.raises(ValidationError) as refused:
        same.full_clean()
    assert list(refused.value.message_dict) == ["used_in"]
    assert refused.value.message_dict["used_in"] == [
        "Art. 4(4) is about remnants in another State: choose a State other than the user."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        same.save()  # and the database refuses it too


def test_the_same_pair_is_recorded_once(test_states):
    record(test_states["QAA"], test_states["QAB"])
    again = FormerUse(used_by=test_states["QAA"], used_in=test_states["QAB"], source="Another source")
    with pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert refused.value.message_dict == {
        "used_in": ["The use of cluster munitions by Test State 00 in Test State 01 is already recorded."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
    # The other direction is another record.
    FormerUse(used_by=test_states["QAB"], used_in=test_states["QAA"], source=SOURCE).full_clean()


def test_a_record_needs_its_source(test_states):
    bare = FormerUse(used_by=test_states["QAA"], used_in=test_states["QAB"], source="")
    with pytest.raises(ValidationError) as refused:
        bare.full_clean()
    assert list(refused.value.message_dict) == ["source"]


def test_a_record_keeps_its_history(test_states):
    used = record(test_states["QAA"], test_states["QAB"])
    used.period = "1991"
    used.save()
    assert [h.history_type for h in used.history.order_by("history_id")] == ["+", "~"]


# --- The query the matching reads -------------------------------------------------------------


def test_former_users_in_gives_each_affected_state_its_users(test_states, django_assert_num_queries):
    a, b, c, d = (test_states[code] for code in ("QAA", "QAB", "QAC", "QAD"))
    record(a, c)
    record(b, c)
    record(a, d)
    with django_assert_num_queries(1):
        everything = queries.former_users_in()
    assert everything == {c.pk: frozenset({a.pk, b.pk}), d.pk: frozenset({a.pk})}
    with django_assert_num_queries(1):
        assert queries.former_users_in([c.pk, b.pk]) == {c.pk: frozenset({a.pk, b.pk})}
    with django_assert_num_queries(1):
        assert queries.former_users_in({d.pk}) == {d.pk: frozenset({a.pk})}
    with django_assert_num_queries(0):
        assert queries.former_users_in([]) == {}


def test_former_users_in_is_empty_without_records(reference):
    assert queries.former_users_in() == {}


# --- The State profile ----------------------------------------------------------------------


def test_the_profile_of_the_affected_state_names_the_user_and_the_source(client, test_states):
    record(
        test_states["QAA"],
        test_states["QAB"],
        period="1964–1973",
        source="Statement of Test State 00 at a test meeting, 2026",
        source_url="https://example.org/statement",
    )
    page = html(client.get("/states/QAB/"))
    line = element(page, "former-use-by")
    assert text(line).startswith("Art. 4(4): cluster munitions used here by Test State 00 (1964–1973)")
    assert 'href="/states/QAA/"' in line
    assert "Source: Statement of Test State 00 at a test meeting, 2026, https://example.org/statement" in text(line)
    assert 'href="https://example.org/statement"' in line
    assert 'data-testid="sample-tag"' not in line
    assert 'data-testid="former-use-in"' not in page


def test_the_profile_of_the_user_state_names_where_it_used_them(client, test_states):
    record(test_states["QAA"], test_states["QAB"])
    record(test_states["QAA"], test_states["QAC"], period="1991")
    page = html(client.get("/states/QAA/"))
    lines = [text(line) for line in page.split('data-testid="former-use-in"')[1:]]
    assert [line.split(" Source:")[0].lstrip("> ") for line in lines] == [
        "Art. 4(4): used cluster munitions in Test State 01",
        "Art. 4(4): used cluster munitions in Test State 02 (1991)",
    ]
    assert 'data-testid="former-use-by"' not in page


def test_the_profile_links_keep_the_date_picked(client, test_states):
    record(test_states["QAA"], test_states["QAB"])
    page = html(client.get("/states/QAB/?as_of=2020-01-01"))
    assert 'href="/states/QAA/?as_of=2020-01-01"' in element(page, "former-use-by")


def test_a_sample_record_carries_the_sample_tag(client, test_states):
    record(test_states["QAA"], test_states["QAB"], is_sample=True, source="Fictional sample data, for demonstration")
    for code, testid in (("QAB", "former-use-by"), ("QAA", "former-use-in")):
        line = element(html(client.get(f"/states/{code}/")), testid)
        assert 'data-testid="sample-tag"' in line
        assert "Fictional sample data, for demonstration" in text(line)


def test_no_section_without_records(client, test_states):
    record(test_states["QAA"], test_states["QAB"])
    page = html(client.get("/states/QAC/"))
    assert 'data-testid="former-use"' not in page
    assert "Art. 4(4)" not in page


def test_the_profile_runs_a_fixed_number_of_queries(client, test_states):
    """One query for the records, whatever their number, on either side."""
    states = list(test_states.values())
    url = "/states/QAA/"
    queries_of(client, url)  # the layout's sample-data check, cached afterwards
    none = queries_of(client, url)
    record(states[0], states[1])
    one = queries_of(client, url)
    for other in states[2:]:
        record(states[0], other)
    record(states[1], states[0])
    record(states[2], states[0])
    page = html(client.get(url))
    assert page.count('data-testid="former-use-in"') == 5
    assert page.count('data-testid="former-use-by"') == 2
    assert queries_of(client, url) == one == none


# --- The back office ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["no_role", "lao_focal_point", "norway_partner", "coordinator"])
def test_only_isu_staff_change_the_records_in_the_back_office(client, people, test_states, role):
    used = record(test_states["QAA"], test_states["QAB"])
    force_login_with_second_factor(client, people[role])
    for url in (
        reverse("admin:treaty_formeruse_changelist"),
        reverse("admin:treaty_formeruse_add"),
        reverse("admin:treaty_formeruse_change", args=[used.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    response = client.post(
        reverse("admin:treaty_formeruse_add"),
        {"used_by": test_states["QAC"].pk, "used_in": test_states["QAD"].pk, "source": SOURCE},
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert FormerUse.objects.count() == 1


def test_isu_staff_record_one_in_the_back_office_and_its_refusals_name_the_field(client, people, test_states):
    force_login_with_second_factor(client, people["isu"])
    assert client.get(reverse("admin:treaty_formeruse_changelist")).status_code == 200
    add = reverse("admin:treaty_formeruse_add")
    values = {"used_by": test_states["QAA"].pk, "used_in": test_states["QAB"].pk, "period": "1991", "source": SOURCE}
    assert client.post(add, values).status_code == 302
    assert str(FormerUse.objects.get()) == "Test State 00 in Test State 01"
    again = client.post(add, values)
    assert again.status_code == 200
    assert again.context["adminform"].form.errors == {
        "used_in": ["The use of cluster munitions by Test State 00 in Test State 01 is already recorded."]
    }
    same = client.post(add, {**values, "used_in": test_states["QAA"].pk})
    assert list(same.context["adminform"].form.errors) == ["used_in"]
    assert FormerUse.objects.count() == 1


def test_the_back_office_finds_a_record_by_either_state(client, people, test_states):
    record(test_states["QAA"], test_states["QAB"])
    record(test_states["QAC"], test_states["QAD"])
    force_login_with_second_factor(client, people["isu"])
    page = html(client.get(reverse("admin:treaty_formeruse_changelist"), {"q": "Test State 01"}))
    assert "Test State 00" in page and "Test State 01" in page
    assert "Test State 02" not in page and "Test State 03" not in page


def test_an_unknown_state_has_no_profile_and_no_api_record(client, reference):
    """What does not exist is a 404, on the page and in the API (the matrix's entries)."""
    assert client.get("/states/QZZ/").status_code == 404
    response = client.get("/api/v1/states/QZZ")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


# --- The API ------------------------------------------------------------------------------------


def test_the_api_gives_both_sides(client, test_states):
    record(test_states["QAA"], test_states["QAB"], period="1964–1973", source_url="https://example.org/s")
    record(test_states["QAB"], test_states["QAC"], is_sample=True, source="Fictional sample data, for demonstration")
    data = client.get("/api/v1/states/QAB").json()
    assert data["former_use"] == {
        "by": [
            {
                "state": "QAA",
                "state_name": "Test State 00",
                "period": "1964–1973",
                "source": SOURCE,
                "source_url": "https://example.org/s",
                "is_sample": False,
            }
        ],
        "in": [
            {
                "state": "QAC",
                "state_name": "Test State 02",
                "period": "",
                "source": "Fictional sample data, for demonstration",
                "source_url": "",
                "is_sample": True,
            }
        ],
    }
    assert client.get("/api/v1/states/QAD").json()["former_use"] == {"by": [], "in": []}


def test_the_api_runs_a_fixed_number_of_queries(client, test_states, django_assert_num_queries):
    states = list(test_states.values())
    record(states[1], states[0])
    with django_assert_num_queries(5):  # the State, its facts, their meetings, the meetings, its Art. 4(4) records
        assert len(client.get("/api/v1/states/QAA").json()["former_use"]["by"]) == 1
    for other in states[2:]:
        record(other, states[0])
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/states/QAA").json()["former_use"]["by"]) == 5


def test_the_schema_documents_former_use(client, reference):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    detail = schema["StateDetail"]
    assert "former_use" in detail["required"]
    assert "Art. 4(4)" in detail["properties"]["former_use"]["description"]
    sides = schema["FormerUseSides"]
    assert set(sides["properties"]) == {"by", "in"}
    assert set(schema["FormerUseOut"]["properties"]) == {
        "state",
        "state_name",
        "period",
        "source",
        "source_url",
        "is_sample",
    }


# --- The sample ---------------------------------------------------------------------------------


def test_the_sample_holds_one_fictional_record_and_takes_it_away(reference):
    load_sample()
    load_sample()  # again: nothing more
    found = FormerUse.objects.get()
    assert (found.used_by.iso3, found.used_in.iso3) == ("JPN", "CHL")
    assert found.is_sample
    assert found.source == "Fictional sample data, for demonstration"
    assert found.note.startswith("Fictional")
    remove_sample()
    assert not FormerUse.objects.exists()


def test_the_sample_leaves_a_record_isu_entered_as_it_is(reference):
    japan, chile = State.objects.get(iso3="JPN"), State.objects.get(iso3="CHL")
    entered = record(japan, chile, source="Entered by ISU (test)")
    assert load_sample() == 3  # the three sample organisations only
    entered.refresh_from_db()
    assert (entered.source, entered.is_sample) == ("Entered by ISU (test)", False)
    remove_sample()
    assert FormerUse.objects.get() == entered


def test_the_sample_pair_has_an_offer_that_fits_an_open_need(reference):
    """The sample record's user State has an active offer suggested for an open need of the
    affected State, so that the Art. 4(4) boost shows on that need's suggestions."""
    from django.contrib.auth import get_user_model

    from article6.assistance import matching
    from article6.assistance.models import Need, Offer

    call_command("load-sample", stdout=StringIO())
    used_by, used_in = SAMPLE_FORMER_USE["used_by"], SAMPLE_FORMER_USE["used_in"]
    viewer = matching.Viewer.of(get_user_model().objects.get(email__startswith="coordinator@"))
    index = matching.offer_index()
    fits = []
    for need in Need.objects.filter(is_sample=True, state__iso3=used_in, status="open"):
        ranking = index.rank_offers(matching.need_features(need), k=10, viewer=viewer)
        offers = Offer.objects.filter(pk__in=[s.id for s in ranking.suggested], provider_state__iso3=used_by)
        fits += [(need.title, offer.title) for offer in offers if offer.is_active]
    assert ("Country Coalition meeting with partners (sample)", "Facilitation of Country Coalitions (sample)") in fits
