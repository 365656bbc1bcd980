"""The Convention's rules, tested from the treaty text (no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from article6.treaty import rules
from article6.treaty.rules import (
    DeadlineKind,
    FactKind,
    ObligationFact,
    ObligationStatus,
    Status,
    TreatyDates,
)

pytestmark = pytest.mark.sqlite_and_postgres

D = dt.date


# --- Art. 17: entry into force ------------------------------------------------------------


@pytest.mark.parametrize(
    ("deposit", "expected"),
    [
        # Art. 17(1): in force "on the first day of the sixth month after the month in which
        # the thirtieth instrument ... has been deposited" (16 February 2010): 1 August 2010,
        # for every State that had deposited by then (Ireland, Norway, Holy See on 3 Dec 2008).
        (D(2008, 12, 3), D(2010, 8, 1)),
        (D(2010, 2, 16), D(2010, 8, 1)),  # the thirtieth instrument itself
        # Art. 17(2): for a later deposit, "the first day of the sixth month after the date
        # on which that State has deposited": still August for the rest of February 2010.
        (D(2010, 2, 17), D(2010, 8, 1)),
        (D(2010, 2, 28), D(2010, 8, 1)),
        (D(2010, 3, 1), D(2010, 9, 1)),
        (D(2010, 5, 28), D(2010, 11, 1)),  # Fiji
        (D(2018, 8, 31), D(2019, 2, 1)),  # Namibia, deposited on the 31st
        (D(2016, 4, 19), D(2016, 10, 1)),  # Palau, 100th State Party
        (D(2011, 1, 31), D(2011, 7, 1)),
        (D(2011, 3, 31), D(2011, 9, 1)),
        (D(2011, 10, 31), D(2012, 4, 1)),  # across the year end
        (D(2011, 12, 31), D(2012, 6, 1)),
        (D(2012, 2, 29), D(2012, 8, 1)),  # a leap day
    ],
)
def test_entry_into_force(deposit, expected):
    assert rules.entry_into_force(deposit) == expected


def test_no_deposit_no_entry_into_force():
    assert rules.entry_into_force(None) is None


# --- Art. 20: withdrawal ------------------------------------------------------------------


def test_lithuania_withdrawal_takes_effect_six_months_after_receipt():
    """Art. 20(2): "Such withdrawal shall only take effect six months after the receipt
    of the instrument of withdrawal by the Depositary"."""
    lithuania = TreatyDates(signature=D(2008, 12, 3), deposit=D(2011, 3, 24), withdrawal_notified=D(2024, 9, 6))
    assert lithuania.withdrawal_effective == D(2025, 3, 6)
    assert rules.status_on(lithuania, D(2025, 3, 5)) is Status.STATE_PARTY
    assert rules.in_force_on(lithuania, D(2025, 3, 5))
    assert rules.status_on(lithuania, D(2025, 3, 6)) is Status.WITHDRAWN
    assert not rules.in_force_on(lithuania, D(2025, 3, 6))


@pytest.mark.parametrize(
    ("notified", "expected"),
    [
        (D(2023, 8, 31), D(2024, 2, 29)),  # six months on is a leap February: its last day
        (D(2024, 8, 31), D(2025, 2, 28)),
        (D(2024, 8, 30), D(2025, 2, 28)),
        (D(2024, 12, 31), D(2025, 6, 30)),
    ],
)
def test_withdrawal_six_months_on_a_shorter_month(notified, expected):
    assert rules.withdrawal_effective(notified) == expected


def test_withdrawal_during_armed_conflict_waits_for_its_end():
    """Art. 20(2): if the State is engaged in an armed conflict at the end of the six
    months, "the withdrawal shall not take effect before the end of the armed conflict"."""
    assert rules.withdrawal_effective(D(2024, 9, 6), armed_conflict_ended=D(2026, 1, 15)) == D(2026, 1, 15)
    # A conflict that ended before the six months does not change the date.
    assert rules.withdrawal_effective(D(2024, 9, 6), armed_conflict_ended=D(2024, 12, 1)) == D(2025, 3, 6)


# --- Status on a date ----------------------------------------------------------------------


