"""Suggestions a coordinator can act on, continued: declined pairs leave the ranked list
for a "Declined" list with who declined, when and why, and come back only when a
coordinator proposes them again; each score reads as a share of the points possible for
the need; the weights of the words are frozen when built, so that publishing an
unrelated offer moves no pair's score; the page filters by modality, amount, period,
working language and restricted records; and under Art. 4(4) a former user's offer for
the State where its cluster munitions became remnants is named and gains points.

Each case is a hand-built pair whose right answer is stated in the test, from the need's
side and from the offer's."""

from dataclasses import replace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_matching_exclusions import (
    CHAD,
    LAO,
    NOR,
    RATES,
    YEAR,
    improvements,
    make_need,
    make_offer,
    need,
    offer,
    pairs,
    seen,
    texts,
)

from article6.assistance import matches, matching
from article6.assistance.matching import Filters, NeedIndex, OfferIndex, explain
from article6.assistance.models import Match, WordWeights
from article6.states.models import State
from article6.treaty.models import FormerUse

VNM = 4


def rank_offers(need_, *offers, **options):
    return OfferIndex(list(offers), rates=RATES).rank_offers(need_, k=10, year=YEAR, **options)


def rank_needs(offer_, *needs, **options):
    model = OfferIndex([offer_]).text_model
    return NeedIndex(list(needs), rates=RATES, text_model=model).rank_needs(offer_, k=10, year=YEAR, **options)


def ids(ranking) -> list[int]:
    return [s.id for s in ranking.suggested]


# --- A score out of the points possible for the need ------------------------------------------


def test_a_technical_need_without_an_amount_can_reach_85_points():
    technical = need(modality="technical", amount=None)
    assert technical.possible() == 85
    best = explain(technical, offer(modalities=frozenset({"technical"}), states=frozenset({LAO})))
    # Every criterion it can earn, but the partnership (5 points): 80 of 85.
    assert (best.score, best.possible) == (pytest.approx(80), 85)
    assert best.share == pytest.approx(80 / 85)
    # Without a working language as well: 80 possible.
    assert need(amount=None, languages=frozenset()).possible() == 80
    # A need whose gap is closed can earn nothing for the amount either.
    assert need(covered=300_000.0).possible() == 85


def test_the_possible_points_reach_the_suggestions_from_both_sides():
    (found,) = rank_offers(need(amount=None), offer()).suggested
    assert found.possible == 85
    (found,) = rank_needs(offer(), need(amount=None)).suggested
    assert found.possible == 85


def test_an_offers_needs_are_ranked_by_the_share_of_their_possible_points():
    # Need 1 has no amount (85 possible) and earns 80 of them (94%); need 2 has an amount
    # and earns 83.75 of 100 (a quarter of its amount): need 1 comes first, as the percentages read.
    no_amount = need(id=1, amount=None)
    with_amount = need(id=2)
    o = offer(states=frozenset({LAO}), amount_per_year=25_000.0)
    a, b = explain(no_amount, o), explain(with_amount, o)
    assert a.share > b.share and a.score < b.score
    assert ids(rank_needs(o, with_amount, no_amount)) == [1, 2]


# --- Art. 4(4): the former user of cluster munitions in the need's State -------------------


def test_a_former_user_offer_is_named_and_gains_10_points():
    lao = need(former_users=frozenset({NOR}))
    assert lao.possible() == 110
    mine = explain(lao, offer())
    other = explain(lao, offer(provider=("state", 5)))
    assert "Art. 4(4): former user in this State" in texts(mine.reasons)
    assert {r.code: r.points for r in mine.reasons}["former_user"] == 10
    assert mine.score == pytest.approx(other.score + 10)
    assert "Not recorded as a former user in Lao PDR (Art. 4(4))" in texts(other.why_not)
    # Where no former user is recorded, nothing is said about it, and nothing is possible.
    assert "former_user" not in {r.code for r in explain(need(), offer()).reasons + explain(need(), offer()).why_not}


