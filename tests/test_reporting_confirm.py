"""Filing a report, step by step: "Start online" preselects the report due next; "Save
and submit" and "Publish" ask for confirmation on a page of their own, with a summary,
that works without JavaScript; an annual update covering a year is submitted only from 1
January of the next (Art. 7(2): it covers the previous calendar year), while its draft
may be written before; the long edit page has a navigator of forms A–J, each with how
far it is filled in, and a save bar saying when the draft was last saved."""

from __future__ import annotations

import datetime as dt
import html as entities
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pagetools import element, html
from pagetools import text as raw_text
from test_reporting_filing import complete_content, draft, post_form

from article6.reporting import services
from article6.reporting.models import Report, ReportStatus
from article6.states.models import State

D = dt.date


def text(fragment: str) -> str:
    return re.sub(r"\s+([.,;:)])", r"\1", entities.unescape(raw_text(fragment)))


def on(monkeypatch, day: dt.date) -> None:
    """The site's today, for the pages and the services alike."""
    monkeypatch.setattr("article6.reporting.views.today", lambda: day)
    monkeypatch.setattr("article6.asof.today", lambda: day)


# --- Start online: the report due next -----------------------------------------------------------


def selected(page: str, name: str) -> str:
    field = re.search(rf'<(select|input)[^>]*name="{name}"[^>]*>(.*?</select>)?', page, re.S)
    if field.group(1) == "input":
        return re.search(r'value="([^"]*)"', field.group(0)).group(1)
    return re.search(r'<option value="([^"]*)"[^>]*selected', field.group(2)).group(1)


def test_start_online_preselects_the_report_due_next_not_the_initial_one(client, people, lao, monkeypatch):
    on(monkeypatch, D(2026, 12, 1))
    fp = people["lao_focal_point"]
    services.submit(fp, draft(fp, lao, 2025), D(2026, 4, 24))
    client.force_login(fp)
    page = html(client.get(reverse("reporting:state_reports", args=["LAO"])))
    # Lao PDR's initial report fell due in 2011 and is not recorded; its update for 2025 is
    # in; the report due next is the annual update covering 2026, due 30 April 2027.
    assert (selected(page, "kind"), selected(page, "year")) == ("annual", "2026")


def test_start_online_prefers_an_update_missed_within_the_year(client, people, lao, monkeypatch):
    on(monkeypatch, D(2026, 6, 1))
    client.force_login(people["lao_focal_point"])
    page = html(client.get(reverse("reporting:state_reports", args=["LAO"])))
    assert (selected(page, "kind"), selected(page, "year")) == ("annual", "2025")  # due 30 April 2026
    draft(people["lao_focal_point"], lao, 2025)  # started: the next one is due next
    page = html(client.get(reverse("reporting:state_reports", args=["LAO"])))
    assert (selected(page, "kind"), selected(page, "year")) == ("annual", "2026")


# --- Art. 7(2): an update is submitted once its year is over -------------------------------------------


def test_an_update_for_a_year_not_over_is_refused_with_the_date_and_stays_a_draft(people, lao, monkeypatch):
    on(monkeypatch, D(2026, 12, 31))
    report = draft(people["lao_focal_point"], lao, 2026)  # a draft before the year is over: allowed
    with pytest.raises(ValidationError) as refused:
        services.submit(people["lao_focal_point"], report, D(2026, 12, 31))
    assert "can be submitted from 1 January 2027" in refused.value.messages[0]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_on_1_january_the_update_for_the_year_before_is_submitted(people, lao, monkeypatch):
    on(monkeypatch, D(2027, 1, 1))
    report = draft(people["lao_focal_point"], lao, 2026)
    assert services.submit(people["lao_focal_point"], report, D(2027, 1, 1)).status == ReportStatus.SUBMITTED


def test_the_confirmation_page_names_the_date_and_offers_no_confirm_before_it(client, people, lao, monkeypatch):
    on(monkeypatch, D(2026, 12, 1))
    report = draft(people["lao_focal_point"], lao, 2026)
    client.force_login(people["lao_focal_point"])
    page = html(client.get(reverse("reporting:submit", args=[report.pk])))
    assert "can be submitted from 1 January 2027" in text(element(page, "cannot-submit"))
    assert 'data-testid="confirm-submit"' not in page
    response = client.post(reverse("reporting:submit", args=[report.pk]), follow=True)
    assert "can be submitted from 1 January 2027" in text(response.content.decode())
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


# --- Save and submit: a confirmation with a summary ------------------------------------------------------


def test_save_and_submit_leads_to_a_confirmation_with_a_summary(client, people, lao, monkeypatch):
    on(monkeypatch, D(2026, 4, 30))
    fp = people["lao_focal_point"]
    report = services.start_report(fp, lao, "annual", 2025)
    client.force_login(fp)
    response = client.post(
        reverse("reporting:edit", args=[report.pk]), post_form(report, complete_content(), submit="")
    )
    # Saved, not submitted: the confirmation page comes first.
    assert response.status_code == 302 and response.url == reverse("reporting:submit", args=[report.pk])
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    page = html(client.get(response.url))
    summary = text(element(page, "submit-summary"))
    assert "Dated, once submitted 30 April 2026 on time" in summary
    forms = element(page, "submit-forms")
    assert "Form B: complete" in text(forms) and "Form J: complete" in text(forms)
    totals = text(element(page, "submit-totals"))
    assert "Cluster munitions stockpiled and destroyed, by type 1 Destroyed: cluster munitions (number) 10" in totals
    assert "explosive submunitions (number) 6,000" in totals
    assert "area cleared in the period (m²) 250,000.00" in totals
    assert "goes to ISU, who publish it" in text(element(page, "what-next"))
    # Confirmed: submitted, dated that day.
    response = client.post(reverse("reporting:submit", args=[report.pk]), follow=True)
    assert "on time" in text(response.content.decode())
    report = Report.objects.get(pk=report.pk)
    assert (report.status, report.submitted_on) == (ReportStatus.SUBMITTED, D(2026, 4, 30))


