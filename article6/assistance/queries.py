"""Queries that the assistance pages, the API and the command line share. Each reads a
fixed number of times whatever the number of records; the figures themselves come
from the plain functions in assistance.rules."""

from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch

from article6.accounts.permissions import visible_q
from article6.assistance import rules
from article6.assistance.models import (
    COVERAGE_FIELDS,
    Commitment,
    CommitmentNeed,
    ExchangeRate,
    Flow,
    FlowKind,
    Match,
    Need,
    NeedStatus,
    NeedYear,
    Offer,
)

ZERO = Decimal("0")


# --- What a person may see -----------------------------------------------------------------


def visible_needs_q(user):
    """The needs `user` may read: the visibility tiers (visible_q), and two rules of their own.
    A draft is read only by its writers, the State's own focal points, and ISU staff. A need
    filed from a transparency report is read, until a version of that report is published,
    only by those who may read the report: the State's focal points, coordinators and ISU."""
    from django.db.models import Q

    from article6.accounts.permissions import is_coordinator, is_isu, reporting_states_of
    from article6.reporting.models import ReportStatus

    allowed = visible_q(user, state_field="state")
    if is_isu(user):
        return allowed
    writers = reporting_states_of(user)
    allowed &= ~Q(declared_status=NeedStatus.DRAFT) | Q(state__in=writers)
    if not is_coordinator(user):
        published = (
            Q(reported_in__isnull=True)
            | Q(reported_in__report__status=ReportStatus.PUBLISHED)
            | Q(reported_in__report__corrects__status=ReportStatus.PUBLISHED)
        )
        allowed &= published | Q(state__in=writers)
    return allowed


def coverage_tier(user) -> str:
    """The coverage tier (rules.COVERAGE_TIERS) `user` reads for any need: never one that
    counts a commitment they may not see (`_viewer_coverage` widens it for their own States)."""
    from article6.accounts.permissions import has_any_role, is_coordinator, is_isu

    if is_isu(user):
        return "all"
    if not has_any_role(user):
        return "public"
    if is_coordinator(user):
        return "restricted"
    return "signed_in"


def _viewer_coverage(user) -> dict:
    """The annotations `viewer_covered` and `viewer_status`: the need's coverage in the tier
    `user` reads (the restricted tier for the needs of the States they speak for)."""
    from django.db.models import Case, CharField, F, Value, When

    from article6.accounts.permissions import states_of

    tier = coverage_tier(user)
    covered, status = COVERAGE_FIELDS[tier]
    own = states_of(user) if tier == "signed_in" else []
    if not own:
        return {
            "viewer_covered": F(covered),
            "viewer_status": F(status),
            "viewer_tier": Value(tier, output_field=CharField()),
        }
    wider_covered, wider_status = COVERAGE_FIELDS["restricted"]
    return {
        "viewer_covered": Case(When(state__in=own, then=F(wider_covered)), default=F(covered)),
        "viewer_status": Case(When(state__in=own, then=F(wider_status)), default=F(status)),
        "viewer_tier": Case(
            When(state__in=own, then=Value("restricted")), default=Value(tier), output_field=CharField()
        ),
    }


def needs_for(user):
    """The needs `user` may read, each with its coverage as they may see it
    (`viewer_covered`, `viewer_status`: filter the status on `viewer_status`)."""
    return (
        Need.objects.filter(visible_needs_q(user))
        .annotate(**_viewer_coverage(user))
        .select_related("state")
        .prefetch_related("yearly")
    )


def offers_for(user):
    return (
        Offer.objects.filter(visible_q(user, provider=True))
        .select_related("provider_state", "provider_organisation")
        .prefetch_related("states")
    )


def with_pillar(offers, pillar: str):
    """Offers that name `pillar`: a text match on the JSON list works on SQLite and PostgreSQL alike."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return offers.annotate(pillars_text=Cast("pillars", output_field=TextField())).filter(
        pillars_text__contains=f'"{pillar}"'
    )


def commitments_for(user):
    """The commitments `user` may read, with the needs they meet that `user` may read too."""
    needs = Need.objects.filter(visible_needs_q(user)).only("id", "title")
    return (
        Commitment.objects.filter(visible_q(user, provider=True, recipient_field="recipient"))
        .select_related("provider_state", "provider_organisation", "recipient")
        .prefetch_related("pillar_shares", "flows", Prefetch("needs", queryset=needs))
    )


def commitment_needs(user, commitment):
    """The links of a commitment to the needs it meets that `user` may read (with the amount
    towards each), in the order of the needs' ids."""
    return (
        CommitmentNeed.objects.filter(commitment=commitment, need__in=Need.objects.filter(visible_needs_q(user)))
        .select_related("need")
        .only("amount", "need__id", "need__title")
        .order_by("need_id")
    )


