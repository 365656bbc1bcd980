"""Filing a transparency report online (Art. 7): draft → submitted (on time, or late by N
days by the Convention's clock) → published by ISU; corrections as new versions; who may
do each step; "start from last year's report"; what is missing, form by form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from article6.reporting import queries, services
from article6.reporting.models import AreaFigure, FormSection, MunitionFigure, Report, ReportStatus
from article6.states.models import State

LAO_EIF = dt.date(2010, 8, 1)


def complete_content(year_since: int | None = None) -> dict:
    """Every form answered, with figures in the tables that carry them."""
    content = services.empty_content()
    for letter in content["sections"]:
        content["sections"][letter] = {"status": "not_applicable", "unchanged_since": None, "text": ""}
    content["sections"]["B"] = {"status": "changed", "unchanged_since": None, "text": "Stockpile destroyed."}
    content["sections"]["F"] = {"status": "changed", "unchanged_since": None, "text": ""}
    content["tables"]["stockpiles"] = [
        {"measure": "destroyed", "munition_type": "BLU-26", "munitions": 10, "submunitions": 6000}
    ]
    content["tables"]["areas"] = [
        {
            "area": "Xieng Khouang",
            "contaminated_m2": Decimal("1500000"),
            "cleared_m2": Decimal("250000"),
            "remnants_destroyed": 812,
        }
    ]
    return content


def draft(user, state, year=2025, content=None) -> Report:
    report = services.start_report(user, state, "annual", year)
    services.save_content(user, report, content or complete_content())
    return report


def post_form(report: Report, content: dict, **extra) -> dict:
    """The edit page's POST data for `content` (what the browser sends)."""
    from article6.reporting.tables import TABLES

    data = {"report_date": content["report_date"] or ""}
    for letter, values in content["sections"].items():
        data[f"form-{letter}-status"] = values["status"]
        data[f"form-{letter}-unchanged_since"] = values["unchanged_since"] or ""
        data[f"form-{letter}-text"] = values["text"]
    for table in TABLES:
        rows = content["tables"][table.key]
        data[f"{table.key}-TOTAL_FORMS"] = len(rows)
        data[f"{table.key}-INITIAL_FORMS"] = 0
        for i, row in enumerate(rows):
            for name, value in row.items():
                data[f"{table.key}-{i}-{name}"] = "" if value is None else value
    data.update(extra)
    return data


# --- The online form ------------------------------------------------------------------------


