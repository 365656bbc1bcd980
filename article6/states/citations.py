"""Sources as citations a reader can check: publisher, title, date and link.

The reference data keeps each row's source as it was recorded (its technical
provenance is described in data/reference/SOURCES.md); pages show it through
`cite`, which recognises the publications the data comes from and names them
in full. A source it does not recognise is shown as written, with its link
when it has one. Plain functions: no database, no request.

A commitment's source is a key (assistance/importing.py): `manual`, `sample:<n>`,
`iati:<activity identifier>[:<ISO3>]` (an activity of an IATI file, or its part
for one of several recipient countries) or `crs:<donor>:<recipient ISO2>:<purpose>`
(a row of an OECD CRS table). `cite` names the activity on the IATI's portal, and
spells out the CRS row's countries and purpose code. The words it adds are marked
for translation and read in the active language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pycountry
from django.utils.translation import gettext

UNTC_URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-6&chapter=26&clang=_en"
UNTC_PUBLISHER = "United Nations Treaty Collection"
UNTC_TITLE = "Chapter XXVI-6, Convention on Cluster Munitions"
MONITOR_PUBLISHER = "Landmine and Cluster Munition Monitor"
MONITOR_URL = "https://www.the-monitor.org"
MINE_ACTION_REVIEW_PUBLISHER = "Mine Action Review"
MINE_ACTION_REVIEW_URL = "https://www.mineactionreview.org"
ISU_PUBLISHER = "Convention on Cluster Munitions Implementation Support Unit"
ISU_URL = "https://www.clusterconvention.org"
CMC_PUBLISHER = "Cluster Munition Coalition"
CMC_URL = "https://www.stopclustermunitions.org"

IATI_PUBLISHER = "International Aid Transparency Initiative (IATI)"
IATI_ACTIVITY_URL = "https://d-portal.org/ctrack.html#view=act&aid={identifier}"
CRS_PUBLISHER = "OECD Creditor Reporting System"
CRS_URL = "https://data-explorer.oecd.org/"
# An IATI activity identifier begins with its reporting organisation's identifier: a registration
# agency and a number ("XM-DAC-41114", "NO-BRC-971277882"), a country and a DAC donor code as
# first published ("GB-1"), or a DAC code alone ("44000"); what follows is the activity's own.
IATI_REPORTING_ORG = re.compile(r"(?P<org>[A-Z]{2}-[A-Z][A-Z0-9]+-[^-]+|[A-Z]{2}-\d+|\d{5})-(?P<activity>.+)")
IATI_PART = re.compile(r"(?P<identifier>.+):(?P<iso3>[A-Z]{3})")

NEWS = re.compile(r"^(?P<by>ICBL-CMC|CMC|CCM ISU) news\b(?P<rest>.*)$")
NEWS_PUBLISHERS = {
    "ICBL-CMC": ("International Campaign to Ban Landmines - Cluster Munition Coalition", CMC_URL),
    "CMC": (CMC_PUBLISHER, CMC_URL),
    "CCM ISU": (ISU_PUBLISHER, ISU_URL),
}
URL = re.compile(r"(?P<url>https?://[^\s,;)]+)")
YEAR = re.compile(r"\b(?P<year>(19|20)\d\d)\b")
# Abbreviations of the sources' own notes, spelt out for readers.
ABBREVIATIONS = [
    (re.compile(r"\bCCM ISU\b"), ISU_PUBLISHER),
    (re.compile(r"\bICBL-CMC\b"), "International Campaign to Ban Landmines - Cluster Munition Coalition"),
    (re.compile(r"\bCMC\b"), CMC_PUBLISHER),
    (re.compile(r"\bUNTC\b"), UNTC_PUBLISHER),
    (re.compile(r"(?<!Munition )\bMonitor (?=\d{4})"), "Cluster Munition Monitor "),
]


@dataclass(frozen=True)
class Citation:
    publisher: str = ""
    title: str = ""
    date: str = ""  # as the source dates it ("2019", "mid-2013", "23 May 2017")
    url: str = ""
    note: str = ""  # what the source says of this row, in its own words

    @property
    def text(self) -> str:
        """The citation in one line, without its link."""
        return ", ".join(part for part in (self.publisher, self.title, self.date) if part) + (
            f" ({self.note})" if self.note else ""
        )


def _spelt_out(text: str) -> str:
    for pattern, replacement in ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


def _note(source: str) -> str:
    match = re.search(r"\((?P<note>[^()]*)\)\s*$", source)
    return _spelt_out(match["note"]) if match else ""


def _country(**code: str) -> str:
    """The English short name of an ISO 3166 country (`alpha_2=` or `alpha_3=`), or the code itself."""
    country = pycountry.countries.get(**code)
    return country.name if country is not None else next(iter(code.values()))


def reporting_organisation(identifier: str) -> str | None:
    """The reporting organisation's identifier that begins an IATI activity identifier, if it has one."""
    match = IATI_REPORTING_ORG.fullmatch(identifier)
    return match["org"] if match else None


