"""The iCalendar feed (/deadlines.ics) is computed once and given again for five minutes:
calendar apps poll it, and it is one of the dearest answers of the site."""

from __future__ import annotations

import datetime as dt

import icalendar
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from article6.states.models import State
from article6.treaty.views import FEED_CACHE_SECONDS


def summaries(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [str(e["summary"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_feed_is_answered_from_the_cache_for_five_minutes(client, reference):
    url = reverse("treaty:deadlines_ics")
    with CaptureQueriesContext(connection) as first:
        computed = client.get(url, {"state": "LAO"})
    assert len(first) > 0
    assert FEED_CACHE_SECONDS == 300
    assert "max-age=300" in computed["Cache-Control"]
    with CaptureQueriesContext(connection) as second:
        again = client.get(url, {"state": "LAO"})
    assert len(second) == 0
    assert again.content == computed.content
    # Another address (other filters) is computed on its own.
    assert summaries(client.get(url, {"state": "FJI"})) != summaries(computed)


def test_a_change_shows_in_the_feed_once_its_five_minutes_are_over(client, reference):
    url = reverse("treaty:deadlines_ics")
    before = summaries(client.get(url, {"state": "LAO"}))
    State.objects.filter(iso3="LAO").update(name="Renamed for the test")
    assert summaries(client.get(url, {"state": "LAO"})) == before
    cache.clear()  # what five minutes do
    after = summaries(client.get(url, {"state": "LAO"}))
    assert after != before
    assert any("Renamed for the test" in s for s in after)


def test_a_refused_parameter_is_never_kept(client, reference):
    url = reverse("treaty:deadlines_ics")
    assert client.get(url, {"from": "not a date"}).status_code == 400
    assert client.get(url, {"from": dt.date(2026, 1, 1).isoformat()}).status_code == 200
    assert client.get(url, {"from": "not a date"}).status_code == 400
