"""The e-mails of the matching: who gets them and what they say.

- a need filed: the coordinators who follow its pillar;
- a match proposed, accepted or declined: the focal points of the need's State and of
  the offer's provider (a donor State's partner focal points, or the organisation's),
  each side with its own wording; an answer goes to the coordinator who proposed the
  match as well;
- the weekly digest: each coordinator gets the needs they may see that have been open
  for more than 90 days without a live proposal (none, or only declined ones), those of
  their thematic area (every need for the coordinators of cooperation and coordination,
  Article 6 itself). Each digest sent is recorded (DigestSent), so that running the
  command twice in an ISO week sends nothing twice.

People without an e-mail address, accounts turned off, and anyone who may no longer see
what a message names (asked again for each recipient when it is sent) get nothing. Each person gets
their own message (nobody sees the others' addresses), in the site's language. The
links are absolute when the caller gives the site's address (`base_url`) or the setting
SITE_URL is set, else relative to the site."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from article6.accounts.models import RoleKind
from article6.assistance.matching import reasons_from_json
from article6.assistance.models import Match, MatchSide, Need, NeedStatus
from article6.mail import AlreadySent, send_once
from article6.treaty.models import Pillar

WAITING_DAYS = 90


def _base(base_url: str) -> str:
    return (base_url or getattr(settings, "SITE_URL", "") or "").rstrip("/")


def _people(**role_filter):
    """Active accounts with an e-mail address holding a role that matches `role_filter`."""
    filters = {f"roles__{name}": value for name, value in role_filter.items()}
    return list(get_user_model().objects.filter(is_active=True, **filters).exclude(email="").distinct().order_by("pk"))


def state_focal_points(state_id: int) -> list:
    return _people(kind=RoleKind.STATE_FOCAL_POINT, state_id=state_id)


def provider_focal_points(offer) -> list:
    if offer.provider_state_id:
        return _people(kind=RoleKind.PARTNER_FOCAL_POINT, state_id=offer.provider_state_id)
    if offer.provider_organisation_id:
        return _people(kind=RoleKind.PARTNER_FOCAL_POINT, organisation_id=offer.provider_organisation_id)
    return []


def coordinators() -> list:
    return _people(kind=RoleKind.COORDINATOR)


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _message(subject: str, template: str, context: dict, to: str) -> EmailMessage:
    body = render_to_string(template, context)
    return EmailMessage(subject=subject.replace("\n", " "), body=body, to=[to])


def _match(match_id: int) -> Match | None:
    return (
        Match.objects.select_related(
            "need__state", "offer__provider_state", "offer__provider_organisation", "proposed_by"
        )
        .filter(pk=match_id)
        .first()
    )


def may_see(person, match: Match) -> bool:
    """Whether `person` may, now, see the match (its need and its offer both): asked again
    for every recipient of every message, since a record's visibility or a person's roles
    may have changed since the match was proposed."""
    from article6.accounts.permissions import forget_roles
    from article6.assistance.queries import matches_for

    forget_roles(person)
    return matches_for(person).filter(pk=match.pk).exists()


def _sides(match: Match) -> list[tuple[str, object]]:
    """(side, person) for each focal point of either side who may see the match; one
    message a person and a side."""
    people = [("state", p) for p in state_focal_points(match.need.state_id)]
    people += [("provider", p) for p in provider_focal_points(match.offer)]
    return [(side, person) for side, person in people if may_see(person, match)]


def match_proposed(match_id: int, *, base_url: str = "") -> int:
    """Tell both sides that a match was proposed. Returns the number of messages sent."""
    match = _match(match_id)
    if match is None:
        return 0
    link = _base(base_url) + reverse("assistance:match", args=[match.pk])
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        reasons = [r.text for r in reasons_from_json(match.reasons)]
        for side, person in _sides(match):
            context = {"match": match, "need": match.need, "offer": match.offer, "side": side, "link": link}
            context["reasons"] = reasons
            subject = _("article6: an offer is proposed for the need “%(need)s”") % {"need": match.need.title}
            messages.append(_message(subject, "assistance/email/match_proposed.txt", context, person.email))
    return _send(messages)


def match_answered(match_id: int, side: str, accepted: bool, *, base_url: str = "") -> int:
    """Tell both sides, and the coordinator who proposed the match, that one side
    accepted or declined it. Returns the number of messages sent."""
    match = _match(match_id)
    if match is None:
        return 0
    link = _base(base_url) + reverse("assistance:match", args=[match.pk])
    recipients = _sides(match)
    proposer = match.proposed_by
    if (
        proposer.is_active
        and proposer.email
        and all(p.pk != proposer.pk for _s, p in recipients)
        and may_see(proposer, match)
    ):
        recipients.append(("coordinator", proposer))
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        who = match.need.state.name if side == "state" else match.offer.provider_label
        note = match.need_note if side == "state" else match.offer_note
        if accepted:
            subject = _("article6: %(who)s accepted the match for “%(need)s”")
        else:
            subject = _("article6: %(who)s declined the match for “%(need)s”")
        subject = subject % {"who": who, "need": match.need.title}
        for recipient_side, person in recipients:
            context = {
                "match": match,
                "need": match.need,
                "offer": match.offer,
                "side": recipient_side,
                "answered_by": who,
                "answering_side": side,
                "accepted": accepted,
                "note": note,
                "link": link,
                "commitment_link": _base(base_url) + reverse("assistance:commitment_add") + f"?match={match.pk}",
            }
            messages.append(_message(subject, "assistance/email/match_answered.txt", context, person.email))
    return _send(messages)


def need_filed(need_id: int, *, base_url: str = "") -> int:
    """Tell the coordinators who follow the need's pillar (and those of cooperation and
    coordination, who follow every need) that a State filed it, if they may see it. Returns
    the number of messages sent (queued: article6.ops.mail)."""
    from article6.accounts.permissions import forget_roles, roles_of
    from article6.assistance.queries import needs_for

    need = Need.objects.select_related("state").filter(pk=need_id).first()
    if need is None:
        return 0
    link = _base(base_url) + reverse("assistance:need_suggestions", args=[need.pk])
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("article6: %(state)s filed a need, “%(need)s”") % {"state": need.state.name, "need": need.title}
        for person in coordinators():
            forget_roles(person)
            areas = {r.thematic_area for r in roles_of(person) if r.kind == RoleKind.COORDINATOR}
            if need.pillar not in areas and Pillar.COOPERATION not in areas:
                continue
            if not needs_for(person).filter(pk=need.pk).exists():
                continue
            context = {"need": need, "link": link}
            messages.append(_message(subject, "assistance/email/need_filed.txt", context, person.email))
    return _send(messages)


# --- The weekly digest -----------------------------------------------------------------------


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def waiting_needs(person, today: dt.date):
    """The needs `person` may see that have been open (as they see them) for more than
    WAITING_DAYS days with no proposal (or only declined ones)."""
    from article6.accounts.permissions import forget_roles
    from article6.assistance.queries import needs_for

    forget_roles(person)
    cutoff = dt.datetime.combine(today - dt.timedelta(days=WAITING_DAYS), dt.time.min, tzinfo=dt.UTC)
    live = (
        Match.objects.filter(need=OuterRef("pk"))
        .exclude(need_side=MatchSide.DECLINED)
        .exclude(offer_side=MatchSide.DECLINED)
    )
    return (
        needs_for(person)
        .prefetch_related(None)
        .filter(viewer_status=NeedStatus.OPEN, created__lt=cutoff)
        .filter(~Exists(live))
        .order_by("created", "id")
    )


def _digest_needs(person, today: dt.date) -> list[Need]:
    from article6.accounts.permissions import roles_of

    needs = waiting_needs(person, today)
    areas = {r.thematic_area for r in roles_of(person) if r.kind == RoleKind.COORDINATOR}
    if Pillar.COOPERATION not in areas:
        needs = needs.filter(pillar__in=areas)
    return list(needs)


@dataclass
class DigestRun:
    week: str
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    nothing_to_send: list[str] = field(default_factory=list)


def send_digests(today: dt.date | None = None, *, base_url: str = "", dry_run: bool = False) -> DigestRun:
    """Send this ISO week's digest to each coordinator who has not had it yet and has
    needs waiting. Each digest is recorded in the same transaction as it is sent: a
    failure to send records nothing, and a second run in the week sends nothing again."""
    from article6.assistance.models import DigestSent

    today = today or timezone.localdate()
    run = DigestRun(week=iso_week(today))
    base = _base(base_url)
    done = {email.lower() for email in DigestSent.objects.filter(week=run.week).values_list("recipient", flat=True)}
    for person in coordinators():
        email = person.email.lower()
        if email in done:
            run.already_sent.append(person.email)
            continue
        needs = _digest_needs(person, today)
        if not needs:
            run.nothing_to_send.append(person.email)
            continue
        done.add(email)
        if dry_run:
            run.sent.append(person.email)
            continue
        with translation.override(settings.LANGUAGE_CODE):
            rows = [
                {
                    "need": need,
                    "days": (today - need.created.date()).days,
                    "link": base + reverse("assistance:need_suggestions", args=[need.pk]),
                }
                for need in needs
            ]
            context = {
                "rows": rows,
                "week": run.week,
                "days": WAITING_DAYS,
                "link": base + reverse("assistance:matches"),
            }
            subject = ngettext(
                "article6: %(count)d need waits for a proposal (week %(week)s)",
                "article6: %(count)d needs wait for a proposal (week %(week)s)",
                len(needs),
            ) % {"count": len(needs), "week": run.week}
            message = _message(subject, "assistance/email/match_digest.txt", context, person.email)
        try:
            send_once(
                partial(DigestSent.objects.create, week=run.week, recipient=email, need_count=len(needs)),
                partial(_send, [message]),
            )
        except AlreadySent:  # another run sent it meanwhile
            run.already_sent.append(person.email)
            continue
        run.sent.append(person.email)
    return run