def test_the_boost_ranks_the_former_user_first_from_both_sides():
    lao = need(id=1, former_users=frozenset({NOR}))
    # The same offer from another State comes second.
    other = offer(id=11, provider=("state", 5))
    assert ids(rank_offers(lao, other, offer(id=10))) == [10, 11]
    # For Norway's offer, the need of Lao PDR, where Norway is a former user, comes before
    # the same need in Viet Nam, where it is not.
    viet_nam = need(id=2, state_id=VNM, state_name="Viet Nam")
    ranked = rank_needs(offer(), viet_nam, lao)
    assert ids(ranked) == [1, 2]
    assert "Art. 4(4): former user in this State" in texts(ranked.suggested[0].reasons)
    index = OfferIndex([offer()])
    assert index.scores(lao)[0] == pytest.approx(explain(lao, offer(), text_model=index.text_model).score)


# --- Declined pairs are left out ------------------------------------------------------------


def test_declined_pairs_are_left_out_of_the_ranking_from_both_sides():
    assert ids(rank_offers(need(), offer(id=10), offer(id=11), leave_out=[10])) == [11]
    ranked = rank_needs(offer(), need(id=1), need(id=2), leave_out=[1])
    assert ids(ranked) == [2] and ranked.excluded_count == 0


# --- Filters --------------------------------------------------------------------------------


def test_the_filters_keep_what_they_name_on_the_need_side():
    technical = offer(id=11, modalities=frozenset({"technical"}), amount_per_year=None, currency="")
    french = offer(id=12, languages=frozenset({"fr"}))
    restricted = offer(id=13, visibility="restricted")
    late = offer(id=14, start_year=2028, end_year=2030)
    small = offer(id=15, amount_per_year=5_000.0)
    offers = (offer(id=10), technical, french, restricted, late, small)
    everything = rank_offers(need(), *offers)
    assert sorted(ids(everything)) == [10, 11, 12, 13, 14, 15] and everything.filtered_count == 0
    assert ids(rank_offers(need(), *offers, filters=Filters(modality="technical"))) == [11]
    assert 12 in ids(rank_offers(need(), *offers, filters=Filters(language="fr")))
    assert 12 not in ids(rank_offers(need(), *offers, filters=Filters(language="en")))
    assert 13 not in ids(rank_offers(need(), *offers, filters=Filters(hide_restricted=True)))
    # The period: offers with a year in 2026-2027 (the late one starts in 2028).
    assert 14 not in ids(rank_offers(need(), *offers, filters=Filters(year_from=2026, year_to=2027)))
    # At least 50,000 US dollars a year: the small offer and the one without an amount go.
    found = rank_offers(need(), *offers, filters=Filters(min_usd=50_000))
    assert sorted(ids(found)) == [10, 12, 13, 14] and found.filtered_count == 2


def test_the_filters_keep_what_they_name_on_the_offer_side():
    technical = need(id=2, modality="technical")
    french = need(id=3, languages=frozenset({"fr"}))
    restricted = need(id=4, visibility="restricted")
    small = need(id=5, amount=30_000.0)
    needs = (need(id=1), technical, french, restricted, small)
    o = offer(modalities=frozenset({"technical", "financial"}))
    assert sorted(ids(rank_needs(o, *needs))) == [1, 2, 3, 4, 5]
    assert ids(rank_needs(o, *needs, filters=Filters(modality="technical"))) == [2]
    assert ids(rank_needs(o, *needs, filters=Filters(language="fr"))) == [3]
    assert 4 not in ids(rank_needs(o, *needs, filters=Filters(hide_restricted=True)))
    # Still lacking at least 100,000 US dollars: the small need goes.
    found = rank_needs(o, *needs, filters=Filters(min_usd=100_000))
    assert 5 not in ids(found) and found.filtered_count == 1
    assert ids(rank_needs(o, *needs, filters=Filters(year_from=2029))) == []


# --- Properties, with Art. 4(4) -------------------------------------------------------------


@st.composite
def pairs_with_former_users(draw):
    n, o = draw(pairs())
    return replace(n, former_users=frozenset(draw(st.sets(st.sampled_from([NOR, CHAD, 5]))))), o


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs_with_former_users())
def test_improving_any_criterion_never_lowers_a_score_art_4_4_included(pair):
    n, o = pair
    before = explain(n, o, rates=RATES)
    better = improvements(n, o)
    if n.former_users:
        better.append(replace(o, provider=("state", min(n.former_users))))
    for improved in better:
        assert explain(n, improved, rates=RATES).score >= before.score - 1e-9
    assert 0 <= before.score <= before.possible + 1e-9


# --- From the database ----------------------------------------------------------------------


