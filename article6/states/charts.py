"""Vega-Lite specifications of the home page: the world map of membership and the
membership over time (plain dictionaries; the page's tables carry the same figures for
those who do not see them). Labels are translated."""

from __future__ import annotations

import json

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from article6.states.map import LEFT_OFF, MAP_COLOURS, MAP_LABELS, MapEntry, MapStatus, YearCount

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
INK, NO_DATA_OUTLINE = "#1b1f24", "#8c959f"
# A point's area in px²: a radius of 3.5 px, and of 2.5 px where the map is narrower
# than 600 px (a phone), where points would otherwise cover their neighbours.
POINT_SIZE, POINT_SIZE_NARROW, NARROW = 38, 20, 600


def _colour_scale() -> dict:
    return {"domain": [s.value for s in MapStatus], "range": [MAP_COLOURS[s] for s in MapStatus]}


def map_summary(figures, withdrawn: int, day: str) -> str:
    """What the map shows, in words: its `aria-label` (Vega gives the spec's description to
    the map's container, so the two are the same text)."""
    return _(
        "World map on %(day)s: %(parties)s States Parties in blue, %(signatories)s Signatories in orange, "
        "%(withdrawn)s withdrawn in pink; every other State, in grey, is not a member. "
        "The table below lists every State that has signed or joined."
    ) % {"day": day, "parties": figures.states_parties, "signatories": figures.signatories, "withdrawn": withdrawn}


def world_map(entries: list[MapEntry], topojson_url: str, profile_urls: dict[str, str], day: str, summary: str) -> dict:
    """Equal Earth; each feature coloured by its status, joined on the ISO numeric code
    (`id`); States too small to see drawn again as points; hover names the State and its
    status, a click opens its profile (`href`)."""
    status_title = _("Status on %(day)s") % {"day": day}

    def datum(e: MapEntry) -> dict:
        label = str(MAP_LABELS[e.status])
        return {
            "id": e.id,
            "name": e.name,
            "status": e.status.value,
            "status_label": label,
            "aria": _("%(name)s: %(status)s") % {"name": e.name, "status": label},
            "url": profile_urls.get(e.iso3) if e.iso3 else None,
        }

    values = [datum(e) for e in entries if e.id]
    points = [{**datum(e), "lon": e.point[0], "lat": e.point[1]} for e in entries if e.point]
    colour = {"field": "status", "type": "nominal", "scale": _colour_scale(), "legend": None}
    tooltip = [
        {"field": "name", "type": "nominal", "title": _("State")},
        {"field": "status_label", "type": "nominal", "title": status_title},
    ]
    no_data = json.dumps(str(MAP_LABELS[MapStatus.NO_DATA]))  # a string literal of the expression language
    left_off = " && ".join(f"datum.properties.adm0A3 !== '{code}'" for code in sorted(LEFT_OFF))
    return {
        "$schema": SCHEMA,
        "description": summary,
        "width": "container",
        "height": "container",
        "autosize": {"type": "fit", "contains": "padding"},
        "padding": 0,
        "projection": {"type": "equalEarth"},
        "config": {"view": {"stroke": None}},
        "layer": [
            {
                "data": {"url": topojson_url, "format": {"type": "topojson", "feature": "countries"}},
                "transform": [
                    {"filter": left_off},
                    {
                        "lookup": "id",
                        "from": {
                            "data": {"values": values},
                            "key": "id",
                            "fields": ["name", "status", "status_label", "aria", "url"],
                        },
                    },
                    {"calculate": "datum.status || 'no_data'", "as": "status"},
                    {"calculate": f"datum.status_label || {no_data}", "as": "status_label"},
                    {"calculate": "datum.name || datum.properties.nameLong", "as": "name"},
                    {"calculate": "datum.aria || datum.name + ': ' + datum.status_label", "as": "aria"},
                ],
                # The State under the pointer is outlined in ink.
                "params": [
                    {
                        "name": "hovered",
                        "select": {"type": "point", "on": "pointerover", "clear": "pointerout", "fields": ["id"]},
                    }
                ],
                "mark": {"type": "geoshape"},
                "encoding": {
                    "color": colour,
                    "stroke": {
                        "condition": [
                            {"param": "hovered", "empty": False, "value": INK},
                            {"test": "datum.status === 'no_data'", "value": NO_DATA_OUTLINE},
                        ],
                        "value": "#ffffff",
                    },
                    "strokeWidth": {"condition": {"param": "hovered", "empty": False, "value": 1.5}, "value": 0.5},
                    "tooltip": tooltip,
                    "description": {"field": "aria"},
                    "href": {"field": "url", "type": "nominal"},
                },
            },
            {
                "data": {"values": points},
                "mark": {
                    "type": "circle",
                    "size": {"expr": f"width < {NARROW} ? {POINT_SIZE_NARROW} : {POINT_SIZE}"},
                    "opacity": 1,
                    "stroke": INK,
                    "strokeWidth": 0.75,
                },
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "color": colour,
                    "tooltip": tooltip,
                    "description": {"field": "aria"},
                    "href": {"field": "url", "type": "nominal"},
                },
            },
        ],
    }


