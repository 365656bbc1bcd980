"""The suggestions of a need (the offers that fit it) and of an offer (the needs it fits),
as a person may see them: the ranked list with each score out of the points possible,
what earned points and where it falls short; the candidates that cannot help, with why;
the pairs declined already, with who declined, when and (for those who work on the
match) why. The page, the API and the `suggestions` command all read them from here, so
they list the same records for the same person.

Only records the person may see take part (assistance.queries): the candidates, the
matches that say a pair was proposed or declined, the commitments behind the amounts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from article6.assistance import matches, matching, queries
from article6.assistance.models import Match, Need, Offer

SUGGESTIONS = 10
MAX_SUGGESTIONS = 50


@dataclass
class Suggested:
    """A suggested candidate: the need and the offer, the score out of the points possible
    for the need, the reasons and where it falls short, and the match if one is proposed."""

    need: Need
    offer: Offer
    score: float
    possible: float
    reasons: list
    why_not: list
    match: Match | None = None

    @property
    def share(self) -> float:
        return matching.share_of(self.score, self.possible)

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class NotSuggested:
    """A candidate that cannot help, and why."""

    need: Need
    offer: Offer
    reasons: list


@dataclass
class Declined:
    """A pair declined already: by which sides, when, and the notes when the person works
    on the match (the notes are theirs only, as on the match's page)."""

    need: Need
    offer: Offer
    match: Match
    by: list[str]
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def on(self):
        return self.match.declined_on or self.match.proposed

    @property
    def reason_for_people(self) -> str:
        return self.reason("DATE_FORMAT")

    def reason(self, date_format: str = "Y-m-d") -> str:
        """Who declined it and when, in one sentence: the date as scripts read it (the API,
        the command), or as people read it (`date_format="DATE_FORMAT"`, the page)."""
        date = formats.date_format(self.on, date_format)
        if self.by == ["state", "provider"]:
            return _("Declined by the State and by the provider on %(date)s") % {"date": date}
        if self.by == ["state"]:
            return _("Declined by the State on %(date)s") % {"date": date}
        return _("Declined by the provider on %(date)s") % {"date": date}


@dataclass
class Suggestions:
    perspective: str  # "need": offers for a need; "offer": needs for an offer
    subject: Need | Offer
    is_open: bool
    over: bool
    suggested: list[Suggested] = field(default_factory=list)
    not_suggested: list[NotSuggested] = field(default_factory=list)
    not_suggested_more: int = 0
    declined: list[Declined] = field(default_factory=list)
    filtered: int = 0
    word_weights: matching.TextModel | None = None


def unranked(perspective: str, subject: Need | Offer) -> Suggestions:
    """The suggestions before any ranking: whether the subject is open to them (a need open
    or partly covered as the reader sees it, an offer active) and whether its period is over."""
    over = subject.end_year < matching.this_year()
    is_open = subject.seen_status in matches.OPEN_STATUSES if perspective == "need" else subject.is_active
    return Suggestions(perspective, subject, is_open=is_open and not over, over=over)


def _matches_of(user, other: str, **subject) -> tuple[list[Match], dict[int, Match]]:
    """The matches of the subject that the person may see, in one query: those declined
    (newest first), and the others by the id of their `other` record ("offer" or "need")."""
    found = queries.matches_for(user).filter(**subject).select_related("need__state", "offer")
    declined, others = [], {}
    for match in found.order_by("-declined_on", "-id"):
        if match.state == "declined":
            declined.append(match)
        else:
            others[getattr(match, f"{other}_id")] = match
    return declined, others


def _declined(user, match: Match) -> Declined:
    by = [side for side, answer in (("state", match.need_side), ("provider", match.offer_side)) if answer == "declined"]
    notes = []
    if matches.works_on(user, match):
        labels = {"state": _("The State"), "provider": _("The provider")}
        sides = {"state": match.need_note, "provider": match.offer_note}
        notes = [(str(labels[side]), sides[side]) for side in by if sides[side]]
    return Declined(match.need, match.offer, match, by, notes)


def for_need(user, need: Need, *, k: int = SUGGESTIONS, filters=None) -> Suggestions:
    """The offers that fit `need` best for `user`: those they may see, none declined already,
    none that cannot help (named apart, with why), only those the `filters` keep."""
    result = unranked("need", need)
    if not result.is_open:
        return result
    # Only the matches the person may open are named (a visitor is never sent to sign in).
    declined, existing = _matches_of(user, "offer", need=need)
    index = matching.offer_index()
    ranking = index.rank_offers(
        matching.need_features(need),
        k=k,
        viewer=matching.Viewer.of(user),
        leave_out=[m.offer_id for m in declined],
        filters=filters,
    )
    offers = queries.offers_for(user).in_bulk(_ids(ranking))
    pair_of = lambda i: (need, offers[i]) if i in offers else None  # noqa: E731
    return _filled(result, user, ranking, declined, index, pair_of, existing)


def _ids(ranking: matching.Ranking) -> list[int]:
    return [s.id for s in ranking.suggested] + [x.id for x in ranking.excluded]


def _filled(result, user, ranking, declined, index, pair_of, existing) -> Suggestions:
    """The result with the ranking's candidates that the person may see (`pair_of(id)`:
    the need and the offer, None when hidden) and the declined pairs."""
    for s in ranking.suggested:
        pair = pair_of(s.id)
        if pair is not None:
            result.suggested.append(Suggested(*pair, s.score, s.possible, s.reasons, s.why_not, existing.get(s.id)))
    result.not_suggested = [
        NotSuggested(*pair_of(x.id), x.reasons) for x in ranking.excluded if pair_of(x.id) is not None
    ]
    result.not_suggested_more = max(0, ranking.excluded_count - len(result.not_suggested))
    result.declined = [_declined(user, m) for m in declined]
    result.filtered = ranking.filtered_count
    result.word_weights = index.text_model
    return result


def for_offer(user, offer: Offer, *, k: int = SUGGESTIONS, filters=None) -> Suggestions:
    """The open needs that `offer` fits best for `user`, as for_need() from the other side."""
    result = unranked("offer", offer)
    if not result.is_open:
        return result
    declined, existing = _matches_of(user, "need", offer=offer)
    key = matching.data_key()  # read once for both indexes
    index = matching.offer_index(key)
    features = index.features(offer.pk) or matching.offer_features(offer)
    ranking = matching.need_index(key).rank_needs(
        features,
        k=k,
        viewer=matching.Viewer.of(user),
        leave_out=[m.need_id for m in declined],
        filters=filters,
    )
    needs = queries.needs_for(user).in_bulk(_ids(ranking))
    pair_of = lambda i: (needs[i], offer) if i in needs else None  # noqa: E731
    return _filled(result, user, ranking, declined, index, pair_of, existing)


def as_json(result: Suggestions) -> dict:
    """The shape the API and the `suggestions` command print (scripts rely on it):
    {"need": ID, "suggested": [{"offer": ID, "score": X, "possible": Y, "reasons": [...],
    "why_not": [...]}], "not_suggested": [{"offer": ID, "reasons": [...]}]} (for an offer,
    "offer" and "need" swapped). The pairs declined already are among those not suggested,
    with who declined and when."""
    other = "offer" if result.perspective == "need" else "need"

    def key(item) -> int:
        return getattr(item, other).pk

    return {
        result.perspective: result.subject.pk,
        "suggested": [
            {
                other: key(s),
                "score": round(s.score, 1),
                "possible": round(s.possible, 1),
                "reasons": [r.text for r in s.reasons],
                "why_not": [r.text for r in s.why_not],
            }
            for s in result.suggested
        ],
        "not_suggested": [{other: key(x), "reasons": [r.text for r in x.reasons]} for x in result.not_suggested]
        + [{other: key(d), "reasons": [d.reason()]} for d in result.declined],
    }
