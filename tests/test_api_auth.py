"""The API for identified callers (/api/v1/): personal API tokens and the signed-in
session, focal points' declarations, ISU's validation and the audit trail, with the
real reference data. Who may do what is decided by the one permission layer; the
person a token identifies is who the audit trail records."""

import pytest
from django.test import Client
from django.utils import timezone
from pagetools import add_states

from article6.accounts.models import ApiToken, Role, RoleKind, TokenScope
from article6.accounts.totp import activate_totp
from article6.states.models import DeclarationStatus, Organisation, OrganisationDeclaration, State, StateDeclaration

API = "/api/v1"
PASSWORD = "a-long-test-password-42"
LAO_DECLARATION = {
    "contact_institution": "National Regulatory Authority for UXO/Mine Action",
    "contact_person": "Focal Point",
    "contact_email": "nra@example.org",
    "contact_phone": "+856 21 000000",
    "contact_address": "Vientiane",
    "contact_website": "https://nra.example.org/",
    "holds_stockpiles": False,
    "has_contaminated_areas": True,
    "has_victims": True,
    "former_user_state": None,
}


# --- People, tokens, calls -----------------------------------------------------------------


def person(django_user_model, email: str, kind=None, *, totp: bool = False, **scope):
    user = django_user_model.objects.create_user(username=email, email=email, password=PASSWORD)
    if kind:
        Role.objects.create(user=user, kind=kind, **scope)
    if totp:
        activate_totp(user)
    return user


def token_of(user, scope=TokenScope.WRITE) -> str:
    return ApiToken.issue(user, "test", scope)[1]


def call(client, method: str, path: str, token: str | None = None, body=None, params=None, **headers):
    """One call to the API; `token` is sent as a bearer token, `body` as JSON."""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    elif method != "GET":
        kwargs.update(data=b"", content_type="application/json")  # no body at all
    elif params is not None:
        kwargs.update(data=params)
    response = getattr(client, method.lower())(f"{API}{path}", **kwargs)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def lao_focal_point(django_user_model, lao):
    return person(django_user_model, "lao@example.org", RoleKind.STATE_FOCAL_POINT, state=lao)


@pytest.fixture
def lebanon_focal_point(django_user_model, reference):
    return person(django_user_model, "lbn@example.org", RoleKind.STATE_FOCAL_POINT, state=State.objects.get(iso3="LBN"))


@pytest.fixture
def isu(django_user_model, reference):
    return person(django_user_model, "isu@example.org", RoleKind.ISU_STAFF, totp=True)


@pytest.fixture
def organisations(reference):
    first, second = Organisation.objects.order_by("pk")[:2]
    return first, second


@pytest.fixture
def ngo_focal_point(django_user_model, organisations):
    return person(django_user_model, "ngo@example.org", RoleKind.PARTNER_FOCAL_POINT, organisation=organisations[0])


def declare_lao(client, token, **changes):
    return call(client, "PUT", "/states/LAO/declaration", token, {**LAO_DECLARATION, **changes})


# --- Identifying the caller ----------------------------------------------------------------


def test_me_with_a_token(client, lao_focal_point):
    token = token_of(lao_focal_point, TokenScope.READ)
    before = ApiToken.history.count()
    data = ok(call(client, "GET", "/me", token))
    assert data == {
        "email": "lao@example.org",
        "roles": [{"kind": "state_focal_point", "state": "LAO", "organisation": None, "thematic_area": ""}],
        "is_isu": False,
    }
    stored = ApiToken.objects.get(user=lao_focal_point)
    assert stored.last_used is not None
    assert (timezone.now() - stored.last_used).total_seconds() < 60
    assert ApiToken.history.count() == before  # using a token writes no history


def test_me_of_isu_staff(client, isu):
    data = ok(call(client, "GET", "/me", token_of(isu)))
    assert data["is_isu"] is True
    assert data["roles"] == [{"kind": "isu_staff", "state": None, "organisation": None, "thematic_area": ""}]


def test_me_is_for_identified_callers_only(client, reference):
    response = call(client, "GET", "/me")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_with_the_signed_in_session(client, lao_focal_point):
    client.force_login(lao_focal_point)
    assert ok(call(client, "GET", "/me"))["email"] == "lao@example.org"


