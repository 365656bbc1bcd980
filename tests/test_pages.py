"""The public pages, with the real reference data: what a visitor sees, and
that each page runs the same number of SQL queries whatever the number of States."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from pagetools import add_states, element, figure, html, region_row, state_rows, text, time_tag

from article6.asof import today
from article6.states.models import State
from article6.treaty import queries

# --- Home ------------------------------------------------------------------------------


def test_home_as_of_12_november_2018(client, reference):
    page = html(client.get(reverse("states:home"), {"as_of": "2018-11-12"}))
    assert figure(page, "figure-states-parties") == 104
    assert figure(page, "figure-signatories") == 16
    assert figure(page, "figure-in-force") == 103
    assert region_row(page, "Europe")[0] == 34
    assert [region_row(page, r)[0] for r in ("Africa", "Americas", "Asia", "Middle East", "Pacific")] == [
        32,
        24,
        4,
        3,
        7,
    ]
    assert "Figures as of 12 November 2018" in page


def test_home_figures_recompute_for_the_date(client, reference):
    # 16 February 2010: the thirtieth instrument; nothing in force before 1 August 2010 (Art. 17(1)).
    page = html(client.get("/", {"as_of": "2010-02-16"}))
    assert figure(page, "figure-states-parties") == 30
    assert figure(page, "figure-in-force") == 0
    page = html(client.get("/", {"as_of": "2010-08-01"}))
    assert figure(page, "figure-in-force") == 30
    # Lithuania's withdrawal took effect on 6 March 2025 (Art. 20(2)).
    assert figure(html(client.get("/", {"as_of": "2025-03-05"})), "figure-states-parties") == 112
    assert figure(html(client.get("/", {"as_of": "2025-03-06"})), "figure-states-parties") == 111


def test_home_deadlines_group_the_annual_reports(client, reference):
    page = html(client.get("/", {"as_of": "2018-11-12"}))
    upcoming = element(page, "upcoming")
    assert "Annual reports due 30 April 2019: 102 States Parties" in text(upcoming)
    assert upcoming.count('data-kind="annual_report_group"') == 1
    assert 'data-kind="annual_report"' not in upcoming
    rows = text(upcoming)
    assert "Sri Lanka Art. 7(1) Initial transparency report" in rows
    assert "Guinea-Bissau Art. 3(2) Stockpile destruction deadline" in rows
    assert "Bulgaria Art. 3(2) Stockpile destruction deadline" in rows
    assert time_tag("2019-05-01", "1 May 2019") in upcoming
    assert "in 170 days" in rows  # Guinea-Bissau, 1 May 2019


def test_home_does_not_show_deadlines_of_states_that_joined_later(client, reference):
    # The Gambia deposited on 11 December 2018: its initial report (28 November 2019)
    # is not a deadline anyone knew of on 1 December 2018.
    assert "Gambia" not in element(html(client.get("/", {"as_of": "2018-12-01"})), "upcoming")
    assert "Gambia" in element(html(client.get("/", {"as_of": "2018-12-11"})), "upcoming")


def test_home_links_keep_the_as_of_date(client, reference):
    page = html(client.get("/", {"as_of": "2018-11-12"}))
    assert 'href="/states/?status=state_party&amp;as_of=2018-11-12"' in page
    assert 'href="/states/?region=Europe&amp;as_of=2018-11-12"' in page
    assert 'href="/deadlines/?as_of=2018-11-12"' in page  # navigation
    assert 'href="/states/LKA/?as_of=2018-11-12"' in page
    # Today: plain links.
    page = html(client.get("/"))
    assert 'href="/states/?status=state_party"' in page


def test_home_with_an_invalid_date_shows_the_error_and_today(client, reference):
    page = html(client.get("/", {"as_of": "2018-13-45"}))
    assert "is not a date" in page
    expected = queries.membership(today())
    assert figure(page, "figure-states-parties") == expected.states_parties
    assert figure(page, "figure-signatories") == expected.signatories
    assert not re.search(r'href="[^"]*as_of=2018-13-45', page)  # links do not repeat the error
    page = html(client.get("/", {"as_of": "1900-01-01"}))
    assert "showing today" in page


# --- States list -----------------------------------------------------------------------


def test_states_list_shows_every_column(client, reference):
    page = html(client.get(reverse("states:list"), {"as_of": "2018-11-12", "q": "Namibia"}))
    assert state_rows(page) == ["NAM"]
    row = text(re.search(r'<tr data-iso3="NAM">(.*?)</tr>', page, re.S).group(1))
    assert row == (
        "Namibia NAM Africa State Party does not apply does not apply "
        "3 December 2008 31 August 2018 (ratification) 1 February 2019 no"
    )
    assert 'class="badge status-state_party"' in page
    assert 'href="/states/NAM/?as_of=2018-11-12"' in page


def test_states_list_paginates_by_50(client, reference):
    page = html(client.get(reverse("states:list")))
    assert len(state_rows(page)) == 50
    assert "125 States shown, 1–50 on this page" in text(page)
    assert state_rows(page)[0] == "AFG"
    page = html(client.get(reverse("states:list"), {"page": 3}))
    assert len(state_rows(page)) == 25
    assert 'aria-current="page">3<' in page
    page = html(client.get(reverse("states:list"), {"page": 99}))
    assert "There is no page “99”; showing page 3." in page
    page = html(client.get(reverse("states:list"), {"page": "abc"}))
    assert "There is no page “abc”; showing page 1." in page


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"status": "state_party", "as_of": "2018-11-12"}, 104),
        ({"status": "signatory", "as_of": "2018-11-12"}, 16),
        ({"status": "state_party", "region": "Europe", "as_of": "2018-11-12"}, 34),
        ({"status": "withdrawn", "as_of": "2025-03-06"}, 1),
        ({"status": "withdrawn", "as_of": "2025-03-05"}, 0),
        ({"status": "non_signatory", "as_of": "2008-12-02"}, 125),
        ({"region": "Middle East"}, 3),
    ],
)
def test_states_list_filters(client, reference, params, count):
    page = html(client.get(reverse("states:list"), params))
    assert text(element(page, "counts")).startswith(f"{count} State")
    assert len(state_rows(page)) == min(count, 50)


def test_states_list_counts_by_status(client, reference):
    counts = text(element(html(client.get(reverse("states:list"), {"as_of": "2018-11-12"})), "counts"))
    assert "State Party (104)" in counts and "Signatory (16)" in counts


@pytest.mark.parametrize(
    ("q", "expected"),
    [("fiji", ["FJI"]), ("FJI", ["FJI"]), ("cote", ["CIV"]), ("LAO", ["LAO"]), ("  lao  ", ["LAO"])],
)
def test_states_list_search_by_name_or_iso3(client, reference, q, expected):
    assert state_rows(html(client.get(reverse("states:list"), {"q": q}))) == expected


def test_states_list_search_escapes_the_text(client, reference):
    page = html(client.get(reverse("states:list"), {"q": '<script>alert("x")</script>'}))
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "No State matches these filters." in page


def test_states_list_sorts(client, reference):
    rows = state_rows(html(client.get(reverse("states:list"), {"sort": "-name"})))
    assert rows[0] == "ZMB"
    rows = state_rows(html(client.get(reverse("states:list"), {"sort": "-deposit", "region": "Africa"})))
    latest = State.objects.filter(region="Africa").exclude(deposit_date=None).latest("deposit_date")
    assert rows[0] == latest.iso3
    rows = state_rows(html(client.get(reverse("states:list"), {"sort": "deposit", "region": "Africa"})))
    assert State.objects.get(iso3=rows[-1]).deposit_date is None  # no deposit: last either way
    rows = state_rows(html(client.get(reverse("states:list"), {"sort": "eif", "status": "state_party"})))
    assert rows[0] in {"ALB", "AUT", "BEL", "BFA", "BDI", "HRV", "DNK", "FRA", "DEU"}  # in force 1 August 2010
    rows = state_rows(html(client.get(reverse("states:list"), {"sort": "region"})))
    assert State.objects.get(iso3=rows[0]).region == "Africa"
    page = html(client.get(reverse("states:list"), {"sort": "name"}))
    assert 'aria-sort="ascending"' in page


def test_states_list_ignores_invalid_filters_with_a_message(client, reference):
    page = html(client.get(reverse("states:list"), {"status": "party<b>", "region": "Mars", "sort": "up"}))
    warning = text(element(page, "ignored-filters"))
    assert "Ignored Status “party&lt;b&gt;”" in warning
    assert "Ignored Region “Mars”" in warning
    assert "Ignored Sort by “up”" in warning
    assert "<b>" not in page
    assert text(element(page, "counts")).startswith("125 States shown")


def test_states_list_pagination_links_keep_the_filters(client, reference):
    page = html(client.get(reverse("states:list"), {"as_of": "2018-11-12", "sort": "-name"}))
    assert 'href="?as_of=2018-11-12&amp;sort=-name&amp;page=2"' in page


# --- State profile ---------------------------------------------------------------------


def test_fiji_profile(client, reference):
    page = html(client.get(reverse("states:detail", args=["FJI"])))
    assert "<h1" in page and "Fiji</h1>" in page
    assert time_tag("2010-11-01", "1 November 2010") in element(page, "entry-into-force")
    reports = element(page, "reports")
    assert "Initial report due (Art. 7(1))" in text(reports)
    assert time_tag("2011-04-30", "30 April 2011") in reports
    dates = text(element(page, "treaty-dates"))
    assert "Deposit of instrument (Arts. 15, 16) 28 May 2010 (ratification)" in dates
    identity = text(element(page, "identity"))
    assert "FJI" in identity and "FJ" in identity and "242" in identity and "Melanesia" in identity
    # The row's source as a citation a reader can check, not the scraping pipeline.
    source = text(element(page, "source"))
    assert source.startswith(
        "United Nations Treaty Collection, Chapter XXVI-6, Convention on Cluster Munitions, status as at mid-2013, "
        "https://treaties.un.org/"
    )
    assert "zmjones" not in page


def test_profile_iso3_is_case_insensitive(client, reference):
    assert "Fiji</h1>" in html(client.get("/states/fji/"))


def test_profile_upcoming_deadlines_as_of_entry_into_force(client, reference):
    page = html(client.get(reverse("states:detail", args=["FJI"]), {"as_of": "2010-11-01"}))
    upcoming = element(page, "upcoming")
    assert time_tag("2011-04-30", "30 April 2011") in upcoming
    assert "Initial transparency report" in upcoming
    assert "Annual transparency report covering 2011" in text(upcoming)
    assert time_tag("2012-04-30", "30 April 2012") in upcoming
    assert "in 180 days" in text(upcoming)
    assert time_tag("2011-04-30", "30 April 2011") in element(page, "reports")


def test_lao_profile_extended_clearance_deadline(client, reference):
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2024-01-01"}))
    art4 = element(page, "article-4")
    assert time_tag("2020-08-01", "1 August 2020") in art4  # base deadline, Art. 4(1)
    assert time_tag("2025-08-01", "1 August 2025") in art4  # extended
    assert "9MSP" in art4
    assert "Mine Action Review (five-year extension granted at the Ninth Meeting of States Parties)" in art4
    assert 'data-status="on_track"' in art4
    assert "578 days left" in text(art4)
    assert 'data-status="not_applicable"' in element(page, "article-3")


def test_lao_profile_before_and_after_the_extension(client, reference):
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2019-01-01"}))
    art4 = text(element(page, "article-4"))
    assert "Extended deadline no extension granted" in art4
    assert "after the as-of date" in art4  # the 9MSP decision is listed, marked as later
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2025-08-11"}))
    art4 = element(page, "article-4")
    # Nothing published since the 9MSP extension says what happened: not "overdue".
    assert 'data-status="passed_no_information"' in art4
    assert "overdue" not in text(art4)


def test_completion_declared_with_its_source(client, reference):
    page = html(client.get(reverse("states:detail", args=["BGR"]), {"as_of": "2024-06-01"}))
    art3 = element(page, "article-3")
    # Completed after its extended deadline, but nothing recorded shows the stockpile still
    # held after 1 April 2021 (a later extension may be missing): not called late.
    assert 'data-status="completed"' in art3
    assert time_tag("2023-12-31", "31 December 2023") in art3
    assert "Cluster Munition Monitor 2024 (reported complete destruction in 2023)" in art3
    assert time_tag("2021-04-01", "1 April 2021") in art3  # 9MSP extension


def test_lithuania_withdrawal_timeline(client, reference):
    page = html(client.get(reverse("states:detail", args=["LTU"]), {"as_of": "2024-10-01"}))
    dates = text(element(page, "treaty-dates"))
    assert "Instrument of withdrawal received (Art. 20(1)) 6 September 2024" in dates
    assert "Withdrawal takes effect (Art. 20(2)) 6 March 2025" in dates
    assert "Provisional application (Art. 18) 24 March 2011" in dates
    timeline = element(page, "timeline")
    assert text(timeline).endswith("Withdrawal takes effect 6 March 2025 future")
    assert 'class="badge status-state_party"' in page
    page = html(client.get(reverse("states:detail", args=["LTU"])))
    assert 'class="badge status-withdrawn"' in page
    assert "future" not in text(element(page, "timeline"))


def test_no_annual_report_due_after_a_withdrawal_takes_effect(client, reference):
    page = html(client.get(reverse("states:detail", args=["LTU"]), {"as_of": "2024-10-01"}))
    assert "the withdrawal takes effect before the next 30 April" in text(element(page, "reports"))


def test_signatory_profile_has_future_steps_and_no_reports(client, reference):
    page = html(client.get(reverse("states:detail", args=["AGO"])))
    timeline = text(element(page, "timeline"))
    assert timeline.startswith("Signature 3 December 2008")
    assert "Instrument deposited: State Party not yet" in timeline
    assert "not a State Party" in text(element(page, "reports"))


def test_unknown_state_is_a_404_page(client, reference):
    response = client.get("/states/XYZ/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No State with the ISO 3166-1 alpha-3 code “XYZ” is recorded." in page
    assert "<!doctype html>" in page
    response = client.get("/states/%3Cb%3E/")
    assert response.status_code == 404
    assert "<b>" not in response.content.decode()


# --- Organisations ---------------------------------------------------------------------


def test_organisations(client, reference):
    page = html(client.get(reverse("states:organisations")))
    rows = text(element(page, "organisations"))
    assert "International Committee of the Red Cross ICRC International Committee of the Red Cross Geneva" in rows
    assert 'href="https://www.icrc.org"' in page
    assert "Named in Art. 5, 6 and 11 of the Convention" in rows
    assert "sample-badge" not in page


def test_sample_organisations_carry_a_badge(client, sample):
    page = html(client.get(reverse("states:organisations")))
    assert page.count('data-testid="sample-badge"') == 3


def test_organisation_website_is_a_link_only_when_it_is_a_web_address(client, reference):
    from article6.states.models import Organisation

    Organisation.objects.create(name="Odd", kind="other", website="javascript:alert(1)", source="test")
    page = html(client.get(reverse("states:organisations")))
    assert 'href="javascript' not in page


# --- A fixed number of SQL queries ---------------------------------------------------------


PAGES = [
    ("/", 6),
    ("/?as_of=2018-11-12", 6),
    ("/states/", 4),
    ("/states/?region=Europe&status=state_party&sort=-eif&q=a&page=2", 4),
    ("/states/?art3=applies&art4=due&months=24", 4),  # the obligation filters and columns
    ("/states/LAO/", 8),  # with the validated contact institution, its reports received (Art. 7), Art. 4(4) records
    ("/states/fji/?as_of=2015-01-01", 7),  # no obligation facts: no meetings to prefetch
    ("/states/XYZ/", 2),
    ("/organisations/", 2),
]


@pytest.mark.parametrize(("url", "count"), PAGES)
def test_pages_run_a_fixed_number_of_queries(client, reference, django_assert_num_queries, url, count):
    """The count includes the layout's sample-data check (cached afterwards)."""
    with django_assert_num_queries(count):
        assert client.get(url).status_code in (200, 404)
    add_states(50)
    assert State.objects.count() == 175
    cache.clear()
    with django_assert_num_queries(count):
        assert client.get(url).status_code in (200, 404)
