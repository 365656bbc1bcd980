"""The home page's world map and membership over time, with the real reference data: every
State of the list is on the map with its status on the date, joined on the ISO numeric code;
small States are points; the chart and its table give the counts the figures give."""

import csv
import datetime as dt
import json
import re

import pytest
from django.templatetags.static import static
from pagetools import element, figure, html, text

from article6.states import map as home_map
from article6.states.models import State
from article6.states.reference import REFERENCE_DIR
from article6.treaty import rules


def spec(page: str, script_id: str) -> dict:
    match = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"no json_script {script_id}"
    return json.loads(match.group(1))


def map_layers(page: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """The map's shapes and its points, each by ISO numeric code."""
    world = spec(page, "world-map-spec")
    shapes, points = world["layer"][0], world["layer"][1]
    values = shapes["transform"][1]["from"]["data"]["values"]
    return {v["id"]: v for v in values}, {p["id"]: p for p in points["data"]["values"]}


def home(client, day: str) -> str:
    return html(client.get("/", {"as_of": day}))


# --- The geography ------------------------------------------------------------------------


def test_every_state_of_the_reference_list_has_a_shape_on_the_map():
    codes = {f.id for f in home_map.geo_features()}
    with open(REFERENCE_DIR / "states.csv", encoding="utf-8") as rows:
        listed = {row["iso3"]: int(row["iso_numeric"]) for row in csv.DictReader(rows)}
    assert len(listed) == 125
    assert [iso3 for iso3, n in listed.items() if home_map.numeric_code(n) not in codes] == []


def test_areas_and_centres_are_those_of_the_land_even_across_the_antimeridian():
    by_code = {f.id: f for f in home_map.geo_features()}
    fiji, russia, france = by_code["242"], by_code["643"], by_code["250"]
    assert 15_000 < fiji.area_km2 < 21_000  # 18,274 km²; its islands straddle 180°
    assert 176 < fiji.centre[0] < 180 and -19 < fiji.centre[1] < -16
    assert 16_000_000 < russia.area_km2 < 17_500_000
    assert 40 < russia.centre[0] < 120
    assert 2 < france.centre[0] < 3 and 46 < france.centre[1] < 47  # metropolitan France, not French Guiana
    assert "010" not in by_code  # Antarctica is left off


def test_crown_dependencies_and_territories_are_not_states():
    by_code = {f.id: f for f in home_map.geo_features()}
    assert not by_code["831"].is_state  # Guernsey
    assert not by_code["304"].is_state  # Greenland
    assert by_code["840"].is_state  # the United States


# --- Each State's status on the date -------------------------------------------------------------


def test_the_map_names_every_state_of_the_list_with_its_status_on_the_date(client, reference):
    shapes, _points = map_layers(home(client, "2026-11-22"))
    day = dt.date(2026, 11, 22)
    for state in State.objects.all():
        shape = shapes[home_map.numeric_code(state.iso_numeric)]
        assert shape["name"] == state.name
        assert shape["status"] == home_map.map_status(rules.status_on(state.treaty_dates, day)).value
        assert shape["url"] == f"/states/{state.iso3}/?as_of=2026-11-22"
    statuses = [s["status"] for s in shapes.values()]
    # The map counts what the figures count.
    page = home(client, "2026-11-22")
    assert statuses.count("state_party") == figure(page, "figure-states-parties") == 112
    assert statuses.count("signatory") == figure(page, "figure-signatories") == 12
    assert statuses.count("withdrawn") == 1


def test_france_and_norway_are_coloured_though_the_data_gives_them_no_alpha3_code(client, reference):
    shapes, _points = map_layers(home(client, "2026-11-22"))
    assert shapes["250"] | {"aria": None} == {
        "id": "250",
        "name": "France",
        "status": "state_party",
        "status_label": "State Party",
        "aria": None,
        "url": "/states/FRA/?as_of=2026-11-22",
    }
    assert shapes["250"]["aria"] == "France: State Party"
    assert shapes["578"]["name"] == "Norway" and shapes["578"]["status"] == "state_party"


def test_a_ratification_colours_the_state_from_the_day_of_its_deposit(client, reference):
    # Namibia deposited its instrument of ratification on 31 August 2018.
    assert map_layers(home(client, "2018-08-30"))[0]["516"]["status"] == "signatory"
    assert map_layers(home(client, "2018-08-31"))[0]["516"]["status"] == "state_party"
    # Before the Convention was opened for signature (3 December 2008), no State was a member.
    assert map_layers(home(client, "2008-12-02"))[0]["516"]["status"] == "not_a_member"


def test_a_withdrawal_colours_the_state_from_the_day_it_takes_effect(client, reference):
    # Lithuania's withdrawal took effect on 6 March 2025 (Art. 20(2)).
    before, after = map_layers(home(client, "2025-03-05"))[0], map_layers(home(client, "2025-03-06"))[0]
    assert before["440"]["status"] == "state_party"
    assert after["440"]["status"] == "withdrawn"
    assert after["440"]["status_label"] == "Withdrawn"


def test_other_states_are_not_members_and_territories_are_no_data(client, reference):
    shapes, _points = map_layers(home(client, "2026-11-22"))
    assert shapes["840"]["status"] == "not_a_member" and shapes["840"]["url"] is None  # the United States
    assert shapes["643"]["status"] == "not_a_member"  # the Russian Federation
    assert shapes["304"]["status"] == "no_data"  # Greenland
    assert shapes["831"]["status"] == "no_data"  # Guernsey
    assert shapes["732"]["status"] == "no_data"  # Western Sahara
    assert "010" not in shapes  # Antarctica is not drawn


def test_small_island_states_are_drawn_as_points_where_they_are(client, reference):
    _shapes, points = map_layers(home(client, "2026-11-22"))
    expected = {
        "520": ("Nauru", "state_party", 166.9, -0.5),
        "585": ("Palau", "state_party", 134.6, 7.5),
        "184": ("Cook Islands", "state_party", -159.8, -21.2),
        "659": ("Saint Kitts and Nevis", "state_party", -62.7, 17.3),
        "470": ("Malta", "state_party", 14.4, 35.9),
        # Tuvalu has neither signed nor joined: a point all the same, grey, with no profile to open.
        "798": ("Tuvalu", "not_a_member", 179.2, -8.5),
    }
    for code, (name, status, lon, lat) in expected.items():
        point = points[code]
        assert (point["name"], point["status"]) == (name, status)
        assert abs(point["lon"] - lon) < 0.5 and abs(point["lat"] - lat) < 0.5, (name, point)
        assert (point["url"] or "").startswith("/states/") == (status == "state_party")
    # Large States and territories are not points.
    assert "250" not in points and "036" not in points and "831" not in points
    # The points are of a visible size at every width.
    mark = spec(home(client, "2026-11-22"), "world-map-spec")["layer"][1]["mark"]
    assert mark["type"] == "circle" and mark["size"]["expr"] == "width < 600 ? 20 : 38"


def test_the_map_spec_draws_the_static_copy_in_equal_earth(client, reference):
    world = spec(home(client, "2026-11-22"), "world-map-spec")
    assert world["projection"] == {"type": "equalEarth"}
    shapes = world["layer"][0]
    assert shapes["data"]["url"] == static(home_map.GEO_STATIC_PATH)
    assert shapes["transform"][1]["lookup"] == "id"  # joined on the ISO numeric code
    colours = shapes["encoding"]["color"]["scale"]
    assert dict(zip(colours["domain"], colours["range"], strict=True)) == {
        "state_party": "#0072B2",
        "signatory": "#E69F00",
        "withdrawn": "#CC79A7",
        "not_a_member": "#d9d9d9",
        "no_data": "#ffffff",
    }
    assert client.get(static(home_map.GEO_STATIC_PATH)).status_code == 200


def test_links_from_the_map_keep_no_date_when_it_is_today(client, reference):
    shapes, _points = map_layers(html(client.get("/")))
    assert shapes["250"]["url"] == "/states/FRA/"


# --- What the page says around the map ---------------------------------------------------------------


def test_the_legend_is_in_words_with_no_data_apart(client, reference):
    page = home(client, "2026-11-22")
    legend = text(element(page, "map-legend"))
    assert legend == "State Party 112 Signatory 12 Withdrawn 1 Not a member"
    no_data = re.search(r'<li data-status="no_data">(.*?)</li>', page, re.S).group(1)
    assert "No data" in text(no_data)
    summary = re.search(r'data-testid="world-map" role="img"[^>]*aria-label="([^"]+)"', page, re.S).group(1)
    assert summary.startswith("World map on 22 November 2026: 112 States Parties in blue, 12 Signatories in orange")


def test_the_map_has_a_table_of_every_state_with_its_status(client, reference):
    table = element(home(client, "2025-03-06"), "map-table")
    rows = re.findall(r'<tr data-iso3="(\w+)" data-status="(\w+)">(.*?)</tr>', table, re.S)
    assert len(rows) == State.objects.count() == 125
    by_iso3 = {iso3: (status, text(cells)) for iso3, status, cells in rows}
    assert by_iso3["LTU"] == ("withdrawn", "Lithuania Europe Withdrawn")
    assert by_iso3["FRA"] == ("state_party", "France Europe State Party")
    assert 'href="/states/LTU/?as_of=2025-03-06"' in table
    assert "Show as table" in table


# --- Membership over time ------------------------------------------------------------------------


def test_membership_by_year_counts_as_the_figures_do(client, reference):
    years = home_map.membership_by_year((s.treaty_dates for s in State.objects.all()), dt.date(2026, 11, 22))
    assert [y.year for y in years] == list(range(2008, 2027))
    assert years[-1].day == dt.date(2026, 11, 22)
    assert years[0].day == dt.date(2008, 12, 31)
    page = home(client, "2018-11-12")
    table = element(page, "years-table")
    rows = {
        int(y): (int(p), int(s))
        for y, p, s in re.findall(
            r'<tr data-year="(\d+)">.*?<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', table, re.S
        )
    }
    assert list(rows) == list(range(2008, 2019))
    assert rows[2018] == (figure(page, "figure-states-parties"), figure(page, "figure-signatories")) == (104, 16)
    assert rows[2010][0] == 49  # 49 instruments deposited by the end of 2010
    assert "12 November 2018" in text(table)


def test_membership_chart_says_its_finding_and_gives_units(client, reference):
    page = home(client, "2026-11-22")
    chart = spec(page, "chart-membership-years")
    assert chart["encoding"]["y"]["title"] == "Number of States"
    assert chart["encoding"]["x"]["title"].startswith("Year")
    assert [t["field"] for t in chart["encoding"]["tooltip"]] == ["day", "kind", "states"]
    last = [v for v in chart["data"]["values"] if v["year"] == "2026"]
    assert {v["kind"]: v["states"] for v in last} == {"State Party": 112, "Signatory": 12}
    assert all(v["day"] == "22 November 2026" for v in last)
    assert (
        "States Parties grew from 4 at the end of 2008 to 112 on 22 November 2026; "
        "12 Signatories have yet to ratify." in page
    )


def test_a_date_in_2008_has_one_year_and_a_plain_title(client, reference):
    # 92 States signed in Oslo on 3 December 2008; 4 of them deposited their instrument that day.
    page = home(client, "2008-12-03")
    table = element(page, "years-table")
    assert re.findall(r'<tr data-year="(\d+)">', table) == ["2008"]
    assert "States Parties: 4; Signatories: 88, on 3 December 2008." in page


# --- The deadlines table ------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2018-11-12", "2026-11-22"])
def test_the_deadlines_table_has_one_cell_per_column_in_every_row(client, reference, day):
    table = element(home(client, day), "upcoming")
    header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    columns = re.findall(r"<th[ >]", header)
    assert len(columns) == 5
    rows = re.findall(r"<tr data-kind=\"(\w+)\">(.*?)</tr>", table, re.S)
    assert any(kind == "annual_report_group" for kind, _cells in rows)
    for kind, cells in rows:
        assert "colspan" not in cells, kind
        assert len(re.findall(r"<td[ >]", cells)) == 5, kind
        # The countdown, a figure, is aligned at the end of its column, as its header is.
        assert re.search(r'<td class="num">(in \d+ days?|today)</td>\s*$', cells), kind
    assert '<th scope="col" class="num">When</th>' in header
