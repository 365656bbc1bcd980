"""In Chromium, every page of the authorization matrix that answers 200, once each: the public
pages as a visitor, the others as the role with the most access that may open them (ISU,
signed in with its second factor). On each page:

* axe-core finds no violation of impact serious or critical;
* at 1366×900 and at 390×844, the page is no wider than the window and no two visible form
  controls or labels overlap;
* the console shows no error (a Content Security Policy violation or a failed load included).

And a crawl of the public site as a visitor, from the home page, finds no broken internal link
and no link that sends the visitor to sign in.

The data (the reference data, the sample and one record of every kind the matrix opens) is
loaded once for the module, on a live server of its own, and removed at the end. Each page is
opened once, and every check reads what that visit found, so that a failure names the page and
the check. With ARTICLE6_BROWSER_CHECK_RESULTS naming a file, the raw results are written there
as JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

import pytest
from browser import (
    AXE_IMPACTS_THAT_FAIL,
    axe_source,
    axe_violations,
    collect_console_errors,
    overlapping_controls,
    page_width,
    signed_in_context,
)
from pagetools import Answer, crawl
from people import PASSWORD, ROLE_NAMES
from signin import totp_secret
from test_authorization_matrix import OK, PAGES, build_world, url_patterns

# One worker runs the whole module (the suite runs with --dist loadgroup), so that its data
# is loaded once. The data is the module's (see site_checks): each test only reads it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("browser_pages")]

VIEWPORTS = {"1366x900": {"width": 1366, "height": 900}, "390x844": {"width": 390, "height": 844}}
# Downloads (a file, not a page): their address ends in a file name or a format.
DOWNLOAD_ROUTE = re.compile(r"\.(\w+|<str:\w+>)$")
# Downloads whose address does not say so: an evidence document, the back office's scripts and lookups,
# the health checks' JSON.
DOWNLOADS = {"assistance:evidence", "ops:job_file", "admin:jsi18n", "admin:autocomplete", "healthz", "readyz"}
CRAWL_LIMIT = 400
# Where the crawl starts: the home page, and what every browser asks of a site unbidden.
CRAWL_START = {"/": "(the start)", "/favicon.ico": "(every browser asks for it)"}
CRAWL_SKIP = ("/static/", "/media/")
SIGN_IN = "/accounts/login/"


def who_opens(entry) -> str | None:
    """The visitor for a public page; otherwise ISU, or the first role that may open it."""
    if entry.method != "get":
        return None
    if entry.expected.get("anonymous") == OK:
        return "anonymous"
    if entry.expected.get("isu") == OK:
        return "isu"
    return next((role for role in ROLE_NAMES if entry.expected.get(role) == OK), None)


def pages_to_check() -> dict[str, str]:
    """Matrix page name → the role that opens it, for every page that answers 200 to someone."""
    routes = dict(url_patterns())
    pages = {}
    for name, entry in sorted(PAGES.items()):
        role = who_opens(entry)
        if role is None or name in DOWNLOADS or DOWNLOAD_ROUTE.search(routes.get(name, "")):
            continue
        pages[name] = role
    return pages


PAGES_TO_CHECK = pages_to_check()
LAYOUTS = [(name, size) for name in PAGES_TO_CHECK for size in VIEWPORTS]


class SiteChecks:
    """One browser context per role (signed in once), one page each, reused; every page's
    findings kept, so that it is opened once whatever the number of checks that read them."""

    def __init__(self, browser, site: str, world: dict):
        """Signs in every role the pages need and works out every page's address (which may
        make the record it opens) now, before any test: the tests write nothing."""
        self.browser = browser
        self.site = site
        self.axe = axe_source()
        self.sessions: dict[str, tuple] = {}
        for role in ["anonymous", *sorted(set(PAGES_TO_CHECK.values()) - {"anonymous"})]:
            if role == "anonymous":
                context = self.browser.new_context(locale="en-GB", viewport=VIEWPORTS["1366x900"])
                page = context.new_page()
                page.set_default_timeout(15_000)
            else:
                user = world["people"][role]
                secret = totp_secret(user) if user.authenticator_set.exists() else None
                context, page = signed_in_context(self.browser, self.site, user.email, PASSWORD, secret)
            self.sessions[role] = (context, page, collect_console_errors(page))
        self.urls = {name: PAGES[name].url(world) for name in PAGES_TO_CHECK}
        self.results: dict[str, dict] = {}
        self.crawl: dict | None = None

    def check(self, name: str) -> dict:
        if name not in self.results:
            started = time.monotonic()
            self.results[name] = self._visit(name)
            self.results[name]["seconds"] = round(time.monotonic() - started, 2)
        return self.results[name]

    def _visit(self, name: str) -> dict:
        role = PAGES_TO_CHECK[name]
        path = self.urls[name]
        context, page, errors = self.sessions[role]
        result = {"page": name, "url": path, "role": role}
        answer = context.request.get(self.site + path, max_redirects=0)
        result["status"] = answer.status
        result["content_type"] = answer.headers.get("content-type", "")
        if answer.status != 200 or not result["content_type"].startswith("text/html"):
            result["location"] = answer.headers.get("location", "")
            return result
        result["layout"], result["console"] = {}, []
        for size, viewport in VIEWPORTS.items():
            errors.clear()
            page.set_viewport_size(viewport)
            response = page.goto(self.site + path, wait_until="networkidle")
            result["status"] = response.status
            if size == "1366x900":
                result["axe"] = axe_violations(page, self.axe)
            result["layout"][size] = {**page_width(page), "overlaps": overlapping_controls(page)}
            result["console"] += [error for error in errors if error not in result["console"]]
        return result

    def crawled(self) -> dict:
        """The public site as a visitor sees it (see pagetools.crawl)."""
        if self.crawl is None:
            request = self.sessions["anonymous"][0].request

            def fetch(path: str) -> Answer:
                answer = request.get(self.site + path, max_redirects=0)
                kind = answer.headers.get("content-type", "")
                return Answer(
                    answer.status,
                    answer.headers.get("location", ""),
                    kind,
                    answer.text() if kind.startswith("text/html") else "",
                )

            started = time.monotonic()
            self.crawl = crawl(fetch, self.site, CRAWL_START, CRAWL_LIMIT, CRAWL_SKIP, SIGN_IN)
            self.crawl["seconds"] = round(time.monotonic() - started, 2)
        return self.crawl

    def close(self):
        for context, _page, _errors in self.sessions.values():
            context.close()


@pytest.fixture(scope="module")
def site_checks(browser, django_db_setup, django_db_blocker, tmp_path_factory):
    """A live server of the module's own on the module's data; the data removed at the end,
    as a transactional test leaves the database."""
    from django.core.management import call_command
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    from article6.states.reference import load_reference
    from article6.states.sample import load_sample

    with django_db_blocker.unblock():
        overrides = override_settings(
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        )
        overrides.enable()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        checks = None
        try:
            load_reference(today=dt.date(2026, 11, 22))
            load_sample()
            checks = SiteChecks(browser, server.url, build_world())
            yield checks
        finally:
            if checks is not None:
                checks.close()
                save_results(checks)
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=False)
            overrides.disable()


def save_results(checks: SiteChecks) -> None:
    target = os.environ.get("ARTICLE6_BROWSER_CHECK_RESULTS")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        results = {"pages": checks.results, "crawl": checks.crawl}
        Path(target).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


def opened(checks: SiteChecks, name: str) -> dict:
    """The page's findings; the page must answer 200 with HTML to the role that opens it."""
    result = checks.check(name)
    where = f"{result['url']} as {result['role']}"
    assert result["status"] == 200, f"{where} answered {result['status']} {result.get('location', '')}"
    assert "layout" in result, f"{where} is not a page ({result['content_type']}): list it among the DOWNLOADS"
    return result