def cite_iati(key: str) -> Citation:
    """`<activity identifier>` or `<activity identifier>:<ISO3>` (its part for one recipient)."""
    part = IATI_PART.fullmatch(key)
    identifier = part["identifier"] if part else key
    organisation = reporting_organisation(identifier)
    if organisation:
        title = gettext("activity %(identifier)s, reported by %(organisation)s") % {
            "identifier": identifier,
            "organisation": organisation,
        }
    else:
        title = gettext("activity %(identifier)s") % {"identifier": identifier}
    note = gettext("its part for %(country)s") % {"country": _country(alpha_3=part["iso3"])} if part else ""
    url = IATI_ACTIVITY_URL.format(identifier=quote(identifier, safe=""))
    return Citation(IATI_PUBLISHER, title, "", url, note)


def cite_crs(key: str) -> Citation:
    """`<donor>:<recipient ISO2>:<purpose code>`; the donor is an ISO 3166 code or an OECD one."""
    from article6.interchange.codelists import sector_name

    parts = key.split(":")
    if len(parts) != 3:
        return Citation(CRS_PUBLISHER, gettext("record %(key)s") % {"key": key}, "", CRS_URL)
    donor, recipient, purpose = parts
    if re.fullmatch(r"[A-Z]{2}", donor):
        donor_name = _country(alpha_2=donor)
    else:  # a multilateral donor, by the OECD's own code
        donor_name = gettext("donor %(code)s") % {"code": donor}
    purpose_name = sector_name(purpose)
    title = gettext("%(donor)s to %(recipient)s, purpose code %(code)s") % {
        "donor": donor_name,
        "recipient": _country(alpha_2=recipient),
        "code": purpose,
    }
    return Citation(CRS_PUBLISHER, f"{title} ({purpose_name})" if purpose_name else title, "", CRS_URL)


def cite(source: str) -> Citation | None:
    """The citation of a stored source, or None when there is none."""
    source = (source or "").strip()
    if not source:
        return None
    if source == "manual":
        return Citation(title=gettext("Recorded by hand"))
    if re.fullmatch(r"sample:\d+", source):
        return Citation(title=gettext("Fictional sample data, for demonstration"))
    if source.startswith("iati:") and len(source) > len("iati:"):
        return cite_iati(source.removeprefix("iati:"))
    if source.startswith("crs:") and len(source) > len("crs:"):
        return cite_crs(source.removeprefix("crs:"))
    if source.startswith("UNTC via zmjones/untreaties"):
        # The Treaty Collection's status table as scraped in mid-2013 (SOURCES.md).
        note = "signature" if "signatory" in source else ""
        return Citation(UNTC_PUBLISHER, UNTC_TITLE, "status as at mid-2013", UNTC_URL, note)
    if source.startswith("UNTC XXVI-6 current"):
        rest = source.split(";", 1)[1].strip() if ";" in source else ""
        return Citation(UNTC_PUBLISHER, UNTC_TITLE, "status, current page", UNTC_URL, _spelt_out(rest))
    url = URL.search(source)
    if url:
        # Already a citation (publisher, title, date, link): shown as written, its link apart.
        text = (source[: url.start()] + source[url.end() :]).strip(" ,;")
        return Citation(title=_spelt_out(text), url=url["url"])
    head = source.split("(", 1)[0]
    note = _note(source)
    if source.startswith("Mine Action Review"):
        year = YEAR.search(head) or (YEAR.search(note) if note.startswith("Clearing") else None)
        title = f"Clearing the Cluster Munition Remnants {year['year']}" if year else ""
        note = "" if note.startswith("Clearing") else note
        return Citation(MINE_ACTION_REVIEW_PUBLISHER, title, "", MINE_ACTION_REVIEW_URL, note)
    if source.startswith("Cluster Munition Monitor"):
        edition = head[len("Cluster Munition Monitor") :].strip().split(" ")[0]
        title = f"Cluster Munition Monitor {edition}".strip() if YEAR.search(edition) else "Cluster Munition Monitor"
        part = "country profile" if "profile" in head else ""
        if "treaty status" in head:
            part = "status of the Convention"
        return Citation(MONITOR_PUBLISHER, ", ".join(filter(None, [title, part])), "", MONITOR_URL, note)
    if source.startswith("Convention website"):
        title = "Convention on Cluster Munitions website" + (", news" if "news" in head else "")
        return Citation(ISU_PUBLISHER, title, "", ISU_URL, note)
    news = NEWS.match(source)
    if news:
        publisher, url = NEWS_PUBLISHERS[news["by"]]
        rest = _spelt_out(news["rest"].strip(" ;:"))
        if rest.startswith("(") and rest.endswith(")"):
            return Citation(publisher, "news", "", url, rest[1:-1])
        return Citation(publisher, "news", rest, url)
    if source.startswith("Cluster Munition Coalition"):
        return Citation(CMC_PUBLISHER, _spelt_out(source[len(CMC_PUBLISHER) :].strip()), "", CMC_URL)
    return Citation(title=_spelt_out(source))
