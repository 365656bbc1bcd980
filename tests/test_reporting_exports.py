"""Transparency reports (Art. 7) as files: a report as Excel, CSV and PDF for those who
may read it, and the tables of every published report as one CSV for everyone."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from test_reporting_workbook import YEAR, filled_report, full_content

from article6.assistance.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from article6.reporting import exports, services
from article6.reporting.models import Report
from article6.reporting.workbook import read_workbook


@pytest.fixture
def lao(reference):
    return reference.get(iso3="LAO")


@pytest.fixture
def submitted(people, lao):
    """LAO's annual update for 2024, submitted on 20 April 2025 (due 30 April, Art. 7(2))."""
    report = filled_report(people["lao_focal_point"], lao)
    services.submit(people["lao_focal_point"], report, today=dt.date(2025, 4, 20))
    return services.with_content(Report.objects.filter(pk=report.pk)).get()


def published(report, people) -> Report:
    services.publish(people["isu"], report, today=dt.date(2025, 5, 2))
    return services.with_content(Report.objects.filter(pk=report.pk)).get()


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


HEADER = "state_iso3,state,kind,year,version,submitted_on,form,table,row,column,value,is_sample,owed"


# --- CSV ------------------------------------------------------------------------------------


def test_report_csv_is_one_value_a_line(submitted):
    text = exports.report_csv(submitted)
    assert text.splitlines()[0] == HEADER
    rows = csv_rows(text)
    content = full_content()
    expected = sum(len(rows_) * len(rows_[0]) for rows_ in content["tables"].values())
    assert len(rows) == expected
    area = [r for r in rows if r["table"] == "areas" and r["column"] == "contaminated_m2"]
    assert area == [
        {
            "state_iso3": "LAO",
            "state": "Lao People's Democratic Republic",
            "kind": "annual",
            "year": "2024",
            "version": "1",
            "submitted_on": "2025-04-20",
            "form": "F",
            "table": "areas",
            "row": "1",
            "column": "contaminated_m2",
            "value": "1250000.50",
            "is_sample": "false",
            "owed": "true",
        }
    ]
    needs = {(r["row"], r["column"]): r["value"] for r in rows if r["table"] == "needs"}
    # Text a spreadsheet would run as a formula stays text.
    assert needs[("1", "description")] == "'=SUM(A1) looks like a formula and stays text"
    assert needs[("1", "amount")] == "" and needs[("2", "amount")] == "150000.00"
    assert {r["value"] for r in rows if r["table"] == "stockpiles" and r["column"] == "measure"} == {
        "stockpiled",
        "destroyed",
    }


