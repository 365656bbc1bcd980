"""Matching: the score of an offer for a need and its reasons in plain words, criterion
by criterion, from hand-made cases; the vectorised ranking agrees with the exact score
on random data; what a person may not see is never suggested; the index is kept and
rebuilt when the data change."""

import random
from decimal import Decimal

import pytest
from people import sample_ngo

from article6.assistance import matching
from article6.assistance.matching import NeedFeatures, NeedIndex, OfferFeatures, OfferIndex, Viewer, exclusions, score
from article6.assistance.models import Commitment, ExchangeRate, Modality, Need, Offer
from article6.states.models import Region, State
from article6.treaty.models import Pillar

LAO, VNM, NOR = 1, 2, 3


def need(**changes) -> NeedFeatures:
    values = {
        "id": 1,
        "state_id": LAO,
        "state_name": "Lao PDR",
        "region": "Asia",
        "pillar": "clearance",
        "modality": "financial",
        "amount": 300_000.0,
        "currency": "USD",
        "start_year": 2025,
        "end_year": 2027,
        "languages": frozenset(),
        "text": "",
    }
    return NeedFeatures(**{**values, **changes})


def offer(**changes) -> OfferFeatures:
    values = {
        "id": 10,
        "provider": ("state", NOR),
        "pillars": frozenset({"clearance"}),
        "modalities": frozenset({"financial"}),
        "regions": frozenset(),
        "states": frozenset({LAO}),
        "languages": frozenset(),
        "amount_per_year": None,
        "currency": "",
        "start_year": 2025,
        "end_year": 2027,
        "text": "",
    }
    return OfferFeatures(**{**values, **changes})


def reasons_of(result) -> dict:
    _score, reasons = result
    return {r.code: r for r in reasons}


def texts(result) -> list[str]:
    return [r.text for r in result[1]]


def test_the_weights_add_up_to_100():
    assert sum(matching.WEIGHTS.values()) == 100
    assert matching.GEO_STATE == matching.W_GEOGRAPHY


def test_same_pillar_modality_and_state_of_interest_beat_a_different_pillar():
    fits, _ = score(need(), offer())
    other_pillar, _ = score(need(), offer(pillars=frozenset({"victim_assistance"})))
    assert fits > other_pillar
    assert fits - other_pillar == matching.W_PILLAR
    result = score(need(), offer())
    assert texts(result)[:3] == [
        "Same pillar: clearance",
        "Offers financial assistance",
        "Lao PDR is among the States of interest",
    ]
    assert "Same pillar: clearance" not in texts(score(need(), offer(pillars=frozenset({"victim_assistance"}))))


def test_each_reason_has_a_code_a_weight_and_its_points():
    reasons = reasons_of(score(need(), offer()))
    assert (reasons["pillar"].weight, reasons["pillar"].points) == (25, 25)
    assert (reasons["modality"].weight, reasons["modality"].points) == (15, 15)
    assert (reasons["state"].weight, reasons["state"].points) == (15, 15)
    assert reasons["period"].points == 10
    stored = reasons["pillar"].as_json()
    assert stored == {
        "code": "pillar",
        "weight": 25,
        "points": 25,
        "params": {"pillar": "clearance"},
        "text": "Same pillar: clearance",
    }


@pytest.mark.parametrize(
    ("modality", "sentence"),
    [("technical", "Offers technical assistance"), ("material", "Offers material assistance")],
)
def test_the_modality_asked_for(modality, sentence):
    result = score(need(modality=modality), offer(modalities=frozenset({modality, "financial"})))
    assert sentence in texts(result)
    assert "modality" not in reasons_of(score(need(modality=modality), offer()))


def test_region_of_interest_counts_less_than_the_state_and_an_open_offer_less_still():
    state = score(need(), offer())[0]
    region = score(need(), offer(states=frozenset({VNM}), regions=frozenset({"Asia"})))
    anywhere = score(need(), offer(states=frozenset()))
    elsewhere = score(need(), offer(states=frozenset({VNM}), regions=frozenset({"Africa"})))
    assert "Region of interest: Asia" in texts(region)
    assert "Open to every State" in texts(anywhere)
    assert state - region[0] == 5 and state - anywhere[0] == 10 and state - elsewhere[0] == 15
    assert not {"state", "region", "anywhere"} & set(reasons_of(elsewhere))


