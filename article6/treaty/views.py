"""The deadlines calendar and its iCalendar feed (RFC 5545).

Both take the same filters (`from`, `to`, `article`, `state`); the page
ignores an invalid one and says so, the feed answers 400 naming it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import icalendar
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page

from article6.asof import as_of_from_request, today
from article6.paging import page_of
from article6.states.models import State
from article6.treaty import labels, queries, rules
from article6.treaty.forms import DeadlineFilterForm

PAGE_MONTHS = 12
FEED_MONTHS = 24
# Calendar apps poll the feed; the deadlines move only when the treaty data does, and then by
# days: the same answer is given for five minutes (per address and language, to everyone:
# the feed is public), and calendar apps and proxies are told they may keep it as long.
FEED_CACHE_SECONDS = 300
ROWS_PER_PAGE = 100


def _form(request, default_start: dt.date, default_months: int) -> DeadlineFilterForm:
    states = sorted(State.objects.values_list("iso3", "name"), key=lambda s: queries.folded(s[1]))
    return DeadlineFilterForm(request.GET, states=states, default_start=default_start, default_months=default_months)


def _query(params: dict) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})


def deadlines(request):
    as_of, _error = as_of_from_request(request)
    form = _form(request, as_of, PAGE_MONTHS)
    start, end = form.period()
    filters = form.filters()
    found, passed = queries.deadlines_with_passed(start, end, known_on=as_of, **filters)
    # One State: every row. All States: the annual reports due on one day as one row.
    rows = found if filters["iso3"] else queries.group_annual_reports(found)
    page, page_message = page_of(request, rows, ROWS_PER_PAGE)
    feed = reverse("treaty:deadlines_ics")
    kept = {"article": filters["article"] or "", "state": filters["iso3"] or ""}
    feed_url = f"{feed}?{_query({'from': start.isoformat(), 'to': end.isoformat(), **kept})}"
    # A subscription follows the calendar from the day it is read: no fixed period.
    subscribe = request.build_absolute_uri(f"{feed}?{_query(kept)}" if _query(kept) else feed)
    webcal_url = "webcal://" + subscribe.split("://", 1)[1]
    return render(
        request,
        "treaty/deadlines.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "filters": filters,
            "ignored": form.ignored(),
            "page_message": page_message,
            "page": page,
            "months": queries.by_month(page.object_list),
            "count": len(found),
            "passed": passed,
            "feed_url": feed_url,
            "webcal_url": webcal_url,
        },
    )


def _event(request, item: queries.StateDeadline, stamp: dt.datetime) -> icalendar.Event:
    state, deadline = item.state, item.deadline
    kind = deadline.kind.value
    if deadline.kind is rules.DeadlineKind.EXTENSION_REQUEST:
        kind = f"{kind}-art{deadline.article}"  # one per article may fall on the same day
    event = icalendar.Event()
    event.add("uid", f"{state.iso3}-{kind}-{deadline.date.isoformat()}@article6")
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.date)
    event.add("dtend", deadline.date + dt.timedelta(days=1))
    event.add("summary", f"{state.name}: {labels.what_is_due(deadline)}")
    event.add("description", f"{labels.what_is_due(deadline)}.\n{labels.DEADLINE_EXPLANATIONS[deadline.kind]}")
    event.add("url", request.build_absolute_uri(state.get_absolute_url()))
    event.add("categories", [labels.provision(deadline)])
    event.add("transp", "TRANSPARENT")
    return event


@cache_page(FEED_CACHE_SECONDS)
def deadlines_ics(request):
    form = _form(request, today(), FEED_MONTHS)
    ignored = form.ignored()
    if ignored:
        parameter, _label, _value, reason = ignored[0]
        return HttpResponseBadRequest(
            _("Bad parameter “%(parameter)s”: %(reason)s") % {"parameter": parameter, "reason": reason},
            content_type="text/plain; charset=utf-8",
        )
    start, end = form.period()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//article6//Convention on Cluster Munitions deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Convention on Cluster Munitions: deadlines"))
    stamp = timezone.now().replace(microsecond=0)
    for item in queries.deadlines(start, end, **form.filters()):
        calendar.add_component(_event(request, item, stamp))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="article6-deadlines.ics"'
    return response
