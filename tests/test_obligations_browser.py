"""In a real browser at phone width: the States list with its Art. 3 and Art. 4 columns,
a profile and the deadlines stay within the screen; their tables scroll in their own box."""

import datetime as dt

import pytest

from article6.states.reference import load_reference

pytestmark = pytest.mark.browser

PAGES = ["/states/", "/states/?art4=passed&as_of=2026-12-01", "/states/LAO/", "/deadlines/?article=4&as_of=2026-12-01"]


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def test_pages_fit_a_phone_and_their_tables_scroll_in_their_own_box(site, page):
    page.set_viewport_size({"width": 390, "height": 844})
    for url in PAGES:
        page.goto(site + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto(site + "/states/")
    box = page.locator('[data-testid="states"]').locator("xpath=..")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls inside it
