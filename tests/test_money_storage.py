"""Money kept exact on SQLite and PostgreSQL alike (issue 11, finding 9): amounts are stored
as whole cents, so the largest amount a form allows reads back to the cent, through the
models, the pages and the API, and the migration that made them so converted every stored
amount exactly."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from article6.accounts.models import ApiToken, TokenScope
from article6.assistance.models import Commitment, CommitmentNeed, CommitmentPillar, Flow, Need, NeedYear, Offer
from article6.money_fields import MoneyField

BIG = Decimal("1234567890123456.78")  # 18 significant digits: a float, or SQLite's REAL, keeps 15 to 17
LARGEST = Decimal("9999999999999999.99")  # 18 digits, 2 of them after the point: the most a form takes
ONE_MORE_DIGIT = "99999999999999999.99"
TOO_MANY_DIGITS = "Ensure that there are no more than 18 digits in total."  # Django's DecimalValidator


def a_need(state, user, amount=BIG, **fields) -> Need:
    values = {
        "title": "Clearance of two districts",
        "description": "Technical survey and clearance.",
        "pillar": "clearance",
        "modality": "financial",
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2026,
        "created_by": user,
        **fields,
    }
    return Need.objects.create(state=state, amount=amount, **values)


def a_commitment(recipient, provider, **fields) -> Commitment:
    commitment = Commitment.objects.create(
        title="Clearance grant", recipient=recipient, provider_state=provider, currency="USD", channel="bilateral"
    )
    CommitmentPillar.objects.create(commitment=commitment, pillar="clearance", share=Decimal(100))
    return commitment


# --- The models ------------------------------------------------------------------------------


def test_the_largest_amounts_read_back_to_the_cent(people, lao, nor):
    isu = people["isu"]
    need = a_need(lao, isu, national_resources=BIG, national_resources_currency="USD")
    NeedYear.objects.create(need=need, year=2026, amount=BIG)
    commitment = a_commitment(lao, nor)
    Flow.objects.create(commitment=commitment, kind="committed", year=2026, amount=BIG)
    Flow.objects.create(commitment=commitment, kind="disbursed", year=2026, amount=Decimal("0.01"))
    Flow.objects.create(commitment=commitment, kind="disbursed", year=2026, amount=Decimal("-15000.00"))
    CommitmentNeed.objects.create(commitment=commitment, need=need, amount=BIG)
    Offer.objects.create(
        title="Funding",
        description="Funding for clearance.",
        provider_state=nor,
        pillars=["clearance"],
        modalities=["financial"],
        kinds=["funding"],
        start_year=2026,
        end_year=2026,
        amount_per_year=LARGEST,
        currency="USD",
        created_by=isu,
    )

    stored = Need.objects.get(pk=need.pk)
    assert (stored.amount, stored.national_resources) == (BIG, BIG)
    assert str(stored.amount) == "1234567890123456.78"
    assert str(NeedYear.objects.get(need=need).amount) == "1234567890123456.78"
    assert str(CommitmentNeed.objects.get(need=need).amount) == "1234567890123456.78"
    flows = sorted(str(f.amount) for f in Flow.objects.filter(commitment=commitment))
    assert flows == ["-15000.00", "0.01", "1234567890123456.78"]
    assert str(Offer.objects.get().amount_per_year) == "9999999999999999.99"
    # Lookups and a sum compare and add whole cents, and read Decimals.
    assert Flow.objects.filter(amount__gt=0).count() == 2
    assert Flow.objects.filter(amount__lt=Decimal("-14999.99")).get().amount == Decimal("-15000")
    assert Flow.objects.filter(amount=BIG).exists()
    from django.db.models import Sum

    assert Flow.objects.aggregate(total=Sum("amount"))["total"] == BIG - Decimal("14999.99")
    # A covered amount, stored by the roll-up, reads as exactly.
    Need.objects.filter(pk=need.pk).update(covered_all=LARGEST)
    assert str(Need.objects.get(pk=need.pk).covered_all) == "9999999999999999.99"


def test_an_amount_that_cannot_be_kept_exactly_is_refused_not_rounded(people, lao, nor):
    commitment = a_commitment(lao, nor)
    for amount, message in [
        (Decimal("10.001"), "Ensure that there are no more than 2 decimal places."),
        (Decimal(ONE_MORE_DIGIT), TOO_MANY_DIGITS),
    ]:
        flow = Flow(commitment=commitment, kind="committed", year=2026, amount=amount)
        with pytest.raises(ValidationError) as validating:
            flow.full_clean()
        assert validating.value.message_dict == {"amount": [message]}
        # Saved without validation: refused as well, nothing written.
        with pytest.raises(ValidationError) as saving, transaction.atomic():
            flow.save()
        assert saving.value.message_dict == {"amount": [message]}
    assert not Flow.objects.exists()
    # Trailing zeros are no third decimal place: the amount is kept, with two places.
    flow = Flow.objects.create(commitment=commitment, kind="committed", year=2026, amount=Decimal("10.100"))
    assert str(Flow.objects.get(pk=flow.pk).amount) == "10.10"


def test_the_field_keeps_its_form_field_and_a_stable_migration():
    field = MoneyField(null=True, blank=True)
    name, path, args, kwargs = field.deconstruct()
    assert path == "article6.money_fields.MoneyField" and kwargs == {"null": True, "blank": True}
    formfield = field.formfield()
    assert (type(formfield).__name__, formfield.max_digits, formfield.decimal_places) == ("DecimalField", 18, 2)
    assert field.db_type(connection) == connection.data_types["BigIntegerField"]


# --- The pages -------------------------------------------------------------------------------

NEED_FORM = {
    "title": "Clearance of two districts",
    "description": "Technical survey and clearance of confirmed hazardous areas.",
    "pillar": "clearance",
    "modality": "financial",
    "currency": "USD",
    "start_year": "2026",
    "end_year": "2027",
    "yearly-TOTAL_FORMS": "10",
    "yearly-INITIAL_FORMS": "0",
    "yearly-0-year": "2026",
    "yearly-0-amount": "9,999,999,999,999,999.98",
    "yearly-1-year": "2027",
    "yearly-1-amount": "0.01",
    "national_resources": "9,999,999,999,999,999.99",
    "national_resources_currency": "USD",
    "languages": ["en"],
    "priority": "high",
    "visibility": "public",
    "declared_status": "open",
}


def test_the_need_form_keeps_the_largest_amount_it_allows(client, people, lao):
    client.force_login(people["lao_focal_point"])
    data = {**NEED_FORM, "state": lao.pk, "amount": "9,999,999,999,999,999.99"}
    response = client.post(reverse("assistance:need_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    assert (str(need.amount), str(need.national_resources)) == ("9999999999999999.99", "9999999999999999.99")
    assert {y.year: str(y.amount) for y in need.yearly.all()} == {2026: "9999999999999999.98", 2027: "0.01"}
    page = client.get(reverse("assistance:need_edit", args=[need.pk])).content.decode()
    assert 'value="9,999,999,999,999,999.99"' in page  # shown back as it was typed, to the cent


@pytest.mark.parametrize("field", ["amount", "national_resources", "yearly-0-amount"])
def test_one_more_digit_on_the_need_form_is_refused_with_the_fields_message(client, people, lao, field):
    client.force_login(people["lao_focal_point"])
    data = {**NEED_FORM, "state": lao.pk, "amount": "9999999999999999.99", field: ONE_MORE_DIGIT}
    response = client.post(reverse("assistance:need_add"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="field-error-{field}"' in page and TOO_MANY_DIGITS in page
    assert not Need.objects.exists()


def commitment_form(lao, nor, need, amounts: str) -> dict:
    return {
        "provider_state": nor.pk,
        "recipient": lao.pk,
        "title": "Clearance grant",
        "description": "",
        "channel": "ngo",
        "implementing_partner": "An NGO",
        "currency": "USD",
        "visibility": "public",
        "pillar_shares": "clearance: 100",
        "amounts": amounts,
        "needs_met": [need.pk],
    }


def test_the_commitment_form_keeps_the_largest_amount_it_allows(client, people, lao, nor):
    need = a_need(lao, people["isu"], amount=LARGEST)
    client.force_login(people["norway_partner"])
    amounts = "committed 2026 9999999999999999.99\ndisbursed 2026 0.01\ndisbursed 2026 -15000.00"
    response = client.post(reverse("assistance:commitment_add"), commitment_form(lao, nor, need, amounts))
    assert response.status_code == 302, response.content.decode()[:2000]
    commitment = Commitment.objects.get()
    stored = sorted(str(f.amount) for f in commitment.flows.all())
    assert stored == ["-15000.00", "0.01", "9999999999999999.99"]
    need.refresh_from_db()
    assert (str(need.covered_amount), need.status) == ("9999999999999999.99", "covered")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (ONE_MORE_DIGIT, f"Line 2: {TOO_MANY_DIGITS}"),
        ("10.001", "Line 2: Ensure that there are no more than 2 decimal places."),
    ],
)
def test_an_amount_the_commitment_form_cannot_keep_is_refused_on_its_line(client, people, lao, nor, amount, message):
    need = a_need(lao, people["isu"], amount=LARGEST)
    client.force_login(people["norway_partner"])
    amounts = f"committed 2026 100\ndisbursed 2026 {amount}"
    response = client.post(reverse("assistance:commitment_add"), commitment_form(lao, nor, need, amounts))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="field-error-amounts"' in page and message in page
    assert not Commitment.objects.exists() and not Flow.objects.exists()


# --- The API ---------------------------------------------------------------------------------


def api(client, method, path, user, body=None):
    token = ApiToken.issue(user, "test", TokenScope.WRITE)[1]
    kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body) if isinstance(body, dict) else body, content_type="application/json")
    return getattr(client, method.lower())(f"/api/v1{path}", **kwargs)


def exact(response) -> dict:
    """The answer's JSON with its numbers as written, not as floats."""
    return json.loads(response.content, parse_float=Decimal)


