"""Numbers a report's tables hold: the same limits on SQLite and PostgreSQL, checked by the
online form, the workbook and the services alike, so that nothing the database cannot
hold (or give back) is ever written. The largest value allowed goes through the page;
one above it is refused, with the field named."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from test_reporting_filing import complete_content, draft, post_form

from article6.reporting import services
from article6.reporting.models import AreaFigure, MunitionFigure, Report
from article6.reporting.tables import BY_KEY, MAX_BIG_COUNT, MAX_COUNT, MAX_DECIMAL
from article6.reporting.workbook import build_workbook, read_workbook

pytestmark = pytest.mark.sqlite_and_postgres


def largest() -> dict:
    content = complete_content()
    content["tables"]["stockpiles"] = [
        {"measure": "destroyed", "munition_type": "BLU-26", "munitions": MAX_COUNT, "submunitions": MAX_BIG_COUNT}
    ]
    content["tables"]["areas"] = [
        {
            "area": "Xieng Khouang",
            "contaminated_m2": MAX_DECIMAL,
            "cleared_m2": MAX_DECIMAL,
            "remnants_destroyed": MAX_COUNT,
        }
    ]
    content["tables"]["resources"] = [{"pillar": "clearance", "amount": MAX_DECIMAL, "currency": "LAK"}]
    return content


def test_the_limits_are_what_both_databases_hold():
    assert MAX_COUNT == 2**31 - 1  # PostgreSQL's integer
    assert MAX_BIG_COUNT == 10**15 - 1  # 15 significant digits: what a spreadsheet keeps exactly
    assert MAX_DECIMAL == Decimal("9999999999999.99")  # 15 significant digits: what SQLite gives back exactly
    columns = {(table.key, column.field): column.maximum for table in BY_KEY.values() for column in table.columns}
    assert columns[("stockpiles", "munitions")] == MAX_COUNT
    assert columns[("stockpiles", "submunitions")] == MAX_BIG_COUNT
    assert columns[("areas", "contaminated_m2")] == MAX_DECIMAL
    assert columns[("casualties", "killed")] == MAX_COUNT
    assert columns[("assistance", "amount")] == MAX_DECIMAL


def test_the_largest_values_go_through_the_page_and_back(client, people, lao):
    report = draft(people["lao_focal_point"], lao)
    client.force_login(people["lao_focal_point"])
    response = client.post(reverse("reporting:edit", args=[report.pk]), post_form(report, largest(), save="1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    area = AreaFigure.objects.get(report=report)
    assert (area.contaminated_m2, area.remnants_destroyed) == (MAX_DECIMAL, MAX_COUNT)
    assert MunitionFigure.objects.get(report=report).submunitions == MAX_BIG_COUNT
    page = client.get(reverse("reporting:report", args=[report.pk]))
    assert page.status_code == 200
    shown = page.content.decode()
    assert "9,999,999,999,999.99" in shown and "2,147,483,647" in shown and "999,999,999,999,999" in shown
    assert client.get(reverse("reporting:edit", args=[report.pk])).status_code == 200
    assert client.post(reverse("reporting:discard", args=[report.pk])).status_code == 302
    assert not Report.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize(
    ("table", "field", "value", "limit"),
    [
        ("stockpiles", "munitions", MAX_COUNT + 1, "2,147,483,647"),
        ("stockpiles", "submunitions", MAX_BIG_COUNT + 1, "999,999,999,999,999"),
        ("areas", "contaminated_m2", Decimal("10000000000000.00"), "9,999,999,999,999.99"),
        ("areas", "cleared_m2", Decimal("99999999999999.99"), "9,999,999,999,999.99"),
        ("areas", "remnants_destroyed", MAX_COUNT + 1, "2,147,483,647"),
        ("resources", "amount", Decimal("10000000000000"), "9,999,999,999,999.99"),
    ],
)
def test_one_above_the_limit_is_refused_with_the_field_named(client, people, lao, table, field, value, limit):
    report = draft(people["lao_focal_point"], lao)
    before = services.content_of(services.with_content(Report.objects.filter(pk=report.pk)).get())
    content = largest()
    content["tables"][table][0][field] = value
    client.force_login(people["lao_focal_point"])
    response = client.post(reverse("reporting:edit", args=[report.pk]), post_form(report, content, save="1"))
    assert response.status_code == 422
    page = response.content.decode()
    error = f'data-testid="field-error-{table}-{field}">'
    assert error in page
    assert page.split(error, 1)[1].startswith(f"At most {limit}")
    # the services refuse it too, naming the row and the field
    with pytest.raises(services.ContentInvalid) as refused:
        services.save_content(people["lao_focal_point"], report, content)
    assert [(p.table, p.row, p.field) for p in refused.value.problems] == [(table, 1, field)]
    assert refused.value.problems[0].message.startswith(f"At most {limit}")
    after = services.content_of(services.with_content(Report.objects.filter(pk=report.pk)).get())
    assert after == before


def test_the_workbook_refuses_a_number_above_the_limit_at_its_cell(lao):
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(lao, "annual", 2024, largest())))
    book["Form F"]["C9"] = 10**13  # contaminated m², first data row
    book["Form B"]["D9"] = MAX_COUNT + 1  # munitions
    out = io.BytesIO()
    book.save(out)
    _identity, _content, errors = read_workbook(out.getvalue())
    where = {(e.sheet, e.row, e.column): e.message for e in errors}
    assert where[("Form F", 9, "C")].startswith("At most 9,999,999,999,999.99")
    assert where[("Form B", 9, "D")].startswith("At most 2,147,483,647")
    assert len(errors) == 2, where


def test_the_largest_values_round_trip_through_the_workbook(lao):
    _identity, content, errors = read_workbook(build_workbook(lao, "annual", 2024, largest()))
    assert errors == []
    assert content["tables"]["areas"][0]["contaminated_m2"] == MAX_DECIMAL
    assert content["tables"]["stockpiles"][0]["submunitions"] == MAX_BIG_COUNT
