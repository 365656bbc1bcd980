"""Article 7 reporting figures as of a date, counted by hand over a fixture of reports,
and the same figures through every door: the command line, the API, the public
Transparency page and a State's profile. Each page and operation runs a fixed number of
SQL queries whatever the number of States and reports.

Art. 7(1): the initial report "not later than 180 days after the entry into force";
Art. 7(2): annual updates covering the last calendar year "not later than 30 April".
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from pagetools import add_states, element, html, text
from people import person

from article6.accounts.models import ApiToken, RoleKind
from article6.reporting import queries
from article6.reporting.models import RecordsComplete, Report
from article6.reporting.tables import TABLES
from article6.states.models import State

D = dt.date
API = "/api/v1"
AS_OF = D(2013, 6, 30)
EARLY = D(2012, 5, 1)
# Real States with their real treaty dates (reference data):
# FJI in force 1 Nov 2010, initial report due 30 Apr 2011; ALB, AUT, BEL in force 1 Aug 2010,
# due 28 Jan 2011; ATG in force 1 Feb 2011, due 31 Jul 2011; AFG in force 1 Mar 2012, due
# 28 Aug 2012; AUS in force 1 Apr 2013, due 28 Sep 2013.
FIXTURE_STATES = ("FJI", "ALB", "AUT", "BEL", "ATG", "AFG", "AUS")

# --- The hand count ------------------------------------------------------------------------
# As of 30 June 2013. Initial reports due: FJI, ALB, AUT, BEL, ATG, AFG (AUS only in
# September): 6. On time: FJI (on its due day; its correction came later), ALB (the 180th
# day): 2. Late: AUT (the 181st day), BEL (historic, 32 days): 2. Overdue: AFG (only a
# draft), ATG: 2.
# Annual updates covering 2011, due 30 April 2012: FJI, ALB, AUT, BEL, ATG: 5. Received:
# FJI (30 April), ALB (historic, 15 April), BEL (1 June): 3; on time 2. AUT's is a draft.
# Covering 2012, due 30 April 2013: the same five and AFG: 6. Received: FJI (1 May: late),
# AUT (30 April; its correction of 1 June does not make it late): 2; on time 1.
HAND_COUNT = {
    "as_of": "2013-06-30",
    "initial": {
        "due": 6,
        "submitted_on_time": 2,
        "submitted_late": 2,
        "overdue": 2,
        "overdue_states": ["AFG", "ATG"],
        "not_recorded": 0,
    },
    "annual": {
        "2011": {"due": 5, "submitted": 3, "on_time": 2, "not_recorded": 0, "rate": 0.6},
        "2012": {"due": 6, "submitted": 2, "on_time": 1, "not_recorded": 0, "rate": 0.33},
    },
}
# As of 1 May 2012: AFG's initial report is not due yet, BEL's 2011 update not yet in.
HAND_COUNT_EARLY = {
    "as_of": "2012-05-01",
    "initial": {
        "due": 5,
        "submitted_on_time": 2,
        "submitted_late": 2,
        "overdue": 1,
        "overdue_states": ["ATG"],
        "not_recorded": 0,
    },
    "annual": {"2011": {"due": 5, "submitted": 2, "on_time": 2, "not_recorded": 0, "rate": 0.4}},
}
EUROPE = {
    "as_of": "2013-06-30",
    "initial": {
        "due": 3,
        "submitted_on_time": 1,
        "submitted_late": 2,
        "overdue": 0,
        "overdue_states": [],
        "not_recorded": 0,
    },
    "annual": {
        "2011": {"due": 3, "submitted": 2, "on_time": 1, "not_recorded": 0, "rate": 0.67},
        "2012": {"due": 3, "submitted": 1, "on_time": 1, "not_recorded": 0, "rate": 0.33},
    },
}
AFRICA = {
    "as_of": "2013-06-30",
    "initial": {
        "due": 0,
        "submitted_on_time": 0,
        "submitted_late": 0,
        "overdue": 0,
        "overdue_states": [],
        "not_recorded": 0,
    },
    "annual": {},
}
RECORDS_COMPLETE = D(2010, 8, 1)  # the Convention's entry into force: before any report fell due
REGIONS = ["Africa", "Americas", "Asia", "Europe", "Middle East", "Pacific"]


def report(state, kind, year=None, *, status="published", submitted=None, by, version=1, corrects=None, **fields):
    return Report.objects.create(
        state=state,
        kind=kind,
        year=year,
        status=status,
        submitted_on=submitted,
        published_on=submitted if status == "published" else None,
        version=version,
        corrects=corrects,
        created_by=by,
        **fields,
    )


@pytest.fixture
def world(reference):
    """The reports of the hand count. Every other State of the registry is made a
    non-party, so that the figures count these seven States only. ISU's records are
    complete from before the first report fell due, so that a missing report is overdue."""
    State.objects.exclude(iso3__in=FIXTURE_STATES).update(deposit_date=None)
    isu = person("isu@example.org", {"kind": RoleKind.ISU_STAFF}, totp=True)
    RecordsComplete.objects.create(complete_from=RECORDS_COMPLETE)
    s = {code: State.objects.get(iso3=code) for code in FIXTURE_STATES}
    fji_v1 = report(s["FJI"], "initial", submitted=D(2011, 4, 30), by=isu)
    fji_v2 = report(
        s["FJI"], "initial", status="submitted", submitted=D(2011, 6, 1), version=2, corrects=fji_v1, by=isu
    )
    fji_2011 = report(s["FJI"], "annual", 2011, submitted=D(2012, 4, 30), by=isu)
    fji_2012 = report(s["FJI"], "annual", 2012, status="submitted", submitted=D(2013, 5, 1), by=isu)
    report(s["ALB"], "initial", submitted=D(2011, 1, 28), by=isu)
    report(s["ALB"], "annual", 2011, submitted=D(2012, 4, 15), historic=True, by=isu)
    report(s["AUT"], "initial", status="submitted", submitted=D(2011, 1, 29), by=isu)
    # A draft never counts, whatever date it carries.
    report(s["AUT"], "annual", 2011, status="draft", submitted=D(2012, 4, 1), by=isu)
    aut_v1 = report(s["AUT"], "annual", 2012, submitted=D(2013, 4, 30), by=isu)
    report(s["AUT"], "annual", 2012, submitted=D(2013, 6, 1), version=2, corrects=aut_v1, by=isu)
    report(
        s["BEL"],
        "initial",
        submitted=D(2011, 3, 1),
        historic=True,
        document_url="https://www.clusterconvention.org/example.pdf",
        by=isu,
    )
    report(s["BEL"], "annual", 2011, status="submitted", submitted=D(2012, 6, 1), by=isu)
    report(s["AFG"], "initial", status="draft", by=isu)
    report(s["AUS"], "initial", status="submitted", submitted=D(2013, 6, 15), by=isu)
    return {"isu": isu, "states": s, "fji": (fji_v1, fji_v2, fji_2011, fji_2012)}


# --- The figures ----------------------------------------------------------------------------


def test_figures_equal_the_hand_count(world):
    assert queries.figures_as_of(AS_OF) == HAND_COUNT
    assert queries.figures_as_of(EARLY) == HAND_COUNT_EARLY


def test_figures_by_region_equal_the_hand_count(world):
    by_region = queries.figures_by_region_as_of(AS_OF)
    assert list(by_region) == REGIONS
    assert by_region["Europe"] == EUROPE
    assert by_region["Africa"] == AFRICA
    assert by_region["Asia"]["initial"]["overdue_states"] == ["AFG"]
    assert by_region["Americas"]["initial"]["overdue_states"] == ["ATG"]
    # The regions add up to the whole.
    for key in ("due", "submitted_on_time", "submitted_late", "overdue"):
        assert sum(r["initial"][key] for r in by_region.values()) == HAND_COUNT["initial"][key]
    for year, counts in HAND_COUNT["annual"].items():
        assert sum(r["annual"].get(year, {}).get("due", 0) for r in by_region.values()) == counts["due"]


def test_recorded_reports(world):
    recorded = queries.transparency(AS_OF)["recorded"]
    # Ten reports received by then (versions counted once; the drafts not at all); two
    # recorded by ISU from past documents; the earliest on Albania's 180th day.
    assert recorded == {"reports": 10, "historic": 2, "earliest": D(2011, 1, 28), "not_owed": 0, "sample": 0}


def test_figures_follow_the_data_through_the_cache(world, django_assert_num_queries):
    assert queries.figures_as_of(AS_OF)["initial"]["overdue"] == 2
    with django_assert_num_queries(1):  # the fingerprint only: the figures come from the cache
        assert queries.figures_as_of(AS_OF)["initial"]["overdue"] == 2
    # Afghanistan's report comes in: the fingerprint changes, the figures follow.
    report(world["states"]["AFG"], "initial", status="submitted", submitted=D(2013, 6, 1), version=2, by=world["isu"])
    after = queries.figures_as_of(AS_OF)
    assert after["initial"]["overdue_states"] == ["ATG"]
    assert after["initial"]["submitted_late"] == 3


# --- The command line ------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("reporting", *args, stdout=out)
    return out.getvalue()


def test_cli_json_is_the_hand_count(world):
    printed = json.loads(run("--as-of", "2013-06-30", "--json"))
    assert printed == HAND_COUNT
    assert set(printed) == {"as_of", "initial", "annual"}
    assert set(printed["initial"]) == {
        "due",
        "submitted_on_time",
        "submitted_late",
        "overdue",
        "overdue_states",
        "not_recorded",
    }
    assert all(set(c) == {"due", "submitted", "on_time", "not_recorded", "rate"} for c in printed["annual"].values())
    assert json.loads(run("--as-of", "2012-05-01", "--json")) == HAND_COUNT_EARLY


def test_cli_by_region_adds_only_by_region(world):
    printed = json.loads(run("--as-of", "2013-06-30", "--json", "--by", "region"))
    assert set(printed) == {"as_of", "initial", "annual", "by_region"}
    assert {k: v for k, v in printed.items() if k != "by_region"} == HAND_COUNT
    assert list(printed["by_region"]) == REGIONS
    assert printed["by_region"]["Europe"] == EUROPE


def test_cli_table(world):
    out = run("--as-of", "2013-06-30")
    assert "as of 2013-06-30" in out
    assert re.search(r"overdue\s+2", out)
    assert "overdue: AFG ATG" in out
    assert re.search(r"2011\s+5\s+3\s+2\s+0\s+60%", out)
    assert re.search(r"2012\s+6\s+2\s+1\s+0\s+33%", out)
    assert "ISU's records of reports received are complete from 2010-08-01." in out


def test_cli_refuses_a_bad_date(world):
    with pytest.raises(CommandError, match="--as-of"):
        run("--as-of", "2013-02-30", "--json")


# --- The API -----------------------------------------------------------------------------------


def get(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(f"{API}{path}", params, headers=headers)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def test_api_figures_are_the_hand_count(client, world):
    assert ok(get(client, "/reporting/figures", as_of="2013-06-30")) == HAND_COUNT
    assert ok(get(client, "/reporting/figures", as_of="2012-05-01")) == HAND_COUNT_EARLY
    by_region = ok(get(client, "/reporting/figures", as_of="2013-06-30", by="region"))
    assert set(by_region) == {"as_of", "initial", "annual", "by_region"}
    assert {k: v for k, v in by_region.items() if k != "by_region"} == HAND_COUNT
    assert by_region["by_region"]["Europe"] == EUROPE
    assert by_region["by_region"]["Africa"] == AFRICA


def test_api_figures_refuse_bad_parameters(client, world):
    for params in ({"as_of": "2013-6-30"}, {"as_of": "yesterday"}, {"as_of": "2001-01-01"}):
        response = get(client, "/reporting/figures", **params)
        assert response.status_code == 422, params
        assert [d["parameter"] for d in response.json()["detail"]] == ["as_of"]
    response = get(client, "/reporting/figures", by="state")
    assert response.status_code == 422
    assert [d["parameter"] for d in response.json()["detail"]] == ["by"]


def test_api_state_reports(client, world):
    fji_v1, fji_v2, fji_2011, _fji_2012 = world["fji"]
    body = ok(get(client, "/states/fji/reports", as_of="2013-06-30"))
    assert body == {
        "iso3": "FJI",
        "name": "Fiji",
        "as_of": "2013-06-30",
        "reports": [
            {
                "kind": "initial",
                "year": None,
                "due": "2011-04-30",
                "status": "on_time",
                "days_late": 0,
                "submitted_on": "2011-04-30",
                # The public reads the latest published version, not the correction awaiting ISU.
                "report": {"id": fji_v1.pk, "version": 1, "status": "published"},
            },
            {
                "kind": "annual",
                "year": 2011,
                "due": "2012-04-30",
                "status": "on_time",
                "days_late": 0,
                "submitted_on": "2012-04-30",
                "report": {"id": fji_2011.pk, "version": 1, "status": "published"},
            },
            {
                "kind": "annual",
                "year": 2012,
                "due": "2013-04-30",
                "status": "late",
                "days_late": 1,
                "submitted_on": "2013-05-01",
                "report": None,  # submitted, not yet published
            },
        ],
        "next_due": {
            "kind": "annual",
            "year": 2013,
            "due": "2014-04-30",
            "status": "not_yet_due",
            "days_late": 0,
            "submitted_on": None,
            "report": None,
        },
    }
    # ISU reads every version: the correction is the one to open.
    _token, raw = ApiToken.issue(world["isu"], "test")
    body = ok(get(client, "/states/FJI/reports", raw, as_of="2013-06-30"))
    assert body["reports"][0]["report"] == {"id": fji_v2.pk, "version": 2, "status": "submitted"}
    assert body["reports"][2]["report"]["status"] == "submitted"


def test_api_state_reports_overdue_and_errors(client, world):
    body = ok(get(client, "/states/AFG/reports", as_of="2013-06-30"))
    assert [(r["kind"], r["year"], r["status"], r["days_late"]) for r in body["reports"]] == [
        ("initial", None, "overdue", 306),
        ("annual", 2012, "overdue", 61),
    ]
    assert get(client, "/states/XYZ/reports").status_code == 404
    assert get(client, "/states/toolong/reports").status_code == 404
    response = get(client, "/states/AFG/reports", as_of="30/06/2013")
    assert response.status_code == 422
    assert [d["parameter"] for d in response.json()["detail"]] == ["as_of"]


def test_api_reports_list_what_the_caller_may_read(client, world):
    public = ok(get(client, "/reports", limit=100))
    assert public["count"] == 7  # the published versions
    assert {r["status"] for r in public["items"]} == {"published"}
    assert set(public["items"][0]) == {
        "id",
        "state",
        "state_name",
        "kind",
        "year",
        "version",
        "corrects",
        "status",
        "due",
        "owed",
        "report_date",
        "submitted_on",
        "published_on",
        "historic",
        "document_url",
        "is_sample",
    }
    _token, raw = ApiToken.issue(world["isu"], "test")
    assert ok(get(client, "/reports", raw, limit=100))["count"] == 14
    page = ok(get(client, "/reports", limit=2, offset=2))
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (7, 2, 2, 2)
    fiji = ok(get(client, "/reports", state="fji"))
    assert [(r["kind"], r["year"], r["version"]) for r in fiji["items"]] == [("annual", 2011, 1), ("initial", None, 1)]
    assert get(client, "/reports", state="XYZ").status_code == 400
    assert get(client, "/reports", limit=0).status_code == 422


def test_api_report_detail(client, world):
    fji_v1, fji_v2, _fji_2011, fji_2012 = world["fji"]
    body = ok(get(client, f"/reports/{fji_v1.pk}"))
    assert (body["state"], body["kind"], body["version"], body["due"]) == ("FJI", "initial", 1, "2011-04-30")
    assert set(body["forms"]) == set("ABCDEFGHIJ")
    assert body["forms"]["A"] == {"status": "", "unchanged_since": None, "text": ""}
    assert set(body["tables"]) == {table.key for table in TABLES}
    # Not readable by the public: a 404, as if it did not exist.
    assert get(client, f"/reports/{fji_v2.pk}").status_code == 404
    assert get(client, f"/reports/{fji_2012.pk}").status_code == 404
    assert get(client, "/reports/999999").status_code == 404
    _token, raw = ApiToken.issue(world["isu"], "test")
    assert ok(get(client, f"/reports/{fji_v2.pk}", raw))["corrects"] == fji_v1.pk


# --- The Transparency page -------------------------------------------------------------------


def big(page: str, testid: str) -> int:
    return int(re.search(r'<p class="(?:display-6|a6-figure__value)[^"]*">(\d+)</p>', element(page, testid)).group(1))


def test_transparency_page_shows_the_hand_count(client, world):
    page = html(client.get(reverse("reporting:transparency"), {"as_of": "2013-06-30"}))
    assert [big(page, t) for t in ("initial-due", "initial-on-time", "initial-late", "initial-overdue")] == [6, 2, 2, 2]
    overdue = element(page, "overdue-states")
    assert re.findall(r'data-iso3="(\w+)"><a [^>]+>([^<]+)</a>', overdue) == [
        ("AFG", "Afghanistan"),
        ("ATG", "Antigua and Barbuda"),
    ]
    assert 'href="/states/AFG/?as_of=2013-06-30"' in overdue
    annual = element(page, "annual")
    assert re.search(
        r'<tr data-year="2011">.*?2011.*?>5<.*?>3<.*?>2<.*?>0<.*?>60% of 5 reports with known status<', annual, re.S
    )
    assert re.search(
        r'<tr data-year="2012">.*?2012.*?>6<.*?>2<.*?>1<.*?>0<.*?>33% of 6 reports with known status<', annual, re.S
    )
    europe = re.search(r'<tr data-region="Europe">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', europe) == ["3", "1", "2", "0", "0", "6", "3", "2", "0"]
    assert "50% of 6 reports with known status" in text(europe)
    assert "10 reports received by this date are recorded here (2 recorded by ISU from past documents)" in text(
        element(page, "recorded")
    )
    assert "28 January 2011" in text(element(page, "recorded"))
    assert "count only the reports recorded in this system" in text(element(page, "scope-note"))
    # The charts, as data for Vega-Lite (no inline script runs).
    assert '<script id="chart-annual-rate" type="application/json">' in page
    assert '<script id="chart-regions" type="application/json">' in page
    assert "vega-embed.min.js" in page


def test_transparency_page_lists_published_reports(client, world):
    fji_v1, fji_v2, fji_2011, fji_2012 = world["fji"]
    page = html(client.get(reverse("reporting:transparency")))
    published = element(page, "published")
    rows = re.findall(r'<tr data-report="(\d+)">', published)
    assert len(rows) == 6  # the latest published version of each report
    assert str(fji_v1.pk) in rows and str(fji_2011.pk) in rows
    assert str(fji_v2.pk) not in rows and str(fji_2012.pk) not in rows
    assert f'href="{reverse("reporting:report", args=[fji_v1.pk])}"' in published
    assert "recorded from a past document" in published
    assert f'href="{reverse("reporting:published_csv")}"' in page


def test_transparency_page_paginates_published_reports(client, world):
    isu = world["isu"]
    fiji = world["states"]["FJI"]
    for year in range(2013, 2040):
        report(fiji, "annual", year, submitted=D(2010, 1, 1) + dt.timedelta(days=year), by=isu)
    first = html(client.get(reverse("reporting:transparency")))
    assert len(re.findall(r'<tr data-report="\d+">', element(first, "published"))) == 25
    second = html(client.get(reverse("reporting:transparency"), {"page": "2"}))
    assert len(re.findall(r'<tr data-report="\d+">', element(second, "published"))) == 6 + 27 - 25


def test_transparency_page_bad_date_is_a_form_error(client, world):
    response = client.get(reverse("reporting:transparency"), {"as_of": "2013-02-30"})
    page = html(response)
    error = element(page, "as-of-error")
    assert "“2013-02-30” is not a date" in error
    assert 'aria-invalid="true"' in page
    # Today's figures are shown instead: Australia's initial report has fallen due, and came in on time.
    assert big(page, "initial-due") == 7


def test_transparency_page_before_any_report_is_due(client, world):
    page = html(client.get(reverse("reporting:transparency"), {"as_of": "2010-09-01"}))
    assert big(page, "initial-due") == 0
    assert text(element(page, "overdue-states")) == "None."
    assert "No annual update was due by this date." in page
    assert "No report received by this date is recorded here yet." in page


def test_nav_links_to_transparency(client, reference):
    page = html(client.get("/"))
    assert f'href="{reverse("reporting:transparency")}">Transparency</a>' in page


# --- A State's profile ------------------------------------------------------------------------


def test_state_profile_shows_each_report_and_the_next(client, world):
    fji_v1, fji_v2, fji_2011, _fji_2012 = world["fji"]
    page = html(client.get(reverse("states:detail", args=["FJI"]), {"as_of": "2013-06-30"}))
    panel = element(page, "reports-due")
    rows = re.findall(r'<tr data-report="([\w-]+)" data-status="(\w+)">(.*?)</tr>', panel, re.S)
    assert [(key, status) for key, status, _row in rows] == [
        ("annual-2012", "late"),
        ("annual-2011", "on_time"),
        ("initial", "on_time"),
    ]
    shown = {key: text(row) for key, _status, row in rows}
    assert shown["annual-2012"] == "Annual update for 2012 (Art. 7(2)) 30 April 2013 1 May 2013 late by 1 day"
    assert shown["initial"] == "Initial report (Art. 7(1)) 30 April 2011 30 April 2011 on time"
    assert f'href="{reverse("reporting:report", args=[fji_v1.pk])}"' in panel
    assert f'href="{reverse("reporting:report", args=[fji_2011.pk])}"' in panel
    assert f'href="{reverse("reporting:report", args=[fji_v2.pk])}"' not in panel
    assert text(element(page, "next-report")) == (
        "Next report due: Annual update for 2013 (Art. 7(2)), 30 April 2014 (in 304 days)"
    )
    assert f'href="{reverse("reporting:state_reports", args=["FJI"])}"' in page


def test_state_profile_shows_overdue_reports(client, world):
    page = html(client.get(reverse("states:detail", args=["AFG"]), {"as_of": "2013-06-30"}))
    rows = text(element(page, "reports-due"))
    assert "Initial report (Art. 7(1)) 28 August 2012 — overdue by 306 days" in rows
    assert "Annual update for 2012 (Art. 7(2)) 30 April 2013 — overdue by 61 days" in rows


def test_state_profile_of_a_signatory_owes_nothing(client, world):
    page = html(client.get(reverse("states:detail", args=["AGO"]), {"as_of": "2013-06-30"}))
    assert 'data-testid="reports-due"' not in page
    assert text(element(page, "next-report")) == "No report is due from this State on this date."


def test_state_profile_after_a_withdrawal(client, reference):
    # Lithuania's withdrawal took effect on 6 March 2025 (Art. 20(2)): what fell due before
    # stays due; the update due on 30 April 2025 is not owed.
    page = html(client.get(reverse("states:detail", args=["LTU"]), {"as_of": "2026-01-01"}))
    rows = re.findall(r'<tr data-report="([\w-]+)" data-status="(\w+)">', element(page, "reports-due"))
    # ISU has set no day from which its records are complete: a missing report is not
    # recorded, never overdue.
    assert rows[0] == ("annual-2023", "not_recorded")
    assert all(status != "overdue" for _report, status in rows)
    assert ("annual-2024", "not_recorded") not in rows
    assert text(element(page, "next-report")) == (
        "No further report is due from this State, because of its withdrawal (Art. 20(2))."
    )


def test_state_profile_links_a_focal_point_to_its_own_submitted_report(client, world):
    fiji = world["states"]["FJI"]
    _fji_v1, fji_v2, _fji_2011, fji_2012 = world["fji"]
    focal_point = person("fji@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": fiji})
    client.force_login(focal_point)
    panel = element(html(client.get(reverse("states:detail", args=["FJI"]), {"as_of": "2013-06-30"})), "reports-due")
    assert f'href="{reverse("reporting:report", args=[fji_v2.pk])}"' in panel
    assert f'href="{reverse("reporting:report", args=[fji_2012.pk])}"' in panel


# --- A fixed number of SQL queries -------------------------------------------------------------


def more_data(isu) -> None:
    """More States (Parties, with their reports) and more reports of the fixture's States."""
    add_states(50)
    for i, state in enumerate(State.objects.filter(iso3__startswith="Q", deposit_date__isnull=False)):
        report(state, "initial", submitted=D(2012, 1, 1) + dt.timedelta(days=i), by=isu)
        report(state, "annual", 2012, status="submitted", submitted=D(2013, 4, 1), by=isu)
    assert Report.objects.count() > 80


