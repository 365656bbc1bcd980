"""Headless Chromium for browser tests, driven by Playwright against Debian's
/usr/bin/chromium (never a downloaded browser). Under CI a missing browser is a
failure, not a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ARTICLE6_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        message = f"Chromium is required for browser tests and was not found at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI installs it: apt-get install chromium)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls that
    # tests make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# --- The checks every page must pass (tests/test_browser_pages.py) ----------------------------
# Each returns plain data, so that a failure can name the page, the check and the detail.

AXE_IMPACTS_THAT_FAIL = ("serious", "critical")


def axe_source() -> str:
    """axe-core's source, from the npm packages installed at set-up (package.json)."""
    from django.conf import settings

    path = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail(f"axe-core is not installed ({path}): run `make install`")
    return path.read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[dict]:
    """axe-core's violations on the page as shown: rule, impact, what it asks and the target
    of each element. The source is evaluated in the page rather than added as a script
    element, so that the site's Content Security Policy (no inline script) stays in force.
    The API's documentation page is Swagger UI, drawn by the library in `#swagger-ui`: its
    own markup (nested controls, its colours) is the library's and is left out; the rest of
    that page is checked like any other."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    return page.evaluate(
        """async () => {
            const result = await window.axe.run({exclude: [["#swagger-ui"]]}, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                rule: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )


# The first elements that stick out of the window (outside any box that scrolls or clips on
# its own) and whose parent does not.
_STICKING_OUT = """() => {
    const inner = window.innerWidth;
    const clips = (el) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
    const positioned = (el) => ["absolute", "fixed"].includes(getComputedStyle(el).position);
    // Inside a box that scrolls on its own, unless positioned out of it (its containing block lies outside).
    const clipped = (el) => {
        for (let e = el; e && e !== document.body; e = e.parentElement) {
            if (e !== el && clips(e)) return true;
            if (positioned(e)) return false;
        }
        return false;
    };
    const out = (el) => el !== document.body && el.getBoundingClientRect().right > inner + 1 && !clipped(el);
    const found = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (!out(el) || out(el.parentElement)) continue;
        const classes = [...el.classList].slice(0, 3).map((c) => "." + c).join("");
        const right = Math.round(el.getBoundingClientRect().right);
        found.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes} (right edge at ${right} px)`);
        if (found.length === 5) break;
    }
    return found;
}"""


def page_width(page) -> dict:
    """How wide the document is against the viewport (a page wider than the window makes the
    reader scroll sideways) and, if it is wider, what sticks out."""
    width = page.evaluate(
        "() => ({scroll_width: document.documentElement.scrollWidth, inner_width: window.innerWidth})"
    )
    width["sticking_out"] = page.evaluate(_STICKING_OUT) if width["scroll_width"] > width["inner_width"] else []
    return width


# Visible form controls and labels whose boxes intersect by more than a border's width, but
# for an element and its own ancestor or descendant (an input inside its label), and for an
# element pinned to the window (a sticky bar of buttons) and one that scrolls under it.
_OVERLAPS = """() => {
    const SLACK = 2;  // joined controls (input groups) share a border
    const describe = (el) => {
        let d = el.tagName.toLowerCase();
        if (el.id) d += "#" + el.id;
        const name = el.getAttribute("name");
        if (name) d += `[name="${name}"]`;
        const type = el.getAttribute("type");
        if (type && el.tagName === "INPUT") d += `[type="${type}"]`;
        if (el.htmlFor) d += `[for="${el.htmlFor}"]`;
        const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
        if (text && el.tagName !== "SELECT" && el.tagName !== "TEXTAREA") d += ` "${text}"`;
        return d;
    };
    const shown = (el) => {
        if (el.type === "hidden") return null;
        if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return null;
        const style = getComputedStyle(el);
        if (style.clip.startsWith("rect(0") || style.clipPath.includes("inset(50%")) return null;
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) return null;  // visually hidden
        return r;
    };
    const pinnedTo = (el) => {
        for (let e = el; e; e = e.parentElement) {
            const position = getComputedStyle(e).position;
            if (position === "fixed" || position === "sticky") return e;
        }
        return null;
    };
    const items = [];
    for (const el of document.querySelectorAll("label, input, select, textarea, button, legend")) {
        const r = shown(el);
        if (r) items.push([el, r, pinnedTo(el)]);
    }
    const overlaps = [];
    for (let i = 0; i < items.length; i++) {
        const [a, ra, pa] = items[i];
        for (let j = i + 1; j < items.length; j++) {
            const [b, rb, pb] = items[j];
            if (a.contains(b) || b.contains(a) || pa !== pb) continue;
            const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
            const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
            if (w > SLACK && h > SLACK) {
                overlaps.push({first: describe(a), second: describe(b), width: Math.round(w), height: Math.round(h)});
            }
        }
    }
    return overlaps;
}"""


def overlapping_controls(page) -> list[dict]:
    return page.evaluate(_OVERLAPS)


def collect_console_errors(page) -> list[str]:
    """A list that fills with the page's console errors (Content Security Policy violations
    and failed loads included) and uncaught exceptions, from now on."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url") or ""
            errors.append(f"{message.text} ({where})" if where and where not in message.text else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def signed_in_context(
    browser, site: str, email: str, password: str, secret: str | None = None, viewport: dict | None = None
):
    """A browser context signed in through the site's own sign-in: the password, then the code
    of the authenticator app when the account has one."""
    from article6.accounts.totp import current_code

    context = browser.new_context(locale="en-GB", viewport=viewport or {"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(site + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('main form button[type="submit"]').first.click()
    if secret:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.locator('input[name="code"]').fill(current_code(secret))
        page.locator('main form button[type="submit"]').first.click()
    page.wait_for_url(site + "/")
    return context, page
