"""From one ``iati-activity`` element to an :class:`~article6.interchange.activity.Activity`.

Reads IATI 2.01-2.03 (free text in ``narrative`` children) and 1.0x (free text
directly in the element, letter codes for transaction types, names for
organisation roles, date and budget types). A bad date, number, transaction
type or currency raises :class:`IatiError` naming the activity, the element,
the line and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import NoReturn

from lxml import etree

from article6.interchange.activity import (
    TRANSACTION_KINDS,
    Activity,
    ActivityDates,
    Budget,
    Org,
    ParticipatingOrg,
    RecipientCountry,
    Sector,
    Transaction,
)
from article6.interchange.codelists import codelist
from article6.interchange.xmlsafe import XML_LANG, IatiError

#: IATI 1.0x TransactionType letters and their 2.0x codes (the 2.01 upgrade
#: replaced the letters by the numbers of the TransactionType code list).
V1_TRANSACTION_CODES = {
    "IF": "1",  # Incoming Funds
    "C": "2",  # Commitment
    "D": "3",  # Disbursement
    "E": "4",  # Expenditure
    "IR": "5",  # Interest Repayment
    "LR": "6",  # Loan Repayment
    "R": "7",  # Reimbursement
    "QP": "8",  # Purchase of Equity
    "QS": "9",  # Sale of Equity
    "CG": "10",  # Credit Guarantee
}

#: 1.0x ActivityDateType names and the 2.0x codes.
V1_DATE_TYPES = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
DATE_FIELDS = {"1": "planned_start", "2": "actual_start", "3": "planned_end", "4": "actual_end"}

#: 1.0x BudgetType names (DFID writes type="Revised") and the 2.0x codes.
V1_BUDGET_TYPES = {"original": "1", "revised": "2"}

#: 1.0x sector vocabularies and their 2.0x SectorVocabulary codes.
V1_SECTOR_VOCABULARIES = {"DAC": "1", "DAC-3": "2"}

#: IATI 1.0x versions ("1.01" ... "1.05"), read with the 1.0x rules.
LEGACY_VERSION = re.compile(r"1\.\d+")

#: xsd:date, as the IATI schema types every iso-date and value-date attribute.
_XSD_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
#: xsd:decimal (no exponent, no thousands separator), the type of IATI values and percentages.
_XSD_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def sector_vocabulary(raw: str | None) -> str:
    """SectorVocabulary code of a sector/@vocabulary: absent means 1, the OECD DAC 5-digit codes."""
    value = (raw or "").strip()
    return V1_SECTOR_VOCABULARIES.get(value, value) or "1"


def dac_sector_codes(element: etree._Element) -> set[str]:
    """The DAC 5-digit purpose codes of an activity.

    IATI 2.03 (sector rules): sectors are reported either on the activity or on
    every transaction, not both, so transaction sectors count only when the
    activity has no sector element at all.
    """
    nodes = element.findall("sector") or element.findall("transaction/sector")
    return {(n.get("code") or "").strip() for n in nodes if sector_vocabulary(n.get("vocabulary")) == "1"}


def matches_sectors(element: etree._Element, sectors: Iterable[str] | None) -> bool:
    """Whether the activity has one of ``sectors`` (None: every activity matches)."""
    return sectors is None or not dac_sector_codes(element).isdisjoint(sectors)


def identifier_of(element: etree._Element) -> str | None:
    """The activity's iati-identifier, stripped, or None."""
    return (element.findtext("iati-identifier") or "").strip() or None


def read_activity(element: etree._Element, file_version: str | None) -> Activity:
    """The :class:`Activity` of one ``iati-activity`` element."""
    return _ActivityReader(element, file_version).activity()


def parse_iso_date(text: str) -> dt.date:
    """An xsd:date ("2011-02-01", optionally with a time zone) as a date; ValueError otherwise."""
    match = _XSD_DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from None


def parse_decimal(text: str | None) -> Decimal:
    """An xsd:decimal as a Decimal, sign kept; ValueError otherwise."""
    value = (text or "").strip()
    if not _XSD_DECIMAL.fullmatch(value):
        raise ValueError(f"{value!r} is not a decimal number" if value else "the value is empty")
    return Decimal(value)


def _path(node: etree._Element, attribute: str | None = None) -> str:
    """Path of ``node`` below its iati-activity, e.g. ``transaction/value/@value-date``."""
    parts = []
    while node is not None and node.tag != "iati-activity":
        parts.append(etree.QName(node).localname)
        node = node.getparent()
    path = "/".join(reversed(parts)) or "iati-activity"
    return f"{path}/@{attribute}" if attribute else path