def test_amount_fit_is_the_share_of_what_is_still_needed_year_by_year():
    # 300,000 over three years: 100,000 a year needed.
    result = score(need(), offer(amount_per_year=80_000.0, currency="USD"))
    assert "Covers 80% of what is still needed" in texts(result)
    assert reasons_of(result)["amount"].points == pytest.approx(12.0)
    whole = score(need(), offer(amount_per_year=250_000.0, currency="USD"))
    assert "Can cover all that is still needed" in texts(whole)
    assert reasons_of(whole)["amount"].points == 15
    assert whole[0] > result[0]


def test_amounts_in_other_currencies_are_compared_in_us_dollars_at_each_years_rate():
    rates = {("EUR", 2025): Decimal("1.10"), ("NOK", 2024): Decimal("0.10")}
    # 100,000 USD a year needed; 50,000 EUR = 55,000 USD.
    result = score(need(), offer(amount_per_year=50_000.0, currency="EUR"), rates=rates)
    assert "Covers 55% of what is still needed" in texts(result)
    # No rate for 2025: the nearest year's.
    result = score(need(), offer(amount_per_year=500_000.0, currency="NOK"), rates=rates)
    assert "Covers 50% of what is still needed" in texts(result)
    # No rate at all: no points, and no error.
    result = score(need(), offer(amount_per_year=50_000.0, currency="JPY"), rates=rates)
    assert "amount" not in reasons_of(result)


def test_no_amount_on_either_side_earns_nothing():
    assert "amount" not in reasons_of(score(need(amount=None), offer(amount_per_year=80_000.0, currency="USD")))
    assert "amount" not in reasons_of(score(need(), offer()))


def test_period_overlap():
    result = score(need(), offer(start_year=2026, end_year=2030))
    assert "Periods overlap 2026–2027" in texts(result)
    assert reasons_of(result)["period"].points == pytest.approx(10 * 2 / 3)
    assert "Periods overlap in 2027" in texts(score(need(), offer(start_year=2027, end_year=2027)))
    assert "period" not in reasons_of(score(need(), offer(start_year=2028, end_year=2030)))


def test_a_working_language_in_common():
    result = score(need(languages=frozenset({"fr", "lo"})), offer(languages=frozenset({"fr", "en"})))
    assert "Works in French" in texts(result)
    assert reasons_of(result)["language"].points == 5
    assert "language" not in reasons_of(score(need(languages=frozenset({"fr"})), offer(languages=frozenset({"es"}))))


def test_an_existing_partnership():
    partnerships = {(("state", NOR), LAO)}
    result = score(need(), offer(), partnerships=partnerships)
    assert "Has already committed to Lao PDR" in texts(result)
    assert result[0] - score(need(), offer())[0] == 5
    assert "partnership" not in reasons_of(score(need(state_id=VNM), offer(), partnerships=partnerships))


def test_similar_descriptions_share_their_words():
    a = need(text="Non-technical survey and land release of cluster munition remnants in Xieng Khouang")
    b = offer(text="Funding for survey and land release by national teams")
    c = offer(text="Prosthetics and rehabilitation for survivors")
    result = score(a, b)
    reason = reasons_of(result)["text"]
    assert reason.text.startswith("Descriptions share: ")
    assert "land release" in reason.params["terms"] and "survey" in reason.params["terms"]
    assert "land" not in reason.params["terms"]  # shown as part of the pair
    assert 0 < reason.points <= 10
    assert "text" not in reasons_of(score(a, c))
    assert result[0] > score(a, c)[0]


