"""The public Transparency page: the Art. 7 reporting figures as of any date.

Initial reports (Art. 7(1)) due, received on time, late, and overdue with the States
behind them; the annual reporting rate (Art. 7(2)) per year and by region; the reports
this system holds; and the published reports. A fixed number of queries: the
figures come from the cache (reporting.queries.transparency), then one page of
published reports."""

from __future__ import annotations

from django.shortcuts import render

from article6.asof import as_of_from_request
from article6.paging import page_of
from article6.reporting import charts, queries, rules
from article6.reporting.models import Report
from article6.states.models import Region

PUBLISHED_PER_PAGE = 25


def _totals(annual: dict[str, dict]) -> dict:
    """Every annual update due by the date, over all years (Art. 7(2)): received, on
    time, not recorded, and the base of the rate (the updates whose status is known);
    of those received, how many are fictional sample reports."""
    due = sum(c["due"] for c in annual.values())
    submitted = sum(c["submitted"] for c in annual.values())
    on_time = sum(c["on_time"] for c in annual.values())
    not_recorded = sum(c["not_recorded"] for c in annual.values())
    sample = {key: sum(c.get("sample", {}).get(key, 0) for c in annual.values()) for key in ("submitted", "on_time")}
    return {
        "due": due,
        "submitted": submitted,
        "on_time": on_time,
        "not_recorded": not_recorded,
        "known": due - not_recorded,
        "rate": rules.rate(submitted, due, not_recorded),
        "sample": sample if any(sample.values()) else None,
    }


def _with_known(annual: dict[str, dict]) -> list[tuple[str, dict]]:
    """Each year's figures with the base of its rate: the updates whose status is known."""
    return [(year, {**counts, "known": counts["due"] - counts["not_recorded"]}) for year, counts in annual.items()]


def _initial(initial: dict) -> dict:
    """The initial reports' figures with their received count and the base of the rate."""
    received = initial["submitted_on_time"] + initial["submitted_late"]
    return {**initial, "received": received, "known": initial["due"] - initial["not_recorded"]}


def transparency(request):
    """Public. ?as_of=YYYY-MM-DD (default today); a date that is not one is said so and
    today is shown instead (article6.asof)."""
    as_of, as_of_error = as_of_from_request(request)
    data = queries.transparency(as_of)
    figures, by_region, names = data["figures"], data["by_region"], data["names"]
    labels = dict(Region.choices)
    regions = [
        (value, label, _initial(by_region[value]["initial"]), _totals(by_region[value]["annual"]))
        for value, label in Region.choices
        if value in by_region
    ]
    published = (
        Report.objects.current_published()
        .select_related("state")
        .order_by("-submitted_on", "state__name", "kind", "-year", "-version")
    )
    page, page_message = page_of(request, published, PUBLISHED_PER_PAGE)
    context = {
        "as_of_value": as_of,
        "as_of_field_error": as_of_error,
        "asked_as_of": (request.GET.get("as_of") or "")[:40],
        "initial": _initial(figures["initial"]),
        "overdue_states": sorted(
            ((iso3, names.get(iso3, iso3)) for iso3 in figures["initial"]["overdue_states"]), key=lambda s: s[1]
        ),
        "annual": _with_known(figures["annual"]),
        "annual_totals": _totals(figures["annual"]),
        "regions": regions,
        "recorded": data["recorded"],
        "complete_from": data["complete_from"],
        "complete_by_state": data["complete_by_state"],
        "membership": data["membership"],
        "chart_annual": charts.annual_rate(figures["annual"]),
        "chart_regions": charts.rate_by_region(by_region, labels),
        "page": page,
        "page_message": page_message,
    }
    return render(request, "reporting/transparency.html", context)
