"""In a real browser: a newcomer opens the home page, follows a State and reads its
entry into force and next report due; picks a date and sees the figures of that day."""

import datetime as dt

import pytest

from article6.states.reference import load_reference
from article6.treaty import rules

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def test_home_to_a_state_profile(site, page):
    page.goto(site + "/")
    assert page.get_by_test_id("figure-states-parties").is_visible()

    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="States").click()
    page.get_by_role("searchbox").fill("Fiji")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="Fiji", exact=True).click()

    assert page.get_by_role("heading", level=1).inner_text().startswith("Fiji")
    entry = page.get_by_test_id("entry-into-force")
    assert entry.inner_text() == "1 November 2010"
    assert entry.locator("time").get_attribute("datetime") == "2010-11-01"

    today = dt.date.today()
    expected = rules.next_annual_report_due(dt.date(2010, 11, 1), today)
    reports = page.get_by_test_id("reports")
    assert reports.locator(f'time[datetime="{expected.isoformat()}"]').count() == 1
    assert "30 April" in reports.inner_text()


def test_as_of_date_picker_recomputes_the_figures(site, page):
    page.goto(site + "/")
    # The date picker sits behind the "as of" chip's change link, under the menu.
    page.get_by_test_id("as-of-change").click()
    page.get_by_label("As of").fill("2018-11-12")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**as_of=2018-11-12**")
    assert page.get_by_test_id("figure-states-parties").inner_text().split()[0] == "104"
    assert page.get_by_test_id("figure-signatories").inner_text().split()[0] == "16"
    assert "Figures as of 12 November 2018" in page.content()
