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


def check_upload(upload, extensions: tuple[str, ...] | frozenset[str], max_bytes: int) -> None:
    """Refuse an uploaded file of another kind, or larger than `max_bytes`, before it is
    read: a ValidationError naming the file and the reason."""
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
