"""Matching needs and offers: for a need, the offers ranked by how well they fit it
(and for an offer, the needs), each with its score and the reasons in plain words.

Three layers: :func:`score` (one pair, a plain function), :class:`OfferIndex` /
:class:`NeedIndex` (every candidate as numpy arrays, the same formula) and the
process cache that rebuilds them when the data changes. The eight criteria, their
weights and why: ``docs/assistance/matching.md``. Offers of the need's own State are
never suggested for it (nor its needs for them).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy import sparse

from article6.assistance.models import Modality
from article6.states.models import Region
from article6.treaty.models import Pillar

# --- Weights --------------------------------------------------------------------------------

W_PILLAR = 25.0
W_MODALITY = 15.0
W_GEOGRAPHY = 15.0
W_AMOUNT = 15.0
W_PERIOD = 10.0
W_TEXT = 10.0
W_LANGUAGE = 5.0
W_PARTNERSHIP = 5.0
WEIGHTS = {
    "pillar": W_PILLAR,
    "modality": W_MODALITY,
    "geography": W_GEOGRAPHY,
    "amount": W_AMOUNT,
    "period": W_PERIOD,
    "text": W_TEXT,
    "language": W_LANGUAGE,
    "partnership": W_PARTNERSHIP,
}
assert sum(WEIGHTS.values()) == 100.0
# Art. 4(4): a State Party whose cluster munitions became remnants in another State Party
# is "strongly encouraged" to assist it. Its offers earn these points on top, for the needs
# of that State only (so that the points possible for other needs stay 100).
W_FORMER_USER = 10.0
MAX_SCORE = sum(WEIGHTS.values()) + W_FORMER_USER
# Geography: the State named, its region named, or an offer open to every State.
GEO_STATE = 15.0
GEO_REGION = 10.0
GEO_ANYWHERE = 5.0
# The terms of the descriptions shown in the reason.
SHOWN_TERMS = 3

PILLAR_BITS = {value: 1 << i for i, value in enumerate(Pillar.values)}
MODALITY_BITS = {value: 1 << i for i, value in enumerate(Modality.values)}
REGION_BITS = {value: 1 << i for i, value in enumerate(Region.values)}
VISIBILITY_CODES = {"public": 0, "signed_in": 1, "restricted": 2, "isu_only": 3}

LANGUAGE_NAMES = {
    "ar": gettext_lazy("Arabic"),
    "zh": gettext_lazy("Chinese"),
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
    "ru": gettext_lazy("Russian"),
    "es": gettext_lazy("Spanish"),
    "pt": gettext_lazy("Portuguese"),
}


# --- Reasons --------------------------------------------------------------------------------


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value))


def _language_name(code: str) -> str:
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    from django.utils.translation import get_language_info

    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def describe(code: str, params: Mapping) -> str:
    """The reason in plain words, in the active language."""
    if code == "pillar":
        return _("Same pillar: %(pillar)s") % {"pillar": _label(Pillar, params["pillar"])}
    if code == "modality":
        sentences = {
            Modality.TECHNICAL: _("Offers technical assistance"),
            Modality.MATERIAL: _("Offers material assistance"),
            Modality.FINANCIAL: _("Offers financial assistance"),
        }
        return sentences.get(params["modality"], params["modality"])
    if code == "state":
        return _("%(state)s is among the States of interest") % {"state": params["state"]}
    if code == "region":
        return _("Region of interest: %(region)s") % {"region": _label(Region, params["region"])}
    if code == "anywhere":
        return _("Open to every State")
    if code == "amount":
        if params["percent"] >= 100:
            return _("Can cover all that is still needed")
        return _("Covers %(percent)s%% of what is still needed") % {"percent": params["percent"]}
    if code == "period":
        if params["start"] == params["end"]:
            return _("Periods overlap in %(year)s") % {"year": params["start"]}
        return _("Periods overlap %(start)s–%(end)s") % {"start": params["start"], "end": params["end"]}
    if code == "language":
        return _("Works in %(languages)s") % {"languages": ", ".join(_language_name(c) for c in params["languages"])}
    if code == "partnership":
        return _("Has already committed to %(state)s") % {"state": params["state"]}
    if code == "text":
        return _("Descriptions share: %(terms)s") % {"terms": ", ".join(params["terms"])}
    if code == "former_user":
        return _("Art. 4(4): former user in this State")
    return describe_not(code, params)


def _names(values: Iterable[str], choices=None) -> str:
    return ", ".join(_label(choices, v) if choices is not None else str(v) for v in values)


def describe_not(code: str, params: Mapping) -> str:
    """A criterion that earned nothing or only part of its points, or why a pair is not
    suggested at all, in plain words."""
    # Why not (the pair is suggested, this criterion earned less than it could).
    if code == "no_modality":
        return _("Does not offer %(modality)s assistance") % {"modality": _label(Modality, params["modality"]).lower()}
    if code == "geo_partial":
        return _("Does not name %(state)s among its States of interest") % {"state": params["state"]}
    if code == "need_no_amount":
        return _("The need gives no amount")
    if code == "no_amount":
        return _("No amount given")
    if code == "no_rate":
        return _("No %(currency)s rate recorded") % {"currency": params["currency"]}
    if code == "amount_short":
        return _("Leaves %(percent)s%% of what is still needed uncovered") % {"percent": params["percent"]}
    if code == "nothing_missing":
        return _("Nothing is still needed")
    if code == "period_partial":
        return _("Covers %(years)s of the need's %(of)s years") % {"years": params["years"], "of": params["of"]}
    if code == "no_text":
        return _("The descriptions share no telling words")
    if code == "no_language":
        return _("Working languages differ")
    if code == "language_unknown":
        return _("No working language given")
    if code == "no_partnership":
        return _("Has not committed to %(state)s before") % {"state": params["state"]}
    if code == "no_former_user":
        return _("Not recorded as a former user in %(state)s (Art. 4(4))") % {"state": params["state"]}
    # Not suggested at all.
    if code == "other_pillar":
        return capfirst(_("%(pillars)s only") % {"pillars": _names(params["pillars"], Pillar)})
    if code == "elsewhere":
        places = [_label(Region, r) for r in params.get("regions", ())] + list(params.get("states", ()))
        if not places:
            return _("Only for %(count)s named States") % {"count": params.get("count", 0)}
        return _("Only for %(places)s") % {"places": ", ".join(places)}
    if code == "ended":
        return _("Ended in %(year)s") % {"year": params["year"]}
    if code == "offer_ended":
        return _("The offer ended in %(year)s") % {"year": params["year"]}
    if code == "need_ended":
        return _("The need ended in %(year)s") % {"year": params["year"]}
    if code == "before":
        return _("Ends in %(end)s, before the need starts (%(start)s)") % params
    if code == "after":
        return _("Starts in %(start)s, after the need ends (%(end)s)") % params
    if code == "need_before":
        return _("The need ends in %(end)s, before the offer starts (%(start)s)") % params
    if code == "need_after":
        return _("The need starts in %(start)s, after the offer ends (%(end)s)") % params
    if code == "need_elsewhere":
        return _("%(state)s is outside the offer's States and regions of interest") % {"state": params["state"]}
    if code == "need_other_pillar":
        return capfirst(_("%(pillar)s, which the offer does not cover") % {"pillar": _label(Pillar, params["pillar"])})
    if code == "spent":
        return _("Fully committed: nothing left to give")
    return str(params.get("text", code))


@dataclass(frozen=True)
class Reason:
    """One criterion that earned points: its code, its weight (the most it can earn),
    the points earned and what it means in plain words (`text`, in the active language)."""

    code: str
    weight: float
    points: float
    params: dict = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return describe(self.code, self.params)

    def __str__(self) -> str:
        return self.text

    def as_json(self) -> dict:
        """For Match.reasons: the sentence as read when stored, and what re-translates it."""
        return {
            "code": self.code,
            "weight": self.weight,
            "points": round(self.points, 2),
            "params": self.params,
            "text": self.text,
        }


def reasons_from_json(stored) -> list[Reason]:
    """The reasons stored on a match, to be shown in the reader's language. Older or
    hand-made records hold plain sentences; they are shown as they are."""
    reasons = []
    for item in stored or []:
        if isinstance(item, str):
            reasons.append(Reason("note", 0.0, 0.0, {"text": item}))
        elif isinstance(item, dict):
            code = item.get("code", "note")
            params = item.get("params") or {}
            if code not in REASON_CODES:
                code, params = "note", {"text": item.get("text", "")}
            reasons.append(Reason(code, float(item.get("weight", 0)), float(item.get("points", 0)), params))
    return reasons


REASON_CODES = {
    "pillar",
    "modality",
    "state",
    "region",
    "anywhere",
    "amount",
    "period",
    "language",
    "partnership",
    "text",
    "former_user",
}


# --- Features -------------------------------------------------------------------------------

ProviderKey = tuple[str, int]  # ("state", id) or ("organisation", id)


@dataclass(frozen=True)
class NeedFeatures:
    id: int
    state_id: int
    state_name: str
    region: str
    pillar: str
    modality: str
    amount: float | None  # for the whole period, in `currency`
    currency: str
    start_year: int
    end_year: int
    languages: frozenset[str] = frozenset()
    text: str = ""
    visibility: str = "public"
    # The amount asked for in each year, as (year, amount) in `currency` (its yearly
    # amounts; none: `amount` spread evenly), and what counts towards it already
    # (public commitments, in `currency`).
    yearly: tuple[tuple[int, float], ...] = ()
    covered: float = 0.0
    # The States recorded as having used cluster munitions in the need's State (Art. 4(4)).
    former_users: frozenset[int] = frozenset()

    @property
    def years(self) -> int:
        return self.end_year - self.start_year + 1

    def possible(self) -> float:
        """The points an offer can earn for this need at best: every criterion, less those
        the need itself leaves no way to earn (no amount, or nothing still missing; no working
        language), plus the Art. 4(4) points when former users are recorded in its State."""
        points = sum(WEIGHTS.values())
        if self.amount is None or math.fsum(self.gap_by_year().values()) <= 0:
            points -= W_AMOUNT
        if not self.languages:
            points -= W_LANGUAGE
        if self.former_users:
            points += W_FORMER_USER
        return points

    def gap_by_year(self) -> dict[int, float]:
        """What the need still lacks in each year (in `currency`): what it asks for that year,
        less the same share of what already counts towards it."""
        if self.amount is None:
            return {}
        if self.yearly:
            asked = dict(sorted(self.yearly))
        else:
            years = range(self.start_year, self.end_year + 1)
            asked = dict.fromkeys(years, self.amount / max(len(years), 1))
        total = math.fsum(asked.values())
        if total <= 0:
            return dict.fromkeys(asked, 0.0)
        left = max(0.0, total - self.covered) / total
        return {year: amount * left for year, amount in asked.items()}


@dataclass(frozen=True)
class OfferFeatures:
    id: int
    provider: ProviderKey
    pillars: frozenset[str]
    modalities: frozenset[str]
    regions: frozenset[str] = frozenset()
    states: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()
    amount_per_year: float | None = None  # in `currency`
    currency: str = ""
    start_year: int = 0
    end_year: int = 0
    text: str = ""
    visibility: str = "public"
    kinds: frozenset[str] = frozenset()
    # Names of its States of interest (id, name), to say where it is restricted to.
    state_names: tuple[tuple[int, str], ...] = ()
    # What it has already given or promised, as (year, amount) in `currency`: the
    # commitments of the matches both sides accepted (see load_committed).
    committed: tuple[tuple[int, float], ...] = ()

    def capacity(self, year: int) -> float | None:
        """What it can still give in `year` (in `currency`), None when it gives no amount."""
        if self.amount_per_year is None:
            return None
        if not self.start_year <= year <= self.end_year:
            return 0.0
        return max(0.0, self.amount_per_year - dict(self.committed).get(year, 0.0))

    def is_spent(self, this_year: int) -> bool:
        """An offer with an amount that has nothing left to give from `this_year` on."""
        if self.amount_per_year is None:
            return False
        years = range(max(this_year, self.start_year), self.end_year + 1)
        return all((self.capacity(y) or 0.0) <= 0 for y in years)

    @property
    def provider_state_id(self) -> int | None:
        return self.provider[1] if self.provider[0] == "state" else None

    @property
    def provider_organisation_id(self) -> int | None:
        return self.provider[1] if self.provider[0] == "organisation" else None


def need_features(need, former_users: Iterable[int] | None = None) -> NeedFeatures:
    """A Need record (its State loaded) as features; `former_users`: the States recorded as
    having used cluster munitions in its State (read from the register when not given)."""
    if former_users is None:
        from article6.treaty.queries import former_users_in

        former_users = former_users_in([need.state_id]).get(need.state_id, ())
    return NeedFeatures(
        id=need.pk,
        state_id=need.state_id,
        state_name=need.state.name,
        region=need.state.region,
        pillar=need.pillar,
        modality=need.modality,
        amount=float(need.amount) if need.amount is not None else None,
        currency=(need.currency or "").upper(),
        start_year=need.start_year,
        end_year=need.end_year,
        languages=frozenset(need.languages or ()),
        text=f"{need.title}\n{need.description}",
        visibility=need.visibility,
        yearly=tuple(sorted((y.year, float(y.amount)) for y in need.yearly.all())),
        # Public commitments only, as for the partnerships: a score never discloses a restricted record.
        covered=float(need.covered_amount or 0),
        former_users=frozenset(former_users),
    )


def offer_features(
    offer, state_ids: Iterable[int] | None = None, *, names: Mapping[int, str] | None = None, committed=()
) -> OfferFeatures:
    """An Offer record as features; `state_ids` (and `names`, id → State name) when its
    States of interest are known already (a bulk load), else they are read from the record
    (prefetched or not); `committed`: what it has given already (load_committed)."""
    if state_ids is None:
        chosen = list(offer.states.all())
        state_ids = [s.pk for s in chosen]
        names = {s.pk: s.name for s in chosen}
    names = names or {}
    if offer.provider_state_id:
        provider = ("state", offer.provider_state_id)
    else:
        provider = ("organisation", offer.provider_organisation_id)
    return OfferFeatures(
        id=offer.pk,
        provider=provider,
        pillars=frozenset(offer.pillars or ()),
        modalities=frozenset(offer.modalities or ()),
        regions=frozenset(offer.regions or ()),
        states=frozenset(state_ids),
        languages=frozenset(offer.languages or ()),
        amount_per_year=float(offer.amount_per_year) if offer.amount_per_year is not None else None,
        currency=(offer.currency or "").upper(),
        start_year=offer.start_year,
        end_year=offer.end_year,
        text=f"{offer.title}\n{offer.description}",
        visibility=offer.visibility,
        kinds=frozenset(offer.kinds or ()),
        state_names=tuple(sorted(((i, names[i]) for i in state_ids if i in names), key=lambda p: p[1])),
        committed=tuple(sorted(committed.items())) if isinstance(committed, Mapping) else tuple(committed),
    )


@dataclass(frozen=True)
class Viewer:
    """What decides which records a person may see (accounts.permissions.visible_q)."""

    is_isu: bool = False
    has_role: bool = False
    is_coordinator: bool = False
    states: frozenset[int] = frozenset()
    organisations: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user) -> Viewer:
        from article6.accounts import permissions

        return cls(
            is_isu=bool(permissions.is_isu(user)),
            has_role=bool(permissions.has_any_role(user)),
            is_coordinator=bool(permissions.is_coordinator(user)),
            states=frozenset(permissions.states_of(user)),
            organisations=frozenset(permissions.organisations_of(user)),
        )


# --- Money ----------------------------------------------------------------------------------


class Rates:
    """US dollars per unit of a currency, by year, as floats. A year without a rate
    takes the nearest year that has one (the later of two equally near)."""

    def __init__(self, table: Mapping[tuple[str, int], object] | None = None):
        self.table = {(c.upper(), int(y)): float(r) for (c, y), r in (table or {}).items()}
        self.years: dict[str, list[int]] = {}
        for currency, year in sorted(self.table):
            self.years.setdefault(currency, []).append(year)

    def rate(self, currency: str, year: int) -> float | None:
        currency = (currency or "").upper()
        if currency == "USD":
            return 1.0
        rate = self.table.get((currency, year))
        if rate is not None:
            return rate
        years = self.years.get(currency)
        if not years:
            return None
        nearest = min(years, key=lambda y: (abs(y - year), -y))
        return self.table[(currency, nearest)]

    def usd(self, amount: float | None, currency: str, year: int) -> float | None:
        if amount is None:
            return None
        rate = self.rate(currency, year)
        return None if rate is None else amount * rate


def _rates(rates) -> Rates:
    return rates if isinstance(rates, Rates) else Rates(rates)


# --- Text -----------------------------------------------------------------------------------

WORD = re.compile(r"[^\W\d_]{2,}")
STOPWORDS = frozenset(
    """
    a about above after again all also an and any are as at be because been before being
    between both but by can could did do does doing during each few for from further had has
    have having he her here hers him his how if in into is it its itself just me more most
    my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your yours per etc including include includes within across among
    au aux avec ce ces dans de des du elle en est et il ils la le les leur leurs lui ma mais
    me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
    te tes toi ton tu un une vos votre vous ét été être sont
    al como con del el ella ellos es esta este esto hay las lo los mas muy nos o para pero
    por que se sin sobre su sus también tiene un una uno unos y ya
    """.split()
)


def _fold(word: str) -> str:
    """Plurals folded, so that “areas” meets “area” (a light touch: most of the
    Convention's languages make plurals with -s)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=200_000)
def _word(word: str) -> str | None:
    """A word as counted: None for a common word, plurals folded."""
    return None if word in STOPWORDS else _fold(word)


def terms(text: str) -> Counter:
    """The words of a text (common words left out, plurals folded) and the pairs of
    adjacent words, with their counts."""
    words = [_word(w) for w in WORD.findall((text or "").lower())]
    kept = [w for w in words if w]
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a and b]
    return Counter(kept + pairs)