class _ActivityReader:
    """Reads one activity; every fault names the activity, element and line."""

    def __init__(self, element: etree._Element, file_version: str | None) -> None:
        self.element = element
        self.identifier = identifier_of(element)
        self.version = (element.get("version") or file_version or "").strip() or None
        self.legacy = bool(self.version and LEGACY_VERSION.fullmatch(self.version))
        self.language = element.get(XML_LANG)
        self.currency = self.currency_code(element, element.get("default-currency"), "default-currency")

    def fail(self, node: etree._Element, reason: str, attribute: str | None = None) -> NoReturn:
        raise IatiError(reason, line=node.sourceline, activity=self.identifier, element=_path(node, attribute))

    # -- values ---------------------------------------------------------------------------

    def text(self, node: etree._Element | None) -> str | None:
        """Free text: the narrative in the activity's language (2.0x) or the element's text (1.0x)."""
        if node is None:
            return None
        narratives = node.findall("narrative")
        if narratives:
            preferred = [n for n in narratives if n.get(XML_LANG) in (None, self.language)]
            node = (preferred or narratives)[0]
        return (node.text or "").strip() or None

    def date(self, node: etree._Element | None, attribute: str) -> dt.date | None:
        """A date attribute (iso-date, value-date); None when absent, an error when malformed."""
        raw = node.get(attribute) if node is not None else None
        if raw is None:
            return None
        try:
            return parse_iso_date(raw)
        except ValueError as exc:
            self.fail(node, str(exc), attribute)

    def iso_date(self, node: etree._Element | None) -> dt.date | None:
        """The @iso-date of a date element (activity-date, transaction-date, period-start ...).

        IATI 1.0x made @iso-date optional and let the text hold the date (DFID writes
        ``<activity-date type="start-actual">2011-02-01</activity-date>``): for 1.0x
        the text is used when it is a date; other text is a free description.
        """
        day = self.date(node, "iso-date")
        if day is not None or node is None or not self.legacy:
            return day
        try:
            return parse_iso_date(node.text or "")
        except ValueError:
            return None

    def decimal(self, node: etree._Element, attribute: str | None = None) -> Decimal | None:
        """The element's text (a value) or an attribute (a percentage) as a Decimal."""
        raw = node.get(attribute) if attribute else node.text
        if attribute and raw is None:
            return None
        try:
            return parse_decimal(raw)
        except ValueError as exc:
            self.fail(node, str(exc), attribute)

    def currency_code(self, node: etree._Element, raw: str | None, attribute: str) -> str | None:
        """A currency attribute, checked against the (complete) IATI Currency code list."""
        if raw is None or not raw.strip():
            return None
        code = raw.strip()
        if code not in codelist("Currency"):
            self.fail(node, f"{code!r} is not a currency of the IATI Currency code list (ISO 4217)", attribute)
        return code

    # -- parts ----------------------------------------------------------------------------

    def activity(self) -> Activity:
        element = self.element
        if self.identifier is None:
            self.fail(element, "the activity has no iati-identifier")
        return Activity(
            iati_identifier=self.identifier,
            version=self.version,
            default_currency=self.currency,
            language=self.language,
            title=self.text(element.find("title")),
            description=self.text(self.general_description()),
            reporting_org=self.org(element.find("reporting-org")),
            participating_orgs=[self.participating_org(n) for n in element.findall("participating-org")],
            recipient_countries=[self.recipient_country(n) for n in element.findall("recipient-country")],
            sectors=self.sectors(element),
            activity_status=_child_attr(element, "activity-status", "code"),
            dates=self.dates(),
            transactions=[self.transaction(n) for n in element.findall("transaction")],
            budgets=[self.budget(n) for n in element.findall("budget")],
            source_line=element.sourceline,
        )

    def general_description(self) -> etree._Element | None:
        """The general description (DescriptionType 1, or untyped), else the first one."""
        descriptions = self.element.findall("description")
        general = [d for d in descriptions if (d.get("type") or "1").strip() == "1"]
        return (general or descriptions or [None])[0]

    def org(self, node: etree._Element | None, activity_id_attribute: str | None = None) -> Org | None:
        if node is None:
            return None
        return Org(
            ref=_attr(node, "ref"),
            name=self.text(node),
            type=_attr(node, "type"),
            activity_id=_attr(node, activity_id_attribute) if activity_id_attribute else None,
        )

    def participating_org(self, node: etree._Element) -> ParticipatingOrg:
        raw = _attr(node, "role")
        if raw is None:
            self.fail(node, "participating-org has no role", "role")
        return ParticipatingOrg(
            role=organisation_role(raw),
            ref=_attr(node, "ref"),
            name=self.text(node),
            type=_attr(node, "type"),
            activity_id=_attr(node, "activity-id"),
        )

    def recipient_country(self, node: etree._Element) -> RecipientCountry:
        code = _attr(node, "code")
        if code is None:
            self.fail(node, "recipient-country has no code", "code")
        return RecipientCountry(code=code.upper(), percentage=self.decimal(node, "percentage"))

    def sectors(self, parent: etree._Element) -> list[Sector]:
        result = []
        for node in parent.findall("sector"):
            code = _attr(node, "code")
            if code is None:
                self.fail(node, "sector has no code", "code")
            vocabulary = sector_vocabulary(node.get("vocabulary"))
            result.append(Sector(code=code, vocabulary=vocabulary, percentage=self.decimal(node, "percentage")))
        return result

    def dates(self) -> ActivityDates:
        found: dict[str, dt.date] = {}
        for node in self.element.findall("activity-date"):
            raw = (node.get("type") or "").strip()
            name = DATE_FIELDS.get(V1_DATE_TYPES.get(raw, raw))
            day = self.iso_date(node)
            if name and day and name not in found:
                found[name] = day
        return ActivityDates(**found)

    def transaction(self, node: etree._Element) -> Transaction:
        value = node.find("value")
        if value is None:
            self.fail(node, "the transaction has no value (IATI: transaction/value is required)")
        code, kind = self.transaction_type(node)
        return Transaction(
            kind=kind,
            code=code,
            date=self.iso_date(node.find("transaction-date")),
            value=self.decimal(value),
            currency=self.currency_code(value, value.get("currency"), "currency") or self.currency,
            value_date=self.date(value, "value-date"),
            provider_org=self.org(node.find("provider-org"), "provider-activity-id"),
            receiver_org=self.org(node.find("receiver-org"), "receiver-activity-id"),
            description=self.text(node.find("description")),
            sectors=self.sectors(node),
            line=node.sourceline,
        )

    def transaction_type(self, node: etree._Element) -> tuple[str, str]:
        """(code as written, kind): 2.0x codes of the TransactionType code list, or 1.0x letters."""
        type_node = node.find("transaction-type")
        raw = _attr(type_node, "code") if type_node is not None else None
        if raw is None:
            self.fail(type_node if type_node is not None else node, "the transaction has no transaction-type code")
        kind = TRANSACTION_KINDS.get(V1_TRANSACTION_CODES.get(raw.upper(), raw))
        if kind is None:
            self.fail(
                type_node,
                f"{raw!r} is not a transaction type (IATI TransactionType code list 1-13, or 1.0x "
                + ", ".join(V1_TRANSACTION_CODES)
                + ")",
                "code",
            )
        return raw, kind

    def budget(self, node: etree._Element) -> Budget:
        value = node.find("value")
        if value is None:
            self.fail(node, "the budget has no value (IATI: budget/value is required)")
        raw_type = _attr(node, "type")
        return Budget(
            type=V1_BUDGET_TYPES.get(raw_type.lower(), raw_type) if raw_type else None,
            status=_attr(node, "status"),
            period_start=self.iso_date(node.find("period-start")),
            period_end=self.iso_date(node.find("period-end")),
            value=self.decimal(value),
            currency=self.currency_code(value, value.get("currency"), "currency") or self.currency,
            value_date=self.date(value, "value-date"),
            line=node.sourceline,
        )


def organisation_role(raw: str) -> str:
    """OrganisationRole code of a role: 2.0x codes as they are, 1.0x names ("Funding") mapped."""
    roles = codelist("OrganisationRole")
    if raw in roles:
        return raw
    by_name = {item.name.lower(): code for code, item in roles.items()}
    return by_name.get(raw.lower(), raw)


def _attr(node: etree._Element, name: str) -> str | None:
    """An attribute, stripped; None when absent or blank."""
    value = node.get(name)
    return (value.strip() or None) if value is not None else None


def _child_attr(node: etree._Element, child: str, name: str) -> str | None:
    found = node.find(child)
    return _attr(found, name) if found is not None else None
