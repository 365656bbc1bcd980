"""OECD Creditor Reporting System (CRS) disbursement tables.

Reads the CSV layout of the OECD data extracts the project keeps (one row per
provider, recipient, purpose code and year, in current US dollars):

    pacific_code, pacific_name, counterpart_code, counterpart_name, year,
    sector_code, sector_name, value_usd[, pct_gdp]

Every row is checked, not only the wanted ones, so a damaged file is refused
whole: a missing column raises :class:`CrsError` naming it; short rows, bad years,
purpose codes or numbers raise :class:`CrsErrors` once the whole file is read, naming
every bad value by line, column and reason.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

#: CSV column of each CrsRow field.
COLUMNS = {
    "recipient_iso2": "pacific_code",
    "recipient_name": "pacific_name",
    "provider_code": "counterpart_code",
    "provider_name": "counterpart_name",
    "year": "year",
    "purpose_code": "sector_code",
    "purpose_name": "sector_name",
    "value_usd": "value_usd",
}

#: OECD DAC purpose code 15250: Removal of land mines and explosive remnants of war.
DEFAULT_PURPOSE_CODES = frozenset({"15250"})

_ISO2 = re.compile(r"[A-Z]{2}")
_YEAR = re.compile(r"\d{4}")
_PURPOSE = re.compile(r"\d{5}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class CrsError(ValueError):
    """A CRS file that cannot be read: line, column and reason."""

    def __init__(self, reason: str, *, line: int | None = None, column: str | None = None) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        where = ", ".join(
            part for part in (f"line {line}" if line else "", f"column {column}" if column else "") if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)


class CrsErrors(CrsError):
    """Every bad value of a CRS file, in file order (``errors``); as a CrsError, the first."""

    def __init__(self, errors: list[CrsError]) -> None:
        first = errors[0]
        super().__init__(first.reason, line=first.line, column=first.column)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


@dataclass(frozen=True)
class CrsRow:
    """One CRS figure: what a provider disbursed to a recipient for a purpose in a year."""

    recipient_iso2: str
    recipient_name: str
    provider_code: str  # ISO 3166 alpha-2 for a country, an OECD code (e.g. CRS_1UN0...) for a multilateral
    provider_name: str
    year: int
    purpose_code: str
    purpose_name: str
    value_usd: Decimal
    line: int = field(default=0, compare=False)


def iter_crs_rows(
    source: str | os.PathLike | IO[str], purpose_codes: Iterable[str] | None = DEFAULT_PURPOSE_CODES
) -> Iterator[CrsRow]:
    """Yield the rows of a CRS CSV whose purpose code is in ``purpose_codes`` (None: all);
    once every row is read, raise :class:`CrsErrors` if any row of any purpose is bad."""
    wanted = None if purpose_codes is None else frozenset(purpose_codes)
    errors: list[CrsError] = []
    with _open(source) as handle:
        reader = csv.reader(handle)
        header = _header(next(reader, None))
        line = reader.line_num
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not any(value.strip() for value in fields):
                continue
            row = _row(dict(zip(header, fields, strict=False)), fields, header, start, errors)
            if row is not None and not errors and (wanted is None or row.purpose_code in wanted):
                yield row
    if errors:
        raise CrsErrors(errors)


def _open(source: str | os.PathLike | IO[str]) -> contextlib.AbstractContextManager[IO[str]]:
    if isinstance(source, str | os.PathLike):
        return open(source, encoding="utf-8-sig", newline="")  # closed by the caller's with
    return contextlib.nullcontext(source)


def _header(fields: list[str] | None) -> list[str]:
    if fields is None:
        raise CrsError("the file is empty", line=1)
    header = [name.strip().lstrip("\ufeff") for name in fields]
    for column in COLUMNS.values():
        if column not in header:
            raise CrsError(f"missing column (the header is: {', '.join(header)})", line=1, column=column)
    return header


def _row(
    values: dict[str, str], fields: list[str], header: list[str], line: int, errors: list[CrsError]
) -> CrsRow | None:
    """The row, or None with every bad value of it added to ``errors``."""
    if len(fields) < len(header):
        missing = header[len(fields)]
        errors.append(
            CrsError(
                f"missing value: the row has {len(fields)} fields, the header {len(header)}", line=line, column=missing
            )
        )
        return None
    if len(fields) > len(header):
        errors.append(CrsError(f"the row has {len(fields)} fields, the header only {len(header)}", line=line))
        return None
    before = len(errors)
    text = {name: values[column].strip() for name, column in COLUMNS.items()}
    _check(text, "recipient_iso2", _ISO2, "is not an ISO 3166 alpha-2 code", line, errors)
    _check(text, "year", _YEAR, "is not a year", line, errors)
    _check(text, "purpose_code", _PURPOSE, "is not a 5-digit CRS purpose code", line, errors)
    for name in ("recipient_name", "provider_code", "provider_name", "purpose_name"):
        if not text[name]:
            errors.append(CrsError("a value is required", line=line, column=COLUMNS[name]))
    # An amount in US dollars (the OECD writes 46135.0); not a number, NaN or infinity is refused.
    _check(text, "value_usd", _NUMBER, "is not a number", line, errors)
    if len(errors) > before:
        return None
    return CrsRow(**{**text, "year": int(text["year"]), "value_usd": Decimal(text["value_usd"])}, line=line)


def _check(
    text: dict[str, str], name: str, pattern: re.Pattern[str], reason: str, line: int, errors: list[CrsError]
) -> None:
    if not pattern.fullmatch(text[name]):
        errors.append(CrsError(f"{text[name]!r} {reason}", line=line, column=COLUMNS[name]))