class TextModel:
    """TF-IDF weights: (1 + log of the count) × (log((1 + N) / (1 + document frequency)) + 1),
    each vector of unit length, so that the dot product of two is their cosine."""

    def __init__(self, document_frequency: Mapping[str, int] | None = None, documents: int = 0, *, built=None):
        self.documents = documents
        self.document_frequency = dict(document_frequency or {})
        self.built = built  # when frozen (WordWeights), else None: fitted on the records indexed
        self.idf = {t: math.log((1 + documents) / (1 + df)) + 1.0 for t, df in (document_frequency or {}).items()}
        self.unseen = math.log(1 + documents) + 1.0

    @classmethod
    def fit(cls, texts: Iterable[str]) -> TextModel:
        """The document frequencies of the terms of `texts` (what the indexes do on arrays)."""
        frequency: Counter = Counter()
        documents = 0
        for text in texts:
            frequency.update(terms(text).keys())
            documents += 1
        return cls(frequency, documents)

    def weigh(self, counts: Mapping[str, int]) -> dict[str, float]:
        weights = {t: (1.0 + math.log(c)) * self.idf.get(t, self.unseen) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    def vector(self, text: str) -> dict[str, float]:
        return self.weigh(terms(text))


def _shared_terms(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, list[str]]:
    """Cosine of two unit vectors, and the shared terms to show: pairs of words first
    (more telling), then single words not already in a pair shown, heaviest first."""
    shared = a.keys() & b.keys()
    similarity = math.fsum(a[t] * b[t] for t in shared)
    ordered = sorted(shared, key=lambda t: (" " not in t, -a[t] * b[t], t))
    shown: list[str] = []
    words: set[str] = set()
    for term in ordered:
        if set(term.split()) <= words:  # already said by a term shown
            continue
        shown.append(term)
        words.update(term.split())
        if len(shown) == SHOWN_TERMS:
            break
    return similarity, shown


# --- The exact score ------------------------------------------------------------------------


def amount_share(need: NeedFeatures, offer: OfferFeatures, rates: Rates) -> tuple[float | None, Reason | None]:
    """The share of what the need still lacks, year by year, that the offer can still give
    in those years (0 to 1), or None and why not. Amounts in the same currency are compared
    as they are; others in US dollars at each year's rate."""
    if need.amount is None:
        return None, Reason("need_no_amount", W_AMOUNT, 0.0)
    if offer.amount_per_year is None:
        return None, Reason("no_amount", W_AMOUNT, 0.0)
    gap = need.gap_by_year()
    if math.fsum(gap.values()) <= 0:
        return None, Reason("nothing_missing", W_AMOUNT, 0.0)
    same = bool(need.currency) and need.currency == offer.currency
    given = lacking = 0.0
    for year, missing in gap.items():
        can = offer.capacity(year) or 0.0
        if same:
            given += min(missing, can)
            lacking += missing
            continue
        need_rate = rates.rate(need.currency, year)
        if need_rate is None:
            return None, Reason("no_rate", W_AMOUNT, 0.0, {"currency": need.currency or "?"})
        offer_rate = rates.rate(offer.currency, year)
        if offer_rate is None:
            return None, Reason("no_rate", W_AMOUNT, 0.0, {"currency": offer.currency or "?"})
        given += min(missing * need_rate, can * offer_rate)
        lacking += missing * need_rate
    return (min(1.0, given / lacking) if lacking > 0 else None), None


@dataclass(frozen=True)
class Scored:
    """A pair's score, the criteria that earned points (`reasons`, heaviest first) and
    those that earned less than they could (`why_not`, the most points lost first)."""

    score: float
    reasons: list[Reason]
    why_not: list[Reason]
    possible: float = 100.0

    @property
    def share(self) -> float:
        """The score as a share of the points possible for the need (0 to 1)."""
        return share_of(self.score, self.possible)


def share_of(points: float, possible: float) -> float:
    return min(1.0, points / possible) if possible > 0 else 0.0


def score(
    need: NeedFeatures,
    offer: OfferFeatures,
    *,
    partnerships: Iterable[tuple[ProviderKey, int]] = frozenset(),
    rates=None,
    text_model: TextModel | None = None,
    need_vector: Mapping[str, float] | None = None,
    offer_vector: Mapping[str, float] | None = None,
) -> tuple[float, list[Reason]]:
    """The score of an offer for a need, 0 to 100, and the reasons, heaviest first.

    `rates`: {(currency, year): US dollars per unit} or a Rates; `text_model` weighs the
    words of the descriptions (without one, every word weighs the same); the vectors may
    be given when already computed."""
    found = explain(
        need,
        offer,
        partnerships=partnerships,
        rates=rates,
        text_model=text_model,
        need_vector=need_vector,
        offer_vector=offer_vector,
    )
    return found.score, found.reasons


def explain(
    need: NeedFeatures,
    offer: OfferFeatures,
    *,
    partnerships: Iterable[tuple[ProviderKey, int]] = frozenset(),
    rates=None,
    text_model: TextModel | None = None,
    need_vector: Mapping[str, float] | None = None,
    offer_vector: Mapping[str, float] | None = None,
) -> Scored:
    """score(), with the criteria that earned less than they could (`why_not`)."""
    rates = _rates(rates)
    model = text_model or TextModel()
    reasons: list[Reason] = []
    why_not: list[Reason] = []
    total = 0.0

    points = W_PILLAR if need.pillar in offer.pillars else 0.0
    total += points
    if points:
        reasons.append(Reason("pillar", W_PILLAR, points, {"pillar": need.pillar}))

    points = W_MODALITY if need.modality in offer.modalities else 0.0
    total += points
    if points:
        reasons.append(Reason("modality", W_MODALITY, points, {"modality": need.modality}))
    else:
        why_not.append(Reason("no_modality", W_MODALITY, 0.0, {"modality": need.modality}))

    if need.state_id in offer.states:
        points = GEO_STATE
        reasons.append(Reason("state", W_GEOGRAPHY, points, {"state": need.state_name}))
    elif need.region in offer.regions:
        points = GEO_REGION
        reasons.append(Reason("region", W_GEOGRAPHY, points, {"region": need.region}))
    elif not offer.states and not offer.regions:
        points = GEO_ANYWHERE
        reasons.append(Reason("anywhere", W_GEOGRAPHY, points, {}))
    else:
        points = 0.0
    if points < GEO_STATE:
        why_not.append(Reason("geo_partial", W_GEOGRAPHY, points, {"state": need.state_name}))
    total += points

    ratio, missing = amount_share(need, offer, rates)
    points = W_AMOUNT * ratio if ratio else 0.0
    if points:
        percent = 100 if ratio >= 1.0 else max(1, min(99, int(ratio * 100)))
        reasons.append(Reason("amount", W_AMOUNT, points, {"percent": percent}))
        if ratio < 1.0:
            why_not.append(Reason("amount_short", W_AMOUNT, points, {"percent": 100 - percent}))
    elif missing is not None:
        why_not.append(missing)
    total += points

    start, end = max(need.start_year, offer.start_year), min(need.end_year, offer.end_year)
    overlap = max(0, end - start + 1)
    points = W_PERIOD * (overlap / need.years) if need.years > 0 else 0.0
    total += points
    if points:
        reasons.append(Reason("period", W_PERIOD, points, {"start": start, "end": end}))
    if overlap < need.years:
        why_not.append(Reason("period_partial", W_PERIOD, points, {"years": overlap, "of": need.years}))

    shared = sorted(need.languages & offer.languages)
    points = W_LANGUAGE if shared else 0.0
    total += points
    if points:
        reasons.append(Reason("language", W_LANGUAGE, points, {"languages": shared}))
    elif need.languages and offer.languages:
        why_not.append(Reason("no_language", W_LANGUAGE, 0.0))
    else:
        why_not.append(Reason("language_unknown", W_LANGUAGE, 0.0))

    points = W_PARTNERSHIP if (offer.provider, need.state_id) in partnerships else 0.0
    total += points
    if points:
        reasons.append(Reason("partnership", W_PARTNERSHIP, points, {"state": need.state_name}))
    else:
        why_not.append(Reason("no_partnership", W_PARTNERSHIP, 0.0, {"state": need.state_name}))

    # Art. 4(4): only for the needs of a State where former users are recorded.
    if need.former_users:
        if offer.provider_state_id in need.former_users:
            total += W_FORMER_USER
            reasons.append(Reason("former_user", W_FORMER_USER, W_FORMER_USER, {"state": need.state_name}))
        else:
            why_not.append(Reason("no_former_user", W_FORMER_USER, 0.0, {"state": need.state_name}))

    a = need_vector if need_vector is not None else model.vector(need.text)
    b = offer_vector if offer_vector is not None else model.vector(offer.text)
    similarity, shown = _shared_terms(a, b)
    points = W_TEXT * similarity
    total += points
    if shown and points > 0:
        reasons.append(Reason("text", W_TEXT, points, {"terms": shown}))
    else:
        why_not.append(Reason("no_text", W_TEXT, 0.0))

    reasons.sort(key=lambda r: -r.points)
    why_not.sort(key=lambda r: -(r.weight - r.points))
    return Scored(min(MAX_SCORE, max(0.0, total)), reasons, why_not, need.possible())


def this_year() -> int:
    from article6 import asof

    return asof.today().year


def exclusions(need: NeedFeatures, offer: OfferFeatures, year: int | None = None, *, about: str = "offer") -> list:
    """Why this offer cannot help this need at all (empty when it can): another pillar, a
    geography that leaves the need's State out, no common year, a period over (as of
    `year`, this year by default), an offer with nothing left to give. Worded about the
    offer (`about="offer"`, a need's suggestions) or about the need (an offer's)."""
    year = this_year() if year is None else year
    found: list[Reason] = []
    if need.pillar not in offer.pillars:
        if about == "offer":
            found.append(Reason("other_pillar", W_PILLAR, 0.0, {"pillars": sorted(offer.pillars, key=_pillar_order)}))
        else:
            found.append(Reason("need_other_pillar", W_PILLAR, 0.0, {"pillar": need.pillar}))
    if (offer.states or offer.regions) and need.state_id not in offer.states and need.region not in offer.regions:
        if about == "offer":
            names = [name for _id, name in offer.state_names]
            params = {"regions": sorted(offer.regions, key=_region_order), "states": names}
            if len(names) < len(offer.states):
                params = {**params, "states": [], "count": len(offer.states)} if not offer.regions else params
            found.append(Reason("elsewhere", W_GEOGRAPHY, 0.0, params))
        else:
            found.append(Reason("need_elsewhere", W_GEOGRAPHY, 0.0, {"state": need.state_name}))
    over = [r for r in (offer, need) if r.end_year < year]
    for record in over:
        # "Ended in 2023" for the candidate listed; the subject of the page is named.
        code = "ended" if (record is offer) == (about == "offer") else f"{'offer' if record is offer else 'need'}_ended"
        found.append(Reason(code, W_PERIOD, 0.0, {"year": record.end_year}))
    if not over and (offer.end_year < need.start_year or offer.start_year > need.end_year):
        if about == "offer":
            code = "before" if offer.end_year < need.start_year else "after"
            params = {"start": need.start_year if code == "before" else offer.start_year}
            params["end"] = offer.end_year if code == "before" else need.end_year
        else:
            code = "need_after" if offer.end_year < need.start_year else "need_before"
            params = {"start": need.start_year if code == "need_after" else offer.start_year}
            params["end"] = offer.end_year if code == "need_after" else need.end_year
        found.append(Reason(code, W_PERIOD, 0.0, params))
    if offer.end_year >= year and offer.is_spent(year):
        found.append(Reason("spent", W_AMOUNT, 0.0))
    return found


def _pillar_order(value: str) -> int:
    return Pillar.values.index(value) if value in Pillar.values else len(Pillar.values)


def _region_order(value: str) -> int:
    return Region.values.index(value) if value in Region.values else len(Region.values)


# --- The vectorised ranking -----------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A suggested candidate: its score, what earned points and what did not."""

    id: int
    score: float
    reasons: list[Reason]
    why_not: list[Reason] = field(default_factory=list, compare=False)
    possible: float = 100.0

    @property
    def share(self) -> float:
        return share_of(self.score, self.possible)


@dataclass(frozen=True)
class Filters:
    """What a person narrows the suggestions to: the modality, an amount of at least
    `min_usd` US dollars (an offer: a year, at this year's rate; a need: still lacking in
    all), a period that has a year in `year_from`–`year_to`, a working language, and only
    records open to more than their own parties (`hide_restricted`)."""

    modality: str = ""
    min_usd: float | None = None
    year_from: int | None = None
    year_to: int | None = None
    language: str = ""
    hide_restricted: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.modality
            or self.min_usd is not None
            or self.year_from is not None
            or self.year_to is not None
            or self.language
            or self.hide_restricted
        )