def test_palau_is_a_state_party_from_deposit_before_entry_into_force():
    """The Convention announced Palau as the 100th State Party in 2016, before the
    Convention entered into force for it on 1 October 2016."""
    palau = TreatyDates(signature=D(2008, 12, 3), deposit=D(2016, 4, 19))
    assert rules.status_on(palau, D(2016, 4, 18)) is Status.SIGNATORY
    assert rules.status_on(palau, D(2016, 4, 19)) is Status.STATE_PARTY
    assert rules.status_on(palau, D(2016, 8, 1)) is Status.STATE_PARTY
    assert not rules.in_force_on(palau, D(2016, 9, 30))
    assert rules.in_force_on(palau, D(2016, 10, 1))


def test_status_before_signature_and_accession_without_signature():
    angola = TreatyDates(signature=D(2008, 12, 3))
    assert rules.status_on(angola, D(2008, 12, 2)) is Status.NON_SIGNATORY
    assert rules.status_on(angola, D(2008, 12, 3)) is Status.SIGNATORY
    andorra = TreatyDates(deposit=D(2013, 4, 9))  # accession (Art. 16(2)), never signed
    assert rules.status_on(andorra, D(2013, 4, 8)) is Status.NON_SIGNATORY
    assert rules.status_on(andorra, D(2013, 4, 9)) is Status.STATE_PARTY


# --- Art. 7: transparency reports -----------------------------------------------------------


def test_fiji_initial_and_first_annual_report():
    """Art. 7(1): initial report "not later than 180 days after the entry into force";
    Art. 7(2): annual update "covering the last calendar year ... not later than 30 April"."""
    eif = rules.entry_into_force(D(2010, 5, 28))
    assert rules.initial_report_due(eif) == D(2011, 4, 30)
    assert rules.first_annual_report_year(eif) == 2011
    assert rules.next_annual_report_due(eif, D(2011, 1, 1)) == D(2012, 4, 30)


def test_initial_report_180_days_across_leap_and_common_february():
    assert rules.initial_report_due(D(2024, 1, 1)) == D(2024, 6, 29)  # 2024 is a leap year
    assert rules.initial_report_due(D(2023, 1, 1)) == D(2023, 6, 30)
    assert rules.initial_report_due(D(2010, 8, 1)) == D(2011, 1, 28)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2019, 4, 29), D(2019, 4, 30)),
        (D(2019, 4, 30), D(2019, 4, 30)),  # the due day itself is still in time
        (D(2019, 5, 1), D(2020, 4, 30)),
        (D(2019, 12, 31), D(2020, 4, 30)),
        (D(2020, 1, 1), D(2020, 4, 30)),
    ],
)
def test_the_30_april_boundary(as_of, expected):
    assert rules.next_annual_report_due(D(2010, 8, 1), as_of) == expected


def test_no_annual_report_due_after_withdrawal_takes_effect():
    assert rules.next_annual_report_due(D(2011, 9, 1), D(2025, 1, 1), withdrawal_effective=D(2025, 3, 6)) is None
    assert rules.next_annual_report_due(D(2011, 9, 1), D(2024, 1, 1), withdrawal_effective=D(2025, 3, 6)) == D(
        2024, 4, 30
    )


# --- Art. 3 and Art. 4: deadlines, extensions ------------------------------------------------


def test_stockpile_destruction_deadline_eight_years():
    """Art. 3(2): "not later than eight years after entry into force". Guinea-Bissau:
    deposited 29 November 2010, in force 1 May 2011, deadline 1 May 2019."""
    eif = rules.entry_into_force(D(2010, 11, 29))
    assert eif == D(2011, 5, 1)
    assert rules.stockpile_destruction_deadline(eif) == D(2019, 5, 1)


def test_clearance_deadline_ten_years_and_after_active_hostilities():
    """Art. 4(1)(a): ten years after entry into force; (b) for remnants arising later,
    ten years after the end of the active hostilities."""
    assert rules.clearance_deadline(D(2010, 8, 1)) == D(2020, 8, 1)
    assert rules.clearance_deadline(D(2010, 8, 1), end_of_active_hostilities=D(2016, 3, 15)) == D(2026, 3, 15)
    # Hostilities that ended before entry into force do not move the deadline.
    assert rules.clearance_deadline(D(2010, 8, 1), end_of_active_hostilities=D(2006, 8, 14)) == D(2020, 8, 1)


