"""Funding: each commitment's committed, disbursed and expended amounts, in its own
currency and in US dollars, with totals. Used by `article6 funding` and by the API.

US dollars are converted flow by flow at the rate of the flow's year
(rules.to_usd over the exchange-rate table), added at full precision and rounded
once, to the cent, where they are given out. A commitment whose amounts need a
rate the table lacks gets ``"usd": null`` rather than a partial figure, and the
missing rate is named in ``problems``; the totals in US dollars add up the
commitments that could be converted, and ``missing_rates`` lists what kept the
others out. A fixed number of queries whatever the number of commitments.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, Q

from article6.assistance import queries, rules
from article6.assistance.models import Commitment, ExchangeRate, Flow, FlowKind
from article6.interchange.codelists import currencies
from article6.states.models import State

KINDS = (FlowKind.COMMITTED, FlowKind.DISBURSED, FlowKind.EXPENDED)
ZERO = Decimal("0")


class UnknownState(ValueError):
    def __init__(self, iso3: str) -> None:
        self.iso3 = iso3
        super().__init__(f"{iso3} is not a State in the registry (ISO 3166 alpha-3, e.g. GBR).")


def commitments(user_or_none, *, state: str | None = None, year: int | None = None):
    """The commitments to show, with provider, recipient, pillar shares and the flows that
    count (of `year` only, when given: then only commitments with such flows)."""
    if user_or_none is None:  # the command line sees everything
        base = Commitment.objects.select_related("provider_state", "provider_organisation", "recipient")
    else:
        base = queries.commitments_for(user_or_none).prefetch_related(None)
    flows = Flow.objects.filter(kind__in=KINDS)
    if year is not None:
        flows = flows.filter(year=year)
        base = base.filter(pk__in=flows.values("commitment_id"))
    if state:
        base = base.filter(Q(recipient__iso3=state) | Q(provider_state__iso3=state))
    return base.prefetch_related("pillar_shares", Prefetch("flows", queryset=flows.order_by("year", "id"))).order_by(
        "recipient__iso3", "id"
    )


def _number(amount: Decimal) -> float:
    """A JSON number, rounded once to the cent from the Decimal added at full precision."""
    return float(rules.rounded(amount))


def funding_json(user_or_none, *, state: str | None = None, year: int | None = None) -> dict:
    """Commitments and totals in the shape the command line and the API share:

    ``{"commitments": [{"id", "provider", "recipient", "pillars", "currency", "committed",
    "disbursed", "expended", "usd", "source"}, ...], "totals": {"usd": {...}, "commitments": N,
    "missing_rates": [[currency, year], ...]}, "problems": [...]}``

    `state` (ISO3) keeps the commitments the State receives or provides; `year` keeps the
    flows of that year. Raises UnknownState for an ISO3 code not in the registry."""
    if state:
        state = state.upper()
        if not State.objects.filter(iso3=state).exists():
            raise UnknownState(state)
    rates = ExchangeRate.table()
    known = currencies()
    rows, problems = [], []
    missing: set[tuple[str, int]] = set()
    totals = dict.fromkeys(KINDS, ZERO)
    for commitment in commitments(user_or_none, state=state, year=year):
        amounts = dict.fromkeys(KINDS, ZERO)
        usd = dict.fromkeys(KINDS, ZERO)
        failures: dict[tuple[str, int | None], rules.MoneyError] = {}
        for flow in commitment.flows.all():
            amounts[flow.kind] += flow.amount
            try:
                usd[flow.kind] += rules.to_usd(flow.amount, commitment.currency, flow.year, rates, known)
            except rules.MissingRate as exc:
                failures.setdefault((exc.currency, exc.year), exc)
                missing.add((exc.currency, exc.year))
            except rules.UnknownCurrency as exc:
                failures.setdefault((exc.currency, None), exc)
        for (currency, failed_year), exc in sorted(failures.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
            problems.append(
                {"commitment": commitment.pk, "currency": currency, "year": failed_year, "reason": str(exc)}
            )
        if not failures:
            for kind in KINDS:
                totals[kind] += usd[kind]
        shares = sorted(commitment.pillar_shares.all(), key=lambda s: (-s.share, s.pillar))
        rows.append(
            {
                "id": commitment.pk,
                "provider": commitment.provider_label,
                "recipient": commitment.recipient.iso3,
                "pillars": [share.pillar for share in shares],
                "currency": commitment.currency,
                **{kind: _number(amounts[kind]) for kind in KINDS},
                "usd": None if failures else {kind: _number(usd[kind]) for kind in KINDS},
                "source": commitment.source,
            }
        )
    return {
        "commitments": rows,
        "totals": {
            "usd": {kind: _number(totals[kind]) for kind in KINDS},
            "commitments": len(rows),
            "missing_rates": [[currency, missing_year] for currency, missing_year in sorted(missing)],
        },
        "problems": problems,
    }
