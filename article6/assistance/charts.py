"""Vega-Lite specifications of the assistance charts (plain dictionaries, shown with
vega-embed on the pages and rendered to SVG for PDF reports). Labels are translated."""

from __future__ import annotations

from django.utils.translation import gettext as _

from article6.chart_theme import CIVIDIS, nice_top, themed

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Amounts: steps of cividis, from what is needed (lightest) to what was disbursed (darkest).
KIND_COLOURS = {"needed": CIVIDIS[4], "pledged": CIVIDIS[3], "committed": CIVIDIS[1], "disbursed": CIVIDIS[0]}
GAP_COLOUR = CIVIDIS[4]


def _kind_label(kind: str) -> str:
    return {
        "needed": _("needed"),
        "pledged": _("pledged"),
        "committed": _("committed"),
        "disbursed": _("disbursed"),
        "funded": _("funding towards needs"),
        "gap": _("gap"),
    }[kind]


def by_year(table) -> dict:
    """Grouped bars: per year, needed, pledged, committed and disbursed in US dollars."""
    values = [
        {"year": str(year), "kind": _kind_label(kind), "usd": float(amount)}
        for year, kinds in sorted(table.items())
        for kind, amount in kinds.items()
        if kind in KIND_COLOURS
    ]
    labels = [_kind_label(k) for k in KIND_COLOURS]
    # The axis is as tall as the tallest bar, rounded up: no bar runs past its top.
    top = nice_top(max((v["usd"] for v in values), default=0))
    return themed(
        {
            "$schema": SCHEMA,
            "description": _("Needed, pledged, committed and disbursed per year, in US dollars"),
            "width": "container",
            "height": 260,
            "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": _("Year")},
                "xOffset": {"field": "kind", "sort": labels},
                "y": {
                    "field": "usd",
                    "type": "quantitative",
                    "title": _("US dollars"),
                    "axis": {"format": ",.0f"},
                    "scale": {"domain": [0, top], "nice": False, "zero": True},
                },
                "color": {
                    "field": "kind",
                    "title": None,
                    "sort": labels,
                    "scale": {"domain": labels, "range": list(KIND_COLOURS.values())},
                },
                "tooltip": [
                    {"field": "year", "title": _("Year")},
                    {"field": "kind", "title": _("Amount")},
                    {"field": "usd", "title": _("US dollars"), "format": ",.0f"},
                ],
            },
        }
    )


def gap_by_state(table, limit: int = 15, names=None) -> dict:
    """Horizontal bars: the States with the largest gap, the funding towards their stated needs
    beside what those needs still lack (the two add up to what is needed, unless over-covered).
    States by name (`names`: ISO3 -> name)."""
    names = names or {}
    top = sorted(table.items(), key=lambda item: (-item[1]["gap"], item[0]))[:limit]
    values = []
    for state, kinds in top:
        label = names.get(state, state)
        values.append({"state": label, "kind": _kind_label("funded"), "usd": float(kinds["funded"])})
        values.append({"state": label, "kind": _kind_label("gap"), "usd": float(kinds["gap"])})
    axis_top = nice_top(max((float(k["funded"]) + float(k["gap"]) for _s, k in top), default=0))
    return themed(
        {
            "$schema": SCHEMA,
            "description": _("Funding towards stated needs and what they still lack, per State, in US dollars"),
            "width": "container",
            "height": {"step": 22},
            "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "state", "type": "nominal", "title": None, "sort": [names.get(s, s) for s, _k in top]},
                "x": {
                    "field": "usd",
                    "type": "quantitative",
                    "stack": "zero",
                    "title": _("US dollars"),
                    "axis": {"format": "~s"},
                    "scale": {"domain": [0, axis_top], "nice": False, "zero": True},
                },
                "color": {
                    "field": "kind",
                    "title": None,
                    # One label a line: "funding towards needs" and "gap" do not fit side by side on a phone.
                    "legend": {"columns": 1},
                    "scale": {
                        "domain": [_kind_label("funded"), _kind_label("gap")],
                        "range": [KIND_COLOURS["committed"], GAP_COLOUR],
                    },
                },
                "tooltip": [
                    {"field": "state", "title": _("State")},
                    {"field": "kind", "title": _("Amount")},
                    {"field": "usd", "title": _("US dollars"), "format": ",.0f"},
                ],
            },
        }
    )