def test_the_confirmation_lists_what_is_missing_and_offers_no_confirm(client, people, lao, monkeypatch):
    on(monkeypatch, D(2026, 4, 1))
    fp = people["lao_focal_point"]
    report = services.start_report(fp, lao, "annual", 2025)
    client.force_login(fp)
    page = html(client.get(reverse("reporting:submit", args=[report.pk])))
    assert "Say whether this form changed" in text(element(page, "cannot-submit"))
    assert 'data-testid="confirm-submit"' not in page
    assert "Form A: not started" in text(element(page, "submit-forms"))


def test_publishing_asks_for_confirmation_too(client, people, lao, monkeypatch):
    on(monkeypatch, D(2026, 5, 6))
    report = draft(people["lao_focal_point"], lao, 2025)
    services.submit(people["lao_focal_point"], report, D(2026, 4, 24))
    client.force_login(people["isu"])
    page = html(client.get(reverse("reporting:report", args=[report.pk])))
    # A link to the confirmation, not a button that publishes at once.
    assert re.search(rf'<a [^>]*href="/reports/{report.pk}/publish/"[^>]*data-testid="publish"', page)
    page = html(client.get(reverse("reporting:publish", args=[report.pk]), {"next": "/isu/reports/"}))
    assert "Submitted 24 April 2026" in text(element(page, "publish-summary"))
    assert "everyone can read it" in text(element(page, "what-next"))
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED  # not yet
    response = client.post(reverse("reporting:publish", args=[report.pk]), {"next": "/isu/reports/"})
    assert response.url == "/isu/reports/"
    assert Report.objects.get(pk=report.pk).status == ReportStatus.PUBLISHED


@pytest.mark.parametrize("role", ["lao_focal_point", "coordinator"])
def test_only_isu_sees_the_publish_confirmation(client, people, lao, role):
    report = draft(people["lao_focal_point"], lao, 2025)
    services.submit(people["lao_focal_point"], report, D(2026, 4, 24))
    client.force_login(people[role])
    assert client.get(reverse("reporting:publish", args=[report.pk])).status_code == 403


def test_a_focal_point_of_another_state_cannot_open_the_submit_confirmation(client, people, lao):
    report = draft(people["lao_focal_point"], lao, 2025)
    client.force_login(people["lebanon_focal_point"])
    assert client.get(reverse("reporting:submit", args=[report.pk])).status_code == 404


# --- The edit page: a navigator of forms and a save bar ------------------------------------------------------


def test_the_edit_page_has_a_form_navigator_with_each_forms_progress(client, people, lao):
    fp = people["lao_focal_point"]
    report = services.start_report(fp, lao, "annual", 2025)
    content = services.empty_content()
    content["sections"]["A"] = {"status": "not_applicable", "unchanged_since": None, "text": ""}
    content["sections"]["B"] = {"status": "changed", "unchanged_since": None, "text": "Destroyed in part."}
    content["sections"]["F"] = {"status": "", "unchanged_since": None, "text": "Survey under way."}
    services.save_content(fp, report, content)
    client.force_login(fp)
    page = html(client.get(reverse("reporting:edit", args=[report.pk])))
    navigator = element(page, "form-navigator")
    items = dict(re.findall(r'<li class="mb-1" data-form="(\w)">(.*?)</li>', navigator, re.S))
    assert list(items) == list("ABCDEFGHIJ")
    assert text(items["A"]) == "Form A complete"
    assert text(items["B"]) == "Form B complete"
    assert text(items["F"]) == "Form F 1 of 3 parts"  # the information; not the cover page's answer, nor the table
    assert text(items["C"]) == "Form C not started"
    assert 'href="#form-F"' in navigator
    updated = Report.objects.get(pk=report.pk).updated
    saved = text(element(page, "last-saved"))
    assert saved.startswith("Draft last saved ") and str(updated.year) in saved
    assert "sticky-bottom" in re.search(r'<div [^>]*data-testid="save-bar"', page).group(0)


def test_the_state_reports_page_and_the_start_still_work_for_isu(client, people, monkeypatch):
    on(monkeypatch, D(2026, 12, 1))
    client.force_login(people["isu"])
    response = client.post(reverse("reporting:start", args=["LBN"]), {"kind": "annual", "year": 2026})
    report = Report.objects.get(state=State.objects.get(iso3="LBN"), kind="annual", year=2026)
    assert response.url == reverse("reporting:edit", args=[report.pk])


def test_the_totals_leave_out_a_need_without_an_amount_but_count_its_row(people, lao):
    fp = people["lao_focal_point"]
    content = complete_content()
    need = {"title": "Survey", "description": "A survey.", "pillar": "clearance", "modality": "technical"}
    content["tables"]["needs"] = [
        {**need, "amount": None, "currency": "", "start_year": 2027, "end_year": 2028},
        {**need, "amount": 900000, "currency": "USD", "start_year": 2027, "end_year": 2029},
    ]
    report = services.with_content(Report.objects.filter(pk=draft(fp, lao, 2025, content).pk)).get()
    (needs,) = [t for t in services.totals(report) if t.title == "Challenges and needs for assistance"]
    assert needs.rows == 2
    assert needs.groups == [("USD", [("amount needed", "900,000.00")])]
