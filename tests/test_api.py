"""The REST API (/api/v1/) with the real reference data: the figures it gives,
the errors it answers with, its schema and docs page, and a fixed number of
SQL queries whatever the number of States."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from pagetools import add_states

from article6.asof import today
from article6.states.models import State
from article6.treaty import queries, rules

API = "/api/v1"
REGIONS_12_NOVEMBER_2018 = {"Europe": 34, "Africa": 32, "Americas": 24, "Pacific": 7, "Asia": 4, "Middle East": 3}


def get(client, path: str, **params):
    response = client.get(f"{API}{path}", params)
    assert response["Content-Type"].startswith("application/json")
    return response


def ok(client, path: str, **params):
    response = get(client, path, **params)
    assert response.status_code == 200, response.content
    return response.json()


# --- /membership ---------------------------------------------------------------------------


def test_membership_on_12_november_2018_by_region(client, reference):
    data = ok(client, "/membership", as_of="2018-11-12", by="region")
    assert data["as_of"] == "2018-11-12"
    assert (data["states_parties"], data["signatories"]) == (104, 16)
    assert data["in_force"] == 103
    assert {region: c["states_parties"] for region, c in data["by_region"].items()} == REGIONS_12_NOVEMBER_2018
    assert sum(c["signatories"] for c in data["by_region"].values()) == 16
    assert sum(c["in_force"] for c in data["by_region"].values()) == 103


def test_membership_without_by_has_no_regions(client, reference):
    data = ok(client, "/membership", as_of="2018-11-12")
    assert "by_region" not in data
    assert data == {"as_of": "2018-11-12", "states_parties": 104, "signatories": 16, "in_force": 103}


def test_membership_is_the_shared_figures(client, reference):
    assert ok(client, "/membership", by="region") == queries.membership_json(today(), by_region=True)


def test_membership_follows_the_withdrawal_of_lithuania(client, reference):
    # Instrument of withdrawal received 6 September 2024: effective 6 March 2025 (Art. 20(2)).
    assert ok(client, "/membership", as_of="2025-03-05")["states_parties"] == 112
    assert ok(client, "/membership", as_of="2025-03-06")["states_parties"] == 111


def test_membership_before_entry_into_force(client, reference):
    # The thirtieth instrument, 16 February 2010: nothing in force before 1 August 2010 (Art. 17(1)).
    data = ok(client, "/membership", as_of="2010-02-16")
    assert (data["states_parties"], data["in_force"]) == (30, 0)
    assert ok(client, "/membership", as_of="2010-08-01")["in_force"] == 30


# --- /states -------------------------------------------------------------------------------


def test_states_list_pages_through_every_state(client, reference):
    first = ok(client, "/states", limit=50)
    assert first["count"] == 125
    assert (first["limit"], first["offset"], first["next_offset"], first["previous_offset"]) == (50, 0, 50, None)
    assert len(first["items"]) == 50
    last = ok(client, "/states", limit=50, offset=100)
    assert (last["next_offset"], last["previous_offset"]) == (None, 50)
    assert len(last["items"]) == 25
    everything = ok(client, "/states", limit=200)
    assert len(everything["items"]) == 125
    assert [s["iso3"] for s in everything["items"]][50:100] == [
        s["iso3"] for s in ok(client, "/states", offset=50)["items"]
    ]
    beyond = ok(client, "/states", offset=500)
    assert (beyond["count"], beyond["items"], beyond["next_offset"]) == (125, [], None)


def test_states_list_items_are_the_clock_shape_with_region(client, reference):
    data = ok(client, "/states", q="FJI", as_of="2018-11-12")
    assert data["count"] == 1
    [fiji] = data["items"]
    expected = queries.clock(State.objects.for_clock().get(iso3="FJI"), dt.date(2018, 11, 12)).as_json()
    assert fiji == expected
    assert fiji["region"] == "Pacific"
    assert fiji["entry_into_force"] == "2010-11-01"


def test_states_list_filters(client, reference):
    europe = ok(client, "/states", region="Europe", status="state_party", as_of="2018-11-12", limit=200)
    assert europe["count"] == 34
    assert {s["region"] for s in europe["items"]} == {"Europe"}
    assert {s["status"] for s in europe["items"]} == {"state_party"}
    assert ok(client, "/states", status="signatory", as_of="2018-11-12")["count"] == 16
    withdrawn = ok(client, "/states", status="withdrawn", as_of="2025-03-06")
    assert [s["iso3"] for s in withdrawn["items"]] == ["LTU"]
    assert ok(client, "/states", status="withdrawn", as_of="2025-03-05")["count"] == 0
    # A name without accents or case, or an ISO3 code.
    assert [s["iso3"] for s in ok(client, "/states", q="cote")["items"]] == ["CIV"]
    assert [s["iso3"] for s in ok(client, "/states", q="fji")["items"]] == ["FJI"]


# --- /states/{iso3} ------------------------------------------------------------------------


def test_state_detail_fiji(client, reference):
    data = ok(client, "/states/FJI")
    assert data["iso3"] == "FJI"
    assert data["entry_into_force"] == "2010-11-01"
    assert data["initial_report_due"] == "2011-04-30"
    assert data["as_of"] == today().isoformat()
    assert ok(client, "/states/fji")["iso3"] == "FJI"


def test_state_detail_lao_extension_with_its_source(client, reference):
    data = ok(client, "/states/LAO", as_of="2020-01-01")
    assert data["article_4"]["applies"] is True
    assert data["article_4"]["deadline"] == "2020-08-01"
    assert data["article_4"]["extended_deadline"] == "2025-08-01"
    [extension] = [f for f in data["obligation_facts"] if f["kind"] == "extension_granted"]
    assert extension["meeting"] == "9MSP"
    assert extension["new_deadline"] == "2025-08-01"
    assert extension["source"]
    assert extension["after_as_of"] is False
    # Before the Ninth Meeting decided it, the extension is listed but does not count.
    before = ok(client, "/states/LAO", as_of="2019-01-01")
    assert before["article_4"]["extended_deadline"] is None
    assert [f["after_as_of"] for f in before["obligation_facts"] if f["kind"] == "extension_granted"] == [True]


def test_state_detail_upcoming_deadlines_cover_24_months(client, reference):
    data = ok(client, "/states/LAO", as_of="2020-01-01")
    assert data["deadlines_until"] == "2022-01-01"
    dates = [d["date"] for d in data["upcoming_deadlines"]]
    assert dates == sorted(dates)
    assert all("2020-01-01" <= day <= "2022-01-01" for day in dates)
    assert {"date": "2020-04-30", "kind": "annual_report", "covered_year": 2019} in [
        {k: d[k] for k in ("date", "kind", "covered_year")} for d in data["upcoming_deadlines"]
    ]
    assert {d["state"] for d in data["upcoming_deadlines"]} == {"LAO"}


def test_state_detail_lithuania_withdrawal(client, reference):
    assert ok(client, "/states/LTU", as_of="2025-03-05")["status"] == "state_party"
    after = ok(client, "/states/LTU", as_of="2025-03-06")
    assert after["status"] == "withdrawn"
    assert after["withdrawal_effective"] == "2025-03-06"
    assert after["in_force"] is False
    assert after["upcoming_deadlines"] == []


@pytest.mark.parametrize("code", ["XYZ", "XYZ1", "F", "%00AB"])
def test_state_detail_unknown_code_is_a_json_404(client, reference, code):
    response = get(client, f"/states/{code}")
    assert response.status_code == 404
    assert "ISO3" in response.json()["detail"]


# --- /deadlines ----------------------------------------------------------------------------


def test_deadlines_of_fiji_reports(client, reference):
    data = ok(client, "/deadlines", **{"from": "2011-01-01", "to": "2013-12-31", "article": "7", "state": "fji"})
    assert data == [
        {
            "date": "2011-04-30",
            "state": "FJI",
            "state_name": "Fiji",
            "article": 7,
            "kind": "initial_report",
            "covered_year": None,
            "meeting": None,
        },
        {
            "date": "2012-04-30",
            "state": "FJI",
            "state_name": "Fiji",
            "article": 7,
            "kind": "annual_report",
            "covered_year": 2011,
            "meeting": None,
        },
        {
            "date": "2013-04-30",
            "state": "FJI",
            "state_name": "Fiji",
            "article": 7,
            "kind": "annual_report",
            "covered_year": 2012,
            "meeting": None,
        },
    ]


def test_deadlines_from_12_november_2018(client, reference):
    data = ok(client, "/deadlines", **{"from": "2018-11-12", "to": "2019-11-12"})
    assert len([d for d in data if d["date"] == "2019-04-30" and d["kind"] == "annual_report"]) == 102
    assert {
        "date": "2019-05-01",
        "state": "GNB",
        "state_name": "Guinea-Bissau",
        "article": 3,
        "kind": "stockpile_destruction",
        "covered_year": None,
        "meeting": None,
    } in data
    assert {"date": "2019-02-28", "state": "LKA", "kind": "initial_report"} in [
        {k: d[k] for k in ("date", "state", "kind")} for d in data
    ]
    requests = [d for d in data if d["kind"] == "extension_request"]
    assert requests and {d["meeting"] for d in requests} == {"9MSP"}
    assert [d["date"] for d in data] == sorted(d["date"] for d in data)
    expected = queries.deadlines(dt.date(2018, 11, 12), dt.date(2019, 11, 12))
    assert [(d["date"], d["state"], d["kind"]) for d in data] == [
        (sd.date.isoformat(), sd.state.iso3, sd.deadline.kind.value) for sd in expected
    ]
    assert {d["article"] for d in ok(client, "/deadlines", **{"from": "2018-11-12", "article": 3})} == {3}


def test_deadlines_default_to_the_next_12_months(client, reference):
    start = today()
    data = ok(client, "/deadlines")
    assert data
    assert all(start.isoformat() <= d["date"] <= rules.add_months(start, 12).isoformat() for d in data)


# --- Bad parameters: a 4xx JSON naming the parameter, never a 500 ----------------------------

BAD = [
    ("/states", {"as_of": "2018-02-30"}, 422, "as_of"),
    ("/states", {"as_of": "12/11/2018"}, 422, "as_of"),
    ("/states", {"as_of": "1"}, 422, "as_of"),
    ("/states", {"as_of": "2018-11-12T00:00:00"}, 422, "as_of"),
    ("/states", {"as_of": "1999-01-01"}, 422, "as_of"),
    ("/states", {"status": "party"}, 422, "status"),
    ("/states", {"region": "Mars"}, 422, "region"),
    ("/states", {"limit": "201"}, 422, "limit"),
    ("/states", {"limit": "0"}, 422, "limit"),
    ("/states", {"limit": "ten"}, 422, "limit"),
    ("/states", {"offset": "-1"}, 422, "offset"),
    ("/states", {"q": "x" * 101}, 422, "q"),
    ("/states/FJI", {"as_of": "tomorrow"}, 422, "as_of"),
    ("/membership", {"as_of": "2018-11-31"}, 422, "as_of"),
    ("/membership", {"by": "country"}, 422, "by"),
    ("/deadlines", {"from": "x"}, 422, "from"),
    ("/deadlines", {"to": "2019-02-29"}, 422, "to"),
    ("/deadlines", {"article": "5"}, 422, "article"),
    ("/deadlines", {"article": "three"}, 422, "article"),
    ("/deadlines", {"state": "ABCD"}, 422, "state"),
    ("/deadlines", {"state": "A\x00B"}, 422, "state"),
    ("/deadlines", {"from": "2019-01-01", "to": "2018-12-31"}, 400, "to"),
    ("/deadlines", {"from": "2019-01-01", "to": "2029-01-02"}, 400, "to"),
    ("/deadlines", {"state": "XYZ"}, 400, "state"),
]


@pytest.mark.parametrize(("path", "params", "status", "parameter"), BAD)
def test_bad_parameter_gets_a_json_error_naming_it(client, reference, path, params, status, parameter):
    response = get(client, path, **params)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert parameter in [d["parameter"] for d in detail]
    assert all(d["reason"] for d in detail)


def test_several_bad_parameters_are_all_named(client, reference):
    response = get(client, "/states", as_of="x", status="y", limit="999")
    assert response.status_code == 422
    assert sorted(d["parameter"] for d in response.json()["detail"]) == ["as_of", "limit", "status"]


def test_bad_date_reason_says_what_is_wrong(client, reference):
    [error] = get(client, "/membership", as_of="2018-02-30").json()["detail"]
    assert error == {"parameter": "as_of", "reason": "“2018-02-30” is not a day of the calendar."}


def test_ten_years_is_the_longest_period(client, reference):
    assert get(client, "/deadlines", **{"from": "2019-01-01", "to": "2029-01-01"}).status_code == 200


# --- Schema and docs -------------------------------------------------------------------------


def test_openapi_lists_the_operations(client, reference):
    from test_api_assistance import OPERATIONS as ASSISTANCE_OPERATIONS

    schema = ok(client, "/openapi.json")
    operations = {
        (path, method): op["operationId"] for path, item in schema["paths"].items() for method, op in item.items()
    }
    assert operations == {
        ("/api/v1/states", "get"): "list_states",
        ("/api/v1/states/{iso3}", "get"): "get_state",
        ("/api/v1/membership", "get"): "get_membership",
        ("/api/v1/deadlines", "get"): "list_deadlines",
        ("/api/v1/me", "get"): "get_me",
        ("/api/v1/states/{iso3}/declaration", "get"): "get_state_declaration",
        ("/api/v1/states/{iso3}/declaration", "put"): "put_state_declaration",
        ("/api/v1/organisations/{id}/declaration", "get"): "get_organisation_declaration",
        ("/api/v1/organisations/{id}/declaration", "put"): "put_organisation_declaration",
        ("/api/v1/declarations/pending", "get"): "list_pending_declarations",
        ("/api/v1/declarations/{kind}/{id}/validate", "post"): "validate_declaration",
        ("/api/v1/declarations/{kind}/{id}/return", "post"): "return_declaration",
        ("/api/v1/history/{kind}/{key}", "get"): "get_history",
        **ASSISTANCE_OPERATIONS,
        ("/api/v1/reporting/figures", "get"): "get_reporting_figures",
        ("/api/v1/states/{iso3}/reports", "get"): "list_state_reports",
        ("/api/v1/reports", "get"): "list_reports",
        ("/api/v1/reports/{id}", "get"): "get_report",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/deadlines"]["get"]["parameters"]}
    assert parameters == {"from", "to", "article", "state"}
    components = schema["components"]["schemas"]
    assert set(components["StateOut"]["properties"]) >= {"iso3", "status", "entry_into_force", "article_3", "region"}
    assert components["Status"]["enum"] == ["non_signatory", "signatory", "state_party", "withdrawn"]


def test_docs_page_loads_nothing_from_elsewhere(client, reference):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", page)
    links = re.findall(r"<link[^>]*\shref=\"([^\"]+)\"", page)
    assert scripts
    assert not [url for url in scripts + links if re.match(r"(https?:)?//", url)]
    for url in scripts + links:
        assert url.startswith("/static/")
        assert finders.find(url.removeprefix("/static/")), url
    assert '"validatorUrl": null' in page


# --- A fixed number of SQL queries -----------------------------------------------------------

QUERIES = [
    ("/states", {}, 3),
    ("/states", {"region": "Europe", "status": "state_party", "q": "a", "as_of": "2018-11-12", "offset": 10}, 3),
    ("/states/LAO", {"as_of": "2020-01-01"}, 5),  # with its Art. 4(4) records
    ("/states/FJI", {}, 4),  # no obligation facts: no meetings to prefetch
    ("/states/XYZ", {}, 1),
    ("/membership", {"as_of": "2018-11-12", "by": "region"}, 1),
    ("/membership", {}, 1),
    ("/deadlines", {}, 4),
    ("/deadlines", {"from": "2018-11-12", "to": "2028-11-12", "article": 4}, 4),
    ("/deadlines", {"state": "LAO", "from": "2019-01-01"}, 5),
    ("/deadlines", {"state": "XYZ"}, 1),
    ("/states", {"as_of": "bad"}, 0),
]


@pytest.mark.parametrize(("path", "params", "count"), QUERIES)
def test_api_runs_a_fixed_number_of_queries(client, reference, django_assert_num_queries, path, params, count):
    with django_assert_num_queries(count):
        assert get(client, path, **params).status_code in (200, 400, 404, 422)
    add_states(50)
    assert State.objects.count() == 175
    with django_assert_num_queries(count):
        assert get(client, path, **params).status_code in (200, 400, 404, 422)


# --- The API by domain: the same document -------------------------------------------------------

# Every operation as it was before the API was split by domain (method, path, operation id,
# tags): the split and the rename of the module keep each one where it was.
OPERATIONS = {
    ("get", "/api/v1/commitments", "list_commitments", ("Assistance",)),
    ("post", "/api/v1/commitments", "create_commitment", ("Assistance",)),
    ("get", "/api/v1/commitments/{id}", "get_commitment", ("Assistance",)),
    ("post", "/api/v1/commitments/{id}/receipts", "confirm_receipt", ("Assistance",)),
    ("get", "/api/v1/deadlines", "list_deadlines", ("Deadlines",)),
    ("get", "/api/v1/declarations/pending", "list_pending_declarations", None),
    ("post", "/api/v1/declarations/{kind}/{id}/return", "return_declaration", None),
    ("post", "/api/v1/declarations/{kind}/{id}/validate", "validate_declaration", None),
    ("get", "/api/v1/exchange-rates", "list_exchange_rates", ("Assistance",)),
    ("get", "/api/v1/funding", "get_funding", ("Assistance",)),
    ("get", "/api/v1/funding/gap", "get_gap", ("Assistance",)),
    ("get", "/api/v1/history/{kind}/{key}", "get_history", None),
    ("get", "/api/v1/me", "get_me", None),
    ("get", "/api/v1/membership", "get_membership", ("Membership",)),
    ("get", "/api/v1/needs", "list_needs", ("Assistance",)),
    ("post", "/api/v1/needs", "create_need", ("Assistance",)),
    ("get", "/api/v1/needs/{id}", "get_need", ("Assistance",)),
    ("patch", "/api/v1/needs/{id}", "update_need", ("Assistance",)),
    ("get", "/api/v1/needs/{id}/suggestions", "get_need_suggestions", ("Assistance",)),
    ("get", "/api/v1/offers", "list_offers", ("Assistance",)),
    ("post", "/api/v1/offers", "create_offer", ("Assistance",)),
    ("get", "/api/v1/offers/{id}", "get_offer", ("Assistance",)),
    ("patch", "/api/v1/offers/{id}", "update_offer", ("Assistance",)),
    ("get", "/api/v1/offers/{id}/suggestions", "get_offer_suggestions", ("Assistance",)),
    ("get", "/api/v1/organisations/{id}/declaration", "get_organisation_declaration", None),
    ("put", "/api/v1/organisations/{id}/declaration", "put_organisation_declaration", None),
    ("get", "/api/v1/reporting/figures", "get_reporting_figures", None),
    ("get", "/api/v1/reports", "list_reports", None),
    ("get", "/api/v1/reports/{id}", "get_report", None),
    ("get", "/api/v1/states", "list_states", ("States",)),
    ("get", "/api/v1/states/{iso3}", "get_state", ("States",)),
    ("get", "/api/v1/states/{iso3}/declaration", "get_state_declaration", None),
    ("put", "/api/v1/states/{iso3}/declaration", "put_state_declaration", None),
    ("get", "/api/v1/states/{iso3}/reports", "list_state_reports", None),
}
SPLIT_TAGS = {"Assistance", "States", "Membership", "Deadlines"}


def test_the_paths_and_operation_ids_stay_the_same(client):
    document = client.get("/api/v1/openapi.json").json()
    found = {
        (method, path, operation["operationId"], tuple(operation.get("tags", ())))
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    expected = {(m, p, o) for m, p, o, _tags in OPERATIONS}
    # Every operation is still there, under its path and id (other issues may add new ones).
    assert expected <= {(m, p, o) for m, p, o, _tags in found}
    # Those of the modules split or renamed are exactly these, with their tags.
    moved = {entry for entry in found if set(entry[3]) & SPLIT_TAGS}
    assert moved == {(m, p, o, tags) for m, p, o, tags in OPERATIONS if tags}
    ids = [operation["operationId"] for methods in document["paths"].values() for operation in methods.values()]
    assert len(ids) == len(set(ids))


def test_the_api_is_one_module_per_kind_of_record():
    from pathlib import Path

    from article6.api import assistance, treaty, v1

    package = Path(assistance.__file__).parent
    modules = {path.stem: len(path.read_text().splitlines()) for path in package.glob("*.py")}
    assert {"__init__", "schemas", "needs", "offers", "commitments", "funding"} <= set(modules)
    assert max(modules.values()) <= 420, modules
    assert not (package.parent / "endpoints.py").exists() and not (package.parent / "assistance.py").exists()
    assert treaty.router is not None and v1.api.urls
