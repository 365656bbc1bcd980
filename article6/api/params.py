"""Parameter types the API's routers and the lists' filters (assistance.filters) share: a
State's ISO3 code and a strict date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator

from article6.asof import parse_date
from article6.treaty.queries import ISO3_CODE


def _strict_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(_("expected a date written YYYY-MM-DD"))
    return parse_date(value)


def _iso3(value: str) -> str:
    code = value.strip().upper()
    if not ISO3_CODE.fullmatch(code):
        raise ValueError(_("“%(value)s” is not an ISO 3166-1 alpha-3 code (three letters).") % {"value": value[:20]})
    return code


# An ISO3 code, any case; upper case once read.
Iso3 = Annotated[str, AfterValidator(_iso3)]
# A date written YYYY-MM-DD only (no timestamps or times), from 2008-05-30 to 2100-12-31.
IsoDate = Annotated[dt.date, BeforeValidator(_strict_date)]