def matches_for(user):
    """Matches whose need and offer the user may both see; none for an account without a role."""
    from article6.accounts.permissions import has_any_role

    if not has_any_role(user):
        return Match.objects.none()
    return Match.objects.filter(need__in=needs_for(user), offer__in=offers_for(user)).select_related(
        "need__state", "offer__provider_state", "offer__provider_organisation", "proposed_by"
    )


# --- Amounts of a commitment -----------------------------------------------------------------


def yearly(commitment: Commitment) -> dict[int, dict[str, Decimal]]:
    """{year: {kind: total}} of a commitment's flows (prefetched)."""
    table: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for flow in commitment.flows.all():
        table[flow.year][flow.kind] += flow.amount
    return {year: dict(kinds) for year, kinds in sorted(table.items())}


def totals(commitment: Commitment) -> dict[str, Decimal]:
    """{kind: total over all years} of a commitment's flows (prefetched)."""
    result: dict[str, Decimal] = dict.fromkeys(FlowKind.values, ZERO)
    for flow in commitment.flows.all():
        result[flow.kind] += flow.amount
    return result


def provided_and_received(commitment: Commitment) -> list[rules.Difference]:
    table = yearly(commitment)
    provided = {y: k[FlowKind.DISBURSED] for y, k in table.items() if FlowKind.DISBURSED in k}
    received = {y: k[FlowKind.RECEIVED] for y, k in table.items() if FlowKind.RECEIVED in k}
    return rules.provided_and_received(provided, received)


# --- Counting the money: one division, every figure ------------------------------------------


def need_in(need, yearly: dict[int, Decimal] | None = None) -> rules.NeedIn:
    """A need as the rules read it (`yearly`: its yearly amounts, else those prefetched)."""
    if yearly is None:
        yearly = {y.year: y.amount for y in need.yearly.all()}
    return rules.NeedIn(
        key=need.pk,
        state=need.state.iso3 if "state" in need._state.fields_cache else str(need.state_id),
        pillar=need.pillar,
        currency=need.currency,
        amount=need.amount,
        start_year=need.start_year,
        end_year=need.end_year,
        yearly=yearly,
        declared=need.declared_status,
    )


def commitment_in(commitment) -> rules.CommitmentIn:
    """A commitment as the rules read it (pillar shares and flows prefetched)."""
    recipient = commitment._state.fields_cache.get("recipient")
    return rules.CommitmentIn(
        key=commitment.pk,
        state=recipient.iso3 if recipient is not None else str(commitment.recipient_id),
        currency=commitment.currency,
        visibility=commitment.visibility,
        shares={s.pillar: s.share for s in commitment.pillar_shares.all()},
        flows=tuple(rules.FlowIn(f.kind, f.year, f.amount) for f in commitment.flows.all()),
    )


def _component(need_ids=(), commitment_ids=()):
    """Everything the figures of these needs and commitments depend on, in a fixed number of
    queries. A change to a need or a commitment changes how each commitment it shares money
    with is divided, and so the figures of every need at the other end of those commitments:
    - `targets`: the needs to compute: those given, those of the given commitments, and every need
      linked to a commitment that either is linked to;
    - `complete`: every commitment linked to a target (so each target's figures are whole);
    - every need at the other end of their links (what it lacks decides a division), and the links
      with an amount that further commitments have to those needs (they lower what it lacks).
    Returns (needs, commitments, links, targets, complete)."""
    need_ids, commitment_ids = set(need_ids), set(commitment_ids)
    links_of = CommitmentNeed.objects.values_list
    first = need_ids | set(links_of("need_id", flat=True).filter(commitment_id__in=commitment_ids))
    changed = commitment_ids | set(links_of("commitment_id", flat=True).filter(need_id__in=first))
    targets = first | set(links_of("need_id", flat=True).filter(commitment_id__in=changed))
    complete = changed | set(links_of("commitment_id", flat=True).filter(need_id__in=targets))
    links = list(CommitmentNeed.objects.filter(commitment_id__in=complete))
    linked_needs = targets | {link.need_id for link in links}
    links += list(
        CommitmentNeed.objects.filter(need_id__in=linked_needs, amount__isnull=False).exclude(
            commitment_id__in=complete
        )
    )
    commitments = list(
        Commitment.objects.filter(pk__in={link.commitment_id for link in links} | complete)
        .select_related("recipient")
        .prefetch_related("pillar_shares", "flows")
    )
    needs = list(Need.objects.filter(pk__in=linked_needs).select_related("state").prefetch_related("yearly"))
    return needs, commitments, links, targets, complete


def _links_in(links) -> list[rules.LinkIn]:
    return [rules.LinkIn(link.commitment_id, link.need_id, link.amount) for link in links]