def url_of(need_) -> str:
    return reverse("assistance:need_suggestions", args=[need_.pk])


def parts(page: str) -> tuple[str, str]:
    """The ranked list, and what follows it (the declined and the left out)."""
    ranked, _sep, rest = page.partition('data-testid="declined"')
    return ranked.partition('data-testid="not-suggested"')[0], rest


def _declined_by_the_state(people, need_, offer_, note="We have this covered by our own budget."):
    match = matches.propose(people["coordinator"], need_, offer_)
    return matches.answer(people["lao_focal_point"], match, "state", False, note)


def test_a_declined_pair_moves_to_the_declined_list_with_the_reason_and_the_date(client, people, lao, nor, year):
    need_ = make_need(people, lao)
    declined = make_offer(people, nor, title="Declined funding")
    make_offer(people, nor, title="Other funding")
    match = _declined_by_the_state(people, need_, declined)
    assert match.declined_on is not None
    client.force_login(people["coordinator"])
    ranked, rest = parts(client.get(url_of(need_)).content.decode())
    assert "Other funding" in ranked and "Declined funding" not in ranked
    words = seen(rest)
    assert "Declined funding" in words
    assert f"Declined by the State on {date_format(match.declined_on, 'DATE_FORMAT')}" in words
    # The coordinator who proposed it works on the match: the State's note is theirs to read.
    assert "The State: “We have this covered by our own budget.”" in words
    assert "Propose again" in words
    # From the offer's side, the same.
    page = client.get(reverse("assistance:offer_suggestions", args=[declined.pk])).content.decode()
    ranked, rest = parts(page)
    assert need_.title not in ranked and need_.title in seen(rest)


def test_the_note_of_a_declined_match_stays_with_those_who_work_on_it(client, people, lao, nor, year):
    need_ = make_need(people, lao)
    declined = make_offer(people, nor, title="Declined funding")
    _declined_by_the_state(people, need_, declined)
    # A focal point of another State may see the match, not its notes.
    client.force_login(people["lebanon_focal_point"])
    page = seen(client.get(url_of(need_)).content.decode())
    assert "Declined by the State on" in page
    assert "We have this covered" not in page and "Propose again" not in page


