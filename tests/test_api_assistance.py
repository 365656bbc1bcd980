"""The assistance API (/api/v1/needs, /offers, /commitments, /funding, /exchange-rates):
what each role sees and may change, the records' own validation as 422s naming the
field, a need's status rolled up from its commitments, what the provider reported
against what the recipient confirmed, and a fixed number of SQL queries per operation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from people import ROLE_NAMES, everyone, sample_ngo

from article6.accounts.models import ApiToken, TokenScope, Visibility
from article6.assistance import queries
from article6.assistance.models import (
    Commitment,
    CommitmentNeed,
    CommitmentPillar,
    ExchangeRate,
    Flow,
    Need,
    NeedYear,
    Offer,
)
from article6.states.models import Organisation, State

API = "/api/v1"


# --- Calls -------------------------------------------------------------------------------------


def call(client, method: str, path: str, token: str | None = None, body=None, params=None):
    """One call to the API; `token` is sent as a bearer token, `body` as JSON."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    elif method != "GET":
        kwargs.update(data=b"", content_type="application/json")
    elif params is not None:
        kwargs.update(data=params)
    response = getattr(client, method.lower())(f"{API}{path}", **kwargs)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def parameters(response) -> list[str]:
    assert response.status_code == 422, response.content
    return sorted({d["parameter"] for d in response.json()["detail"]})


# --- The world -----------------------------------------------------------------------------------


def need(state, title, *, visibility=Visibility.PUBLIC, amount="100000", currency="USD", by=None, **fields):
    values = {
        "description": "What is needed.",
        "pillar": "clearance",
        "modality": "financial",
        "start_year": 2026,
        "end_year": 2027,
        **fields,
    }
    return Need.objects.create(
        state=state,
        title=title,
        visibility=visibility,
        amount=Decimal(amount) if amount else None,
        currency=currency if amount else "",
        created_by=by,
        **values,
    )


def offer(title, *, by, visibility=Visibility.PUBLIC, states=(), **fields):
    values = {
        "description": "What is offered.",
        "pillars": ["clearance"],
        "modalities": ["financial"],
        "kinds": ["funding"],
        "start_year": 2026,
        "end_year": 2028,
        **fields,
    }
    record = Offer.objects.create(title=title, visibility=visibility, created_by=by, **values)
    record.states.set(states)
    return record


def commitment(title, recipient, *, visibility=Visibility.PUBLIC, currency="USD", flows=(), shares=None, **fields):
    fields.setdefault("channel", "bilateral")
    record = Commitment.objects.create(
        title=title, recipient=recipient, visibility=visibility, currency=currency, **fields
    )
    for kind, year, amount in flows:
        Flow.objects.create(commitment=record, kind=kind, year=year, amount=Decimal(amount))
    for pillar, share in (shares or {"clearance": 100}).items():
        CommitmentPillar.objects.create(commitment=record, pillar=pillar, share=Decimal(share))
    return record


@pytest.fixture
def world(reference):
    return build_world()


def build_world() -> dict:
    """People of every role with their tokens, and needs, offers and commitments of Laos,
    Lebanon, Norway and an NGO, public and not (needs the reference States)."""
    people = everyone()
    lao, lbn, nor = (State.objects.get(iso3=c) for c in ("LAO", "LBN", "NOR"))
    ngo = sample_ngo()
    isu = people["isu"]
    ExchangeRate.objects.create(currency="GBP", year=2026, usd_per_unit=Decimal("1.25"), source="Test rate")
    ExchangeRate.objects.create(currency="GBP", year=2027, usd_per_unit=Decimal("1.30"), source="Test rate")
    lao_public = need(lao, "Clearance in two districts", by=isu)
    NeedYear.objects.create(need=lao_public, year=2026, amount=Decimal("60000"))
    NeedYear.objects.create(need=lao_public, year=2027, amount=Decimal("40000"))
    lao_restricted = need(
        lao, "Survivors' rehabilitation", visibility=Visibility.RESTRICTED, pillar="victim_assistance", by=isu
    )
    lbn_signed_in = need(
        lbn, "Risk education", visibility=Visibility.SIGNED_IN, pillar="risk_reduction_education", by=isu
    )
    nor_offer = offer("Funding for clearance", provider_state=nor, by=isu, states=[lao], regions=["Asia"])
    ngo_offer = offer(
        "Survey teams",
        provider_organisation=ngo,
        by=isu,
        visibility=Visibility.RESTRICTED,
        pillars=["clearance", "victim_assistance"],
        modalities=["technical"],
        kinds=["experts"],
    )
    nor_to_lao = commitment(
        "Clearance in Xieng Khouang",
        lao,
        provider_state=nor,
        currency="GBP",
        source="iati:NO-BRC-971277882-LAO-19-0001",
        flows=[
            ("committed", 2026, "50000"),
            ("disbursed", 2026, "40000"),
            ("received", 2026, "38000"),
            ("disbursed", 2027, "10000"),
        ],
        shares={"clearance": 80, "risk_reduction_education": 20},
    )
    ngo_to_lbn = commitment(
        "Survivor assistance in the south",
        lbn,
        provider_organisation=ngo,
        visibility=Visibility.RESTRICTED,
        flows=[("committed", 2026, "20000")],
        shares={"victim_assistance": 100},
    )
    return {
        "people": people,
        "tokens": {role: (token_of(user) if user else None) for role, user in people.items()},
        "lao": lao,
        "lbn": lbn,
        "nor": nor,
        "ngo": ngo,
        "needs": {"lao_public": lao_public, "lao_restricted": lao_restricted, "lbn_signed_in": lbn_signed_in},
        "offers": {"nor": nor_offer, "ngo": ngo_offer},
        "commitments": {"nor_to_lao": nor_to_lao, "ngo_to_lbn": ngo_to_lbn},
    }