def test_a_perfect_fit_scores_100():
    text = "Clearance of cluster munition remnants"
    value, reasons = score(
        need(languages=frozenset({"en"}), text=text),
        offer(languages=frozenset({"en"}), amount_per_year=100_000.0, currency="USD", text=text),
        partnerships={(("state", NOR), LAO)},
    )
    assert value == pytest.approx(100)
    assert [r.code for r in reasons][:3] == ["pillar", "modality", "state"]


def test_stored_reasons_are_shown_in_the_readers_words_and_plain_sentences_stay():
    stored = [r.as_json() for r in score(need(), offer())[1]] + ["A sentence written by hand"]
    shown = matching.reasons_from_json(stored)
    assert [r.text for r in shown][-1] == "A sentence written by hand"
    assert shown[0].text == "Same pillar: clearance"


# --- The vectorised ranking agrees with the exact score -------------------------------------

WORDS = (
    "survey clearance land release victim assistance prosthetics stockpile destruction training equipment risk "
    "education database"
).split()


def random_offers(rng, n):
    return [
        OfferFeatures(
            id=i + 1,
            provider=("state", rng.randint(1, 6)) if rng.random() < 0.5 else ("organisation", rng.randint(1, 6)),
            pillars=frozenset(rng.sample(Pillar.values, rng.randint(1, 3))),
            modalities=frozenset(rng.sample(Modality.values, rng.randint(1, 2))),
            regions=frozenset(rng.sample(Region.values, rng.randint(0, 2))),
            states=frozenset(rng.sample(range(1, 12), rng.choice([0, 1, 3]))),
            languages=frozenset(rng.sample(["en", "fr", "es", "ar"], rng.randint(0, 2))),
            amount_per_year=rng.choice([None, rng.uniform(1e4, 1e6)]),
            currency=rng.choice(["USD", "EUR", "NOK", "XXX"]),
            start_year=(start := rng.randint(2024, 2029)),
            end_year=start + rng.randint(0, 4),
            text=" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))),
            visibility=rng.choice(["public", "signed_in", "restricted", "isu_only"]),
            # Some have given part or all of what they offer (accepted matches).
            committed=tuple((y, rng.uniform(0, 1e6)) for y in range(start, start + 3) if rng.random() < 0.2),
        )
        for i in range(n)
    ]


def random_needs(rng, n):
    return [
        NeedFeatures(
            id=i + 1,
            state_id=rng.randint(1, 11),
            state_name=f"State {i}",
            region=rng.choice(Region.values),
            pillar=rng.choice(Pillar.values),
            modality=rng.choice(Modality.values),
            amount=rng.choice([None, 0.0, rng.uniform(1e4, 5e6)]),
            currency=rng.choice(["USD", "EUR", "NOK"]),
            start_year=(start := rng.randint(2024, 2029)),
            end_year=(end := start + rng.randint(0, 4)),
            languages=frozenset(rng.sample(["en", "fr", "es", "ar"], rng.randint(0, 2))),
            text=" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))),
            visibility=rng.choice(["public", "signed_in", "restricted", "isu_only"]),
            # Some give yearly amounts, some are partly covered already.
            yearly=tuple((y, rng.uniform(0, 2e6)) for y in range(start, end + 1)) if rng.random() < 0.3 else (),
            covered=rng.choice([0.0, 0.0, rng.uniform(0, 3e6)]),
        )
        for i in range(n)
    ]


RATES = {("EUR", y): Decimal("1.1") for y in range(2024, 2030)} | {("NOK", 2026): Decimal("0.095")}


@pytest.fixture(scope="module")
def world():
    rng = random.Random(42)
    offers, needs = random_offers(rng, 400), random_needs(rng, 120)
    partnerships = {(o.provider, rng.randint(1, 11)) for o in rng.sample(offers, 60)}
    offer_index = OfferIndex(offers, partnerships=partnerships, rates=RATES)
    need_index = NeedIndex(needs, partnerships=partnerships, rates=RATES, text_model=offer_index.text_model)
    return offers, needs, partnerships, offer_index, need_index


