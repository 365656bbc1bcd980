"""The matching pages: the offers suggested for a need (and the needs for an offer),
with their score and reasons; proposing a match; a match and the answers of both sides;
the list of matches.

Views are thin: what a person may see comes from assistance.queries (a record they may
not see is a 404), what they may do from the permission layer (a 403 that says what is
lacking), the ranking from assistance.matching and every write from assistance.matches.
The buttons post plain forms that htmx sends in the background: an htmx request gets the
table row back, any other a redirect."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from article6.accounts import audit
from article6.accounts.permissions import require
from article6.assistance import matches, matching, queries, suggestions
from article6.assistance.forms import SuggestionFilterForm
from article6.assistance.models import Match, MatchSide, Need, Offer
from article6.assistance.views import _visible
from article6.paging import page_of

PER_PAGE = 25
MATCH_STATES = ("proposed", "accepted", "declined")
# The fields of a match whose changes its page lists (the reasons and score never change).
HISTORY_FIELDS = ("need_side", "need_note", "offer_side", "offer_note", "note", "commitment")


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@dataclass
class Row:
    """One line of a table: a need and an offer, their score and reasons, the match
    when one is proposed, and what the person may do with it."""

    need: Need
    offer: Offer
    score: float
    reasons: list
    perspective: str  # "need": offers listed for a need; "offer": needs for an offer; "list": matches
    why_not: list = field(default_factory=list)
    possible: float = 100.0
    match: Match | None = None
    may_propose: bool = False
    problems: list[str] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def percent(self) -> int:
        """The score as a share of the points possible for the need."""
        return round(matching.share_of(self.score, self.possible) * 100)

    @property
    def dom_id(self) -> str:
        if self.perspective == "list" and self.match is not None:
            return f"match-{self.match.pk}"
        return f"suggestion-{self.need.pk}-{self.offer.pk}"


def _suggestion_row(
    user, need, offer, score, reasons, perspective, match=None, error="", *, why_not=(), exclusions=None, possible=100.0
) -> Row:
    may_propose = user.has_perm("assistance.propose_match")
    return Row(
        need=need,
        offer=offer,
        score=score,
        possible=possible,
        reasons=reasons,
        why_not=list(why_not),
        perspective=perspective,
        match=match,
        may_propose=may_propose,
        problems=matches.problems(need, offer, exclusions=exclusions) if may_propose and match is None else [],
        error=error,
    )


def _match_row(user, match: Match, error: str = "") -> Row:
    return Row(
        need=match.need,
        offer=match.offer,
        score=match.score,
        possible=match.possible,
        reasons=matching.reasons_from_json(match.reasons),
        perspective="list",
        match=match,
        sides=_open_sides(user, match),
        error=error,
    )


def _open_sides(user, match: Match) -> list[str]:
    """The sides the person may answer for on this match and that have not answered yet."""
    if match.commitment_id or match.state == "declined":
        return []
    pending = {"state": match.need_side, "provider": match.offer_side}
    return [side for side in matches.sides_for(user, match) if pending[side] == MatchSide.PENDING]


# --- Suggestions ---------------------------------------------------------------------------


def _rows(user, result: suggestions.Suggestions) -> list[Row]:
    return [
        _suggestion_row(
            user,
            s.need,
            s.offer,
            s.score,
            s.reasons,
            result.perspective,
            s.match,
            why_not=s.why_not,
            exclusions=[],
            possible=s.possible,
        )
        for s in result.suggested
    ]


def _suggestions_page(request, subject, perspective: str):
    """The page of a need's (an offer's) suggestions, filtered as asked; filters that are
    refused show their errors and no list, rather than a list they did not ask for."""
    form = SuggestionFilterForm(request.GET)
    find = suggestions.for_need if perspective == "need" else suggestions.for_offer
    result = form.filtered(lambda filters: find(request.user, subject, filters=filters.to_matching()), None)
    if result is None:
        result = suggestions.unranked(perspective, subject)
    context = {
        "subject": subject,
        "perspective": perspective,
        "result": result,
        "rows": _rows(request.user, result),
        "left": result.not_suggested,
        "left_more": result.not_suggested_more,
        "declined": result.declined,
        "is_open": result.is_open,
        "over": result.over,
        "form": form,
        "filtered": bool(form.is_bound and any(form.data.get(name) for name in form.fields)),
        "may_propose": request.user.has_perm("assistance.propose_match"),
        "k": suggestions.SUGGESTIONS,
    }
    return render(request, "assistance/suggestions.html", context)


def need_suggestions(request, pk: int):
    """The offers that fit a need best, with their reasons and why not, those that cannot
    help it with the reason, and the offers declined already; coordinators propose from here."""
    return _suggestions_page(request, _visible(queries.needs_for(request.user), pk), "need")


def offer_suggestions(request, pk: int):
    """The open needs that an offer fits best, with their reasons and why not, those it
    cannot help with the reason, and the needs declined already."""
    return _suggestions_page(request, _visible(queries.offers_for(request.user), pk), "offer")


@login_required
@require_POST
def propose_match(request):
    """A coordinator proposes an offer for a need (POST need, offer, note)."""
    require(request.user, "assistance.propose_match")
    need = _visible(queries.needs_for(request.user), request.POST.get("need"))
    offer = _visible(queries.offers_for(request.user), request.POST.get("offer"))
    perspective = request.POST.get("from") if request.POST.get("from") in ("need", "offer") else "need"
    note = (request.POST.get("note") or "")[:2000]
    try:
        match = matches.propose(request.user, need, offer, note, base_url=_base_url(request))
    except ValidationError as error:
        message = _message(error)
        if not _htmx(request):
            messages.error(request, message)
            return redirect(
                "assistance:need_suggestions" if perspective == "need" else "assistance:offer_suggestions",
                need.pk if perspective == "need" else offer.pk,
            )
        scored = matching.pair_explain(need, offer)
        existing = queries.matches_for(request.user).filter(need=need, offer=offer).first()
        row = _suggestion_row(
            request.user,
            need,
            offer,
            scored.score,
            scored.reasons,
            perspective,
            existing,
            error=message,
            why_not=scored.why_not,
            possible=scored.possible,
        )
        return render(request, "assistance/match_row.html", {"row": row}, status=422)
    if _htmx(request):
        row = _suggestion_row(
            request.user,
            need,
            offer,
            match.score,
            matching.reasons_from_json(match.reasons),
            perspective,
            match,
            possible=match.possible,
        )
        return render(request, "assistance/match_row.html", {"row": row})
    messages.success(request, _("The match is proposed; both sides are told by e-mail."))
    return redirect("assistance:match", match.pk)


@login_required
@require_POST
def propose_again(request, pk: int):
    """A coordinator asks both sides again about a declined match (POST note, from)."""
    require(request.user, "assistance.propose_match")
    match = _visible(queries.matches_for(request.user), pk)
    perspective = request.POST.get("from") if request.POST.get("from") in ("need", "offer") else ""
    note = (request.POST.get("note") or "")[:2000]
    try:
        match = matches.propose_again(request.user, match, note, base_url=_base_url(request))
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The match is proposed again; both sides are told by e-mail."))
    if perspective == "need":
        return redirect("assistance:need_suggestions", match.need_id)
    if perspective == "offer":
        return redirect("assistance:offer_suggestions", match.offer_id)
    return redirect("assistance:match", match.pk)


# --- Matches --------------------------------------------------------------------------------


def _history(user, match: Match) -> list:
    entries = audit.entries_for([Match.history.filter(id=match.pk)], viewer=user)
    for entry in entries:
        entry.changes = [c for c in entry.changes if c.field in HISTORY_FIELDS or c.field == "commitment_id"]
    return entries


@login_required
def match_detail(request, pk: int):
    """A match: the need and the offer, why they fit, both sides' answers and notes, the
    forms to answer for the sides the person speaks for, and once both accepted, the
    way to record the commitment."""
    match = _visible(queries.matches_for(request.user), pk)
    sides = _open_sides(request.user, match)
    works_on = matches.works_on(request.user, match)
    # The commitment recorded for it, if the person may see it (else it is not named).
    commitments = queries.commitments_for(request.user).prefetch_related(None)
    commitment = commitments.filter(pk=match.commitment_id).first() if match.commitment_id else None
    context = {
        "match": match,
        "works_on": works_on,
        "commitment": commitment,
        "reasons": matching.reasons_from_json(match.reasons),
        "sides": sides,
        "may_record": match.state == "accepted"
        and match.commitment_id is None
        and matches.may_answer(request.user, match, "provider"),
        "entries": _history(request.user, match) if works_on else [],
        "may_see_back_office": request.user.has_perm("accounts.view_any_history"),
    }
    return render(request, "assistance/match_detail.html", context)


@login_required
@require_POST
def answer_match(request, pk: int):
    """A side accepts or declines (POST side, decision accept/decline, note)."""
    match = _visible(queries.matches_for(request.user), pk)
    side = request.POST.get("side", "")
    if side not in matches.SIDES:
        require(request.user, "assistance.answer_match", match)
        mine = matches.sides_for(request.user, match)
        side = mine[0] if len(mine) == 1 else ""
    decision = request.POST.get("decision")
    note = (request.POST.get("note") or "")[:2000]
    error = ""
    if decision not in ("accept", "decline") or not side:
        error = _("Choose to accept or to decline, for the State or for the provider.")
    else:
        try:
            match = matches.answer(request.user, match, side, decision == "accept", note, base_url=_base_url(request))
        except ValidationError as exc:
            error = _message(exc)
    if _htmx(request):
        match = queries.matches_for(request.user).get(pk=match.pk)
        return render(
            request,
            "assistance/match_row.html",
            {"row": _match_row(request.user, match, error)},
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    elif decision == "accept":
        messages.success(request, _("You accepted the match; both sides are told by e-mail."))
    else:
        messages.success(request, _("You declined the match; both sides are told by e-mail."))
    return redirect("assistance:match", match.pk)


def _in_state(queryset, state: str):
    declined = Q(need_side=MatchSide.DECLINED) | Q(offer_side=MatchSide.DECLINED)
    accepted = Q(need_side=MatchSide.ACCEPTED, offer_side=MatchSide.ACCEPTED)
    if state == "declined":
        return queryset.filter(declined)
    if state == "accepted":
        return queryset.filter(accepted)
    if state == "proposed":
        return queryset.exclude(declined).exclude(accepted)
    return queryset


@login_required
def match_list(request):
    """The matches the person may see (their need and offer both), newest first."""
    state = request.GET.get("state", "")
    if state not in MATCH_STATES:
        state = ""
    found = _in_state(queries.matches_for(request.user), state).order_by("-proposed", "-id")
    page, page_message = page_of(request, found, PER_PAGE)
    rows = [_match_row(request.user, m) for m in page.object_list]
    context = {"page": page, "page_message": page_message, "rows": rows, "state": state, "states": MATCH_STATES}
    return render(request, "assistance/matches.html", context)
