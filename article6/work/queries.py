"""What waits on ISU staff and on the coordinators, read through the selectors that own
each record's visibility: declarations to validate (states.declarations), reports to
publish (reporting), invitations not yet answered (accounts), commitments whose amounts do
not add up (assistance), needs that nobody has
answered and matches waiting for an answer (assistance.queries, which keeps each
coordinator to what they may see). No table of its own; a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

SHOWN = 10  # rows per section: the page is a queue, the link leads to the full list


@dataclass
class Section:
    """One kind of work: how many, the first rows, and where to act on them."""

    key: str
    count: int
    rows: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def _section(key: str, records: list) -> Section:
    return Section(key, len(records), records[:SHOWN])


def declarations_to_validate() -> Section:
    """State and organisation declarations awaiting ISU validation, oldest first. Two queries."""
    from article6.states.declarations import awaiting_validation

    states, organisations = awaiting_validation()
    rows = [(d.state.name, d, "state") for d in states]
    rows += [(d.organisation.name, d, "organisation") for d in organisations]
    rows.sort(key=lambda row: (row[1].submitted, row[0]))
    return _section("declarations", rows)


def reports_to_publish() -> Section:
    """Transparency reports submitted and awaiting ISU's publication, oldest first. One query."""
    from article6.reporting.models import Report, ReportStatus

    reports = list(
        Report.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("state")
        .order_by("submitted_on", "state__name", "pk")
    )
    return _section("reports", reports)


def invitations_pending() -> Section:
    """Invitations sent and neither accepted, withdrawn nor expired, oldest first. One query."""
    from article6.accounts.models import Invitation

    invitations = list(
        Invitation.objects.filter(accepted__isnull=True, withdrawn__isnull=True, expires__gt=timezone.now())
        .select_related("state", "organisation")
        .order_by("created", "pk")
    )
    return _section("invitations", invitations)


def commitments_to_check() -> Section:
    """Commitments whose amounts or links do not add up (assistance.rules.count flags them: a
    correction that takes an amount below zero, links asking more than the commitment has),
    for ISU to look into. One query; ISU sees every commitment."""
    from article6.assistance.models import Commitment

    commitments = list(
        Commitment.objects.exclude(inconsistency="")
        .select_related("recipient", "provider_state", "provider_organisation")
        .order_by("recipient__name", "pk")
    )
    return _section("commitments", commitments)


def records_complete_set() -> bool:
    """Whether ISU has said from which day its records of reports received are complete. One query."""
    from article6.reporting.models import RecordsComplete

    return RecordsComplete.objects.filter(state__isnull=True).exists()


def needs_unanswered(user) -> Section:
    """The needs `user` may see that are open or partly covered (as they see them), with no
    match proposed (or only declined ones) and no commitment counted against them:
    nobody has answered them yet. Oldest first. One query."""
    from article6.assistance.models import CommitmentNeed, Match, MatchSide, NeedStatus
    from article6.assistance.queries import needs_for

    live_match = (
        Match.objects.filter(need=OuterRef("pk"))
        .exclude(need_side=MatchSide.DECLINED)
        .exclude(offer_side=MatchSide.DECLINED)
    )
    committed = CommitmentNeed.objects.filter(need=OuterRef("pk"))
    needs = list(
        needs_for(user)
        .prefetch_related(None)
        .filter(viewer_status__in=[NeedStatus.OPEN, NeedStatus.PARTLY_COVERED])
        .filter(~Exists(live_match), ~Exists(committed))
        .order_by("created", "pk")
    )
    labels = dict(NeedStatus.choices)
    for need in needs:
        need.viewer_status_label = labels.get(need.viewer_status, need.viewer_status)
    return _section("needs", needs)


def matches_waiting(user) -> Section:
    """Matches `user` may see that await an answer from the State, the provider or both
    (neither side declined, not both accepted). Oldest first. One query."""
    from article6.assistance.models import MatchSide
    from article6.assistance.queries import matches_for

    matches = list(
        matches_for(user)
        .exclude(need_side=MatchSide.DECLINED)
        .exclude(offer_side=MatchSide.DECLINED)
        .exclude(Q(need_side=MatchSide.ACCEPTED) & Q(offer_side=MatchSide.ACCEPTED))
        .order_by("proposed", "pk")
    )
    return _section("matches", matches)


def queue_for(user) -> dict:
    """Everything waiting on `user`: ISU staff validate, publish and invite; coordinators
    (and ISU, who may propose matches too) answer needs and follow matches."""
    from article6.accounts.permissions import is_coordinator, is_isu

    isu, coordinator = is_isu(user), is_coordinator(user)
    queue: dict = {"isu": isu, "coordinator": coordinator, "sections": []}
    if isu:
        queue["sections"] += [
            declarations_to_validate(),
            reports_to_publish(),
            invitations_pending(),
            commitments_to_check(),
        ]
        queue["records_complete_set"] = records_complete_set()
        from article6.ops.queries import task_counts

        queue["tasks"] = task_counts()
    if isu or coordinator:
        queue["sections"] += [needs_unanswered(user), matches_waiting(user)]
    return queue