def token_of(user, scope=TokenScope.WRITE) -> str:
    return ApiToken.issue(user, "test", scope)[1]


SIGNED_IN_WITH_A_ROLE = {
    "lao_focal_point",
    "lebanon_focal_point",
    "norway_partner",
    "ngo_partner",
    "coordinator",
    "isu",
}


# --- Needs: reading ------------------------------------------------------------------------------


def test_each_role_sees_the_needs_it_may(client, world):
    needs = world["needs"]
    expected = {
        role: {needs["lao_public"].pk}
        | ({needs["lbn_signed_in"].pk} if role in SIGNED_IN_WITH_A_ROLE else set())
        | ({needs["lao_restricted"].pk} if role in ("lao_focal_point", "coordinator", "isu") else set())
        for role in ROLE_NAMES
    }
    for role in ROLE_NAMES:
        token = world["tokens"][role]
        data = ok(call(client, "GET", "/needs", token))
        assert {n["id"] for n in data["items"]} == expected[role], role
        assert data["count"] == len(expected[role])
        for pk in (n.pk for n in needs.values()):
            response = call(client, "GET", f"/needs/{pk}", token)
            assert response.status_code == (200 if pk in expected[role] else 404), (role, pk)
            if response.status_code == 404:
                assert response.json()["detail"] == f"No need has the id {pk}."


def test_need_detail(client, world):
    lao_public = world["needs"]["lao_public"]
    data = ok(call(client, "GET", f"/needs/{lao_public.pk}"))
    assert (data["state"], data["state_name"]) == ("LAO", world["lao"].name)
    assert (data["amount"], data["currency"]) == (100000.0, "USD")
    assert data["yearly"] == {"2026": 60000.0, "2027": 40000.0}
    assert (data["status"], data["covered_amount"], data["coverage"], data["commitments"]) == ("open", 0.0, 0.0, [])
    assert data["is_sample"] is False
    assert isinstance(data["amount"], float)


def test_needs_filters(client, world):
    needs = world["needs"]
    token = world["tokens"]["isu"]

    def ids(**params):
        return {n["id"] for n in ok(call(client, "GET", "/needs", token, params=params))["items"]}

    assert ids(state="lao") == {needs["lao_public"].pk, needs["lao_restricted"].pk}
    assert ids(pillar="victim_assistance") == {needs["lao_restricted"].pk}
    assert ids(region="Middle East") == {needs["lbn_signed_in"].pk}
    assert ids(year=2027) == {n.pk for n in needs.values()}
    assert ids(year=2028) == set()
    assert ids(status="open", modality="financial", state="LBN") == {needs["lbn_signed_in"].pk}
    # Unknown values are 422s naming the parameter; an unknown State a 400.
    assert parameters(call(client, "GET", "/needs", token, params={"pillar": "demining"})) == ["pillar"]
    assert parameters(call(client, "GET", "/needs", token, params={"state": "LA"})) == ["state"]
    assert parameters(call(client, "GET", "/needs", token, params={"year": 1999})) == ["year"]
    response = call(client, "GET", "/needs", token, params={"state": "XYZ"})
    assert response.status_code == 400
    assert response.json()["detail"][0]["parameter"] == "state"


def test_lists_are_paginated(client, world):
    token = world["tokens"]["isu"]
    first = ok(call(client, "GET", "/needs", token, params={"limit": 2}))
    second = ok(call(client, "GET", "/needs", token, params={"limit": 2, "offset": 2}))
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not {n["id"] for n in first["items"]} & {n["id"] for n in second["items"]}
    # Newest first.
    assert [n["id"] for n in first["items"] + second["items"]] == sorted(
        (n.pk for n in world["needs"].values()), reverse=True
    )
    for params, name in (({"limit": 201}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")):
        assert parameters(call(client, "GET", "/needs", token, params=params)) == [name]
    assert len(ok(call(client, "GET", "/needs", token, params={"limit": 200}))["items"]) == 3


# --- Needs: writing ------------------------------------------------------------------------------

NEW_NEED = {
    "state": "lao",
    "title": "Explosive ordnance disposal teams",
    "description": "Two teams for three years.",
    "pillar": "clearance",
    "modality": "financial",
    "amount": 300000,
    "currency": "usd",
    "start_year": 2026,
    "end_year": 2028,
    "yearly": {"2026": 100000, "2027": 100000, "2028": 100000},
    "quantity": 250000,
    "quantity_unit": "m2",
    "languages": ["en", "fr"],
    "visibility": "restricted",
}

CREATE_NEED = {
    "anonymous": 401,
    "no_role": 403,
    "lao_focal_point": 201,
    "lebanon_focal_point": 403,
    "norway_partner": 403,
    "ngo_partner": 403,
    "coordinator": 403,
    "isu": 201,
}


def test_who_files_a_need_for_laos(client, world):
    for role in ROLE_NAMES:
        before = Need.objects.count()
        response = call(client, "POST", "/needs", world["tokens"][role], NEW_NEED)
        assert response.status_code == CREATE_NEED[role], (role, response.content)
        assert Need.objects.count() == before + (1 if response.status_code == 201 else 0)
        if response.status_code == 403:
            assert "focal points" in response.json()["detail"]


def test_focal_point_files_a_need(client, world):
    fp = world["people"]["lao_focal_point"]
    data = ok(call(client, "POST", "/needs", world["tokens"]["lao_focal_point"], NEW_NEED), 201)
    assert (data["state"], data["currency"], data["amount"], data["visibility"]) == (
        "LAO",
        "USD",
        300000.0,
        "restricted",
    )
    assert data["yearly"] == {"2026": 100000.0, "2027": 100000.0, "2028": 100000.0}
    assert (data["status"], data["declared_status"], data["quantity"]) == ("open", "open", 250000.0)
    stored = Need.objects.get(pk=data["id"])
    assert stored.created_by == fp
    assert stored.history.filter(history_type="+").get().history_user == fp
    # Restricted: the public does not see it, Lebanon's focal point neither.
    assert call(Client(), "GET", f"/needs/{data['id']}").status_code == 404
    assert call(client, "GET", f"/needs/{data['id']}", world["tokens"]["lebanon_focal_point"]).status_code == 404
    assert data["id"] not in {n["id"] for n in ok(call(Client(), "GET", "/needs"))["items"]}


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"currency": "XYZ"}, ["currency"]),
        ({"start_year": 2028, "end_year": 2026, "yearly": None}, ["end_year"]),
        ({"yearly": {"2026": 100000, "2027": 100000, "2028": 50000}}, ["yearly"]),
        ({"yearly": {"2026": 100000, "2027": 100000, "2029": 100000}}, ["yearly"]),
        ({"yearly": {"2026": -1, "2027": 100000, "2028": 200001}}, ["yearly.2026"]),
        ({"amount": None, "yearly": None}, ["amount"]),
        ({"amount": 10.001}, ["amount"]),
        ({"state": "XYZ"}, ["state"]),
        ({"pillar": "demining"}, ["pillar"]),
        ({"status": "covered"}, ["status"]),
        ({"covered_amount": 5}, ["covered_amount"]),
        ({"quantity_unit": "litres"}, ["quantity_unit"]),
        ({"evidence_url": "not a link"}, ["evidence_url"]),
        ({"start_year": 2007}, ["start_year"]),
    ],
)
def test_bad_needs_are_422s_naming_the_field(client, world, changes, named):
    body = {k: v for k, v in {**NEW_NEED, **changes}.items() if not (k == "yearly" and v is None)}
    before = Need.objects.count()
    response = call(client, "POST", "/needs", world["tokens"]["lao_focal_point"], body)
    assert parameters(response) == named
    assert all(d["reason"] for d in response.json()["detail"])
    assert Need.objects.count() == before


