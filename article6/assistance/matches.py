"""Matches: a coordinator proposes that an offer meet a need; the need's State and the
offer's provider each accept or decline, with a note; once both accept, the match
pre-fills the commitment that records the assistance.

Pages and the API come through here: each function asks the permission layer, writes
in one transaction, records who did it in the audit trail, and e-mails both sides once
the transaction is committed (assistance.notifications)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from article6.accounts.models import Visibility
from article6.accounts.permissions import require
from article6.assistance import matching, notifications, queries, rules
from article6.assistance.models import ExchangeRate, Match, MatchSide, Need, NeedStatus, Offer

SIDES = ("state", "provider")
OPEN_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_COVERED)
# Both sides must be able to read what they are asked about: a match shows the need to
# the provider's focal points and the offer to the State's. Records restricted to their
# own parties, or to ISU, are kept out of matches.
SHAREABLE = (Visibility.PUBLIC, Visibility.SIGNED_IN)
# From the most open to the most restricted.
VISIBILITY_ORDER = [Visibility.PUBLIC, Visibility.SIGNED_IN, Visibility.RESTRICTED, Visibility.ISU_ONLY]


def _duplicate() -> str:
    return _("This offer has already been proposed for this need.")


def _declined_already() -> str:
    return _("This match was declined: propose it again from the “Declined” list of the suggestions.")


def shareable(need: Need, offer: Offer) -> bool:
    """Whether each side may read the other side's record."""
    return need.visibility in SHAREABLE and offer.visibility in SHAREABLE


def problems(need: Need, offer: Offer, *, exclusions: list | None = None) -> list[str]:
    """Why this offer cannot be proposed for this need (empty when it can): the need not
    open, the offer closed, its own State, a record the other side could not read, and
    what makes the offer unable to help the need (matching.exclusions: another pillar,
    a geography that leaves the State out, no common year, a period over, nothing left
    to give). `exclusions`, when the caller has worked them out already."""
    found = []
    # The status as the proposer sees it (`queries.needs_for`), so that a need covered by
    # commitments only they may see is not proposed either.
    if need.seen_status not in OPEN_STATUSES:
        found.append(
            _("The need is %(status)s: only open or partly covered needs are matched.")
            % {"status": need.get_seen_status_display()}
        )
    if not offer.is_active:
        found.append(_("The offer is not open to new requests."))
    if offer.provider_state_id and offer.provider_state_id == need.state_id:
        found.append(_("The offer comes from the need's own State."))
    if not shareable(need, offer):
        found.append(
            _(
                "The need or the offer is restricted to its own parties: the other side could not read it. "
                "Its visibility must be widened first."
            )
        )
    if exclusions is None:
        exclusions = matching.pair_exclusions(need, offer)
    found += [_("This offer cannot help this need: %(reason)s.") % {"reason": reason.text} for reason in exclusions]
    return found


def _scored(need: Need, offer: Offer) -> dict:
    """A match's score, the points possible and the reasons, as the suggestions show them."""
    scored = matching.pair_explain(need, offer)
    return {
        "score": round(scored.score, 2),
        "possible": scored.possible,
        "reasons": [r.as_json() for r in scored.reasons],
    }


def propose(user, need: Need, offer: Offer, note: str = "", *, base_url: str = "") -> Match:
    """A coordinator (or ISU staff) proposes `offer` for `need`. The score and its
    reasons are stored as the suggestions showed them. Both sides are told by e-mail.

    Raises PermissionDenied (not a coordinator, or a record the user may not see) and
    ValidationError (the need is not open, the offer not active, the match exists)."""
    require(user, "assistance.propose_match")
    need = queries.needs_for(user).select_related("state").filter(pk=need.pk).first()
    offer = queries.offers_for(user).filter(pk=offer.pk).first()
    if need is None or offer is None:
        raise PermissionDenied(_("You may not see this need or this offer."))
    found = problems(need, offer)
    existing = Match.objects.filter(need=need, offer=offer).first()
    if existing is not None:
        found.append(_declined_already() if existing.state == "declined" else _duplicate())
    if found:
        raise ValidationError(found)
    match = Match(
        need=need,
        offer=offer,
        **_scored(need, offer),
        note=note.strip(),
        proposed_by=user,
    )
    match._history_user = user
    try:
        with transaction.atomic():
            match.save()
            match_id = match.pk
            transaction.on_commit(lambda: notifications.match_proposed(match_id, base_url=base_url))
    except IntegrityError:  # proposed at the same moment by someone else
        raise ValidationError(_duplicate()) from None
    return match