def _in_years(start: np.ndarray, end: np.ndarray, filters: Filters) -> np.ndarray:
    """The candidates whose period has a year within the filter's years."""
    keep = np.ones(start.shape[0], dtype=bool)
    if filters.year_from is not None:
        keep &= end >= filters.year_from
    if filters.year_to is not None:
        keep &= start <= filters.year_to
    return keep


@dataclass(frozen=True)
class Excluded:
    """A candidate that cannot help, and why (`reasons`, each a plain sentence)."""

    id: int
    score: float
    reasons: list[Reason]


@dataclass(frozen=True)
class Ranking:
    """The suggestions, best first, and the best-scoring candidates left out as unable to
    help, with their reasons (`excluded`; `excluded_count` of them in all)."""

    suggested: list[Suggestion]
    excluded: list[Excluded]
    excluded_count: int = 0
    # Candidates the person may see that the filters hid (suggested or not).
    filtered_count: int = 0


# The candidates left out that the page names (the best-scoring ones).
SHOWN_EXCLUDED = 10


def _currency_codes(values: Iterable[str], codes: dict[str, int]) -> np.ndarray:
    return np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.int32)


def _rates_of(rates: Rates, codes: Mapping[str, int], year: int) -> np.ndarray:
    """US dollars per unit of each currency code in `year` (NaN: no rate)."""
    table = np.full(max(len(codes), 1), np.nan)
    for currency, code in codes.items():
        rate = rates.rate(currency, year)
        if rate is not None:
            table[code] = rate
    return table


