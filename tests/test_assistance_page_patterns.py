"""The assistance pages share one set of page patterns (DESIGN.md): each starts with the page
header (one title), lists go through the data table, an empty list says why and what to do, and
a fictional record carries the one sample tag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from people import ROLE_NAMES
from test_authorization_matrix import OK, PAGES, world  # noqa: F401  (the matrix's records, as a fixture)

from article6.assistance.models import Commitment, Need, Offer

TEMPLATES = Path(__file__).resolve().parent.parent / "article6" / "templates" / "assistance"
# The history of a need, offer or commitment is the States' history page (states/history.html).
OTHER_TEMPLATES = {"assistance:history"}
ASSISTANCE_PAGES = sorted(
    name
    for name, entry in PAGES.items()
    if name.startswith("assistance:") and entry.method == "get" and name not in OTHER_TEMPLATES
)


def who_opens(entry) -> str | None:
    """The visitor where a visitor may open the page; otherwise the first sample role that may."""
    if entry.expected.get("anonymous") == OK:
        return "anonymous"
    return next((role for role in ROLE_NAMES if entry.expected.get(role) == OK), None)


@pytest.mark.parametrize("name", ASSISTANCE_PAGES)
def test_every_assistance_page_starts_with_the_one_page_header(client, world, name):  # noqa: F811
    entry = PAGES[name]
    role = who_opens(entry)
    if role is None:
        pytest.skip("no role opens it")
    if world["people"][role] is not None:
        client.force_login(world["people"][role])
    response = client.get(entry.url(world))
    assert response.status_code == 200, (name, role)
    if not response["Content-Type"].startswith("text/html"):
        return  # a download (CSV, Excel, IATI XML, a document)
    page = response.content.decode()
    assert page.count('data-testid="page-header"') == 1, name
    assert page.count("<h1") == 1, name


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_assistance_template_writes_its_own_title_or_sample_badge(path):
    source = path.read_text(encoding="utf-8")
    assert "<h1" not in source  # the title is the page header's
    assert "status-tone-sample" not in source  # the sample tag is includes/sample_tag.html
    assert not re.search(r'class="badge text-bg-(success|danger|secondary|warning)', source)  # status_badge.html


@pytest.mark.parametrize(
    "url, params, title",
    [
        ("assistance:needs", {"state": "FJI"}, "No need matches these filters."),
        ("assistance:offers", {"year": "2040"}, "No offer matches these filters."),
        ("assistance:commitments", {"source": "zzzz"}, "No commitment matches these filters."),
        ("assistance:funding", {"state": "FJI"}, "No need or commitment is recorded for these filters."),
    ],
)
def test_an_empty_filtered_list_says_why_and_how_to_see_everything(client, world, url, params, title):  # noqa: F811
    assert 'data-testid="empty-state"' not in client.get(reverse(url)).content.decode()  # there is something to list
    page = client.get(reverse(url), params).content.decode()
    empty = re.search(r'<div class="a6-empty" role="status" data-testid="empty-state">(.*?)</div>', page, re.S)
    assert empty, url
    assert title in empty.group(1)
    assert f'href="{reverse(url)}"' in empty.group(1)  # clear the filters


@pytest.mark.parametrize(
    "url, title, next_url",
    [
        ("assistance:needs", "No unmet need is recorded.", "?status="),
        ("assistance:offers", "No offer is published yet.", "/offers/new/"),
        ("assistance:commitments", "No commitment is recorded yet.", "/commitments/new/"),
    ],
)
def test_an_empty_list_says_nothing_is_recorded_and_what_to_do(client, people, url, title, next_url):
    client.force_login(people["isu"])
    page = client.get(reverse(url)).content.decode()
    empty = re.search(r'data-testid="empty-state">(.*?)</div>', page, re.S).group(1)
    assert title in empty and f'href="{next_url}"' in empty


def test_a_list_counts_its_rows_and_tags_a_fictional_record(client, world):  # noqa: F811
    for model in (Need, Offer, Commitment):
        model.objects.update(is_sample=True)
    lists = (("assistance:needs", {"status": ""}), ("assistance:offers", {}), ("assistance:commitments", {}))
    for url, params in lists:
        page = client.get(reverse(url), params).content.decode()
        count = re.search(r'data-testid="row-count">(\d+) ', page)
        assert count and int(count.group(1)) > 0, url
        assert 'data-testid="sample-tag"' in page, url
    page = client.get(world["commitment"].get_absolute_url()).content.decode()
    assert 'data-testid="sample-tag"' in page