def test_yearly_amounts_not_adding_up_say_so(client, world):
    body = {**NEW_NEED, "yearly": {"2026": 100000, "2027": 100000}}
    [error] = call(client, "POST", "/needs", world["tokens"]["lao_focal_point"], body).json()["detail"]
    assert error["parameter"] == "yearly"
    assert "add up to 200000" in error["reason"] and "300000" in error["reason"]


def test_focal_point_changes_a_need(client, world):
    lao_public = world["needs"]["lao_public"]
    token = world["tokens"]["lao_focal_point"]
    path = f"/needs/{lao_public.pk}"
    data = ok(call(client, "PATCH", path, token, {"title": "Clearance in three districts", "priority": "high"}))
    assert (data["title"], data["priority"], data["amount"]) == ("Clearance in three districts", "high", 100000.0)
    assert data["yearly"] == {"2026": 60000.0, "2027": 40000.0}
    # The amount changes, and the yearly amounts kept no longer add up: say so.
    assert parameters(call(client, "PATCH", path, token, {"amount": 120000})) == ["yearly"]
    data = ok(call(client, "PATCH", path, token, {"amount": 120000, "yearly": {"2026": 70000, "2027": 50000}}))
    assert data["yearly"] == {"2026": 70000.0, "2027": 50000.0}
    data = ok(call(client, "PATCH", path, token, {"yearly": {}}))
    assert data["yearly"] == {}
    data = ok(call(client, "PATCH", path, token, {"declared_status": "withdrawn"}))
    assert data["status"] == "withdrawn"
    # A need stays with its State; nothing else may be set.
    assert parameters(call(client, "PATCH", path, token, {"state": "LBN"})) == ["state"]
    assert parameters(call(client, "PATCH", path, token, {"end_year": 2020})) == ["end_year"]
    assert Need.objects.get(pk=lao_public.pk).state == world["lao"]


def test_the_service_keeps_and_checks_again_the_stored_yearly_amounts(world):
    """The rule is the services' own, so a page or an import that changes the amount or the
    period of a need with yearly amounts is held to it as the API is."""
    from django.core.exceptions import ValidationError

    from article6.assistance import services

    lao_public = world["needs"]["lao_public"]
    focal_point = world["people"]["lao_focal_point"]
    lao_public.amount = Decimal("120000")
    with pytest.raises(ValidationError) as refused:
        services.save_need(focal_point, lao_public)
    assert "yearly" in refused.value.message_dict
    lao_public.refresh_from_db()
    lao_public.end_year = 2026
    with pytest.raises(ValidationError) as refused:
        services.save_need(focal_point, lao_public)
    assert "Years outside the period: 2027." in refused.value.message_dict["yearly"]
    lao_public.refresh_from_db()
    lao_public.title = "Clearance in three districts"
    saved = services.save_need(focal_point, lao_public)
    assert {y.year: y.amount for y in saved.yearly.all()} == {2026: 60000, 2027: 40000}
    saved.amount = Decimal("120000")
    assert not services.save_need(focal_point, saved, None).yearly.exists()


def test_who_changes_a_need(client, world):
    lao_public, lao_restricted = world["needs"]["lao_public"], world["needs"]["lao_restricted"]
    for role in ROLE_NAMES:
        token = world["tokens"][role]
        response = call(client, "PATCH", f"/needs/{lao_public.pk}", token, {"priority": "low"})
        expected = {"anonymous": 401, "lao_focal_point": 200, "isu": 200}.get(role, 403)
        assert response.status_code == expected, role
        # A need the caller may not see is not found, not forbidden.
        response = call(client, "PATCH", f"/needs/{lao_restricted.pk}", token, {"priority": "low"})
        expected = {"anonymous": 401, "lao_focal_point": 200, "isu": 200, "coordinator": 403}.get(role, 404)
        assert response.status_code == expected, role


