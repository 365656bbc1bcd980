"""Reports a State did not owe (Art. 7, with Art. 17 and Art. 20): filing one is refused,
with the reason, online, through the workbook and in the services; one stored from before
says "not owed" and gets no verdict of on time or late, on the page, in the API, the CSV,
the PDF and the figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from test_reporting_filing import complete_content

from article6.reporting import exports, queries, services
from article6.reporting.models import Report
from article6.reporting.workbook import build_workbook
from article6.states.models import State

NOT_OWED = [
    # Namibia: in force 1 February 2019, first annual update covers 2019
    ("NAM", "annual", 2018, "owes no annual update for 2018"),
    # Lithuania: withdrawal effective 6 March 2025, before the update for 2024 fell due (30 April 2025)
    ("LTU", "annual", 2024, "its withdrawal took effect on 6 March 2025"),
    # Angola: a signatory
    ("AGO", "initial", None, "has not deposited an instrument"),
]


def stored(state, kind, year, submitted, by, **fields) -> Report:
    """A report stored before the rule existed, straight into the database."""
    return Report.objects.create(
        state=state,
        kind=kind,
        year=year,
        status="published",
        submitted_on=submitted,
        published_on=submitted,
        created_by=by,
        **fields,
    )


@pytest.mark.parametrize(("iso3", "kind", "year", "reason"), NOT_OWED)
def test_the_services_refuse_to_start_or_record_a_report_not_owed(people, iso3, kind, year, reason):
    state = State.objects.get(iso3=iso3)
    with pytest.raises(ValidationError, match=reason):
        services.start_report(people["isu"], state, kind, year)
    with pytest.raises(ValidationError, match=reason):
        services.record_past_report(people["isu"], state, kind, year, dt.date(2025, 6, 1))
    assert not Report.objects.exists()


def test_the_services_still_start_the_first_update_owed(people):
    namibia = State.objects.get(iso3="NAM")
    assert services.start_report(people["isu"], namibia, "annual", 2019).due_date == dt.date(2020, 4, 30)
    lithuania = State.objects.get(iso3="LTU")
    assert services.start_report(people["isu"], lithuania, "annual", 2023).due_date == dt.date(2024, 4, 30)


def test_a_stored_draft_not_owed_is_not_submitted(people):
    namibia = State.objects.get(iso3="NAM")
    draft = Report.objects.create(state=namibia, kind="annual", year=2018, created_by=people["isu"])
    services.save_content(people["isu"], draft, complete_content())
    with pytest.raises(ValidationError, match="owes no annual update for 2018"):
        services.submit(people["isu"], draft, dt.date(2021, 1, 5))
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.submitted_on is None


@pytest.mark.parametrize(("iso3", "kind", "year", "reason"), NOT_OWED)
def test_the_page_refuses_to_start_a_report_not_owed(client, people, iso3, kind, year, reason):
    client.force_login(people["isu"])
    response = client.post(reverse("reporting:start", args=[iso3]), {"kind": kind, "year": year or ""}, follow=True)
    assert reason in response.content.decode()
    assert not Report.objects.exists()


def test_the_workbook_of_a_period_not_owed_is_not_offered(client, people):
    client.force_login(people["isu"])
    response = client.get(reverse("reporting:workbook", args=["NAM"]), {"kind": "annual", "year": 2018})
    assert response.status_code == 400
    assert "owes no annual update for 2018" in response.content.decode()
    owed = client.get(reverse("reporting:workbook", args=["NAM"]), {"kind": "annual", "year": 2019})
    assert owed.status_code == 200


def test_a_workbook_for_a_period_not_owed_is_refused_at_its_year(client, people):
    from test_reporting_workbook import error_rows, job_state, upload

    namibia = State.objects.get(iso3="NAM")
    data = build_workbook(namibia, "annual", 2018, services.empty_content())
    client.force_login(people["isu"])
    response = upload(client, "NAM", data, "nam.xlsx")
    assert job_state(response) == "refused"
    rows = error_rows(response)
    assert ("Cover", "7", "C") in [row[:3] for row in rows]
    assert any("owes no annual update for 2018" in row[3] for row in rows if row[:3] == ("Cover", "7", "C"))
    assert not Report.objects.exists()


def test_a_stored_report_not_owed_says_so_and_gets_no_verdict(client, people):
    """Namibia's "update for 2018" received 5 January 2021 was shown "late by 616 days";
    Lithuania's for 2024 received 20 April 2025 "on time"."""
    isu = people["isu"]
    namibia, lithuania = State.objects.get(iso3="NAM"), State.objects.get(iso3="LTU")
    early = stored(namibia, "annual", 2018, dt.date(2021, 1, 5), isu)
    after = stored(lithuania, "annual", 2024, dt.date(2025, 4, 20), isu)
    for report in (early, after):
        page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
        assert 'data-testid="not-owed"' in page and "not owed" in page
        assert "late by" not in page and "on time" not in page
        assert queries.timeliness(report, dt.date(2026, 1, 1)).status == "not_owed"
        detail = client.get(f"/api/v1/reports/{report.pk}").json()
        assert (detail["due"], detail["owed"]) == (None, False)
        html = exports.report_html(services.with_content(Report.objects.filter(pk=report.pk)).get())
        assert '<td data-testid="timeliness">not owed: ' in html
        assert "late by" not in html and "on time" not in html
    listing = client.get(reverse("reporting:state_reports", args=["NAM"])).content.decode()
    assert "owes no annual update for 2018" in listing


def test_the_csv_says_a_report_was_not_owed(people):
    import csv

    namibia = State.objects.get(iso3="NAM")
    draft = Report.objects.create(state=namibia, kind="annual", year=2018, created_by=people["isu"])
    services.save_content(people["isu"], draft, complete_content())
    rows = list(csv.DictReader(io.StringIO(exports.report_csv(services.with_content(Report.objects).get()))))
    assert rows and {row["owed"] for row in rows} == {"false"}


def test_the_figures_count_no_report_not_owed(client, people):
    isu = people["isu"]
    stored(State.objects.get(iso3="NAM"), "annual", 2018, dt.date(2021, 1, 5), isu)
    stored(State.objects.get(iso3="LTU"), "annual", 2024, dt.date(2025, 4, 20), isu)
    data = queries.transparency(dt.date(2025, 6, 1))
    assert data["figures"]["annual"]["2018"]["submitted"] == 0
    assert "2024" not in data["figures"]["annual"] or data["figures"]["annual"]["2024"]["submitted"] == 0
    assert data["recorded"]["reports"] == 2 and data["recorded"]["not_owed"] == 2
    page = client.get(reverse("reporting:transparency"), {"as_of": "2025-06-01"}).content.decode()
    assert "2 of them are for a period the State did not owe (Art. 7): they count in no figure." in page
