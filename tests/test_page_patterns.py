"""One set of page patterns on the States, treaty, work-queue and reporting pages: each page
opens with the one page header (and so with exactly one <h1>), a sample record carries the one
sample tag, and a list with nothing in it says so, and why, through the one empty state."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from pagetools import element, html, text
from people import ROLE_NAMES
from signin import force_login_with_second_factor
from test_authorization_matrix import OK, PAGES, build_world, url_patterns

import article6

# The apps whose pages follow the patterns here (the PDF of a report is a document, not a page).
NAMESPACES = ("states", "treaty", "work", "reporting")
TEMPLATES = Path(article6.__file__).parent / "templates"
NOT_PAGES = {"reporting/report_pdf.html"}
# A file, not a page: its address ends in a file name or a format.
DOWNLOAD_ROUTE = re.compile(r"\.(\w+|<str:\w+>)$")


def who_opens(entry) -> str | None:
    """The visitor for a public page; otherwise ISU, or the first role that may open it."""
    if entry.method != "get":
        return None
    for role in ("anonymous", "isu", *ROLE_NAMES):
        if entry.expected.get(role) == OK:
            return role
    return None


def our_pages() -> dict[str, str]:
    """Matrix page name → the role that opens it, for the pages of these apps that answer 200 to someone."""
    routes = dict(url_patterns())
    pages = {}
    for name, entry in sorted(PAGES.items()):
        role = who_opens(entry)
        if name.split(":")[0] in NAMESPACES and role and not DOWNLOAD_ROUTE.search(routes.get(name, "")):
            pages[name] = role
    return pages


OUR_PAGES = our_pages()


def test_the_pages_of_these_apps_are_checked():
    assert {"states:home", "states:list", "states:detail", "treaty:deadlines", "work:queue"} <= set(OUR_PAGES)
    assert {"reporting:transparency", "reporting:state_reports", "reporting:report", "reporting:edit"} <= set(OUR_PAGES)
    assert len(OUR_PAGES) >= 20, sorted(OUR_PAGES)


@pytest.fixture
def world(reference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


@pytest.mark.parametrize("name", sorted(OUR_PAGES))
def test_every_page_opens_with_the_one_page_header(client, world, name):
    role = OUR_PAGES[name]
    if role != "anonymous":
        force_login_with_second_factor(client, world["people"][role])
    page = html(client.get(PAGES[name].url(world)))
    assert page.count('data-testid="page-header"') == 1, f"{name} as {role}"
    assert page.count("<h1") == 1, f"{name} as {role}"


def page_templates() -> list[Path]:
    return sorted(
        path
        for namespace in NAMESPACES
        for path in (TEMPLATES / namespace).glob("**/*.html")
        if path.relative_to(TEMPLATES).as_posix() not in NOT_PAGES and "email" not in path.parts
    )


def test_no_template_of_these_apps_writes_its_own_title_or_sample_badge():
    templates = page_templates()
    assert len(templates) > 30
    own_titles = [str(p.relative_to(TEMPLATES)) for p in templates if "<h1" in p.read_text()]
    warning_badges = [str(p.relative_to(TEMPLATES)) for p in templates if 'text-bg-warning">' in p.read_text()]
    hand_written_samples = [
        str(p.relative_to(TEMPLATES))
        for p in templates
        if re.search(r'<span class="badge[^"]*">\s*\{% translate "sample" %\}', p.read_text())
    ]
    assert own_titles == [] and warning_badges == [] and hand_written_samples == []


def test_a_search_that_matches_no_state_says_so_and_offers_to_clear_it(client, reference):
    page = html(client.get(reverse("states:list"), {"q": "zzzz"}))
    empty = element(page, "empty-state")
    assert "No State matches these filters." in text(empty)
    assert 'href="/states/"' in empty and "Clear the filters to see every State." in text(empty)
    assert 'data-testid="states"' not in page


def test_deadlines_that_match_no_filter_say_so_and_offer_to_clear_them(client, reference):
    # Norway has no deadline of any kind in these two months.
    page = html(client.get(reverse("treaty:deadlines"), {"from": "2026-12-02", "to": "2027-01-31", "state": "NOR"}))
    empty = element(page, "empty-state")
    assert "No deadline in this period with these filters." in text(empty)
    assert 'href="/deadlines/">Clear the filters</a>' in empty


def test_the_isu_desk_with_no_report_says_both_lists_are_empty(client, people):
    force_login_with_second_factor(client, people["isu"])
    page = html(client.get(reverse("reporting:isu_reports")))
    assert page.count('data-testid="empty-state"') == 2
    assert "Nothing awaits publication." in text(page) and "None yet." in text(page)
    assert 'data-testid="awaiting"' not in page and 'data-testid="past-reports"' not in page


def test_a_sample_organisation_carries_the_one_sample_tag(client, sample):
    page = html(client.get(reverse("states:organisations")))
    tags = re.findall(r'<span class="badge status-tone-sample" data-tone="sample" data-testid="sample-badge"', page)
    assert len(tags) == 3