def test_lebanon_may_not_file_for_laos_nor_see_its_restricted_need(client, world):
    token = world["tokens"]["lebanon_focal_point"]
    response = call(client, "POST", "/needs", token, NEW_NEED)
    assert response.status_code == 403
    assert world["lao"].name in response.json()["detail"]
    restricted = world["needs"]["lao_restricted"]
    assert call(client, "GET", f"/needs/{restricted.pk}", token).status_code == 404
    assert restricted.pk not in {n["id"] for n in ok(call(client, "GET", "/needs", token))["items"]}
    # Lebanon's own need it files.
    ok(call(client, "POST", "/needs", token, {**NEW_NEED, "state": "LBN"}), 201)


def test_read_only_token_and_session_csrf(client, world):
    fp = world["people"]["lao_focal_point"]
    response = call(client, "POST", "/needs", token_of(fp, TokenScope.READ), NEW_NEED)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    session = Client(enforce_csrf_checks=True)
    session.force_login(fp)
    assert ok(call(session, "GET", "/needs"))["count"] == 3
    response = call(session, "POST", "/needs", None, NEW_NEED)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Need.objects.filter(title=NEW_NEED["title"]).exists()


# --- Offers --------------------------------------------------------------------------------------

NEW_OFFER = {
    "provider_state": "NOR",
    "title": "Clearance funding 2026-2028",
    "description": "Grants to national mine action programmes.",
    "pillars": ["clearance", "risk_reduction_education"],
    "modalities": ["financial"],
    "kinds": ["funding"],
    "regions": ["Asia", "Middle East"],
    "states": ["lao", "LBN"],
    "amount_per_year": 2000000,
    "currency": "NOK",
    "start_year": 2026,
    "end_year": 2028,
}


def test_each_role_sees_the_offers_it_may(client, world):
    offers = world["offers"]
    for role in ROLE_NAMES:
        token = world["tokens"][role]
        sees_ngo = role in ("ngo_partner", "coordinator", "isu")
        expected = {offers["nor"].pk} | ({offers["ngo"].pk} if sees_ngo else set())
        assert {o["id"] for o in ok(call(client, "GET", "/offers", token))["items"]} == expected, role
        assert call(client, "GET", f"/offers/{offers['ngo'].pk}", token).status_code == (200 if sees_ngo else 404)


def test_offer_detail_and_filters(client, world):
    nor, ngo = world["offers"]["nor"], world["offers"]["ngo"]
    data = ok(call(client, "GET", f"/offers/{nor.pk}"))
    assert (data["provider"], data["provider_state"], data["provider_organisation"]) == (
        world["nor"].name,
        "NOR",
        None,
    )
    assert (data["states"], data["regions"], data["pillars"]) == (["LAO"], ["Asia"], ["clearance"])
    token = world["tokens"]["isu"]

    def ids(**params):
        return {o["id"] for o in ok(call(client, "GET", "/offers", token, params=params))["items"]}

    assert ids(pillar="victim_assistance") == {ngo.pk}
    assert ids(pillar="clearance") == {nor.pk, ngo.pk}
    assert ids(modality="technical") == {ngo.pk}
    assert ids(kind="funding") == {nor.pk}
    assert ids(region="Asia") == {nor.pk}
    assert ids(state="LAO") == {nor.pk}
    assert ids(state="AFG") == {nor.pk}  # in Asia, a region the offer names
    assert ids(state="LBN") == set()
    assert ids(provider="nor") == {nor.pk}
    assert ids(provider=str(world["ngo"].pk)) == {ngo.pk}
    assert ids(year=2029) == set()
    assert parameters(call(client, "GET", "/offers", token, params={"provider": "Norway"})) == ["provider"]
    assert call(client, "GET", "/offers", token, params={"provider": "999999"}).status_code == 400


def test_who_publishes_an_offer(client, world):
    ngo = world["ngo"]
    other = Organisation.objects.exclude(pk=ngo.pk).order_by("pk").first()
    bodies = {
        "NOR": NEW_OFFER,
        "ngo": {**NEW_OFFER, "provider_state": None, "provider_organisation": ngo.pk},
        "other": {**NEW_OFFER, "provider_state": None, "provider_organisation": other.pk},
    }
    bodies = {k: {n: v for n, v in b.items() if v is not None} for k, b in bodies.items()}
    expected = {
        "anonymous": {"NOR": 401, "ngo": 401, "other": 401},
        "no_role": {"NOR": 403, "ngo": 403, "other": 403},
        "lao_focal_point": {"NOR": 403, "ngo": 403, "other": 403},
        "lebanon_focal_point": {"NOR": 403, "ngo": 403, "other": 403},
        "norway_partner": {"NOR": 201, "ngo": 403, "other": 403},
        "ngo_partner": {"NOR": 403, "ngo": 201, "other": 403},
        "coordinator": {"NOR": 403, "ngo": 403, "other": 403},
        "isu": {"NOR": 201, "ngo": 201, "other": 201},
    }
    for role in ROLE_NAMES:
        got = {
            k: call(client, "POST", "/offers", world["tokens"][role], body).status_code for k, body in bodies.items()
        }
        assert got == expected[role], role
    assert Offer.objects.count() == 2 + 5


