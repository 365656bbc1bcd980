"""Amounts exact in the API's answers: a Decimal is written as a JSON number with all its
digits (1234567890123456.78, where a float would give 1234567890123456.8). The shape
stays what it was: amounts are JSON numbers. Bodies are read with their numbers as
Decimals (api.errors.JsonParser)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Annotated

from ninja.renderers import JSONRenderer
from pydantic import WithJsonSchema

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
