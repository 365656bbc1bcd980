"""The fictional sample reports: several years (2021 to 2025) of annual updates for five
affected States, with the figures of forms B (stockpiles and their destruction) and F
(contaminated areas and clearance), every one flagged as sample and saying in its form J
that it is fictional. Loading twice creates nothing the second time, and a real report of
a period is never overwritten."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.urls import reverse

from article6.reporting import services
from article6.reporting.models import AreaFigure, MunitionFigure, Report
from article6.reporting.sample import SAMPLE_STATES, SAMPLE_YEARS
from article6.states.models import State


def load() -> None:
    call_command("load-sample", stdout=io.StringIO())


def test_five_states_have_five_years_of_reports_with_forms_b_and_f(reference):
    load()
    reports = Report.objects.filter(is_sample=True)
    assert set(reports.values_list("state__iso3", flat=True)) == {"LAO", "LBN", "IRQ", "AFG", "CHL"}
    assert sorted(set(reports.values_list("year", flat=True))) == list(SAMPLE_YEARS) == [2021, 2022, 2023, 2024, 2025]
    assert reports.count() == 25
    for report in services.with_content(reports):
        assert report.status == "published" and report.is_sample
        assert services.missing(report) == {}, report  # every form answered
        assert "Fictional sample data" in {s.form: s for s in report.sections.all()}["J"].text
        assert any(m.measure == "destroyed" and m.munitions > 0 for m in report.munitions.all()), report
        assert len(report.areas.all()) >= 2 and all(a.cleared_m2 > 0 for a in report.areas.all()), report
        assert all("(fictional)" in a.area for a in report.areas.all())
        assert all("(sample)" in m.munition_type for m in report.munitions.all())
        assert report.submitted_on > dt.date(report.year + 1, 1, 1)  # its year was over (Art. 7(2))


def test_the_figures_move_on_from_year_to_year(reference):
    load()
    iraq = Report.objects.filter(state__iso3="IRQ", is_sample=True)
    stock = [MunitionFigure.objects.get(report=r, measure="stockpiled").munitions for r in iraq.order_by("year")]
    assert stock == sorted(stock, reverse=True) and stock[0] > stock[-1]
    area = [AreaFigure.objects.filter(report=r).order_by("pk").first().contaminated_m2 for r in iraq.order_by("year")]
    assert area == sorted(area, reverse=True) and area[0] > area[-1]


def test_loading_twice_creates_nothing_and_a_real_report_is_kept(reference, people):
    chile = State.objects.get(iso3="CHL")
    real = Report.objects.create(
        state=chile,
        kind="annual",
        year=2023,
        status="published",
        submitted_on=dt.date(2024, 4, 2),
        created_by=people["isu"],
        historic=True,
    )
    load()
    load()
    assert Report.objects.filter(is_sample=True).count() == 24
    assert Report.objects.filter(state=chile, year=2023).get() == real and not real.is_sample
    call_command("load-sample", "--remove", stdout=io.StringIO())
    assert not Report.objects.filter(is_sample=True).exists()
    assert Report.objects.filter(pk=real.pk).exists()


def test_a_sample_states_page_marks_its_reports_as_sample(client, reference):
    load()
    page = client.get(reverse("reporting:state_reports", args=["IRQ"])).content.decode()
    assert page.count('data-tone="sample"') >= len(SAMPLE_YEARS)
    assert set(SAMPLE_STATES) == {"LAO", "LBN", "IRQ", "AFG", "CHL"}
