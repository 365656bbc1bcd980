"""One filter definition per list (assistance.filters): the page, its CSV export and the
API accept the same parameters and list the same records for each of them, for the
needs, the offers, the commitments and the gap; what a filter refuses is a form error
on the page, a 400 in the export, a 422 or a 400 in the API."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from test_api_assistance import build_world, call, ok

from article6.api.paging import Paging
from article6.assistance import filters
from article6.assistance.forms import CommitmentFilterForm, GapFilterForm, NeedFilterForm, OfferFilterForm
from article6.assistance.models import Need, Offer

LISTS = {
    # list: (page, its filter form, its filters, the API operation, the CSV export)
    "needs": ("assistance:needs", NeedFilterForm, filters.NeedFilters, "/needs", "assistance:export_needs"),
    "offers": ("assistance:offers", OfferFilterForm, filters.OfferFilters, "/offers", "assistance:export_offers"),
    "commitments": (
        "assistance:commitments",
        CommitmentFilterForm,
        filters.CommitmentFilters,
        "/commitments",
        "assistance:export_commitments",
    ),
    "gap": ("assistance:funding", GapFilterForm, filters.GapFilters, "/funding/gap", "assistance:export_gap"),
}


@pytest.fixture
def world(reference):
    world = build_world()
    # One high-priority need, one need and one offer ending earlier.
    Need.objects.filter(pk=world["needs"]["lao_public"].pk).update(priority="high")
    Need.objects.filter(pk=world["needs"]["lbn_signed_in"].pk).update(end_year=2026)
    Offer.objects.filter(pk=world["offers"]["ngo"].pk).update(end_year=2027)
    return world


@pytest.mark.parametrize("name", LISTS)
def test_the_page_its_export_and_the_api_accept_the_same_parameters(client, name):
    _page, form, schema, path, _export = LISTS[name]
    assert set(form.base_fields) == set(schema.model_fields), name
    openapi = ok(call(client, "GET", "/openapi.json"))
    operation = openapi["paths"][f"/api/v1{path}"]["get"]
    parameters = {p["name"] for p in operation["parameters"]} - set(Paging.model_fields)
    assert parameters == set(schema.model_fields), name


def test_pages_no_longer_read_the_api_module():
    from article6.assistance import views, views_exports

    for module in (views, views_exports):
        source = open(module.__file__, encoding="utf-8").read()
        assert "article6.api" not in source, module.__name__


def page_ids(client, name: str, params: dict) -> set[str]:
    response = client.get(reverse(LISTS[name][0]), params)
    assert response.status_code == 200
    attribute = {"needs": "need", "offers": "offer", "commitments": "commitment", "gap": "row"}[name]
    return set(re.findall(rf'data-{attribute}="([^"]+)"', response.content.decode()))


def export_ids(client, name: str, params: dict) -> set[str]:
    response = client.get(reverse(LISTS[name][4], args=["csv"]), params)
    assert response.status_code == 200, response.content
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    if name == "gap":
        return {f"{r['state']}-{r['pillar']}-{r['year']}" for r in rows}
    return {r["id"] for r in rows}


def api_ids(client, token, name: str, params: dict) -> set[str]:
    items = ok(call(client, "GET", LISTS[name][3], token, params={**params, "limit": 200}))["items"]
    if name == "gap":
        return {f"{r['state']}-{r['pillar']}-{r['year']}" for r in items}
    return {str(r["id"]) for r in items}


def cases(world) -> list[tuple[str, dict]]:
    ngo = str(world["ngo"].pk)
    return [
        ("needs", {"priority": "high"}),
        ("needs", {"state": "lbn"}),
        ("needs", {"pillar": "victim_assistance"}),
        ("needs", {"modality": "financial", "state": "LAO"}),
        ("needs", {"region": "Asia"}),
        ("needs", {"year": "2027"}),
        ("offers", {"pillar": "victim_assistance"}),
        ("offers", {"modality": "technical"}),
        ("offers", {"kind": "funding"}),
        ("offers", {"region": "Asia"}),
        ("offers", {"state": "LAO"}),
        ("offers", {"provider": ngo}),
        ("offers", {"year": "2028"}),
        ("commitments", {"recipient": "LBN"}),
        ("commitments", {"provider": "NOR"}),
        ("commitments", {"pillar": "risk_reduction_education"}),
        ("commitments", {"year": "2027"}),
        ("commitments", {"source": "iati:"}),
        ("gap", {"state": "LAO"}),
        ("gap", {"pillar": "clearance"}),
        ("gap", {"year": "2027"}),
    ]


def test_the_page_its_export_and_the_api_list_the_same_records(world):
    isu = world["people"]["isu"]
    session = Client()
    session.force_login(isu)
    token = world["tokens"]["isu"]
    for name, params in cases(world):
        everything = api_ids(session, token, name, {})
        listed = api_ids(session, token, name, params)
        assert listed and listed != everything, (name, params)  # the filter does filter
        assert page_ids(session, name, params) == listed, (name, params)
        assert export_ids(session, name, params) == listed, (name, params)


def test_priority_high_is_the_same_everywhere(client, world):
    """/needs/?priority=high listed only high-priority needs; its CSV and the API every need."""
    client.force_login(world["people"]["isu"])
    high = {str(world["needs"]["lao_public"].pk)}
    assert len(api_ids(client, None, "needs", {})) == 3
    assert page_ids(client, "needs", {"priority": "high"}) == high
    assert export_ids(client, "needs", {"priority": "high"}) == high
    assert api_ids(client, None, "needs", {"priority": "high"}) == high


@pytest.mark.parametrize(
    ("name", "params", "field", "reason"),
    [
        ("needs", {"priority": "urgent"}, "priority", "Choose one of the values offered."),
        ("needs", {"year": "1999"}, "year", "Give a number of at least 2008."),
        ("needs", {"state": "LA"}, "state", "“LA” is not an ISO 3166-1 alpha-3 code (three letters)."),
        ("needs", {"state": "XYZ"}, "state", "No State has the ISO3 code “XYZ”."),
        ("offers", {"provider": "Norway"}, "provider", "neither a State's ISO3 code nor an organisation's id"),
        ("offers", {"provider": "999999999"}, "provider", "No organisation has the id “999999999”."),
        ("commitments", {"year": "soon"}, "year", "Give a whole number."),
        ("commitments", {"recipient": "XYZ"}, "recipient", "No State has the ISO3 code “XYZ”."),
        ("gap", {"pillar": "demining"}, "pillar", "Choose one of the values offered."),
    ],
)
def test_a_refused_filter_is_a_form_error_and_lists_nothing(client, world, name, params, field, reason):
    response = client.get(reverse(LISTS[name][0]), params)
    assert response.status_code == 200
    page = response.content.decode()
    errors = re.findall(rf'data-testid="field-error-{field}">([^<]*)<', page)
    assert errors and reason in errors[0].replace("&#x27;", "'"), errors
    assert page_ids(client, name, params) == set()
    # The export and the API refuse the same value, naming the same parameter.
    export = client.get(reverse(LISTS[name][4], args=["csv"]), params)
    assert export.status_code == 400 and [d["parameter"] for d in export.json()["detail"]] == [field]
    answer = call(client, "GET", LISTS[name][3], None, params=params)
    assert answer.status_code in (400, 422) and [d["parameter"] for d in answer.json()["detail"]] == [field]


def test_the_iati_export_of_the_commitments_takes_their_filters(client, world):
    response = client.get(reverse("assistance:export_iati"), {"recipient": "LAO", "year": "2027"})
    assert response.status_code == 200
    assert world["commitments"]["nor_to_lao"].title in response.content.decode()
    response = client.get(reverse("assistance:export_iati"), {"year": "1990"})
    assert response.status_code == 400 and response.json()["detail"][0]["parameter"] == "year"
