"""Validation against the IATI 2.03 activity schema, one activity at a time.

The schema (``iati-activities-schema.xsd`` with ``iati-common.xsd`` and
``xml.xsd``, kept in ``article6/data/iati/schemas``) is loaded from the package
with network access off: its include and import are relative file names that
resolve next to it.

The 2.03 schema has no identity constraint across activities: the document
element is "one or more iati-activity, then elements of other namespaces"
(``iati-activities-schema.xsd``, element iati-activities) with a required
``version`` attribute. So validity splits exactly in two:

- each activity is valid or not on its own: it is validated inside a bare
  ``<iati-activities version="...">`` wrapper, which gives a per-activity verdict
  (the import keeps the valid ones) and keeps memory flat;
- the document itself (its attributes, the order and kind of its other
  children, stray text, the presence of at least one activity) is validated as
  a skeleton in which each run of activities is one minimal valid activity.

The standard's own test files (ssot-activity-xml-pass and -fail) get the same
verdict this way as by validating each whole file.
"""

from __future__ import annotations

import copy
import threading

from lxml import etree

from article6.interchange.activity import ValidationProblem
from article6.interchange.codelists import DATA_DIR
from article6.interchange.iati_read import LEGACY_VERSION, identifier_of
from article6.interchange.xmlsafe import RootInfo, Source, TopLevel, XmlStream, secure_parser

SCHEMA_DIR = DATA_DIR / "schemas"
ACTIVITY = "iati-activity"

#: Stands in for a run of activities in the document skeleton: the smallest activity the 2.03 schema accepts.
_STUB_ACTIVITY = (
    b"<iati-activity><iati-identifier/>"
    b'<reporting-org ref="x" type="x"><narrative/></reporting-org>'
    b"<title><narrative/></title><description><narrative/></description>"
    b'<participating-org role="1"/><activity-status code="1"/>'
    b'<activity-date type="1" iso-date="2000-01-01"/></iati-activity>'
)


_loaded = threading.local()


def activity_schema() -> etree.XMLSchema:
    """The IATI 2.03 activity schema, loaded once per thread (an XMLSchema keeps its
    error log on itself, so threads do not share one); network access off."""
    schema = getattr(_loaded, "schema", None)
    if schema is None:
        document = etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd"), secure_parser())
        schema = _loaded.schema = etree.XMLSchema(document)
    return schema


def is_legacy(version: str | None) -> bool:
    """Whether a declared version is IATI 1.0x, which the 2.03 schema does not apply to."""
    return bool(version) and bool(LEGACY_VERSION.fullmatch(version.strip()))


def schema_errors(document: etree._Element) -> list[tuple[int | None, str]]:
    """(line, message) of each schema error of a whole ``iati-activities`` element."""
    schema = activity_schema()
    if schema.validate(document):
        return []
    return [(error.line or None, error.message) for error in schema.error_log]


def activity_errors(element: etree._Element, version: str = "2.03") -> list[tuple[int | None, str]]:
    """(line, message) of each schema error of one ``iati-activity`` (lines are the file's)."""
    wrapper = etree.Element("iati-activities", version=version or "2.03")
    wrapper.append(copy.deepcopy(element))
    return schema_errors(wrapper)


def validate_activity(element: etree._Element, version: str = "2.03") -> list[str]:
    """Reasons why one ``iati-activity`` element is not valid IATI 2.03 (empty: valid)."""
    return [f"line {line}: {message}" if line else message for line, message in activity_errors(element, version)]


def activity_problems(element: etree._Element, version: str | None) -> list[ValidationProblem]:
    """:func:`activity_errors` as problems naming the activity."""
    identifier = identifier_of(element)
    return [
        ValidationProblem(identifier, line or element.sourceline, message)
        for line, message in activity_errors(element, version or "2.03")
    ]


class DocumentCheck:
    """Collects the document's skeleton while streaming, then validates it."""

    def __init__(self) -> None:
        self.children: list[etree._Element] = []
        self.text: list[tuple[int, str]] = []  # (index of the child the text follows, text)
        self.legacy_activities = 0
        self.activities = 0

    def add(self, top: TopLevel) -> None:
        """Record a child of the document element (activities collapse into stubs)."""
        element = top.element
        self._text(top.text_before)
        if element.tag != ACTIVITY:
            self.children.append(copy.deepcopy(element))
            return
        self.activities += 1
        self.legacy_activities += is_legacy(element.get("version"))
        if not self.children or self.children[-1].tag != ACTIVITY:
            stub = etree.fromstring(_STUB_ACTIVITY, secure_parser())
            stub.sourceline = element.sourceline
            self.children.append(stub)

    def applies(self, root: RootInfo) -> bool:
        """False for a 1.0x document (declared on the root, or on every activity if the root is silent)."""
        if root.version is not None:
            return not is_legacy(root.version)
        return not (self.activities and self.legacy_activities == self.activities)

    def problems(self, root: RootInfo) -> list[ValidationProblem]:
        """Schema problems of the document outside its activities."""
        if not self.applies(root):
            return []
        self._text(root.text_after)
        skeleton = etree.Element(root.tag, attrib=root.attrib, nsmap=root.nsmap)
        skeleton.sourceline = root.line
        for index, child in enumerate(self.children):
            skeleton.append(child)
            child.tail = "".join(text for at, text in self.text if at == index + 1) or None
        skeleton.text = "".join(text for at, text in self.text if at == 0) or None
        return [ValidationProblem(None, line or root.line, message) for line, message in schema_errors(skeleton)]

    def _text(self, text: str) -> None:
        if text.strip():
            self.text.append((len(self.children), text))


def validate_document(source: Source) -> list[ValidationProblem]:
    """Every IATI 2.03 schema problem of a file, activity by activity (empty: valid).

    IATI 1.0x files are not checked (the 2.03 schema does not apply): the result is empty.
    Malformed XML or a refused DOCTYPE raises :class:`IatiError`.
    """
    stream = XmlStream(source)
    document = DocumentCheck()
    problems: list[ValidationProblem] = []
    for top in stream:
        document.add(top)
        if top.element.tag == ACTIVITY:
            version = top.element.get("version") or stream.root.version
            if not is_legacy(version):
                problems += activity_problems(top.element, stream.root.version)
    return document.problems(stream.root) + problems
