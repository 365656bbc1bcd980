"""Helpers for the page tests: reading what a visitor sees, adding States, crawling the site."""

import datetime as dt
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from article6.states.models import State
from article6.treaty.models import Meeting, ObligationFact


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(fragment: str) -> str:
    """What a reader sees: tags out, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def element(page: str, testid: str) -> str:
    """The inside of the element marked data-testid="…" (up to the next element of the same tag closing)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no data-testid={testid}"
    return match.group(2)


def figure(page: str, testid: str) -> int:
    return int(re.search(r'<p class="(?:display-6|a6-figure__value)[^"]*">(\d+)</p>', element(page, testid)).group(1))


def region_row(page: str, region: str) -> list[int]:
    row = re.search(rf'<tr data-region="{region}">(.*?)</tr>', page, re.S).group(1)
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]


def state_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-iso3="(\w+)">', page)


def time_tag(day: str, shown: str) -> str:
    return f'<time datetime="{day}">{shown}</time>'


def add_states(count: int = 50) -> None:
    """`count` extra States (codes in the ranges ISO 3166 leaves to users: never
    real ones), each with obligation facts like the reference ones."""
    meeting = Meeting.objects.get(code="9MSP")
    regions = ["Africa", "Americas", "Asia", "Europe", "Middle East", "Pacific"]
    states = State.objects.bulk_create(
        State(
            name=f"Test State {i:02d}",
            iso3=f"Q{chr(65 + i // 26)}{chr(65 + i % 26)}",
            iso2=f"{i:02d}",
            iso_numeric=900 + i,
            region=regions[i % len(regions)],
            signature_date=dt.date(2008, 12, 3),
            deposit_date=dt.date(2010, 1, 1) + dt.timedelta(days=40 * i) if i % 5 else None,
            instrument_kind="R" if i % 5 else "",
        )
        for i in range(count)
    )
    facts = []
    for i, state in enumerate(states):
        facts.append(ObligationFact(state=state, article=4, kind="contaminated", date=dt.date(2019, 7, 1), source="t"))
        facts.append(
            ObligationFact(
                state=state,
                article=4,
                kind="extension_granted",
                date=dt.date(2019, 9, 4),
                meeting=meeting,
                new_deadline=dt.date(2026, 1, 1) + dt.timedelta(days=30 * i),
                source="t",
            )
        )
        facts.append(
            ObligationFact(state=state, article=3, kind="holds_stockpiles", date=dt.date(2019, 1, 1), source="t")
        )
    ObligationFact.objects.bulk_create(facts)
    # bulk_create sends no post_save: forget the kept clocks as a saved State would.
    from article6.treaty.queries import forget_clocks

    forget_clocks()


@dataclass
class Answer:
    """What a crawl needs of a response: its status, where a redirect leads, and the page."""

    status: int
    location: str = ""
    content_type: str = ""
    text: str = ""


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "area"):
            attrs = dict(attrs)
            href = attrs.get("href") or attrs.get("xlink:href")
            if href:
                self.hrefs.append(href)


def crawl(
    fetch: Callable[[str], Answer],
    origin: str,
    start: dict[str, str],
    limit: int = 400,
    skip: tuple[str, ...] = (),
    sign_in: str = "/accounts/login/",
) -> dict:
    """Follow every same-origin link (`<a href>`, `<area href>`) from the `start` addresses
    (address → why it is visited), up to `limit` addresses, each fetched once without
    following its redirect. Every new page is visited before the variants of a page already
    seen (the same path, filtered, sorted or paged), so that these do not crowd the others
    out. A redirect to sign in is recorded and not followed; another redirect is followed.
    Returns the answers' statuses, the broken addresses (status 400 or more, or no answer),
    those that send to sign in, each with the pages that link to it, and what was left."""
    site = urlsplit(origin)
    pages, variants = deque(start), deque()
    linked_from = {path: [why] for path, why in start.items()}
    seen_paths = {urlsplit(path).path for path in start}
    checked, broken, to_sign_in, failed = {}, [], [], []
    while (pages or variants) and len(checked) < limit:
        path = (pages or variants).popleft()
        try:
            answer = fetch(path)
        except Exception as error:  # a connection reset is a finding, not the end of the crawl
            failed.append({"url": path, "error": str(error), "linked_from": linked_from[path][:5]})
            checked[path] = "failed"
            continue
        checked[path] = answer.status
        base = origin + path
        if answer.status in (301, 302, 303, 307, 308):
            location = urljoin(base, answer.location)
            if urlsplit(location).path.startswith(sign_in):
                to_sign_in.append({"url": path, "location": location, "linked_from": linked_from[path][:5]})
                continue
            found = [location]
        elif answer.status >= 400:
            broken.append({"url": path, "status": answer.status, "linked_from": linked_from[path][:5]})
            continue
        elif answer.content_type.startswith("text/html"):
            parser = _Links()
            parser.feed(answer.text)
            found = [urljoin(base, href) for href in parser.hrefs]
        else:
            found = []
        for address in found:
            parts = urlsplit(address)
            if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(skip):
                continue
            if target not in linked_from:
                linked_from[target] = []
                (variants if parts.path in seen_paths else pages).append(target)
                seen_paths.add(parts.path)
            if path not in linked_from[target]:
                linked_from[target].append(path)
    return {
        "checked": checked,
        "not_checked": [*pages, *variants],
        "broken": broken,
        "to_sign_in": to_sign_in,
        "failed": failed,
    }
