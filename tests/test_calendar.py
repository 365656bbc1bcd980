"""The deadlines calendar page and its iCalendar feed, with the real reference data."""

import datetime as dt
import re

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse
from pagetools import add_states, element, html, text, time_tag

from article6.asof import today
from article6.states.models import State
from article6.treaty import rules


def events(response) -> list:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-kind="(\w+)">', page)


# --- The page --------------------------------------------------------------------------


def test_deadlines_default_to_12_months_from_the_as_of_date(client, reference):
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2018-11-12"}))
    assert "Deadlines from 12 November 2018 to 12 November 2019" in text(page)
    assert rows(page).count("annual_report_group") == 1
    assert "annual_report" not in rows(page)
    assert "Annual reports due 30 April 2019: 102 States Parties" in text(page)
    assert '<time datetime="2019-04">April 2019</time>' in page  # grouped by month
    assert '<time datetime="2019-02">February 2019</time>' in page
    content = text(page)
    assert "Sri Lanka Art. 7(1) Initial transparency report in 108 days" in content
    assert "Guinea-Bissau Art. 3(2) Stockpile destruction deadline in 170 days" in content
    assert 'href="/states/LKA/?as_of=2018-11-12"' in page
    # 102 annual reports, 2 initial reports, 2 stockpile deadlines, and 26 last days
    # (2 December 2018) to request an extension from the Ninth Meeting of States
    # Parties, opening 2 September 2019 (nine months before)
    assert text(element(page, "count")) == "132 deadlines in this period"
    assert rows(page).count("extension_request") == 26


def test_deadlines_for_one_state_show_each_annual_report(client, reference):
    page = html(client.get(reverse("treaty:deadlines"), {"state": "fji", "from": "2010-11-01", "to": "2013-12-31"}))
    assert rows(page) == ["initial_report", "annual_report", "annual_report"]
    content = text(page)
    assert "30 April 2011 Fiji Art. 7(1) Initial transparency report" in content
    assert "30 April 2012 Fiji Art. 7(2) Annual transparency report covering 2011" in content
    assert "Annual transparency report covering 2012" in content
    assert '<option value="FJI" selected>Fiji</option>' in page


def test_deadlines_filter_by_article(client, reference):
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2018-11-12", "article": "3"}))
    assert rows(page).count("stockpile_destruction") == 2
    assert set(rows(page)) == {"stockpile_destruction", "extension_request"}  # to the 9MSP
    assert "Guinea-Bissau" in page and "Bulgaria" in page
    page = html(client.get(reverse("treaty:deadlines"), {"from": "2020-01-01", "to": "2020-12-31", "article": "4"}))
    # The 2020 clearance deadlines, and the last day (25 February 2020) to request an
    # extension from the Second Review Conference (opening 25 November 2020).
    assert set(rows(page)) == {"clearance", "extension_request"}
    assert "Last day to request an extension of the Art. 4 deadline, for 2RC" in text(page)
    assert "Lao People&#x27;s Democratic Republic" in page


def test_deadlines_show_extension_request_last_days(client, reference):
    # Laos: clearance deadline 1 August 2020. On 1 January 2014 the last day to
    # request from the Fifth Meeting (opening 2 September 2014) had passed; the next
    # recorded meeting is the First Review Conference (7 September 2015).
    page = html(client.get(reverse("treaty:deadlines"), {"state": "LAO", "from": "2014-01-01", "to": "2015-12-31"}))
    assert "extension_request" in rows(page)
    assert "Last day to request an extension of the Art. 4 deadline, for 1RC" in text(page)
    assert time_tag("2014-12-07", "7 December 2014") in page


