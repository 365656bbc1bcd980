"""What Article 6 names, in the records' vocabulary: the purposes economic and social
recovery (Art. 6(8)) and surveys and national plans (Art. 6(11)) among the pillars; the
urgent flag of emergency assistance (Art. 6(6)); the trust fund among the channels
(Art. 6(9)); the modalities cited as Art. 6(2). Each flows through the API, the pages,
the exports, the matching, the reports and IATI, and the migration keeps every record."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from test_api_assistance import build_world, call, commitment, need, offer, ok
from test_assistance_imports import activity_xml, document, write

from article6.api.v1 import api
from article6.assistance import matching
from article6.assistance.importing import export_commitments, import_iati
from article6.assistance.models import Channel, Commitment, Modality, Need
from article6.interchange.iati import iter_activities
from article6.reporting.tables import TABLES
from article6.treaty.models import Pillar

NEW_PILLARS = ("economic_social_recovery", "surveys_national_plans")


@pytest.fixture
def world(reference):
    return build_world()


# --- The purposes of Art. 6(8) and 6(11) ----------------------------------------------------------


def test_the_purposes_of_article_6_are_pillars():
    labels = dict(Pillar.choices)
    assert labels["economic_social_recovery"] == "economic and social recovery"
    assert labels["surveys_national_plans"] == "surveys and national plans"


def test_a_need_an_offer_and_a_share_say_the_new_purposes(client, world):
    token = world["tokens"]["isu"]
    body = {
        "state": "LAO",
        "title": "Livelihoods for cleared land",
        "description": "Farming restarts on released land.",
        "pillar": "economic_social_recovery",
        "modality": "financial",
        "amount": 50000,
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2026,
    }
    created = ok(call(client, "POST", "/needs", token, body), 201)
    assert created["pillar"] == "economic_social_recovery"
    offer_body = {
        "provider_state": "NOR",
        "title": "Non-technical survey",
        "description": "Survey teams to map the extent of contamination.",
        "pillars": ["surveys_national_plans", "economic_social_recovery"],
        "modalities": ["technical"],
        "kinds": ["experts"],
        "start_year": 2026,
        "end_year": 2027,
    }
    assert ok(call(client, "POST", "/offers", token, offer_body), 201)["pillars"] == offer_body["pillars"]
    commitment_body = {
        "provider_state": "NOR",
        "recipient": "LAO",
        "title": "National survey and recovery",
        "channel": "trust_fund",
        "currency": "USD",
        "pillar_shares": {"surveys_national_plans": 60, "economic_social_recovery": 40},
        "amounts": [{"kind": "committed", "year": 2026, "amount": 10000}],
    }
    shares = ok(call(client, "POST", "/commitments", token, commitment_body), 201)["pillars"]
    assert shares == [
        {"pillar": "surveys_national_plans", "share": 60.0},
        {"pillar": "economic_social_recovery", "share": 40.0},
    ]
    # The lists filter on them; the pages and their CSV show them.
    listed = ok(call(client, "GET", "/needs", token, params={"pillar": "economic_social_recovery"}))["items"]
    assert [n["id"] for n in listed] == [created["id"]]
    page = Client().get(reverse("assistance:need", args=[created["id"]]))
    assert "economic and social recovery" in page.content.decode()
    rows = list(csv.DictReader(io.StringIO(Client().get(reverse("assistance:export_needs", args=["csv"])).text)))
    assert {r["pillar"] for r in rows if r["id"] == str(created["id"])} == {"economic_social_recovery"}


def test_the_api_document_offers_the_new_values():
    document = api.get_openapi_schema()
    assert '"economic_social_recovery"' in str(document).replace("'", '"')
    enums = [s.get("enum", []) for s in document["components"]["schemas"].values()]
    assert any(set(NEW_PILLARS) <= set(values) for values in enums)
    assert any("trust_fund" in values for values in enums)


def test_matching_finds_the_same_purpose(world):
    isu = world["people"]["isu"]
    recovery = need(world["lao"], "Recovery of farmland", pillar="economic_social_recovery", by=isu)
    same = offer("Livelihoods", provider_state=world["nor"], by=isu, pillars=["economic_social_recovery"])
    other = offer("Clearance only", provider_state=world["nor"], by=isu, pillars=["clearance"])
    same_score, reasons = matching.pair_score(recovery, same)
    other_score, _reasons = matching.pair_score(recovery, other)
    assert same_score - other_score == matching.W_PILLAR
    assert "Same pillar: economic and social recovery" in [r.text for r in reasons]


def test_the_report_tables_take_the_new_purposes():
    pillar_columns = [column for table in TABLES for column in table.columns if column.field == "pillar"]
    assert len(pillar_columns) == 3
    for column in pillar_columns:
        assert set(NEW_PILLARS) <= {value for value, _label in column.choices}


# --- Urgent: emergency assistance (Art. 6(6)) ----------------------------------------------------


def test_an_urgent_need_is_said_in_the_api_the_page_and_the_export(client, world):
    isu, token = world["people"]["isu"], world["tokens"]["isu"]
    urgent = need(world["lao"], "Emergency clearance after floods", urgent=True, by=isu)
    need(world["lao"], "Mapping for the national plan", by=isu)

    def ids(**params):
        return [n["id"] for n in ok(call(client, "GET", "/needs", token, params=params))["items"]]

    data = ok(call(client, "GET", f"/needs/{urgent.pk}"))
    assert data["urgent"] is True
    assert ok(call(client, "GET", f"/needs/{world['needs']['lao_public'].pk}"))["urgent"] is False
    assert ids(urgent="true") == [urgent.pk]
    assert urgent.pk not in ids(urgent="false") and len(ids(urgent="false")) == 4
    # A PATCH sets it; the page says it in words, not by colour alone.
    patched = ok(call(client, "PATCH", f"/needs/{world['needs']['lao_public'].pk}", token, {"urgent": True}))
    assert patched["urgent"] is True
    html = Client().get(reverse("assistance:need", args=[urgent.pk])).content.decode()
    assert 'data-testid="urgent"' in html and "urgent" in html
    assert "yes: urgent" in html
    listed = Client().get(reverse("assistance:needs"), {"urgent": "true"}).content.decode()
    assert "Emergency clearance after floods" in listed and "Clearance in two districts" in listed
    assert "Mapping for the national plan" not in listed
    rows = list(csv.DictReader(io.StringIO(Client().get(reverse("assistance:export_needs", args=["csv"])).text)))
    assert {r["title"]: r["urgent"] for r in rows}["Emergency clearance after floods"] == "true"


def test_an_offer_answers_urgent_requests(client, world):
    isu, token = world["people"]["isu"], world["tokens"]["isu"]
    quick = offer("Rapid response team", provider_state=world["nor"], by=isu, urgent=True)
    assert ok(call(client, "GET", f"/offers/{quick.pk}"))["urgent"] is True
    ids = [o["id"] for o in ok(call(client, "GET", "/offers", token, params={"urgent": "true"}))["items"]]
    assert ids == [quick.pk]
    html = Client().get(reverse("assistance:offer", args=[quick.pk])).content.decode()
    assert "answers urgent requests" in html
    rows = list(csv.DictReader(io.StringIO(Client().get(reverse("assistance:export_offers", args=["csv"])).text)))
    assert {r["title"]: r["urgent"] for r in rows} == {"Rapid response team": "true", "Funding for clearance": "false"}


# --- Trust funds (Art. 6(9)) and IATI -------------------------------------------------------------


def test_a_trust_fund_is_a_channel(world):
    assert Channel.TRUST_FUND == "trust_fund"
    record = commitment("Through the trust fund", world["lao"], provider_state=world["nor"], channel="trust_fund")
    record.full_clean()
    page = Client().get(reverse("assistance:commitment", args=[record.pk])).content.decode()
    assert "a trust fund (Art. 6(9))" in page


def test_iati_import_reads_a_trust_fund_from_its_name(reference, tmp_path):
    implementing = (
        '<participating-org type="40" role="4">'
        "<narrative>UN Voluntary Trust Fund for Assistance in Mine Action</narrative></participating-org>"
    )
    path = write(tmp_path, "trust.xml", document(activity_xml("XM-EXAMPLE-TF", implementing=implementing)))
    import_iati(path, sectors=["15250"], strict=True)
    assert Commitment.objects.get(source="iati:XM-EXAMPLE-TF").channel == Channel.TRUST_FUND


def test_iati_export_names_no_organisation_type_for_a_trust_fund(world):
    record = commitment(
        "Through the trust fund",
        world["lao"],
        provider_state=world["nor"],
        channel="trust_fund",
        implementing_partner="A Mine Action Trust Fund",
        flows=[("committed", 2026, "1000")],
    )
    generated = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    result = export_commitments(Commitment.objects.filter(pk=record.pk), generated=generated)
    [activity] = iter_activities(result.xml, sectors=None)
    implementing = [p for p in activity.participating_orgs if p.role == "4"]
    assert [(p.name, p.type) for p in implementing] == [("A Mine Action Trust Fund", None)]


# --- The citation of the modalities ---------------------------------------------------------------


def test_the_modalities_are_cited_as_article_6_2():
    assert "Art. 6(2)" in Modality.__doc__ and "6(1)" not in Modality.__doc__
    assert "Art. 6(2)" in str(Need._meta.get_field("modality").verbose_name)
    root = Path(__file__).resolve().parents[1]
    texts = [*root.glob("article6/assistance/*.py"), *root.glob("article6/templates/assistance/*.html")]
    texts += [*root.glob("docs/assistance/*.md"), root / "README.md"]
    for path in texts:
        assert "6(1)" not in path.read_text(), path


# --- The migration keeps every stored record ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_need_and_offer(reference):
    executor = MigrationExecutor(connection)
    before = [("assistance", "0005_need_coverage_per_visibility_tier")]
    after = [("assistance", "0006_article6_purposes_urgent_and_trust_fund")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    state = old.get_model("states", "State").objects.get(iso3="LAO")
    user = old.get_model("auth", "User").objects.create(username="before")
    kept = old.get_model("assistance", "Need").objects.create(
        state=state,
        title="Stored before",
        description="Kept.",
        pillar="clearance",
        modality="financial",
        amount=Decimal("1000"),
        currency="USD",
        start_year=2026,
        end_year=2026,
        created_by=user,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    call_command("migrate", verbosity=0)
    stored = Need.objects.get(pk=kept.pk)
    assert (stored.title, stored.pillar, stored.amount, stored.urgent) == ("Stored before", "clearance", 1000, False)