def count_for(needs, commitments, links) -> rules.Funding:
    """rules.count over these records (those a reader may see: links count between them only)."""
    return rules.count(
        [need_in(n) for n in needs], [commitment_in(c) for c in commitments], _links_in(links), ExchangeRate.table()
    )


def _missing_json(items) -> list:
    return [[str(rules.rounded(m.amount)), m.currency, m.year] for m in items]


_refreshing = threading.local()


@contextmanager
def figures_once():
    """Within this block, the figures that the changes made in it touch are computed once, at
    its end (inside the caller's transaction), instead of at each change: for imports and
    services that write many records."""
    pending = getattr(_refreshing, "pending", None)
    if pending is not None:  # already inside one: the outer block computes
        yield
        return
    _refreshing.pending = {"needs": set(), "commitments": set()}
    try:
        yield
        pending = _refreshing.pending
        _refreshing.pending = None
        refresh_figures(pending["needs"], pending["commitments"])
    finally:
        _refreshing.pending = None


def figures_changed(need_ids=(), commitment_ids=()) -> None:
    """Something these figures depend on changed: compute them now, or at the end of the
    enclosing `figures_once` block (the signals in assistance.signals call this)."""
    if getattr(_refreshing, "busy", False):
        return  # our own writes of the figures
    pending = getattr(_refreshing, "pending", None)
    if pending is not None:
        pending["needs"].update(need_ids)
        pending["commitments"].update(commitment_ids)
        return
    refresh_figures(need_ids, commitment_ids)


@transaction.atomic
def refresh_figures(need_ids=(), commitment_ids=()) -> None:
    """Compute again the stored figures of these needs and commitments, and of the records that
    share money with them: each need's coverage and status in each coverage tier (what counts
    towards it, in its currency, and what cannot be converted), and each commitment's
    inconsistencies (flagged for ISU). Everything comes from rules.count."""
    need_ids, commitment_ids = {i for i in need_ids if i}, {i for i in commitment_ids if i}
    if not need_ids and not commitment_ids:
        return
    needs, commitments, links, targets, complete = _component(need_ids, commitment_ids)
    rates = ExchangeRate.table()
    link_records = _links_in(links)
    # Each tier's figures come from the records its readers may see, needs and commitments alike.
    needs_in_tier = {tier: [] for tier in rules.COVERAGE_TIERS}
    for n in needs:
        record = need_in(n)
        for tier in rules.tiers_of(n.visibility):
            needs_in_tier[tier].append(record)
    in_tier = {tier: [] for tier in rules.COVERAGE_TIERS}
    for c in commitments:
        record = commitment_in(c)
        for tier in rules.tiers_of(c.visibility):
            in_tier[tier].append(record)
    results = {
        tier: rules.count(needs_in_tier[tier], in_tier[tier], link_records, rates) for tier in rules.COVERAGE_TIERS
    }
    _refreshing.busy = True
    try:
        _write_needs([n for n in needs if n.pk in targets], results)
        _write_commitments([c for c in commitments if c.pk in complete], results["all"])
    finally:
        _refreshing.busy = False


def _write_needs(needs, results) -> None:
    for need in Need.objects.select_for_update().filter(pk__in=[n.pk for n in needs]).order_by("pk"):
        changed, missing = [], {}
        for tier in rules.COVERAGE_TIERS:
            # A tier that may not see the need counts nothing towards it (its readers never see it).
            funding = results[tier].needs.get(need.pk) or rules.NeedFunding(needed=need.amount)
            covered = rules.rounded(funding.covered) if need.amount is not None else Decimal("0")
            status = rules.need_status(
                need.declared_status, need.amount, covered, funding.linked, bool(funding.missing)
            )
            covered_field, status_field = COVERAGE_FIELDS[tier]
            if (getattr(need, covered_field), getattr(need, status_field)) != (covered, status):
                setattr(need, covered_field, covered)
                setattr(need, status_field, status)
                changed += [covered_field, status_field]
            if funding.missing:
                missing[tier] = _missing_json(funding.missing)
        if need.coverage_missing != missing:
            need.coverage_missing = missing
            changed.append("coverage_missing")
        if not changed:
            continue  # nothing changed: no write, no history entry
        need._change_reason = "status rolled up from the commitments"
        if set(changed) & set(COVERAGE_FIELDS["public"]):
            need.save(update_fields=[*changed, "updated"])
        else:
            # The wider tiers are kept out of the audit trail: a change to them alone adds no entry.
            need.save_without_historical_record(update_fields=[*changed, "updated"])


def _write_commitments(commitments, funding: rules.Funding) -> None:
    for commitment in commitments:
        text = "\n".join(funding.problems.get(commitment.pk, []))
        if commitment.inconsistency != text:
            # A computed flag, not an edit: no history entry, no signal.
            Commitment.objects.filter(pk=commitment.pk).update(inconsistency=text)


