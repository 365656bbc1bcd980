"""In a real browser, the look every page shares: the menu fits at 1366 px signed in as ISU
and collapses at phone width without anything off-screen; the language menu says which
language it is; menu links are readable on the header (contrast from computed styles) and
the keyboard focus is visible; the home page has no console error (the CSP blocked an
inline style on every page)."""

import datetime as dt

import pytest
from browser import signed_in_context
from people import PASSWORD, person

from article6.accounts.models import RoleKind
from article6.accounts.totp import activate_totp
from article6.states.reference import load_reference

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# The WCAG relative luminance and contrast ratio, computed in the page from computed styles.
CONTRAST_JS = """
(element) => {
  const rgba = (text) => { const v = text.match(/[\\d.]+/g).map(Number); return v.length === 3 ? [...v, 1] : v; };
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) return colour;
    }
    return [255, 255, 255, 1];
  };
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const bg = background(element);
  const [r, g, b, a] = rgba(getComputedStyle(element).color);
  // A translucent text colour is what it shows over its background.
  const fg = [r, g, b].map((v, i) => v * a + bg[i] * (1 - a));
  const [lf, lb] = [luminance(fg), luminance(bg)];
  return (Math.max(lf, lb) + 0.05) / (Math.min(lf, lb) + 0.05);
}
"""


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def open_page(browser, viewport):
    context = browser.new_context(locale="en-GB", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in_as_isu(browser, site, viewport):
    isu = person("isu@example.org", {"kind": RoleKind.ISU_STAFF})
    _context, page = signed_in_context(browser, site, isu.email, PASSWORD, activate_totp(isu), viewport=viewport)
    return page


def account_and_language(page):
    return page.get_by_test_id("my-account"), page.get_by_test_id("sign-out"), page.get_by_label("Language", exact=True)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def within_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width and locator.is_visible()


def test_menu_fits_at_1366_signed_in_as_isu(site, browser):
    page = sign_in_as_isu(browser, site, DESKTOP)
    assert page_width(page) <= DESKTOP["width"]
    nav = page.get_by_role("navigation", name="Main navigation")
    for name in ("Home", "States", "Transparency", "API", "Donors", "Work queue", "Validation", "Back office"):
        assert within_viewport(page, nav.get_by_role("link", name=name, exact=True)), name
    for item in account_and_language(page):
        assert within_viewport(page, item)
    # The menu is not collapsed at this width.
    assert not page.get_by_role("button", name="Menu").is_visible()
    nav_box = page.locator("#nav .navbar-nav").bounding_box()
    assert nav_box["height"] < 60  # still one row
    page.context.close()


def test_menu_collapses_at_phone_width_and_nothing_is_off_screen(site, browser):
    page = sign_in_as_isu(browser, site, PHONE)
    assert page_width(page) <= PHONE["width"]
    for item in account_and_language(page):
        assert within_viewport(page, item)
    nav = page.get_by_role("navigation", name="Main navigation")
    assert not nav.get_by_role("link", name="States", exact=True).is_visible()
    page.get_by_role("button", name="Menu").click()
    for name in ("States", "Funding", "Validation", "Back office"):
        link = nav.get_by_role("link", name=name, exact=True)
        link.wait_for(state="visible")
        assert within_viewport(page, link), name
    assert page_width(page) <= PHONE["width"]
    page.context.close()


@pytest.mark.parametrize("path", ["/states/", "/deadlines/", "/transparency/"])
def test_no_page_is_wider_than_a_phone(site, browser, path):
    """At 390 px /states/ was 747 px wide: a table now scrolls inside its own box."""
    page = open_page(browser, PHONE)
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    assert page_width(page) <= PHONE["width"]
    page.context.close()


def test_a_table_wider_than_a_phone_scrolls_in_its_own_box_reachable_by_keyboard(site, browser):
    page = open_page(browser, PHONE)
    page.goto(site + "/states/")
    page.wait_for_load_state("networkidle")
    box = page.locator("main table").first.locator("xpath=..")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    page.context.close()


def test_print_leaves_out_the_menu_and_buttons_and_shows_link_addresses(site, page):
    page.emulate_media(media="print")
    page.goto(site + "/states/FJI/")
    assert not page.get_by_role("navigation", name="Main navigation").is_visible()
    assert not page.get_by_label("Language", exact=True).is_visible()
    href, after = page.evaluate(
        """() => { const link = [...document.querySelectorAll("main a[href^='/']")]
          .find((a) => !a.closest(".breadcrumb, .nav"));
          return [link.getAttribute("href"), getComputedStyle(link, "::after").content]; }"""
    )
    assert href in after
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"


def test_language_menu_shows_the_language(site, page):
    page.goto(site + "/")
    select = page.get_by_label("Language", exact=True)
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "English"
    # Wide enough to show the name (it was a 46 px box with only the arrow).
    assert select.bounding_box()["width"] >= 100
    label = page.locator("label[for=language-select]")
    assert label.is_visible() and label.inner_text().strip() == "Language"


def test_menu_links_contrast_and_visible_focus(site, page):
    page.goto(site + "/")
    nav = page.get_by_role("navigation", name="Main navigation")
    for name in ("Home", "States", "Funding"):
        ratio = nav.get_by_role("link", name=name, exact=True).evaluate(CONTRAST_JS)
        assert ratio >= 4.5, (name, ratio)
    assert page.get_by_role("link", name="Sign in").evaluate(CONTRAST_JS) >= 4.5

    # Keyboard: the skip link first, then the brand, then the account and menu links; each shows the ring.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    for _ in range(3):
        page.keyboard.press("Tab")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
    )
    tag, outline_style, outline_width, outline_color = style
    assert tag in ("A", "SELECT")
    assert outline_style == "solid" and outline_width == "3px" and outline_color == "rgb(255, 221, 0)"

    link = nav.get_by_role("link", name="States", exact=True)
    link.focus()
    assert link.evaluate("e => getComputedStyle(e).outlineColor") == "rgb(255, 221, 0)"
    link.evaluate("e => e.getAnimations().forEach((a) => a.finish())")
    seen = link.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor, e.matches(':focus-visible')]"
    )
    assert link.evaluate(CONTRAST_JS) >= 4.5, seen  # dark on the yellow of the focus
    # And in the page's content, on white.
    content_link = page.locator("main :not(.a6-figure__label) > a:visible").first
    content_link.focus()
    assert content_link.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    assert content_link.evaluate(CONTRAST_JS) >= 4.5
    # A figure card is one link: its ring is drawn round the whole card.
    card_link = page.locator("main .a6-figure__label a").first
    card_link.focus()
    assert card_link.evaluate("e => getComputedStyle(e.closest('.a6-figure')).outlineStyle") == "solid"


@pytest.mark.parametrize("path", ["/", "/states/LAO/", "/transparency/"])
def test_no_console_errors(site, page, path):
    """The Content Security Policy blocked an inline style on every page (htmx's indicator), and
    on every chart (the tooltip's stylesheet)."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    assert errors == []
