"""The money adds up: each case that found an error (issue 11), as the plain rules compute it, and
properties over random records. The same cases run through the pages, the API, the exports and the
command line in tests/test_money_surfaces.py."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from article6.assistance import rules

RATES = {("GBP", 2026): D("1.30"), ("EUR", 2025): D("1.10")}


def need(key, amount, *, state="KHM", pillar="clearance", currency="USD", start=2026, end=2026, **kw):
    return rules.NeedIn(key, state, pillar, currency, D(amount), start, end, **kw)


def commitment(key, flows, *, state="KHM", currency="USD", shares=None, visibility="public"):
    flows = tuple(rules.FlowIn(kind, year, D(amount)) for kind, year, amount in flows)
    return rules.CommitmentIn(key, state, currency, visibility, shares or {"clearance": D(100)}, flows)


def row(funding, state="KHM", pillar="clearance", year=2026):
    return {(r.state, r.pillar, r.year): r for r in funding.rows}[(state, pillar, year)]


# 1. A commitment counted twice.
def test_a_commitment_linked_to_two_needs_is_counted_once_divided_by_what_each_lacks():
    funding = rules.count(
        [need("a", "200000"), need("b", "100000")],
        [commitment("c", [("committed", 2026, "220000")])],
        [rules.LinkIn("c", "a"), rules.LinkIn("c", "b")],
        {},
    )
    # 220,000 in proportion to 200,000 and 100,000: two thirds and one third, to the cent.
    assert funding.needs["a"].covered == D("146666.67")
    assert funding.needs["b"].covered == D("73333.33")
    assert funding.needs["a"].covered + funding.needs["b"].covered == D("220000")
    assert row(funding).funded == D("220000")
    assert row(funding).gap == D("80000")  # 300,000 needed, 220,000 given


def test_by_pillar_first_then_by_what_each_lacks():
    funding = rules.count(
        [need("clear", "100000"), need("va", "100000", pillar="victim_assistance")],
        [commitment("c", [("committed", 2026, "50000")], shares={"clearance": D(60), "victim_assistance": D(40)})],
        [rules.LinkIn("c", "clear"), rules.LinkIn("c", "va")],
        {},
    )
    assert funding.needs["clear"].covered == D("30000")
    assert funding.needs["va"].covered == D("20000")


def test_money_of_a_pillar_no_linked_need_has_is_outside_stated_needs():
    funding = rules.count(
        [need("clear", "100000")],
        [commitment("c", [("committed", 2026, "50000")], shares={"clearance": D(60), "victim_assistance": D(40)})],
        [rules.LinkIn("c", "clear")],
        {},
    )
    assert funding.needs["clear"].covered == D("30000")
    assert row(funding, pillar="victim_assistance").outside_needs == D("20000")


# 2. Links bigger than the money.
def test_links_bigger_than_the_money_are_found():
    c = commitment("c", [("committed", 2026, "100000")])
    excess = rules.link_excess(c, {"a": ("clearance", D("80000")), "b": ("clearance", D("80000"))})
    assert [(e.need, e.asked, e.available) for e in excess] == [(None, D("160000"), D("100000"))]
    small = commitment("s", [("committed", 2026, "10000")])
    [e] = rules.link_excess(small, {"a": ("clearance", D("1000000"))})
    assert (e.need, e.asked, e.available) == ("a", D("1000000"), D("10000"))
    assert rules.link_excess(c, {"a": ("clearance", D("60000")), "b": ("clearance", D("40000"))}) == []


def test_links_asking_more_than_there_is_are_counted_in_proportion_and_flagged():
    funding = rules.count(
        [need("a", "100000"), need("b", "100000")],
        [commitment("c", [("committed", 2026, "100000")])],
        [rules.LinkIn("c", "a", D("80000")), rules.LinkIn("c", "b", D("80000"))],
        {},
    )
    assert funding.needs["a"].covered == funding.needs["b"].covered == D("50000")
    assert funding.problems["c"]


# 3. A pledge counted as cover.
def test_a_pledge_is_shown_and_never_counted():
    funding = rules.count(
        [need("a", "50000")],
        [commitment("c", [("pledged", 2026, "50000")])],
        [rules.LinkIn("c", "a", D("50000"))],
        {},
    )
    assert funding.needs["a"].covered == 0
    assert funding.needs["a"].pledged == D("50000")
    assert rules.need_status("open", D("50000"), funding.needs["a"].covered, funding.needs["a"].linked) == (
        "partly_covered" if funding.needs["a"].covered else "open"
    )
    assert row(funding).pledged == D("50000") and row(funding).gap == D("50000")


# 4. Paid money that never counts.
def test_a_disbursement_alone_counts():
    funding = rules.count(
        [need("a", "30000")], [commitment("c", [("disbursed", 2026, "30000")])], [rules.LinkIn("c", "a")], {}
    )
    assert funding.needs["a"].covered == D("30000") and row(funding).gap == 0


def test_a_disbursement_larger_than_the_commitment_counts_what_was_paid():
    funding = rules.count(
        [need("a", "37000")],
        [commitment("c", [("committed", 2026, "30000"), ("disbursed", 2026, "37000")])],
        [rules.LinkIn("c", "a")],
        {},
    )
    assert funding.needs["a"].covered == D("37000") and row(funding).gap == 0


def test_expenditure_counts_where_no_disbursement_is_reported():
    counted, _ = rules.counted_by_year([rules.FlowIn("expended", 2026, D("12000"))])
    assert counted == {2026: D("12000")}


def test_money_committed_one_year_and_paid_the_next_counts_once():
    counted, _ = rules.counted_by_year(
        [
            rules.FlowIn("committed", 2025, D("100000")),
            rules.FlowIn("disbursed", 2025, D("50000")),
            rules.FlowIn("disbursed", 2026, D("50000")),
        ]
    )
    assert counted == {2025: D("100000")}


# 5. The gap computed from unlike totals.
def test_the_gap_adds_what_each_open_need_lacks():
    funding = rules.count(
        [need("met", "40000", declared="closed"), need("open", "60000")],
        [commitment("c", [("committed", 2026, "40000")])],
        [rules.LinkIn("c", "met")],
        {},
    )
    r = row(funding)
    assert (r.needed, r.funded, r.outside_needs, r.gap) == (D("60000"), 0, D("40000"), D("60000"))


def test_funding_linked_to_no_need_is_outside_stated_needs():
    funding = rules.count([need("a", "60000")], [commitment("c", [("committed", 2026, "25000")])], [], {})
    r = row(funding)
    assert (r.funded, r.outside_needs, r.gap) == (0, D("25000"), D("60000"))


# 6. Over- and under-shooting hidden.
def test_over_coverage_is_shown_as_it_is():
    funding = rules.count(
        [need("a", "100000")], [commitment("c", [("committed", 2026, "160000")])], [rules.LinkIn("c", "a")], {}
    )
    a = funding.needs["a"]
    assert a.ratio == 1.6 and a.over_covered and a.gap == 0 and row(funding).gap == 0


def test_a_correction_that_overshoots_counts_as_zero_and_is_flagged():
    funding = rules.count(
        [need("a", "10000")],
        [commitment("c", [("committed", 2026, "10000"), ("committed", 2026, "-15000")])],
        [rules.LinkIn("c", "a")],
        {},
    )
    a = funding.needs["a"]
    assert a.covered == 0 and a.ratio == 0 and a.gap == D("10000") and row(funding).gap == D("10000")
    assert "less than zero" in funding.problems["c"][0]


def test_a_later_correction_is_taken_from_the_years_before():
    counted, problems = rules.counted_by_year(
        [rules.FlowIn("committed", 2025, D("100000")), rules.FlowIn("committed", 2026, D("-30000"))]
    )
    assert counted == {2025: D("70000")} and problems == []


# 8. A missing rate shown as zero.
def test_an_amount_without_a_rate_makes_the_figures_unknown_and_says_so():
    funding = rules.count(
        [need("eur", "100000", currency="EUR"), need("usd", "50000")],
        [commitment("c", [("committed", 2026, "12000")])],
        [rules.LinkIn("c", "eur")],
        {},
    )
    r = row(funding)
    assert r.needed == D("50000") and not r.complete
    assert r.missing["needed"] == [rules.Missing(D("100000"), "EUR", 2026)]
    assert funding.needs["eur"].missing == [rules.Missing(D("12000"), "USD", 2026)]
    assert funding.needs["eur"].covered == 0
    # In US dollars the 12,000 counts towards the need; what the need asks for is unknown, named once.
    assert r.funded == D("12000")
    assert r.problems == ["100000.00 EUR for 2026: no exchange rate"]


# 9. Rounding.
def test_a_hundred_cents_split_in_halves_make_fifty_each():
    funding = rules.count(
        [],
        [
            commitment(
                "c",
                [("committed", 2026, "0.01")] * 100,
                shares={"clearance": D(50), "victim_assistance": D(50)},
            )
        ],
        [],
        {},
    )
    assert row(funding).outside_needs == D("0.50")
    assert row(funding, pillar="victim_assistance").outside_needs == D("0.50")


def test_a_hundred_pence_at_one_thirty_make_one_dollar_thirty():
    funding = rules.count([], [commitment("c", [("committed", 2026, "0.01")] * 100, currency="GBP")], [], RATES)
    assert rules.rounded(row(funding).committed) == D("1.30")
    assert rules.rounded(row(funding).outside_needs) == D("1.30")


def test_a_split_never_loses_a_cent():
    assert rules.split_by_pillar(D("100.01"), {"clearance": D(50), "victim_assistance": D(50)}) == {
        "clearance": D("50.01"),
        "victim_assistance": D("50.00"),
    }
    assert sum(rules.largest_remainder(D("100"), {1: D(1), 2: D(1), 3: D(1)}).values()) == D("100")


# --- Properties -------------------------------------------------------------------------------

PILLARS = ["clearance", "victim_assistance", "stockpile_destruction"]
amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
corrections = st.decimals(min_value=D("-500000"), max_value=D("1000000"), places=2)
years = st.integers(min_value=2024, max_value=2027)


@st.composite
def worlds(draw):
    n_needs = draw(st.integers(0, 5))
    needs = []
    for i in range(n_needs):
        start = draw(years)
        end = draw(st.integers(start, 2027))
        needs.append(
            rules.NeedIn(
                f"n{i}",
                "KHM",
                draw(st.sampled_from(PILLARS)),
                draw(st.sampled_from(["USD", "GBP", "EUR"])),
                draw(amounts),
                start,
                end,
                declared=draw(st.sampled_from(["open", "open", "open", "closed"])),
            )
        )
    commitments, links = [], []
    for j in range(draw(st.integers(0, 4))):
        flows = tuple(
            rules.FlowIn(
                draw(st.sampled_from(["pledged", "committed", "disbursed", "expended"])), draw(years), draw(corrections)
            )
            for _ in range(draw(st.integers(0, 5)))
        )
        chosen = draw(st.lists(st.sampled_from(PILLARS), min_size=0, max_size=3, unique=True))
        shares = rules.largest_remainder(D(100), dict.fromkeys(chosen, D(1))) if chosen else {}
        key = f"c{j}"
        commitments.append(
            rules.CommitmentIn(
                key,
                "KHM",
                draw(st.sampled_from(["USD", "GBP", "EUR"])),
                draw(st.sampled_from(["public", "signed_in", "restricted", "isu_only"])),
                shares,
                flows,
            )
        )
        for n in needs:
            if draw(st.booleans()):
                links.append(rules.LinkIn(key, n.key, draw(st.none() | amounts)))
    rates = {}
    for currency in ("GBP", "EUR"):
        for year in range(2024, 2028):
            if draw(st.booleans()):
                rates[(currency, year)] = draw(st.decimals(min_value=D("0.5"), max_value=D("2"), places=4))
    return needs, commitments, links, rates


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_the_money_adds_up_whatever_the_records(world):
    needs, commitments, links, rates = world
    funding = rules.count(needs, commitments, links, rates)
    for c in commitments:
        counted, _problems = rules.counted_by_year(c.flows)
        total = sum(counted.values(), D(0))
        division = funding.divisions[c.key]
        given_out = sum((division.towards(n.key) for n in needs), D(0)) + division.outside_total
        # No commitment's money is counted more than once, and none is lost.
        assert given_out == total
        assert all(v >= 0 for v in counted.values())
    for r in funding.rows:
        # The gap is never negative and never more than what is needed (what can be converted).
        assert D(0) <= r.gap <= r.needed or (r.missing.get("gap") and r.gap >= 0)
    for n in needs:
        parts = rules.needed_by_year(n)
        assert sum(parts.values(), D(0)) == n.amount  # the parts of every split add up to the whole


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_a_public_figure_counts_only_public_records(world):
    needs, commitments, links, rates = world
    public = [c for c in commitments if c.visibility == "public"]
    hidden = {c.key for c in commitments} - {c.key for c in public}
    seen = rules.count(needs, public, links, rates)
    for n in needs:
        assert not set(seen.needs[n.key].by_commitment) & hidden
    assert set(seen.divisions) == {c.key for c in public}
    # A hidden commitment's amounts change no public figure: the same figures without it.
    without = rules.count(needs, public, [link for link in links if link.commitment not in hidden], rates)
    assert [vars(r) for r in seen.rows] == [vars(r) for r in without.rows]


@settings(max_examples=300, deadline=None)
@given(amounts, st.lists(st.decimals(min_value=D("0"), max_value=D("100"), places=2), min_size=1, max_size=6))
def test_the_parts_of_every_split_add_up_to_the_whole(amount, weights):
    parts = rules.largest_remainder(amount, dict(enumerate(weights)))
    assert sum(parts.values(), D(0)) == amount
    assert all(part >= 0 for part in parts.values())
