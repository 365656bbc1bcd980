"""Pagination of the public pages' tables."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _


def page_of(request, items, per_page: int) -> tuple[Page, str | None]:
    """The page of `items` asked for by ?page=, and a message when that page
    does not exist (the nearest one is shown instead)."""
    paginator = Paginator(items, per_page)
    asked = request.GET.get("page")
    page = paginator.get_page(asked)
    if asked in (None, ""):
        return page, None
    try:
        valid = 1 <= int(asked) <= paginator.num_pages
    except ValueError:
        valid = False
    if valid:
        return page, None
    return page, _("There is no page “%(page)s”; showing page %(shown)s.") % {
        "page": str(asked)[:20],
        "shown": page.number,
    }