def exact(need_, offer_, world):
    _offers, _needs, partnerships, offer_index, _need_index = world
    return score(need_, offer_, partnerships=partnerships, rates=RATES, text_model=offer_index.text_model)[0]


def test_vectorised_scores_agree_with_the_exact_score_for_every_pair(world):
    offers, needs, _partnerships, offer_index, need_index = world
    for n in needs[:40]:
        assert offer_index.scores(n) == pytest.approx([exact(n, o, world) for o in offers], abs=1e-9)
    for o in offers[:40]:
        assert need_index.scores(o) == pytest.approx([exact(n, o, world) for n in needs], abs=1e-9)


YEAR = 2026


def usable(n, o) -> bool:
    return o.provider_state_id != n.state_id and not exclusions(n, o, YEAR)


def test_top_offers_are_the_best_by_the_exact_score(world):
    offers, needs, _partnerships, offer_index, _need_index = world
    for n in needs[:30]:
        found = offer_index.top_offers(n, k=10, year=YEAR)
        expected = sorted(((exact(n, o, world), o.id) for o in offers if usable(n, o)), key=lambda p: -p[0])
        expected = [p for p in expected if p[0] > 0][:10]
        assert [s.score for s in found] == pytest.approx([p[0] for p in expected], abs=1e-9)
        assert len(found) == min(10, len(expected))
        assert all(s.reasons and sum(r.points for r in s.reasons) == pytest.approx(s.score) for s in found)
        assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_top_needs_are_the_best_by_the_exact_score_as_a_share_of_what_each_need_makes_possible(world):
    # Needs differ in the points they make possible (no amount, no language): an offer's
    # needs are ranked by the share, so that the list reads best first as shown.
    offers, needs, _partnerships, _offer_index, need_index = world
    for o in offers[:30]:
        found = need_index.top_needs(o, k=5, year=YEAR)
        shares = ((exact(n, o, world), n.possible()) for n in needs if usable(n, o))
        expected = sorted((v / p for v, p in shares if v > 0), reverse=True)
        assert [s.share for s in found] == pytest.approx(expected[:5], abs=1e-9)
        assert all(s.possible in (80.0, 85.0, 95.0, 100.0) for s in found)


def test_the_index_weighs_words_as_the_text_model_does(world):
    offers, _needs, _partnerships, offer_index, _need_index = world
    fitted = matching.TextModel.fit(o.text for o in offers)
    assert fitted.idf == pytest.approx(offer_index.text_model.idf) and fitted.documents == len(offers)
    for o in offers[:20]:
        row = offer_index.text[offer_index.position[o.id]].toarray().ravel()
        vector = fitted.vector(o.text)
        assert {t: row[offer_index.text_columns[t]] for t in vector} == pytest.approx(vector)
        assert row.sum() == pytest.approx(sum(vector.values()))


def test_the_needs_own_states_offers_are_not_suggested():
    own = offer(id=1, provider=("state", LAO))
    index = OfferIndex([own, offer(id=2)])
    assert [s.id for s in index.top_offers(need(), k=10)] == [2]
    needs = NeedIndex([need(id=1), need(id=2, state_id=NOR)])
    assert [s.id for s in needs.top_needs(offer(states=frozenset()), k=10)] == [1]


def test_only_what_the_viewer_may_see_is_suggested():
    offers = [
        offer(id=1, visibility="public"),
        offer(id=2, visibility="signed_in"),
        offer(id=3, visibility="restricted", provider=("organisation", 7)),
        offer(id=4, visibility="isu_only"),
    ]
    index = OfferIndex(offers)

    def seen(viewer):
        return sorted(s.id for s in index.top_offers(need(), k=10, viewer=viewer))

    assert seen(Viewer()) == [1]
    assert seen(Viewer(has_role=True, states=frozenset({LAO}))) == [1, 2]
    assert seen(Viewer(has_role=True, organisations=frozenset({7}))) == [1, 2, 3]
    assert seen(Viewer(has_role=True, is_coordinator=True)) == [1, 2, 3]
    assert seen(Viewer(is_isu=True)) == [1, 2, 3, 4]


