"""Needs, offers, commitments and the gap as CSV and Excel downloads: the header row,
numbers and dates as such, the "About" sheet, the same filters as the API, and only the
records the person may see."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from test_api_assistance import build_world, commitment, more_records, need

from article6.accounts.models import Visibility
from article6.asof import today
from article6.assistance import exports, queries


@pytest.fixture
def world(reference):
    return build_world()


NEED_HEADER = [
    "id",
    "state",
    "state_name",
    "title",
    "pillar",
    "modality",
    "priority",
    "urgent",
    "status",
    "declared_status",
    "amount",
    "currency",
    "covered_amount",
    "coverage",
    "start_year",
    "end_year",
    "yearly",
    "quantity",
    "quantity_unit",
    "national_plan",
    "national_resources",
    "national_resources_currency",
    "languages",
    "description",
    "evidence",
    "evidence_url",
    "visibility",
    "created",
    "updated",
    "is_sample",
]


def download(client, name: str, fmt: str, **params):
    return client.get(reverse(f"assistance:{name}", args=[fmt]), params)


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def workbook_of(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def about_of(workbook) -> dict:
    return {row[0].value: row[1].value for row in workbook["About"].iter_rows()}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Needs ---------------------------------------------------------------------------------------


def test_needs_as_csv(client, world):
    response = download(client, "export_needs", "csv")
    assert response["Content-Disposition"] == f'attachment; filename="article6-needs-{today().isoformat()}.csv"'
    assert "private" in response["Cache-Control"]
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header == NEED_HEADER
    rows = rows_of(response)
    # The anonymous visitor: the public need only.
    [row] = rows
    lao_public = world["needs"]["lao_public"]
    assert row["id"] == str(lao_public.pk)
    assert (row["state"], row["title"], row["pillar"]) == ("LAO", "Clearance in two districts", "clearance")
    assert (row["amount"], row["currency"], row["covered_amount"], row["coverage"]) == (
        "100000.00",
        "USD",
        "0.00",
        "0.0",
    )
    assert row["yearly"] == "2026: 60000.00; 2027: 40000.00"
    assert row["created"] == lao_public.created.date().isoformat()
    assert row["is_sample"] == "false"


def test_needs_as_excel(client, world):
    sample = need(
        world["lbn"], "A fictional need (sample)", is_sample=True, amount="2500.50", by=world["people"]["isu"]
    )
    response = download(signed_in(world["people"]["isu"]), "export_needs", "xlsx")
    assert response["Content-Disposition"] == f'attachment; filename="article6-needs-{today().isoformat()}.xlsx"'
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["Needs", "About"]
    sheet = workbook["Needs"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Id", "State (ISO3)", "State", "Title"]
    assert len(header) == len(NEED_HEADER)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {n.pk for n in world["needs"].values()} | {sample.pk}
    row = rows[sample.pk]
    assert isinstance(row["Amount needed"], int | float) and row["Amount needed"] == 2500.5
    assert isinstance(row["From year"], int)
    assert isinstance(row["Filed"], dt.datetime) and row["Filed"].date() == sample.created.date()
    assert row["Fictional sample"] == "yes"
    about = about_of(workbook)
    assert "Needs for assistance" in about["Data"]
    assert about["Exported on"].date() == today()
    assert about["Records"] == 4
    assert about["Filters"] == "none"
    assert "1 of these records are fictional" in about["Fictional sample data"]


def test_needs_filters_are_the_apis(client, world):
    isu = signed_in(world["people"]["isu"])
    rows = rows_of(download(isu, "export_needs", "csv", state="lao", pillar="victim_assistance"))
    assert [r["id"] for r in rows] == [str(world["needs"]["lao_restricted"].pk)]
    workbook = workbook_of(download(isu, "export_needs", "xlsx", region="Middle East"))
    assert about_of(workbook)["Filters"] == "region=Middle East"
    assert "Fictional sample data" not in about_of(workbook)
    response = download(isu, "export_needs", "csv", pillar="demining", year="1990")
    assert response.status_code == 400
    assert sorted(d["parameter"] for d in response.json()["detail"]) == ["pillar", "year"]
    response = download(isu, "export_needs", "csv", state="XYZ")
    assert response.status_code == 400
    assert response.json()["detail"][0]["parameter"] == "state"


def test_unknown_format_is_not_found_and_only_get(client, world):
    for fmt in ("pdf", "CSV", "xls"):
        for name in ("export_needs", "export_offers", "export_commitments", "export_gap"):
            assert download(client, name, fmt).status_code == 404
    assert client.post(reverse("assistance:export_needs", args=["csv"])).status_code == 405


def test_restricted_records_are_absent_from_anonymous_exports(client, world):
    needs = {r["id"] for r in rows_of(download(client, "export_needs", "csv"))}
    assert str(world["needs"]["lao_restricted"].pk) not in needs
    assert str(world["needs"]["lbn_signed_in"].pk) not in needs
    offers = {r["id"] for r in rows_of(download(client, "export_offers", "csv"))}
    assert offers == {str(world["offers"]["nor"].pk)}
    commitments = {r["id"] for r in rows_of(download(client, "export_commitments", "csv"))}
    assert commitments == {str(world["commitments"]["nor_to_lao"].pk)}
    amounts = {r["commitment"] for r in rows_of(download(client, "export_commitments", "csv", table="amounts"))}
    assert amounts == {str(world["commitments"]["nor_to_lao"].pk)}
    gap = rows_of(download(client, "export_gap", "csv"))
    assert "victim_assistance" not in {r["pillar"] for r in gap}
    sheet = workbook_of(download(client, "export_commitments", "xlsx"))["Commitments"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [world["commitments"]["nor_to_lao"].pk]
    # Coordinators see restricted records.
    coordinator = signed_in(world["people"]["coordinator"])
    assert len(rows_of(download(coordinator, "export_needs", "csv"))) == 3
    assert len(rows_of(download(coordinator, "export_commitments", "csv"))) == 2


# --- Offers --------------------------------------------------------------------------------------


def test_offers_as_csv_and_excel(client, world):
    ngo_partner = signed_in(world["people"]["ngo_partner"])
    rows = {r["id"]: r for r in rows_of(download(ngo_partner, "export_offers", "csv"))}
    nor, ngo = world["offers"]["nor"], world["offers"]["ngo"]
    assert set(rows) == {str(nor.pk), str(ngo.pk)}
    row = rows[str(ngo.pk)]
    assert (row["provider"], row["provider_state"], row["provider_organisation"]) == (
        str(world["ngo"]),
        "",
        str(world["ngo"].pk),
    )
    assert (row["pillars"], row["kinds"], row["is_active"]) == ("clearance; victim_assistance", "experts", "true")
    assert rows[str(nor.pk)]["states"] == "LAO"
    filtered = rows_of(download(ngo_partner, "export_offers", "csv", kind="experts"))
    assert [r["id"] for r in filtered] == [str(ngo.pk)]
    workbook = workbook_of(download(ngo_partner, "export_offers", "xlsx"))
    assert workbook.sheetnames == ["Offers", "About"]
    assert workbook["Offers"]["A2"].data_type == "n"


# --- Commitments ---------------------------------------------------------------------------------


def test_commitments_as_csv(client, world):
    nor_to_lao = world["commitments"]["nor_to_lao"]
    [row] = rows_of(download(client, "export_commitments", "csv"))
    assert (row["id"], row["provider"], row["provider_state"], row["recipient"], row["currency"]) == (
        str(nor_to_lao.pk),
        world["nor"].name,
        "NOR",
        "LAO",
        "GBP",
    )
    assert row["pillars"] == "clearance 80%; risk_reduction_education 20%"
    totals = {kind: row[kind] for kind in ("pledged", "committed", "disbursed", "expended", "budgeted", "received")}
    assert totals == {
        "pledged": "0.00",  # every amount to the cent
        "committed": "50000.00",
        "disbursed": "50000.00",
        "expended": "0.00",
        "budgeted": "0.00",
        "received": "38000.00",
    }
    response = download(client, "export_commitments", "csv", table="amounts")
    assert f'filename="article6-commitment-amounts-{today().isoformat()}.csv"' in response["Content-Disposition"]
    amounts = rows_of(response)
    assert [(r["year"], r["disbursed"], r["received"], r["difference"]) for r in amounts] == [
        ("2026", "40000.00", "38000.00", "-2000.00"),
        ("2027", "10000.00", "", ""),
    ]


def test_commitments_as_excel(client, world):
    workbook = workbook_of(download(signed_in(world["people"]["isu"]), "export_commitments", "xlsx", recipient="LAO"))
    assert workbook.sheetnames == ["Commitments", "Amounts by year", "About"]
    commitments, amounts = workbook["Commitments"], workbook["Amounts by year"]
    header = [c.value for c in commitments[1]]
    [row] = [dict(zip(header, r, strict=True)) for r in commitments.iter_rows(min_row=2, values_only=True)]
    assert row["Currency"] == "GBP"
    assert row["Committed"] == 50000 and isinstance(row["Committed"], int | float)
    assert row["Provider organisation (id)"] is None and row["Provider State (ISO3)"] == "NOR"
    assert amounts.freeze_panes == "A2"
    header = [c.value for c in amounts[1]]
    years = [dict(zip(header, r, strict=True)) for r in amounts.iter_rows(min_row=2, values_only=True)]
    assert [(y["Year"], y["Received minus disbursed"]) for y in years] == [(2026, -2000), (2027, None)]
    about = about_of(workbook)
    assert about["Filters"] == "recipient=LAO"
    assert "Amounts by year" in about["Data"]


# --- The gap -------------------------------------------------------------------------------------


def test_gap_as_csv_and_excel(client, world):
    rows = rows_of(download(client, "export_gap", "csv", state="LAO", year="2026"))
    assert list(rows[0]) == [
        "state",
        "pillar",
        "year",
        "currency",
        "needed",
        "pledged",
        "committed",
        "disbursed",
        "funded",
        "outside_needs",
        "gap",
        "complete",
        "problems",
    ]
    clearance = next(r for r in rows if r["pillar"] == "clearance")
    # The commitment meets no stated need: its money is outside stated needs, the need lacks all of it.
    assert (
        clearance["needed"],
        clearance["committed"],
        clearance["outside_needs"],
        clearance["gap"],
        clearance["complete"],
        clearance["currency"],
    ) == ("60000.00", "50000.00", "50000.00", "60000.00", "true", "USD")
    workbook = workbook_of(download(client, "export_gap", "xlsx", state="LAO"))
    assert workbook.sheetnames == ["Gap", "About"]
    sheet = workbook["Gap"]
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert {v["Gap"] for v in values if (v["Pillar"], v["Year"]) == ("clearance", 2026)} == {60000}
    assert "US dollars" in about_of(workbook)["Amounts"]
    assert "Fictional sample data" not in about_of(workbook)
    commitment("A fictional grant (sample)", world["lao"], provider_state=world["nor"], is_sample=True)
    workbook = workbook_of(download(client, "export_gap", "xlsx", state="LAO"))
    assert "fictional" in about_of(workbook)["Fictional sample data"]


# --- The functions themselves ----------------------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text(world):
    tricky = need(
        world["lao"],
        '=HYPERLINK("https://example.org","click")',
        evidence="+1 more",
        amount="10",
        by=world["people"]["isu"],
    )
    needs = queries.needs_for(AnonymousUser()).filter(pk=tricky.pk)
    [row] = list(csv.DictReader(io.StringIO(exports.needs_csv(needs).decode())))
    assert row["title"] == '\'=HYPERLINK("https://example.org","click")'
    assert row["evidence"] == "'+1 more"
    assert row["amount"] == "10.00"  # numbers untouched
    sheet = openpyxl.load_workbook(io.BytesIO(exports.needs_xlsx(needs)))["Needs"]
    assert sheet["D2"].data_type == "s"
    assert sheet["D2"].value.startswith("=HYPERLINK")


def test_an_empty_export_still_has_its_header(world):
    needs = queries.needs_for(AnonymousUser()).filter(visibility=Visibility.ISU_ONLY)
    assert exports.needs_csv(needs).decode().splitlines() == [",".join(NEED_HEADER)]
    workbook = openpyxl.load_workbook(io.BytesIO(exports.needs_xlsx(needs, exported=dt.date(2026, 11, 22))))
    assert [c.value for c in workbook["Needs"][1]][0] == "Id"
    assert about_of(workbook)["Records"] == 0
    assert about_of(workbook)["Exported on"] == dt.datetime(2026, 11, 22)


def test_export_queries_are_fixed(client, world, django_assert_num_queries):
    def run():
        # The needs with their States, their yearly amounts; the offers with their providers, their
        # States; the commitments with providers and recipients, their shares, their amounts.
        with django_assert_num_queries(2):
            download(client, "export_needs", "csv")
        with django_assert_num_queries(2):
            download(client, "export_offers", "xlsx")
        with django_assert_num_queries(3):
            download(client, "export_commitments", "xlsx")

    run()
    more_records(world)
    run()