def test_partner_focal_point_publishes_and_changes_an_offer(client, world):
    token = world["tokens"]["norway_partner"]
    data = ok(call(client, "POST", "/offers", token, NEW_OFFER), 201)
    assert (data["provider_state"], data["states"], data["currency"], data["amount_per_year"]) == (
        "NOR",
        ["LAO", "LBN"],
        "NOK",
        2000000.0,
    )
    assert Offer.objects.get(pk=data["id"]).created_by == world["people"]["norway_partner"]
    path = f"/offers/{data['id']}"
    data = ok(call(client, "PATCH", path, token, {"states": ["PHL"], "is_active": False}))
    assert (data["states"], data["is_active"], data["title"]) == (["PHL"], False, NEW_OFFER["title"])
    # Not to an organisation Norway's focal point does not speak for.
    response = call(client, "PATCH", path, token, {"provider_state": None, "provider_organisation": world["ngo"].pk})
    assert response.status_code == 403
    # Nor another provider's offer.
    response = call(client, "PATCH", path, world["tokens"]["ngo_partner"], {"title": "Mine now"})
    assert response.status_code == 403
    # The NGO's restricted offer Norway does not see.
    ngo_offer = world["offers"]["ngo"]
    assert call(client, "PATCH", f"/offers/{ngo_offer.pk}", token, {"title": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"currency": "XYZ"}, ["currency"]),
        ({"start_year": 2028, "end_year": 2026}, ["end_year"]),
        ({"pillars": []}, ["pillars"]),
        ({"pillars": ["demining"]}, ["pillars.0"]),
        ({"regions": ["Atlantis"]}, ["regions.0"]),
        ({"states": ["LAO", "XYZ"]}, ["states"]),
        ({"provider_organisation": "NGO"}, ["provider_state"]),  # both a State and an organisation
        ({"provider_state": "XYZ"}, ["provider_state"]),
    ],
)
def test_bad_offers_are_422s_naming_the_field(client, world, changes, named):
    if changes.get("provider_organisation") == "NGO":  # an organisation that exists (ids differ between databases)
        changes = {"provider_organisation": world["ngo"].pk}
    body = {**NEW_OFFER, **changes}
    response = call(client, "POST", "/offers", world["tokens"]["isu"], body)
    assert parameters(response) == named
    assert Offer.objects.count() == 2


# --- Commitments ---------------------------------------------------------------------------------


def test_each_role_sees_the_commitments_it_may(client, world):
    commitments = world["commitments"]
    for role in ROLE_NAMES:
        token = world["tokens"][role]
        sees = role in ("lebanon_focal_point", "ngo_partner", "coordinator", "isu")
        expected = {commitments["nor_to_lao"].pk} | ({commitments["ngo_to_lbn"].pk} if sees else set())
        assert {c["id"] for c in ok(call(client, "GET", "/commitments", token))["items"]} == expected, role
        response = call(client, "GET", f"/commitments/{commitments['ngo_to_lbn'].pk}", token)
        assert response.status_code == (200 if sees else 404), role


def test_commitment_detail_with_provided_against_received(client, world):
    nor_to_lao = world["commitments"]["nor_to_lao"]
    data = ok(call(client, "GET", f"/commitments/{nor_to_lao.pk}"))
    assert (data["provider"], data["provider_state"], data["recipient"], data["currency"]) == (
        world["nor"].name,
        "NOR",
        "LAO",
        "GBP",
    )
    assert data["pillars"] == [
        {"pillar": "clearance", "share": 80.0},
        {"pillar": "risk_reduction_education", "share": 20.0},
    ]
    assert data["totals"] == {
        "pledged": 0.0,
        "committed": 50000.0,
        "disbursed": 50000.0,
        "expended": 0.0,
        "budgeted": 0.0,
        "received": 38000.0,
    }
    assert data["yearly"] == {
        "2026": {"committed": 50000.0, "disbursed": 40000.0, "received": 38000.0},
        "2027": {"disbursed": 10000.0},
    }
    assert [(f["kind"], f["year"], f["amount"]) for f in data["flows"]] == [
        ("committed", 2026, 50000.0),
        ("disbursed", 2026, 40000.0),
        ("received", 2026, 38000.0),
        ("disbursed", 2027, 10000.0),
    ]
    assert data["provided_and_received"] == [
        {"year": 2026, "provided": 40000.0, "received": 38000.0, "difference": -2000.0, "agrees": False},
        {"year": 2027, "provided": 10000.0, "received": None, "difference": None, "agrees": False},
    ]
    assert data["source"] == "iati:NO-BRC-971277882-LAO-19-0001"
    assert data["needs"] == []


def test_commitments_filters(client, world):
    nor_to_lao, ngo_to_lbn = world["commitments"]["nor_to_lao"], world["commitments"]["ngo_to_lbn"]
    token = world["tokens"]["isu"]

    def ids(**params):
        return {c["id"] for c in ok(call(client, "GET", "/commitments", token, params=params))["items"]}

    assert ids(recipient="lao") == {nor_to_lao.pk}
    assert ids(provider="NOR") == {nor_to_lao.pk}
    assert ids(provider=str(world["ngo"].pk)) == {ngo_to_lbn.pk}
    assert ids(pillar="risk_reduction_education") == {nor_to_lao.pk}
    assert ids(year=2027) == {nor_to_lao.pk}
    assert ids(year=2026) == {nor_to_lao.pk, ngo_to_lbn.pk}
    assert ids(source="iati:") == {nor_to_lao.pk}
    assert ids(source="manual") == {ngo_to_lbn.pk}
    assert call(client, "GET", "/commitments", token, params={"recipient": "XYZ"}).status_code == 400


NEW_COMMITMENT = {
    "provider_state": "NOR",
    "recipient": "LAO",
    "title": "Clearance grant 2026",
    "channel": "ngo",
    "implementing_partner": "A demining NGO",
    "currency": "USD",
    "pillar_shares": {"clearance": 100},
    "amounts": [
        {"kind": "pledged", "year": 2026, "amount": 80000},
        {"kind": "committed", "year": 2026, "amount": 60000, "date": "2026-03-01"},
    ],
}