def _bits(values: Iterable[str], table: Mapping[str, int]) -> int:
    mask = 0
    for value in values:
        mask |= table.get(value, 0)
    return mask


def _membership(rows: Sequence[Iterable], columns: dict) -> sparse.csc_matrix:
    """A rows × columns 0/1 matrix (compressed by column, so that the rows holding one
    value are read at once); `columns` maps each value to its column and grows."""
    row_ids, col_ids = [], []
    for i, values in enumerate(rows):
        for value in values:
            row_ids.append(i)
            col_ids.append(columns.setdefault(value, len(columns)))
    data = np.ones(len(row_ids), dtype=np.int8)
    return sparse.csc_matrix((data, (row_ids, col_ids)), shape=(len(rows), max(len(columns), 1)))


def _rows_holding(matrix: sparse.csc_matrix, columns: Mapping, values: Iterable) -> np.ndarray:
    """Boolean array: the rows that hold any of `values`."""
    found = np.zeros(matrix.shape[0], dtype=bool)
    for value in values:
        col = columns.get(value)
        if col is not None:
            found[matrix.indices[matrix.indptr[col] : matrix.indptr[col + 1]]] = True
    return found


def _text_matrix(texts: Iterable[str], text_model: TextModel | None) -> tuple[TextModel, sparse.csc_matrix, dict]:
    """The TF-IDF vectors of `texts` as the rows of a sparse matrix (compressed by
    column: one term's rows are read at once), its columns (term → column) and the
    text model (fitted on `texts` when none is given). The weights are TextModel.weigh's,
    computed on the arrays at once."""
    columns: dict[str, int] = {}
    indices = array("i")  # compact while the texts are read
    counts = array("i")
    indptr = array("q", [0])
    for text in texts:
        found = terms(text)
        indices.extend([columns.setdefault(term, len(columns)) for term in found])
        counts.extend(found.values())
        indptr.append(len(indices))
    rows = len(indptr) - 1
    index = np.frombuffer(indices, dtype=np.int32) if indices else np.zeros(0, dtype=np.int32)
    count = np.frombuffer(counts, dtype=np.int32).astype(np.float64) if counts else np.zeros(0)
    vocabulary = list(columns)
    if text_model is None:
        frequency = np.bincount(index, minlength=len(columns))  # a term counts once per text
        text_model = TextModel(dict(zip(vocabulary, frequency.tolist(), strict=True)), rows)
    idf = np.array([text_model.idf.get(t, text_model.unseen) for t in vocabulary], dtype=np.float64)
    weight = (1.0 + np.log(count)) * idf[index] if index.size else count
    pointers = np.frombuffer(indptr, dtype=np.int64)
    row_of = np.repeat(np.arange(rows), np.diff(pointers))
    norm = np.sqrt(np.bincount(row_of, weights=weight * weight, minlength=rows))
    weight = weight / norm[row_of] if index.size else weight
    matrix = sparse.csr_matrix((weight, index.copy(), pointers.copy()), shape=(rows, max(len(columns), 1))).tocsc()
    return text_model, matrix, columns


def _similarities(matrix: sparse.csc_matrix, columns: Mapping[str, int], vector: Mapping[str, float]) -> np.ndarray:
    cols = [(columns[t], w) for t, w in vector.items() if t in columns]
    if not cols:
        return np.zeros(matrix.shape[0])
    index = np.array([c for c, _w in cols])
    weights = np.array([w for _c, w in cols])
    return matrix[:, index] @ weights