# sample-data check, fingerprint, States, reports received, the days the records are complete from,
# count and page of published
TRANSPARENCY_QUERIES = 7


@pytest.mark.parametrize("url", ["/transparency/", "/transparency/?as_of=2013-06-30&page=2"])
def test_transparency_page_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, url):
    with django_assert_num_queries(TRANSPARENCY_QUERIES):
        assert client.get(url).status_code == 200
    more_data(world["isu"])
    cache.clear()
    with django_assert_num_queries(TRANSPARENCY_QUERIES):
        assert client.get(url).status_code == 200
    # Once cached, the figures cost the fingerprint only (and the sample-data check is cached too).
    with django_assert_num_queries(TRANSPARENCY_QUERIES - 4):
        assert client.get(url).status_code == 200


def api_operations(world) -> list[tuple[str, int]]:
    fji_v1 = world["fji"][0]
    return [
        ("/reporting/figures?as_of=2013-06-30", 4),  # fingerprint, States, reports received, completeness
        ("/reporting/figures?as_of=2013-06-30&by=region", 4),
        ("/states/FJI/reports?as_of=2013-06-30", 2),  # the State, its reports (with the day its records are complete)
        ("/reports?limit=200", 2),  # the count, the page
        ("/reports?state=FJI", 3),  # the State, the count, the page
        (f"/reports/{fji_v1.pk}", 8),  # the report, its forms, its six tables
    ]


