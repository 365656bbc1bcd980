"""A commitment's source is a key (manual, sample, IATI activity, CRS row); pages show it as a
citation a reader can check (publisher, what, link), never as the stored key."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from pagetools import text

from article6.states.citations import cite, reporting_organisation

D_PORTAL = "https://d-portal.org/ctrack.html#view=act&aid="
IATI = "International Aid Transparency Initiative (IATI)"
CRS = "OECD Creditor Reporting System"


@pytest.mark.parametrize(
    "identifier, organisation",
    [
        ("GB-1-201745-103", "GB-1"),  # a country and its DAC donor code, as first published
        ("XM-DAC-41114-LAO", "XM-DAC-41114"),  # a registration agency and a number
        ("NO-BRC-971277882-LAO-19-0001", "NO-BRC-971277882"),
        ("GB-GOV-1-300123", "GB-GOV-1"),
        ("44000-P123456", "44000"),  # a DAC code alone
        ("XM-EXAMPLE-GOOD", None),  # nothing is left for the activity: no organisation to name
        ("activity-without-prefix", None),
    ],
)
def test_the_reporting_organisation_is_the_identifiers_prefix(identifier, organisation):
    assert reporting_organisation(identifier) == organisation


def test_an_iati_activity_is_cited_on_the_iati_portal_with_its_reporting_organisation():
    citation = cite("iati:GB-1-201745-103")
    assert citation.text == f"{IATI}, activity GB-1-201745-103, reported by GB-1"
    assert citation.url == D_PORTAL + "GB-1-201745-103"


def test_an_iati_activity_without_a_known_prefix_is_cited_by_its_identifier():
    citation = cite("iati:XM-EXAMPLE-GOOD")
    assert citation.text == f"{IATI}, activity XM-EXAMPLE-GOOD"
    assert citation.url == D_PORTAL + "XM-EXAMPLE-GOOD"


def test_the_part_of_an_activity_for_one_of_its_countries_names_the_country_and_links_the_activity():
    citation = cite("iati:XM-DAC-41114-SPLIT:LAO")
    assert citation.text == (
        f"{IATI}, activity XM-DAC-41114-SPLIT, reported by XM-DAC-41114 (its part for Lao People's Democratic Republic)"
    )
    assert citation.url == D_PORTAL + "XM-DAC-41114-SPLIT"


def test_the_identifier_is_encoded_in_the_link():
    assert cite("iati:XM-DAC-1-A/B C#1&x").url == D_PORTAL + "XM-DAC-1-A%2FB%20C%231%26x"


def test_a_crs_row_spells_out_donor_recipient_and_purpose():
    citation = cite("crs:JP:PW:15250")
    assert citation.text == (
        f"{CRS}, Japan to Palau, purpose code 15250 (Removal of land mines and explosive remnants of war)"
    )
    assert citation.url.startswith("https://") and "oecd.org" in citation.url


def test_a_crs_row_of_a_multilateral_donor_keeps_its_code_and_an_unknown_purpose_its_number():
    assert cite("crs:CRS_1UN0:FJ:15220").text == (
        f"{CRS}, donor CRS_1UN0 to Fiji, purpose code 15220 "
        "(Civilian peace-building, conflict prevention and resolution)"
    )
    assert cite("crs:US:FJ:99999").text == f"{CRS}, United States to Fiji, purpose code 99999"
    assert cite("crs:odd").text == f"{CRS}, record odd"


def test_a_commitment_recorded_by_hand_or_from_the_sample_says_so():
    assert (cite("manual").text, cite("manual").url) == ("Recorded by hand", "")
    assert cite("sample:07").text == "Fictional sample data, for demonstration"


# --- The pages ------------------------------------------------------------------------------


def commitment(people, lao, nor, source: str):
    from article6.assistance.models import Commitment

    return Commitment.objects.create(
        provider_state=nor,
        recipient=lao,
        title="Clearance in two districts",
        channel="bilateral",
        currency="USD",
        source=source,
        created_by=people["isu"],
    )


@pytest.mark.parametrize(
    "source, cited, link",
    [
        ("iati:NO-BRC-971277882-LAO-19-0001", "activity NO-BRC-971277882-LAO-19-0001, reported by NO-BRC-971277882",
         D_PORTAL + "NO-BRC-971277882-LAO-19-0001"),
        ("iati:XM-DAC-41114-SPLIT:LAO", "its part for Lao People", D_PORTAL + "XM-DAC-41114-SPLIT"),
        ("crs:NO:LA:15250", "Norway to Lao People", "https://data-explorer.oecd.org/"),
        ("manual", "Recorded by hand", None),
    ],
)  # fmt: skip
def test_the_commitment_pages_cite_the_source_never_the_key(client, people, lao, nor, source, cited, link):
    record = commitment(people, lao, nor, source)
    for url in (reverse("assistance:commitments"), record.get_absolute_url()):
        page = client.get(url).content.decode()
        sources = [html.unescape(text(s)) for s in re.findall(r'data-testid="source">(.*?)</span>', page, re.S)]
        assert any(cited in s for s in sources), (url, sources)
        if link:
            assert f'href="{link}"' in page.replace("&amp;", "&"), url
        if source != "manual":
            assert source not in page, url
