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
    badge = re.search(r'<span class="status-badge.*?</p>', art4, re.S).group(0)
    assert 'data-status="passed_no_information"' in art4 and "status-tone-soon" in art4
    assert text(badge).startswith("◔ deadline passed, no information since 1 July 2019 ")
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