def test_extension_limits():
    """Art. 3(3): up to four years; Art. 4(5): up to five years."""
    assert not rules.extension_exceeds_limit(3, D(2019, 10, 1), D(2023, 10, 1))
    assert rules.extension_exceeds_limit(3, D(2019, 10, 1), D(2023, 10, 2))
    assert not rules.extension_exceeds_limit(4, D(2020, 8, 1), D(2025, 8, 1))
    assert rules.extension_exceeds_limit(4, D(2020, 8, 1), D(2025, 8, 2))


@pytest.mark.parametrize(
    ("opens", "last_day"),
    [
        (D(2019, 9, 2), D(2018, 12, 2)),  # the Ninth Meeting
        (D(2024, 11, 30), D(2024, 2, 29)),  # nine months before 30 November: end of February (leap)
        (D(2025, 11, 30), D(2025, 2, 28)),
        (D(2025, 5, 31), D(2024, 8, 31)),
    ],
)
def test_extension_request_nine_months_before_the_meeting(opens, last_day):
    assert rules.extension_request_last_day(opens) == last_day


def test_lao_clearance_extension_counts_from_its_decision():
    """Lao PDR: in force 1 August 2010, Art. 4 deadline 1 August 2020, extended by five
    years at the Ninth Meeting of States Parties (decided 4 September 2019)."""
    facts = [
        ObligationFact(4, FactKind.CONTAMINATED, D(2019, 7, 1)),
        ObligationFact(4, FactKind.EXTENSION_GRANTED, D(2019, 9, 4), new_deadline=D(2025, 8, 1), meeting="9MSP"),
    ]
    before = rules.obligation_on(4, D(2010, 8, 1), facts, D(2019, 9, 3))
    assert before.applies and before.base_deadline == D(2020, 8, 1)
    assert before.extended_deadline is None and before.deadline == D(2020, 8, 1)
    assert before.status is ObligationStatus.DUE_SOON
    after = rules.obligation_on(4, D(2010, 8, 1), facts, D(2019, 9, 4))
    assert after.extended_deadline == D(2025, 8, 1)
    assert after.status is ObligationStatus.ON_TRACK
    assert rules.obligation_on(3, D(2010, 8, 1), facts, D(2019, 9, 4)).status is ObligationStatus.NOT_APPLICABLE


def test_bulgaria_stockpile_extension_and_completion():
    eif = rules.entry_into_force(D(2011, 4, 6))
    facts = [
        ObligationFact(3, FactKind.HOLDS_STOCKPILES, D(2019, 1, 1)),
        ObligationFact(3, FactKind.EXTENSION_GRANTED, D(2019, 9, 4), new_deadline=D(2021, 4, 1)),
        ObligationFact(3, FactKind.COMPLETED, D(2023, 12, 31)),
    ]
    assert rules.obligation_on(3, eif, facts, D(2019, 9, 4)).deadline == D(2021, 4, 1)
    assert rules.obligation_on(3, eif, facts, D(2021, 4, 1)).status is ObligationStatus.DUE_SOON
    # The day after the extended deadline, nothing published says what happened since the
    # 9MSP decision: not "overdue", but passed with no information since 4 September 2019.
    passed = rules.obligation_on(3, eif, facts, D(2021, 4, 2))
    assert passed.status is ObligationStatus.PASSED_NO_INFORMATION
    assert passed.last_fact_date == D(2019, 9, 4) and passed.passed
    done = rules.obligation_on(3, eif, facts, D(2024, 1, 1))
    # "reported complete destruction in 2023", dated 31 December 2023: nothing shows the
    # stockpile still held after 1 April 2021, so the completion is not called late.
    assert done.completed == D(2023, 12, 31) and done.status is ObligationStatus.COMPLETED
    still_held = [*facts, ObligationFact(3, FactKind.HOLDS_STOCKPILES, D(2022, 5, 16))]
    assert rules.obligation_on(3, eif, still_held, D(2024, 1, 1)).status is ObligationStatus.COMPLETED_LATE


