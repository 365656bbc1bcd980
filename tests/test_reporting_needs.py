"""From report to request: the challenges and needs of form I of a State's transparency
report (Art. 7) become, with one action of its focal point, needs of the assistance
capability (Art. 6), each linked to the report it came from; running it again files
nothing twice, and only the State's focal points and ISU may do it."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pagetools import element, text

from article6.assistance.models import Need
from article6.reporting import services
from article6.reporting.models import Form, ReportedNeed
from article6.reporting.needs import file_needs
from article6.states.models import State

CLEARANCE = {
    "title": "Clearance of the northern districts",
    "description": "Survey and clearance of confirmed hazardous areas.",
    "pillar": "clearance",
    "modality": "financial",
    "amount": Decimal("500000"),
    "currency": "USD",
    "start_year": 2027,
    "end_year": 2028,
}
EXPERTS = {
    "title": "Experts for the survivors' database",
    "description": "Two experts for six months.",
    "pillar": "victim_assistance",
    "modality": "technical",
    "amount": None,
    "currency": "",
    "start_year": 2027,
    "end_year": 2027,
}


def content(*needs) -> dict:
    sections = {form: {"status": "not_applicable", "unchanged_since": None, "text": ""} for form in Form.values}
    sections["I"] = {"status": "changed", "unchanged_since": None, "text": "Challenges and needs below."}
    return {"report_date": dt.date(2026, 4, 20), "sections": sections, "tables": {"needs": [dict(n) for n in needs]}}


def submitted_report(people, *needs, submit=True):
    focal_point = people["lao_focal_point"]
    report = services.start_report(focal_point, State.objects.get(iso3="LAO"), "annual", 2025)
    report = services.save_content(focal_point, report, content(*needs))
    if submit:
        report = services.submit(focal_point, report, today=dt.date(2026, 4, 24))
    return report


def test_each_row_becomes_a_need_linked_to_the_report(people):
    report = submitted_report(people, CLEARANCE, EXPERTS)
    filed = file_needs(people["lao_focal_point"], report)
    assert [n.title for n in filed] == [CLEARANCE["title"], EXPERTS["title"]]
    clearance = Need.objects.get(title=CLEARANCE["title"])
    assert clearance.state.iso3 == "LAO"
    assert (clearance.pillar, clearance.modality, clearance.amount, clearance.currency) == (
        "clearance",
        "financial",
        Decimal("500000"),
        "USD",
    )
    assert (clearance.start_year, clearance.end_year) == (2027, 2028)
    assert clearance.status == "open" and clearance.created_by == people["lao_focal_point"]
    assert "Article 7 transparency report of Lao" in clearance.evidence
    assert "annual update for 2025, version 1" in clearance.evidence
    assert clearance.evidence_url == ""
    assert clearance.reported_in.report == report
    assert set(ReportedNeed.objects.values_list("need__title", flat=True)) == {CLEARANCE["title"], EXPERTS["title"]}


def test_running_it_twice_files_nothing_twice(people):
    report = submitted_report(people, CLEARANCE, EXPERTS)
    assert len(file_needs(people["lao_focal_point"], report)) == 2
    assert file_needs(people["lao_focal_point"], report) == []
    assert file_needs(people["isu"], report) == []
    assert Need.objects.count() == 2


def test_isu_files_them_too(people):
    report = submitted_report(people, CLEARANCE)
    assert [n.created_by for n in file_needs(people["isu"], report)] == [people["isu"]]


def test_a_draft_files_nothing(people):
    report = submitted_report(people, CLEARANCE, submit=False)
    with pytest.raises(ValidationError, match="not from a draft"):
        file_needs(people["lao_focal_point"], report)
    assert not Need.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "no_role", "lebanon_focal_point", "norway_partner", "ngo_partner"])
def test_only_the_states_focal_points_and_isu_file_them(people, role):
    report = submitted_report(people, CLEARANCE)
    with pytest.raises(PermissionDenied):
        file_needs(people[role] or AnonymousUser(), report)
    assert not Need.objects.exists()
    assert not ReportedNeed.objects.filter(need__isnull=False).exists()


def test_a_row_the_assistance_capability_refuses_is_named_and_nothing_is_filed(people):
    report = submitted_report(people, CLEARANCE)
    # An amount with no currency (a row written before the report's own checks, say).
    ReportedNeed.objects.create(report=report, **{**EXPERTS, "title": "Equipment", "amount": Decimal("900")})
    with pytest.raises(ValidationError) as refused:
        file_needs(people["lao_focal_point"], report)
    assert refused.value.messages == [
        "Challenges and needs, row 2 (“Equipment”), currency: Give the currency of the amount."
    ]
    assert not Need.objects.exists()


def test_a_correction_files_only_what_is_new(people):
    focal_point = people["lao_focal_point"]
    first = submitted_report(people, CLEARANCE, EXPERTS)
    file_needs(focal_point, first)
    clearance = Need.objects.get(title=CLEARANCE["title"])
    correction = services.correct(focal_point, first)
    changed = {**EXPERTS, "end_year": 2028}  # a different period: a different need
    services.save_content(focal_point, correction, content(CLEARANCE, changed))
    correction = services.submit(focal_point, correction, today=dt.date(2026, 5, 2))

    filed = file_needs(focal_point, correction)
    assert [(n.title, n.end_year) for n in filed] == [(EXPERTS["title"], 2028)]
    assert Need.objects.count() == 3
    clearance.refresh_from_db()
    assert clearance.reported_in.report == correction  # the link follows the latest version
    assert file_needs(focal_point, correction) == []
    with pytest.raises(ValidationError, match="corrected"):
        file_needs(focal_point, first)
    assert Need.objects.count() == 3


def test_the_need_page_links_to_the_report(client, people):
    report = submitted_report(people, CLEARANCE)
    need = file_needs(people["lao_focal_point"], report)[0]
    link = f'href="{reverse("reporting:report", args=[report.pk])}"'

    client.force_login(people["lao_focal_point"])
    page = client.get(need.get_absolute_url()).content.decode()
    assert link in element(page, "reported-in")
    assert (
        html.unescape(text(element(page, "reported-in"))) == "Lao People's Democratic Republic – annual update for 2025"
    )

    client.logout()  # the report is not published yet: nor is the need filed from it
    assert client.get(need.get_absolute_url()).status_code == 404
    services.publish(people["isu"], report, today=dt.date(2026, 5, 6))
    page = client.get(need.get_absolute_url()).content.decode()
    assert link in element(page, "reported-in")


@pytest.mark.parametrize("role", ["anonymous", "lebanon_focal_point", "norway_partner"])
def test_a_need_is_not_public_before_its_report_and_names_only_a_readable_version(client, people, role):
    focal_point = people["lao_focal_point"]
    first = submitted_report(people, CLEARANCE)
    need = file_needs(focal_point, first)[0]
    reader = people[role]
    if reader is not None:
        client.force_login(reader)
    assert client.get(need.get_absolute_url()).status_code == 404
    assert CLEARANCE["title"] not in client.get(reverse("assistance:needs")).content.decode()
    assert client.get(f"/api/v1/needs/{need.pk}").status_code == 404
    services.publish(people["isu"], first, today=dt.date(2026, 5, 6))
    # A correction takes the need over; until it is published the page names the published version.
    correction = services.correct(focal_point, first)
    services.save_content(focal_point, correction, content(CLEARANCE))
    correction = services.submit(focal_point, correction, today=dt.date(2026, 5, 7))
    file_needs(focal_point, correction)
    page = client.get(need.get_absolute_url()).content.decode()
    assert f'href="{reverse("reporting:report", args=[first.pk])}"' in element(page, "reported-in")
    assert reverse("reporting:report", args=[correction.pk]) not in page


def test_a_need_filed_by_hand_says_nothing_of_a_report(client, people):
    report = submitted_report(people, CLEARANCE)
    file_needs(people["lao_focal_point"], report)
    other = Need.objects.create(
        state=State.objects.get(iso3="LAO"),
        created_by=people["lao_focal_point"],
        **{**EXPERTS, "title": "Filed by hand"},
    )
    page = client.get(other.get_absolute_url()).content.decode()
    assert 'data-testid="reported-in"' not in page and "Filed by hand" in page


def test_the_need_page_runs_a_fixed_number_of_queries(client, people):
    def count(need) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(need.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    focal_point = people["lao_focal_point"]
    by_hand = Need.objects.create(
        state=State.objects.get(iso3="LAO"), created_by=focal_point, **{**EXPERTS, "title": "Filed by hand"}
    )
    from_report = file_needs(focal_point, submitted_report(people, CLEARANCE))[0]
    client.force_login(people["isu"])
    count(by_hand)  # the first view after signing in reads the session
    few = count(from_report)
    assert count(by_hand) == few
    lebanon = people["lebanon_focal_point"]
    for year in (2023, 2024):
        report = services.start_report(lebanon, State.objects.get(iso3="LBN"), "annual", year)
        many = [{**CLEARANCE, "title": f"Need {year}-{n}"} for n in range(5)]
        services.save_content(lebanon, report, content(*many))
        file_needs(lebanon, services.submit(lebanon, report, today=dt.date(2026, 4, 24)))
    assert Need.objects.count() == 12
    assert count(from_report) == few


def test_load_sample_adds_a_flagged_published_report_and_removes_it(reference, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from article6.reporting.models import Report

    monkeypatch.setenv("ARTICLE6_SAMPLE_PASSWORD", "a-sample-password-for-tests")
    call_command("load-sample", stdout=StringIO())
    call_command("load-sample", stdout=StringIO())  # twice: still one report
    report = Report.objects.get(state__iso3="LAO", kind="annual", year=2025)
    assert report.is_sample and report.status == "published" and report.submitted_on == dt.date(2026, 4, 24)
    assert services.missing(report) == {}  # every form answered
    sections = {s.form: s for s in report.sections.all()}
    assert "Fictional sample data" in sections["J"].text
    for related in ("munitions", "areas", "casualties", "resources", "assistance"):
        assert getattr(report, related).count() >= 2, related
    assert report.needs.count() == 2 and all("(sample)" in n.title for n in report.needs.all())

    focal_point = report.created_by
    filed = file_needs(focal_point, report)  # the demonstration's "from report to request"
    assert len(filed) == 2 and all(n.is_sample for n in filed)

    call_command("load-sample", "--remove", stdout=StringIO())
    assert not Report.objects.filter(is_sample=True).exists()
    assert not Need.objects.filter(pk__in=[n.pk for n in filed]).exists()
