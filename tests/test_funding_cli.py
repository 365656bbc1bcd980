"""`article6 funding`: commitments with their amounts in their own currency and in US
dollars at each year's rate, the JSON shape scripts (and later the API) rely on, and
what is said when a rate is missing."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from article6.assistance.funding import funding_json
from article6.assistance.models import Channel, Commitment, CommitmentPillar, ExchangeRate, Flow, FlowKind
from article6.states.models import State

DFID_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "iati" / "dfid_iati_1.01_DRC_CD_2013-04-30.xml"
)
COMMITMENT_KEYS = {
    "id",
    "provider",
    "recipient",
    "pillars",
    "currency",
    "committed",
    "disbursed",
    "expended",
    "usd",
    "source",
}
GBP = {2011: Decimal("1.5"), 2012: Decimal("1.6"), 2013: Decimal("1.25")}


def funding(*args) -> dict:
    out = StringIO()
    call_command("funding", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def rates(years) -> None:
    for year in years:
        ExchangeRate.objects.create(currency="GBP", year=year, usd_per_unit=GBP[year], source="test")


def expended_in(commitment: Commitment, year: int) -> Decimal:
    return sum(f.amount for f in commitment.flows.filter(kind=FlowKind.EXPENDED, year=year))


@pytest.fixture
def dfid(reference):
    call_command("import-iati", str(DFID_FILE), stdout=StringIO())
    return Commitment.objects.get(source="iati:GB-1-201745-103")


@pytest.fixture
def norway(reference):
    commitment = Commitment.objects.create(
        provider_state=State.objects.get(iso3="NOR"),
        recipient=State.objects.get(iso3="LAO"),
        title="Clearance in Xieng Khouang",
        channel=Channel.NGO,
        currency="USD",
    )
    CommitmentPillar.objects.create(commitment=commitment, pillar="clearance", share=70)
    CommitmentPillar.objects.create(commitment=commitment, pillar="risk_reduction_education", share=30)
    for kind, year, amount in [
        (FlowKind.COMMITTED, 2024, "500000"),
        (FlowKind.DISBURSED, 2024, "200000"),
        (FlowKind.DISBURSED, 2025, "150000.50"),
        (FlowKind.BUDGETED, 2025, "999"),  # not one of the three figures
    ]:
        Flow.objects.create(commitment=commitment, kind=kind, year=year, amount=Decimal(amount))
    return commitment


def test_json_shape_and_conversion_year_by_year(dfid, norway):
    rates([2011, 2012, 2013])
    data = funding()
    assert set(data) == {"commitments", "totals", "problems"}
    assert data["problems"] == []
    assert [row["recipient"] for row in data["commitments"]] == ["COD", "LAO"]
    first, second = data["commitments"]
    assert all(set(row) == COMMITMENT_KEYS for row in data["commitments"])
    expended = sum(expended_in(dfid, year) for year in GBP)
    assert first == {
        "id": dfid.pk,
        "provider": "United Kingdom of Great Britain and Northern Ireland",
        "recipient": "COD",
        "pillars": ["clearance"],
        "currency": "GBP",
        "committed": 2750000.0,
        "disbursed": 0.0,
        "expended": float(expended),
        "usd": {
            "committed": float(Decimal("2750000") * GBP[2011]),  # committed in 2011
            "disbursed": 0.0,
            "expended": float(sum(expended_in(dfid, year) * rate for year, rate in GBP.items())),
        },
        "source": "iati:GB-1-201745-103",
    }
    assert expended == Decimal("2068527")
    assert second == {
        "id": norway.pk,
        "provider": "Norway",
        "recipient": "LAO",
        "pillars": ["clearance", "risk_reduction_education"],  # largest share first
        "currency": "USD",
        "committed": 500000.0,
        "disbursed": 350000.5,
        "expended": 0.0,
        "usd": {"committed": 500000.0, "disbursed": 350000.5, "expended": 0.0},  # USD needs no rate
        "source": "manual",
    }
    assert data["totals"] == {
        "usd": {
            "committed": 500000.0 + first["usd"]["committed"],
            "disbursed": 350000.5,
            "expended": first["usd"]["expended"],
        },
        "commitments": 2,
        "missing_rates": [],
    }


def test_a_missing_rate_gives_null_and_is_named(dfid, norway):
    rates([2011, 2012])
    data = funding()
    first = data["commitments"][0]
    assert first["usd"] is None and first["committed"] == 2750000.0  # its own currency is still shown
    assert data["totals"]["missing_rates"] == [["GBP", 2013]]
    assert data["problems"] == [
        {
            "commitment": dfid.pk,
            "currency": "GBP",
            "year": 2013,
            "reason": "No exchange rate for GBP in 2013: ISU records it in the exchange-rate table.",
        }
    ]
    # the totals in US dollars count what could be converted: Norway's only
    assert data["totals"]["usd"] == {"committed": 500000.0, "disbursed": 350000.5, "expended": 0.0}
    assert data["totals"]["commitments"] == 2
    ExchangeRate.objects.all().delete()
    data = funding()
    assert data["totals"]["missing_rates"] == [["GBP", 2011], ["GBP", 2012], ["GBP", 2013]]
    assert [p["year"] for p in data["problems"]] == [2011, 2012, 2013]


def test_state_filter_receives_or_provides(dfid, norway):
    assert [row["id"] for row in funding("--state", "COD")["commitments"]] == [dfid.pk]
    assert [row["id"] for row in funding("--state", "gbr")["commitments"]] == [dfid.pk]  # the provider
    assert [row["id"] for row in funding("--state", "NOR")["commitments"]] == [norway.pk]
    empty = funding("--state", "FRA")
    assert empty["commitments"] == [] and empty["totals"]["commitments"] == 0
    with pytest.raises(CommandError, match="--state: XYZ is not a State in the registry"):
        funding("--state", "XYZ")


def test_year_filter_keeps_that_years_flows(dfid, norway):
    rates([2012])  # 2011 and 2013 are missing, but not needed for 2012
    data = funding("--year", "2012")
    (row,) = data["commitments"]  # Norway has nothing in 2012
    assert (row["id"], row["committed"], row["expended"]) == (dfid.pk, 0.0, float(expended_in(dfid, 2012)))
    assert row["usd"] == {"committed": 0.0, "disbursed": 0.0, "expended": float(expended_in(dfid, 2012) * GBP[2012])}
    assert data["totals"]["missing_rates"] == [] and data["problems"] == []
    assert [r["id"] for r in funding("--year", "2025")["commitments"]] == [norway.pk]
    assert funding("--year", "2025")["commitments"][0]["disbursed"] == 150000.5
    assert funding("--year", "2010")["commitments"] == []  # DFID's 2010 budget is not one of the figures


def test_readable_table(dfid, norway):
    rates([2011, 2012])
    out = StringIO()
    call_command("funding", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "id", "provider", "to", "cur", "committed", "disbursed", "expended",
        "USD", "committed", "USD", "disbursed", "USD", "expended", "source",
    ]  # fmt: skip
    assert "2,750,000.00" in lines[1] and "no rate" in lines[1] and "iati:GB-1-201745-103" in lines[1]
    assert "500,000.00" in lines[2] and "350,000.50" in lines[2]
    assert "2 commitments; in US dollars: committed 500,000.00, disbursed 350,000.50, expended 0.00" in lines
    assert "Not counted in US dollars, for want of a rate: GBP 2013" in lines
    assert f"problem: commitment {dfid.pk}: No exchange rate for GBP in 2013" in out.getvalue()


def test_a_fixed_number_of_queries(dfid, norway):
    with CaptureQueriesContext(connection) as few:
        funding_json(None)
    for number in range(10):
        commitment = Commitment.objects.create(
            provider_name=f"Donor {number}",
            recipient=State.objects.get(iso3="LBN"),
            title="Clearance",
            channel=Channel.BILATERAL,
            currency="EUR",
        )
        Flow.objects.create(commitment=commitment, kind=FlowKind.COMMITTED, year=2020, amount=1)
    with CaptureQueriesContext(connection) as many:
        data = funding_json(None, year=2020)
    assert len(data["commitments"]) == 10 and data["totals"]["missing_rates"] == [["EUR", 2020]]
    assert len(many.captured_queries) == len(few.captured_queries) == 4


def test_a_person_sees_only_what_they_may(dfid, norway):
    from people import person

    from article6.accounts.models import Visibility

    Commitment.objects.filter(pk=norway.pk).update(visibility=Visibility.RESTRICTED)
    nobody = person("nobody@example.org")
    assert [row["id"] for row in funding_json(nobody)["commitments"]] == [dfid.pk]
    assert [row["id"] for row in funding_json(None)["commitments"]] == [dfid.pk, norway.pk]  # the command line