def test_deadlines_ignore_invalid_filters_with_a_message(client, reference):
    page = html(
        client.get(
            reverse("treaty:deadlines"),
            {"from": "2019-02-30", "to": "soon", "article": "5", "state": "ZZZ", "as_of": "2018-11-12"},
        )
    )
    warning = text(element(page, "ignored-filters"))
    assert "Ignored From “2019-02-30”: Enter a valid date." in warning
    assert "Ignored To “soon”" in warning
    assert "Ignored Article “5”" in warning
    assert "Ignored State “ZZZ”" in warning
    assert "Deadlines from 12 November 2018 to 12 November 2019" in text(page)
    page = html(client.get(reverse("treaty:deadlines"), {"from": "2020-01-01", "to": "2019-01-01"}))
    assert "The end of the period cannot be before its start." in page
    assert "Deadlines from 1 January 2020 to 1 January 2021" in text(page)
    page = html(client.get(reverse("treaty:deadlines"), {"from": "2020-01-01", "to": "2060-01-01"}))
    assert "Periods of up to 10 years only." in page


def test_deadlines_offer_the_feed_with_the_same_filters(client, reference):
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2018-11-12", "article": "7", "state": "nam"}))
    link = re.search(r'<a href="([^"]+)" data-testid="feed-link">', page).group(1)
    assert link == "/deadlines.ics?from=2018-11-12&amp;to=2019-11-12&amp;article=7&amp;state=NAM"
    assert "webcal://testserver/deadlines.ics?article=7&amp;state=NAM" in page
    feed = events(client.get(link.replace("&amp;", "&")))
    assert [str(e["SUMMARY"]) for e in feed] == ["Namibia: Initial transparency report"]


def test_deadlines_paginate(client, reference):
    page = html(client.get(reverse("treaty:deadlines"), {"from": "2012-01-01", "to": "2021-12-31"}))
    assert len(rows(page)) == 100
    assert 'rel="next"' in page


# --- The iCalendar feed ------------------------------------------------------------------


def test_feed_for_fiji(client, reference):
    feed = events(
        client.get(reverse("treaty:deadlines_ics"), {"state": "FJI", "from": "2010-11-01", "to": "2012-12-31"})
    )
    assert [(str(e["UID"]), e.decoded("DTSTART")) for e in feed] == [
        ("FJI-initial_report-2011-04-30@article6", dt.date(2011, 4, 30)),
        ("FJI-annual_report-2012-04-30@article6", dt.date(2012, 4, 30)),
    ]
    initial, annual = feed
    assert str(initial["SUMMARY"]) == "Fiji: Initial transparency report"
    assert str(annual["SUMMARY"]) == "Fiji: Annual transparency report covering 2011"
    assert "Article 7(1)" in str(initial["DESCRIPTION"])
    assert "Article 7(2)" in str(annual["DESCRIPTION"])
    assert str(initial["URL"]) == "http://testserver/states/FJI/"
    assert initial.decoded("DTEND") == dt.date(2011, 5, 1)  # all-day
    assert isinstance(initial.decoded("DTSTART"), dt.date) and not isinstance(initial.decoded("DTSTART"), dt.datetime)
    assert "DTSTAMP" in initial


def test_feed_defaults_to_the_next_24_months(client, reference):
    feed = events(client.get(reverse("treaty:deadlines_ics")))
    start, end = today(), rules.add_months(today(), 24)
    days = [e.decoded("DTSTART") for e in feed]
    assert days and all(start <= d <= end for d in days)
    uids = [str(e["UID"]) for e in feed]
    assert len(uids) == len(set(uids))
    parties = State.objects.exclude(deposit_date=None).filter(withdrawal_notified_date=None).count()
    next_april = rules.next_annual_report_due(dt.date(2000, 1, 1), start)
    assert sum(1 for d in days if d == next_april) == parties