def test_a_commitment_covers_part_of_a_need(client, world):
    """A need of 100,000 USD and a commitment of 60,000 USD towards it: partly covered, 0.6."""
    lao_public = world["needs"]["lao_public"]
    token = world["tokens"]["norway_partner"]
    body = {**NEW_COMMITMENT, "needs": {str(lao_public.pk): None}}
    data = ok(call(client, "POST", "/commitments", token, body), 201)
    assert data["needs"] == [{"id": lao_public.pk, "title": lao_public.title, "amount": None, "counted": 60000.0}]
    assert data["totals"]["committed"] == 60000.0
    assert [f["date"] for f in data["flows"]] == [None, "2026-03-01"]
    stored = Commitment.objects.get(pk=data["id"])
    assert (stored.created_by, stored.source) == (world["people"]["norway_partner"], "manual")

    need = ok(call(client, "GET", f"/needs/{lao_public.pk}"))
    assert (need["status"], need["covered_amount"], need["coverage"]) == ("partly_covered", 60000.0, 0.6)
    assert need["commitments"] == [data["id"]]
    assert ok(call(client, "GET", "/needs", params={"status": "partly_covered"}))["count"] == 1


def test_who_records_a_commitment(client, world):
    ngo = world["ngo"]
    bodies = {"NOR": NEW_COMMITMENT, "ngo": {**NEW_COMMITMENT, "provider_state": None, "provider_organisation": ngo.pk}}
    bodies = {k: {n: v for n, v in b.items() if v is not None} for k, b in bodies.items()}
    expected = {
        "anonymous": {"NOR": 401, "ngo": 401},
        "no_role": {"NOR": 403, "ngo": 403},
        "lao_focal_point": {"NOR": 403, "ngo": 403},
        "lebanon_focal_point": {"NOR": 403, "ngo": 403},
        "norway_partner": {"NOR": 201, "ngo": 403},
        "ngo_partner": {"NOR": 403, "ngo": 201},
        "coordinator": {"NOR": 403, "ngo": 403},
        "isu": {"NOR": 201, "ngo": 201},
    }
    for role in ROLE_NAMES:
        got = {
            k: call(client, "POST", "/commitments", world["tokens"][role], body).status_code
            for k, body in bodies.items()
        }
        assert got == expected[role], role
    # ISU may name a provider outside the registry; nobody else.
    body = {**{k: v for k, v in NEW_COMMITMENT.items() if k != "provider_state"}, "provider_name": "A foundation"}
    assert call(client, "POST", "/commitments", world["tokens"]["norway_partner"], body).status_code == 403
    data = ok(call(client, "POST", "/commitments", world["tokens"]["isu"], body), 201)
    assert (data["provider"], data["provider_state"], data["provider_organisation"]) == ("A foundation", None, None)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"currency": "XYZ"}, ["currency"]),
        ({"pillar_shares": {"clearance": 60, "victim_assistance": 30}}, ["pillar_shares"]),
        ({"pillar_shares": {"demining": 100}}, ["pillar_shares.demining.[key]"]),
        ({"amounts": [{"kind": "received", "year": 2026, "amount": 5}]}, ["amounts"]),
        ({"amounts": [{"kind": "committed", "year": 1990, "amount": 5}]}, ["amounts.0.year"]),
        ({"recipient": "XYZ"}, ["recipient"]),
        ({"channel": "pigeon"}, ["channel"]),
        ({"needs": {"999999": None}}, ["needs"]),
        ({"provider_state": None}, ["provider_state"]),
    ],
)
def test_bad_commitments_are_422s_naming_the_field(client, world, changes, named):
    body = {k: v for k, v in {**NEW_COMMITMENT, **changes}.items() if v is not None}
    response = call(client, "POST", "/commitments", world["tokens"]["isu"], body)
    assert parameters(response) == named
    assert Commitment.objects.count() == 2


def test_a_commitment_meets_only_needs_of_its_recipient_that_the_caller_sees(client, world):
    token = world["tokens"]["norway_partner"]
    lbn_need, restricted = world["needs"]["lbn_signed_in"], world["needs"]["lao_restricted"]
    for pk in (lbn_need.pk, restricted.pk):
        response = call(client, "POST", "/commitments", token, {**NEW_COMMITMENT, "needs": {str(pk): 1000}})
        assert parameters(response) == ["needs"]
    assert Commitment.objects.count() == 2
    assert not CommitmentNeed.objects.exists()


def test_only_the_recipient_confirms_receipt(client, world):
    nor_to_lao = world["commitments"]["nor_to_lao"]
    path = f"/commitments/{nor_to_lao.pk}/receipts"
    body = {"year": 2027, "amount": 10000, "note": "Received in two instalments."}
    expected = {"anonymous": 401, "lao_focal_point": 200, "isu": 200}
    for role in ROLE_NAMES:
        response = call(client, "POST", path, world["tokens"][role], body)
        assert response.status_code == expected.get(role, 403), role
        if response.status_code == 403:
            assert world["lao"].name in response.json()["detail"]
    data = ok(call(client, "POST", path, world["tokens"]["lao_focal_point"], {"year": 2027, "amount": 9500}))
    assert data["provided_and_received"][1] == {
        "year": 2027,
        "provided": 10000.0,
        "received": 9500.0,
        "difference": -500.0,
        "agrees": False,
    }
    # One confirmation per year: replaced, not added.
    assert nor_to_lao.flows.filter(kind="received", year=2027).count() == 1
    assert (
        nor_to_lao.flows.get(kind="received", year=2027).history.first().history_user
        == world["people"]["lao_focal_point"]
    )
    # Lebanon's focal point sees the restricted NGO commitment to Lebanon and confirms it.
    ngo_to_lbn = world["commitments"]["ngo_to_lbn"]
    lbn = world["tokens"]["lebanon_focal_point"]
    ok(call(client, "POST", f"/commitments/{ngo_to_lbn.pk}/receipts", lbn, {"year": 2026, "amount": 20000}))
    # Laos's focal point does not see it.
    lao = world["tokens"]["lao_focal_point"]
    assert call(client, "POST", f"/commitments/{ngo_to_lbn.pk}/receipts", lao, body).status_code == 404
    for bad, name in (({"year": 2026, "amount": -1}, "amount"), ({"year": 2200, "amount": 1}, "year")):
        assert parameters(call(client, "POST", path, lao, bad)) == [name]