@pytest.mark.parametrize(
    ("as_of", "completed", "expected"),
    [
        (D(2017, 4, 30), None, ObligationStatus.ON_TRACK),
        (D(2017, 5, 1), None, ObligationStatus.DUE_SOON),  # exactly twelve months before
        (D(2018, 5, 1), None, ObligationStatus.DUE_SOON),  # the deadline day is still in time
        (D(2018, 5, 2), None, ObligationStatus.PASSED_NO_INFORMATION),  # no fact since: not known
        (D(2018, 6, 1), D(2018, 5, 1), ObligationStatus.COMPLETED),
        # A completion dated after the deadline, with no fact showing the work open after
        # it: the register may lack an extension, so it is not called late.
        (D(2018, 6, 1), D(2018, 5, 2), ObligationStatus.COMPLETED),
    ],
)
def test_obligation_status_edges(as_of, completed, expected):
    assert rules.obligation_status(applies=True, deadline=D(2018, 5, 1), completed=completed, as_of=as_of) is expected


@pytest.mark.parametrize(
    ("open_on", "expected"),
    [
        (D(2018, 5, 1), ObligationStatus.COMPLETED),  # open on the deadline day: still in time
        (D(2018, 5, 2), ObligationStatus.COMPLETED_LATE),  # still open the day after the deadline
        (D(2018, 5, 20), ObligationStatus.COMPLETED_LATE),  # open on the day it was completed
    ],
)
def test_completed_late_only_where_a_fact_shows_the_work_open_after_the_deadline(open_on, expected):
    status = rules.obligation_status(
        applies=True, deadline=D(2018, 5, 1), completed=D(2018, 5, 20), as_of=D(2018, 6, 1), open_on=open_on
    )
    assert status is expected


@pytest.mark.parametrize(
    ("open_on", "as_of", "expected"),
    [
        (None, D(2018, 5, 2), ObligationStatus.PASSED_NO_INFORMATION),
        (D(2017, 1, 1), D(2018, 5, 2), ObligationStatus.PASSED_NO_INFORMATION),  # open before the deadline
        (D(2018, 5, 1), D(2018, 5, 2), ObligationStatus.PASSED_NO_INFORMATION),  # on the deadline day itself
        (D(2018, 5, 2), D(2018, 5, 2), ObligationStatus.OVERDUE),  # still open the day after
        (D(2018, 5, 2), D(2018, 5, 1), ObligationStatus.DUE_SOON),  # a fact not yet known on as_of
        (D(2019, 1, 1), D(2018, 12, 31), ObligationStatus.PASSED_NO_INFORMATION),  # known only later
    ],
)
def test_overdue_only_where_a_fact_after_the_deadline_shows_it_open(open_on, as_of, expected):
    """Art. 3(2): "not later than eight years after" entry into force (here 1 May 2018). A
    deadline passed is overdue only where a fact dated after it shows the obligation open."""
    status = rules.obligation_status(applies=True, deadline=D(2018, 5, 1), completed=None, as_of=as_of, open_on=open_on)
    assert status is expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (FactKind.CONTAMINATED, ObligationStatus.OVERDUE),  # Art. 4: still listed as contaminated
        (FactKind.IN_PROGRESS, ObligationStatus.OVERDUE),  # reported, or recorded by ISU, as in progress
        (FactKind.EXTENSION_CONSIDERED, ObligationStatus.OVERDUE),  # more time asked for after the deadline
    ],
)
def test_clearance_overdue_from_a_fact_dated_after_the_deadline(kind, expected):
    """Art. 4(1): ten years after entry into force (1 August 2010 -> 1 August 2020)."""
    facts = [
        ObligationFact(4, FactKind.CONTAMINATED, D(2019, 7, 1)),
        ObligationFact(4, kind, D(2021, 3, 1)),
    ]
    before = rules.obligation_on(4, D(2010, 8, 1), facts, D(2021, 2, 28))
    assert before.status is ObligationStatus.PASSED_NO_INFORMATION
    assert before.last_fact_date == D(2019, 7, 1)
    after = rules.obligation_on(4, D(2010, 8, 1), facts, D(2021, 3, 1))
    assert after.status is expected
    assert after.last_fact_date == D(2021, 3, 1)


