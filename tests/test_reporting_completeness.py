"""Honest reporting figures: a report this system does not hold is "not recorded", not
overdue, unless it fell due on or after the day from which ISU says its records of
reports received are complete (for every State, or for one State, overriding it).
Rates are over the reports whose status is known and name their base; with none known
they are "insufficient data", never 0%.

Art. 7(1): the initial report "as soon as practicable, and in any event not later than
180 days after the entry into force of this Convention for that State Party".
Art. 7(2): annual updates "not later than 30 April of each year", covering the last
calendar year."""

from __future__ import annotations

import datetime as dt
import html as entities
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pagetools import element, html
from pagetools import text as raw_text
from signin import force_login_with_second_factor

from article6.reporting import queries, rules
from article6.reporting.models import RecordsComplete
from article6.states.models import State
from article6.treaty.rules import TreatyDates

D = dt.date


def text(fragment: str) -> str:
    """The words a reader sees (no space before punctuation where a tag ended)."""
    return re.sub(r"\s+([.,;:)])", r"\1", entities.unescape(raw_text(fragment)))


# --- The rules, from the text of Art. 7, on the edge days --------------------------------------

# In force 1 August 2010: the initial report is due 180 days later, on 28 January 2011.
STATE = rules.ReportingState("AAA", "Europe", TreatyDates(signature=None, deposit=D(2010, 2, 16)))
INITIAL_DUE = D(2011, 1, 28)
INITIAL = rules.DueReport("AAA", rules.INITIAL, None, INITIAL_DUE)


def status(as_of, complete_from=None, submitted=None):
    submission = rules.Submission("AAA", rules.INITIAL, None, submitted) if submitted else None
    return rules.classify(INITIAL, submission, as_of, complete_from).status


def test_the_initial_report_falls_due_180_days_after_entry_into_force():
    assert rules.reports_due(STATE, INITIAL_DUE)[0] == INITIAL
    assert rules.reports_due(STATE, INITIAL_DUE - dt.timedelta(days=1)) == []


def test_on_the_due_date_itself_a_missing_report_is_still_in_time_whatever_the_records():
    assert status(INITIAL_DUE) is rules.ReportStatus.DUE
    assert status(INITIAL_DUE, complete_from=D(2010, 1, 1)) is rules.ReportStatus.DUE


def test_the_day_after_with_no_completeness_date_it_is_not_recorded():
    assert status(INITIAL_DUE + dt.timedelta(days=1)) is rules.ReportStatus.NOT_RECORDED
    assert rules.classify(INITIAL, None, D(2026, 12, 1)).days_late == 0  # no verdict, no days counted


def test_the_day_after_it_is_overdue_only_if_the_records_were_complete_by_its_due_date():
    after = INITIAL_DUE + dt.timedelta(days=1)
    # Records complete from the due date itself: the report fell due on that day, so it is known missing.
    assert rules.classify(INITIAL, None, after, INITIAL_DUE) == rules.Classification(rules.ReportStatus.OVERDUE, 1)
    assert status(after, complete_from=INITIAL_DUE - dt.timedelta(days=1)) is rules.ReportStatus.OVERDUE
    # Complete only from the day after it fell due: its absence says nothing.
    assert status(after, complete_from=after) is rules.ReportStatus.NOT_RECORDED


def test_a_report_received_is_on_time_or_late_whatever_the_records():
    assert status(D(2012, 1, 1), submitted=INITIAL_DUE) is rules.ReportStatus.ON_TIME
    assert status(D(2012, 1, 1), submitted=INITIAL_DUE + dt.timedelta(days=1)) is rules.ReportStatus.LATE
    assert status(D(2012, 1, 1), D(2030, 1, 1), submitted=INITIAL_DUE) is rules.ReportStatus.ON_TIME


def test_a_states_own_day_overrides_the_day_for_every_state():
    complete = rules.Completeness(D(2010, 1, 1), {"BBB": D(2020, 1, 1)})
    assert complete.for_state("AAA") == D(2010, 1, 1)
    assert complete.for_state("BBB") == D(2020, 1, 1)
    assert rules.Completeness().for_state("AAA") is None


def test_an_annual_update_due_30_april():
    # The update covering 2011 is due on 30 April 2012; records complete from that very day.
    due = [d for d in rules.reports_due(STATE, D(2012, 5, 1)) if d.kind == rules.ANNUAL][0]
    assert (due.year, due.due) == (2011, D(2012, 4, 30))
    assert rules.classify(due, None, D(2012, 5, 1), D(2012, 4, 30)).status is rules.ReportStatus.OVERDUE
    assert rules.classify(due, None, D(2012, 5, 1), D(2012, 5, 1)).status is rules.ReportStatus.NOT_RECORDED