def test_an_empty_index_suggests_nothing():
    assert OfferIndex([]).top_offers(need(), k=10) == []
    assert NeedIndex([]).top_needs(offer(), k=10) == []


# --- Built from the database and kept -------------------------------------------------------


def make_offer(user, provider_state=None, **changes):
    return Offer.objects.create(**offer_values(user, provider_state, **changes))


def offer_values(user, provider_state=None, **changes):
    values = {
        "provider_state": provider_state,
        "provider_organisation": None if provider_state else sample_ngo(),
        "title": "Clearance funding",
        "description": "Funding for survey and land release.",
        "pillars": ["clearance"],
        "modalities": ["financial"],
        "kinds": ["funding"],
        "regions": ["Asia"],
        "amount_per_year": Decimal("80000"),
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2028,
        "created_by": user,
    }
    return {**values, **changes}


def make_need(user, state, **changes):
    values = {
        "state": state,
        "title": "Land release in two provinces",
        "description": "Survey and land release of cluster munition remnants.",
        "pillar": "clearance",
        "modality": "financial",
        "amount": Decimal("300000"),
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2028,
        "created_by": user,
    }
    return Need.objects.create(**{**values, **changes})


def test_the_index_is_kept_between_pages_and_rebuilt_when_offers_change(people, django_assert_max_num_queries):
    nor, lao = State.objects.get(iso3="NOR"), State.objects.get(iso3="LAO")
    make_offer(people["norway_partner"], nor)
    first = matching.offer_index()
    with django_assert_max_num_queries(1):  # the key only
        assert matching.offer_index() is first
    assert len(first) == 1
    second_offer = make_offer(people["ngo_partner"], title="Equipment")
    rebuilt = matching.offer_index()
    assert rebuilt is not first and len(rebuilt) == 2
    # An inactive offer leaves the index.
    second_offer.is_active = False
    second_offer.save()
    assert len(matching.offer_index()) == 1
    # A commitment changes the partnerships but not the offers' arrays.
    index = matching.offer_index()
    Commitment.objects.create(provider_state=nor, recipient=lao, title="Earlier", channel="bilateral", currency="USD")
    after = matching.offer_index()
    assert after.partnerships == {(("state", nor.pk), lao.pk)}
    assert after.text is index.text


def test_another_process_sees_the_change_through_the_data_key(people):
    nor = State.objects.get(iso3="NOR")
    make_offer(people["norway_partner"], nor)
    assert len(matching.offer_index()) == 1
    # Written without signals, as another process or a bulk import would.
    Offer.objects.bulk_create([Offer(**offer_values(people["norway_partner"], nor, title="Bulk"))])
    assert len(matching.offer_index()) == 2


def test_suggestions_from_the_database_with_rates_and_partnerships(people):
    nor, lao = State.objects.get(iso3="NOR"), State.objects.get(iso3="LAO")
    ExchangeRate.objects.create(currency="EUR", year=2026, usd_per_unit=Decimal("1.25"))
    make_offer(people["norway_partner"], nor, amount_per_year=Decimal("40000"), currency="EUR")
    Commitment.objects.create(provider_state=nor, recipient=lao, title="Earlier", channel="bilateral", currency="USD")
    need_ = make_need(people["lao_focal_point"], lao)
    found = matching.offer_index().top_offers(matching.need_features(need_), k=10)
    assert len(found) == 1
    sentences = [r.text for r in found[0].reasons]
    assert "Same pillar: clearance" in sentences
    assert "Region of interest: Asia" in sentences
    assert "Covers 50% of what is still needed" in sentences
    assert "Has already committed to Lao People's Democratic Republic" in sentences
    assert matching.pair_score(need_, Offer.objects.get())[0] == pytest.approx(found[0].score)
    # And from the offer's side, the same score.
    needs = matching.need_index().top_needs(matching.offer_features(Offer.objects.get()), k=10)
    assert [(s.id, round(s.score, 9)) for s in needs] == [(need_.pk, round(found[0].score, 9))]