@pytest.mark.parametrize("path", ["/me", "/states", "/states/LAO/declaration"])
def test_revoked_token_gets_a_401(client, lao_focal_point, path):
    token = token_of(lao_focal_point)
    ApiToken.objects.filter(user=lao_focal_point).update(revoked=timezone.now())
    response = call(client, "GET", path, token)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert ApiToken.objects.get(user=lao_focal_point).last_used is None


@pytest.mark.parametrize(
    ("token", "words"),
    [("a6_" + "x" * 43, "Unknown"), ("not-a-token", "a6_"), ("", "a6_")],
)
def test_unknown_token_gets_a_401_even_where_anonymous_callers_are_welcome(client, reference, token, words):
    for path in ("/me", "/membership"):
        response = call(client, "GET", path, Authorization=f"Bearer {token}")
        assert response.status_code == 401
        assert words in response.json()["detail"]


def test_token_of_a_deactivated_account_gets_a_401(client, lao_focal_point):
    token = token_of(lao_focal_point)
    lao_focal_point.is_active = False
    lao_focal_point.save()
    response = call(client, "GET", "/me", token)
    assert response.status_code == 401
    assert "deactivated" in response.json()["detail"]


def test_isu_token_needs_a_second_factor(client, django_user_model, reference):
    isu = person(django_user_model, "isu-no-totp@example.org", RoleKind.ISU_STAFF)
    token = token_of(isu)
    response = call(client, "GET", "/me", token)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    activate_totp(isu)
    assert ok(call(client, "GET", "/me", token))["is_isu"] is True


def test_public_figures_stay_open_and_accept_a_token(client, lao_focal_point):
    assert ok(call(client, "GET", "/membership"))["states_parties"] > 100
    token = token_of(lao_focal_point, TokenScope.READ)
    assert ok(call(client, "GET", "/states/LAO"))["iso3"] == "LAO"
    assert ok(call(client, "GET", "/states/LAO", token))["iso3"] == "LAO"
    assert ApiToken.objects.get(user=lao_focal_point).last_used is not None


def test_read_only_token_may_read_but_not_write(client, lao_focal_point):
    token = token_of(lao_focal_point, TokenScope.READ)
    assert "pending" in ok(call(client, "GET", "/states/LAO/declaration", token))
    response = declare_lao(client, token)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This token is read-only")
    assert not StateDeclaration.objects.exists()


def test_anonymous_write_gets_a_401_and_writes_nothing(client, reference):
    response = declare_lao(client, None)
    assert response.status_code == 401
    assert not StateDeclaration.objects.exists()


def test_session_writes_need_the_csrf_token(lao_focal_point):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lao_focal_point)
    # Reading needs no CSRF token.
    assert ok(call(client, "GET", "/states/LAO/declaration"))["pending"] is None
    response = declare_lao(client, None)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not StateDeclaration.objects.exists()
    # With the csrftoken cookie's value in the X-CSRFToken header, as the pages send it.
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    data = ok(call(client, "PUT", "/states/LAO/declaration", None, LAO_DECLARATION, **{"X-CSRFToken": secret}))
    assert data["status"] == "pending"
    assert StateDeclaration.objects.get().submitted_by == lao_focal_point


def test_a_token_needs_no_csrf_token(lao_focal_point):
    client = Client(enforce_csrf_checks=True)
    assert ok(declare_lao(client, token_of(lao_focal_point)))["status"] == "pending"


# --- A State's declaration -------------------------------------------------------------------


def test_focal_point_declares_and_the_public_waits_for_isu(client, lao_focal_point, lao):
    token = token_of(lao_focal_point)
    data = ok(declare_lao(client, token))
    assert data["kind"] == "state"
    assert (data["state"], data["state_name"]) == ("LAO", lao.name)
    assert data["status"] == "pending"
    assert data["submitted_by"] == "lao@example.org"
    assert (data["reviewed"], data["reviewed_by"]) == (None, None)
    assert {name: data[name] for name in LAO_DECLARATION} == LAO_DECLARATION
    # The public sees nothing yet, and not the pending declaration either.
    public = ok(call(Client(), "GET", "/states/LAO/declaration"))
    assert public == {"validated": None}
    # Its focal point sees it awaiting validation.
    mine = ok(call(client, "GET", "/states/lao/declaration", token))
    assert mine["validated"] is None
    assert mine["pending"]["id"] == data["id"]
    # A second PUT replaces the one awaiting validation.
    again = ok(declare_lao(client, token, contact_person="Someone Else"))
    assert again["id"] == data["id"]
    assert StateDeclaration.objects.get().contact_person == "Someone Else"


