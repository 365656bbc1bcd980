"""Reading tabular files for imports: every error names the file, the line, the
field and the reason, and nothing is written unless the whole file is valid."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@dataclass
class ImportErrors(Exception):
    messages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.messages)


@dataclass
class Row:
    """One data row of a CSV file, with where it came from."""

    path: Path
    line: int
    values: dict[str, str]
    errors: list[str]

    def where(self, column: str | None = None) -> str:
        place = f"{self.path.name}, line {self.line}"
        return f"{place}, column {column}" if column else place

    def error(self, column: str | None, reason: str) -> None:
        self.errors.append(f"{self.where(column)}: {reason}")

    def text(self, column: str, *, required: bool = False) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            self.error(column, "a value is required")
        return value

    def date(self, column: str, *, required: bool = False, not_after: dt.date | None = None) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error(column, f"{value!r} is not a date in the form YYYY-MM-DD")
            return None
        if not_after is not None and day > not_after:
            self.error(column, f"{value} is in the future")
        return day

    def integer(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            self.error(column, f"{value!r} is not a whole number")
            return None

    def choice(self, column: str, allowed: set[str] | dict, *, required: bool = False) -> str:
        value = self.text(column, required=required)
        if value and value not in allowed:
            self.error(column, f"{value!r} is not one of: {', '.join(sorted(allowed))}")
            return ""
        return value


def read_csv(path: Path, required_columns: set[str]) -> Iterator[Row]:
    """Rows of a UTF-8 CSV file; raises ImportErrors for an unreadable file or
    missing columns before any row is read. Callers collect row errors from
    `row.errors` (one list shared by all rows)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportErrors([f"{path}: cannot be read ({exc.strerror})"]) from None
    if size > MAX_IMPORT_BYTES:
        raise ImportErrors([f"{path.name}: {size} bytes is over the {MAX_IMPORT_BYTES} bytes allowed"])
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
    except UnicodeDecodeError:
        raise ImportErrors([f"{path.name}: not a UTF-8 text file"]) from None
    missing = sorted(required_columns - set(header))
    if missing:
        handle.close()
        raise ImportErrors([f"{path.name}, line 1: missing column(s): {', '.join(missing)}"])
    errors: list[str] = []
    with handle:
        try:
            for values in reader:
                if None in values:
                    Row(path, reader.line_num, values, errors).error(None, "more values than columns")
                yield Row(path, reader.line_num, values, errors)
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(f"{path.name}, line {reader.line_num}: {exc}")
    if errors:
        raise ImportErrors(errors)


def collect(path: Path, required: set[str], parse: Callable[[Row], object | None]) -> list:
    """Parse every row with `parse`; raise ImportErrors listing every error of
    the file, or return the parsed rows (those for which parse returned a value)."""
    out = []
    for row in read_csv(path, required):
        before = len(row.errors)
        parsed = parse(row)
        if parsed is not None and len(row.errors) == before:
            out.append(parsed)
    return out


# What a file of each kind holds, checked against its name: the first bytes, and for the
# formats that are ZIP or OLE containers the part inside that makes them that kind.
PDF, PNG, JPEG = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STARTS = {"pdf": PDF, "png": PNG, "jpg": JPEG, "jpeg": JPEG}
OOXML = {  # Office Open XML: the content type of the main part, in [Content_Types].xml
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
ODF = {  # OpenDocument: the "mimetype" entry
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
OLE_STREAMS = {"doc": ("WordDocument",), "xls": ("Workbook", "Book")}  # Word 97–2003, Excel 5–2003
TEXT_KINDS = {"csv", "txt"}  # UTF-8 text, without NUL bytes
MAX_PART_BYTES = 1024 * 1024  # a container's descriptive part is small; a larger one is not read


def _zip_part(data: bytes, name: str) -> bytes | None:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(name)
            if info.file_size > MAX_PART_BYTES:
                return None
            return archive.read(info)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RuntimeError, NotImplementedError, EOFError):
        return None


def content_is(extension: str, data: bytes) -> bool:
    """Whether `data` holds a file of the kind its extension names (magic bytes, and for
    containers the part that makes the kind), not merely a file renamed."""
    if extension in STARTS:
        return data.startswith(STARTS[extension])
    if extension in OOXML:
        types = _zip_part(data, "[Content_Types].xml") if data.startswith(ZIP) else None
        return types is not None and OOXML[extension].encode() in types
    if extension in ODF:
        mimetype = _zip_part(data, "mimetype") if data.startswith(ZIP) else None
        return mimetype is not None and mimetype.strip() == ODF[extension].encode()
    if extension in OLE_STREAMS:
        # A directory entry names each stream in UTF-16, ending with a NUL character.
        names = (f"{stream}\0".encode("utf-16-le") for stream in OLE_STREAMS[extension])
        return data.startswith(OLE) and any(name in data for name in names)
    if extension == "xml":  # markup from its first character (a byte-order mark aside)
        return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and b"\0" not in data[:4096]
    if extension in TEXT_KINDS:
        if b"\0" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def check_upload(upload, extensions: tuple[str, ...] | frozenset[str], max_bytes: int) -> None:
    """Refuse an uploaded file of another kind, or larger than `max_bytes`, or whose
    content is not of the kind its name says (`content_is`: an executable named
    "evil.pdf"), before it is kept or read: a ValidationError naming the file and the
    reason. The file is left at its start."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in extensions:
        raise ValidationError(
            _("“%(name)s”: only these kinds of file are taken: %(kinds)s.")
            % {"name": upload.name[:100], "kinds": ", ".join(sorted(extensions))}
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": upload.name[:100], "size": round(upload.size / 1048576, 1), "limit": max_bytes // 1048576}
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if not content_is(extension, data):
        raise ValidationError(
            _("“%(name)s” is not a .%(kind)s file: what it holds is of another kind, or damaged.")
            % {"name": upload.name[:100], "kind": extension}
        )
