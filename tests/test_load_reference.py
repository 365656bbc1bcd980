"""`article6 load-reference`: the real data, loading twice, and malformed files that are
rejected with file, line and reason while the database stays exactly as it was."""

import datetime as dt
import shutil

import pytest
from django.core.management import CommandError, call_command

from article6.states.models import Organisation, State
from article6.states.reference import REFERENCE_DIR
from article6.treaty import queries, rules
from article6.treaty.models import Meeting, ObligationFact

pytestmark = pytest.mark.sqlite_and_postgres


def snapshot():
    """Everything the loader writes, as comparable values."""
    return (
        sorted(State.objects.values_list()),
        sorted(Meeting.objects.values_list()),
        sorted(Organisation.objects.values_list()),
        sorted(ObligationFact.objects.values_list()),
    )


def test_real_reference_data_gives_the_seed_figures_of_november_2018(reference):
    """Seed 003 (ARMAC workshop, Siem Reap, 12-14 November 2018): 104 States Parties and
    16 Signatories; 34 Europe, 32 Africa, 24 Americas, 7 Pacific, 4 Asia, 3 Middle East."""
    assert State.objects.count() == 125
    m = queries.membership(dt.date(2018, 11, 12))
    assert (m.states_parties, m.signatories) == (104, 16)
    by_region = {region: counts.states_parties for region, counts in m.by_region.items()}
    assert by_region == {"Europe": 34, "Africa": 32, "Americas": 24, "Pacific": 7, "Asia": 4, "Middle East": 3}


@pytest.mark.parametrize(
    ("iso3", "entry_into_force"),
    [
        ("FJI", dt.date(2010, 11, 1)),
        ("NAM", dt.date(2019, 2, 1)),
        ("PLW", dt.date(2016, 10, 1)),
        ("NOR", dt.date(2010, 8, 1)),
    ],
)
def test_entry_into_force_from_the_loaded_dates(reference, iso3, entry_into_force):
    assert State.objects.get(iso3=iso3).treaty_dates.entry_into_force == entry_into_force


def test_lithuania_loads_as_withdrawn(reference):
    lithuania = State.objects.get(iso3="LTU")
    assert rules.status_on(lithuania.treaty_dates, dt.date(2025, 3, 6)) is rules.Status.WITHDRAWN


def test_names_with_a_treaty_collection_note(reference):
    czechia = State.objects.get(iso3="CZE")
    assert czechia.name == "Czechia"
    assert "Czech Republic" in czechia.notes
    assert czechia.iso2 == "CZ"


def test_loading_twice_changes_nothing(reference):
    before = snapshot()
    from io import StringIO

    out = StringIO()
    call_command("load-reference", stdout=out)
    assert snapshot() == before
    assert "states: 0 created, 0 updated, 125 unchanged" in out.getvalue()
    assert "meetings: 0 created, 0 updated, 15 unchanged" in out.getvalue()
    assert "obligations: 0 created, 0 updated, 55 unchanged" in out.getvalue()


def test_a_corrected_file_updates_only_what_changed(reference, tmp_path):
    states = tmp_path / "states.csv"
    text = (REFERENCE_DIR / "states.csv").read_text()
    states.write_text(text.replace("Fiji,FJI,242,Pacific,Melanesia,", "Fiji,FJI,242,Pacific,Melanesia (checked),"))
    from io import StringIO

    out = StringIO()
    call_command("load-reference", "--states", str(states), stdout=out)
    assert "states: 0 created, 1 updated, 124 unchanged" in out.getvalue()
    assert State.objects.get(iso3="FJI").m49_subregion == "Melanesia (checked)"


# --- Malformed files ------------------------------------------------------------------------------


