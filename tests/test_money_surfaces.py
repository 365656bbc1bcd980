"""The money adds up on every surface (issue 11): one shared fixture, each case that found an error
built in a State of its own, and every figure of it read from the Funding page, the API, the gap's
CSV and Excel, the need's page and the command line, and compared with the hand computation
written beside it. Then the refusals, the dependencies of the stored figures, and visibility."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from people import everyone

from article6.accounts.models import ApiToken, TokenScope, Visibility
from article6.assistance.models import (
    Commitment,
    CommitmentNeed,
    CommitmentPillar,
    ExchangeRate,
    Flow,
    Need,
    NeedYear,
)
from article6.states.models import State

API = "/api/v1"


def need(iso3, title, amount, *, by, currency="USD", pillar="clearance", start=2026, end=2026, **fields):
    return Need.objects.create(
        state=State.objects.get(iso3=iso3),
        title=title,
        description="What is needed.",
        pillar=pillar,
        modality="financial",
        amount=D(amount),
        currency=currency,
        start_year=start,
        end_year=end,
        created_by=by,
        **fields,
    )


def commitment(iso3, title, flows, *, needs=(), currency="USD", shares=None, **fields):
    record = Commitment.objects.create(
        title=title,
        recipient=State.objects.get(iso3=iso3),
        provider_state=State.objects.get(iso3="NOR"),
        currency=currency,
        channel="bilateral",
        **fields,
    )
    for pillar, share in (shares or {"clearance": 100}).items():
        CommitmentPillar.objects.create(commitment=record, pillar=pillar, share=D(share))
    for kind, year, amount in flows:
        Flow.objects.create(commitment=record, kind=kind, year=year, amount=D(amount))
    for linked, amount in needs:
        CommitmentNeed.objects.create(commitment=record, need=linked, amount=None if amount is None else D(amount))
    return record


@pytest.fixture
def cases(reference):
    people = everyone()
    by = people["isu"]
    ExchangeRate.objects.update_or_create(currency="GBP", year=2026, defaults={"usd_per_unit": D("1.30")})
    ExchangeRate.objects.filter(currency="EUR", year=2026).delete()
    n = {}
    # 1. BIH: 220,000 linked to two needs "for all of it": divided 2:1 by what each lacks.
    n["bih_a"] = need("BIH", "Clearance, north", "200000", by=by)
    n["bih_b"] = need("BIH", "Clearance, south", "100000", by=by)
    commitment(
        "BIH", "One grant, two needs", [("committed", 2026, "220000")], needs=[(n["bih_a"], None), (n["bih_b"], None)]
    )
    # 3. TCD: a pledge only, linked with its amount: shown, never counted.
    n["tcd"] = need("TCD", "Survey", "50000", by=by)
    commitment("TCD", "A pledge", [("pledged", 2026, "50000")], needs=[(n["tcd"], "50000")])
    # 4. GNB: paid alone; CHL: paid more than committed.
    n["gnb"] = need("GNB", "Clearance", "30000", by=by)
    commitment("GNB", "Paid alone", [("disbursed", 2026, "30000")], needs=[(n["gnb"], None)])
    n["chl"] = need("CHL", "Clearance", "37000", by=by)
    commitment(
        "CHL", "Paid more", [("committed", 2026, "30000"), ("disbursed", 2026, "37000")], needs=[(n["chl"], None)]
    )
    # 5. COL: a closed, fully funded need beside an open, unfunded one.
    n["col_closed"] = need("COL", "Met", "40000", by=by, declared_status="closed")
    n["col_open"] = need("COL", "Still open", "60000", by=by)
    commitment("COL", "Funds the met need", [("committed", 2026, "40000")], needs=[(n["col_closed"], None)])
    # 6. PER: committed 160%; IRQ: a correction that overshoots.
    n["per"] = need("PER", "Clearance", "100000", by=by)
    commitment("PER", "Generous", [("committed", 2026, "160000")], needs=[(n["per"], None)])
    n["irq"] = need("IRQ", "Clearance", "10000", by=by)
    irq = commitment(
        "IRQ", "Over-corrected", [("committed", 2026, "10000"), ("committed", 2026, "-15000")], needs=[(n["irq"], None)]
    )
    # 8. SOM: a need in euros for a year without a euro rate; 12,000 USD towards it.
    n["som_eur"] = need("SOM", "In euros", "100000", by=by, currency="EUR")
    n["som_usd"] = need("SOM", "In dollars", "50000", by=by)
    commitment("SOM", "Dollars to a euro need", [("committed", 2026, "12000")], needs=[(n["som_eur"], None)])
    # 9. MNE: a hundred pence at 1.30; LBN: 100.01 split in halves.
    commitment("MNE", "Pence", [("committed", 2026, "0.01")] * 100, currency="GBP")
    commitment("AFG", "Halves", [("committed", 2026, "100.01")], shares={"clearance": 50, "victim_assistance": 50})
    return {"people": people, "needs": n, "irq": irq}


# The hand computation, per State (clearance, 2026, US dollars), beside each case:
# needed, pledged, committed, disbursed, funded towards stated needs, outside stated needs, gap.
EXPECTED = {
    "BIH": ("300000.00", "0.00", "220000.00", "0.00", "220000.00", "0.00", "80000.00"),  # 300,000 - 220,000
    "TCD": ("50000.00", "50000.00", "0.00", "0.00", "0.00", "0.00", "50000.00"),  # a pledge is no funding
    "GNB": ("30000.00", "0.00", "0.00", "30000.00", "30000.00", "0.00", "0.00"),  # paid counts
    "CHL": ("37000.00", "0.00", "30000.00", "37000.00", "37000.00", "0.00", "0.00"),  # the larger of the two
    "COL": ("60000.00", "0.00", "40000.00", "0.00", "0.00", "40000.00", "60000.00"),  # the open need lacks all
    "PER": ("100000.00", "0.00", "160000.00", "0.00", "160000.00", "0.00", "0.00"),  # over-covered: gap 0
    "IRQ": ("10000.00", "0.00", "-5000.00", "0.00", "0.00", "0.00", "10000.00"),  # below zero counts as zero
    "SOM": ("50000.00", "0.00", "12000.00", "0.00", "12000.00", "0.00", "50000.00"),  # + 100,000 EUR, no rate
    "MNE": ("0.00", "0.00", "1.30", "0.00", "0.00", "1.30", "0.00"),  # 100 x 0.01 GBP at 1.30
}
FIGURES = ("needed", "pledged", "committed", "disbursed", "funded", "outside_needs", "gap")


def _csv_rows(client, **params):
    response = client.get(reverse("assistance:export_gap", args=["csv"]), params)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_every_surface_gives_the_hand_computed_figures(client, cases):
    api = client.get(f"{API}/funding/gap", {"year": 2026, "pillar": "clearance", "limit": 100}).json()["items"]
    by_api = {r["state"]: r for r in api}
    by_csv = {r["state"]: r for r in _csv_rows(client, year=2026, pillar="clearance")}
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("assistance:export_gap", args=["xlsx"]), {"year": 2026, "pillar": "clearance"}).content
        )
    )
    sheet = book["Gap"]
    header = [c.value for c in sheet[1]]
    by_xlsx = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    page = client.get(reverse("assistance:funding"), {"year": 2026, "pillar": "clearance"}).content.decode()
    for iso3, expected in EXPECTED.items():
        hand = dict(zip(FIGURES, (D(v) for v in expected), strict=True))
        assert {f: D(str(by_api[iso3][f])) for f in FIGURES} == hand, ("API", iso3)
        assert {f: D(by_csv[iso3][f]) for f in FIGURES} == hand, ("CSV", iso3)
        columns = [
            "Needed",
            "Pledged",
            "Committed",
            "Disbursed",
            "Funding towards stated needs",
            "Funding outside stated needs",
            "Gap",
        ]
        assert [D(str(by_xlsx[iso3][c])) for c in columns] == list(hand.values()), ("Excel", iso3)
        row = re.search(rf'<tr data-state="{iso3}">(.*?)</tr>', page, re.S)
        assert row, iso3
        cells = re.findall(r'<td class="num[^"]*">\s*([-\d,.]+)', row.group(1))
        assert [D(c.replace(",", "")) for c in cells] == list(hand.values()), ("page", iso3)
    # A figure that lacks an amount says so, and names it once.
    som = by_api["SOM"]
    assert som["complete"] is False
    assert som["missing"]["needed"] == [{"amount": 100000.0, "currency": "EUR", "year": 2026}]
    assert som["problems"] == ["100000.00 EUR for 2026: no exchange rate"]
    assert by_csv["SOM"]["complete"] == "false"
    som_row = re.search(r'<tr data-state="SOM">(.*?)</tr>', page, re.S).group(1)
    assert "+ 100,000 EUR for 2026, no rate" in re.sub(r"\s+", " ", som_row)
    # The pillar split of 100.01 loses no cent.
    halves = {r["pillar"]: D(r["outside_needs"]) for r in _csv_rows(client, state="AFG", year=2026)}
    assert halves == {"clearance": D("50.01"), "victim_assistance": D("50.00")}


def _need_page(client, need):
    return re.sub(r"\s+", " ", client.get(reverse("assistance:need", args=[need.pk])).content.decode())


def test_the_need_pages_and_the_api_give_each_need_its_part(client, cases):
    n = cases["needs"]
    expected = {  # covered, coverage, status
        "bih_a": ("146666.67", 0.7333, "partly_covered"),  # two thirds of 220,000
        "bih_b": ("73333.33", 0.7333, "partly_covered"),  # one third; the two add up to 220,000
        "tcd": ("0.00", 0.0, "open"),  # the pledge is not counted
        "gnb": ("30000.00", 1.0, "covered"),
        "chl": ("37000.00", 1.0, "covered"),
        "per": ("160000.00", 1.6, "covered"),
        "irq": ("0.00", 0.0, "open"),
    }
    for key, (covered, ratio, status) in expected.items():
        data = client.get(f"{API}/needs/{n[key].pk}").json()
        assert D(str(data["covered_amount"])) == D(covered), key
        assert data["coverage"] == pytest.approx(ratio, abs=1e-4), key
        assert data["status"] == status, key
    assert "146,666.67 USD funded" in _need_page(client, n["bih_a"])
    assert "over-covered, 160%" in _need_page(client, n["per"])
    assert "Pledged, not yet committed: 50,000 USD" in _need_page(client, n["tcd"])
    som = _need_page(client, n["som_eur"])
    assert "Not counted for want of an exchange rate: 12,000 USD for 2026." in som
    assert client.get(f"{API}/needs/{n['som_eur'].pk}").json()["not_counted"] == [
        {"amount": 12000.0, "currency": "USD", "year": 2026}
    ]


def test_the_division_is_shown_on_the_commitment(client, cases):
    grant = Commitment.objects.get(title="One grant, two needs")
    page = re.sub(r"\s+", " ", client.get(grant.get_absolute_url()).content.decode())
    division = re.sub(r"<[^>]+>", "", re.search(r'data-testid="division">(.*?)</dd>', page).group(1))
    assert "Clearance, north: 146,666.67 USD" in division
    assert "Clearance, south: 73,333.33 USD" in division


def test_the_command_line_agrees(cases, capsys):
    call_command("funding", "--json", "--year", "2026")
    data = json.loads(capsys.readouterr().out)
    pence = next(c for c in data["commitments"] if c["recipient"] == "MNE")
    assert pence["committed"] == 1.0 and pence["usd"]["committed"] == 1.3  # rounded once, not per amount


def test_an_inconsistent_commitment_is_flagged_for_isu_only(client, cases):
    irq = cases["irq"]
    irq.refresh_from_db()
    assert "less than zero" in irq.inconsistency
    client.force_login(cases["people"]["norway_partner"])
    assert 'data-testid="inconsistency"' not in client.get(irq.get_absolute_url()).content.decode()


# --- 2. Links bigger than the money are refused ---------------------------------------------------


def _token(user, scope=TokenScope.WRITE):
    return ApiToken.issue(user, "test", scope)[1]


@pytest.mark.parametrize(
    ("committed", "links", "message"),
    [
        ("100000", ["80000", "80000"], "add up to 160,000 USD"),
        ("10000", ["1000000"], "1,000,000 USD linked"),
    ],
)
def test_links_bigger_than_the_money_are_refused_with_the_figures(client, reference, committed, links, message):
    people = everyone()
    lao = State.objects.get(iso3="LAO")
    needs = [need("LAO", f"Need {i}", "1000000", by=people["lao_focal_point"]) for i in range(len(links))]
    body = {
        "provider_state": "NOR",
        "recipient": "LAO",
        "title": "Too little for its links",
        "channel": "ngo",
        "currency": "USD",
        "pillar_shares": {"clearance": 100},
        "amounts": [{"kind": "committed", "year": 2026, "amount": float(committed)}],
        "needs": {str(n.pk): float(a) for n, a in zip(needs, links, strict=True)},
    }
    response = client.post(
        f"{API}/commitments",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {_token(people['norway_partner'])}"},
    )
    assert response.status_code in (400, 422), response.content
    assert message in response.content.decode()
    assert not Commitment.objects.filter(title="Too little for its links").exists()  # nothing half-written
    assert lao.needs.filter(covered_all__gt=0).count() == 0


# --- 7. Every stored figure follows what it depends on ----------------------------------------------


def _covered(need_record):
    need_record.refresh_from_db()
    return need_record.covered_amount, need_record.status


def test_every_dependency_of_a_needs_figures_recomputes_them(reference):
    people = everyone()
    by = people["isu"]
    ExchangeRate.objects.filter(currency="EUR", year=2026).delete()
    target = need("LAO", "Clearance", "100000", by=by, start=2026, end=2026)
    sibling = need("LAO", "Clearance too", "100000", by=by)
    grant = commitment("LAO", "Grant", [("committed", 2026, "40000")], currency="EUR")
    assert _covered(target) == (D("0"), "open")
    link = CommitmentNeed.objects.create(commitment=grant, need=target)  # a link
    assert _covered(target) == (D("0"), "partly_covered")  # linked, but no rate: counted nothing
    target.refresh_from_db()
    assert target.coverage_missing["public"] == [["40000.00", "EUR", 2026]]
    rate = ExchangeRate.objects.create(currency="EUR", year=2026, usd_per_unit=D("1.10"))  # a rate
    assert _covered(target) == (D("44000.00"), "partly_covered")
    rate.usd_per_unit = D("1.25")  # a rate changed
    rate.save()
    assert _covered(target)[0] == D("50000.00")
    flow = Flow.objects.create(commitment=grant, kind="disbursed", year=2026, amount=D("80000"))  # an amount
    assert _covered(target) == (D("100000.00"), "covered")
    flow.delete()
    assert _covered(target)[0] == D("50000.00")
    CommitmentNeed.objects.create(commitment=grant, need=sibling)  # a second need shares the money
    assert _covered(target)[0] == D("25000.00") and _covered(sibling)[0] == D("25000.00")
    sibling.amount = D("300000")  # a need's amount: the division follows what each lacks
    sibling.save()
    assert _covered(target)[0] == D("12500.00") and _covered(sibling)[0] == D("37500.00")
    NeedYear.objects.create(need=target, year=2026, amount=D("100000"))  # a yearly amount
    assert _covered(target)[0] == D("12500.00")
    share = grant.pillar_shares.get()  # a pillar share
    share.pillar = "victim_assistance"
    share.save()
    assert _covered(target)[0] == D("0") and _covered(sibling)[0] == D("0")
    share.pillar = "clearance"
    share.save()
    grant.visibility = Visibility.ISU_ONLY  # a commitment's visibility
    grant.save()
    assert _covered(target)[0] == D("0")
    target.refresh_from_db()
    assert target.covered_all == D("12500.00")
    grant.visibility = Visibility.PUBLIC
    grant.save()
    target.declared_status = "closed"  # a need's status
    target.save()
    assert _covered(target)[1] == "closed"
    assert _covered(sibling)[0] == D("50000.00")  # a closed need lacks nothing: the open one takes it all
    link.delete()  # a link removed
    assert _covered(target)[0] == D("0")
    rate.delete()  # a rate removed
    assert _covered(sibling) == (D("0"), "partly_covered")
    grant.delete()  # the commitment removed
    assert _covered(sibling) == (D("0"), "open")


def test_an_imported_rate_recomputes_the_needs_it_concerns(reference, tmp_path):
    by = everyone()["isu"]
    ExchangeRate.objects.filter(currency="EUR", year=2026).delete()
    target = need("LAO", "Clearance", "100000", by=by)
    commitment("LAO", "Grant", [("committed", 2026, "40000")], currency="EUR", needs=[(target, None)])
    assert _covered(target)[0] == D("0")
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,year,usd_per_unit,source\nEUR,2026,1.10,Test\n")
    call_command("import-rates", str(rates))
    assert _covered(target)[0] == D("44000.00")


def _commitment_form(need, **changes):
    return {
        "provider_state": State.objects.get(iso3="NOR").pk,
        "recipient": need.state.pk,
        "title": "Clearance in two districts",
        "description": "",
        "channel": "ngo",
        "implementing_partner": "An NGO",
        "currency": "USD",
        "visibility": "public",
        "pillar_shares": "clearance: 100",
        "amounts": "committed 2026 10000",
        "needs_met": [need.pk],
        **changes,
    }


def test_the_commitment_page_refuses_links_bigger_than_the_money_and_keeps_amounts_given(client, reference):
    people = everyone()
    target = need("LAO", "Clearance", "1000000", by=people["lao_focal_point"])
    client.force_login(people["norway_partner"])
    url = reverse("assistance:commitment_add")
    response = client.post(url, _commitment_form(target, need_amounts=f"{target.pk}: 1000000"))
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "1,000,000 USD linked, more than the commitment has for its pillar (10,000 USD" in page
    assert not Commitment.objects.exists()
    response = client.post(url, _commitment_form(target, need_amounts=f"{target.pk}: 8000"))
    assert response.status_code == 302
    grant = Commitment.objects.get()
    assert CommitmentNeed.objects.get(commitment=grant).amount == D("8000")
    assert _covered(target)[0] == D("8000.00")
    # Editing the commitment shows the amount and keeps it.
    edit = client.get(reverse("assistance:commitment_edit", args=[grant.pk])).content.decode()
    assert f"{target.pk}: 8000" in edit
    response = client.post(
        reverse("assistance:commitment_edit", args=[grant.pk]),
        _commitment_form(target, title="Renamed", need_amounts=f"{target.pk}: 8000"),
    )
    assert response.status_code == 302
    assert CommitmentNeed.objects.get(commitment=grant).amount == D("8000")


def test_the_api_gives_the_division_of_a_commitment(client, cases):
    grant = Commitment.objects.get(title="One grant, two needs")
    data = client.get(f"{API}/commitments/{grant.pk}").json()
    assert data["counted"] == 220000.0 and data["outside_needs"] == 0.0
    assert sorted((n["title"], n["amount"], n["counted"]) for n in data["needs"]) == [
        ("Clearance, north", None, 146666.67),
        ("Clearance, south", None, 73333.33),
    ]