def test_feed_filters_by_article(client, reference):
    feed = events(client.get(reverse("treaty:deadlines_ics"), {"from": "2018-11-12", "to": "2020-12-31", "article": 4}))
    assert feed and all("Art. 4" in str(e["CATEGORIES"].to_ical()) for e in feed)
    assert {str(e["SUMMARY"]) for e in feed} >= {
        "Germany: Clearance deadline",
        "United Kingdom of Great Britain and Northern Ireland: Clearance deadline",
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"from": "2019-02-30"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"from": "2020-01-01", "to": "2019-12-31"}, "to"),
        ({"from": "2020-01-01", "to": "2040-01-01"}, "to"),
        ({"from": "1999-01-01"}, "from"),
        ({"article": "6"}, "article"),
        ({"state": "XYZ"}, "state"),
    ],
)
def test_feed_rejects_bad_parameters(client, reference, params, parameter):
    response = client.get(reverse("treaty:deadlines_ics"), params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert f"“{parameter}”" in response.content.decode()


# --- A fixed number of SQL queries ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "count"),
    [
        ("/deadlines/", 6),
        ("/deadlines/?as_of=2018-11-12&article=7", 6),
        ("/deadlines/?state=LAO&from=2014-01-01&to=2022-01-01", 6),
        ("/deadlines.ics", 5),
        ("/deadlines.ics?from=2012-01-01&to=2021-12-31", 5),
    ],
)
def test_calendar_runs_a_fixed_number_of_queries(client, reference, django_assert_num_queries, url, count):
    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200
    add_states(50)
    cache.clear()
    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200


# --- Deadlines that passed with no completion recorded -------------------------------------


def passed_rows(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-row="passed" data-iso3="(\w+)" data-article="(\d)">', page)


def test_which_states_have_an_article_4_deadline_in_the_next_two_years_or_one_already_passed(client, reference):
    """The journey that failed: Article 4, from 1 December 2026 for two years. Chile's
    extended deadline (1 June 2026) and eight others had passed with no completion
    recorded; none is called overdue, since no fact after them says so."""
    page = html(
        client.get(
            reverse("treaty:deadlines"),
            {"as_of": "2026-12-01", "from": "2026-12-01", "to": "2028-12-01", "article": "4"},
        )
    )
    passed = element(page, "passed")
    assert sorted(iso3 for iso3, _article in passed_rows(page)) == sorted(
        ["AFG", "TCD", "CHL", "DEU", "IRQ", "LAO", "LBN", "SOM", "GBR"]
    )
    assert {article for _iso3, article in passed_rows(page)} == {"4"}
    assert "9 deadlines had passed by 1 December 2026 with no completion recorded" in text(passed)
    assert text(element(page, "count")) == "0 deadlines in this period"
    assert "No other deadline falls in this period with these filters." in text(page)
    chile = re.search(r'<tr data-row="passed" data-iso3="CHL".*?</tr>', page, re.S).group(0)
    assert time_tag("2026-06-01", "1 June 2026") in chile and "(extended)" in chile
    assert "deadline passed, no information since 1 September 2022" in text(chile)
    assert "status-tone-late" not in passed and "overdue" not in text(passed).replace("“Overdue”", "")
    assert passed_rows(page)[0] == ("DEU", "4")  # oldest first: 1 August 2020


def test_passed_deadlines_follow_the_filters(client, reference):
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2026-12-01", "article": "3"}))
    assert sorted(passed_rows(page)) == [("BWA", "3"), ("GIN", "3"), ("GNB", "3")]
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2026-12-01", "state": "lao"}))
    assert passed_rows(page) == [("LAO", "4")]
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2026-12-01", "article": "7"}))
    assert passed_rows(page) == []
    page = html(client.get(reverse("treaty:deadlines"), {"as_of": "2019-09-03", "state": "LAO"}))
    assert passed_rows(page) == []  # the Art. 4 deadline (1 August 2020) had not passed


def test_deadlines_page_runs_a_fixed_number_of_queries(client, reference, django_assert_num_queries):
    url = "/deadlines/?as_of=2026-12-01&article=4"
    client.get(url)
    # The States for the filter; the States' clocks and the meetings are kept from the first
    # request (treaty.queries.all_clocks), which ran States, facts, meetings, meetings.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    add_states(50)
    cache.clear()
    client.get(url)
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