def test_a_declined_pair_is_not_proposed_again_unless_a_coordinator_asks(
    client, people, lao, nor, year, django_capture_on_commit_callbacks
):
    need_ = make_need(people, lao)
    offer_ = make_offer(people, nor)
    match = _declined_by_the_state(people, need_, offer_)
    with pytest.raises(ValidationError) as refused:
        matches.propose(people["coordinator"], need_, offer_)
    assert refused.value.messages == [
        "This match was declined: propose it again from the “Declined” list of the suggestions."
    ]
    client.force_login(people["coordinator"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assistance:propose_again", args=[match.pk]), {"note": "Budget changed?", "from": "need"}
        )
    assert response.status_code == 302 and response.url == url_of(need_)
    match.refresh_from_db()
    assert (match.need_side, match.offer_side, match.declined_on, match.note) == (
        "pending",
        "pending",
        None,
        "Budget changed?",
    )
    assert mail.outbox, "both sides are told"
    # The earlier answer stays in the match's history.
    assert match.history.filter(need_note="We have this covered by our own budget.").exists()
    ranked, rest = parts(client.get(url_of(need_)).content.decode())
    assert offer_.title in ranked and "Proposed" in seen(ranked)
    assert 'data-testid="declined-pair"' not in rest


def test_only_a_declined_match_is_proposed_again_and_only_by_a_coordinator(client, people, lao, nor, year):
    need_ = make_need(people, lao)
    match = matches.propose(people["coordinator"], need_, make_offer(people, nor))
    with pytest.raises(ValidationError) as refused:
        matches.propose_again(people["coordinator"], match)
    assert refused.value.messages == ["Only a declined match can be proposed again."]
    match = matches.answer(people["lao_focal_point"], match, "state", False, "No.")
    client.force_login(people["lao_focal_point"])
    assert client.post(reverse("assistance:propose_again", args=[match.pk])).status_code == 403
    assert Match.objects.get().state == "declined"


def test_the_score_reads_as_a_share_of_the_points_possible(client, people, lao, nor, year):
    need_ = make_need(people, lao, modality="technical", amount=None, currency="")
    make_offer(people, nor, modalities=["technical"], amount_per_year=None, currency="")
    client.force_login(people["coordinator"])
    page = seen(client.get(url_of(need_)).content.decode())
    assert " of 85" in page and "%" in page
    assert "Each score is a share of the points an offer could earn for this need" in page


def test_the_art_4_4_boost_shows_on_the_page_from_the_register(client, people, lao, nor, year):
    need_ = make_need(people, lao)
    offer_ = make_offer(people, nor)
    client.force_login(people["coordinator"])
    assert "Art. 4(4): former user" not in seen(client.get(url_of(need_)).content.decode())
    FormerUse.objects.create(used_by=nor, used_in=lao, source="A statement at the Meeting of States Parties")
    page = seen(client.get(url_of(need_)).content.decode())
    assert "Art. 4(4): former user in this State" in page
    assert " of 110" in page
    # The offer's side reads the register through the needs' index.
    page = seen(client.get(reverse("assistance:offer_suggestions", args=[offer_.pk])).content.decode())
    assert "Art. 4(4): former user in this State" in page


def test_the_page_filters_and_says_how_many_the_filters_hide(client, people, lao, nor, year):
    need_ = make_need(people, lao)
    make_offer(people, nor, title="Financial funding")
    make_offer(people, nor, title="Technical help", modalities=["technical"])
    client.force_login(people["coordinator"])
    page = client.get(url_of(need_), {"modality": "technical"}).content.decode()
    ranked, _rest = parts(page)
    assert "Technical help" in ranked and "Financial funding" not in ranked
    assert "1 candidate hidden by the filters." in seen(page)
    refused = seen(client.get(url_of(need_), {"min_usd": "a lot"}).content.decode())
    assert "Give a number." in refused and "Financial funding" not in refused
    assert "A filter above is refused." in refused
    refused = seen(client.get(url_of(need_), {"from_year": "2028", "to_year": "2026"}).content.decode())
    assert "The last year comes before the first." in refused


def test_publishing_an_unrelated_offer_does_not_move_a_pairs_score(people, lao, nor, year):
    need_ = make_need(people, lao, description="Survey of cluster munition remnants in Xieng Khouang.")
    offer_ = make_offer(people, nor, description="Funding for survey of cluster munition remnants.")
    before = matching.pair_score(need_, offer_)[0]
    built = WordWeights.objects.get()
    # Many offers about survey: fitted anew, "survey" would weigh less and the score fall.
    for i in range(5):
        make_offer(people, nor, title=f"Survey {i}", description="Survey and survey of remnants.")
    assert matching.pair_score(need_, offer_)[0] == pytest.approx(before)
    assert WordWeights.objects.get() == built
    # Rebuilt by ISU, the weights count the new offers.
    matching.build_word_weights()
    assert WordWeights.objects.get().documents == 6
    assert matching.pair_score(need_, offer_)[0] < before


def test_the_page_says_when_the_word_weights_were_built(client, people, lao, nor, year):
    need_ = make_need(people, lao)
    make_offer(people, nor)
    client.force_login(people["coordinator"])
    page = seen(client.get(url_of(need_)).content.decode())
    assert "The weights of the words are frozen: built on" in page
    assert "from 1 offer description" in page


def test_declined_pairs_and_former_uses_keep_the_pages_queries_fixed(client, people, lao, nor, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    need_ = make_need(people, lao)
    client.force_login(people["coordinator"])
    url = url_of(need_)

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _declined_by_the_state(people, need_, make_offer(people, nor, title="Declined 0"))
    FormerUse.objects.create(used_by=nor, used_in=lao, source="A statement")
    few = count()
    chad = State.objects.get(iso3="TCD")
    FormerUse.objects.create(used_by=chad, used_in=lao, source="A statement")
    for i in range(1, 5):
        _declined_by_the_state(people, need_, make_offer(people, nor, title=f"Declined {i}"))
    assert count() == few


def test_the_word_weights_command_says_when_they_were_built_and_rebuilds_them(people, lao, nor, year):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("word-weights", stdout=out)
    assert "Not built yet" in out.getvalue()
    make_offer(people, nor)
    out = StringIO()
    call_command("word-weights", "--rebuild", stdout=out)
    assert "from 1 offer description (" in out.getvalue()
    assert WordWeights.objects.get().documents == 1
