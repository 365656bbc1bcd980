"""Article 7 transparency reporting, tested from the Convention's text (no database).

Art. 7(1): each State Party reports "as soon as practicable, and in any event not later
than 180 days after the entry into force of this Convention for that State Party".
Art. 7(2): States Parties "annually update the information ..., covering the last
calendar year, and report it ... not later than 30 April of each year".
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from article6.reporting import rules as reporting
from article6.reporting.rules import (
    Classification,
    DueReport,
    ReportingState,
    ReportStatus,
    Submission,
)
from article6.treaty import rules as treaty
from article6.treaty.rules import TreatyDates

pytestmark = pytest.mark.sqlite_and_postgres

D = dt.date

# These tests are about the Convention's clock: ISU's records are complete from the
# Convention's opening for signature, so that a missing report is known to be missing.
RECORDS_FROM = D(2008, 12, 3)
COMPLETE = reporting.Completeness(RECORDS_FROM)

FIJI = ReportingState("FJI", "Pacific", TreatyDates(signature=D(2008, 12, 3), deposit=D(2010, 5, 28)))
FIJI_INITIAL = DueReport("FJI", "initial", None, D(2011, 4, 30))


def initial(iso3, submitted):
    return Submission(iso3, "initial", None, submitted)


def annual(iso3, year, submitted):
    return Submission(iso3, "annual", year, submitted)


# --- Art. 7(1): the initial report ------------------------------------------------------------


def test_fiji_initial_report_falls_due_180_days_after_entry_into_force():
    """Deposited 28 May 2010, in force 1 November 2010 (Art. 17(2)), initial report due
    30 April 2011 (Art. 7(1)); the first annual update covers 2011, due 30 April 2012."""
    assert FIJI.dates.entry_into_force == D(2010, 11, 1)
    assert reporting.reports_due(FIJI, D(2011, 4, 29)) == []
    assert reporting.reports_due(FIJI, D(2011, 4, 30)) == [FIJI_INITIAL]
    assert reporting.reports_due(FIJI, D(2012, 4, 30)) == [
        FIJI_INITIAL,
        DueReport("FJI", "annual", 2011, D(2012, 4, 30)),
    ]
    assert reporting.reports_due(FIJI, D(2012, 4, 29)) == [FIJI_INITIAL]


@pytest.mark.parametrize(
    ("submitted", "as_of", "expected"),
    [
        (D(2011, 4, 30), D(2011, 4, 30), Classification(ReportStatus.ON_TIME)),  # "not later than": the day itself
        (D(2011, 1, 5), D(2011, 2, 1), Classification(ReportStatus.ON_TIME)),  # "as soon as practicable"
        (D(2011, 5, 1), D(2011, 5, 1), Classification(ReportStatus.LATE, 1)),
        (D(2011, 5, 1), D(2020, 1, 1), Classification(ReportStatus.LATE, 1)),
        (D(2011, 7, 29), D(2011, 8, 1), Classification(ReportStatus.LATE, 90)),
        (None, D(2011, 5, 1), Classification(ReportStatus.OVERDUE, 1)),
        (None, D(2011, 4, 30), Classification(ReportStatus.DUE)),  # due today: not overdue yet
        (None, D(2011, 4, 29), Classification(ReportStatus.NOT_YET_DUE)),
        # a report received after the as-of day had not come in on that day
        (D(2011, 5, 2), D(2011, 5, 1), Classification(ReportStatus.OVERDUE, 1)),
        (D(2011, 5, 2), D(2011, 4, 30), Classification(ReportStatus.DUE)),
    ],
)
def test_fiji_initial_report_classified(submitted, as_of, expected):
    submission = None if submitted is None else initial("FJI", submitted)
    assert reporting.classify(FIJI_INITIAL, submission, as_of, RECORDS_FROM) == expected


def test_fiji_initial_report_figures_on_the_edge_days():
    on_time = reporting.figures([FIJI], [initial("FJI", D(2011, 4, 30))], D(2011, 5, 1), COMPLETE)["initial"]
    assert (on_time["due"], on_time["submitted_on_time"], on_time["submitted_late"]) == (1, 1, 0)
    late = reporting.figures([FIJI], [initial("FJI", D(2011, 5, 1))], D(2011, 5, 1), COMPLETE)["initial"]
    assert (late["submitted_on_time"], late["submitted_late"], late["overdue"]) == (0, 1, 0)
    overdue = reporting.figures([FIJI], [], D(2011, 5, 1), COMPLETE)["initial"]
    assert (overdue["overdue"], overdue["overdue_states"]) == (1, ["FJI"])
    due_today = reporting.figures([FIJI], [], D(2011, 4, 30), COMPLETE)["initial"]
    assert due_today == {
        "due": 1,
        "submitted_on_time": 0,
        "submitted_late": 0,
        "overdue": 0,
        "overdue_states": [],
        "not_recorded": 0,
    }


def test_initial_report_after_a_deposit_on_the_last_day_of_a_month():
    """Namibia: deposited 31 August 2018, in force 1 February 2019 (Art. 17(2)); 180 days
    later (a common February of 28 days) is 31 July 2019."""
    namibia = ReportingState("NAM", "Africa", TreatyDates(signature=D(2008, 12, 3), deposit=D(2018, 8, 31)))
    assert namibia.dates.entry_into_force == D(2019, 2, 1)
    assert treaty.initial_report_due(D(2019, 2, 1)) == D(2019, 7, 31)
    assert reporting.reports_due(namibia, D(2019, 7, 30)) == []
    assert reporting.reports_due(namibia, D(2019, 7, 31)) == [DueReport("NAM", "initial", None, D(2019, 7, 31))]
    first_annual = reporting.reports_due(namibia, D(2020, 4, 30))[-1]
    assert first_annual == DueReport("NAM", "annual", 2019, D(2020, 4, 30))


def test_a_state_that_deposited_before_the_thirtieth_instrument():
    """Norway deposited on 3 December 2008, before the thirtieth instrument (16 February 2010):
    in force 1 August 2010 (Art. 17(1)). 1 August 2010 + 180 days is 28 January 2011 by the
    clock (27 January would count the day of entry into force as the first of the 180)."""
    norway = ReportingState("NOR", "Europe", TreatyDates(signature=D(2008, 12, 3), deposit=D(2008, 12, 3)))
    assert norway.dates.entry_into_force == D(2010, 8, 1)
    due = D(2011, 1, 28)
    assert treaty.initial_report_due(D(2010, 8, 1)) == due
    assert reporting.reports_due(norway, due - dt.timedelta(days=1)) == []
    assert reporting.reports_due(norway, due) == [DueReport("NOR", "initial", None, due)]
    # first annual update covers 2011, the year the initial report fell due
    assert [(r.kind, r.year, r.due) for r in reporting.reports_due(norway, D(2012, 4, 30))] == [
        ("initial", None, due),
        ("annual", 2011, D(2012, 4, 30)),
    ]


def test_a_signatory_owes_no_report():
    angola = ReportingState("AGO", "Africa", TreatyDates(signature=D(2008, 12, 3)))
    assert reporting.reports_due(angola, D(2030, 1, 1)) == []


# --- Art. 7(2): annual updates by 30 April ------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "as_of", "expected"),
    [
        (D(2013, 4, 30), D(2013, 4, 30), Classification(ReportStatus.ON_TIME)),
        (D(2013, 5, 1), D(2013, 5, 1), Classification(ReportStatus.LATE, 1)),
        (None, D(2013, 4, 30), Classification(ReportStatus.DUE)),
        (None, D(2013, 5, 1), Classification(ReportStatus.OVERDUE, 1)),
        (None, D(2012, 12, 31), Classification(ReportStatus.NOT_YET_DUE)),
    ],
)
def test_the_30_april_boundary(submitted, as_of, expected):
    due = DueReport("FJI", "annual", 2012, D(2013, 4, 30))
    submission = None if submitted is None else annual("FJI", 2012, submitted)
    assert reporting.classify(due, submission, as_of, RECORDS_FROM) == expected


def test_annual_figures_on_the_30_april_boundary():
    subs = [initial("FJI", D(2011, 4, 1)), annual("FJI", 2011, D(2012, 4, 30)), annual("FJI", 2012, D(2013, 5, 1))]
    assert reporting.figures([FIJI], subs, D(2013, 5, 1), COMPLETE)["annual"] == {
        "2011": {"due": 1, "submitted": 1, "on_time": 1, "not_recorded": 0, "rate": 1.0},
        "2012": {"due": 1, "submitted": 1, "on_time": 0, "not_recorded": 0, "rate": 1.0},
    }
    # on 30 April 2013 the 2012 update is due that very day: counted as due, not yet received
    assert reporting.figures([FIJI], subs, D(2013, 4, 30), COMPLETE)["annual"]["2012"] == {
        "due": 1,
        "submitted": 0,
        "on_time": 0,
        "not_recorded": 0,
        "rate": 0.0,
    }
    # before 30 April 2013 the 2012 update is not due: the year is left out
    assert list(reporting.figures([FIJI], subs, D(2013, 4, 29), COMPLETE)["annual"]) == ["2011"]
    # without records complete for it, that update is not known on its due day either: no 0% rate
    assert reporting.figures([FIJI], subs[:2], D(2013, 4, 30))["annual"]["2012"] == {
        "due": 1,
        "submitted": 0,
        "on_time": 0,
        "not_recorded": 1,
        "rate": None,
    }


# --- Art. 20: withdrawal ends the obligation -----------------------------------------------------


def test_lithuania_owes_no_report_due_after_its_withdrawal_took_effect():
    """Lithuania: in force 1 September 2011, initial report due 28 February 2012 (2012 is a
    leap year), first update covering 2012; withdrawal notified 6 September 2024, effective
    6 March 2025 (Art. 20(2)): the update due 30 April 2025 is no longer owed, the update
    due 30 April 2024 still is."""
    lithuania = ReportingState(
        "LTU",
        "Europe",
        TreatyDates(signature=D(2008, 12, 3), deposit=D(2011, 3, 24), withdrawal_notified=D(2024, 9, 6)),
    )
    due = reporting.reports_due(lithuania, D(2030, 1, 1))
    assert due[0] == DueReport("LTU", "initial", None, D(2012, 2, 28))
    assert [r.year for r in due[1:]] == list(range(2012, 2024))
    assert due[-1].due == D(2024, 4, 30)
    assert reporting.reports_due(lithuania, D(2030, 1, 1)) == reporting.reports_due(lithuania, D(2025, 3, 6))


def test_a_withdrawal_effective_on_30_april_ends_that_update_too():
    """On the day a withdrawal takes effect the State is no longer a State Party (Art. 20(2)),
    so an update due that day is not owed."""
    dates = TreatyDates(deposit=D(2010, 5, 28), withdrawal_notified=D(2013, 10, 30))
    assert dates.withdrawal_effective == D(2014, 4, 30)
    state = ReportingState("FJI", "Pacific", dates)
    assert [r.year for r in reporting.reports_due(state, D(2020, 1, 1)) if r.kind == "annual"] == [2011, 2012]


def test_a_notified_withdrawal_does_not_end_the_obligation_before_it_takes_effect():
    dates = TreatyDates(deposit=D(2010, 5, 28), withdrawal_notified=D(2013, 11, 1))
    assert dates.withdrawal_effective == D(2014, 5, 1)
    state = ReportingState("FJI", "Pacific", dates)
    assert [r.year for r in reporting.reports_due(state, D(2020, 1, 1)) if r.kind == "annual"] == [2011, 2012, 2013]


def test_a_withdrawal_before_the_initial_report_falls_due_ends_it():
    dates = TreatyDates(deposit=D(2010, 5, 28), withdrawal_notified=D(2010, 6, 1))
    assert dates.withdrawal_effective == D(2010, 12, 1)
    assert reporting.reports_due(ReportingState("FJI", "Pacific", dates), D(2020, 1, 1)) == []


def test_submission_kind_and_year():
    with pytest.raises(ValueError):
        Submission("FJI", "final", None, D(2011, 1, 1))
    with pytest.raises(ValueError):
        Submission("FJI", "annual", None, D(2011, 1, 1))


# --- Figures over a small fixture, counted by hand --------------------------------------------------

# Norway: in force 1 Aug 2010, initial due 28 Jan 2011; updates from 2011.
# Fiji: in force 1 Nov 2010, initial due 30 Apr 2011; updates from 2011.
# Lithuania: in force 1 Sep 2011, initial due 28 Feb 2012; updates from 2012.
# XWD (a fictional State, user-assigned code): deposited 15 Oct 2010, in force 1 Apr 2011,
#   initial due 28 Sep 2011, updates from 2011; withdrawal notified 15 Jan 2012, effective
#   15 Jul 2012, so the update covering 2012 (due 30 Apr 2013) is not owed.
# Angola: a signatory; owes nothing, its report does not count.
STATES = [
    ReportingState("NOR", "Europe", TreatyDates(signature=D(2008, 12, 3), deposit=D(2008, 12, 3))),
    FIJI,
    ReportingState("LTU", "Europe", TreatyDates(signature=D(2008, 12, 3), deposit=D(2011, 3, 24))),
    ReportingState("XWD", "Africa", TreatyDates(deposit=D(2010, 10, 15), withdrawal_notified=D(2012, 1, 15))),
    ReportingState("AGO", "Africa", TreatyDates(signature=D(2008, 12, 3))),
]
SUBMISSIONS = [
    initial("NOR", D(2011, 1, 20)),  # on time
    initial("NOR", D(2011, 3, 1)),  # a corrected copy: the first one counts
    initial("FJI", D(2011, 5, 1)),  # late by one day
    initial("LTU", D(2012, 5, 15)),  # late by 77 days; overdue on 30 April 2012
    annual("NOR", 2011, D(2012, 4, 30)),  # on time, on the day
    annual("FJI", 2011, D(2012, 5, 2)),  # late; not yet received on 30 April 2012
    annual("NOR", 2012, D(2013, 4, 15)),  # on time
    annual("FJI", 2012, D(2013, 4, 30)),  # on time, on the day
    annual("LTU", 2012, D(2013, 5, 1)),  # late by one day, received on the as-of day
    annual("AGO", 2012, D(2013, 4, 1)),  # a signatory's voluntary report: not counted
]


def test_figures_on_30_april_2012_counted_by_hand():
    # initial: NOR on time, FJI late, LTU and XWD overdue.
    # 2011 updates due that very day from NOR, FJI, XWD: only NOR's had come in.
    assert reporting.figures(STATES, SUBMISSIONS, D(2012, 4, 30), COMPLETE) == {
        "as_of": "2012-04-30",
        "initial": {
            "due": 4,
            "submitted_on_time": 1,
            "submitted_late": 1,
            "overdue": 2,
            "overdue_states": ["LTU", "XWD"],
            "not_recorded": 0,
        },
        "annual": {"2011": {"due": 3, "submitted": 1, "on_time": 1, "not_recorded": 0, "rate": 0.33}},
    }


def test_figures_on_1_may_2013_counted_by_hand():
    # initial: NOR on time, FJI and LTU late, XWD overdue.
    # 2011 updates: NOR on time, FJI late, XWD none. 2012 updates: NOR and FJI on time,
    # LTU late; XWD had withdrawn.
    assert reporting.figures(STATES, SUBMISSIONS, D(2013, 5, 1), COMPLETE) == {
        "as_of": "2013-05-01",
        "initial": {
            "due": 4,
            "submitted_on_time": 1,
            "submitted_late": 2,
            "overdue": 1,
            "overdue_states": ["XWD"],
            "not_recorded": 0,
        },
        "annual": {
            "2011": {"due": 3, "submitted": 2, "on_time": 1, "not_recorded": 0, "rate": 0.67},
            "2012": {"due": 3, "submitted": 3, "on_time": 2, "not_recorded": 0, "rate": 1.0},
        },
    }


def test_figures_by_region_on_1_may_2013_counted_by_hand():
    by_region = reporting.figures_by_region(STATES, SUBMISSIONS, D(2013, 5, 1), COMPLETE)
    assert list(by_region) == ["Africa", "Europe", "Pacific"]
    assert by_region["Africa"]["initial"] == {
        "due": 1,
        "submitted_on_time": 0,
        "submitted_late": 0,
        "overdue": 1,
        "overdue_states": ["XWD"],
        "not_recorded": 0,
    }
    assert by_region["Africa"]["annual"] == {
        "2011": {"due": 1, "submitted": 0, "on_time": 0, "not_recorded": 0, "rate": 0.0}
    }
    assert by_region["Europe"]["initial"]["submitted_late"] == 1
    assert by_region["Europe"]["annual"] == {
        "2011": {"due": 1, "submitted": 1, "on_time": 1, "not_recorded": 0, "rate": 1.0},
        "2012": {"due": 2, "submitted": 2, "on_time": 1, "not_recorded": 0, "rate": 1.0},
    }
    assert by_region["Pacific"]["annual"]["2011"] == {
        "due": 1,
        "submitted": 1,
        "on_time": 0,
        "not_recorded": 0,
        "rate": 1.0,
    }


def test_nothing_due_yet():
    assert reporting.figures(STATES, SUBMISSIONS, D(2011, 1, 27), COMPLETE) == {
        "as_of": "2011-01-27",
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


# --- Properties ----------------------------------------------------------------------------------------

days = st.dates(min_value=D(2008, 12, 3), max_value=D(2040, 12, 31))
ISO3 = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG"]
REGIONS = ["Africa", "Americas", "Asia", "Europe", "Pacific"]


@st.composite
def treaty_dates(draw):
    deposit = draw(st.one_of(st.none(), days))
    notified = None
    if deposit is not None and draw(st.booleans()):
        notified = draw(st.dates(min_value=deposit, max_value=D(2040, 12, 31)))
    return TreatyDates(deposit=deposit, withdrawal_notified=notified)


@st.composite
def fixtures(draw):
    codes = draw(st.lists(st.sampled_from(ISO3), unique=True, max_size=len(ISO3)))
    states = [ReportingState(code, draw(st.sampled_from(REGIONS)), draw(treaty_dates())) for code in codes]
    submissions = draw(
        st.lists(
            st.one_of(
                st.builds(initial, st.sampled_from(ISO3), days),
                st.builds(annual, st.sampled_from(ISO3), st.integers(2009, 2040), days),
            ),
            max_size=30,
        )
    )
    return states, submissions


def check_counts(result, as_of):
    ini = result["initial"]
    assert ini["submitted_on_time"] + ini["submitted_late"] + ini["overdue"] <= ini["due"]
    assert len(ini["overdue_states"]) == ini["overdue"]
    assert ini["overdue_states"] == sorted(set(ini["overdue_states"]))
    assert list(result["annual"]) == sorted(result["annual"])
    for year, counts in result["annual"].items():
        assert treaty.annual_report_due(int(year)) <= as_of  # never a report due after as_of
        assert 0 <= counts["on_time"] <= counts["submitted"] <= counts["due"]
        assert counts["due"] > 0
        assert 0 <= counts["not_recorded"] <= counts["due"] - counts["submitted"]
        assert counts["rate"] == reporting.rate(counts["submitted"], counts["due"], counts["not_recorded"])


@given(fixtures(), days)
def test_figures_counts_are_consistent(fixture, as_of):
    states, submissions = fixture
    result = reporting.figures(states, submissions, as_of, COMPLETE)
    assert result["as_of"] == as_of.isoformat()
    check_counts(result, as_of)
    # the initial reports due are those of States Parties whose 180 days ended by as_of
    expected = 0
    for state in states:
        eif = state.dates.entry_into_force
        if eif is not None and treaty.initial_report_due(eif) <= as_of:
            expected += treaty.status_on(state.dates, treaty.initial_report_due(eif)) is treaty.Status.STATE_PARTY
    assert result["initial"]["due"] == expected


@given(fixtures(), days)
def test_figures_by_region_add_up_to_the_totals(fixture, as_of):
    states, submissions = fixture
    total = reporting.figures(states, submissions, as_of, COMPLETE)
    by_region = reporting.figures_by_region(states, submissions, as_of, COMPLETE)
    assert sorted(by_region) == sorted({s.region for s in states})
    for key in ("due", "submitted_on_time", "submitted_late", "overdue"):
        assert sum(r["initial"][key] for r in by_region.values()) == total["initial"][key]
    assert (
        sorted(c for r in by_region.values() for c in r["initial"]["overdue_states"])
        == total["initial"]["overdue_states"]
    )
    for year, counts in total["annual"].items():
        for key in ("due", "submitted", "on_time"):
            assert sum(r["annual"].get(year, {}).get(key, 0) for r in by_region.values()) == counts[key]
    for result in by_region.values():
        check_counts(result, as_of)


@given(fixtures(), days, days)
def test_a_report_once_due_stays_due(fixture, first, second):
    states, submissions = fixture
    earlier, later = sorted((first, second))
    before = reporting.figures(states, submissions, earlier, COMPLETE)
    after = reporting.figures(states, submissions, later, COMPLETE)
    assert before["initial"]["due"] <= after["initial"]["due"]
    for year, counts in before["annual"].items():
        assert counts["due"] == after["annual"][year]["due"]


@given(treaty_dates(), days)
def test_reports_due_follow_the_clock(dates, as_of):
    state = ReportingState("AAA", "Asia", dates)
    due = reporting.reports_due(state, as_of)
    assert all(r.due <= as_of for r in due)
    assert all(r.kind == "initial" for r in due[:1]) and all(r.kind == "annual" for r in due[1:])
    withdrawn = dates.withdrawal_effective
    assert all(withdrawn is None or r.due < withdrawn for r in due)
    eif = dates.entry_into_force
    if eif is None:
        assert due == []
        return
    # the annual updates are those of the clock: the next one on or after as_of is the
    # one `next_annual_report_due` names
    horizon = max(treaty.add_years(as_of, 2), treaty.annual_report_due(treaty.first_annual_report_year(eif)))
    upcoming = [r.due for r in reporting.reports_due(state, horizon) if r.kind == "annual"]
    following = min((d for d in upcoming if d >= as_of), default=None)
    assert following == treaty.next_annual_report_due(eif, as_of, withdrawn)
    years = [r.year for r in due if r.kind == "annual"]
    assert years == list(range(treaty.first_annual_report_year(eif), treaty.first_annual_report_year(eif) + len(years)))


@given(days, st.one_of(st.none(), days), days)
def test_classify_agrees_with_the_definitions(due_day, submitted, as_of):
    due = DueReport("AAA", "annual", due_day.year - 1, due_day)
    submission = None if submitted is None else annual("AAA", due_day.year - 1, submitted)
    result = reporting.classify(due, submission, as_of, RECORDS_FROM)
    received = submitted is not None and submitted <= as_of
    if received:
        assert result.status in (ReportStatus.ON_TIME, ReportStatus.LATE)
        assert (result.status is ReportStatus.LATE) == (submitted > due_day)
        assert result.days_late == max(0, (submitted - due_day).days)
    elif as_of > due_day:
        assert result == Classification(ReportStatus.OVERDUE, (as_of - due_day).days)
    elif as_of == due_day:
        assert result == Classification(ReportStatus.DUE)
    else:
        assert result == Classification(ReportStatus.NOT_YET_DUE)


# --- Which periods a State owes a report for (Art. 7, with Art. 17 and Art. 20) ----------------

NAMIBIA = TreatyDates(signature=D(2008, 12, 3), deposit=D(2018, 8, 31))  # in force 1 Feb 2019
LITHUANIA = TreatyDates(signature=D(2008, 12, 3), deposit=D(2011, 3, 24), withdrawal_notified=D(2024, 9, 6))
ANGOLA = TreatyDates(signature=D(2008, 12, 3))  # a signatory


def test_a_signatory_owes_neither_an_initial_report_nor_an_update():
    """Art. 7(1) binds "each State Party"; the Convention enters into force only for a State
    that deposits its instrument (Art. 17), which a signatory has not done."""
    assert reporting.why_not_owed(ANGOLA, "initial", None) is reporting.NotOwed.NOT_A_STATE_PARTY
    assert reporting.why_not_owed(ANGOLA, "annual", 2015) is reporting.NotOwed.NOT_A_STATE_PARTY
    assert not reporting.is_owed(TreatyDates(), "initial", None)
    assert reporting.due_date(ANGOLA, "initial", None) is None


def test_namibia_owes_no_update_for_the_year_before_the_initial_report_fell_due():
    """In force 1 February 2019 (Art. 17(2)); initial report due 31 July 2019 (Art. 7(1)); the
    first update covers 2019 (due 30 April 2020). An update "for 2018" is not owed: it would be
    "due" 30 April 2019, before the State had anything to report on."""
    assert reporting.is_owed(NAMIBIA, "initial", None)
    assert reporting.why_not_owed(NAMIBIA, "annual", 2018) is reporting.NotOwed.BEFORE_FIRST_UPDATE
    assert reporting.due_date(NAMIBIA, "annual", 2018) is None
    assert reporting.is_owed(NAMIBIA, "annual", 2019)
    assert reporting.due_date(NAMIBIA, "annual", 2019) == D(2020, 4, 30)


@pytest.mark.parametrize(
    ("deposit", "eif", "initial_due", "first_year"),
    [
        # in force 1 July: 180 days end on 28 December, the same year; that year is the first update
        (D(2011, 1, 31), D(2011, 7, 1), D(2011, 12, 28), 2011),
        # in force 1 August: 180 days end on 28 January of the next year, which is the first update
        (D(2011, 2, 1), D(2011, 8, 1), D(2012, 1, 28), 2012),
    ],
)
def test_the_first_update_owed_on_the_edge_of_a_calendar_year(deposit, eif, initial_due, first_year):
    dates = TreatyDates(deposit=deposit)
    assert dates.entry_into_force == eif
    assert treaty.initial_report_due(eif) == initial_due
    assert not reporting.is_owed(dates, "annual", first_year - 1)
    assert reporting.is_owed(dates, "annual", first_year)


def test_lithuania_owes_no_report_due_on_or_after_its_withdrawal_took_effect():
    """Withdrawal notified 6 September 2024, effective 6 March 2025 (Art. 20(2)): the update
    covering 2023 (due 30 April 2024) is owed; those covering 2024 (due 30 April 2025) and
    later are not."""
    assert LITHUANIA.withdrawal_effective == D(2025, 3, 6)
    assert reporting.is_owed(LITHUANIA, "initial", None)
    assert reporting.is_owed(LITHUANIA, "annual", 2023)
    assert reporting.why_not_owed(LITHUANIA, "annual", 2024) is reporting.NotOwed.AFTER_WITHDRAWAL
    assert reporting.why_not_owed(LITHUANIA, "annual", 2030) is reporting.NotOwed.AFTER_WITHDRAWAL
    assert reporting.due_date(LITHUANIA, "annual", 2024) is None


@pytest.mark.parametrize(
    ("notified", "effective", "owed"),
    [
        (D(2013, 10, 30), D(2014, 4, 30), False),  # effective on the due day itself: no longer a State Party
        (D(2013, 11, 1), D(2014, 5, 1), True),  # effective the day after: still a State Party on 30 April
    ],
)
def test_a_withdrawal_effective_on_the_due_day_ends_that_update(notified, effective, owed):
    dates = TreatyDates(deposit=D(2010, 5, 28), withdrawal_notified=notified)
    assert dates.withdrawal_effective == effective
    assert reporting.is_owed(dates, "annual", 2013) is owed
    assert reporting.is_owed(dates, "annual", 2012)


def test_a_withdrawal_effective_before_the_initial_report_fell_due_ends_it():
    """Fiji's dates, with a withdrawal effective on 30 April 2011, the initial report's due
    day (Art. 7(1), Art. 20(2)); one day later it is still owed."""
    assert not reporting.is_owed(
        TreatyDates(deposit=D(2010, 5, 28), withdrawal_notified=D(2010, 10, 30)), "initial", None
    )
    assert reporting.is_owed(TreatyDates(deposit=D(2010, 5, 28), withdrawal_notified=D(2010, 11, 1)), "initial", None)


@given(treaty_dates(), st.integers(2008, 2042))
def test_a_period_is_owed_exactly_when_the_clock_lists_it(dates, year):
    """`is_owed` and `reports_due` are one rule: a period is owed if and only if it is among
    the reports due once its due date has passed, and then its due date is the one listed."""
    state = ReportingState("AAA", "Asia", dates)
    listed = {(r.kind, r.year): r.due for r in reporting.reports_due(state, D(2045, 1, 1))}
    for kind, covered in (("initial", None), ("annual", year)):
        assert reporting.is_owed(dates, kind, covered) == ((kind, covered) in listed)
        assert reporting.due_date(dates, kind, covered) == listed.get((kind, covered))


def test_a_sample_report_counts_and_is_marked_as_such():
    """Fictional demonstration reports count like any other, and each figure they count in
    says how many of it they are; without them the figures keep their shape."""
    subs = [
        Submission("FJI", "initial", None, D(2011, 4, 30), is_sample=True),
        Submission("FJI", "annual", 2011, D(2012, 5, 2), is_sample=True),  # late
        annual("NOR", 2011, D(2012, 4, 30)),
    ]
    result = reporting.figures(STATES, subs, D(2012, 6, 1), COMPLETE)
    assert result["initial"]["submitted_on_time"] == 1
    assert result["initial"]["sample"] == {"submitted_on_time": 1, "submitted_late": 0}
    assert result["annual"]["2011"] == {
        "due": 3,
        "submitted": 2,
        "on_time": 1,
        "not_recorded": 0,
        "rate": 0.67,
        "sample": {"submitted": 1, "on_time": 0},
    }
    plain = reporting.figures(STATES, [annual("NOR", 2011, D(2012, 4, 30))], D(2012, 6, 1), COMPLETE)
    assert "sample" not in plain["initial"] and "sample" not in plain["annual"]["2011"]


@given(fixtures(), days)
def test_without_a_completeness_date_nothing_is_overdue(fixture, as_of):
    """Missing data accuses no State: with no day from which ISU's records are complete,
    every report not received is not recorded, and no rate rests on it."""
    states, submissions = fixture
    result = reporting.figures(states, submissions, as_of)
    complete = reporting.figures(states, submissions, as_of, COMPLETE)
    assert result["initial"]["overdue"] == 0 and result["initial"]["overdue_states"] == []
    assert result["initial"]["not_recorded"] == complete["initial"]["overdue"]
    for year, counts in result["annual"].items():
        assert counts["not_recorded"] == counts["due"] - counts["submitted"]
        assert counts["rate"] == (1.0 if counts["submitted"] else None)
        assert complete["annual"][year]["not_recorded"] == 0
