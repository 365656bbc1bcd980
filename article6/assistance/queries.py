"""Queries that the assistance pages, the API and the command line share. Each reads a
fixed number of times whatever the number of records; the figures themselves come
from the plain functions in assistance.rules."""

from __future__ import annotations

from collections import defaultdict
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
    from django.db.models import Case, F, When

    from article6.accounts.permissions import states_of

    tier = coverage_tier(user)
    covered, status = COVERAGE_FIELDS[tier]
    own = states_of(user) if tier == "signed_in" else []
    if not own:
        return {"viewer_covered": F(covered), "viewer_status": F(status)}
    wider_covered, wider_status = COVERAGE_FIELDS["restricted"]
    return {
        "viewer_covered": Case(When(state__in=own, then=F(wider_covered)), default=F(covered)),
        "viewer_status": Case(When(state__in=own, then=F(wider_status)), default=F(status)),
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


# --- A need's status, rolled up from its commitments ---------------------------------------


@transaction.atomic
def refresh_needs(need_ids) -> None:
    """Recompute the covered amount and the status of these needs, in each coverage tier,
    from the commitments linked to them (in the need's currency through US dollars at each
    year's rate; rules.coverage_by_tier). Called whenever a commitment, its amounts, its
    visibility or its links change."""
    need_ids = set(need_ids)
    if not need_ids:
        return
    rates = ExchangeRate.table()
    needs = {n.pk: n for n in Need.objects.select_for_update().filter(pk__in=need_ids)}
    links = CommitmentNeed.objects.filter(need_id__in=need_ids).select_related("commitment")
    committed = defaultdict(list)  # commitment id -> [(year, amount)]
    # Each commitment's flows once, however many of these needs it is linked to.
    for flow in Flow.objects.filter(commitment_id__in=links.values("commitment_id"), kind=FlowKind.COMMITTED):
        committed[flow.commitment_id].append((flow.year, flow.amount))
    contributions = defaultdict(list)
    for link in links:
        need, commitment = needs[link.need_id], link.commitment
        amounts = committed.get(link.commitment_id, [])
        if link.amount is not None:
            year = amounts[0][0] if amounts else need.start_year
            amounts = [(year, link.amount)]
        total = ZERO
        for year, amount in amounts if need.amount is not None else ():
            try:
                total += rules.convert(amount, commitment.currency, need.currency, year, rates)
            except rules.MoneyError:
                # Not counted until ISU records the rate; the gap view names the missing rate.
                continue
        to_need_state = commitment.recipient_id == need.state_id
        contributions[need.pk].append(rules.Contribution(commitment.visibility, to_need_state, total))
    for need in needs.values():
        tiers = rules.coverage_by_tier(need.declared_status, need.amount, contributions[need.pk])
        changed = []
        for tier, (covered, status) in tiers.items():
            covered_field, status_field = COVERAGE_FIELDS[tier]
            if (getattr(need, covered_field), getattr(need, status_field)) != (covered, status):
                setattr(need, covered_field, covered)
                setattr(need, status_field, status)
                changed += [covered_field, status_field]
        if not changed:
            continue  # nothing changed: no write, no history entry
        need._change_reason = "status rolled up from the commitments"
        if set(changed) & set(COVERAGE_FIELDS["public"]):
            need.save(update_fields=[*changed, "updated"])
        else:
            # The wider tiers are kept out of the audit trail: a change to them alone adds no entry.
            need.save_without_historical_record(update_fields=[*changed, "updated"])


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
    # A closed need is met (its State says so); drafts and withdrawn needs are not asked for.
    needs = needs_for(user).exclude(status__in=["draft", "withdrawn", "closed"])
    commitments = commitments_for(user)
    if state:
        needs = needs.filter(state__iso3=state)
        commitments = commitments.filter(recipient__iso3=state)
    if pillar:
        needs = needs.filter(pillar=pillar)
    need_amounts = []
    for need in needs:
        if need.amount is None:
            continue
        by_year = {y.year: y.amount for y in need.yearly.all()}
        if not by_year:
            # Spread evenly over the period when no yearly amounts are given.
            years = list(need.years)
            share = (need.amount / len(years)).quantize(rules.CENT, rounding="ROUND_DOWN")
            by_year = dict.fromkeys(years, share)
            by_year[years[-1]] += need.amount - share * len(years)  # the cents left over, in the last year
        for y, amount in by_year.items():
            need_amounts.append(rules.NeedAmount(need.state.iso3, need.pillar, y, amount, need.currency))
    flows = []
    for commitment in commitments:
        shares = {s.pillar: s.share for s in commitment.pillar_shares.all()}
        for flow in commitment.flows.all():
            split = rules.split_by_pillar(flow.amount, shares) or {"": flow.amount}
            for p, amount in split.items():
                flows.append(
                    rules.FlowAmount(commitment.recipient.iso3, p, flow.year, flow.kind, amount, commitment.currency)
                )
    rows = rules.gap_table(need_amounts, flows, ExchangeRate.table())
    if pillar:
        rows = [r for r in rows if r.pillar == pillar]
    if year:
        rows = [r for r in rows if r.year == year]
    return rows