def _visible(viewer: Viewer | None, visibility: np.ndarray, *parties: tuple[np.ndarray, frozenset]) -> np.ndarray:
    """The records `viewer` may see (accounts.permissions.visible_q, as arrays)."""
    if viewer is None or viewer.is_isu:
        return np.ones(visibility.shape[0], dtype=bool)
    allowed = visibility == VISIBILITY_CODES["public"]
    if not viewer.has_role:
        return allowed
    allowed |= visibility == VISIBILITY_CODES["signed_in"]
    restricted = visibility == VISIBILITY_CODES["restricted"]
    if viewer.is_coordinator:
        return allowed | restricted
    named = np.zeros(visibility.shape[0], dtype=bool)
    for ids, mine in parties:
        if mine:
            named |= np.isin(ids, np.fromiter(mine, dtype=np.int64))
    return allowed | (restricted & named)


def _not_in(ids: np.ndarray, leave_out: Iterable[int]) -> np.ndarray:
    leave_out = list(leave_out)
    if not leave_out:
        return np.ones(ids.shape[0], dtype=bool)
    return ~np.isin(ids, np.array(leave_out, dtype=np.int64))


def _best(scores: np.ndarray, ids: np.ndarray, allowed: np.ndarray, k: int, *, positive: bool = True) -> np.ndarray:
    """Positions of the k best scores (above 0 unless `positive` is false) among the
    allowed, best first (ties by id)."""
    candidates = np.flatnonzero(allowed & (scores > 0) if positive else allowed)
    if k <= 0 or candidates.size == 0:
        return candidates[:0]
    values = scores[candidates]
    if candidates.size > k:
        threshold = np.partition(values, candidates.size - k)[candidates.size - k]
        keep = values >= threshold
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((ids[candidates], -values))
    return candidates[order[:k]]


