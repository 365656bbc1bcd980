"""The command line: `article6 membership` and `article6 state`, their JSON
(the shape scripts rely on) and their errors."""

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from article6.asof import today
from article6.states.models import State
from article6.treaty import queries

REGIONS_12_NOVEMBER_2018 = {"Europe": 34, "Africa": 32, "Americas": 24, "Pacific": 7, "Asia": 4, "Middle East": 3}
OBLIGATION_KEYS = {"applies", "deadline", "extended_deadline", "completed", "status", "last_fact_date"}
STATE_KEYS = {
    "iso3",
    "status",
    "signature_date",
    "deposit_date",
    "entry_into_force",
    "withdrawal_effective",
    "initial_report_due",
    "next_annual_report_due",
    "article_3",
    "article_4",
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    return json.loads(run(*args, "--json"))


# --- membership --------------------------------------------------------------------------


def test_membership_on_12_november_2018_by_region(reference):
    data = run_json("membership", "--as-of", "2018-11-12", "--by", "region")
    assert data["as_of"] == "2018-11-12"
    assert (data["states_parties"], data["signatories"], data["in_force"]) == (104, 16, 103)
    assert {region: c["states_parties"] for region, c in data["by_region"].items()} == REGIONS_12_NOVEMBER_2018
    assert all(set(c) == {"states_parties", "signatories", "in_force"} for c in data["by_region"].values())
    assert sum(c["signatories"] for c in data["by_region"].values()) == 16


def test_membership_without_by_has_no_regions(reference):
    data = run_json("membership", "--as-of", "2018-11-12")
    assert data == {"as_of": "2018-11-12", "states_parties": 104, "signatories": 16, "in_force": 103}


def test_membership_defaults_to_today_and_is_the_apis_figures(client, reference):
    data = run_json("membership", "--by", "region")
    assert data["as_of"] == today().isoformat()
    assert data == queries.membership_json(today(), by_region=True)
    assert data == client.get("/api/v1/membership", {"by": "region"}).json()


def test_membership_as_a_table(reference):
    out = run("membership", "--as-of", "2018-11-12", "--by", "region")
    assert "as of 2018-11-12" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert lines["States"][-1] == "104"
    assert lines["Signatories"][-1] == "16"
    assert lines["Europe"][1:] == ["34", "1", "34"]
    assert "Middle East" in out


# --- state -----------------------------------------------------------------------------------


def test_state_fiji(reference):
    data = run_json("state", "FJI")
    assert STATE_KEYS <= set(data)
    assert OBLIGATION_KEYS <= set(data["article_3"]) and OBLIGATION_KEYS <= set(data["article_4"])
    assert data["iso3"] == "FJI"
    assert data["entry_into_force"] == "2010-11-01"
    assert data["initial_report_due"] == "2011-04-30"
    assert data["withdrawal_effective"] is None
    assert data["as_of"] == today().isoformat()


def test_state_lao_extended_clearance_deadline(reference):
    data = run_json("state", "lao", "--as-of", "2020-01-01")
    assert data["article_4"] == {
        "applies": True,
        "deadline": "2020-08-01",
        "extended_deadline": "2025-08-01",
        "completed": None,
        "status": "on_track",
        "last_fact_date": "2019-09-04",
    }
    assert data["article_3"]["applies"] is False
    assert data["article_3"]["last_fact_date"] is None


@pytest.mark.parametrize(
    ("iso3", "as_of", "article", "status", "last_fact_date"),
    [
        # The extended deadline (1 August 2025) passed; nothing published since the 9MSP decision.
        ("LAO", "2026-12-01", "article_4", "passed_no_information", "2019-09-04"),
        ("IRQ", "2026-12-01", "article_4", "passed_no_information", "2019-07-01"),
        ("CHL", "2026-01-01", "article_4", "due_within_12_months", "2022-09-01"),  # extended at 10MSP
        ("CHL", "2026-12-01", "article_4", "passed_no_information", "2022-09-01"),
        ("HRV", "2026-12-01", "article_4", "completed", "2020-07-10"),
        ("NOR", "2026-12-01", "article_3", "completed", "2010-07-16"),
        ("FJI", "2026-12-01", "article_4", "not_applicable", None),
    ],
)
def test_state_json_obligation_status_and_last_fact_date(reference, iso3, as_of, article, status, last_fact_date):
    data = run_json("state", iso3, "--as-of", as_of)[article]
    assert (data["status"], data["last_fact_date"]) == (status, last_fact_date)


def test_no_state_is_overdue_on_the_reference_data_alone(reference):
    """None of the published facts is dated after a deadline showing the obligation still open."""
    statuses = {o.status for c in queries.clocks(dt.date(2026, 12, 1)) for o in c.obligations}
    assert "overdue" not in statuses and "completed_late" not in statuses
    assert "passed_no_information" in statuses


def test_state_lithuania_withdrawal(reference):
    assert run_json("state", "LTU", "--as-of", "2025-03-05")["status"] == "state_party"
    after = run_json("state", "LTU", "--as-of", "2025-03-06")
    assert after["status"] == "withdrawn"
    assert after["withdrawal_effective"] == "2025-03-06"
    assert after["next_annual_report_due"] is None


def test_state_json_is_the_clock_shape(reference):
    clock = queries.clock(State.objects.for_clock().get(iso3="FJI"), dt.date(2018, 11, 12))
    assert run_json("state", "FJI", "--as-of", "2018-11-12") == clock.as_json()


def test_state_summary(reference):
    out = run("state", "LAO", "--as-of", "2020-01-01")
    assert "Lao People's Democratic Republic (LAO)" in out
    assert "State Party" in out
    assert "Entry into force        2010-08-01" in out
    assert "deadline 2025-08-01 (extended)" in out
    assert "Annual transparency report covering 2019" in out
    out = run("state", "LAO", "--as-of", "2026-12-01")
    assert "deadline 2025-08-01 (extended), deadline passed, no information since 4 September 2019" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("state", "XYZ"), "No State has the ISO3 code “XYZ”"),
        (("state", "FJI1"), "No State has the ISO3 code"),
        (("state", "FJI", "--as-of", "2018-02-30"), "--as-of: “2018-02-30” is not a day of the calendar"),
        (("state", "FJI", "--as-of", "12/11/2018"), "--as-of: “12/11/2018” is not a date written YYYY-MM-DD"),
        (("membership", "--as-of", "yesterday"), "--as-of: “yesterday” is not a date"),
        (("membership", "--as-of", "1990-01-01"), "Dates from 2008-05-30 to 2100-12-31 only"),
    ],
)
def test_bad_input_is_a_command_error(reference, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_by_accepts_only_region(reference):
    with pytest.raises(CommandError, match="invalid choice"):
        run("membership", "--by", "country")


# --- As a real command, in its own process ----------------------------------------------------


@pytest.fixture(scope="module")
def command(tmp_path_factory):
    """`article6 …` in a subprocess, on its own SQLite database (migrated, reference
    data loaded), not the test database: a subprocess reads DATABASE_URL."""
    database = tmp_path_factory.mktemp("cli") / "cli.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test-only"}

    def article6(*args, check=True):
        return subprocess.run(
            [sys.executable, "-m", "article6", *args], env=env, capture_output=True, text=True, check=check, timeout=120
        )

    article6("migrate", "--verbosity", "0")
    article6("load-reference")
    return article6


def test_membership_as_a_real_command(command):
    result = command("membership", "--as-of", "2018-11-12", "--by", "region", "--json")
    data = json.loads(result.stdout)
    assert (data["states_parties"], data["signatories"]) == (104, 16)
    assert {region: c["states_parties"] for region, c in data["by_region"].items()} == REGIONS_12_NOVEMBER_2018
    fiji = json.loads(command("state", "FJI", "--json").stdout)
    assert (fiji["entry_into_force"], fiji["initial_report_due"]) == ("2010-11-01", "2011-04-30")


@pytest.mark.parametrize(
    "args",
    [("state", "XYZ", "--json"), ("state", "FJI", "--as-of", "2018-02-30"), ("membership", "--as-of", "x")],
)
def test_errors_of_a_real_command_exit_1_without_traceback(command, args):
    result = command(*args, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("CommandError: ")
    assert "Traceback" not in result.stderr
