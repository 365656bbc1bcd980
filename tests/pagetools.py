"""Helpers for the page tests: reading what a visitor sees, and adding States."""

import datetime as dt
import re

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
    return int(re.search(r'<p class="display-6[^"]*">(\d+)</p>', element(page, testid)).group(1))


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