def test_focal_point_starts_fills_in_and_submits_a_report_on_time(client, people, lao, monkeypatch):
    monkeypatch.setattr("article6.reporting.views.today", lambda: dt.date(2026, 4, 30))
    client.force_login(people["lao_focal_point"])
    response = client.post(reverse("reporting:start", args=["LAO"]), {"kind": "annual", "year": 2025})
    report = Report.objects.get(state=lao, kind="annual", year=2025)
    assert response.url == reverse("reporting:edit", args=[report.pk])
    assert client.get(response.url).status_code == 200

    saved = client.post(reverse("reporting:autosave", args=[report.pk]), post_form(report, complete_content()))
    assert saved.status_code == 200
    assert "Draft saved" in saved.content.decode()
    assert MunitionFigure.objects.filter(report=report, munition_type="BLU-26").exists()

    response = client.post(reverse("reporting:submit", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_on == dt.date(2026, 4, 30)
    assert report.submitted_by == people["lao_focal_point"]
    assert "on time" in response.content.decode()


def test_submitting_on_1_may_is_late_by_one_day(client, people, lao, monkeypatch):
    monkeypatch.setattr("article6.reporting.views.today", lambda: dt.date(2026, 5, 1))
    report = draft(people["lao_focal_point"], lao)
    client.force_login(people["lao_focal_point"])
    response = client.post(reverse("reporting:submit", args=[report.pk]), follow=True)
    page = response.content.decode()
    assert "1 days after the due date" in page or "late by 1 day" in page


def test_a_bad_value_is_marked_and_nothing_is_written(client, people, lao):
    report = draft(people["lao_focal_point"], lao)
    client.force_login(people["lao_focal_point"])
    content = complete_content()
    content["tables"]["areas"][0]["cleared_m2"] = "-5"
    content["sections"]["A"]["text"] = "This must not be saved"
    response = client.post(reverse("reporting:edit", args=[report.pk]), post_form(report, content, save="1"))
    assert response.status_code == 422
    assert 'data-testid="field-error-areas-cleared_m2"' in response.content.decode()
    assert not FormSection.objects.filter(report=report, text="This must not be saved").exists()
    autosaved = client.post(reverse("reporting:autosave", args=[report.pk]), post_form(report, content))
    assert autosaved.status_code == 422
    assert "Not saved" in autosaved.content.decode()


def test_saving_again_keeps_the_rows_and_removes_only_those_ticked(client, people, lao):
    report = draft(people["lao_focal_point"], lao)
    client.force_login(people["lao_focal_point"])
    content = complete_content()
    client.post(reverse("reporting:edit", args=[report.pk]), post_form(report, content, save="1"))
    assert MunitionFigure.objects.filter(report=report).count() == 1
    removed = post_form(report, content, save="1", **{"stockpiles-INITIAL_FORMS": 1, "stockpiles-0-DELETE": "on"})
    client.post(reverse("reporting:edit", args=[report.pk]), removed)
    assert not MunitionFigure.objects.filter(report=report).exists()
    assert AreaFigure.objects.filter(report=report).count() == 1


def test_validation_lists_what_is_missing_form_by_form(client, people, lao):
    user = people["lao_focal_point"]
    report = services.start_report(user, lao, "annual", 2025)
    content = services.empty_content()
    content["sections"]["B"] = {"status": "changed", "unchanged_since": None, "text": ""}
    content["sections"]["C"] = {"status": "unchanged", "unchanged_since": None, "text": ""}
    services.save_content(user, report, content)
    missing = services.missing(Report.objects.get(pk=report.pk))
    assert set(missing) == set("ABCDEFGHIJ")
    assert "figures" in missing["B"][0]
    assert "year" in missing["C"][0]
    with pytest.raises(ValidationError):
        services.submit(user, report)
    client.force_login(user)
    response = client.post(reverse("reporting:submit", args=[report.pk]), follow=True)
    assert "Form B" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_unchanged_since_must_name_an_earlier_year(people, lao):
    user = people["lao_focal_point"]
    report = services.start_report(user, lao, "annual", 2025)
    content = complete_content()
    content["sections"]["C"] = {"status": "unchanged", "unchanged_since": 2025, "text": ""}
    with pytest.raises(services.ContentInvalid) as error:
        services.save_content(user, report, content)
    assert error.value.problems[0].form == "C"


# --- Publishing, corrections, history -------------------------------------------------------


def test_isu_publishes_and_the_public_reads_it(client, people, lao):
    report = draft(people["lao_focal_point"], lao)
    services.submit(people["lao_focal_point"], report, dt.date(2026, 4, 1))
    assert client.get(reverse("reporting:report", args=[report.pk])).status_code == 404  # not yet public
    client.force_login(people["isu"])
    client.post(reverse("reporting:publish", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert report.published_by == people["isu"]
    client.logout()
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "Xieng Khouang" in page
    assert "on time" in page


@pytest.mark.parametrize("role", ["lao_focal_point", "lebanon_focal_point", "norway_partner", "coordinator"])
def test_only_isu_publishes(people, lao, role):
    report = draft(people["lao_focal_point"], lao)
    services.submit(people["lao_focal_point"], report, dt.date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        services.publish(people[role], report)


def test_a_submitted_report_is_never_edited_in_place(client, people, lao):
    user = people["lao_focal_point"]
    report = draft(user, lao)
    services.submit(user, report, dt.date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        services.save_content(user, report, complete_content())
    client.force_login(user)
    assert client.get(reverse("reporting:edit", args=[report.pk])).status_code == 302
    assert client.post(reverse("reporting:autosave", args=[report.pk]), {}).status_code == 409


def test_a_correction_is_a_new_version_and_the_first_date_counts(client, people, lao):
    user = people["lao_focal_point"]
    report = draft(user, lao)
    services.submit(user, report, dt.date(2026, 4, 30))
    services.publish(people["isu"], report, dt.date(2026, 5, 2))
    client.force_login(user)
    response = client.post(reverse("reporting:correct", args=[report.pk]))
    correction = Report.objects.get(corrects=report)
    assert correction.version == 2 and correction.status == ReportStatus.DRAFT
    assert response.url == reverse("reporting:edit", args=[correction.pk])
    content = services.content_of(correction)
    content["tables"]["stockpiles"][0]["munitions"] = 12
    services.save_content(user, correction, content)
    services.submit(user, correction, dt.date(2026, 6, 15))
    # The first version stays as it was.
    assert MunitionFigure.objects.get(report=report).munitions == 10
    assert MunitionFigure.objects.get(report=correction).munitions == 12
    page = client.get(reverse("reporting:report", args=[correction.pk])).content.decode()
    assert "on time" in page  # the correction does not make the report late
    assert "version 1" in page
    # Only the latest version is corrected.
    with pytest.raises(ValidationError):
        services.correct(user, report)
    history = client.get(reverse("reporting:history", args=[correction.pk])).content.decode()
    assert "lao@example.org" in history


def test_start_from_last_years_report(people, lao):
    user = people["lao_focal_point"]
    last = draft(user, lao, year=2024)
    services.submit(user, last, dt.date(2025, 4, 2))
    report = services.start_report(user, lao, "annual", 2025, from_last=True)
    content = services.content_of(report)
    assert content["sections"]["B"] == {"status": "unchanged", "unchanged_since": 2024, "text": "Stockpile destroyed."}
    assert content["tables"]["areas"][0]["area"] == "Xieng Khouang"
    assert content["sections"]["A"]["status"] == "not_applicable"


def test_one_draft_per_period_and_no_second_report(people, lao):
    user = people["lao_focal_point"]
    report = services.start_report(user, lao, "annual", 2025)
    with pytest.raises(ValidationError):
        services.start_report(user, lao, "annual", 2025)
    services.save_content(user, report, complete_content())
    services.submit(user, report, dt.date(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.start_report(user, lao, "annual", 2025)


# --- Who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_read", "may_edit"),
    [
        ("anonymous", False, False),
        ("no_role", False, False),
        ("lao_focal_point", True, True),
        ("lebanon_focal_point", False, False),
        ("norway_partner", False, False),
        ("ngo_partner", False, False),
        ("coordinator", True, False),
        ("isu", True, True),
    ],
)
def test_who_reads_and_writes_a_draft(client, people, lao, role, may_read, may_edit):
    report = draft(people["lao_focal_point"], lao)
    user = people[role]
    if user:
        client.force_login(user)
    detail = client.get(reverse("reporting:report", args=[report.pk]))
    assert detail.status_code == (200 if may_read else 404)
    edit = client.post(reverse("reporting:edit", args=[report.pk]), post_form(report, complete_content(), save="1"))
    if user is None:
        assert edit.status_code == 302 and "/accounts/login/" in edit.url
    elif may_edit:
        assert edit.status_code == 302
    else:
        assert edit.status_code in (403, 404)
    if user is not None and not may_edit:
        with pytest.raises(PermissionDenied):
            services.save_content(user, report, complete_content())


@pytest.mark.parametrize("role", ["lebanon_focal_point", "norway_partner", "ngo_partner", "coordinator", "no_role"])
def test_only_the_states_focal_points_and_isu_start_its_reports(client, people, lao, role):
    client.force_login(people[role])
    assert client.post(reverse("reporting:start", args=["LAO"]), {"kind": "annual", "year": 2025}).status_code == 403
    assert not Report.objects.exists()


def test_isu_records_a_past_report_and_others_may_not(client, people, lao):
    client.force_login(people["isu"])
    response = client.post(
        reverse("reporting:isu_reports"),
        {
            "state": lao.pk,
            "kind": "initial",
            "submitted_on": "2011-01-20",
            "document_url": "https://example.org/lao.pdf",
        },
    )
    assert response.status_code == 302
    past = Report.objects.get(state=lao, kind="initial")
    assert past.historic and past.status == ReportStatus.PUBLISHED
    client.logout()
    page = client.get(reverse("reporting:report", args=[past.pk])).content.decode()
    assert "https://example.org/lao.pdf" in page
    client.force_login(people["lao_focal_point"])
    assert client.get(reverse("reporting:isu_reports")).status_code == 403


def test_a_future_date_is_refused_for_a_past_report(client, people, lao):
    client.force_login(people["isu"])
    response = client.post(
        reverse("reporting:isu_reports"), {"state": lao.pk, "kind": "initial", "submitted_on": "2099-01-01"}
    )
    assert response.status_code == 422
    assert not Report.objects.exists()


# --- The pages stay fast --------------------------------------------------------------------


def test_report_pages_run_a_fixed_number_of_queries(client, people, lao):
    user = people["lao_focal_point"]
    small = draft(user, lao)
    big_content = complete_content()
    big_content["tables"]["areas"] = [
        {"area": f"Area {i}", "contaminated_m2": Decimal(i), "cleared_m2": Decimal(0), "remnants_destroyed": i}
        for i in range(60)
    ]
    big = draft(user, lao, year=2024, content=big_content)
    client.force_login(user)
    client.get(reverse("reporting:report", args=[small.pk]))  # the session's first read
    counts = {}
    for name, report in (("small", small), ("big", big)):
        for page in ("reporting:report", "reporting:edit"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(page, args=[report.pk])).status_code == 200
            counts[(name, page)] = len(queries)
    assert counts[("small", "reporting:report")] == counts[("big", "reporting:report")]
    assert counts[("small", "reporting:edit")] == counts[("big", "reporting:edit")]
    assert counts[("big", "reporting:report")] <= 20


@pytest.mark.parametrize(
    ("submitted", "status", "days_late"), [("2019-07-31", "on_time", 0), ("2019-08-01", "late", 1)]
)
def test_an_initial_report_on_the_180th_day_is_on_time_and_on_the_181st_late(people, submitted, status, days_late):
    """Art. 7(1): "not later than 180 days after the entry into force". Namibia deposited
    on 31 August 2018 (the last day of a month), in force 1 February 2019 (Art. 17(2)):
    due 31 July 2019."""
    namibia = State.objects.get(iso3="NAM")
    report = services.start_report(people["isu"], namibia, "initial")
    services.save_content(people["isu"], report, complete_content())
    day = dt.date.fromisoformat(submitted)
    services.submit(people["isu"], report, day)
    report.refresh_from_db()
    assert report.due_date == dt.date(2019, 7, 31)
    found = queries.timeliness(report, day)
    assert (found.status, found.days_late) == (status, days_late)


def test_submit_and_publish_date_the_report_today_when_no_day_is_given(people, lao, monkeypatch):
    """Called without `today`, as scripts and the shell do, the services take the day from
    the site's clock instead of failing."""
    monkeypatch.setattr("article6.asof.today", lambda: dt.date(2026, 4, 28))
    report = draft(people["lao_focal_point"], lao)
    services.submit(people["lao_focal_point"], report)
    services.publish(people["isu"], report)
    report.refresh_from_db()
    assert (report.status, report.submitted_on, report.published_on) == (
        "published",
        dt.date(2026, 4, 28),
        dt.date(2026, 4, 28),
    )
