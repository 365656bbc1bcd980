"""In a real browser, the chain of Article 6: a State's focal point files a need; a
coordinator proposes a match with an offer; the donor accepts; the commitment is
recorded; the need shows as partly covered and appears in the gap view and on the
public Funding page."""

import datetime as dt

import pytest
from browser import signed_in_context
from people import PASSWORD, person

from article6.accounts.models import RoleKind
from article6.accounts.totp import activate_totp
from article6.assistance.models import Match, Need, Offer
from article6.states.models import State
from article6.states.reference import load_reference

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def signed_in(browser, site, email, secret=None):
    _context, page = signed_in_context(browser, site, email, PASSWORD, secret, viewport={"width": 1280, "height": 1000})
    return page


def test_need_match_accept_commit_and_the_gap(site, browser):
    lao, nor = State.objects.get(iso3="LAO"), State.objects.get(iso3="NOR")
    person("lao.fp@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": lao})
    donor = person("nor.fp@example.org", {"kind": RoleKind.PARTNER_FOCAL_POINT, "state": nor})
    coordinator = person("coord@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"})
    secret = activate_totp(coordinator)
    offer = Offer.objects.create(
        provider_state=nor,
        title="Clearance funding for Asia",
        description="Funding for survey and clearance in Asia.",
        pillars=["clearance"],
        modalities=["financial"],
        kinds=["funding"],
        regions=["Asia"],
        amount_per_year=500000,
        currency="USD",
        start_year=2026,
        end_year=2028,
        created_by=donor,
    )

    # The focal point files a need.
    focal = signed_in(browser, site, "lao.fp@example.org")
    focal.goto(site + "/needs/new/")
    focal.get_by_role("combobox", name="State").select_option(label="Lao People's Democratic Republic")
    focal.get_by_role("textbox", name="Title").fill("Clearance of Xieng Khouang hazardous areas")
    focal.get_by_role("textbox", name="What is needed").fill("Survey and clearance of confirmed hazardous areas.")
    focal.get_by_role("combobox", name="Pillar").select_option(label="clearance")
    focal.get_by_role("combobox", name="Modality").select_option(label="financial")
    focal.get_by_role("textbox", name="Amount needed").fill("100,000")
    focal.get_by_role("combobox", name="Currency", exact=True).select_option("USD")
    focal.get_by_role("spinbutton", name="From year").fill("2026")
    focal.get_by_role("spinbutton", name="To year").fill("2026")
    focal.get_by_role("button", name="Save").click()
    focal.wait_for_url("**/needs/*/")
    assert focal.get_by_test_id("need-status").inner_text() == "open"
    need = Need.objects.get()

    # The coordinator sees the offer suggested, with its reasons, and proposes the match.
    coord = signed_in(browser, site, "coord@example.org", secret)
    coord.goto(site + f"/needs/{need.pk}/suggestions/")
    row = coord.get_by_test_id("suggestion").filter(has_text="Clearance funding for Asia")
    assert "clearance" in row.inner_text().lower()
    row.get_by_role("button", name="Propose").click()
    # The row comes back from the server once the match is saved (no fixed wait: a busy
    # machine takes longer than any).
    coord.get_by_test_id("match-state").filter(has_text="Proposed").wait_for()
    match = Match.objects.get(need=need, offer=offer)

    # The donor and the State accept.
    donor_page = signed_in(browser, site, "nor.fp@example.org")
    donor_page.goto(site + f"/matches/{match.pk}/")
    donor_page.get_by_role("button", name="Accept").click()
    focal.goto(site + f"/matches/{match.pk}/")
    focal.get_by_role("button", name="Accept").click()
    match.refresh_from_db()
    assert match.state == "accepted"

    # The accepted match pre-fills the commitment; the donor records it.
    donor_page.goto(site + f"/matches/{match.pk}/")
    donor_page.get_by_role("link", name="Record the commitment").click()
    assert donor_page.get_by_role("textbox", name="Pillar shares").input_value().startswith("clearance")
    donor_page.get_by_role("textbox", name="Amounts by year").fill("committed 2026 60000")
    donor_page.get_by_role("button", name="Save").click()
    donor_page.wait_for_url("**/commitments/*/")

    focal.goto(site + f"/needs/{need.pk}/")
    assert focal.get_by_test_id("need-status").inner_text() == "partly covered"

    visitor = browser.new_context(locale="en-GB").new_page()
    visitor.goto(site + "/funding/")
    row = visitor.locator('[data-testid="funding-states"] tr[data-state="LAO"]').inner_text()
    assert "100,000" in row and "60,000" in row and "40,000" in row
    visitor.wait_for_selector('[data-chart="chart-by-year"] svg')  # the chart is drawn