def test_partner_focal_point_of_a_donor_state_declares_for_it(client, django_user_model, reference):
    norway = person(
        django_user_model, "nor@example.org", RoleKind.PARTNER_FOCAL_POINT, state=State.objects.get(iso3="NOR")
    )
    response = call(client, "PUT", "/states/NOR/declaration", token_of(norway), {"contact_institution": "MFA"})
    data = ok(response)
    assert (data["state"], data["contact_institution"], data["contact_email"]) == ("NOR", "MFA", "")
    assert data["holds_stockpiles"] is None


def test_focal_point_of_lebanon_may_not_declare_for_laos(client, lebanon_focal_point, lao):
    response = declare_lao(client, token_of(lebanon_focal_point))
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "focal points" in detail and lao.name in detail
    assert not StateDeclaration.objects.exists()
    assert not StateDeclaration.history.exists()
    # Nor see what Laos's focal point sent.
    assert "pending" not in ok(call(client, "GET", "/states/LAO/declaration", token_of(lebanon_focal_point)))


def test_bad_email_gets_a_422_naming_the_field(client, lao_focal_point):
    response = declare_lao(client, token_of(lao_focal_point), contact_email="not an address")
    assert response.status_code == 422
    assert [d["parameter"] for d in response.json()["detail"]] == ["contact_email"]
    assert all(d["reason"] for d in response.json()["detail"])
    assert not StateDeclaration.objects.exists()


@pytest.mark.parametrize(
    ("body", "parameters"),
    [
        ({**LAO_DECLARATION, "contact_institution": "   "}, ["contact_institution"]),
        ({"contact_person": "Nobody"}, ["contact_institution"]),
        ({**LAO_DECLARATION, "contact_website": "not a website"}, ["contact_website"]),
        ({**LAO_DECLARATION, "contact_phone": "1" * 41}, ["contact_phone"]),
        ({**LAO_DECLARATION, "holds_stockpiles": "perhaps"}, ["holds_stockpiles"]),
        ({**LAO_DECLARATION, "status": "validated"}, ["status"]),
        ({**LAO_DECLARATION, "contact_email": "x", "contact_website": "y"}, ["contact_email", "contact_website"]),
    ],
)
def test_bad_declarations_get_a_422_naming_the_fields(client, lao_focal_point, body, parameters):
    response = call(client, "PUT", "/states/LAO/declaration", token_of(lao_focal_point), body)
    assert response.status_code == 422
    assert sorted(d["parameter"] for d in response.json()["detail"]) == parameters
    assert not StateDeclaration.objects.exists()


def test_unknown_state_is_a_json_404(client, lao_focal_point):
    token = token_of(lao_focal_point)
    for code in ("XYZ", "XYZ1", "%00AB", "ab"):
        response = call(client, "GET", f"/states/{code}/declaration")
        assert response.status_code == 404
        assert "ISO3" in response.json()["detail"]
    response = call(client, "PUT", "/states/XYZ/declaration", token, LAO_DECLARATION)
    assert response.status_code == 404
    assert "ISO3" in response.json()["detail"]


# --- ISU's validation ------------------------------------------------------------------------


