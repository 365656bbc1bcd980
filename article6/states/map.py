"""The home page's world map and its membership over time.

Every figure on the home page comes from one read of the States (`home_membership`):
the counts, the colour of each State on the map and the chart by year are computed from
the same rows by the Convention's own rules (`treaty.rules.status_on`,
`treaty.rules.membership`), so that the map can never disagree with the figures above it.

The map is drawn from a copy of Natural Earth (static/geo/, provenance in SOURCES.md),
joined on the ISO 3166-1 numeric code: the alpha-3 code is missing from some features
(France, Norway). The file is read once per process, to know which features are States,
how large they are and where a State too small to see is to be drawn as a point."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from article6.states.models import State
from article6.treaty import rules

GEO_STATIC_PATH = "geo/ne_50m_countries_un_view.topojson.json"
GEO_FILE = Path(__file__).resolve().parent.parent / "static" / GEO_STATIC_PATH
GEO_OBJECT = "countries"

# Antarctica is left off the map: it is no State's territory and it would take a fifth of
# the map's height (Natural Earth's adm0_a3 code).
LEFT_OFF = frozenset({"ATA"})

# A State whose land covers less than this is drawn as a point as well as its shape. At
# the width the map has on a 1366 px screen (about 1,100 px), Equal Earth gives about
# 950 km² a pixel: 20,000 km² is less than the point itself (radius 3.5 px, 38 px²),
# so Malta, Nauru, Tuvalu, Palau, the Cook Islands or Saint Kitts and Nevis can be seen,
# hovered and clicked.
SMALL_STATE_KM2 = 20_000

# Membership begins with the opening for signature, 3 December 2008 (Art. 15).
FIRST_YEAR = 2008

EARTH_RADIUS_KM = 6371.0088


class MapStatus(StrEnum):
    """What a shape on the map shows: a State's status on the date, or that the shape
    is not a State at all (a dependent territory or an area in dispute)."""

    STATE_PARTY = "state_party"
    SIGNATORY = "signatory"
    WITHDRAWN = "withdrawn"
    NOT_A_MEMBER = "not_a_member"
    NO_DATA = "no_data"


MAP_LABELS = {
    MapStatus.STATE_PARTY: _("State Party"),
    MapStatus.SIGNATORY: _("Signatory"),
    MapStatus.WITHDRAWN: _("Withdrawn"),
    MapStatus.NOT_A_MEMBER: _("Not a member"),
    MapStatus.NO_DATA: _("No data"),
}

# The Okabe–Ito colour-blind-safe set (the design brief): every colour comes with a word
# in the legend and the tooltip. "No data" is white with a grey outline, never a shade of
# the scale.
MAP_COLOURS = {
    MapStatus.STATE_PARTY: "#0072B2",
    MapStatus.SIGNATORY: "#E69F00",
    MapStatus.WITHDRAWN: "#CC79A7",
    MapStatus.NOT_A_MEMBER: "#d9d9d9",
    MapStatus.NO_DATA: "#ffffff",
}


def map_status(status: rules.Status) -> MapStatus:
    """A State's colour on the map, from its status on the date (rules.status_on): a
    State that has not yet signed is not a member."""
    return {
        rules.Status.STATE_PARTY: MapStatus.STATE_PARTY,
        rules.Status.SIGNATORY: MapStatus.SIGNATORY,
        rules.Status.WITHDRAWN: MapStatus.WITHDRAWN,
        rules.Status.NON_SIGNATORY: MapStatus.NOT_A_MEMBER,
    }[status]


# --- Membership by year ----------------------------------------------------------------


@dataclass(frozen=True)
class YearCount:
    """States Parties and Signatories at the end of `year`, or on the as-of date in its year."""

    year: int
    day: dt.date
    states_parties: int
    signatories: int


def membership_by_year(dates: Iterable[rules.TreatyDates], as_of: dt.date) -> list[YearCount]:
    """From 2008 to the year of `as_of`: the count on 31 December of each year, and for
    the last year the count on `as_of` itself (rules.status_on, as the figures count)."""
    dates = list(dates)
    out = []
    for year in range(FIRST_YEAR, as_of.year + 1):
        day = min(dt.date(year, 12, 31), as_of)
        statuses = [rules.status_on(d, day) for d in dates]
        out.append(
            YearCount(
                year=year,
                day=day,
                states_parties=statuses.count(rules.Status.STATE_PARTY),
                signatories=statuses.count(rules.Status.SIGNATORY),
            )
        )
    return out


# --- The geography ------------------------------------------------------------------------


@dataclass(frozen=True)
class GeoFeature:
    """One feature of the map file, as far as the page needs to know it."""

    id: str | None  # ISO 3166-1 numeric, three digits ("250"); None for a few disputed areas
    name: str
    is_state: bool  # a State for Natural Earth (the others are territories and disputed areas)
    area_km2: float
    centre: tuple[float, float]  # longitude, latitude of the centroid of its largest polygon


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs of a quantised TopoJSON topology, in longitude and latitude."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A ring's points, its longitudes unwrapped where it crosses the antimeridian (Fiji,
    Kiribati, Russia), so that its area and centroid are those of the land."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    unwrapped = points[:1]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    return unwrapped


def _ring_area_and_centroid(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """Area in km² (on the sphere, through the cylindrical equal-area projection) and
    the centroid in degrees of a ring."""
    twice_area = cx = cy = 0.0
    projected = [(math.radians(lon), math.sin(math.radians(lat))) for lon, lat in ring]
    for (x0, y0), (x1, y1) in zip(projected, projected[1:] + projected[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area = abs(twice_area) / 2 * EARTH_RADIUS_KM**2
    if not twice_area:
        lon, lat = ring[0]
        return 0.0, (lon, lat)
    x, y = cx / (3 * twice_area), cy / (3 * twice_area)
    lon = (math.degrees(x) + 180) % 360 - 180
    return area, (lon, math.degrees(math.asin(max(-1.0, min(1.0, y)))))


def _feature(arcs, geometry: dict) -> GeoFeature:
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    total = 0.0
    largest = (-1.0, (0.0, 0.0))
    for polygon in polygons:
        outer, *holes = [_ring_area_and_centroid(_ring(arcs, ring)) for ring in polygon]
        total += outer[0] - sum(area for area, _centre in holes)
        largest = max(largest, outer, key=lambda item: item[0])
    properties = geometry.get("properties", {})
    return GeoFeature(
        id=geometry.get("id"),
        name=properties.get("nameLong") or properties.get("name", ""),
        # Natural Earth counts the Crown dependencies (Guernsey, Jersey, the Isle of Man)
        # among its "countries"; they are not States.
        is_state=properties.get("fclassIso") == "Admin-0 country"
        and "dependency" not in properties.get("note", "").lower(),
        area_km2=total,
        centre=(round(largest[1][0], 3), round(largest[1][1], 3)),
    )


@functools.cache
def geo_features() -> tuple[GeoFeature, ...]:
    """Every feature of the map file except those left off, read once per process. Where
    two features share a code (Australia and its Ashmore and Cartier Islands), the larger
    one speaks for the code and the areas add up."""
    topology = json.loads(GEO_FILE.read_text(encoding="utf-8"))
    arcs = _decoded_arcs(topology)
    by_id: dict[str | None, GeoFeature] = {}
    loose = []
    for geometry in topology["objects"][GEO_OBJECT]["geometries"]:
        if geometry.get("properties", {}).get("adm0A3") in LEFT_OFF or geometry["type"] not in (
            "Polygon",
            "MultiPolygon",
        ):
            continue
        feature = _feature(arcs, geometry)
        if feature.id is None:
            loose.append(feature)
            continue
        seen = by_id.get(feature.id)
        if seen is not None:
            bigger, smaller = (seen, feature) if seen.area_km2 >= feature.area_km2 else (feature, seen)
            feature = GeoFeature(
                id=bigger.id,
                name=bigger.name,
                is_state=bigger.is_state,
                area_km2=bigger.area_km2 + smaller.area_km2,
                centre=bigger.centre,
            )
        by_id[feature.id] = feature
    return tuple(by_id.values()) + tuple(loose)


def numeric_code(iso_numeric: int) -> str:
    """The feature id of a State: its ISO 3166-1 numeric code on three digits."""
    return f"{iso_numeric:03d}"


# --- What the home page shows ---------------------------------------------------------------


@dataclass(frozen=True)
class MapState:
    """A State of the list, with its status on the date."""

    state: State
    status: MapStatus

    @property
    def label(self):
        return MAP_LABELS[self.status]


@dataclass(frozen=True)
class MapEntry:
    """One shape on the map: a State of the list, another State, or a territory."""

    id: str | None
    name: str
    status: MapStatus
    iso3: str | None  # set for the States of the list, whose profile a click opens
    point: tuple[float, float] | None  # where a State too small to see is drawn as a point


def map_entries(states: Iterable[MapState], features: Iterable[GeoFeature] | None = None) -> list[MapEntry]:
    """Join the States of the list to the map's features on the ISO numeric code. A
    feature that is a State but not in the list (it never signed nor joined) is not a
    member; a territory or disputed area is "no data". Small States get a point."""
    by_code = {numeric_code(s.state.iso_numeric): s for s in states}
    entries = []
    for feature in features if features is not None else geo_features():
        listed = by_code.get(feature.id) if feature.id else None
        if listed is not None:
            name, status, iso3 = listed.state.name, listed.status, listed.state.iso3
        elif feature.is_state:
            name, status, iso3 = feature.name, MapStatus.NOT_A_MEMBER, None
        else:
            name, status, iso3 = feature.name, MapStatus.NO_DATA, None
        small = status is not MapStatus.NO_DATA and feature.area_km2 < SMALL_STATE_KM2
        entries.append(MapEntry(feature.id, name, status, iso3, feature.centre if small else None))
    return entries


@dataclass(frozen=True)
class HomeMembership:
    figures: rules.Membership
    states: list[MapState]  # every State of the list, by name
    years: list[YearCount]

    def count(self, status: MapStatus) -> int:
        return sum(1 for s in self.states if s.status is status)


def home_membership(as_of: dt.date) -> HomeMembership:
    """The home page's figures, the status of every State for the map and membership by
    year, all as of `as_of`: one query, whatever the number of States."""
    rows = list(
        State.objects.only(
            "name",
            "iso3",
            "iso_numeric",
            "region",
            "signature_date",
            "deposit_date",
            "withdrawal_notified_date",
            "withdrawal_armed_conflict_ended",
        ).order_by("name", "iso3")
    )
    figures = rules.membership(((s.region, s.treaty_dates) for s in rows), as_of)
    states = [MapState(s, map_status(rules.status_on(s.treaty_dates, as_of))) for s in rows]
    return HomeMembership(
        figures=figures, states=states, years=membership_by_year((s.treaty_dates for s in rows), as_of)
    )
