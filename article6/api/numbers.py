"""Amounts exact in the API's answers: a Decimal is written as a JSON number with all its
digits (1234567890123456.78, where a float would give 1234567890123456.8). The shape
stays what it was: amounts are JSON numbers. Bodies are read with their numbers as
Decimals (api.errors.JsonParser)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja.renderers import JSONRenderer
from pydantic import BeforeValidator, Field, WithJsonSchema

# An amount in an answer: a Decimal, written as a JSON number.
Amount = Annotated[Decimal, WithJsonSchema({"type": "number"})]

# A Decimal stands in the encoded text as a string that no text of a record can hold (a
# NUL, refused on every form and by PostgreSQL), then becomes the number it marks.
_MARK = "\x00decimal:"
_MARKED = re.compile(r'"\\u0000decimal:(-?[0-9]+(?:\.[0-9]+)?)"')


def _marked(value):
    if isinstance(value, Decimal):
        return f"{_MARK}{value:f}" if value.is_finite() else str(value)
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_marked(item) for item in value]
    return value


class ExactRenderer(JSONRenderer):
    """JSON answers with every Decimal written as a number, to its last digit."""

    def render(self, request, data, *, response_status):
        text = json.dumps(_marked(data), cls=self.encoder_class, **self.json_dumps_params)
        return _MARKED.sub(r"\1", text)


def _not_text(value):
    """An amount in a body is a JSON number: "12.50" (text) or true are refused, as the schema says."""
    if isinstance(value, str | bool):
        raise ValueError(
            _("expected a number, not %(kind)s") % {"kind": _("text") if isinstance(value, str) else "true/false"}
        )
    return value


class NumberOnly:
    """The schema of a Decimal read from a body: a JSON number (never text), to the cent
    (`multipleOf`), below the largest the column holds, with the bounds of the field."""

    def __init__(self, *, digits: int, places: int):
        self.digits, self.places = digits, places

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler.resolve_ref_schema(handler(core_schema))
        # pydantic's Decimal is number-or-string; the number, with its bounds, is what is read.
        number = next((option for option in schema.get("anyOf", [schema]) if option.get("type") == "number"), {})
        schema.pop("anyOf", None)
        schema.update(number, type="number", multipleOf=float(Decimal(1).scaleb(-self.places)))
        # Behind a validator, pydantic leaves the field's bounds under their own names.
        for constraint, keyword in BOUNDS.items():
            if constraint in schema:
                schema[keyword] = float(schema.pop(constraint))
        for name in ("max_digits", "decimal_places"):
            schema.pop(name, None)
        bound = float(10 ** (self.digits - self.places))
        if "maximum" not in schema:
            schema["exclusiveMaximum"] = min(schema.get("exclusiveMaximum", bound), bound)
        if "minimum" not in schema:
            schema["exclusiveMinimum"] = max(schema.get("exclusiveMinimum", -bound), -bound)
        return schema


BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


def decimal_in(*, digits: int, places: int):
    """A Decimal a body gives: a JSON number of at most `digits` digits, `places` after the point."""
    return Annotated[
        Decimal,
        BeforeValidator(_not_text),
        Field(max_digits=digits, decimal_places=places),
        NumberOnly(digits=digits, places=places),
    ]