def test_isu_validates_and_the_public_then_sees_it(client, lao_focal_point, isu):
    sent = ok(declare_lao(client, token_of(lao_focal_point)))
    isu_token = token_of(isu)
    pending = ok(call(client, "GET", "/declarations/pending", isu_token))
    assert pending["count"] == 1
    assert [(d["kind"], d["id"], d["state"]) for d in pending["items"]] == [("state", sent["id"], "LAO")]
    assert pending["items"][0]["submitted_by"] == "lao@example.org"
    assert ok(call(client, "GET", "/states/LAO/declaration", isu_token))["pending"]["id"] == sent["id"]

    data = ok(call(client, "POST", f"/declarations/state/{sent['id']}/validate", isu_token, {"note": "Thank you."}))
    assert (data["status"], data["reviewed_by"], data["review_note"]) == ("validated", "isu@example.org", "Thank you.")

    public = ok(call(Client(), "GET", "/states/LAO/declaration"))
    assert set(public) == {"validated"}
    assert {name: public["validated"][name] for name in LAO_DECLARATION} == LAO_DECLARATION
    assert public["validated"]["reviewed"] == data["reviewed"]
    assert "submitted_by" not in public["validated"]
    pending = ok(call(client, "GET", "/declarations/pending", isu_token))
    assert (pending["count"], pending["items"]) == (0, [])
    # Validated once: not again.
    again = call(client, "POST", f"/declarations/state/{sent['id']}/validate", isu_token)
    assert again.status_code == 409
    assert "not awaiting validation" in again.json()["detail"]


def test_the_public_keeps_the_validated_declaration_until_isu_validates_the_next(client, lao_focal_point, isu):
    token, isu_token = token_of(lao_focal_point), token_of(isu)
    first = ok(declare_lao(client, token))
    ok(call(client, "POST", f"/declarations/state/{first['id']}/validate", isu_token))
    second = ok(declare_lao(client, token, contact_person="New Person"))
    assert second["id"] != first["id"]
    public = ok(call(Client(), "GET", "/states/LAO/declaration"))
    assert public["validated"]["contact_person"] == "Focal Point"
    mine = ok(call(client, "GET", "/states/LAO/declaration", token))
    assert (mine["validated"]["contact_person"], mine["pending"]["contact_person"]) == ("Focal Point", "New Person")


def test_return_needs_a_note(client, lao_focal_point, isu):
    sent = ok(declare_lao(client, token_of(lao_focal_point)))
    isu_token = token_of(isu)
    for body in (None, {}, {"note": "  "}):
        response = call(client, "POST", f"/declarations/state/{sent['id']}/return", isu_token, body)
        assert response.status_code == 422
        assert [d["parameter"] for d in response.json()["detail"]] in (["note"], ["body"])
    assert StateDeclaration.objects.get().status == DeclarationStatus.PENDING

    data = ok(call(client, "POST", f"/declarations/state/{sent['id']}/return", isu_token, {"note": "Which e-mail?"}))
    assert (data["status"], data["review_note"]) == ("rejected", "Which e-mail?")
    assert ok(call(Client(), "GET", "/states/LAO/declaration")) == {"validated": None}
    assert ok(call(client, "GET", "/states/LAO/declaration", token_of(lao_focal_point)))["pending"] is None


def test_only_isu_validates(client, lao_focal_point, django_user_model, reference):
    sent = ok(declare_lao(client, token_of(lao_focal_point)))
    coordinator = person(
        django_user_model, "coord@example.org", RoleKind.COORDINATOR, totp=True, thematic_area="cooperation"
    )
    for user in (lao_focal_point, coordinator):
        token = token_of(user)
        for action in ("validate", "return"):
            response = call(client, "POST", f"/declarations/state/{sent['id']}/{action}", token, {"note": "ok"})
            assert response.status_code == 403
            assert "ISU" in response.json()["detail"]
        response = call(client, "GET", "/declarations/pending", token)
        assert response.status_code == 403
        assert "ISU" in response.json()["detail"]
    assert call(client, "POST", f"/declarations/state/{sent['id']}/validate").status_code == 401
    assert StateDeclaration.objects.get().status == DeclarationStatus.PENDING


def test_review_of_an_unknown_declaration(client, isu):
    token = token_of(isu)
    for ident in ("0", "9" * 30):
        response = call(client, "POST", f"/declarations/state/{ident}/validate", token)
        assert response.status_code == 422
        assert [d["parameter"] for d in response.json()["detail"]] == ["id"]
    response = call(client, "POST", "/declarations/state/999999/validate", token)
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]
    response = call(client, "POST", "/declarations/treaty/1/validate", token)
    assert response.status_code == 422
    assert [d["parameter"] for d in response.json()["detail"]] == ["kind"]


