"""What /api/v1/openapi.json documents, read as a client reads it, and the real answers
beside it: every operation lists the errors it may answer with the body errors.py sends;
dates, filters and amounts are constrained as the code constrains them; and each error
the schema names (413, 415, 400, 404, 405, 422, 429) comes back as documented, JSON naming
the parameter and the reason."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from test_api_assistance import NEW_NEED, build_world, call, ok
from test_api_errors import bodies, openapi, operations, resolve

from article6.api.paging import DEFAULT_LIMIT

API = "/api/v1"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def world(reference):
    return build_world()


def body_schema(schema: dict, op: dict, status: int) -> dict:
    return op["responses"][str(status)]["content"]["application/json"]["schema"]


def detail_of(schema: dict, op: dict, status: int) -> dict:
    return resolve(schema, body_schema(schema, op, status))["properties"]["detail"]


def parameter_errors(response) -> list[tuple[str, str]]:
    assert response["Content-Type"].startswith("application/json"), response.content
    return [(error["parameter"], error["reason"]) for error in response.json()["detail"]]


# --- What the schema documents ----------------------------------------------------------------


def test_every_operation_lists_the_errors_it_may_answer(client, reference):
    schema = openapi(client)
    for name, (method, _path, op) in operations(schema).items():
        documented = set(op["responses"])
        has_body = "requestBody" in op
        has_path = any(p["in"] == "path" for p in op.get("parameters", ()))
        has_input = has_body or bool(op.get("parameters"))
        expected = {"401", "403", "500"}
        expected |= {"400", "413", "415"} if has_body else set()
        expected |= {"404"} if has_path else set()
        expected |= {"422"} if has_input else set()
        expected |= {"429"} if method in WRITES else set()
        assert expected <= documented, (name, expected - documented)


def test_each_error_has_the_body_the_code_sends(client, reference):
    schema = openapi(client)
    # {"detail": [{"parameter", "reason"}]} where a parameter, a field or the body is at fault.
    listed = resolve(schema, {"$ref": "#/components/schemas/ParameterErrors"})["properties"]["detail"]
    item = resolve(schema, listed["items"])
    assert listed["type"] == "array" and set(item["required"]) == {"parameter", "reason"}
    for name, (_method, _path, op) in operations(schema).items():
        for status in op["responses"]:
            if status in {"400", "413", "415", "422"}:
                assert body_schema(schema, op, status)["$ref"].endswith("/ParameterErrors"), (name, status)
            elif status in {"401", "403", "404", "409", "429", "500"}:
                assert detail_of(schema, op, status)["type"] == "string", (name, status)
        if "429" in op["responses"]:
            assert op["responses"]["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}, name


def date_parameters(schema: dict):
    for name, (_method, _path, op) in operations(schema).items():
        for parameter in op.get("parameters", ()):
            options = parameter["schema"].get("anyOf", [parameter["schema"]])
            for option in options:
                if option.get("format") == "date":
                    yield name, parameter["name"], option


def test_dates_say_their_range(client, reference):
    found = list(date_parameters(openapi(client)))
    assert {(name, parameter) for name, parameter, _option in found} >= {
        ("list_states", "as_of"),
        ("get_membership", "as_of"),
        ("list_deadlines", "from"),
        ("list_deadlines", "to"),
    }
    for name, parameter, option in found:
        pattern = re.compile(option["pattern"])
        assert pattern.search("2008-05-30") and pattern.search("2100-12-31"), (name, parameter)
        assert not pattern.search("2008-05-29") and not pattern.search("2101-01-01"), (name, parameter)
        assert not pattern.search(" 2020-01-01"), (name, parameter)


def test_filters_say_that_an_empty_value_is_no_filter(client, reference):
    schema = openapi(client)
    needs = {p["name"]: p["schema"] for p in operations(schema)["list_needs"][2]["parameters"]}
    assert re.search(needs["state"]["pattern"], "") and re.search(needs["state"]["pattern"], "lao")
    assert not re.search(needs["state"]["pattern"], "LA")


def money_fields(schema: dict):
    for name in ("NeedIn", "NeedPatch", "OfferIn", "ReceiptIn", "AmountIn"):
        for field, prop in schema["components"]["schemas"][name]["properties"].items():
            if field in {"amount", "amount_per_year", "national_resources"}:
                yield name, field, next(o for o in prop.get("anyOf", [prop]) if o.get("type") != "null")


def test_amounts_in_bodies_are_numbers_to_the_cent(client, reference):
    found = list(money_fields(openapi(client)))
    assert len(found) >= 7
    for name, field, option in found:
        assert option["type"] == "number" and option["multipleOf"] == 0.01, (name, field, option)
        assert "exclusiveMaximum" in option or "maximum" in option, (name, field)


# --- The answers beside it --------------------------------------------------------------------


def test_a_date_before_the_minimum_is_a_422_naming_it(client, reference):
    for path, parameter in (("/membership", "as_of"), ("/states", "as_of"), ("/deadlines", "from")):
        refused = call(client, "GET", path, params={parameter: "2008-05-29"})
        assert refused.status_code == 422
        [(named, reason)] = parameter_errors(refused)
        assert named == parameter and "2008-05-30" in reason
        assert call(client, "GET", path, params={parameter: "2008-05-30"}).status_code == 200


def test_an_empty_filter_lists_everything(client, world):
    token = world["tokens"]["isu"]
    for path, parameter in (("/needs", "state"), ("/offers", "provider"), ("/commitments", "recipient")):
        everything = ok(call(client, "GET", path, token))
        assert ok(call(client, "GET", path, token, params={parameter: ""}))["count"] == everything["count"] > 0
    assert call(client, "GET", "/funding", params={"state": ""}).status_code == 200
    assert call(client, "GET", "/reports", params={"state": ""}).status_code == 200


def test_to_alone_in_the_past_lists_the_12_months_up_to_it(client, reference):
    found = ok(call(client, "GET", "/deadlines", params={"to": "2019-12-31"}))
    assert found and all("2018-12-31" <= item["date"] <= "2019-12-31" for item in found)
    # Both given, the wrong way round: the period is refused, naming `to`.
    refused = call(client, "GET", "/deadlines", params={"from": "2020-01-01", "to": "2019-12-31"})
    assert refused.status_code == 400 and [name for name, _ in parameter_errors(refused)] == ["to"]


def test_an_amount_written_as_text_is_a_422_naming_it(client, world):
    token = world["tokens"]["isu"]
    path = bodies(world)["confirm_receipt"][0]
    refused = call(client, "POST", path, token, {"year": 2026, "amount": "38000"})
    assert refused.status_code == 422 and parameter_errors(refused)[0][0] == "amount"
    refused = call(client, "POST", path, token, {"year": 2026, "amount": 1.005})
    assert refused.status_code == 422 and parameter_errors(refused)[0][0] == "amount"


def test_answers_give_amounts_as_numbers(client, world):
    need = ok(call(client, "GET", f"/needs/{world['needs']['lao_public'].pk}", world["tokens"]["isu"]))
    assert isinstance(need["amount"], int | float)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_is_a_json_413_naming_the_body(client, world):
    token = world["tokens"]["isu"]
    response = call(client, "POST", "/needs", token, {**NEW_NEED, "description": "x" * 2000})
    assert response.status_code == 413
    [(parameter, reason)] = parameter_errors(response)
    assert parameter == "body" and "1000 bytes" in reason


def test_a_body_that_is_not_json_is_a_415_naming_the_content_type(client, world):
    token = world["tokens"]["isu"]
    for content_type, data in (("application/x-www-form-urlencoded", "title=x"), ("text/plain", "{}")):
        response = client.post(
            f"{API}/needs", data=data, content_type=content_type, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 415
        [(parameter, reason)] = parameter_errors(response)
        assert parameter == "Content-Type" and content_type in reason
    # A type that says it is JSON is read as JSON.
    response = client.patch(
        f"{API}/needs/{world['needs']['lao_public'].pk}",
        data='{"priority": "high"}',
        content_type="application/merge-patch+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


def test_unknown_paths_wrong_methods_and_broken_bodies_are_json(client, world):
    token = world["tokens"]["isu"]
    missing = call(client, "GET", "/nowhere")
    assert missing.status_code == 404 and missing.json()["detail"]
    wrong = call(client, "DELETE", "/states")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET" and "GET" in wrong.json()["detail"]
    broken = call(client, "POST", "/needs", token, b'{"title": ')
    assert broken.status_code == 400 and parameter_errors(broken)[0][0] == "body"
    unknown = call(client, "GET", "/needs", token, params={"state": "XXX"})
    assert unknown.status_code == 400 and parameter_errors(unknown) == [("state", "No State has the ISO3 code “XXX”.")]


def test_the_pages_default_limit_is_documented(client, reference):
    schema = openapi(client)
    described = {p["name"]: p["schema"] for p in operations(schema)["list_states"][2]["parameters"]}
    assert described["limit"]["default"] == DEFAULT_LIMIT


def test_funding_keeps_the_command_lines_shape_and_pages_only_when_asked(client, world):
    token = world["tokens"]["isu"]
    whole = ok(call(client, "GET", "/funding", token))
    assert set(whole) == {"commitments", "totals", "problems"} and len(whole["commitments"]) >= 2
    first = ok(call(client, "GET", "/funding", token, params={"limit": 1}))
    assert first["commitments"] == whole["commitments"][:1]
    assert (first["count"], first["limit"], first["offset"], first["previous_offset"]) == (
        len(whole["commitments"]),
        1,
        0,
        None,
    )
    assert first["next_offset"] == 1 and first["totals"] == whole["totals"]
    rest = ok(call(client, "GET", "/funding", token, params={"offset": 1}))
    assert rest["commitments"] == whole["commitments"][1 : 1 + DEFAULT_LIMIT]
    refused = call(client, "GET", "/funding", token, params={"limit": 0})
    assert refused.status_code == 422 and parameter_errors(refused)[0][0] == "limit"
