"""Articles 3 and 4 on the pages: the honest status wherever it is shown, the action
ISU takes when a deadline passed with nothing recorded, and sources as citations."""

import re

import pytest
from django.urls import reverse
from pagetools import element, html, text, time_tag
from signin import force_login_with_second_factor

from article6.states.citations import cite

pytestmark = pytest.mark.sqlite_and_postgres


def test_a_passed_deadline_with_nothing_recorded_is_amber_and_names_the_last_fact(client, reference):
    """Iraq: in force 1 November 2013, Art. 4(1) deadline 1 November 2023; the only fact
    is the 2019 listing as contaminated."""
    page = html(client.get(reverse("states:detail", args=["IRQ"]), {"as_of": "2026-12-01"}))
    art4 = element(page, "article-4")
    badge = re.search(r'<span class="badge status-badge.*?</p>', art4, re.S).group(0)
    assert 'data-status="passed_no_information"' in art4 and "status-tone-soon" in art4
    assert text(badge).startswith("deadline passed, no information since 1 July 2019 ")
    assert time_tag("2019-07-01", "1 July 2019") in badge
    for article in ("article-3", "article-4"):
        assert "status-tone-late" not in element(page, article) and "overdue" not in text(element(page, article))
    assert "This does not mean the deadline was missed: it is not known." in text(art4)
    assert 'data-testid="record-fact"' not in page  # the action is ISU's


def test_isu_is_offered_to_record_what_happened(client, people, lao):
    force_login_with_second_factor(client, people["isu"])
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2026-12-01"}))
    art4 = element(page, "article-4")
    link = f'href="/admin/treaty/obligationfact/add/?state={lao.pk}&amp;article=4"'
    assert link in art4 and 'data-testid="record-fact"' in art4
    assert "record-fact" not in element(page, "article-3")  # Art. 3 does not apply to Lao PDR
    assert client.get(f"/admin/treaty/obligationfact/add/?state={lao.pk}&article=4").status_code == 200


def test_completed_obligations_are_green_with_their_cited_source(client, reference):
    page = html(client.get(reverse("states:detail", args=["HRV"]), {"as_of": "2026-12-01"}))
    art4 = element(page, "article-4")
    assert 'data-status="completed"' in art4 and "status-tone-done" in art4
    publisher = "Convention on Cluster Munitions Implementation Support Unit"
    assert f"{publisher}, Convention on Cluster Munitions website, news (31 July 2020" in art4
    assert 'href="https://www.clusterconvention.org"' in art4


@pytest.mark.parametrize(
    ("source", "expected", "url"),
    [
        (
            "UNTC via zmjones/untreaties data/26-6.csv (scraped mid-2013)",
            "United Nations Treaty Collection, Chapter XXVI-6, Convention on Cluster Munitions, status as at mid-2013",
            "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-6&chapter=26&clang=_en",
        ),
        (
            "Mine Action Review 2019",
            "Mine Action Review, Clearing the Cluster Munition Remnants 2019",
            "https://www.mineactionreview.org",
        ),
        (
            "Cluster Munition Monitor 2024 (reported complete destruction in 2023)",
            "Landmine and Cluster Munition Monitor, Cluster Munition Monitor 2024 "
            "(reported complete destruction in 2023)",
            "https://www.the-monitor.org",
        ),
        (
            "CMC news 2 Oct 2015",
            "Cluster Munition Coalition, news, 2 Oct 2015",
            "https://www.stopclustermunitions.org",
        ),
        (
            "United Nations Office for Disarmament Affairs, Twelfth Meeting, https://meetings.unoda.org/meeting/72122",
            "United Nations Office for Disarmament Affairs, Twelfth Meeting",
            "https://meetings.unoda.org/meeting/72122",
        ),
        ("Seed 002 and 004", "Seed 002 and 004", ""),
        ("javascript:alert(1)", "javascript:alert(1)", ""),  # never a link
    ],
)
def test_sources_read_as_citations(source, expected, url):
    citation = cite(source)
    assert (citation.text, citation.url) == (expected, url)
    assert cite("") is None