def test_isu_session_validates_with_the_csrf_token(lao_focal_point, isu):
    sent = ok(declare_lao(Client(), token_of(lao_focal_point)))
    client = Client(enforce_csrf_checks=True)
    client.force_login(isu)
    path = f"/declarations/state/{sent['id']}/validate"
    assert call(client, "POST", path, None, {}).status_code == 403
    client.cookies["csrftoken"] = "b" * 32
    assert ok(call(client, "POST", path, None, {}, **{"X-CSRFToken": "b" * 32}))["status"] == "validated"


# --- An organisation's declaration -----------------------------------------------------------


def test_organisation_declaration(client, ngo_focal_point, organisations, isu, lao_focal_point):
    ngo, other = organisations
    token = token_of(ngo_focal_point)
    path = f"/organisations/{ngo.pk}/declaration"
    body = {"contact_institution": "Head office", "contact_email": "office@example.org"}
    data = ok(call(client, "PUT", path, token, body))
    assert (data["kind"], data["organisation"], data["organisation_name"]) == ("organisation", ngo.pk, str(ngo))
    assert (data["status"], data["contact_email"], data["submitted_by"]) == (
        "pending",
        "office@example.org",
        "ngo@example.org",
    )
    assert "holds_stockpiles" not in data
    assert ok(call(Client(), "GET", path)) == {"validated": None}
    assert ok(call(client, "GET", path, token))["pending"]["id"] == data["id"]
    # Obligations are for States only.
    response = call(client, "PUT", path, token, {**body, "has_victims": True})
    assert response.status_code == 422
    assert [d["parameter"] for d in response.json()["detail"]] == ["has_victims"]
    # Not the focal point of another organisation, nor a State's.
    for user_token, other_path in (
        (token, f"/organisations/{other.pk}/declaration"),
        (token_of(lao_focal_point), path),
    ):
        response = call(client, "PUT", other_path, user_token, body)
        assert response.status_code == 403
        assert "focal points" in response.json()["detail"]
    assert OrganisationDeclaration.objects.count() == 1

    isu_token = token_of(isu)
    assert [d["kind"] for d in ok(call(client, "GET", "/declarations/pending", isu_token))["items"]] == ["organisation"]
    ok(call(client, "POST", f"/declarations/organisation/{data['id']}/validate", isu_token))
    public = ok(call(Client(), "GET", path))
    assert public["validated"]["contact_email"] == "office@example.org"
    assert call(client, "GET", "/organisations/999999/declaration").status_code == 404
    for key in ("abc", "9" * 30, "0"):
        assert call(client, "GET", f"/organisations/{key}/declaration").status_code == 422


# --- The audit trail -------------------------------------------------------------------------


def test_the_audit_trail_records_the_person_behind_the_token(client, lao_focal_point, isu):
    sent = ok(declare_lao(client, token_of(lao_focal_point)))
    ok(call(client, "POST", f"/declarations/state/{sent['id']}/validate", token_of(isu)))
    rows = StateDeclaration.history.filter(id=sent["id"]).order_by("history_date", "history_id")
    assert [(row.history_type, row.history_user) for row in rows] == [("+", lao_focal_point), ("~", isu)]

    data = ok(call(client, "GET", "/history/state/lao", token_of(isu)))
    assert (data["kind"], data["key"]) == ("state", "LAO")
    declaration_entries = [e for e in data["entries"] if e["record"] == "State declaration"]
    assert [(e["who"], e["action"]) for e in declaration_entries] == [
        ("isu@example.org", "changed"),
        ("lao@example.org", "created"),
    ]
    changed = {c["field"]: (c["before"], c["after"]) for c in declaration_entries[0]["changes"]}
    assert changed["status"][1] == "validated"
    created = {c["field"]: c["after"] for c in declaration_entries[1]["changes"]}
    assert created["contact_email"] == "nra@example.org"
    # The State's own record (loaded from the reference data) is in its trail too.
    assert any(e["record"] == "State" for e in data["entries"])
    assert [e["when"] for e in data["entries"]] == sorted((e["when"] for e in data["entries"]), reverse=True)


