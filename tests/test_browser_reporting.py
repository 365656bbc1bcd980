"""In a real browser, Article 7: the focal point of a new State Party fills in its initial
report online, with the navigator of forms, confirms its submission on a summary and sees
it marked on time; ISU confirms its publication; the public Transparency page counts it."""

import datetime as dt

import pytest
from people import person
from test_browser_assistance import signed_in

from article6.accounts.models import RoleKind
from article6.accounts.totp import activate_totp
from article6.asof import today
from article6.reporting.models import MunitionFigure, Report
from article6.states.models import State
from article6.states.reference import load_reference
from article6.treaty.rules import initial_report_due

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    load_reference(today=dt.date(2026, 11, 22))
    return live_server.url


def new_state_party() -> State:
    """A State outside the Convention in the reference data, made (in the test database
    only) a State Party whose initial report falls due in a few weeks: its entry into
    force was about 100 days ago (Art. 17(2))."""
    state = State.objects.filter(deposit_date__isnull=True).order_by("name").first()
    state.deposit_date = today() - dt.timedelta(days=280)
    state.save()
    return state


def test_focal_point_files_initial_report_isu_publishes_transparency_counts_it(site, browser):
    state = new_state_party()
    due = initial_report_due(state.treaty_dates.entry_into_force)
    assert due > today()
    person("focal@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": state})
    isu = person("isu@example.org", {"kind": RoleKind.ISU_STAFF})
    secret = activate_totp(isu)

    # The focal point starts the initial report from the State's reports page: the report
    # due next is preselected.
    focal = signed_in(browser, site, "focal@example.org")
    focal.goto(f"{site}/states/{state.iso3}/reports/")
    assert focal.get_by_role("combobox", name="Report").input_value() == "initial"
    focal.get_by_test_id("start-report").click()
    focal.wait_for_url("**/reports/*/edit/")

    # Forms A–J: stockpile destruction figures on form B, the rest not applicable.
    for letter in "ACDEFGHIJ":
        focal.locator(f"#form-{letter}").get_by_label("not applicable").check()
    form_b = focal.locator("#form-B")
    form_b.get_by_label("changed", exact=True).check()
    form_b.get_by_label("Information").fill("All stockpiled cluster munitions were destroyed in 2026.")
    form_b.locator('select[name="stockpiles-0-measure"]').select_option(value="destroyed")
    form_b.locator('input[name="stockpiles-0-munition_type"]').fill("BL-755")
    form_b.locator('input[name="stockpiles-0-munitions"]').fill("24")
    form_b.locator('input[name="stockpiles-0-submunitions"]').fill("3528")
    # The draft saves itself as the focal point goes.
    focal.get_by_test_id("autosave").wait_for()
    assert "saved" in focal.get_by_test_id("autosave").inner_text()

    # The navigator lists forms A–J with how far each is filled in.
    assert "Form B" in focal.get_by_test_id("form-navigator").inner_text()

    # "Save and submit" asks for confirmation first, with a summary.
    focal.get_by_test_id("submit-report").click()
    focal.wait_for_url("**/reports/*/submit/")
    assert "BL-755" not in focal.get_by_test_id("submit-totals").inner_text()  # totals, not rows
    assert "3,528" in focal.get_by_test_id("submit-totals").inner_text()
    assert Report.objects.get(state=state).status == "draft"
    focal.get_by_test_id("confirm-submit").click()
    focal.wait_for_url("**/reports/*/")
    assert focal.get_by_test_id("timeliness").inner_text().strip() == "on time"
    assert "submitted" in focal.get_by_test_id("report-status").inner_text()
    report = Report.objects.get(state=state)
    assert report.status == "submitted"
    assert report.submitted_on == today()
    assert MunitionFigure.objects.get(report=report).submunitions == 3528

    # ISU publishes it from its desk.
    desk = signed_in(browser, site, "isu@example.org", secret)
    desk.goto(site + "/isu/reports/")
    desk.get_by_test_id("awaiting").get_by_role("link", name="Publish…").click()
    desk.get_by_test_id("publish-summary").wait_for()
    desk.get_by_test_id("confirm-publish").click()
    desk.wait_for_url("**/isu/reports/")
    report.refresh_from_db()
    assert report.status == "published"

    # The public reads it, and the Transparency page counts it as on time.
    public = browser.new_context(locale="en-GB").new_page()
    public.goto(f"{site}/reports/{report.pk}/")
    assert "BL-755" in public.locator("main").inner_text()
    public.goto(f"{site}/transparency/?as_of={due.isoformat()}")
    assert public.get_by_test_id("initial-on-time").inner_text().split()[0] == "1"
    assert state.name in public.get_by_test_id("published").inner_text()
