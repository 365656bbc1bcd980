"""In a real browser, the forms drawn by the toolkit (includes/form/): on the offer and
the need forms, at a desktop and a phone width, no two labels or controls overlap and
the page is no wider than the screen; the States of interest are a searchable list
(a plain multi-select without script); the amounts per year are rows one adds and
removes; and the forms' own scripts and styles raise nothing in the console."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from article6.states.models import State
from article6.states.reference import load_reference

pytestmark = pytest.mark.browser

WIDTHS = [(1366, 900), (390, 844)]
FORMS = [("norway_partner", "/offers/new/"), ("lao_focal_point", "/needs/new/")]

# Every visible label and control of the form, as boxes, and the pairs that intersect.
OVERLAPS = """
() => {
  const form = document.querySelector("main form.edit-form");
  const selector = "label, legend, input:not([type=hidden]), select, textarea, button, .ts-wrapper";
  const boxes = [];
  for (const element of form.querySelectorAll(selector)) {
    if (element.closest(".ts-wrapper") && !element.classList.contains("ts-wrapper")) continue;
    if (!element.checkVisibility()) continue;
    const r = element.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // visually hidden
    const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + (element.htmlFor ? "[for=" + element.htmlFor + "]" : "")
      + " " + (element.textContent || "").trim().slice(0, 30);
    boxes.push({ name, r, element });
  }
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
      const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (x > 1 && y > 1) found.push(a.name + " ⟷ " + b.name);
    }
  }
  return { count: boxes.length, found };
}
"""


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    from people import everyone

    return live_server.url, everyone()


def open_as(browser, site, role, path, width, height, javascript=True):
    url, people = site
    client = Client()
    client.force_login(people[role])
    context = browser.new_context(
        locale="en-GB", viewport={"width": width, "height": height}, java_script_enabled=javascript
    )
    host = url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []  # console errors, and the addresses that failed to load
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url + path)
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.parametrize(("width", "height"), WIDTHS)
@pytest.mark.parametrize(("role", "path"), FORMS)
def test_no_label_or_control_overlaps_and_the_page_fits(site, browser, role, path, width, height):
    page, errors = open_as(browser, site, role, path, width, height)
    page.wait_for_selector(".ts-wrapper" if "offers" in path else "[data-rows-ready]", state="attached")
    result = page.evaluate(OVERLAPS)
    assert result["count"] > 20, result
    assert result["found"] == [], result["found"][:10]
    # Nothing of the page's content is wider than the screen (the menu bar is base.html's).
    widest = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('main *'), e => e.getBoundingClientRect().right))"
    )
    assert widest <= width and page.evaluate("document.querySelector('main').scrollWidth") <= width
    # The forms' scripts and styles add no console error to those every page has.
    _home, baseline = open_as(browser, site, role, "/", width, height)
    _home.wait_for_load_state("load")
    assert {e for e in errors if "/favicon.ico" not in e} <= set(baseline), errors  # the icon: base.html's


def test_the_states_of_interest_are_a_searchable_list(site, browser):
    page, errors = open_as(browser, site, "norway_partner", "/offers/new/", 1366, 900)
    wrapper = page.locator('[data-field="states"] .ts-wrapper')
    wrapper.click()
    page.keyboard.type("Lao")
    page.locator(".ts-dropdown .option", has_text="Lao People's Democratic Republic").click()
    lao = State.objects.get(iso3="LAO")
    selected = page.eval_on_selector("#id_states", "s => Array.from(s.selectedOptions).map(o => o.value)")
    assert selected == [str(lao.pk)]
    assert not [e for e in errors if "Content Security Policy" in e and "tom-select" in e]
    # Without script it is a plain multi-select.
    plain, _errors = open_as(browser, site, "norway_partner", "/offers/new/", 1366, 900, javascript=False)
    assert plain.locator("#id_states").is_visible() and plain.locator(".ts-wrapper").count() == 0


def test_amounts_per_year_are_rows_one_adds_and_removes(site, browser):
    page, errors = open_as(browser, site, "lao_focal_point", "/needs/new/", 1366, 900)
    rows = page.locator('[data-rows="yearly"] tbody tr')
    assert rows.count() == 10
    visible = page.locator('[data-rows="yearly"] tbody tr:visible')
    assert visible.count() == 1
    page.get_by_label("Row 1: Year").fill("2026")
    page.get_by_label("Row 1: Amount").fill("60,000")
    page.get_by_role("button", name="Add a row").click()
    assert visible.count() == 2
    page.get_by_label("Row 2: Year").fill("2027")
    page.get_by_label("Row 2: Amount").fill("40,000")
    page.locator('[data-rows="yearly"] tbody tr[data-row="2"] [data-remove-row]').click()
    assert visible.count() == 1 and page.get_by_label("Row 2: Year", exact=True).input_value() == ""
    # The State is chosen already (the focal point has one); the currency is a list.
    assert page.locator("#id_state option:checked").inner_text() == "Lao People's Democratic Republic"
    page.locator("#id_currency").select_option("USD")
    assert page.locator("#id_currency").input_value() == "USD"
