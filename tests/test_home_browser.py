"""In a real browser: the home page's world map is drawn (a shape for every State, points for
the small ones, a legend in words), hovering a State names it with its status, a click opens
its profile, the chart of membership over time is drawn, and at phone width nothing is wider
than the screen. No console errors."""

import datetime as dt

import pytest

from article6.states.reference import load_reference

pytestmark = pytest.mark.browser

AS_OF = "2026-11-22"


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def console_errors(page) -> list[str]:
    errors: list[str] = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def open_home(page, site):
    page.goto(f"{site}/?as_of={AS_OF}")
    page.locator('.world-map svg [aria-roledescription="geoshape"]').first.wait_for()
    page.locator('[data-chart="chart-membership-years"] svg').wait_for()


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_map_is_drawn_with_its_legend_and_small_states_as_points(site, page):
    errors = console_errors(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    open_home(page, site)
    world = page.get_by_test_id("world-map")
    assert world.get_attribute("aria-label").startswith("World map on 22 November 2026: 112 States Parties")
    assert world.locator('[aria-roledescription="geoshape"]').count() > 200
    assert world.locator('[aria-label="France: State Party"]').count() == 1
    assert world.locator('[aria-label="Norway: State Party"]').count() == 1
    assert world.locator('[aria-label="Lithuania: Withdrawn"]').count() == 1
    assert world.locator('[aria-label="United States: Not a member"]').count() == 1

    # Small island States are points of a visible size: a radius of at least 3 px.
    for name in ("Nauru", "Tuvalu", "Palau", "Cook Islands", "Saint Kitts and Nevis", "Malta"):
        point = world.locator(f'[aria-roledescription="circle"][aria-label^="{name}:"]')
        assert point.count() == 1, name
        box = point.bounding_box()
        assert box["width"] >= 6 and box["height"] >= 6, (name, box)

    legend = page.get_by_test_id("map-legend")
    assert legend.is_visible()
    assert legend.inner_text().split() == "State Party 112 Signatory 12 Withdrawn 1 Not a member".split()
    assert page.get_by_text("No data: a territory").is_visible()

    # "Show as table" opens the same information, with links to the profiles.
    page.get_by_test_id("map-table").get_by_text("Show as table").click()
    assert page.get_by_test_id("map-table").get_by_role("link", name="Lithuania").is_visible()
    assert errors == []


def test_hovering_a_state_names_it_and_a_click_opens_its_profile(site, page):
    errors = console_errors(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    open_home(page, site)
    chad = page.locator('.world-map [aria-label="Chad: State Party"]')
    page.mouse.move(*centre(chad))
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "Chad" in tooltip.inner_text()
    assert "State Party" in tooltip.inner_text()
    assert chad.get_attribute("stroke") == "#1b1f24"  # outlined while the pointer is on it
    page.mouse.click(*centre(chad))
    page.wait_for_url(f"**/states/TCD/?as_of={AS_OF}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Chad")

    # A State drawn as a point opens its profile too.
    open_home(page, site)
    malta = page.locator('.world-map [aria-roledescription="circle"][aria-label="Malta: State Party"]')
    page.mouse.click(*centre(malta))
    page.wait_for_url(f"**/states/MLT/?as_of={AS_OF}")
    assert errors == []


def test_at_phone_width_the_map_and_the_chart_fit_the_screen(site, page):
    errors = console_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    open_home(page, site)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for selector in (".world-map svg", '[data-chart="chart-membership-years"] svg'):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    # Points stay visible, a little smaller, where the map is narrow.
    point = page.locator('.world-map [aria-roledescription="circle"][aria-label^="Nauru:"]')
    assert point.bounding_box()["width"] >= 4
    assert errors == []
