"""The suggestions of a need (the offers that fit it) and of an offer (the needs it fits),
as the suggestions page lists them for the same person: the same function
(assistance.suggestions), the same visibility, the same filters (assistance.filters).
The answer is the shape the `suggestions` command prints."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from article6.api.assistance.common import DETAIL_RESPONSES, READ, visible
from article6.api.assistance.schemas import ID_PATH
from article6.api.errors import ParameterErrors
from article6.assistance import queries, suggestions
from article6.assistance.filters import SuggestionFilters

router = Router()

K_QUERY = Query(
    suggestions.SUGGESTIONS,
    ge=1,
    le=suggestions.MAX_SUGGESTIONS,
    description=f"How many suggestions at most; 1 to {suggestions.MAX_SUGGESTIONS}.",
)


# --- Shapes ------------------------------------------------------------------------------------

SCORE = "The points the pair earns (from 0 to `possible`)."
POSSIBLE = (
    "The points possible for the need: 100, less the criteria it leaves no way to earn (85 for a need "
    "without an amount or with nothing still missing, 5 fewer without a working language), plus 10 where "
    "Art. 4(4) applies (a former user of cluster munitions in its State)."
)
REASONS = "What earned points, one plain sentence each, in the caller's language."
WHY_NOT = "Where it falls short (the criteria that earned nothing or less than they could), in the caller's language."
LEFT_OUT = (
    "Why it cannot help (another pillar, a geography that leaves the State out, no year in common, a period over, "
    "nothing left to give), or who declined the pair and when; in the caller's language."
)


class SuggestedOffer(Schema):
    offer: int = Field(description="The offer's id.")
    score: float = Field(description=SCORE)
    possible: float = Field(description=POSSIBLE)
    reasons: list[str] = Field(description=REASONS)
    why_not: list[str] = Field(description=WHY_NOT)


class LeftOutOffer(Schema):
    offer: int = Field(description="The offer's id.")
    reasons: list[str] = Field(description=LEFT_OUT)


class NeedSuggestions(Schema):
    need: int = Field(description="The need's id.")
    suggested: list[SuggestedOffer] = Field(description="The offers that fit the need best, best first.")
    not_suggested: list[LeftOutOffer] = Field(
        description="The offers that cannot help the need, then those declined already, each with why."
    )


class SuggestedNeed(Schema):
    need: int = Field(description="The need's id.")
    score: float = Field(description=SCORE)
    possible: float = Field(description=POSSIBLE)
    reasons: list[str] = Field(description=REASONS)
    why_not: list[str] = Field(description=WHY_NOT)


class LeftOutNeed(Schema):
    need: int = Field(description="The need's id.")
    reasons: list[str] = Field(description=LEFT_OUT)


class OfferSuggestions(Schema):
    offer: int = Field(description="The offer's id.")
    suggested: list[SuggestedNeed] = Field(description="The open needs the offer fits best, best first.")
    not_suggested: list[LeftOutNeed] = Field(
        description="The needs the offer cannot help, then those declined already, each with why."
    )


# --- Routes ------------------------------------------------------------------------------------


@router.get(
    "/needs/{id}/suggestions",
    response={200: NeedSuggestions, 400: ParameterErrors, **DETAIL_RESPONSES},
    operation_id="get_need_suggestions",
    summary="The offers suggested for a need, with their score, why and why not; those that cannot help",
    **READ,
)
def get_need_suggestions(
    request,
    id: Annotated[int, ID_PATH],
    filters: Query[SuggestionFilters],
    k: int = K_QUERY,
):
    """The offers that fit a need the caller may see (else a 404), as its suggestions page
    lists them for the caller: only offers they may see, none that cannot help (listed
    apart with the reason), none declined already (listed apart with who and when)."""
    # Six queries: the need with its State and its yearly amounts, the data's version (the
    # index of offers, built once and kept), the States recorded as former users in the need's
    # State (Art. 4(4)), the offers named with their States of interest; one more for a
    # signed-in caller (their roles), one more for one with a role (the need's matches:
    # declined and proposed). Whatever the number of offers: the ranking reads the index.
    need = visible(queries.needs_for(request.user), id, _("need"))
    return suggestions.as_json(suggestions.for_need(request.user, need, k=k, filters=filters.to_matching()))


@router.get(
    "/offers/{id}/suggestions",
    response={200: OfferSuggestions, 400: ParameterErrors, **DETAIL_RESPONSES},
    operation_id="get_offer_suggestions",
    summary="The needs suggested for an offer, with their score, why and why not; those it cannot help",
    **READ,
)
def get_offer_suggestions(
    request,
    id: Annotated[int, ID_PATH],
    filters: Query[SuggestionFilters],
    k: int = K_QUERY,
):
    """The open needs that an offer the caller may see (else a 404) fits best, as its
    suggestions page lists them for the caller."""
    # Five queries: the offer with its States of interest, the data's version (read once for
    # the index of offers and that of needs), the needs named with their yearly amounts; one
    # more for a signed-in caller (their roles), one more for one with a role (the offer's
    # matches: declined and proposed). Whatever the number of needs.
    offer = visible(queries.offers_for(request.user), id, _("offer"))
    return suggestions.as_json(suggestions.for_offer(request.user, offer, k=k, filters=filters.to_matching()))