def test_a_meeting_source_is_linked_from_the_profile(client, reference):
    """Lao PDR's extension at the Ninth Meeting: the fact's own source is cited."""
    page = html(client.get(reverse("states:detail", args=["LAO"]), {"as_of": "2024-01-01"}))
    art4 = element(page, "article-4")
    assert "Mine Action Review (five-year extension granted at the Ninth Meeting of States Parties)" in text(art4)
    assert 'href="https://www.mineactionreview.org"' in art4


# --- /states/: the Art. 3 and Art. 4 filters and columns ------------------------------------


def listed(client, **params) -> list[str]:
    from pagetools import state_rows

    return state_rows(html(client.get(reverse("states:list"), params)))


def test_states_whose_clearance_deadline_passed_without_completion(client, reference):
    assert listed(client, art4="passed", as_of="2026-12-01") == [
        "AFG", "TCD", "CHL", "DEU", "IRQ", "LAO", "LBN", "SOM", "GBR",
    ]  # fmt: skip
    page = html(client.get(reverse("states:list"), {"art4": "passed", "as_of": "2026-12-01"}))
    row = re.search(r'<tr data-iso3="LAO">(.*?)</tr>', page, re.S).group(1)
    cell = re.search(r'<td data-article="4">(.*?)</td>', row, re.S).group(1)
    assert text(cell) == ("deadline passed, no information since 4 September 2019 extended deadline 1 August 2025")
    assert "Lao People&#x27;s Democratic Republic</a>" in row  # the name, the code only beside it


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"art4": "extended", "as_of": "2026-12-01"}, ["CHL", "LAO"]),
        ({"art4": "extended", "as_of": "2019-09-03"}, []),  # the 9MSP decision came the next day
        ({"art4": "due", "months": "24", "as_of": "2025-01-01"}, ["CHL", "LAO", "SOM"]),
        ({"art4": "due", "as_of": "2025-01-01"}, ["LAO"]),  # 12 months by default
        ({"art4": "due", "months": "24", "as_of": "2025-01-01", "region": "Americas"}, ["CHL"]),
        ({"art4": "completed", "art3": "completed", "as_of": "2026-12-01"}, ["HRV", "MNE", "NOR"]),
        ({"art3": "passed", "as_of": "2026-12-01"}, ["BWA", "GIN", "GNB"]),
        ({"art3": "applies", "art4": "applies", "as_of": "2026-12-01"}, ["AFG", "HRV", "DEU", "GNB", "MNE", "NOR"]),
    ],
)
def test_states_list_obligation_filters(client, reference, params, expected):
    assert listed(client, **params) == expected


def test_states_list_obligation_filters_keep_pagination_and_ignore_bad_values(client, reference):
    page = html(client.get(reverse("states:list"), {"art3": "completed", "as_of": "2026-12-01"}))
    assert "21 States shown" in text(element(page, "counts"))
    page = html(client.get(reverse("states:list"), {"art4": "late", "months": "0", "region": "Europe"}))
    warning = text(element(page, "ignored-filters"))
    assert "Ignored Article 4: clearance “late”" in warning
    assert "Ignored Due within (months) “0”" in warning
    assert "States shown" in text(element(page, "counts")) and len(listed(client, region="Europe")) > 30
    page = html(client.get(reverse("states:list"), {"art3": "passed", "page": "2"}))
    assert "There is no page “2”; showing page 1." in page


def test_the_api_profile_carries_the_same_status_and_last_fact_date(client, reference):
    data = client.get("/api/v1/states/LAO", {"as_of": "2026-12-01"}).json()
    assert data["article_4"]["status"] == "passed_no_information"
    assert data["article_4"]["last_fact_date"] == "2019-09-04"
    listed_ = client.get("/api/v1/states", {"as_of": "2026-12-01", "q": "Iraq"}).json()["items"]
    assert listed_[0]["article_4"]["status"] == "passed_no_information"