# --- The gap, funding, exchange rates ---------------------------------------------------------------


def test_gap(client, world):
    items = ok(call(client, "GET", "/funding/gap", params={"state": "LAO"}))["items"]
    rows = {(r["pillar"], r["year"]): r for r in items}
    # The public LAO need: 60,000 and 40,000 USD; the public GBP commitment, 80% clearance at 1.25 USD.
    # The commitment is linked to no need: it counts as funding outside stated needs (the larger
    # of committed and disbursed), and the need still lacks all it asks for.
    assert rows[("clearance", 2026)] == {
        "state": "LAO",
        "pillar": "clearance",
        "year": 2026,
        "currency": "USD",
        "needed": 60000.0,
        "pledged": 0.0,
        "committed": 50000.0,
        "disbursed": 40000.0,
        "funded": 0.0,
        "outside_needs": 50000.0,
        "gap": 60000.0,
        "complete": True,
        "missing": {},
        "problems": [],
    }
    assert rows[("clearance", 2027)]["disbursed"] == 10400.0  # 8,000 GBP at 1.30
    assert rows[("risk_reduction_education", 2026)]["committed"] == 12500.0
    # The restricted need of Laos (victim assistance) counts only for those who see it.
    assert ("victim_assistance", 2026) not in rows
    isu_rows = ok(call(client, "GET", "/funding/gap", world["tokens"]["isu"], params={"state": "LAO"}))["items"]
    assert ("victim_assistance", 2026) in {(r["pillar"], r["year"]) for r in isu_rows}
    filtered = ok(call(client, "GET", "/funding/gap", params={"pillar": "clearance", "year": 2027}))
    assert [(r["state"], r["pillar"], r["year"]) for r in filtered["items"]] == [("LAO", "clearance", 2027)]


def test_gap_names_a_missing_rate(client, world):
    commitment(
        "Grant in euros", world["lao"], provider_state=world["nor"], currency="EUR", flows=[("committed", 2026, "1000")]
    )
    [row] = ok(call(client, "GET", "/funding/gap", params={"state": "LAO", "year": 2026, "pillar": "clearance"}))[
        "items"
    ]
    assert row["committed"] == 50000.0
    assert any("EUR" in problem and "2026" in problem for problem in row["problems"])


def test_exchange_rates_are_public(client, world):
    data = ok(call(client, "GET", "/exchange-rates"))
    assert data == {
        "count": 2,
        "limit": 50,
        "offset": 0,
        "next_offset": None,
        "previous_offset": None,
        "items": [
            {"currency": "GBP", "year": 2026, "usd_per_unit": 1.25, "source": "Test rate"},
            {"currency": "GBP", "year": 2027, "usd_per_unit": 1.3, "source": "Test rate"},
        ],
    }
    assert ok(call(client, "GET", "/exchange-rates", params={"currency": "gbp", "year": 2027}))["count"] == 1


def test_funding_has_the_shape_of_the_command_line(client, world):
    funding = pytest.importorskip("article6.assistance.funding")
    data = ok(call(client, "GET", "/funding"))
    assert set(data) >= {"commitments", "totals"}
    [row] = data["commitments"]  # the public one only
    assert (row["id"], row["recipient"], row["currency"], row["committed"]) == (
        world["commitments"]["nor_to_lao"].pk,
        "LAO",
        "GBP",
        50000.0,
    )
    assert row["source"] == "iati:NO-BRC-971277882-LAO-19-0001"
    expected = funding.funding_json(AnonymousUser())
    assert [c["id"] for c in expected["commitments"]] == [row["id"]]
    assert set(row) == set(expected["commitments"][0])
    assert set(data["totals"]) == set(expected["totals"])
    isu = ok(call(client, "GET", "/funding", world["tokens"]["isu"], params={"state": "LBN"}))
    assert [c["recipient"] for c in isu["commitments"]] == ["LBN"]


# --- The schema ------------------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/needs", "get"): "list_needs",
    ("/api/v1/needs", "post"): "create_need",
    ("/api/v1/needs/{id}", "get"): "get_need",
    ("/api/v1/needs/{id}", "patch"): "update_need",
    ("/api/v1/offers", "get"): "list_offers",
    ("/api/v1/offers", "post"): "create_offer",
    ("/api/v1/offers/{id}", "get"): "get_offer",
    ("/api/v1/offers/{id}", "patch"): "update_offer",
    ("/api/v1/needs/{id}/suggestions", "get"): "get_need_suggestions",
    ("/api/v1/offers/{id}/suggestions", "get"): "get_offer_suggestions",
    ("/api/v1/commitments", "get"): "list_commitments",
    ("/api/v1/commitments", "post"): "create_commitment",
    ("/api/v1/commitments/{id}", "get"): "get_commitment",
    ("/api/v1/commitments/{id}/receipts", "post"): "confirm_receipt",
    ("/api/v1/funding", "get"): "get_funding",
    ("/api/v1/funding/gap", "get"): "get_gap",
    ("/api/v1/exchange-rates", "get"): "list_exchange_rates",
}