def membership_title(years: list[YearCount], day: str) -> str:
    """The chart's title: a sentence that says what it shows."""
    if not years or not any(y.states_parties or y.signatories for y in years):
        return _("No State had signed or joined the Convention on %(day)s.") % {"day": day}
    first, last = years[0], years[-1]
    figures = {
        "first": first.states_parties,
        "year": first.year,
        "last": last.states_parties,
        "day": day,
        "signatories": last.signatories,
    }
    if last.year > first.year and last.states_parties > first.states_parties:
        return (
            ngettext(
                "States Parties grew from %(first)s at the end of %(year)s to %(last)s on %(day)s; "
                "%(signatories)s Signatory has yet to ratify.",
                "States Parties grew from %(first)s at the end of %(year)s to %(last)s on %(day)s; "
                "%(signatories)s Signatories have yet to ratify.",
                last.signatories,
            )
            % figures
        )
    return _("States Parties: %(last)s; Signatories: %(signatories)s, on %(day)s.") % figures


def membership_over_time(years: list[YearCount], title: str) -> dict:
    """Stacked bars per year: States Parties and Signatories on 31 December (the last
    year: on the as-of date). `title` (membership_title) is also its description, which
    Vega gives its container as the `aria-label`."""
    party, signatory = str(MAP_LABELS[MapStatus.STATE_PARTY]), str(MAP_LABELS[MapStatus.SIGNATORY])
    values = []
    for y in years:
        counted = date_format(y.day, "DATE_FORMAT")
        for kind, label, count in (
            (MapStatus.STATE_PARTY, party, y.states_parties),
            (MapStatus.SIGNATORY, signatory, y.signatories),
        ):
            values.append({"year": str(y.year), "day": counted, "kind": label, "order": kind.value, "states": count})
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "year",
                "type": "ordinal",
                "title": _("Year (count on 31 December, or on the date shown)"),
                "axis": {"labelAngle": 0, "labelOverlap": "parity"},
            },
            "y": {
                "field": "states",
                "type": "quantitative",
                "stack": "zero",
                "title": _("Number of States"),
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "sort": [party, signatory],
                "scale": {
                    "domain": [party, signatory],
                    "range": [MAP_COLOURS[MapStatus.STATE_PARTY], MAP_COLOURS[MapStatus.SIGNATORY]],
                },
                "legend": {"orient": "top", "direction": "horizontal"},
            },
            "order": {"field": "order", "sort": "descending"},
            "tooltip": [
                {"field": "day", "type": "nominal", "title": _("Date")},
                {"field": "kind", "type": "nominal", "title": _("Status")},
                {"field": "states", "type": "quantitative", "title": _("States"), "format": "d"},
            ],
        },
    }
