"""IATI activity files: read (1.01-2.03), validate (2.03 schema), write (2.03).

The public API of the IATI layer; no database access.

- :func:`iter_activities` streams a file and yields the activities of the
  wanted DAC sectors (15250, "Removal of land mines and explosive remnants of
  war", by default) as :class:`Activity` dataclasses;
- :func:`validate_document` lists every IATI 2.03 schema problem of a file,
  activity by activity; :func:`validate_activity` checks one element;
- :func:`parse_file` does both in one pass for an import: strict (any problem
  rejects the whole file) or not (valid activities kept, invalid ones listed);
- :func:`export_activities` writes activities back as IATI 2.03 XML.

Malformed XML, a DOCTYPE declaring entities or an unreadable file always raise
:class:`IatiError`: there is nothing sensible to keep from such a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

from article6.interchange.activity import (
    TRANSACTION_KINDS,
    Activity,
    ActivityDates,
    Budget,
    Org,
    ParseResult,
    ParticipatingOrg,
    RecipientCountry,
    Sector,
    Transaction,
    ValidationProblem,
)
from article6.interchange.iati_read import identifier_of, matches_sectors, read_activity
from article6.interchange.iati_schema import (
    ACTIVITY,
    DocumentCheck,
    activity_problems,
    is_legacy,
    validate_activity,
    validate_document,
)
from article6.interchange.iati_write import export_activities
from article6.interchange.xmlsafe import IatiError, Source, XmlStream

__all__ = [
    "DEFAULT_SECTORS",
    "TRANSACTION_KINDS",
    "Activity",
    "ActivityDates",
    "Budget",
    "IatiError",
    "Org",
    "ParseResult",
    "ParticipatingOrg",
    "RecipientCountry",
    "Sector",
    "Transaction",
    "ValidationProblem",
    "export_activities",
    "iter_activities",
    "parse_file",
    "validate_activity",
    "validate_document",
]

#: OECD DAC purpose code 15250: Removal of land mines and explosive remnants of war.
DEFAULT_SECTORS = frozenset({"15250"})


def iter_activities(source: Source, sectors: Iterable[str] | None = DEFAULT_SECTORS) -> Iterator[Activity]:
    """Yield the activities of ``source`` that have one of ``sectors`` (None: all).

    A sector counts when it is on the activity with vocabulary 1 (1.0x "DAC")
    or none, or, for an activity without sector elements, on a transaction.
    Streams: memory does not grow with the file. Raises :class:`IatiError` when
    it reaches malformed XML or a bad value in a wanted activity; activities
    yielded before stay yielded, so a caller writes them in one transaction.
    """
    wanted = None if sectors is None else frozenset(sectors)
    stream = XmlStream(source)
    for top in stream:
        if top.element.tag == ACTIVITY and matches_sectors(top.element, wanted):
            yield read_activity(top.element, stream.root.version)


def parse_file(source: Source, sectors: Iterable[str] | None = DEFAULT_SECTORS, *, strict: bool = False) -> ParseResult:
    """Read and validate a whole file for an import, in one pass.

    An activity is a problem when the 2.03 schema rejects it or when it cannot
    be read (a bad date, amount, transaction type or currency). Strict: every
    activity is validated (the wanted ones are also read) and any problem, of
    the document too, rejects the file: ``activities`` is empty. Not strict:
    only the wanted activities are checked; the valid ones are returned, the
    others listed in ``problems`` after the document-level problems (which do
    not drop activities). IATI 1.0x files are read without schema validation.
    """
    wanted = None if sectors is None else frozenset(sectors)
    stream = XmlStream(source)
    document = DocumentCheck()
    activities: list[Activity] = []
    problems: list[ValidationProblem] = []
    for top in stream:
        document.add(top)
        element = top.element
        if element.tag != ACTIVITY or not (strict or matches_sectors(element, wanted)):
            continue
        found = _check_and_read(element, stream.root.version, wanted)
        if isinstance(found, Activity):
            activities.append(found)
        else:
            problems += found
    problems = document.problems(stream.root) + problems
    version = stream.root.version
    return ParseResult(
        activities=[] if strict and problems else activities,
        problems=problems,
        version=version,
        schema_checked=document.applies(stream.root),
    )


def _check_and_read(
    element: etree._Element, file_version: str | None, wanted: frozenset[str] | None
) -> Activity | list[ValidationProblem]:
    """The activity (if wanted), or its problems: schema first, then reading."""
    version = element.get("version") or file_version
    problems = [] if is_legacy(version) else activity_problems(element, file_version)
    if problems:
        return problems
    if not matches_sectors(element, wanted):
        return []
    try:
        return read_activity(element, file_version)
    except IatiError as exc:
        return [ValidationProblem(exc.activity or identifier_of(element), exc.line, _reason(exc))]


def _reason(exc: IatiError) -> str:
    return f"{exc.element}: {exc.reason}" if exc.element else exc.reason
