"""Vega-Lite specifications of the assistance charts (plain dictionaries, shown with
vega-embed on the pages and rendered to SVG for PDF reports). Labels are translated."""

from __future__ import annotations

from django.utils.translation import gettext as _

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
KIND_COLOURS = {"needed": "#6c757d", "pledged": "#9ec5fe", "committed": "#0d6efd", "disbursed": "#146c43"}


def _kind_label(kind: str) -> str:
    return {
        "needed": _("needed"),
        "pledged": _("pledged"),
        "committed": _("committed"),
        "disbursed": _("disbursed"),
        "gap": _("gap"),
    }[kind]


def by_year(table) -> dict:
    """Grouped bars: per year, needed, pledged, committed and disbursed in US dollars."""
    values = [
        {"year": str(year), "kind": _kind_label(kind), "usd": float(amount)}
        for year, kinds in sorted(table.items())
        for kind, amount in kinds.items()
    ]
    labels = [_kind_label(k) for k in KIND_COLOURS]
    return {
        "$schema": SCHEMA,
        "description": _("Needed, pledged, committed and disbursed per year, in US dollars"),
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": _("Year")},
            "xOffset": {"field": "kind", "sort": labels},
            "y": {"field": "usd", "type": "quantitative", "title": _("US dollars"), "axis": {"format": "~s"}},
            "color": {
                "field": "kind",
                "title": None,
                "sort": labels,
                "scale": {"domain": labels, "range": list(KIND_COLOURS.values())},
            },
        },
    }


def gap_by_state(table, limit: int = 15) -> dict:
    """Horizontal bars: the States with the largest gap, committed beside the gap."""
    top = sorted(table.items(), key=lambda item: -item[1]["gap"])[:limit]
    values = []
    for state, kinds in top:
        values.append({"state": state, "kind": _kind_label("committed"), "usd": float(kinds["committed"])})
        values.append({"state": state, "kind": _kind_label("gap"), "usd": float(kinds["gap"])})
    return {
        "$schema": SCHEMA,
        "description": _("Committed and still missing, per State, in US dollars"),
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "state", "type": "nominal", "title": None, "sort": [s for s, _k in top]},
            "x": {
                "field": "usd",
                "type": "quantitative",
                "stack": "zero",
                "title": _("US dollars"),
                "axis": {"format": "~s"},
            },
            "color": {
                "field": "kind",
                "title": None,
                "scale": {"domain": [_kind_label("committed"), _kind_label("gap")], "range": ["#0d6efd", "#dc3545"]},
            },
        },
    }