def test_api_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    def run_all():
        for path, count in api_operations(world):
            cache.clear()
            with django_assert_num_queries(count):
                assert client.get(f"{API}{path}").status_code == 200, path

    run_all()
    more_data(world["isu"])
    run_all()


# --- Fictional sample data ------------------------------------------------------------------


def test_the_sample_report_counts_only_marked_as_sample(client, reference):
    """While the demonstration data is loaded, its fictional reports (annual updates
    covering 2021 to 2025 of five States: Lao PDR and Afghanistan in Asia, Lebanon and Iraq
    in the Middle East, Chile in the Americas; all of 2025 on time, Afghanistan's 2024 one
    late) count in the figures, and each figure they count in says so; the shape scripts
    rely on is kept. Removed, no mark is left."""
    call_command("load-sample", stdout=io.StringIO())
    figures = queries.figures_as_of(D(2026, 11, 22))
    assert figures["annual"]["2025"]["sample"] == {"submitted": 5, "on_time": 5}
    assert figures["annual"]["2024"]["sample"] == {"submitted": 5, "on_time": 4}
    assert "sample" not in figures["annual"]["2020"] and "sample" not in figures["initial"]
    assert queries.transparency(D(2026, 11, 22))["recorded"]["sample"] == 25
    by_region = queries.figures_by_region_as_of(D(2026, 11, 22))
    assert by_region["Asia"]["annual"]["2025"]["sample"] == {"submitted": 2, "on_time": 2}

    printed = json.loads(run("--as-of", "2026-11-22", "--json"))
    assert set(printed) == {"as_of", "initial", "annual"}
    assert {"due", "submitted_on_time", "submitted_late", "overdue", "overdue_states", "not_recorded"} == set(
        printed["initial"]
    )
    assert {"due", "submitted", "on_time", "not_recorded", "rate"} <= set(printed["annual"]["2025"])
    assert printed["annual"]["2025"]["sample"] == {"submitted": 5, "on_time": 5}
    table = run("--as-of", "2026-11-22")
    assert re.search(r"2025\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+%\s+\(of which 5 from sample data\)", table)

    api = ok(get(client, "/reporting/figures", as_of="2026-11-22", by="region"))
    assert api["annual"]["2025"]["sample"] == {"submitted": 5, "on_time": 5}
    assert "sample" not in api["annual"]["2020"] and "sample" not in api["initial"]
    assert api["by_region"]["Asia"]["annual"]["2025"]["sample"] == {"submitted": 2, "on_time": 2}

    page = client.get(reverse("reporting:transparency"), {"as_of": "2026-11-22"}).content.decode()

    def row(attribute: str) -> str:
        return text(re.search(rf"<tr {attribute}>(.*?)</tr>", page, re.S).group(1))

    assert "of which 5 from sample data" in row('data-year="2025"')
    assert "sample" not in row('data-year="2020"')
    assert "of which 10 from sample data" in row('data-region="Asia"')
    assert "25 of them are fictional sample data." in page

    call_command("load-sample", "--remove", stdout=io.StringIO())
    assert "sample" not in queries.figures_as_of(D(2026, 11, 22))["annual"]["2025"]