def altered(tmp_path, name, old, new):
    """A copy of a reference file with one line altered; returns its path and that line's number."""
    path = tmp_path / name
    lines = (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if old in line:
            lines[number - 1] = line.replace(old, new)
            path.write_text("".join(lines), encoding="utf-8")
            return path, number
    raise AssertionError(f"{old!r} not in {name}")


STATE_ERRORS = [
    (
        "Fiji,FJI,242,Pacific,Melanesia,2008-12-03,2010-05-28",
        "Fiji,FJI,242,Pacific,Melanesia,2008-12-03,2018-02-30",
        "consent_date",
        "is not a date",
    ),
    (
        "Fiji,FJI,242,Pacific,Melanesia,2008-12-03,2010-05-28",
        "Fiji,FJI,242,Pacific,Melanesia,2008-12-03,2099-05-28",
        "consent_date",
        "in the future",
    ),
    ("Fiji,FJI,242,", "Fiji,FJX,242,", "iso3", "'FJX' is not an ISO 3166-1 alpha-3 code"),
    ("Fiji,FJI,242,", "Fiji,FJI,243,", "iso_numeric", "243 is not the numeric code of FJI"),
    ("Fiji,FJI,242,Pacific,", "Fiji,FJI,242,Oceania,", "ccm_region", "'Oceania' is not one of"),
    (
        "Fiji,FJI,242,Pacific,Melanesia,2008-12-03,2010-05-28,R,",
        "Fiji,FJI,242,Pacific,Melanesia,2008-12-03,2010-05-28,X,",
        "consent_type",
        "'X' is not one of",
    ),
]


@pytest.mark.parametrize(("old", "new", "column", "reason"), STATE_ERRORS)
def test_malformed_states_file_from_an_empty_database(db, tmp_path, old, new, column, reason):
    path, line = altered(tmp_path, "states.csv", old, new)
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    message = str(error.value)
    assert f"states.csv, line {line}, column {column}: " in message
    assert reason in message
    assert "Nothing was loaded" in message
    assert snapshot() == ([], [], [], [])


@pytest.mark.parametrize(("old", "new", "column", "reason"), STATE_ERRORS)
def test_malformed_states_file_leaves_loaded_data_as_it_was(reference, tmp_path, old, new, column, reason):
    """The bad file also changes a valid row (Albania's name): that change is not written either."""
    path, line = altered(tmp_path, "states.csv", old, new)
    text = path.read_text(encoding="utf-8").replace("Albania,ALB", "Albania (changed),ALB")
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    assert f"states.csv, line {line}, column {column}: " in str(error.value)
    assert snapshot() == before
    assert State.objects.get(iso3="ALB").name == "Albania"


def test_duplicate_state_names_both_lines(db, tmp_path):
    path = tmp_path / "states.csv"
    lines = (REFERENCE_DIR / "states.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fiji = next(i for i, line in enumerate(lines, start=1) if line.startswith("Fiji,"))
    path.write_text("".join(lines) + lines[fiji - 1], encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    assert f"states.csv, line {len(lines) + 1}, column iso3: FJI is already on line {fiji}" in str(error.value)
    assert State.objects.count() == 0


def test_missing_column(db, tmp_path):
    path = tmp_path / "states.csv"
    text = (REFERENCE_DIR / "states.csv").read_text(encoding="utf-8")
    path.write_text(text.replace(",ccm_region,", ",region,", 1), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    assert "states.csv, line 1: missing column(s): ccm_region" in str(error.value)
    assert State.objects.count() == 0


def test_not_utf8(db, tmp_path):
    path = tmp_path / "states.csv"
    path.write_bytes((REFERENCE_DIR / "states.csv").read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    assert "states.csv" in str(error.value)
    assert State.objects.count() == 0


def test_every_error_of_a_file_is_listed(db, tmp_path):
    path, fiji = altered(tmp_path, "states.csv", "Fiji,FJI,242,", "Fiji,FJX,242,")
    text = path.read_text(encoding="utf-8").replace(
        "Namibia,NAM,516,Africa,Southern Africa,2008-12-03,2018-08-31",
        "Namibia,NAM,516,Africa,Southern Africa,2008-12-03,31/08/2018",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    message = str(error.value)
    assert f"line {fiji}, column iso3" in message
    assert "column consent_date: '31/08/2018' is not a date in the form YYYY-MM-DD" in message


@pytest.mark.parametrize(
    ("old", "new", "column", "reason"),
    [
        ("LAO,4,extension granted", "LAO,4,extension promised", "fact", "'extension promised' is not one of"),
        ("LAO,4,extension granted", "XXX,4,extension granted", "iso3", "'XXX' is not a State in the States file"),
        (
            "LAO,4,extension granted,2019-09-04,9MSP",
            "LAO,4,extension granted,2019-09-04,Ninth Meeting of States Parties",
            "meeting",
            "is longer than a meeting code",
        ),
        (
            "LAO,4,extension granted,2019-09-04,9MSP,2025-08-01",
            "LAO,4,extension granted,2019-09-04,9MSP,",
            "new_deadline",
            "needs its new deadline",
        ),
        ("LAO,4,extension granted", "LAO,5,extension granted", "article", "5 is not 3"),
    ],
)
def test_malformed_obligations_file(reference, tmp_path, old, new, column, reason):
    path, line = altered(tmp_path, "obligations.csv", old, new)
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--obligations", str(path))
    assert f"obligations.csv, line {line}, column {column}: " in str(error.value)
    assert reason in str(error.value)
    assert snapshot() == before


# --- The facts and meetings added in December 2026 ---------------------------------------


def test_the_published_facts_added_in_december_2026_are_loaded(reference):
    """16 stockpile destructions completed 2010-2018, Croatia's and Montenegro's clearance
    in July 2020, and Chile's extension to 1 June 2026 at the Tenth Meeting."""
    completed_3 = ObligationFact.objects.filter(article=3, kind="completed", date__lte=dt.date(2018, 12, 31))
    assert sorted(completed_3.values_list("state__iso3", flat=True)) == sorted(
        ["NOR", "AFG", "AUT", "BEL", "CZE", "ECU", "MNE", "NLD", "PRT", "MDA", "SVN", "DNK", "DEU", "FRA", "ESP", "HRV"]
    )
    for iso3, day in (("HRV", dt.date(2020, 7, 10)), ("MNE", dt.date(2020, 7, 31))):
        fact = ObligationFact.objects.get(state__iso3=iso3, article=4, kind="completed")
        assert fact.date == day
    montenegro = ObligationFact.objects.get(state__iso3="MNE", article=4, kind="completed")
    assert montenegro.source.endswith("before its deadline of 1 August 2020)")  # the quoted comma kept
    chile = ObligationFact.objects.get(state__iso3="CHL", kind="extension_granted")
    assert (chile.new_deadline, chile.meeting.code) == (dt.date(2026, 6, 1), "10MSP")
    clock = queries.clock(State.objects.for_clock().get(iso3="CHL"), dt.date(2026, 1, 1))
    assert clock.article_4.deadline == dt.date(2026, 6, 1)
    assert clock.article_4.status is rules.ObligationStatus.DUE_SOON


def test_every_meeting_since_2010_with_its_dates_and_one_source(reference):
    codes = list(Meeting.objects.order_by("opens").values_list("code", flat=True))
    assert codes == [
        "1MSP", "2MSP", "3MSP", "4MSP", "5MSP", "1RC", "6MSP", "7MSP", "8MSP", "9MSP",
        "2RC", "10MSP", "11MSP", "12MSP", "13MSP",
    ]  # fmt: skip
    for meeting in Meeting.objects.all():
        assert meeting.opens is not None and meeting.place and meeting.name
        assert meeting.source.count("http") == 1, meeting.code  # one source, with its address
    first = Meeting.objects.get(code="1MSP")
    assert (first.opens, first.closes, first.place) == (
        dt.date(2010, 11, 9),
        dt.date(2010, 11, 12),
        "Vientiane, Lao People's Democratic Republic",
    )
    assert Meeting.objects.get(code="2RC").closes is None  # two parts, no single source for both


def test_a_fact_naming_a_meeting_the_list_lacks_still_loads(db, tmp_path):
    """The meetings file without the Tenth Meeting: Chile's extension still loads, keeps
    "10MSP" as its source names it, and extends the deadline; adding the meeting later
    links the fact to it."""
    lines = (REFERENCE_DIR / "meetings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    meetings = tmp_path / "meetings.csv"
    meetings.write_text("".join(line for line in lines if not line.startswith("10MSP,")), encoding="utf-8")
    call_command("load-reference", "--meetings", str(meetings))
    chile = ObligationFact.objects.get(state__iso3="CHL", kind="extension_granted")
    assert chile.meeting is None and chile.meeting_code == "10MSP"
    assert chile.as_rule_fact().meeting == "10MSP"
    clock = queries.clock(State.objects.for_clock().get(iso3="CHL"), dt.date(2026, 1, 1))
    assert clock.article_4.extended_deadline == dt.date(2026, 6, 1)
    before = snapshot()
    call_command("load-reference", "--meetings", str(meetings))
    assert snapshot() == before  # idempotent with the fact unlinked too
    call_command("load-reference")
    chile.refresh_from_db()
    assert chile.meeting.code == "10MSP" and chile.meeting_code == ""


def test_file_over_the_size_limit(db, tmp_path, monkeypatch):
    from article6 import importing

    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 1000)
    path = tmp_path / "states.csv"
    shutil.copy(REFERENCE_DIR / "states.csv", path)
    with pytest.raises(CommandError) as error:
        call_command("load-reference", "--states", str(path))
    assert "is over the 1000 bytes allowed" in str(error.value)
    assert State.objects.count() == 0
