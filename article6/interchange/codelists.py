"""The IATI 2.03 code lists the IATI reader uses, kept in ``article6/data/iati/codelists``.

TransactionType (kinds of transaction), OrganisationRole (1.0x role names to
2.0x codes), Currency (ISO 4217 codes; a complete list, so an unknown code is an
error), OrganisationType and Sector (names shown next to codes). Their
provenance is in ``article6/data/iati/SOURCES.md``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from article6.interchange.xmlsafe import XML_LANG, secure_parser

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "iati"
CODELIST_DIR = DATA_DIR / "codelists"


@dataclass(frozen=True)
class Code:
    """One item of an IATI code list (English name)."""

    code: str
    name: str
    withdrawn: bool


@functools.cache
def codelist(name: str) -> MappingProxyType[str, Code]:
    """The items of code list ``name`` (e.g. ``"TransactionType"``), by code."""
    tree = etree.parse(str(CODELIST_DIR / f"{name}.xml"), secure_parser())
    items = {}
    for item in tree.iterfind("codelist-items/codelist-item"):
        code = (item.findtext("code") or "").strip()
        items[code] = Code(code, _english(item.find("name")), item.get("status") == "withdrawn")
    return MappingProxyType(items)


def name_of(codelist_name: str, code: str | None) -> str | None:
    """The English name of ``code`` in a code list, or None when it is not on it."""
    item = codelist(codelist_name).get(code or "")
    return item.name if item else None


def sector_name(code: str) -> str | None:
    """Name of a DAC 5-digit purpose code, e.g. 15250 "Removal of land mines and explosive remnants of war"."""
    return name_of("Sector", code)


def _english(name: etree._Element | None) -> str:
    if name is None:
        return ""
    narratives = name.findall("narrative")
    chosen = next((n for n in narratives if n.get(XML_LANG) in (None, "en")), None)
    return (chosen.text or "").strip() if chosen is not None else ""


@functools.cache
def currencies() -> frozenset[str]:
    """The ISO 4217 codes of the IATI Currency list (withdrawn ones too: old reports use them)."""
    return frozenset(codelist("Currency"))