class _Index:
    text_model: TextModel
    rates: Rates
    partnerships: frozenset

    def with_partnerships(self, partnerships: Iterable[tuple[ProviderKey, int]]):
        """The same index (sharing its arrays) with these partnerships."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._set_partnerships(frozenset(partnerships))
        return clone

    def _kept(self, filters: Filters | None, modalities: np.ndarray) -> np.ndarray:
        """What the filters keep of the modality (`modalities`: each record's bits), the
        working language, the period and the visibility (the amount is each index's own)."""
        keep = np.ones(self.ids.shape[0], dtype=bool)
        if not filters:
            return keep
        if filters.modality:
            keep &= (modalities & MODALITY_BITS.get(filters.modality, 0)) != 0
        if filters.language:
            keep &= _rows_holding(self.languages, self.language_columns, [filters.language])
        keep &= _in_years(self.start, self.end, filters)
        if filters.hide_restricted:
            keep &= self.visibility < VISIBILITY_CODES["restricted"]
        return keep

    def _ranking(self, order, scores, allowed, passes, excluded, k, shown_excluded, *, explain_at, left_out_at):
        """The Ranking both sides give: the k best by `order` among those `allowed`, kept by
        the filters (`passes`) and not `excluded`, each explained (explain_at(position));
        the best of the excluded named with why (left_out_at(position)); how many the
        filters hid."""
        filtered = int((allowed & ~passes).sum())
        allowed = allowed & passes
        suggested = []
        for i in _best(order, self.ids, allowed & ~excluded, k):
            found = explain_at(i)
            suggested.append(Suggestion(int(self.ids[i]), found.score, found.reasons, found.why_not, found.possible))
        left_out = allowed & excluded
        named = [
            Excluded(int(self.ids[i]), float(scores[i]), left_out_at(i))
            for i in _best(order, self.ids, left_out, shown_excluded, positive=False)
        ]
        return Ranking(suggested, named, int(left_out.sum()), filtered)

    def score(self, need: NeedFeatures, offer: OfferFeatures) -> tuple[float, list[Reason]]:
        """The exact score of a pair, with this index's text model, rates and partnerships."""
        return score(need, offer, partnerships=self.partnerships, rates=self.rates, text_model=self.text_model)

    def explain(self, need: NeedFeatures, offer: OfferFeatures, **vectors) -> Scored:
        """score(), with the criteria that earned less than they could."""
        return explain(
            need, offer, partnerships=self.partnerships, rates=self.rates, text_model=self.text_model, **vectors
        )


class OfferIndex(_Index):
    """Every offer as arrays, to rank them all against one need at a time."""

    def __init__(
        self,
        offers: Sequence[OfferFeatures],
        *,
        partnerships: Iterable[tuple[ProviderKey, int]] = frozenset(),
        rates=None,
        text_model: TextModel | None = None,
    ):
        self.offers = list(offers)
        self.rates = _rates(rates)
        n = len(self.offers)
        self.ids = np.fromiter((o.id for o in self.offers), dtype=np.int64, count=n)
        self.position = {o.id: i for i, o in enumerate(self.offers)}
        self.pillars = np.fromiter((_bits(o.pillars, PILLAR_BITS) for o in self.offers), dtype=np.uint16, count=n)
        self.modalities = np.fromiter(
            (_bits(o.modalities, MODALITY_BITS) for o in self.offers), dtype=np.uint8, count=n
        )
        self.regions = np.fromiter((_bits(o.regions, REGION_BITS) for o in self.offers), dtype=np.uint8, count=n)
        self.anywhere = np.fromiter((not o.states and not o.regions for o in self.offers), dtype=bool, count=n)
        self.state_columns: dict[int, int] = {}
        self.states = _membership([o.states for o in self.offers], self.state_columns)
        self.language_columns: dict[str, int] = {}
        self.languages = _membership([o.languages for o in self.offers], self.language_columns)
        amounts = (o.amount_per_year for o in self.offers)
        self.amount = np.fromiter((np.nan if v is None else v for v in amounts), dtype=np.float64, count=n)
        self.currency_codes: dict[str, int] = {}
        self.currency = _currency_codes((o.currency for o in self.offers), self.currency_codes)
        self.start = np.fromiter((o.start_year for o in self.offers), dtype=np.int32, count=n)
        self.end = np.fromiter((o.end_year for o in self.offers), dtype=np.int32, count=n)
        self._set_committed({o.id: o.committed for o in self.offers if o.committed})
        self.provider_codes: dict[ProviderKey, int] = {}
        self.provider = np.fromiter(
            (self.provider_codes.setdefault(o.provider, len(self.provider_codes)) for o in self.offers),
            dtype=np.int32,
            count=n,
        )
        self.provider_state = np.fromiter((o.provider_state_id or -1 for o in self.offers), dtype=np.int64, count=n)
        self.provider_organisation = np.fromiter(
            (o.provider_organisation_id or -1 for o in self.offers), dtype=np.int64, count=n
        )
        self.visibility = np.fromiter((VISIBILITY_CODES.get(o.visibility, 3) for o in self.offers), np.int8, n)
        self.text_model, self.text, self.text_columns = _text_matrix((o.text for o in self.offers), text_model)
        self._set_partnerships(frozenset(partnerships))

    def passes(self, filters: Filters | None, year: int) -> np.ndarray:
        """The offers that the filters keep (`year`: whose rate turns an amount into dollars)."""
        keep = self._kept(filters, self.modalities)
        if filters and filters.min_usd is not None:
            usd = self.amount * _rates_of(self.rates, self.currency_codes, year)[self.currency]
            keep &= np.nan_to_num(usd, nan=-1.0) >= filters.min_usd
        return keep

    def _set_partnerships(self, partnerships: frozenset) -> None:
        self.partnerships = partnerships
        by_state: dict[int, list[int]] = {}
        for provider, state_id in partnerships:
            code = self.provider_codes.get(provider)
            if code is not None:
                by_state.setdefault(state_id, []).append(code)
        self._partners = {s: np.array(sorted(codes), dtype=np.int32) for s, codes in by_state.items()}

    def _set_committed(self, committed: Mapping[int, Sequence[tuple[int, float]]]) -> None:
        """What each offer has given already: (year, amount) per offer id, kept as
        corrections of the few offers that have any."""
        self.committed = {i: tuple(sorted(c)) for i, c in committed.items() if c and i in self.position}
        rows = sorted(self.position[i] for i in self.committed)
        self.committed_rows = np.array(rows, dtype=np.int64)
        by_year: dict[int, np.ndarray] = {}
        for j, row in enumerate(rows):
            for year, amount in self.committed[self.offers[row].id]:
                by_year.setdefault(year, np.zeros(len(rows)))[j] += amount
        self.committed_years = by_year

    def with_committed(self, committed: Mapping[int, Sequence[tuple[int, float]]]) -> OfferIndex:
        """The same index (sharing its arrays) with what each offer has given already."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.offers = list(self.offers)
        for offer_id in set(self.committed) | set(committed):
            if offer_id in self.position:
                row = self.position[offer_id]
                clone.offers[row] = dataclasses.replace(
                    self.offers[row], committed=tuple(sorted(committed.get(offer_id, ())))
                )
        clone._set_committed(committed)
        clone._spent_by_year = {}
        return clone

    def features(self, offer_id: int) -> OfferFeatures | None:
        """The offer as indexed (with what it has given already), None when not active."""
        row = self.position.get(offer_id)
        return None if row is None else self.offers[row]

    def _capacity(self, year: int) -> np.ndarray:
        """What each offer can still give in `year`, in its currency (NaN: no amount)."""
        within = (self.start <= year) & (year <= self.end)
        capacity = np.where(within, self.amount, np.where(np.isnan(self.amount), np.nan, 0.0))
        given = self.committed_years.get(year)
        if given is not None:
            capacity[self.committed_rows] = capacity[self.committed_rows] - given
        return np.maximum(capacity, 0.0)

    def amount_shares(self, need: NeedFeatures) -> np.ndarray:
        """amount_share() for every offer (0 where it gives none)."""
        n = len(self.offers)
        gap = need.gap_by_year()
        if need.amount is None or math.fsum(gap.values()) <= 0:
            return np.zeros(n)
        same = self.currency == self.currency_codes.get(need.currency, -1) if need.currency else np.zeros(n, bool)
        given_same, lacking_same = np.zeros(n), 0.0
        given_usd, lacking_usd = np.zeros(n), 0.0
        for year, missing in gap.items():
            can = self._capacity(year)
            given_same += np.minimum(missing, can)
            lacking_same += missing
            need_rate = self.rates.rate(need.currency, year)
            need_rate = np.nan if need_rate is None else need_rate
            offer_rate = _rates_of(self.rates, self.currency_codes, year)[self.currency]
            given_usd += np.minimum(missing * need_rate, can * offer_rate)
            lacking_usd += missing * need_rate
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(same, given_same / lacking_same, given_usd / lacking_usd)
        return np.minimum(1.0, np.nan_to_num(share, nan=0.0))

    def exclusions(self, need: NeedFeatures, year: int, in_state: np.ndarray, in_region: np.ndarray) -> np.ndarray:
        """The offers that cannot help `need` (exclusions(), as arrays)."""
        excluded = (self.pillars & PILLAR_BITS.get(need.pillar, 0)) == 0
        excluded |= ~self.anywhere & ~in_state & ~in_region
        excluded |= (self.end < year) | (need.end_year < year)
        excluded |= (self.end < need.start_year) | (self.start > need.end_year)
        excluded |= self.amount <= 0  # NaN (no amount) is not
        excluded[self._spent(year)] = True
        return excluded

    def _spent(self, year: int) -> np.ndarray:
        """The positions of the offers that have given all they offer from `year` on
        (worked out once per year: only offers with accepted matches can be)."""
        spent = self.__dict__.setdefault("_spent_by_year", {})
        if year not in spent:
            rows = [row for row in self.committed_rows.tolist() if self.offers[row].is_spent(year)]
            spent[year] = np.array(rows, dtype=np.int64)
        return spent[year]

    def __len__(self) -> int:
        return len(self.offers)

    def nbytes(self) -> int:
        arrays = [getattr(self, name) for name in vars(self) if isinstance(getattr(self, name), np.ndarray)]
        matrices = [self.states, self.languages, self.text]
        return sum(a.nbytes for a in arrays) + sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in matrices)

    def scores(self, need: NeedFeatures, need_vector: Mapping[str, float] | None = None) -> np.ndarray:
        """The score of every offer for `need`: score()'s formula, criterion by criterion."""
        n = len(self.offers)
        total = np.zeros(n)
        total += W_PILLAR * ((self.pillars & PILLAR_BITS.get(need.pillar, 0)) != 0)
        total += W_MODALITY * ((self.modalities & MODALITY_BITS.get(need.modality, 0)) != 0)

        in_state = _rows_holding(self.states, self.state_columns, [need.state_id])
        in_region = (self.regions & REGION_BITS.get(need.region, 0)) != 0
        anywhere = np.where(self.anywhere, GEO_ANYWHERE, 0.0)
        total += np.where(in_state, GEO_STATE, np.where(in_region, GEO_REGION, anywhere))

        total += W_AMOUNT * self.amount_shares(need)

        if need.years > 0:
            overlap = np.maximum(0, np.minimum(self.end, need.end_year) - np.maximum(self.start, need.start_year) + 1)
            total += W_PERIOD * (overlap / need.years)

        total += W_LANGUAGE * _rows_holding(self.languages, self.language_columns, need.languages)

        partners = self._partners.get(need.state_id)
        if partners is not None:
            total += W_PARTNERSHIP * np.isin(self.provider, partners)

        if need.former_users:
            total += W_FORMER_USER * np.isin(self.provider_state, np.fromiter(need.former_users, dtype=np.int64))

        vector = need_vector if need_vector is not None else self.text_model.vector(need.text)
        total += W_TEXT * _similarities(self.text, self.text_columns, vector)
        return np.clip(total, 0.0, MAX_SCORE)

    def rank_offers(
        self,
        need: NeedFeatures,
        k: int = 10,
        *,
        viewer: Viewer | None = None,
        year: int | None = None,
        shown_excluded: int = SHOWN_EXCLUDED,
        leave_out: Iterable[int] = (),
        filters: Filters | None = None,
    ) -> Ranking:
        """The k offers that fit `need` best (those `viewer` may see, when given), best
        first, with their reasons and why not; the need's own State's offers left out, and
        those of `leave_out` (declined already); those that cannot help it (exclusions(), as
        of `year`) left out too, the best scoring of them named with their reasons; only
        those the `filters` keep."""
        year = this_year() if year is None else year
        vector = self.text_model.vector(need.text)
        scores = self.scores(need, vector)
        states, organisations = (viewer.states, viewer.organisations) if viewer else (frozenset(), frozenset())
        allowed = _visible(
            viewer, self.visibility, (self.provider_state, states), (self.provider_organisation, organisations)
        )
        allowed &= self.provider_state != need.state_id
        in_state = _rows_holding(self.states, self.state_columns, [need.state_id])
        in_region = (self.regions & REGION_BITS.get(need.region, 0)) != 0
        return self._ranking(
            scores,
            scores,
            allowed & _not_in(self.ids, leave_out),
            self.passes(filters, year),
            self.exclusions(need, year, in_state, in_region),
            k,
            shown_excluded,
            explain_at=lambda i: self.explain(need, self.offers[i], need_vector=vector),
            left_out_at=lambda i: exclusions(need, self.offers[i], year),
        )

    def top_offers(self, need: NeedFeatures, k: int = 10, *, viewer: Viewer | None = None, year=None):
        """The k suggested offers of rank_offers()."""
        return self.rank_offers(need, k, viewer=viewer, year=year, shown_excluded=0).suggested


class NeedIndex(_Index):
    """Every need as arrays, to rank them all against one offer at a time. Built with
    the offers' text model, so that a pair scores the same from either side."""

    def __init__(
        self,
        needs: Sequence[NeedFeatures],
        *,
        partnerships: Iterable[tuple[ProviderKey, int]] = frozenset(),
        rates=None,
        text_model: TextModel | None = None,
    ):
        self.needs = list(needs)
        self.rates = _rates(rates)
        n = len(self.needs)
        self.ids = np.fromiter((x.id for x in self.needs), dtype=np.int64, count=n)
        self.position = {x.id: i for i, x in enumerate(self.needs)}
        self.pillar = np.fromiter((PILLAR_BITS.get(x.pillar, 0) for x in self.needs), dtype=np.uint16, count=n)
        self.modality = np.fromiter((MODALITY_BITS.get(x.modality, 0) for x in self.needs), dtype=np.uint8, count=n)
        self.region = np.fromiter((REGION_BITS.get(x.region, 0) for x in self.needs), dtype=np.uint8, count=n)
        self.state = np.fromiter((x.state_id for x in self.needs), dtype=np.int64, count=n)
        self.language_columns: dict[str, int] = {}
        self.languages = _membership([x.languages for x in self.needs], self.language_columns)
        self.start = np.fromiter((x.start_year for x in self.needs), dtype=np.int32, count=n)
        self.end = np.fromiter((x.end_year for x in self.needs), dtype=np.int32, count=n)
        self.currency_codes: dict[str, int] = {}
        self.currency = _currency_codes((x.currency for x in self.needs), self.currency_codes)
        # What each need still lacks, one column a year (from the first year of any need's gap).
        gaps = [x.gap_by_year() for x in self.needs]
        years = sorted({y for g in gaps for y in g})
        self.first_year = years[0] if years else 0
        self.gap = np.zeros((n, (years[-1] - years[0] + 1) if years else 0))
        for i, g in enumerate(gaps):
            for y, amount in g.items():
                self.gap[i, y - self.first_year] = amount
        self.visibility = np.fromiter((VISIBILITY_CODES.get(x.visibility, 3) for x in self.needs), np.int8, n)
        self.former_columns: dict[int, int] = {}
        self.former_users = _membership([x.former_users for x in self.needs], self.former_columns)
        self.possible = np.fromiter((x.possible() for x in self.needs), dtype=np.float64, count=n)
        self.text_model, self.text, self.text_columns = _text_matrix((x.text for x in self.needs), text_model)
        self._set_partnerships(frozenset(partnerships))

    def passes(self, filters: Filters | None) -> np.ndarray:
        """The needs that the filters keep (an amount: what each still lacks, in US dollars
        at each year's rate; a need without an amount, or without a rate, is not kept)."""
        keep = self._kept(filters, self.modality)
        if filters and filters.min_usd is not None:
            lacking = np.zeros(len(self.needs))
            for column in range(self.gap.shape[1]):
                rate = _rates_of(self.rates, self.currency_codes, self.first_year + column)[self.currency]
                lacking += self.gap[:, column] * rate
            keep &= np.nan_to_num(lacking, nan=-1.0) >= filters.min_usd
            keep &= self.gap.sum(axis=1) > 0 if self.gap.shape[1] else False
        return keep

    def _set_partnerships(self, partnerships: frozenset) -> None:
        self.partnerships = partnerships
        by_provider: dict[ProviderKey, list[int]] = {}
        for provider, state_id in partnerships:
            by_provider.setdefault(provider, []).append(state_id)
        self._partners = {p: np.array(sorted(s), dtype=np.int64) for p, s in by_provider.items()}

    def __len__(self) -> int:
        return len(self.needs)

    def scores(self, offer: OfferFeatures, offer_vector: Mapping[str, float] | None = None) -> np.ndarray:
        n = len(self.needs)
        total = np.zeros(n)
        total += W_PILLAR * ((self.pillar & _bits(offer.pillars, PILLAR_BITS)) != 0)
        total += W_MODALITY * ((self.modality & _bits(offer.modalities, MODALITY_BITS)) != 0)

        if offer.states:
            in_state = np.isin(self.state, np.fromiter(offer.states, dtype=np.int64))
        else:
            in_state = np.zeros(n, dtype=bool)
        in_region = (self.region & _bits(offer.regions, REGION_BITS)) != 0
        anywhere = GEO_ANYWHERE if not offer.states and not offer.regions else 0.0
        total += np.where(in_state, GEO_STATE, np.where(in_region, GEO_REGION, anywhere))

        total += W_AMOUNT * self.amount_shares(offer)

        years = self.end - self.start + 1
        overlap = np.maximum(0, np.minimum(self.end, offer.end_year) - np.maximum(self.start, offer.start_year) + 1)
        total += np.where(years > 0, W_PERIOD * (overlap / np.maximum(years, 1)), 0.0)

        total += W_LANGUAGE * _rows_holding(self.languages, self.language_columns, offer.languages)

        partners = self._partners.get(offer.provider)
        if partners is not None:
            total += W_PARTNERSHIP * np.isin(self.state, partners)

        if offer.provider_state_id is not None:
            former = _rows_holding(self.former_users, self.former_columns, [offer.provider_state_id])
            total += W_FORMER_USER * former

        vector = offer_vector if offer_vector is not None else self.text_model.vector(offer.text)
        total += W_TEXT * _similarities(self.text, self.text_columns, vector)
        return np.clip(total, 0.0, MAX_SCORE)

    def amount_shares(self, offer: OfferFeatures) -> np.ndarray:
        """amount_share() for every need (0 where it cannot be worked out)."""
        n = len(self.needs)
        if offer.amount_per_year is None or not n:
            return np.zeros(n)
        same = self.currency == self.currency_codes.get(offer.currency, -1) if offer.currency else np.zeros(n, bool)
        given_same, lacking_same = np.zeros(n), np.zeros(n)
        given_usd, lacking_usd = np.zeros(n), np.zeros(n)
        for column in range(self.gap.shape[1]):
            year = self.first_year + column
            missing = self.gap[:, column]
            can = offer.capacity(year) or 0.0
            given_same += np.minimum(missing, can)
            lacking_same += missing
            need_rate = _rates_of(self.rates, self.currency_codes, year)[self.currency]
            offer_rate = self.rates.rate(offer.currency, year)
            offer_rate = np.nan if offer_rate is None else offer_rate
            given_usd += np.minimum(missing * need_rate, can * offer_rate)
            lacking_usd += missing * need_rate
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(same, given_same / lacking_same, given_usd / lacking_usd)
        share = np.where(lacking_same > 0, share, 0.0)
        return np.minimum(1.0, np.nan_to_num(share, nan=0.0))

    def exclusions(self, offer: OfferFeatures, year: int) -> np.ndarray:
        """The needs that `offer` cannot help (exclusions(), as arrays)."""
        excluded = (self.pillar & _bits(offer.pillars, PILLAR_BITS)) == 0
        if offer.states or offer.regions:
            in_state = np.isin(self.state, np.fromiter(offer.states, dtype=np.int64, count=len(offer.states)))
            excluded |= ~in_state & ((self.region & _bits(offer.regions, REGION_BITS)) == 0)
        excluded |= (self.end < year) | (offer.end_year < year)
        excluded |= (self.end < offer.start_year) | (self.start > offer.end_year)
        if offer.end_year >= year and offer.is_spent(year):
            excluded |= True
        return excluded

    def rank_needs(
        self,
        offer: OfferFeatures,
        k: int = 10,
        *,
        viewer: Viewer | None = None,
        year: int | None = None,
        shown_excluded: int = SHOWN_EXCLUDED,
        leave_out: Iterable[int] = (),
        filters: Filters | None = None,
    ) -> Ranking:
        """The k needs that `offer` fits best (those `viewer` may see, when given), best
        first by the share of the points possible for each need, with their reasons and why
        not; the needs of the offer's own State left out, and those of `leave_out`
        (declined already); those it cannot help left out too, the best scoring of them
        named with why; only those the `filters` keep."""
        year = this_year() if year is None else year
        vector = self.text_model.vector(offer.text)
        scores = self.scores(offer, vector)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(self.possible > 0, np.minimum(1.0, scores / self.possible), 0.0)
        allowed = _visible(viewer, self.visibility, (self.state, viewer.states if viewer else frozenset()))
        if offer.provider_state_id is not None:
            allowed &= self.state != offer.provider_state_id
        return self._ranking(
            shares,
            scores,
            allowed & _not_in(self.ids, leave_out),
            self.passes(filters),
            self.exclusions(offer, year),
            k,
            shown_excluded,
            explain_at=lambda i: self.explain(self.needs[i], offer, offer_vector=vector),
            left_out_at=lambda i: exclusions(self.needs[i], offer, year, about="need"),
        )

    def top_needs(self, offer: OfferFeatures, k: int = 10, *, viewer: Viewer | None = None, year=None):
        """The k suggested needs of rank_needs()."""
        return self.rank_needs(offer, k, viewer=viewer, year=year, shown_excluded=0).suggested


# --- Built from the database, and kept ------------------------------------------------------
# The indexes live in the process, with the key of the data they were built from (see
# data_key). Each page reads the key (one query) and rebuilds only what changed: the
# offers' arrays when offers or exchange rates change, the partnerships when commitments
# do, the needs' arrays when needs do. Saving or deleting those records in this process
# also moves the key at once (signals below), whatever the database.

MATCHABLE_NEED_STATUSES = ("open", "partly_covered")
PARTS = ("offers", "needs", "commitments", "rates", "matches", "weights", "uses")

_lock = threading.Lock()
_cache: dict[str, tuple[object, object]] = {}
_generation = dict.fromkeys(PARTS, 0)


def clear_cache() -> None:
    """Drop every index (the next page rebuilds them)."""
    with _lock:
        for part in PARTS:
            _generation[part] += 1
        _cache.clear()


def _changed(part: str):
    def receiver(*_args, **_kwargs) -> None:
        _generation[part] += 1

    return receiver


def data_key() -> dict[str, tuple]:
    """What the indexes depend on, read in one query of index look-ups: per part, the
    newest id (a bulk insert) and the newest audit-trail row (every save and delete
    through Django, in any process); for offers, the newest link to a State of interest
    too (changing an offer's States through its form or the back office saves the offer
    as well)."""
    from django.db import connection

    from article6.assistance.models import Commitment, ExchangeRate, Match, Need, Offer, WordWeights
    from article6.treaty.models import FormerUse

    quote = connection.ops.quote_name
    models = {"offers": Offer, "needs": Need, "commitments": Commitment, "rates": ExchangeRate, "matches": Match}
    # Table names come from the models, quoted: nothing from outside goes into the query.
    probes = []
    for model in models.values():
        probes += [("MAX(id)", quote(model._meta.db_table))]
        probes += [("MAX(history_id)", quote(model.history.model._meta.db_table))]
    probes += [("MAX(id)", quote(Offer.states.through._meta.db_table))]
    probes += [("MAX(id)", quote(WordWeights._meta.db_table))]
    probes += [("MAX(id)", quote(FormerUse._meta.db_table))]
    probes += [("MAX(history_id)", quote(FormerUse.history.model._meta.db_table))]
    sql = "SELECT " + ", ".join("(SELECT " + what + " FROM " + table + ")" for what, table in probes)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    key = {part: (_generation[part], *row[2 * i : 2 * i + 2]) for i, part in enumerate(models)}
    key["offers"] += (row[2 * len(models)],)
    key["weights"] = (_generation["weights"], row[2 * len(models) + 1])
    # The register of former use (Art. 4(4)), which the needs carry.
    key["uses"] = (_generation["uses"], *row[2 * len(models) + 2 :])
    # The as-of year: what is over, and what an offer can still give, depend on it.
    key["offers"] += (this_year(),)
    return key


def _cached(name: str, key, build):
    with _lock:
        hit = _cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
    value = build()
    with _lock:
        _cache[name] = (key, value)
    return value


def build_word_weights() -> TextModel:
    """Freeze the weights of the words anew, from the descriptions of the active offers,
    and keep only these (one query to read, one to write, one to clear the older)."""
    from article6.assistance.models import Offer, WordWeights

    texts = (f"{title}\n{description}" for title, description in _offer_texts(Offer))
    model, _matrix, _columns = _text_matrix(texts, None)
    with transaction.atomic():
        kept = WordWeights.objects.create(documents=model.documents, frequencies=model.document_frequency)
        WordWeights.objects.exclude(pk=kept.pk).delete()
    _generation["weights"] += 1
    return TextModel(model.document_frequency, model.documents, built=kept.built)


def _offer_texts(offer_model):
    return (
        offer_model.objects.filter(is_active=True)
        .order_by("id")
        .values_list("title", "description")
        .iterator(chunk_size=5000)
    )


def load_word_weights() -> TextModel:
    """The frozen weights of the words (see _key: built before they are first read)."""
    from article6.assistance.models import WordWeights

    kept = WordWeights.objects.first()
    if kept is None:
        return build_word_weights()
    return TextModel(kept.frequencies, kept.documents, built=kept.built)


def _key(key: dict | None) -> dict:
    """The data key, the weights of the words built first if they never were (then the
    key is read again, so that the indexes built now are kept for the next page)."""
    key = key or data_key()
    if key["weights"][1] is None:
        build_word_weights()
        key = data_key()
    return key


def load_rates() -> Rates:
    from article6.assistance.models import ExchangeRate

    return Rates(ExchangeRate.table())


def load_partnerships() -> frozenset:
    """(provider, State) of the public commitments."""
    from article6.assistance.models import Commitment

    rows = (
        Commitment.objects.filter(visibility="public")
        .values_list("provider_state_id", "provider_organisation_id", "recipient_id")
        .distinct()
    )
    pairs = set()
    for state_id, organisation_id, recipient_id in rows:
        if state_id:
            pairs.add((("state", state_id), recipient_id))
        elif organisation_id:
            pairs.add((("organisation", organisation_id), recipient_id))
    return frozenset(pairs)


def load_offers() -> list[OfferFeatures]:
    """The active offers, as features (two queries)."""
    from article6.assistance.models import Offer

    states: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    through = Offer.states.through.objects.filter(offer__is_active=True).values_list(
        "offer_id", "state_id", "state__name"
    )
    for offer_id, state_id, name in through:
        states.setdefault(offer_id, []).append(state_id)
        names[state_id] = name
    offers = Offer.objects.filter(is_active=True).order_by("id")
    return [offer_features(o, states.get(o.pk, ()), names=names) for o in offers.iterator(chunk_size=5000)]


def load_committed() -> dict[int, tuple[tuple[int, float], ...]]:
    """What each active offer has given already, per year in its own currency: for each
    match both sides accepted, the commitment recorded for it (what it counts, per year),
    or until one is recorded, what the need asks for in the years of the offer, up to what
    the offer gives a year. An amount that cannot be converted (no rate) is left out."""
    from decimal import Decimal

    from article6.assistance import rules
    from article6.assistance.models import Commitment, ExchangeRate, Match, MatchSide

    accepted = (
        Match.objects.filter(
            need_side=MatchSide.ACCEPTED,
            offer_side=MatchSide.ACCEPTED,
            offer__is_active=True,
            offer__amount_per_year__isnull=False,
        )
        .select_related("need", "offer")
        .prefetch_related("need__yearly")
        .order_by("id")
    )
    accepted = list(accepted)
    if not accepted:
        return {}
    commitments = Commitment.objects.filter(pk__in=[m.commitment_id for m in accepted if m.commitment_id])
    commitments = commitments.prefetch_related("flows").in_bulk()
    table = ExchangeRate.table()
    given: dict[int, dict[int, Decimal]] = {}
    for match in accepted:
        offer = match.offer
        if match.commitment_id in commitments:
            commitment = commitments[match.commitment_id]
            flows = [rules.FlowIn(f.kind, f.year, f.amount) for f in commitment.flows.all()]
            by_year, currency = rules.counted_by_year(flows)[0], commitment.currency
        else:
            need = match.need
            yearly = {y.year: y.amount for y in need.yearly.all()}
            by_year = rules.needed_by_year(
                rules.NeedIn(
                    key=need.pk,
                    state="",
                    pillar=need.pillar,
                    currency=need.currency,
                    amount=need.amount,
                    start_year=need.start_year,
                    end_year=need.end_year,
                    yearly=yearly,
                )
            )
            by_year = {y: a for y, a in by_year.items() if offer.start_year <= y <= offer.end_year}
            currency = need.currency or offer.currency
        mine = given.setdefault(offer.pk, {})
        for year, amount in by_year.items():
            try:
                amount = rules.convert(amount, currency or offer.currency, offer.currency, year, table)
            except rules.MoneyError:
                continue
            if match.commitment_id not in commitments:
                amount = min(amount, offer.amount_per_year)
            mine[year] = mine.get(year, Decimal(0)) + amount
    return {offer_id: tuple((y, float(a)) for y, a in sorted(by_year.items())) for offer_id, by_year in given.items()}


def load_needs() -> list[NeedFeatures]:
    from article6.assistance.models import Need
    from article6.treaty.queries import former_users_in

    former = former_users_in()
    needs = Need.objects.filter(status__in=MATCHABLE_NEED_STATUSES).select_related("state").order_by("id")
    needs = needs.prefetch_related("yearly")
    return [need_features(n, former.get(n.state_id, ())) for n in needs.iterator(chunk_size=5000)]


def offer_index(key: dict | None = None) -> OfferIndex:
    """The index of the active offers, with the current partnerships."""
    key = _key(key)
    rates = _cached("rates", key["rates"], load_rates)
    words = _cached("weights", key["weights"], load_word_weights)
    index = _cached(
        "offers",
        (key["offers"], key["rates"], key["weights"]),
        lambda: OfferIndex(load_offers(), rates=rates, text_model=words),
    )
    partnerships = _cached("partnerships", key["commitments"], load_partnerships)
    committed = _cached("committed", (key["commitments"], key["matches"], key["rates"]), load_committed)
    return _cached(
        "offers+partnerships",
        (key["offers"], key["rates"], key["weights"], key["commitments"], key["matches"]),
        lambda: index.with_partnerships(partnerships).with_committed(committed),
    )


def need_index(key: dict | None = None) -> NeedIndex:
    """The index of the open and partly covered needs, with the offers' text model."""
    key = _key(key)
    offers = offer_index(key)
    return _cached(
        "needs",
        (key["needs"], key["offers"], key["rates"], key["weights"], key["commitments"], key["matches"], key["uses"]),
        lambda: NeedIndex(
            load_needs(), partnerships=offers.partnerships, rates=offers.rates, text_model=offers.text_model
        ),
    )


def pair_features(need, offer, index: OfferIndex | None = None) -> tuple[NeedFeatures, OfferFeatures]:
    """A Need and an Offer record as the suggestions read them (the offer with what it
    has given already)."""
    index = index or offer_index()
    features = offer_features(offer, committed=index.committed.get(offer.pk, ()))
    return need_features(need), features


def pair_score(need, offer) -> tuple[float, list[Reason]]:
    """The score and reasons of a Need and an Offer record, as the suggestions show them."""
    index = offer_index()
    return index.score(*pair_features(need, offer, index))


def pair_explain(need, offer) -> Scored:
    """explain() of a Need and an Offer record, as the suggestions show it."""
    index = offer_index()
    return index.explain(*pair_features(need, offer, index))


def pair_exclusions(need, offer, year: int | None = None) -> list[Reason]:
    """Why this offer cannot help this need (exclusions() of the records), empty when it can."""
    return exclusions(*pair_features(need, offer), year)


def _connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from article6.assistance.models import Commitment, ExchangeRate, Match, Need, Offer

    models = {"offers": Offer, "needs": Need, "commitments": Commitment, "rates": ExchangeRate, "matches": Match}
    for part, model in models.items():
        receiver = _receivers[part] = _changed(part)
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"matching-{part}-save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"matching-{part}-delete")
    m2m_changed.connect(
        _receivers["offers"], sender=Offer.states.through, weak=False, dispatch_uid="matching-offers-states"
    )
    from article6.treaty.models import FormerUse

    receiver = _receivers["uses"] = _changed("uses")
    post_save.connect(receiver, sender=FormerUse, weak=False, dispatch_uid="matching-uses-save")
    post_delete.connect(receiver, sender=FormerUse, weak=False, dispatch_uid="matching-uses-delete")


_receivers: dict = {}
_connect_signals()