def test_an_extension_decided_after_the_deadline_puts_the_obligation_back_on_track():
    """Art. 4(5): an extension of up to five years; counted from the day it is decided."""
    facts = [
        ObligationFact(4, FactKind.CONTAMINATED, D(2019, 7, 1)),
        ObligationFact(4, FactKind.EXTENSION_GRANTED, D(2020, 11, 27), new_deadline=D(2025, 8, 1)),
    ]
    assert (
        rules.obligation_on(4, D(2010, 8, 1), facts, D(2020, 11, 26)).status is ObligationStatus.PASSED_NO_INFORMATION
    )
    extended = rules.obligation_on(4, D(2010, 8, 1), facts, D(2020, 11, 27))
    assert extended.status is ObligationStatus.ON_TRACK and extended.is_extended and not extended.passed


def test_no_fact_known_on_the_date_leaves_no_last_fact_date():
    """Lao PDR as of 1 January 2021 without its extension, if the only fact were dated later."""
    facts = [ObligationFact(4, FactKind.CONTAMINATED, D(2021, 7, 1))]
    obligation = rules.obligation_on(4, D(2010, 8, 1), facts, D(2021, 1, 1))
    assert obligation.status is ObligationStatus.PASSED_NO_INFORMATION
    assert obligation.last_fact_date is None


def test_obligation_status_values_are_exactly_the_seven_published():
    assert [s.value for s in ObligationStatus] == [
        "not_applicable",
        "on_track",
        "due_within_12_months",
        "passed_no_information",
        "overdue",
        "completed",
        "completed_late",
    ]


def test_obligation_status_not_applicable():
    status = rules.obligation_status(applies=False, deadline=D(2018, 5, 1), completed=None, as_of=D(2020, 1, 1))
    assert status is ObligationStatus.NOT_APPLICABLE


# --- Deadlines of one State --------------------------------------------------------------------


def test_state_deadlines_for_a_state_party_a_signatory_and_a_withdrawn_state():
    fiji = TreatyDates(signature=D(2008, 12, 3), deposit=D(2010, 5, 28))
    kinds = [d.kind for d in rules.state_deadlines(fiji, [], D(2011, 1, 1), D(2012, 12, 31))]
    assert kinds == [DeadlineKind.INITIAL_REPORT, DeadlineKind.ANNUAL_REPORT]
    assert rules.state_deadlines(TreatyDates(signature=D(2008, 12, 3)), [], D(2011, 1, 1), D(2030, 1, 1)) == []
    lithuania = TreatyDates(deposit=D(2011, 3, 24), withdrawal_notified=D(2024, 9, 6))
    after = rules.state_deadlines(lithuania, [], D(2025, 1, 1), D(2030, 1, 1))
    assert after == []  # the 30 April 2025 update falls after withdrawal took effect


def test_extension_request_deadline_names_the_next_meeting_that_accepts_one():
    lao = TreatyDates(deposit=D(2009, 3, 18))
    obligation = rules.obligation_on(
        4, D(2010, 8, 1), [ObligationFact(4, FactKind.CONTAMINATED, D(2019, 7, 1))], D(2014, 1, 1)
    )
    meetings = [("5MSP", D(2014, 9, 2)), ("1RC", D(2015, 9, 7)), ("9MSP", D(2019, 9, 2))]
    found = [
        d
        for d in rules.state_deadlines(lao, [obligation], D(2014, 1, 1), D(2015, 12, 31), meetings)
        if d.kind is DeadlineKind.EXTENSION_REQUEST
    ]
    # the Fifth Meeting's last day (2 December 2013) had passed on 1 January 2014
    assert [(d.meeting, d.date) for d in found] == [("1RC", D(2014, 12, 7))]


# --- Membership ------------------------------------------------------------------------------------