def test_figures_count_not_recorded_and_rate_over_the_known():
    other = rules.ReportingState("BBB", "Europe", TreatyDates(signature=None, deposit=D(2010, 2, 16)))
    received = [rules.Submission("BBB", rules.ANNUAL, 2011, D(2012, 4, 1))]
    # No day: nothing missing is known; BBB's update is the one known status.
    found = rules.figures([STATE, other], received, D(2012, 6, 1))
    assert found["initial"] == {
        "due": 2,
        "submitted_on_time": 0,
        "submitted_late": 0,
        "overdue": 0,
        "overdue_states": [],
        "not_recorded": 2,
    }
    assert found["annual"]["2011"] == {"due": 2, "submitted": 1, "on_time": 1, "not_recorded": 1, "rate": 1.0}
    # BBB's records complete from 2012: its update would be known; AAA's are not.
    complete = rules.Completeness(None, {"AAA": D(2012, 1, 1)})
    found = rules.figures([STATE, other], received, D(2012, 6, 1), complete)
    assert found["initial"]["not_recorded"] == 2 and found["initial"]["overdue"] == 0
    assert found["annual"]["2011"] == {"due": 2, "submitted": 1, "on_time": 1, "not_recorded": 0, "rate": 0.5}


def test_a_rate_with_no_known_status_is_none_never_zero():
    assert rules.rate(0, 17, 17) is None
    assert rules.rate(0, 0, 0) is None
    assert rules.rate(72, 113, 17) == 0.75


# --- The reference data alone -------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("reporting", *args, stdout=out)
    return out.getvalue()


def test_with_the_reference_data_alone_nothing_is_overdue(reference):
    printed = json.loads(run("--as-of", "2026-12-01", "--json"))
    assert printed["initial"]["overdue"] == 0
    assert printed["initial"]["overdue_states"] == []
    assert printed["initial"]["not_recorded"] == printed["initial"]["due"] > 100
    assert printed["annual"], "annual updates fell due"
    for year, counts in printed["annual"].items():
        assert counts["not_recorded"] == counts["due"], year
        assert counts["rate"] is None, year  # insufficient data, never 0%
    table = run("--as-of", "2026-12-01")
    assert "ISU has not set a date from which its records are complete." in table
    assert "insufficient data" in table and " 0%" not in table


def test_the_transparency_page_says_insufficient_data_and_no_date(client, reference):
    page = html(client.get(reverse("reporting:transparency"), {"as_of": "2026-12-01"}))
    assert "ISU has not set a date from which its records are complete" in text(element(page, "records-complete"))
    assert text(element(page, "initial-overdue")).startswith("0 ")
    annual = element(page, "annual")
    assert "insufficient data" in text(annual)
    assert not re.search(r">\s*0%", annual)


def test_the_transparency_page_names_the_base_of_each_rate(client, reference):
    RecordsComplete.objects.create(complete_from=D(2024, 1, 1))
    page = html(client.get(reverse("reporting:transparency"), {"as_of": "2026-12-01"}))
    assert "Records of reports received complete from 1 January 2024." in text(element(page, "records-complete"))
    figures = queries.figures_as_of(D(2026, 12, 1))
    due_2024 = figures["annual"]["2024"]
    assert due_2024["not_recorded"] == 0 and due_2024["rate"] == 0.0  # due 30 April 2025: known missing
    row = text(re.search(r'<tr data-year="2024">(.*?)</tr>', page, re.S).group(1))
    assert f"0% of {due_2024['due']} reports with known status" in row
    row_2022 = text(re.search(r'<tr data-year="2022">(.*?)</tr>', page, re.S).group(1))
    assert "insufficient data" in row_2022  # due 30 April 2023, before the records are complete
    # The initial reports: every one fell due before 2024 but a few.
    initial = figures["initial"]
    assert text(element(page, "initial-rate")) == (
        f"Received: 0% of {initial['due'] - initial['not_recorded']} reports with known status; "
        f"{initial['not_recorded']} not recorded"
    )


def test_the_transparency_page_says_why_the_initial_reports_outnumber_the_states_parties(client, reference):
    """Home counts the States Parties on the day; the initial reports due count Lithuania
    too, which withdrew with effect from 6 March 2025 and still owes what fell due while it
    was a State Party (Art. 20(2))."""
    page = html(client.get(reverse("reporting:transparency"), {"as_of": "2026-12-01"}))
    note = element(page, "membership-note")
    figures = queries.figures_as_of(D(2026, 12, 1))
    parties = re.match(r"(\d+) States Parties on this date", text(note)).group(1)
    assert int(parties) == figures["initial"]["due"] - 1
    assert "Lithuania, which withdrew with effect from 6 March 2025" in text(note)
    assert 'href="/states/LTU/"' in note
    europe = re.search(r'<tr data-region="Europe">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', europe)[0] == str(
        queries.figures_by_region_as_of(D(2026, 12, 1))["Europe"]["initial"]["due"]
    )


