"""One pagination for every list operation of the API: `limit` and `offset`, both
bounded (a value outside the bounds is a 422 naming it, never a database error), and
one shape for every page: the count, where the page starts, the offsets of the next
and previous pages, the items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
#: Far beyond any list the API holds, and far below what the databases' integers hold.
MAX_OFFSET = 1_000_000


class Paging(Schema):
    """The query parameters of every list operation (`paging: Query[Paging]`)."""

    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items a page holds; at most {MAX_LIMIT}."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"How many matching items to skip; at most {MAX_OFFSET}.")

    def page(self, items: QuerySet | Sequence, out: Callable[[Any], Any] = lambda item: item) -> dict:
        """The page of `items` as every list operation answers it, each item shaped by
        `out`. A queryset is read in two queries: the count, then the page (with its
        prefetches); none for the page when nothing matches."""
        count = items.count() if isinstance(items, QuerySet) else len(items)
        end = self.offset + self.limit
        shown = list(items[self.offset : end]) if count > self.offset else []
        return {
            "count": count,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": end if end < count else None,
            "previous_offset": max(0, self.offset - self.limit) if self.offset else None,
            "items": [out(item) for item in shown],
        }


class Page(Schema):
    """What every list operation answers; its `items` are declared by each list."""

    count: int = Field(description="How many items match the filters.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page; null on the last one.")
    previous_offset: int | None = Field(description="The offset of the previous page; null on the first one.")