def test_published_csv_has_published_reports_only_in_their_latest_version(client, people, lao, submitted):
    lebanon = lao.__class__.objects.get(iso3="LBN")
    draft = services.start_report(people["lebanon_focal_point"], lebanon, "annual", YEAR)
    services.save_content(people["lebanon_focal_point"], draft, full_content())

    assert csv_rows(exports.published_csv()) == []  # submitted, not yet published
    report = published(submitted, people)
    rows = csv_rows(exports.published_csv())
    assert {(r["state_iso3"], r["version"]) for r in rows} == {("LAO", "1")}

    # A published correction replaces the version before it.
    correction = services.correct(people["lao_focal_point"], report)
    content = services.content_of(report)
    content["tables"]["areas"][0]["cleared_m2"] = 50000
    services.save_content(people["lao_focal_point"], correction, content)
    services.submit(people["lao_focal_point"], correction, today=dt.date(2025, 6, 1))
    services.publish(people["isu"], correction, today=dt.date(2025, 6, 2))
    rows = csv_rows(exports.published_csv())
    assert {(r["state_iso3"], r["version"]) for r in rows} == {("LAO", "2")}
    cleared = [r["value"] for r in rows if r["column"] == "cleared_m2"]
    assert cleared == ["50000.00"]

    response = client.get(reverse("reporting:published_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == CSV_CONTENT_TYPE
    assert 'filename="article7-reports.csv"' in response["Content-Disposition"]
    body = response.content.decode()
    assert body.splitlines()[0] == HEADER
    assert "LBN" not in body and "Xieng Khouang" in body


# --- Downloads of one report ----------------------------------------------------------------


def test_report_downloads_only_for_those_who_may_read_it(client, people, submitted):
    urls = {name: reverse(f"reporting:report_{name}", args=[submitted.pk]) for name in ("xlsx", "csv", "pdf")}
    for role in ("anonymous", "no_role", "lebanon_focal_point", "norway_partner"):
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        for name, url in urls.items():
            assert client.get(url).status_code == 404, (role, name)
    for role in ("lao_focal_point", "coordinator", "isu"):
        client.force_login(people[role])
        assert client.get(urls["csv"]).status_code == 200, role

    published(submitted, people)
    client.logout()
    response = client.get(urls["csv"])
    assert response.status_code == 200
    assert response["Content-Type"] == CSV_CONTENT_TYPE
    assert 'filename="LAO-annual-2024-v1.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == HEADER

    response = client.get(urls["xlsx"])
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="LAO-annual-2024-v1.xlsx"' in response["Content-Disposition"]
    identity, content, errors = read_workbook(response.content)
    assert errors == [] and content == services.content_of(submitted)

    response = client.get(urls["pdf"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="LAO-annual-2024-v1.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")

    assert client.get(reverse("reporting:report_csv", args=[submitted.pk + 1000])).status_code == 404


# --- PDF ------------------------------------------------------------------------------------


def test_report_pdf_is_laid_out_like_the_official_forms(submitted):
    """pypdf is not installed: the text is checked in the HTML WeasyPrint prints."""
    html = exports.report_html(submitted)
    assert "Transparency report (Article 7)" in html
    assert "Lao People&#x27;s Democratic Republic (LAO)" in html
    assert "calendar year 2024" in html
    assert "10 March 2025" in html and "20 April 2025" in html
    assert '<td data-testid="timeliness">on time (due 2025-04-30)</td>' in html
    assert '<td data-testid="status-A">changed</td>' in html
    assert '<td data-testid="status-E">not applicable</td>' in html
    assert '<td data-testid="status-J">unchanged since 2022</td>' in html
    # Each form, with its information and its tables, units in the headers.
    assert "Form B. Stockpiles and their destruction" in html
    assert "Form F: what changed in 2024.<br>A second line." in html
    assert '<th scope="col">Contaminated area (m²)</th>' in html
    assert '<td class="number">1,250,000.50</td>' in html
    assert "<td>Xieng Khouang</td>" in html
    assert "<td>under 18</td>" in html  # a choice shown by its label
    assert "Fictional sample data" not in html
    assert exports.report_pdf(submitted).startswith(b"%PDF")


def test_a_submitted_reports_pdf_is_rendered_once_by_the_worker_and_served_from_then_on(
    client, submitted, people, monkeypatch
):
    from django_tasks_db.models import DBTaskResult
    from signin import force_login_with_second_factor
    from tasks import run_tasks

    task = DBTaskResult.objects.get(task_path="article6.reporting.tasks.render_report_pdf")
    assert task.args_kwargs["args"] == [submitted.pk, "en"]
    assert run_tasks() == 1
    rendered = []
    monkeypatch.setattr(exports, "report_pdf", lambda report: rendered.append(report) or b"%PDF-not-this")
    force_login_with_second_factor(client, people["lao_focal_point"])
    response = client.get(reverse("reporting:report_pdf", args=[submitted.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-1.")
    assert rendered == []  # served as the worker rendered it
    # A draft changes: its PDF is rendered each time, and never kept.
    draft = filled_report(people["lao_focal_point"], submitted.state, year=2023)
    for _ in range(2):
        assert client.get(reverse("reporting:report_pdf", args=[draft.pk])).content == b"%PDF-not-this"
    assert len(rendered) == 2


def test_a_late_report_says_by_how_many_days(people, lao):
    report = filled_report(people["lao_focal_point"], lao, year=2023)
    services.submit(people["lao_focal_point"], report, today=dt.date(2024, 5, 10))
    html = exports.report_html(services.with_content(Report.objects.filter(pk=report.pk)).get())
    assert '<td data-testid="timeliness">late by 10 days (due 2024-04-30)</td>' in html


def test_a_draft_says_it_is_not_submitted_yet(people, lao):
    report = filled_report(people["lao_focal_point"], lao)
    html = exports.report_html(report)
    assert '<td data-testid="timeliness">not submitted yet</td>' in html
    assert exports.report_pdf(report).startswith(b"%PDF")


def test_a_sample_report_says_so_on_every_page(submitted):
    Report.objects.filter(pk=submitted.pk).update(is_sample=True)
    report = services.with_content(Report.objects.filter(pk=submitted.pk)).get()
    html = exports.report_html(report)
    # A running element: WeasyPrint repeats it in the top margin of every page.
    assert '<div class="sample" data-testid="sample">Fictional sample data</div>' in html
    assert "@top-center { content: element(sample); }" in html
    assert exports.report_pdf(report).startswith(b"%PDF")
    assert csv_rows(exports.report_csv(report))[0]["is_sample"] == "true"


def test_the_pdf_fetches_nothing(submitted, monkeypatch):
    """No network or disk: an image or stylesheet named in the report is not fetched."""
    fetched = []
    fetcher = exports._url_fetcher()
    for url in ("http://127.0.0.1:9/x.css", "file:///etc/passwd"):
        try:
            fetcher(url)
        except Exception:
            continue
        fetched.append(url)
    assert fetched == []
    assert fetcher("data:text/plain,hello").read() == b"hello"