def fail_with(heading: str, lines: list[str], most: int = 20) -> None:
    more = [f"  … and {len(lines) - most} more"] if len(lines) > most else []
    pytest.fail("\n".join([heading, *(f"  {line}" for line in lines[:most]), *more]), pytrace=False)


def targets(violation: dict, most: int = 8) -> str:
    shown = ", ".join(violation["targets"][:most])
    rest = len(violation["targets"]) - most
    return shown + (f" and {rest} more" if rest > 0 else "")


@pytest.mark.parametrize("name", PAGES_TO_CHECK)
def test_axe_finds_no_serious_violation(site_checks, name):
    result = opened(site_checks, name)
    serious = [v for v in result["axe"] if v["impact"] in AXE_IMPACTS_THAT_FAIL]
    if serious:
        fail_with(
            f"{result['url']} as {result['role']}: {len(serious)} serious or critical violations",
            [f"{v['rule']} ({v['impact']}): {v['help']}: {targets(v)}" for v in serious],
        )


@pytest.mark.parametrize(("name", "size"), LAYOUTS)
def test_page_is_no_wider_than_the_window(site_checks, name, size):
    result = opened(site_checks, name)
    layout = result["layout"][size]
    if layout["scroll_width"] > layout["inner_width"]:
        fail_with(
            f"{result['url']} as {result['role']} at {size} is {layout['scroll_width']} px wide; sticking out:",
            layout["sticking_out"],
        )


@pytest.mark.parametrize(("name", "size"), LAYOUTS)
def test_no_form_controls_overlap(site_checks, name, size):
    result = opened(site_checks, name)
    overlaps = result["layout"][size]["overlaps"]
    if overlaps:
        fail_with(
            f"{result['url']} as {result['role']} at {size}: {len(overlaps)} overlapping pairs",
            [f"{o['first']} and {o['second']} ({o['width']}×{o['height']} px)" for o in overlaps],
        )


@pytest.mark.parametrize("name", PAGES_TO_CHECK)
def test_console_shows_no_error(site_checks, name):
    result = opened(site_checks, name)
    if result["console"]:
        fail_with(f"{result['url']} as {result['role']}: console errors", result["console"])


def test_no_broken_internal_link_on_the_public_site(site_checks):
    crawl = site_checks.crawled()
    problems = [f"{b['url']} answers {b['status']}, linked from {', '.join(b['linked_from'])}" for b in crawl["broken"]]
    problems += [f"{f['url']} failed: {f['error']}, linked from {', '.join(f['linked_from'])}" for f in crawl["failed"]]
    if problems:
        fail_with(f"{len(problems)} broken links among the {len(crawl['checked'])} addresses crawled", problems, 50)


def test_no_link_sends_a_visitor_to_sign_in(site_checks):
    crawl = site_checks.crawled()
    if crawl["to_sign_in"]:
        fail_with(
            f"{len(crawl['to_sign_in'])} links send a visitor to sign in",
            [f"{s['url']}, linked from {', '.join(s['linked_from'])}" for s in crawl["to_sign_in"]],
            50,
        )