def test_the_api_keeps_the_amount_exact_in_and_out(client, people, lao):
    body = (
        '{"state": "LAO", "title": "Clearance", "description": "Survey and clearance.", "pillar": "clearance",'
        ' "modality": "financial", "amount": 1234567890123456.78, "currency": "USD", "start_year": 2026,'
        ' "end_year": 2027, "yearly": {"2026": 1234567890123456.77, "2027": 0.01},'
        ' "national_resources": 9999999999999999.99, "national_resources_currency": "USD"}'
    )
    response = api(client, "POST", "/needs", people["lao_focal_point"], body)
    assert response.status_code == 201, response.content
    data = exact(response)
    assert (data["amount"], data["national_resources"]) == (BIG, LARGEST)
    assert data["yearly"] == {"2026": Decimal("1234567890123456.77"), "2027": Decimal("0.01")}
    stored = Need.objects.get(pk=data["id"])
    assert (str(stored.amount), str(stored.national_resources)) == ("1234567890123456.78", "9999999999999999.99")
    read = exact(api(client, "GET", f"/needs/{stored.pk}", people["lao_focal_point"]))
    assert read["amount"] == BIG and read["covered_amount"] == 0


def test_the_api_refuses_one_more_digit_naming_the_field(client, people, lao):
    body = {
        "state": "LAO",
        "title": "Clearance",
        "description": "Survey and clearance.",
        "pillar": "clearance",
        "modality": "financial",
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2026,
    }
    raw = json.dumps(body)[:-1] + f', "amount": {ONE_MORE_DIGIT}}}'
    response = api(client, "POST", "/needs", people["lao_focal_point"], raw)
    assert response.status_code == 422, response.content
    assert [d["parameter"] for d in response.json()["detail"]] == ["amount"]
    assert not Need.objects.exists()