def test_membership_counts_by_region():
    states = [
        ("Europe", TreatyDates(signature=D(2008, 12, 3), deposit=D(2008, 12, 3))),
        ("Europe", TreatyDates(signature=D(2008, 12, 3), deposit=D(2011, 3, 24), withdrawal_notified=D(2024, 9, 6))),
        ("Africa", TreatyDates(signature=D(2008, 12, 3))),
        ("Pacific", TreatyDates(deposit=D(2025, 9, 5))),
    ]
    m = rules.membership(states, D(2025, 10, 1))
    assert (m.states_parties, m.signatories, m.in_force) == (2, 1, 1)
    assert m.by_region["Europe"].states_parties == 1
    assert m.by_region["Pacific"].in_force == 0


# --- Properties ----------------------------------------------------------------------------------

days = st.dates(min_value=D(2008, 12, 3), max_value=D(2100, 12, 31))


@given(days)
def test_entry_into_force_is_a_first_of_month_never_before_1_august_2010(deposit):
    eif = rules.entry_into_force(deposit)
    assert eif.day == 1
    assert eif >= D(2010, 8, 1)
    if deposit > rules.THIRTIETH_INSTRUMENT_DEPOSITED:
        assert eif > deposit
        assert rules.add_months(deposit, 5) < eif <= rules.add_months(deposit, 6) + dt.timedelta(days=1)


@given(days)
def test_initial_report_is_due_180_days_after_entry_into_force(deposit):
    eif = rules.entry_into_force(deposit)
    assert (rules.initial_report_due(eif) - eif).days == 180


@given(days, st.dates(min_value=D(2010, 8, 1), max_value=D(2100, 1, 1)))
def test_next_annual_report_is_a_30_april_within_a_year(deposit, as_of):
    eif = rules.entry_into_force(deposit)
    due = rules.next_annual_report_due(eif, as_of)
    assert (due.month, due.day) == (4, 30)
    assert due >= as_of
    assert due > rules.initial_report_due(eif)
    assert due <= max(rules.add_years(as_of, 1), rules.annual_report_due(rules.first_annual_report_year(eif)))


@given(days, st.dates(min_value=D(2008, 12, 3), max_value=D(2100, 1, 1)))
def test_withdrawal_is_at_least_six_months_after_notification(deposit, notified):
    effective = rules.withdrawal_effective(notified)
    assert effective >= rules.add_months(notified, 6)
    assert (effective - notified).days >= 181


@given(
    st.dates(min_value=D(2008, 12, 3), max_value=D(2040, 1, 1)),
    st.one_of(st.none(), st.dates(min_value=D(2008, 12, 3), max_value=D(2060, 1, 1))),
    st.lists(st.dates(min_value=D(2008, 1, 1), max_value=D(2070, 1, 1)), min_size=2, max_size=6),
)
def test_a_state_party_stays_one_until_its_withdrawal_takes_effect(deposit, notified, probes):
    if notified is not None and notified < deposit:
        notified = None
    dates = TreatyDates(deposit=deposit, withdrawal_notified=notified)
    seen_withdrawn = False
    for day in sorted(probes):
        status = rules.status_on(dates, day)
        if seen_withdrawn:
            assert status is Status.WITHDRAWN
        if status is Status.WITHDRAWN:
            seen_withdrawn = True
        elif day >= deposit:
            assert status is Status.STATE_PARTY


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Africa", "Americas", "Asia", "Europe", "Middle East", "Pacific"]),
            st.one_of(st.none(), days),
            st.one_of(st.none(), days),
        ),
        max_size=40,
    ),
    days,
)
def test_membership_totals_equal_the_sum_over_regions(rows, as_of):
    states = [(region, TreatyDates(signature=sig, deposit=dep)) for region, sig, dep in rows]
    m = rules.membership(states, as_of)
    assert m.states_parties == sum(r.states_parties for r in m.by_region.values())
    assert m.signatories == sum(r.signatories for r in m.by_region.values())
    assert m.in_force == sum(r.in_force for r in m.by_region.values())
    assert m.in_force <= m.states_parties