def propose_again(user, match: Match, note: str = "", *, base_url: str = "") -> Match:
    """A coordinator (or ISU staff) asks both sides again about a declined match: both
    answers go back to pending, the score and reasons are worked out anew, the earlier
    answers and notes stay in its audit trail. Refused, with the reasons, when the pair
    could not be proposed today (matches.problems) or the match is not declined."""
    require(user, "assistance.propose_match")
    with transaction.atomic():
        match = queries.matches_for(user).select_for_update(of=("self",)).filter(pk=match.pk).first()
        if match is None:
            raise PermissionDenied(_("You may not see this match."))
        need = queries.needs_for(user).select_related("state").filter(pk=match.need_id).first()
        offer = queries.offers_for(user).filter(pk=match.offer_id).first()
        if need is None or offer is None:
            raise PermissionDenied(_("You may not see this need or this offer."))
        if match.state != "declined":
            raise ValidationError(_("Only a declined match can be proposed again."))
        found = problems(need, offer)
        if found:
            raise ValidationError(found)
        for name, value in _scored(need, offer).items():
            setattr(match, name, value)
        match.need_side = match.offer_side = MatchSide.PENDING
        match.need_note = match.offer_note = ""
        match.note = note.strip()
        match.proposed_by, match.proposed, match.declined_on = user, timezone.now(), None
        match._history_user = user
        match.save()
        match_id = match.pk
        transaction.on_commit(lambda: notifications.match_proposed(match_id, base_url=base_url))
    return match


def works_on(user, match: Match) -> bool:
    """Whether `user` works on the match: ISU staff, the coordinator who proposed it, the
    focal points of the need's State and of the offer's provider. Only they read the notes,
    the e-mail addresses and the history of a match; others who may see it read its answers."""
    from article6.accounts.permissions import is_isu, speaks_for_match_need, speaks_for_match_offer

    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        is_isu(user)
        or match.proposed_by_id == user.pk
        or speaks_for_match_need(user, match)
        or speaks_for_match_offer(user, match)
    )


def may_answer(user, match: Match, side: str) -> bool:
    permission = {"state": "assistance.answer_match_as_state", "provider": "assistance.answer_match_as_provider"}
    return side in permission and user.has_perm(permission[side], match)


def sides_for(user, match: Match) -> list[str]:
    """The sides `user` may answer for ("state", "provider"; both for ISU staff)."""
    return [side for side in SIDES if may_answer(user, match, side)]


def answer(user, match: Match, side: str, accept: bool, note: str = "", *, base_url: str = "") -> Match:
    """The need's State ("state") or the offer's provider ("provider") accepts or
    declines the match. Declining needs a note saying why; a declined match cannot be
    accepted any more; a match whose commitment is recorded is settled. Both sides are
    told by e-mail."""
    if side not in SIDES:
        raise ValidationError(_("Answer for the State or for the provider."))
    permission = {"state": "assistance.answer_match_as_state", "provider": "assistance.answer_match_as_provider"}
    require(user, permission[side], match, state=match.need.state, provider=match.offer.provider_label)
    note = note.strip()
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("need__state", "offer").get(pk=match.pk)
        if not accept and not note:
            raise ValidationError({"note": _("Say why the match is declined.")})
        if accept and match.state == "declined":
            raise ValidationError(_("This match has been declined: it cannot be accepted any more."))
        if match.commitment_id:
            raise ValidationError(_("The commitment for this match is recorded: the answers are settled."))
        decision = MatchSide.ACCEPTED if accept else MatchSide.DECLINED
        if side == "state":
            match.need_side, match.need_note = decision, note
        else:
            match.offer_side, match.offer_note = decision, note
        if not accept and match.declined_on is None:
            match.declined_on = timezone.now()
        match._history_user = user
        match.save()
        match_id = match.pk
        transaction.on_commit(lambda: notifications.match_answered(match_id, side, bool(accept), base_url=base_url))
    return match


def _spread(need: Need) -> dict[int, Decimal]:
    """The need's amounts per year: as given, or the amount spread evenly over the period."""
    yearly = {y.year: y.amount for y in need.yearly.all()}
    if yearly or need.amount is None:
        return yearly
    years = list(need.years)
    share = (need.amount / len(years)).quantize(rules.CENT)
    return dict.fromkeys(years, share)


def commitment_initial(match: Match) -> dict:
    """The values that pre-fill the commitment form for an accepted match: provider,
    recipient, title, 100% to the need's pillar, the need's currency and, per year, the
    amount needed capped by what the offer gives per year (converted to the need's
    currency at that year's rate; years outside the offer's period left out), and the
    need it meets. In the commitment form's own formats."""
    need, offer = match.need, match.offer
    rates = ExchangeRate.table()
    lines = []
    currency = (need.currency or offer.currency or "").upper()
    for year, amount in sorted(_spread(need).items()):
        if not offer.start_year <= year <= offer.end_year:
            continue
        if offer.amount_per_year is not None and offer.currency:
            try:
                cap = rules.convert(offer.amount_per_year, offer.currency, currency, year, rates)
            except rules.MoneyError:
                cap = None  # no rate yet: the amount needed stands, the donor corrects it
            if cap is not None:
                amount = min(amount, cap)
        if amount > 0:
            shown = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount
            lines.append(f"committed {year} {shown:f}")
    visibility = max(need.visibility, offer.visibility, key=VISIBILITY_ORDER.index)
    return {
        "provider_state": offer.provider_state_id,
        "provider_organisation": offer.provider_organisation_id,
        "recipient": need.state_id,
        "title": offer.title if offer.title == need.title else f"{offer.title}: {need.title}"[:300],
        "description": need.description,
        "currency": currency,
        "pillar_shares": f"{need.pillar}: 100",
        "amounts": "\n".join(lines),
        "needs_met": [need.pk],
        "visibility": visibility,
    }
