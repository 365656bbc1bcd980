"""The public pages about States: home, the States list, a State's profile, organisations.

Views only read the request and hand the Convention's clock (treaty.queries) to
a template; every figure is computed as of the date picked (?as_of=)."""

from __future__ import annotations

from django.shortcuts import render

from article6.asof import as_of_from_request
from article6.paging import page_of
from article6.states.forms import StateFilterForm
from article6.states.models import Organisation, Region
from article6.treaty import queries, rules

STATES_PER_PAGE = 50
HOME_DEADLINE_MONTHS = 12
PROFILE_DEADLINE_MONTHS = 24


def home(request):
    as_of, _error = as_of_from_request(request)
    figures = queries.membership(as_of)
    regions = [(value, label, figures.by_region.get(value, rules.RegionCount())) for value, label in Region.choices]
    until = rules.add_months(as_of, HOME_DEADLINE_MONTHS)
    upcoming = queries.group_annual_reports(queries.deadlines(as_of, until, known_on=as_of))
    return render(
        request,
        "states/home.html",
        {"figures": figures, "regions": regions, "upcoming": upcoming, "until": until},
    )


def state_list(request):
    as_of, _error = as_of_from_request(request)
    form = StateFilterForm(request.GET)
    filters = form.filters()
    states, counts = queries.search_states(as_of, **filters)
    page, page_message = page_of(request, states, STATES_PER_PAGE)
    status_counts = [(status, counts[status]) for status in rules.Status]
    return render(
        request,
        "states/list.html",
        {
            "form": form,
            "filters": filters,
            "ignored": form.ignored(),
            "page_message": page_message,
            "page": page,
            "total": len(states),
            "matched": sum(counts.values()),
            "status_counts": status_counts,
        },
    )


def state_detail(request, iso3: str):
    as_of, _error = as_of_from_request(request)
    profile = queries.state_profile(iso3, as_of, months=PROFILE_DEADLINE_MONTHS)
    if profile is None:
        return render(request, "404.html", {"missing_iso3": iso3[:20]}, status=404)
    return render(request, "states/detail.html", {"profile": profile, "clock": profile.clock, "state": profile.state})


def organisation_list(request):
    organisations = list(Organisation.objects.all())
    return render(request, "states/organisations.html", {"organisations": organisations})