def test_a_commitment_through_the_api_keeps_its_amounts_exact(client, people, lao, nor):
    need = a_need(lao, people["isu"], amount=LARGEST)
    body = (
        '{"provider_state": "NOR", "recipient": "LAO", "title": "Clearance grant", "channel": "ngo",'
        ' "currency": "USD", "pillar_shares": {"clearance": 100},'
        ' "amounts": [{"kind": "committed", "year": 2026, "amount": 1234567890123456.78},'
        ' {"kind": "disbursed", "year": 2026, "amount": -15000.00}],'
        f' "needs": {{"{need.pk}": 1234567890123456.78}}}}'
    )
    response = api(client, "POST", "/commitments", people["isu"], body)
    assert response.status_code == 201, response.content
    data = exact(response)
    assert sorted(f["amount"] for f in data["flows"]) == [Decimal("-15000"), BIG]
    assert data["needs"] == [{"id": need.pk, "title": need.title, "amount": BIG, "counted": BIG}]
    assert str(CommitmentNeed.objects.get().amount) == "1234567890123456.78"


# --- The migration ---------------------------------------------------------------------------

BEFORE = [
    ("assistance", "0006_article6_purposes_urgent_and_trust_fund"),
    ("reporting", "0004_article6_purposes_in_reports"),
]


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_stored_amounts_exactly():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="migrating@example.org")
    states = old.get_model("states", "State").objects
    lao = states.create(name="Lao PDR", iso3="LAO", iso2="LA", iso_numeric=418, region="Asia")
    nor = states.create(name="Norway", iso3="NOR", iso2="NO", iso_numeric=578, region="Europe")
    need = old.get_model("assistance", "Need").objects.create(
        state=lao,
        title="Clearance",
        description="Survey.",
        pillar="clearance",
        modality="financial",
        amount=Decimal("1234.56"),
        currency="USD",
        national_resources=None,
        covered_amount=Decimal("100.01"),
        covered_all=Decimal("0.01"),
        start_year=2026,
        end_year=2026,
        created_by=user,
    )
    old.get_model("assistance", "HistoricalNeed").objects.create(
        id=need.pk,
        state=lao,
        title="Clearance",
        description="Survey.",
        pillar="clearance",
        modality="financial",
        amount=Decimal("1234.56"),
        currency="USD",
        covered_amount=Decimal("100.01"),
        start_year=2026,
        end_year=2026,
        created=need.created,
        updated=need.updated,
        history_date=need.created,
        history_type="+",
    )
    old.get_model("assistance", "NeedYear").objects.create(need=need, year=2026, amount=Decimal("1234.56"))
    commitment = old.get_model("assistance", "Commitment").objects.create(
        title="Grant", recipient=lao, provider_state=nor, currency="USD", channel="bilateral"
    )
    old_flows = old.get_model("assistance", "Flow").objects
    old_flows.create(commitment=commitment, kind="committed", year=2026, amount=Decimal("100.01"))
    old_flows.create(commitment=commitment, kind="disbursed", year=2026, amount=Decimal("-15000.00"))
    old.get_model("assistance", "CommitmentNeed").objects.create(commitment=commitment, need=need, amount=None)
    report = old.get_model("reporting", "Report").objects.create(state=lao, kind="initial", created_by=user)
    old.get_model("reporting", "ResourceFigure").objects.create(
        report=report, pillar="clearance", amount=Decimal("1234.56"), currency="USD"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    try:
        stored = Need.objects.get(pk=need.pk)
        # Exact; and the later migration counts each need's coverage again from its commitment
        # (100.01 committed; the negative disbursement counts as zero), in every tier.
        assert (stored.amount, stored.covered_amount, stored.covered_all) == (
            Decimal("1234.56"),
            Decimal("100.01"),
            Decimal("100.01"),
        )
        assert (stored.national_resources, stored.covered_signed_in) == (None, Decimal("100.01"))
        assert str(stored.history.get().amount) == "1234.56"
        assert str(NeedYear.objects.get(need_id=need.pk).amount) == "1234.56"
        assert sorted(Flow.objects.values_list("amount", flat=True)) == [Decimal("-15000.00"), Decimal("100.01")]
        assert CommitmentNeed.objects.get(need_id=need.pk).amount is None
        from article6.reporting.models import ResourceFigure

        assert str(ResourceFigure.objects.get().amount) == "1234.56"
        with connection.cursor() as cursor:  # whole cents in the column
            cursor.execute("SELECT amount FROM assistance_flow ORDER BY amount")
            assert [row[0] for row in cursor.fetchall()] == [-1500000, 10001]

        # And back: the amounts return to decimal columns unchanged.
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        back = old.get_model("assistance", "Need").objects.get(pk=need.pk)
        assert (back.amount, back.covered_amount) == (Decimal("1234.56"), Decimal("100.01"))
        assert sorted(old.get_model("assistance", "Flow").objects.values_list("amount", flat=True)) == [
            Decimal("-15000.00"),
            Decimal("100.01"),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
