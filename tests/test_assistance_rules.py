"""The assistance figures, from the rules' plain functions: money in its own currency
and in US dollars at the year's rate, a need's status from its commitments, the gap,
and what was provided against what was received."""

from decimal import Decimal

import pytest

from article6.assistance import rules

D = Decimal
RATES = {("GBP", 2011): D("1.6"), ("EUR", 2026): D("1.08"), ("NOK", 2026): D("0.095")}


def test_us_dollars_need_no_rate():
    assert rules.to_usd(D("100"), "USD", 2026, {}) == D("100")


def test_conversion_at_the_years_rate():
    assert rules.to_usd(D("2750000"), "GBP", 2011, RATES) == D("4400000")
    assert rules.to_usd(D("1000"), "eur", 2026, RATES) == D("1080")


def test_a_missing_rate_is_an_error_never_zero():
    with pytest.raises(rules.MissingRate) as error:
        rules.to_usd(D("1000"), "GBP", 2012, RATES)
    assert "GBP" in str(error.value) and "2012" in str(error.value)


def test_an_unknown_currency_is_an_error():
    with pytest.raises(rules.UnknownCurrency) as error:
        rules.to_usd(D("1"), "XYZ", 2026, RATES, known_currencies={"USD", "EUR"})
    assert "XYZ" in str(error.value)


def test_conversion_between_two_currencies_goes_through_dollars():
    # At full precision; rounded once, where it is shown.
    assert rules.rounded(rules.convert(D("1000"), "EUR", "NOK", 2026, RATES)) == D("11368.42")
    assert rules.convert(D("5"), "NOK", "NOK", 1999, {}) == D("5")


@pytest.mark.parametrize(
    ("declared", "needed", "covered", "linked", "status"),
    [
        ("open", D("100000"), D("60000"), True, "partly_covered"),  # 60% of it: partly covered
        ("open", D("100000"), D("100000"), True, "covered"),
        ("open", D("100000"), D("120000"), True, "covered"),
        ("open", D("100000"), D("0"), False, "open"),
        ("open", None, D("0"), True, "partly_covered"),  # no amount: only its State closes it
        ("open", None, D("0"), False, "open"),
        ("draft", D("100"), D("100"), True, "draft"),
        ("withdrawn", D("100"), D("0"), False, "withdrawn"),
        ("closed", D("100"), D("10"), True, "closed"),
    ],
)
def test_need_status_rolls_up_from_commitments(declared, needed, covered, linked, status):
    assert rules.need_status(declared, needed, covered, linked) == status


def test_coverage_ratio_is_shown_as_it_is():
    assert rules.coverage_ratio(D("100000"), D("60000")) == 0.6
    assert rules.coverage_ratio(D("100"), D("160")) == 1.6  # over-covered, shown so
    assert rules.coverage_ratio(None, D("5")) is None


def _need(key, state, pillar, amount, currency="USD", start=2026, end=2026, **kwargs):
    return rules.NeedIn(key, state, pillar, currency, D(amount), start, end, **kwargs)


def _commitment(key, state, currency, flows, shares=None, visibility="public"):
    return rules.CommitmentIn(
        key, state, currency, visibility, shares or {}, tuple(rules.FlowIn(k, y, D(a)) for k, y, a in flows)
    )


def test_gap_per_state_pillar_and_year_in_dollars():
    needs = [
        _need("n1", "LAO", "clearance", "800000", start=2026, end=2027, yearly={2026: D("400000"), 2027: D("400000")}),
        _need("n2", "LBN", "victim_assistance", "100000", "EUR"),
    ]
    commitments = [
        _commitment(
            "c1",
            "LAO",
            "USD",
            [("committed", 2026, "360000"), ("disbursed", 2026, "300000"), ("expended", 2026, "999")],
            {"clearance": D("100")},
        ),
        _commitment("c2", "LBN", "EUR", [("committed", 2026, "50000")], {"victim_assistance": D("100")}),
    ]
    links = [rules.LinkIn("c1", "n1"), rules.LinkIn("c2", "n2")]
    rows = {(r.state, r.pillar, r.year): r for r in rules.count(needs, commitments, links, RATES).rows}
    lao = rows["LAO", "clearance", 2026]
    assert (lao.needed, lao.committed, lao.disbursed, lao.funded, lao.gap) == (
        D("400000"),
        D("360000"),
        D("300000"),
        D("360000"),
        D("40000"),
    )
    assert rows["LAO", "clearance", 2027].gap == D("400000")
    lbn = rows["LBN", "victim_assistance", 2026]
    assert (lbn.needed, lbn.committed, lbn.gap) == (D("108000"), D("54000"), D("54000"))


def test_gap_names_a_missing_rate_and_counts_the_rest():
    funding = rules.count(
        [_need("n", "LAO", "clearance", "10", "JPY", start=2030, end=2030)],
        [_commitment("c", "LAO", "USD", [("committed", 2030, "5")], {"clearance": D("100")})],
        [],
        RATES,
    )
    [row] = funding.rows
    assert row.committed == D("5") and row.needed == 0 and not row.complete
    assert row.missing["needed"] == [rules.Missing(D("10"), "JPY", 2030)]
    assert row.problems == ["10.00 JPY for 2030: no exchange rate"]  # named once, not per figure


def test_a_gap_is_never_negative():
    funding = rules.count([], [_commitment("c", "LAO", "USD", [("committed", 2026, "5")])], [], {})
    assert funding.rows[0].gap == 0 and funding.rows[0].outside_needs == D("5")


def test_split_by_pillar_shares():
    assert rules.split_by_pillar(D("1000"), {"clearance": D("70"), "victim_assistance": D("30")}) == {
        "clearance": D("700.00"),
        "victim_assistance": D("300.00"),
    }
    assert rules.split_by_pillar(D("1000"), {}) == {}


def test_provided_and_received_side_by_side_with_the_difference():
    rows = rules.provided_and_received({2025: D("300000"), 2026: D("100000")}, {2025: D("280000"), 2027: D("5")})
    assert [(r.year, r.provided, r.received, r.difference) for r in rows] == [
        (2025, D("300000"), D("280000"), D("-20000")),
        (2026, D("100000"), None, None),
        (2027, None, D("5"), None),
    ]
    assert not rows[0].agrees