def test_openapi_lists_the_assistance_operations(client, reference):
    schema = ok(call(client, "GET", "/openapi.json"))
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}
    assert {k: op["operationId"] for k, op in operations.items() if "Assistance" in op["tags"]} == OPERATIONS
    for key, op in operations.items():
        if key not in OPERATIONS:
            continue
        assert op["summary"] and op["description"]
        # Anyone may read; writing needs a token or the session.
        assert ({} in op["security"]) == (key[1] == "get"), op["operationId"]
    body = operations[("/api/v1/needs", "post")]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/NeedIn")
    assert set(schema["components"]["schemas"]["NeedIn"]["required"]) == {
        "state",
        "title",
        "description",
        "pillar",
        "modality",
        "start_year",
        "end_year",
    }


# --- A fixed number of SQL queries -----------------------------------------------------------------


def more_records(world) -> None:
    """Many more needs, offers and commitments of every visibility, with amounts, links and States."""
    isu = world["people"]["isu"]
    states = list(State.objects.order_by("iso3")[:30])
    for i, state in enumerate(states):
        visibility = [Visibility.PUBLIC, Visibility.SIGNED_IN, Visibility.RESTRICTED, Visibility.ISU_ONLY][i % 4]
        n = need(state, f"Need {i}", visibility=visibility, by=isu)
        NeedYear.objects.create(need=n, year=2026, amount=Decimal("50000"))
        NeedYear.objects.create(need=n, year=2027, amount=Decimal("50000"))
        offer(f"Offer {i}", provider_state=world["nor"], by=isu, visibility=visibility, states=states[i : i + 3])
        c = commitment(
            f"Commitment {i}",
            state,
            provider_organisation=world["ngo"],
            visibility=visibility,
            currency="GBP" if i % 2 else "USD",
            flows=[("committed", 2026, "1000"), ("disbursed", 2027, "500"), ("received", 2027, "400")],
            shares={"clearance": 50, "victim_assistance": 50},
        )
        CommitmentNeed.objects.create(commitment=c, need=n)
        CommitmentNeed.objects.create(commitment=c, need=world["needs"]["lao_public"])
    queries.refresh_needs(Need.objects.values_list("pk", flat=True))


# (role, method, path, body, status, queries). With a token, 2 queries identify the caller (the
# token, its last use) and 1 more reads their roles; for ISU staff 1 more checks their second factor.
def operations(world):
    lao_public = world["needs"]["lao_public"].pk
    nor_to_lao = world["commitments"]["nor_to_lao"].pk
    nor_offer = world["offers"]["nor"].pk
    return [
        ("anonymous", "GET", "/needs", None, 200, 3),
        ("lao_focal_point", "GET", "/needs", None, 200, 6),
        ("isu", "GET", "/needs", None, 200, 7),
        ("lao_focal_point", "GET", "/needs?state=LAO&pillar=clearance&year=2026", None, 200, 7),
        ("anonymous", "GET", f"/needs/{lao_public}", None, 200, 3),
        ("lao_focal_point", "GET", f"/needs/{lao_public}", None, 200, 6),
        # A change to a need computes its figures again, and those of the needs it shares money with.
        ("lao_focal_point", "PATCH", f"/needs/{lao_public}", {"priority": "high"}, 200, 31),
        ("lebanon_focal_point", "PATCH", f"/needs/{lao_public}", {"priority": "high"}, 403, 9),
        ("lao_focal_point", "POST", "/needs", NEW_NEED, 201, 39),
        ("anonymous", "GET", "/offers", None, 200, 3),
        ("norway_partner", "GET", "/offers?state=LAO&provider=NOR", None, 200, 8),
        ("anonymous", "GET", f"/offers/{nor_offer}", None, 200, 2),
        # Setting the offer's States reads those already there, since matching listens to the change.
        ("norway_partner", "POST", "/offers", NEW_OFFER, 201, 19),
        ("norway_partner", "PATCH", f"/offers/{nor_offer}", {"title": "Changed"}, 200, 17),
        ("anonymous", "GET", "/commitments", None, 200, 4),
        ("ngo_partner", "GET", "/commitments?pillar=clearance&year=2026", None, 200, 7),
        # A commitment with the division of its money (queries.division_of: 8 queries more).
        ("anonymous", "GET", f"/commitments/{nor_to_lao}", None, 200, 12),
        ("lao_focal_point", "GET", f"/commitments/{nor_to_lao}", None, 200, 15),
        (
            "lao_focal_point",
            "POST",
            f"/commitments/{nor_to_lao}/receipts",
            {"year": 2026, "amount": 39000},
            200,
            24,
        ),
        # The amounts linked to needs are checked against the commitment's (2 queries), then the
        # figures of the commitment and its needs are computed once, at the end.
        ("norway_partner", "POST", "/commitments", NEW_COMMITMENT, 201, 52),
        # The gap: one query for the data's version, then computed (or taken from the cache).
        ("anonymous", "GET", "/funding/gap", None, 200, 8),
        ("isu", "GET", "/funding/gap?state=LAO", None, 200, 13),
        ("anonymous", "GET", "/funding", None, 200, 4),
        ("lao_focal_point", "GET", "/funding?state=LAO&year=2026", None, 200, 8),
        ("anonymous", "GET", "/exchange-rates", None, 200, 2),
    ]


def test_queries_are_fixed(client, world, django_assert_num_queries, django_assert_max_num_queries):
    def run_all():
        for role, method, path, body, status, count in operations(world):
            token = world["tokens"][role]
            # A read runs exactly its queries; a write at most (it skips what did not change).
            assertion = django_assert_num_queries if method == "GET" else django_assert_max_num_queries
            with assertion(count):
                response = call(client, method, path, token, body)
            assert response.status_code == status, (role, method, path, response.content)

    run_all()
    more_records(world)
    run_all()