# --- A State's pages -------------------------------------------------------------------------------


def test_lao_pdr_shows_no_overdue_badge_on_missing_data(client, reference):
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2026-12-01"}))
    reports = element(page, "reports-due")
    assert "overdue" not in text(reports)
    assert 'data-tone="late"' not in reports
    assert set(re.findall(r'data-status="(\w+)"', reports)) == {"not_recorded"}
    assert "not recorded" in text(reports) and 'data-tone="unknown"' in reports
    assert "ISU has not set a date from which its records are complete" in text(element(page, "records-complete"))


def test_a_state_date_overrides_the_global_one_on_its_pages(client, reference):
    RecordsComplete.objects.create(complete_from=D(2011, 1, 1))
    RecordsComplete.objects.create(state=State.objects.get(iso3="LAO"), complete_from=D(2024, 1, 1))
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2026-12-01"}))
    reports = element(page, "reports-due")
    statuses = dict(re.findall(r'data-report="([\w-]+)" data-status="(\w+)"', reports))
    # Lao PDR's own day (1 January 2024), not the one for every State (2011), decides.
    assert statuses["annual-2023"] == "overdue"  # due 30 April 2024, after Lao PDR's records are complete
    assert statuses["annual-2022"] == "not_recorded"  # due 30 April 2023, before
    assert statuses["initial"] == "not_recorded"
    assert "Records of reports received complete from 1 January 2024." in text(element(page, "records-complete"))
    page = html(client.get(reverse("reporting:state_reports", args=["LAO"])))
    assert "Records of reports received complete from 1 January 2024." in text(element(page, "records-complete"))


# --- ISU sets the day ------------------------------------------------------------------------------


def test_isu_sets_and_removes_the_days_with_an_audit_trail(client, people):
    isu = people["isu"]
    force_login_with_second_factor(client, isu)
    url = reverse("reporting:records_complete")
    page = html(client.get(url))
    assert "no day set" in text(element(page, "records-complete-default"))
    response = client.post(url, {"state": "", "complete_from": "2024-01-01"})
    assert response.status_code == 302
    lao = State.objects.get(iso3="LAO")
    client.post(url, {"state": lao.pk, "complete_from": "2020-03-01"})
    page = html(client.get(url))
    assert "Every State: complete from 1 January 2024." in text(element(page, "records-complete-default"))
    assert "Lao People's Democratic Republic 1 March 2020" in text(element(page, "records-complete-states"))
    assert queries.completeness() == rules.Completeness(D(2024, 1, 1), {"LAO": D(2020, 3, 1)})
    # Changed, then removed: each step is in the audit trail, with who did it.
    client.post(url, {"state": "", "complete_from": "2023-01-01"})
    client.post(url, {"state": lao.pk, "complete_from": ""})
    assert queries.completeness() == rules.Completeness(D(2023, 1, 1), {})
    history = RecordsComplete.history.order_by("history_id")
    assert [(h.history_type, h.complete_from, h.history_user) for h in history] == [
        ("+", D(2024, 1, 1), isu),
        ("+", D(2020, 3, 1), isu),
        ("~", D(2023, 1, 1), isu),
        ("-", D(2020, 3, 1), isu),
    ]


def test_a_day_still_to_come_is_refused_and_nothing_written(client, people):
    force_login_with_second_factor(client, people["isu"])
    response = client.post(reverse("reporting:records_complete"), {"state": "", "complete_from": "2099-01-01"})
    assert response.status_code == 422
    assert "The records cannot be complete from a day still to come." in text(response.content.decode())
    assert not RecordsComplete.objects.exists()


@pytest.mark.parametrize("role", ["lao_focal_point", "coordinator"])
def test_only_isu_sets_the_day(client, people, role):
    force_login_with_second_factor(client, people[role])
    response = client.post(reverse("reporting:records_complete"), {"state": "", "complete_from": "2024-01-01"})
    assert response.status_code == 403
    assert not RecordsComplete.objects.exists()


def test_a_change_of_the_day_reaches_the_cached_figures(reference):
    assert queries.figures_as_of(D(2026, 12, 1))["initial"]["overdue"] == 0
    RecordsComplete.objects.create(complete_from=D(2010, 8, 1))
    assert queries.figures_as_of(D(2026, 12, 1))["initial"]["overdue"] > 100
