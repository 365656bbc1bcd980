"""What every operation of the API answers when the request is not what it expects:
one bounded pagination for every list, bodies whose schema says exactly what is
accepted (null included), a documented 400 for a body that cannot be read, and JSON
for every error, an unexpected one (500) included. The operations are taken from the
OpenAPI schema, so that a new one is checked as soon as it exists."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from test_api_assistance import NEW_COMMITMENT, NEW_NEED, NEW_OFFER, build_world, call, ok, parameters

from article6.api.paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

API = "/api/v1"


@pytest.fixture
def world(reference):
    return build_world()


def openapi(client) -> dict:
    return ok(call(client, "GET", "/openapi.json"))


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def operations(schema: dict) -> dict[str, tuple[str, str, dict]]:
    """operationId → (method, path without the /api/v1 prefix, operation)."""
    return {
        op["operationId"]: (method.upper(), path.removeprefix(API), op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }


def answers_a_page(schema: dict, op: dict) -> bool:
    content = op["responses"].get("200", {}).get("content", {}).get("application/json")
    return content is not None and "items" in resolve(schema, content["schema"]).get("properties", {})


def answers_an_array(schema: dict, op: dict) -> bool:
    content = op["responses"].get("200", {}).get("content", {}).get("application/json")
    return content is not None and resolve(schema, content["schema"]).get("type") == "array"


def admits_null(schema: dict, node: dict) -> bool:
    node = resolve(schema, node)
    if node.get("type") == "null" or "null" in (node.get("type") or []):
        return True
    return any(admits_null(schema, option) for option in node.get("anyOf", []) + node.get("oneOf", []))


# --- One pagination, with bounds -------------------------------------------------------------

LIST_OPERATIONS = {
    "list_states",
    "list_needs",
    "list_offers",
    "list_commitments",
    "get_gap",
    "list_exchange_rates",
    "list_reports",
    "list_pending_declarations",
}
PAGE_FIELDS = {"count", "limit", "offset", "next_offset", "previous_offset", "items"}


def test_every_list_operation_pages_alike_within_bounds(client, world):
    schema = openapi(client)
    lists = {name: found for name, found in operations(schema).items() if answers_a_page(schema, found[2])}
    assert set(lists) == LIST_OPERATIONS
    # The one list that is not a page is bounded otherwise: its period is at most ten years.
    arrays = {name for name, (_m, _p, op) in operations(schema).items() if answers_an_array(schema, op)}
    assert arrays == {"list_deadlines"}
    token = world["tokens"]["isu"]
    for name, (method, path, op) in lists.items():
        assert method == "GET", name
        page = resolve(schema, op["responses"]["200"]["content"]["application/json"]["schema"])
        assert set(page["properties"]) >= PAGE_FIELDS, name
        described = {p["name"]: p["schema"] for p in op["parameters"]}
        assert (described["limit"]["maximum"], described["limit"]["default"]) == (MAX_LIMIT, DEFAULT_LIMIT), name
        assert (described["offset"]["minimum"], described["offset"]["maximum"]) == (0, MAX_OFFSET), name
        for bad, parameter in (
            ({"offset": "99999999999999999999"}, "offset"),
            ({"offset": MAX_OFFSET + 1}, "offset"),
            ({"offset": -1}, "offset"),
            ({"limit": 0}, "limit"),
            ({"limit": MAX_LIMIT + 1}, "limit"),
            ({"limit": "many"}, "limit"),
        ):
            assert parameters(call(client, "GET", path, token, params=bad)) == [parameter], (name, bad)
        last = ok(call(client, "GET", path, token, params={"offset": MAX_OFFSET}))
        assert (last["items"], last["offset"], last["next_offset"]) == ([], MAX_OFFSET, None), name
        first = ok(call(client, "GET", path, token, params={"limit": 1}))
        assert set(first) >= PAGE_FIELDS, name
        assert (first["limit"], first["offset"], first["previous_offset"]) == (1, 0, None), name
        assert len(first["items"]) == min(1, first["count"]), name
        assert first["next_offset"] == (1 if first["count"] > 1 else None), name


def test_pages_link_to_the_next_and_previous(client, world):
    token = world["tokens"]["isu"]
    pages = [ok(call(client, "GET", "/needs", token, params={"limit": 2, "offset": offset})) for offset in (0, 2)]
    assert [(p["count"], p["offset"], p["next_offset"], p["previous_offset"]) for p in pages] == [
        (3, 0, 2, None),
        (3, 2, None, 0),
    ]


# --- Bodies: the schema says what is accepted -------------------------------------------------


def bodies(world) -> dict[str, tuple[str, dict]]:
    """A valid body for every operation that takes one, with its path (ISU staff calls)."""
    need = world["needs"]["lao_public"].pk
    offer = world["offers"]["nor"].pk
    commitment = world["commitments"]["nor_to_lao"].pk
    ngo = world["ngo"].pk
    return {
        "create_need": ("/needs", NEW_NEED),
        "update_need": (f"/needs/{need}", {"priority": "high"}),
        "create_offer": ("/offers", NEW_OFFER),
        "update_offer": (f"/offers/{offer}", {"title": "Funding for clearance, 2026"}),
        "create_commitment": ("/commitments", NEW_COMMITMENT),
        "confirm_receipt": (f"/commitments/{commitment}/receipts", {"year": 2026, "amount": 38000}),
        "put_state_declaration": ("/states/LAO/declaration", {"contact_institution": "National Regulatory Authority"}),
        "put_organisation_declaration": (f"/organisations/{ngo}/declaration", {"contact_institution": "Head office"}),
        "validate_declaration": ("/declarations/state/999999/validate", {"note": "Checked."}),
        "return_declaration": ("/declarations/state/999999/return", {"note": "The e-mail address bounces."}),
    }


def with_body(schema: dict) -> dict[str, tuple[str, str, dict]]:
    return {name: found for name, found in operations(schema).items() if "requestBody" in found[2]}


def test_an_unreadable_body_is_a_documented_400_naming_the_body(client, world):
    schema = openapi(client)
    found = with_body(schema)
    assert set(found) == set(bodies(world))
    token = world["tokens"]["isu"]
    for name, (method, _path, op) in found.items():
        documented = op["responses"].get("400", {}).get("content", {}).get("application/json", {}).get("schema", {})
        assert documented.get("$ref", "").endswith("/ParameterErrors"), name
        path, _body = bodies(world)[name]
        for garbage in (b"{not json", b'{"title": "cut short', b"\xff\xfe"):
            response = call(client, method, path, token, garbage)
            assert response.status_code == 400, (name, garbage, response.content)
            [error] = response.json()["detail"]
            assert error["parameter"] == "body" and "JSON" in error["reason"], name


def test_null_is_accepted_exactly_where_the_schema_says(client, world):
    """Each field of each body set to null: refused with a 422 naming it where the schema
    says it may not be null; never a 500."""
    schema = openapi(client)
    token = world["tokens"]["isu"]
    for name, (method, _path, op) in with_body(schema).items():
        path, body = bodies(world)[name]
        body_schema = resolve(schema, op["requestBody"]["content"]["application/json"]["schema"])
        # An optional body (`ReviewIn | None`): its object.
        body_schema = next((resolve(schema, o) for o in body_schema.get("anyOf", []) if "$ref" in o), body_schema)
        for field, field_schema in body_schema["properties"].items():
            response = call(client, method, path, token, {**body, field: None})
            assert response.status_code != 500, (name, field, response.content)
            if not admits_null(schema, field_schema):
                assert parameters(response) == [field], (name, field)


@pytest.mark.parametrize(
    ("operation", "field"),
    [("need", "languages"), ("offer", "regions"), ("offer", "languages"), ("offer", "states")],
)
def test_null_lists_are_refused_and_nothing_changes(client, world, operation, field):
    token = world["tokens"]["isu"]
    record = world["needs"]["lao_public"] if operation == "need" else world["offers"]["nor"]
    before = list(record.history.all())
    response = call(client, "PATCH", f"/{operation}s/{record.pk}", token, {field: None})
    assert parameters(response) == [field]
    [error] = response.json()["detail"]
    assert "list" in error["reason"]
    assert list(record.history.all()) == before
    created = call(
        client, "POST", f"/{operation}s", token, {**(NEW_NEED if operation == "need" else NEW_OFFER), field: None}
    )
    assert parameters(created) == [field]


# --- Every error is JSON ----------------------------------------------------------------------


def broken(*args, **kwargs):
    raise RuntimeError("connection to server at 10.0.0.7 lost")


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("article6.treaty.queries.membership_json", "/membership"),
        ("article6.assistance.queries.needs_for", "/needs"),
        ("article6.reporting.queries.readable_reports", "/reports"),
    ],
)
def test_an_unexpected_error_is_a_json_500_and_is_logged(monkeypatch, caplog, reference, target, path):
    monkeypatch.setattr(target, broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(f"{API}{path}")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": "Something went wrong on our side; it is logged. Please try again later."}
    assert "10.0.0.7" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert path in record.getMessage()


def test_an_unexpected_error_still_reaches_the_test_client(monkeypatch, reference):
    """Tests keep seeing the exception itself, as for any page."""
    monkeypatch.setattr("article6.treaty.queries.membership_json", broken)
    with pytest.raises(RuntimeError, match="10.0.0.7"):
        Client().get(f"{API}/membership")


def test_an_unknown_path_or_method_is_json(client, reference):
    response = client.get(f"{API}/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    response = client.delete(f"{API}/membership")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "GET" in response["Allow"] and response.json()["detail"]


def test_an_unexpected_error_writes_nothing_when_requests_are_atomic(monkeypatch, reference):
    """The 500 is answered, not raised: the request's own transaction is still rolled back."""
    from django.db import connection

    from article6.assistance.models import ExchangeRate

    def half_write(*args, **kwargs):
        ExchangeRate.objects.create(currency="EUR", year=2026, usd_per_unit=1, source="half-written")
        raise RuntimeError("after the write")

    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    monkeypatch.setattr("article6.treaty.queries.membership_json", half_write)
    response = Client(raise_request_exception=False).get(f"{API}/membership")
    assert response.status_code == 500 and response.json()["detail"]
    assert not ExchangeRate.objects.filter(source="half-written").exists()
