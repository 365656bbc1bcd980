"""The one theme of every chart (Vega-Lite "config"): the site's type and ink, the
colour-blind-safe palettes of the design brief, light gridlines and nothing else.
Specs are plain dictionaries (assistance/charts.py, reporting/charts.py); `themed`
adds this config, so that a chart looks the same on a page and in a PDF."""

from __future__ import annotations

import math

FONT = "Noto Sans, Noto Sans Arabic, Noto Sans SC, system-ui, sans-serif"
INK = "#1b1f24"
INK_MUTED = "#5c6670"
GRIDLINE = "#e6e9ec"
RULE = "#8a949c"

# Membership (Okabe–Ito): State Party, signatory, withdrawn, not a member.
MEMBERSHIP = {
    "state_party": "#0072B2",
    "signatory": "#E69F00",
    "withdrawn": "#CC79A7",
    "non_member": "#d9d9d9",
}
# Categories without an order (regions, pillars): the Okabe–Ito set, yellow last (weakest on white).
CATEGORY = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]
# Amounts and rates: steps of the sequential cividis scale, darkest first. "No data" is a
# separate grey that is never one of these.
CIVIDIS = ["#00224e", "#35456c", "#666970", "#948e77", "#c8b866"]
NO_DATA = "#bdbdbd"


def config() -> dict:
    axis = {
        "labelFont": FONT,
        "titleFont": FONT,
        "labelColor": INK,
        "titleColor": INK,
        "labelFontSize": 12,
        "titleFontSize": 13,
        "titleFontWeight": 600,
        "gridColor": GRIDLINE,
        "domainColor": RULE,
        "tickColor": RULE,
    }
    return {
        "font": FONT,
        "background": "transparent",
        "view": {"stroke": None},
        "title": {"font": FONT, "color": INK, "fontSize": 16, "fontWeight": 600, "anchor": "start"},
        "axis": axis,
        "axisX": {"grid": False},
        "axisY": {"grid": True, "domain": False, "ticks": False},
        "axisBand": {"grid": False},
        "legend": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelColor": INK,
            "titleColor": INK,
            "labelFontSize": 12,
            "titleFontSize": 13,
            "orient": "bottom",
            "direction": "horizontal",
            "columns": 3,  # wraps on a phone instead of running off the chart
            "symbolType": "square",
        },
        "header": {"labelFont": FONT, "titleFont": FONT, "labelColor": INK, "titleColor": INK},
        "range": {"category": CATEGORY, "ordinal": CIVIDIS, "ramp": {"scheme": "cividis"}},
        "bar": {"stroke": INK, "strokeWidth": 0.5},
        "line": {"strokeWidth": 2},
        "point": {"filled": True, "size": 50},
        "text": {"font": FONT, "color": INK},
    }


def themed(spec: dict) -> dict:
    """The spec with the site's theme (a config the spec sets itself wins)."""
    return {**spec, "config": {**config(), **spec.get("config", {})}}


def nice_top(value: float) -> float:
    """The top of an amount axis: the first round step (1, 2, 5 × 10ⁿ, five or fewer steps)
    at or above the largest value, so that no bar runs past the top of its axis."""
    if value <= 0:
        return 1.0
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.ceil(value / step - 1e-9) * step


def _columns(spec: dict) -> list[tuple[str, str, str | None]]:
    """(field, title, number format) of each field a chart encodes, in the order they appear."""
    columns: dict[str, list] = {}
    layers = [spec, *spec.get("layer", [])]
    for layer in layers:
        encoding = layer.get("encoding", {})
        for definition in encoding.values():
            for item in definition if isinstance(definition, list) else [definition]:
                if not isinstance(item, dict) or "field" not in item:
                    continue
                field = item["field"]
                title = item.get("title")
                fmt = item.get("format") or (item.get("axis") or {}).get("format")
                if field not in columns:
                    columns[field] = [title, fmt]
                else:
                    columns[field][0] = columns[field][0] or title
                    columns[field][1] = columns[field][1] or fmt
    return [(field, title or field, fmt) for field, (title, fmt) in columns.items()]


def chart_table(spec: dict) -> dict:
    """The figures a chart draws, as a table ("Show as table"): a header per encoded field
    and a row per data point. Shares are shown as percentages, amounts with digit grouping."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext

    columns = _columns(spec)
    rows = []
    for value in (spec.get("data") or {}).get("values", []):
        cells = []
        for field, _title, fmt in columns:
            cell = value.get(field)
            numeric = isinstance(cell, (int, float)) and not isinstance(cell, bool)
            if cell is None:
                text = gettext("not known")
            elif numeric and fmt and fmt.endswith("%"):
                text = number_format(cell * 100, decimal_pos=0, use_l10n=True) + "%"
            elif numeric:
                places = 0 if float(cell).is_integer() else 2
                text = number_format(cell, decimal_pos=places, use_l10n=True, force_grouping=True)
            else:
                text = str(cell)
            cells.append({"text": text, "numeric": numeric})
        rows.append(cells)
    headers = [
        {"title": title, "numeric": any(row[index]["numeric"] for row in rows)}
        for index, (_f, title, _fmt) in enumerate(columns)
    ]
    return {"headers": headers, "rows": rows}
