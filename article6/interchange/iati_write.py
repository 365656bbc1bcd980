"""Writing activities as an IATI 2.03 ``iati-activities`` document.

Elements are written in the order the 2.03 schema's sequences demand
(iati-activity: iati-identifier, reporting-org, title, description,
participating-org, activity-status, activity-date, recipient-country, sector,
budget, transaction; transaction: transaction-type, transaction-date, value,
description, provider-org, receiver-org, sector). Codes are the 2.0x ones, every
sector carries its vocabulary (1 for DAC purpose codes such as 15250).

Where the schema requires what the data lacks:

- description (1..n): the title stands in for a missing description;
- value/@value-date (required): the transaction date, or the budget period start;
- everything else the schema requires (reporting-org ref and type, title,
  participating-org, activity-status, an activity-date, transaction and budget
  dates) raises :class:`IatiError` rather than being invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import NoReturn, TypeVar

from lxml import etree

from article6.interchange.activity import KIND_CODES, Activity, Budget, Org, Sector, Transaction
from article6.interchange.xmlsafe import XML_LANG, IatiError

T = TypeVar("T")

EXPORT_VERSION = "2.03"
_DATE_TYPES = (("1", "planned_start"), ("2", "actual_start"), ("3", "planned_end"), ("4", "actual_end"))


def export_activities(activities: Iterable[Activity], *, generated: dt.datetime | None = None) -> bytes:
    """An IATI 2.03 ``iati-activities`` document (UTF-8 bytes) of ``activities``."""
    moment = (generated or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    root = etree.Element("iati-activities", {"version": EXPORT_VERSION, "generated-datetime": moment.isoformat()})
    for activity in activities:
        root.append(activity_element(activity))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def activity_element(activity: Activity) -> etree._Element:
    """One ``iati-activity`` element, children in schema order."""
    element = etree.Element("iati-activity")
    _set(element, XML_LANG, activity.language)
    _set(element, "default-currency", activity.default_currency)
    _sub(element, "iati-identifier").text = activity.iati_identifier
    _reporting_org(element, activity)
    _narrative(element, "title", _required(activity, activity.title, "a title"))
    _narrative(element, "description", activity.description or activity.title)
    _participating_orgs(element, activity)
    _sub(element, "activity-status", code=_required(activity, activity.activity_status, "an activity-status"))
    _activity_dates(element, activity)
    for country in activity.recipient_countries:
        _sub(element, "recipient-country", code=country.code, percentage=_number(country.percentage))
    _sectors(element, activity.sectors)
    for budget in activity.budgets:
        _budget(element, activity, budget)
    for transaction in activity.transactions:
        _transaction(element, activity, transaction)
    return element


def _reporting_org(parent: etree._Element, activity: Activity) -> None:
    org = activity.reporting_org
    if org is None or not org.ref or not org.type:
        _missing(activity, "a reporting-org with ref and type")
    _narrative(parent, "reporting-org", org.name or org.ref, ref=org.ref, type=org.type)


def _participating_orgs(parent: etree._Element, activity: Activity) -> None:
    if not activity.participating_orgs:
        _missing(activity, "at least one participating-org")
    for org in activity.participating_orgs:
        attributes = {"ref": org.ref, "type": org.type, "role": org.role, "activity-id": org.activity_id}
        _narrative(parent, "participating-org", org.name, **attributes)


def _activity_dates(parent: etree._Element, activity: Activity) -> None:
    written = 0
    for code, name in _DATE_TYPES:
        day = getattr(activity.dates, name)
        if day is not None:
            _sub(parent, "activity-date", type=code, **{"iso-date": day.isoformat()})
            written += 1
    if not written:
        _missing(activity, "an activity-date")


def _sectors(parent: etree._Element, sectors: list[Sector], *, percentages: bool = True) -> None:
    for sector in sectors:
        percentage = _number(sector.percentage) if percentages else None
        _sub(parent, "sector", vocabulary=sector.vocabulary, code=sector.code, percentage=percentage)


def _budget(parent: etree._Element, activity: Activity, budget: Budget) -> None:
    start = _required(activity, budget.period_start, "a start for every budget period")
    end = _required(activity, budget.period_end, "an end for every budget period")
    element = _sub(parent, "budget", type=budget.type, status=budget.status)
    _sub(element, "period-start", **{"iso-date": start.isoformat()})
    _sub(element, "period-end", **{"iso-date": end.isoformat()})
    _value(element, budget.value, budget.currency, budget.value_date or start)


def _transaction(parent: etree._Element, activity: Activity, transaction: Transaction) -> None:
    day = _required(activity, transaction.date or transaction.value_date, "a date for every transaction")
    element = _sub(parent, "transaction")
    _sub(element, "transaction-type", code=KIND_CODES[transaction.kind])
    _sub(element, "transaction-date", **{"iso-date": day.isoformat()})
    _value(element, transaction.value, transaction.currency, transaction.value_date or day)
    if transaction.description:
        _narrative(element, "description", transaction.description)
    _transaction_org(element, "provider-org", transaction.provider_org)
    _transaction_org(element, "receiver-org", transaction.receiver_org)
    # transaction/sector has no percentage attribute in 2.03
    _sectors(element, transaction.sectors, percentages=False)


def _transaction_org(parent: etree._Element, tag: str, org: Org | None) -> None:
    if org is None:
        return
    activity_id = {f"{tag.split('-')[0]}-activity-id": org.activity_id}
    _narrative(parent, tag, org.name, ref=org.ref, type=org.type, **activity_id)


def _value(parent: etree._Element, amount: Decimal, currency: str | None, value_date: dt.date) -> None:
    attributes = {"currency": currency, "value-date": value_date.isoformat()}
    _sub(parent, "value", **attributes).text = _number(amount)


def _narrative(parent: etree._Element, tag: str, text: str | None, **attributes: str | None) -> etree._Element:
    """An element holding its free text in a ``narrative`` child (IATI 2.01 and later)."""
    element = _sub(parent, tag, **attributes)
    if text:
        etree.SubElement(element, "narrative").text = text
    return element


def _sub(parent: etree._Element, tag: str, **attributes: str | None) -> etree._Element:
    """A child element with those of ``attributes`` that have a value."""
    element = etree.SubElement(parent, tag)
    for name, value in attributes.items():
        _set(element, name, value)
    return element


def _set(element: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        element.set(name, value)


def _number(value: Decimal | None) -> str | None:
    """xsd:decimal text (never an exponent)."""
    return None if value is None else format(value, "f")


def _required(activity: Activity, value: T | None, what: str) -> T:
    if value is None:
        _missing(activity, what)
    return value


def _missing(activity: Activity, what: str) -> NoReturn:
    raise IatiError(
        f"cannot be exported: IATI 2.03 requires {what}",
        activity=activity.iati_identifier,
        line=activity.source_line,
    )