def test_history_through_the_api_is_for_isu_only(client, lao_focal_point, lebanon_focal_point, isu, organisations):
    assert call(client, "GET", "/history/state/LAO").status_code == 401
    for user in (lao_focal_point, lebanon_focal_point):
        response = call(client, "GET", "/history/state/LAO", token_of(user))
        assert response.status_code == 403
        assert "ISU" in response.json()["detail"]
    session = Client()
    session.force_login(lao_focal_point)
    assert call(session, "GET", "/history/state/LAO").status_code == 403

    token = token_of(isu)
    assert ok(call(client, "GET", "/history/state/LAO", token))["entries"]
    assert call(client, "GET", "/history/state/XYZ", token).status_code == 404
    assert ok(call(client, "GET", f"/history/organisation/{organisations[0].pk}", token))["key"] == str(
        organisations[0].pk
    )
    assert call(client, "GET", "/history/organisation/999999", token).status_code == 404
    for key in ("abc", "²", "9" * 30, "0", "-1"):
        assert call(client, "GET", f"/history/organisation/{key}", token).status_code == 404
    assert call(client, "GET", "/history/state/%00AB", token).status_code == 404
    response = call(client, "GET", "/history/meeting/1", token)
    assert response.status_code == 422
    assert [d["parameter"] for d in response.json()["detail"]] == ["kind"]
    assert len(ok(call(client, "GET", "/history/state/LAO", token, params={"limit": 1}))["entries"]) == 1
    assert call(client, "GET", "/history/state/LAO", token, params={"limit": 0}).status_code == 422


# --- The schema ----------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/me", "get"): "get_me",
    ("/api/v1/states/{iso3}/declaration", "get"): "get_state_declaration",
    ("/api/v1/states/{iso3}/declaration", "put"): "put_state_declaration",
    ("/api/v1/organisations/{id}/declaration", "get"): "get_organisation_declaration",
    ("/api/v1/organisations/{id}/declaration", "put"): "put_organisation_declaration",
    ("/api/v1/declarations/pending", "get"): "list_pending_declarations",
    ("/api/v1/declarations/{kind}/{id}/validate", "post"): "validate_declaration",
    ("/api/v1/declarations/{kind}/{id}/return", "post"): "return_declaration",
    ("/api/v1/history/{kind}/{key}", "get"): "get_history",
}
PUBLIC = (
    {"list_states", "get_state", "get_membership", "list_deadlines"}
    | {
        "get_state_declaration",
        "get_organisation_declaration",
    }
    | {
        "list_needs",
        "get_need",
        "list_offers",
        "get_offer",
        "get_need_suggestions",
        "get_offer_suggestions",
        "list_commitments",
        "get_commitment",
        "get_funding",
        "get_gap",
        "list_exchange_rates",
    }
    | {"get_reporting_figures", "list_state_reports", "list_reports", "get_report"}
)


def test_openapi_lists_the_operations_and_how_to_identify(client, reference):
    schema = ok(call(client, "GET", "/openapi.json"))
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}
    assert {key: op["operationId"] for key, op in operations.items() if key in OPERATIONS} == OPERATIONS
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    for op in operations.values():
        assert op["summary"]
        security = op["security"]
        assert {"TokenAuth": []} in security and {"SessionAuth": []} in security
        assert ({} in security) == (op["operationId"] in PUBLIC), op["operationId"]
    body = operations[("/api/v1/states/{iso3}/declaration", "put")]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/StateDeclarationIn")
    assert schema["components"]["schemas"]["StateDeclarationIn"]["required"] == ["contact_institution"]


# --- A fixed number of SQL queries -----------------------------------------------------------