def refresh_needs(need_ids) -> None:
    """Compute the figures of these needs again (refresh_figures)."""
    refresh_figures(need_ids)


def _as_seen_by(user, needs, commitments):
    """The needs and commitments of a component that `user` may read (two queries)."""
    seen_needs = set(
        Need.objects.filter(visible_needs_q(user), pk__in=[n.pk for n in needs]).values_list("pk", flat=True)
    )
    seen_commitments = set(
        commitments_for(user).filter(pk__in=[c.pk for c in commitments]).values_list("pk", flat=True)
    )
    return [n for n in needs if n.pk in seen_needs], [c for c in commitments if c.pk in seen_commitments]


def funding_of_need(user, need) -> rules.NeedFunding:
    """What counts towards `need` as `user` reads it: in the coverage tier they read it in (the
    one its stored figures keep, so that its page agrees with the lists, the API and the exports),
    from the needs and commitments of that tier; with the part of each commitment."""
    tier = getattr(need, "viewer_tier", None) or coverage_tier(user)
    needs, commitments, links, _targets, _complete = _component([need.pk])
    needs = [n for n in needs if tier in rules.tiers_of(n.visibility)]
    commitments = [c for c in commitments if tier in rules.tiers_of(c.visibility)]
    return count_for(needs, commitments, links).needs.get(need.pk) or rules.NeedFunding(needed=need.amount)


def division_of(user, commitment) -> tuple[rules.Division, list]:
    """How `commitment` is divided between the needs it is linked to, as `user` may see it:
    (the division, the needs it goes to, in order)."""
    needs, commitments, links, _targets, _complete = _component(commitment_ids=[commitment.pk])
    needs, commitments = _as_seen_by(user, needs, commitments)
    division = count_for(needs, commitments, links).divisions.get(commitment.pk) or rules.Division()
    by_pk = {n.pk: n for n in needs}
    return division, [by_pk[pk] for pk in sorted(division.to_needs)]


# --- The gap --------------------------------------------------------------------------------


GAP_CACHE_SECONDS = 3600


def data_fingerprint() -> tuple:
    """Changes whenever a need, commitment, amount or rate is added, changed or deleted:
    the highest id of each table and of its history (every change adds a history row).
    One small query, so that every app process sees the same version of the data."""
    from django.db import connection

    from article6.assistance.models import CommitmentPillar

    parts = []
    for model in (Need, NeedYear, Commitment, CommitmentPillar, CommitmentNeed, Flow, ExchangeRate):
        parts.append(f"(SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)})")  # noqa: S608
        history = model.history.model._meta.db_table
        parts.append(f"(SELECT MAX(history_id) FROM {connection.ops.quote_name(history)})")  # noqa: S608
    with connection.cursor() as cursor:
        # Our own table names, from the models; nothing from the request.
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _scope(user) -> str:
    """Who sees what: the same figures for everyone with the same visibility."""
    from article6.accounts.permissions import has_any_role, is_coordinator, is_isu, organisations_of, states_of

    if is_isu(user):
        return "isu"
    if not has_any_role(user):
        return "public"
    if is_coordinator(user):
        return "coordinator"
    return f"s{sorted(states_of(user))}o{sorted(organisations_of(user))}"


def gap(user, *, state: str | None = None, year: int | None = None, pillar: str | None = None):
    """Per State, pillar and year, in US dollars: needed, pledged, committed, disbursed,
    gap (rules.gap_table) over the needs and commitments `user` may see. Computed once
    for each version of the data and each visibility scope, then taken from the cache."""
    import hashlib

    from django.core.cache import cache

    key = hashlib.sha256(repr((data_fingerprint(), _scope(user), state, year, pillar)).encode()).hexdigest()
    rows = cache.get(f"article6:gap:{key}")
    if rows is None:
        rows = _gap(user, state=state, year=year, pillar=pillar)
        cache.set(f"article6:gap:{key}", rows, GAP_CACHE_SECONDS)
    return rows


def _gap(user, *, state: str | None = None, year: int | None = None, pillar: str | None = None):
    """The gap rows (rules.count) over the needs and commitments `user` may read, and nothing else."""
    needs = needs_for(user)
    commitments = commitments_for(user).prefetch_related(None).prefetch_related("pillar_shares", "flows")
    if state:
        needs = needs.filter(state__iso3=state)
        commitments = commitments.filter(recipient__iso3=state)
    needs = list(needs)
    commitments = list(commitments)
    links = CommitmentNeed.objects.filter(
        commitment_id__in=[c.pk for c in commitments], need_id__in=[n.pk for n in needs]
    )
    rows = count_for(needs, commitments, list(links)).rows
    if pillar:
        rows = [r for r in rows if r.pillar == pillar]
    if year:
        rows = [r for r in rows if r.year == year]
    return rows
