"""Reading IATI XML safely, as a stream.

IATI files come from third parties and can be large, so they are read with
:func:`lxml.etree.iterparse` under these rules:

- no entity is expanded and nothing is fetched (``resolve_entities=False``,
  ``load_dtd=False``, ``no_network=True``). A document whose DOCTYPE declares
  entities, or points to an external DTD, is refused outright: the IATI
  Standard defines its files by XML Schema only, so such a declaration can only
  be a mistake or an attack (external entities, "billion laughs");
- libxml2's size limits stay on (``huge_tree=False``): an oversized text node or
  an absurd nesting depth is an error, not a memory blow-up;
- each child of the document element is handed to the caller and then cleared
  and detached, so memory does not grow with the number of activities;
- a malformed or truncated file raises :class:`IatiError` with libxml2's line,
  column and reason when the parser reaches the fault: whatever was yielded
  before it is not silently kept, the error still surfaces.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

#: A file name, an open binary file, or the document itself as bytes.
Source = str | os.PathLike | IO[bytes] | bytes

#: Parser options for every IATI document and every file of ours (schemas, code lists).
SAFE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_LOCATION_SUFFIX = re.compile(r",\s*line \d+,\s*column \d+\s*$")


class IatiError(ValueError):
    """An IATI file, or a part of it, that cannot be read: where and why.

    ``activity`` is the iati-identifier when the fault is inside an activity,
    ``element`` the path of the faulty element below ``iati-activity`` (for
    example ``transaction/value``), ``line`` the line in the file.
    """

    def __init__(
        self,
        reason: str,
        *,
        line: int | None = None,
        column: int | None = None,
        activity: str | None = None,
        element: str | None = None,
    ) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.activity = activity
        self.element = element
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.activity:
            where.append(f"activity {self.activity}")
        if self.element:
            where.append(f"<{self.element}>" if "@" not in self.element else self.element)
        if self.line:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


def secure_parser() -> etree.XMLParser:
    """A parser with :data:`SAFE_OPTIONS`, for whole (small) documents of our own."""
    return etree.XMLParser(**SAFE_OPTIONS)


@dataclass
class RootInfo:
    """What is known of the document element (``iati-activities``) while streaming."""

    tag: str
    attrib: dict[str, str]
    nsmap: dict[str | None, str]
    line: int | None
    #: Non-element text found after the last child (schema checks need it).
    text_after: str = field(default="")

    @property
    def version(self) -> str | None:
        """``iati-activities/@version``, stripped, or None."""
        value = self.attrib.get("version")
        return value.strip() if value is not None else None


@dataclass
class TopLevel:
    """One child of the document element, valid until the stream moves on.

    The element is cleared as soon as the caller asks for the next one: copy it
    (``copy.deepcopy``) to keep it longer.
    """

    element: etree._Element
    #: Non-element text between the previous child (or the start tag) and this one.
    text_before: str


class XmlStream:
    """Iterate over the children of an IATI document element, safely.

    ``root`` is filled in as soon as the document element's start tag is read
    and stays available after the iteration (with ``text_after``).
    """

    def __init__(self, source: Source, root_tag: str = "iati-activities") -> None:
        self.source = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
        self.root_tag = root_tag
        self.root: RootInfo | None = None

    def __iter__(self) -> Iterator[TopLevel]:
        try:
            yield from self._children()
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc) from exc
        except OSError as exc:
            raise IatiError(f"the file cannot be read: {exc}") from exc

    def _children(self) -> Iterator[TopLevel]:
        root = None
        for event, element in etree.iterparse(self.source, events=("start", "end"), **SAFE_OPTIONS):
            if root is None:
                root = self._open(element)
            elif event == "end" and element.getparent() is root:
                yield TopLevel(element, _text_before(element, root))
                _release(element, root)
            elif event == "end" and element is root:
                self.root.text_after = _text_after(root)

    def _open(self, element: etree._Element) -> etree._Element:
        """Check the document before its first child is parsed; remember the root."""
        refuse_doctype(element.getroottree().docinfo)
        if element.tag != self.root_tag:
            raise IatiError(
                f"the document element is <{element.tag}>, not <{self.root_tag}>: this is not an IATI activity file",
                line=element.sourceline,
            )
        self.root = RootInfo(element.tag, dict(element.attrib), dict(element.nsmap), element.sourceline)
        return element


def refuse_doctype(docinfo: etree.DocInfo) -> None:
    """Refuse a DOCTYPE that declares entities or points to an external DTD.

    The entities are never expanded (``resolve_entities=False``), but a file
    that declares them is not an IATI file anyone should import.
    """
    dtd = docinfo.internalDTD
    names = [entity.name for entity in dtd.iterentities()] if dtd is not None else []
    if names:
        raise IatiError(
            "the DOCTYPE declares entities (" + ", ".join(names[:5]) + "): IATI files have no DTD, "
            "and entity declarations are refused (they are the vehicle of external-entity and "
            "entity-expansion attacks); nothing was expanded"
        )
    if docinfo.system_url or docinfo.public_id:
        raise IatiError("the DOCTYPE refers to an external DTD: IATI files have no DTD, and none is loaded")


def _text_before(element: etree._Element, root: etree._Element) -> str:
    previous = element.getprevious()
    return (previous.tail if previous is not None else root.text) or ""


def _text_after(root: etree._Element) -> str:
    return (root[-1].tail if len(root) else root.text) or ""


def _release(element: etree._Element, root: etree._Element) -> None:
    """Free a handled child and everything before it (keeping its tail: the next text_before)."""
    element.clear(keep_tail=True)
    while element.getprevious() is not None:
        del root[0]


def _syntax_error(exc: etree.XMLSyntaxError) -> IatiError:
    reason = _LOCATION_SUFFIX.sub("", exc.msg or str(exc))
    line, column = exc.position if exc.position else (exc.lineno, None)
    return IatiError(f"malformed XML: {reason}", line=line or None, column=column or None)
