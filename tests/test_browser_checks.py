"""The checks of tests/test_browser_pages.py, checked: each finds what it is for, on a page
made to show it, and nothing on the look-alikes that are no defect (an input inside its
label, an input group's shared border, a bar pinned over the content, a hidden input, a
wide table that scrolls in its own box). The crawl, on a made-up site."""

from __future__ import annotations

import pytest
from browser import axe_source, axe_violations, collect_console_errors, overlapping_controls, page_width
from pagetools import Answer, crawl

ORIGIN = "http://site.test"


def test_the_crawl_finds_broken_links_and_links_to_sign_in_and_says_where_they_are():
    site = {
        "/": Answer(
            200,
            content_type="text/html; charset=utf-8",
            text='<a href="/states/">States</a> <a href="/matches/1/">Match</a> <a href="https://elsewhere.test/">x</a>'
            '<a href="/static/site.css">css</a> <a href="/states/#top">top</a> <a href="mailto:isu@site.test">mail</a>',
        ),
        "/states/": Answer(
            200, content_type="text/html", text='<a href="gone/">Gone</a> <a href="/old/">Old</a> <a href="/">Home</a>'
        ),
        "/matches/1/": Answer(302, location="/accounts/login/?next=/matches/1/"),
        "/states/gone/": Answer(404, content_type="text/html"),
        "/old/": Answer(301, location="/new.csv"),
        "/new.csv": Answer(200, content_type="text/csv"),
    }
    asked = []

    def fetch(path):
        asked.append(path)
        return site[path]

    found = crawl(fetch, ORIGIN, {"/": "(the start)"}, skip=("/static/",))

    assert found["broken"] == [{"url": "/states/gone/", "status": 404, "linked_from": ["/states/"]}]
    assert found["to_sign_in"] == [
        {"url": "/matches/1/", "location": ORIGIN + "/accounts/login/?next=/matches/1/", "linked_from": ["/"]}
    ]
    assert sorted(asked) == sorted(site)  # each once; neither another site, nor /static/, nor mail
    assert found["not_checked"] == [] and found["failed"] == []


def test_the_crawl_reaches_every_page_before_the_variants_of_one():
    listing = "".join(f'<a href="/states/?page={n}">{n}</a>' for n in range(50))
    site = {"/": Answer(200, content_type="text/html", text=listing + '<a href="/deadlines/">Deadlines</a>')}
    site |= {f"/states/?page={n}": Answer(200, content_type="text/html", text=listing) for n in range(50)}
    site["/deadlines/"] = Answer(200, content_type="text/html")

    found = crawl(site.__getitem__, ORIGIN, {"/": "(the start)"}, limit=5)

    assert list(found["checked"]) == ["/", "/states/?page=0", "/deadlines/", "/states/?page=1", "/states/?page=2"]
    assert len(found["not_checked"]) == 47


def test_an_address_that_does_not_answer_is_broken_and_the_crawl_goes_on():
    def fetch(path):
        if path == "/reset/":
            raise ConnectionResetError("connection reset")
        return Answer(200, content_type="text/html", text='<a href="/reset/">a</a><a href="/fine/">b</a>')

    found = crawl(fetch, ORIGIN, {"/": "(the start)"})

    assert [f["url"] for f in found["failed"]] == ["/reset/"]
    assert "/fine/" in found["checked"]


@pytest.mark.browser
def test_the_overlap_check_finds_piled_up_choices_and_no_look_alike(page):
    page.set_content(
        """<!doctype html><html lang="en"><body style="margin:0">
        <div style="position:relative;height:60px">
          <label for="a" style="position:absolute;top:0;left:0">Pillars</label>
          <label for="b" style="position:absolute;top:4px;left:10px">Modalities</label>
        </div>
        <label>Inside <input name="inside"></label>
        <div style="display:flex"><input name="amount"><button style="margin-left:-1px">USD</button></div>
        <input type="hidden" name="secret">
        <input name="gone" style="display:none">
        <div style="position:relative"><label for="c">Visible</label>
          <input id="c" type="radio" style="position:absolute;top:0;left:0;clip:rect(0,0,0,0)"></div>
        <div style="height:2000px"><label for="d">Under the bar</label><input id="d"></div>
        <div style="position:sticky;bottom:0;background:white"><button>Save</button></div>
        </body></html>"""
    )
    pairs = [(o["first"], o["second"]) for o in overlapping_controls(page)]
    assert pairs == [('label[for="a"] "Pillars"', 'label[for="b"] "Modalities"')]


@pytest.mark.browser
def test_the_width_check_finds_a_page_wider_than_the_window_but_not_a_table_that_scrolls_in_its_box(page):
    page.set_viewport_size({"width": 390, "height": 844})
    wide = '<table><tr><td style="min-width:900px">x</td></tr></table>'
    page.set_content(f'<!doctype html><body><div style="overflow-x:auto">{wide}</div>')
    width = page_width(page)
    assert width["scroll_width"] <= width["inner_width"] == 390
    page.set_content(f"<!doctype html><body>{wide}")
    width = page_width(page)
    assert width["scroll_width"] > 390 and width["sticking_out"][0].startswith("table (right edge at 9")


@pytest.mark.browser
def test_axe_runs_under_the_content_security_policy_and_names_the_element(page):
    """The menu's links were #92befe on #0d6efd (2.36:1): a serious colour-contrast violation."""
    page.route(
        ORIGIN + "/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "default-src 'self'; script-src 'self'"},
            body='<!doctype html><html lang="en"><head><title>t</title><link rel="stylesheet" href="/s.css"></head>'
            '<body><main><h1>Title</h1><nav><a class="menu" href="/states/">States</a></nav></main></body></html>',
        ),
    )
    page.route(
        ORIGIN + "/s.css",
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/css"}, body=".menu{color:#92befe;background:#0d6efd}"
        ),
    )
    page.goto(ORIGIN + "/")
    violations = axe_violations(page, axe_source())
    assert [(v["rule"], v["impact"], v["targets"]) for v in violations] == [("color-contrast", "serious", ["a"])]


@pytest.mark.browser
def test_the_console_check_catches_a_blocked_inline_style_and_a_failed_load(page):
    errors = collect_console_errors(page)
    page.route(
        ORIGIN + "/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "style-src 'self'"},
            body='<!doctype html><html lang="en"><head><style>p{color:red}</style></head>'
            '<body><img src="/missing.png" alt=""></body></html>',
        ),
    )
    page.route(ORIGIN + "/missing.png", lambda route: route.fulfill(status=404, body=""))
    page.goto(ORIGIN + "/", wait_until="networkidle")
    assert any("Content Security Policy" in e for e in errors), errors
    assert any("404" in e and "/missing.png" in e for e in errors), errors
