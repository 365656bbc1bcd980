"""In a real browser, the whole trust chain: ISU staff sign in with their second
factor and invite a focal point; the focal point joins, signs in and changes their
State's contact institution; ISU validates it; the public page shows it; the history
says who did what."""

import re

import pytest
from django.core import mail
from people import PASSWORD, person

from article6.accounts.models import RoleKind
from article6.accounts.totp import activate_totp, current_code
from article6.states.reference import load_reference

pytestmark = pytest.mark.browser

INSTITUTION = "National Regulatory Authority for UXO/Mine Action Sector"


@pytest.fixture
def site(live_server, transactional_db):
    import datetime as dt

    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def sign_in(page, site, email, password):
    page.goto(site + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('main form button[type="submit"]').first.click()


def test_invite_edit_validate_publish_and_trace(site, browser):
    isu = person("isu.staff@example.org", {"kind": RoleKind.ISU_STAFF})
    secret = activate_totp(isu)

    isu_context = browser.new_context(locale="en-GB")
    isu_page = isu_context.new_page()
    isu_page.set_default_timeout(15_000)
    sign_in(isu_page, site, "isu.staff@example.org", PASSWORD)
    isu_page.wait_for_url("**/accounts/2fa/authenticate/")
    isu_page.locator('input[name="code"]').fill(current_code(secret))
    isu_page.locator('main form button[type="submit"]').first.click()
    isu_page.wait_for_url(site + "/")

    isu_page.goto(site + "/accounts/invitations/")
    isu_page.get_by_role("textbox", name="E-mail address").fill("focal.point@example.org")
    isu_page.get_by_role("combobox", name="Role").select_option(label="State focal point")
    isu_page.get_by_role("combobox", name="State", exact=True).select_option(label="Lao People's Democratic Republic")
    isu_page.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to focal.point@example.org" in isu_page.get_by_test_id("messages").inner_text()

    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    focal_context = browser.new_context(locale="en-GB")
    focal = focal_context.new_page()
    focal.set_default_timeout(15_000)
    focal.goto(link)
    focal.locator('input[name="password1"]').fill("a very good password 2026")
    focal.locator('input[name="password2"]').fill("a very good password 2026")
    focal.get_by_role("button", name="Create my account").click()
    focal.wait_for_url("**/accounts/me/")
    assert "State focal point (Lao People's Democratic Republic)" in focal.get_by_test_id("roles").inner_text()

    # Sign out and in again, as on any later day.
    focal_context.clear_cookies()
    sign_in(focal, site, "focal.point@example.org", "a very good password 2026")
    focal.wait_for_url(site + "/")
    focal.goto(site + "/accounts/me/")
    focal.get_by_role("link", name="edit the profile").click()
    focal.get_by_role("textbox", name="Contact institution").fill(INSTITUTION)
    focal.get_by_role("textbox", name="E-mail").fill("nra@example.org")
    focal.get_by_role("button", name="Send for validation").click()
    focal.wait_for_url("**/states/LAO/")
    assert "awaits ISU validation" in focal.get_by_test_id("pending-notice").inner_text()

    # The public does not see it yet.
    visitor = browser.new_context(locale="en-GB").new_page()
    visitor.goto(site + "/states/LAO/")
    assert INSTITUTION not in visitor.content()

    isu_page.goto(site + "/isu/declarations/")
    row = isu_page.get_by_test_id("declaration").filter(has_text=INSTITUTION)
    row.get_by_role("button", name="Validate").click()
    assert isu_page.get_by_test_id("decision").inner_text() == "validated"  # the row, swapped in by htmx

    visitor.goto(site + "/states/LAO/")
    assert visitor.get_by_test_id("contact-institution").inner_text() == INSTITUTION

    focal.goto(site + "/states/LAO/history/")
    history = focal.get_by_test_id("history").inner_text()
    entries = [line for line in history.splitlines() if "·" in line]
    assert "isu.staff@example.org · changed · State declaration" in entries[0]
    assert "focal.point@example.org · created · State declaration" in entries[1]
    assert INSTITUTION in history
    for context in (isu_context, focal_context, visitor.context):
        context.close()
