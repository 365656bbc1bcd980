"""Parameter types the API's routers and the lists' filters (assistance.filters) share: a
State's ISO3 code and a strict date. Each says in the OpenAPI schema exactly what it
accepts (a pattern), so that the schema and the code refuse the same values."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from article6.asof import EARLIEST, LATEST, parse_date
from article6.treaty.queries import ISO3_CODE

#: Spaces and tabs around a value are ignored (a code pasted from a table).
PADDING = " \t"
ISO3_PATTERN = r"^[ \t]*[A-Za-z]{3}[ \t]*$"
#: The days from EARLIEST (2008-05-30, the Convention's adoption) to LATEST (2100-12-31); with
#: `format: date`, which rules out the days the calendar does not have.
DATE_PATTERN = (
    r"^(2008-05-3[01]|2008-(0[6-9]|1[0-2])-[0-9]{2}|(2009|20[1-9][0-9])-[0-9]{2}-[0-9]{2}|2100-[0-9]{2}-[0-9]{2})$"
)
assert (EARLIEST, LATEST) == (dt.date(2008, 5, 30), dt.date(2100, 12, 31)), "DATE_PATTERN says these days"


def _strict_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(_("expected a date written YYYY-MM-DD"))
    if value != value.strip():  # as the schema's pattern says: the date alone
        raise ValueError(_("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": value[:40]})
    return parse_date(value)


def _iso3(value: str) -> str:
    code = value.strip(PADDING).upper()
    if not ISO3_CODE.fullmatch(code):
        raise ValueError(_("“%(value)s” is not an ISO 3166-1 alpha-3 code (three letters).") % {"value": value[:20]})
    return code


def blank_is_none(value: Any) -> Any:
    """An empty filter is no filter: `?state=` lists everything, as the pages do."""
    if isinstance(value, str) and not value.strip(PADDING):
        return None
    return value


# An ISO3 code, any case; upper case once read.
Iso3 = Annotated[str, AfterValidator(_iso3), WithJsonSchema({"type": "string", "pattern": ISO3_PATTERN})]
# An ISO3 code as a filter: empty means not filtered on.
Iso3Filter = Annotated[
    Iso3 | None,
    BeforeValidator(blank_is_none),
    WithJsonSchema({"type": "string", "pattern": r"^[ \t]*([A-Za-z]{3})?[ \t]*$"}),
]
# A date written YYYY-MM-DD only (no timestamps or times), from 2008-05-30 to 2100-12-31.
IsoDate = Annotated[
    dt.date,
    BeforeValidator(_strict_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