def more_data(django_user_model, isu) -> None:
    """More States, organisations' and States' declarations, history rows, roles and tokens."""
    add_states(20)
    for state in State.objects.filter(iso3__startswith="Q")[:10]:
        fp = person(django_user_model, f"fp-{state.iso3}@example.org", RoleKind.STATE_FOCAL_POINT, state=state)
        for i in range(3):
            StateDeclaration.objects.create(state=state, contact_institution=f"Institution {i}", submitted_by=fp)
        ApiToken.issue(fp, "other")
    lao = State.objects.get(iso3="LAO")
    for i in range(5):
        d = StateDeclaration.objects.create(
            state=lao,
            contact_institution=f"Old {i}",
            submitted_by=isu,
            status=DeclarationStatus.VALIDATED,
            reviewed=timezone.now(),
            reviewed_by=isu,
        )
        d.contact_person = f"Changed {i}"
        d.save()
    for organisation in Organisation.objects.all()[:3]:
        OrganisationDeclaration.objects.create(organisation=organisation, contact_institution="X", submitted_by=isu)
    lao.notes = "More history."
    lao.save()


def measured(django_assert_num_queries, count, client, method, path, token=None, body=None, status=200):
    """The call, checking it runs exactly `count` queries."""
    with django_assert_num_queries(count):
        response = call(client, method, path, token, body)
    assert response.status_code == status, response.content
    return response


def test_queries_are_fixed(
    client,
    django_assert_num_queries,
    django_assert_max_num_queries,
    django_user_model,
    lao_focal_point,
    isu,
    ngo_focal_point,
    organisations,
):
    lebanon = person(
        django_user_model, "lbn-q@example.org", RoleKind.STATE_FOCAL_POINT, state=State.objects.get(iso3="LBN")
    )
    fp, lbn, ngo, isu_token = token_of(lao_focal_point), token_of(lebanon), token_of(ngo_focal_point), token_of(isu)
    anonymous = Client()
    org = f"/organisations/{organisations[0].pk}"

    def run_all():
        # With a token, 2 queries identify the caller (the token, its last use), 1 more reads
        # the caller's roles; for ISU staff 1 more checks their second factor.
        sent = measured(django_assert_num_queries, 9, client, "PUT", "/states/LAO/declaration", fp, LAO_DECLARATION)
        measured(django_assert_num_queries, 2, anonymous, "GET", "/states/LAO/declaration")
        measured(django_assert_num_queries, 7, client, "GET", "/states/LAO/declaration", fp)
        measured(django_assert_num_queries, 3, client, "GET", "/me", fp)
        measured(django_assert_num_queries, 6, client, "GET", "/declarations/pending", isu_token)
        # The audit trail names the people and records its entries refer to: one query per
        # kind of record named (users, States, meetings), however many entries.
        measured(django_assert_max_num_queries, 11, client, "GET", "/history/state/LAO", isu_token)
        path = f"/declarations/state/{sent.json()['id']}/validate"
        measured(django_assert_num_queries, 11, client, "POST", path, isu_token, {})
        measured(django_assert_num_queries, 5, client, "GET", "/history/state/LAO", fp, status=403)
        measured(django_assert_num_queries, 7, client, "PUT", "/states/LAO/declaration", lbn, LAO_DECLARATION, 403)
        measured(django_assert_num_queries, 0, anonymous, "GET", "/me", status=401)
        # An organisation's declaration, returned by ISU.
        sent = measured(
            django_assert_num_queries, 9, client, "PUT", f"{org}/declaration", ngo, {"contact_institution": "HQ"}
        )
        measured(django_assert_num_queries, 2, anonymous, "GET", f"{org}/declaration")
        measured(django_assert_num_queries, 7, client, "GET", f"{org}/declaration", ngo)
        path = f"/declarations/organisation/{sent.json()['id']}/return"
        measured(django_assert_num_queries, 11, client, "POST", path, isu_token, {"note": "Which office?"})
        measured(
            django_assert_num_queries,
            9,
            client,
            "GET",
            f"/history/organisation{org.removeprefix('/organisations')}",
            isu_token,
        )

    run_all()
    more_data(django_user_model, isu)
    run_all()


def test_session_queries_are_fixed(django_assert_num_queries, django_user_model, lao_focal_point, isu):
    client = Client()
    client.force_login(lao_focal_point)

    def run_all():
        measured(django_assert_num_queries, 9, client, "PUT", "/states/LAO/declaration", None, LAO_DECLARATION)
        measured(django_assert_num_queries, 7, client, "GET", "/states/LAO/declaration")

    run_all()
    more_data(django_user_model, isu)
    run_all()
