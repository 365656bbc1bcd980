"""Vega-Lite specifications of the Art. 7 reporting charts (plain dictionaries, drawn
with vega-embed; the tables beside them carry the same figures). Labels are translated."""

from __future__ import annotations

from django.utils.translation import gettext as _

from article6.chart_theme import CIVIDIS, themed
from article6.reporting import rules

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Rates: two steps of cividis, light bars for "received", a dark line for "on time".
RECEIVED_COLOUR, ON_TIME_COLOUR = CIVIDIS[3], CIVIDIS[0]
PERCENT_AXIS = {"format": ".0%"}
RATE_SCALE = {"domain": [0, 1]}


def annual_rate(annual: dict[str, dict]) -> dict:
    """Per year covered (Art. 7(2)): bars for the share of annual updates received by
    the date, a line for the share received by 30 April, both over the updates whose
    status is known (a year with none known has no bar: insufficient data)."""
    received, on_time = _("received"), _("received on time")
    values = [
        {
            "year": year,
            "rate": counts["rate"],
            # Over the reports whose status is known, like `rate`; none known: no point, never 0%.
            "on_time_rate": rules.rate(counts["on_time"], counts["due"], counts.get("not_recorded", 0)),
            "due": counts["due"],
            "submitted": counts["submitted"],
            "on_time": counts["on_time"],
            "not_recorded": counts.get("not_recorded", 0),
        }
        for year, counts in annual.items()
    ]
    x = {"field": "year", "type": "ordinal", "title": _("Year covered")}
    tooltip = [
        {"field": "year", "title": _("Year covered")},
        {"field": "due", "title": _("Due")},
        {"field": "submitted", "title": _("Received")},
        {"field": "on_time", "title": _("On time")},
        {"field": "not_recorded", "title": _("Not recorded")},
    ]
    colour = {"domain": [received, on_time], "range": [RECEIVED_COLOUR, ON_TIME_COLOUR]}
    return themed(
        {
            "$schema": SCHEMA,
            "description": _("Share of the annual updates due that were received, and received on time, per year"),
            "width": "container",
            "height": 260,
            "data": {"values": values},
            "encoding": {"x": x},
            "layer": [
                {
                    "mark": {"type": "bar", "tooltip": True},
                    "encoding": {
                        "y": {
                            "field": "rate",
                            "type": "quantitative",
                            "title": _("Share of the reports whose status is known"),
                            "axis": PERCENT_AXIS,
                            "scale": RATE_SCALE,
                        },
                        "color": {"datum": received, "title": None, "scale": colour},
                        "tooltip": [*tooltip, {"field": "rate", "title": received, "format": ".0%"}],
                    },
                },
                {
                    "mark": {"type": "line", "point": True, "tooltip": True},
                    "encoding": {
                        "y": {"field": "on_time_rate", "type": "quantitative", "scale": RATE_SCALE},
                        "color": {"datum": on_time},
                        "tooltip": [*tooltip, {"field": "on_time_rate", "title": on_time, "format": ".0%"}],
                    },
                },
            ],
        }
    )


def rate_by_region(by_region: dict[str, dict], labels: dict[str, str]) -> dict:
    """Per year covered, one line per region: the share of annual updates received."""
    values = [
        {"year": year, "region": str(labels.get(region, region)), "rate": counts["rate"], "due": counts["due"]}
        for region, figures in by_region.items()
        for year, counts in figures["annual"].items()
    ]
    return themed(
        {
            "$schema": SCHEMA,
            "description": _("Share of the annual updates due that were received, per region and year"),
            "width": "container",
            "height": 260,
            "data": {"values": values},
            "mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": _("Year covered")},
                "y": {
                    "field": "rate",
                    "type": "quantitative",
                    "title": _("Share of the reports whose status is known"),
                    "axis": PERCENT_AXIS,
                    "scale": RATE_SCALE,
                },
                "color": {"field": "region", "type": "nominal", "title": _("Region")},
            },
        }
    )
