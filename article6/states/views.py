"""The public pages about States: home, the States list, a State's profile, organisations.

Views only read the request and hand the Convention's clock (treaty.queries) to
a template; every figure is computed as of the date picked (?as_of=)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from article6.accounts import audit
from article6.accounts.permissions import require
from article6.asof import as_of_from_request, today
from article6.paging import page_of
from article6.reporting import queries as reporting_queries
from article6.states import charts as home_charts
from article6.states import declarations
from article6.states import map as home_map
from article6.states.forms import OrganisationDeclarationForm, ReviewForm, StateDeclarationForm, StateFilterForm
from article6.states.models import (
    Organisation,
    OrganisationDeclaration,
    Region,
    State,
    StateDeclaration,
)
from article6.treaty import queries, rules

STATES_PER_PAGE = 50
HOME_DEADLINE_MONTHS = 12
PROFILE_DEADLINE_MONTHS = 24


def _profile_url(iso3: str, as_of_param: str | None) -> str:
    url = reverse("states:detail", args=[iso3])
    return f"{url}?{urlencode({'as_of': as_of_param})}" if as_of_param else url


def home(request):
    as_of, error = as_of_from_request(request)
    # The figures, the map and the chart come from one read of the States, so they agree.
    membership = home_map.home_membership(as_of)
    figures = membership.figures
    regions = [(value, label, figures.by_region.get(value, rules.RegionCount())) for value, label in Region.choices]
    until = rules.add_months(as_of, HOME_DEADLINE_MONTHS)
    upcoming = queries.group_annual_reports(queries.deadlines(as_of, until, known_on=as_of))
    day = date_format(as_of, "DATE_FORMAT")
    # Links keep a date other than today, as the page's own links do ({% as_of_url %}).
    as_of_param = as_of.isoformat() if as_of != today() and not error else None
    profile_urls = {s.state.iso3: _profile_url(s.state.iso3, as_of_param) for s in membership.states}
    entries = home_map.map_entries(membership.states)
    counts = [(status, home_map.MAP_LABELS[status], membership.count(status)) for status in home_map.MapStatus]
    withdrawn = membership.count(home_map.MapStatus.WITHDRAWN)
    summary = home_charts.map_summary(figures, withdrawn, day)
    years_title = home_charts.membership_title(membership.years, day)
    return render(
        request,
        "states/home.html",
        {
            "figures": figures,
            "regions": regions,
            "upcoming": upcoming,
            "until": until,
            "membership": membership,
            "map_counts": counts[:-1],
            "map_summary": summary,
            "map_spec": home_charts.world_map(entries, static(home_map.GEO_STATIC_PATH), profile_urls, day, summary),
            # Made once for the map; the table of every State links with the same addresses.
            "profile_urls": profile_urls,
            "years_spec": home_charts.membership_over_time(membership.years, years_title),
            "years_title": years_title,
        },
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
    state = profile.state
    context = {"profile": profile, "clock": profile.clock, "state": state}
    context["declaration"] = declarations.validated(state)
    # Art. 4(4): who used cluster munitions in this State, and where it used them (one query).
    context["former_use"] = queries.former_use_of(state)
    # The reports the State owed on the page's date, and when each came in (Art. 7): one query.
    context["reporting"] = reporting_queries.state_reporting(state, as_of, request.user)
    if declarations.can_change(request.user, state):
        context["may_change"] = True
        context["latest"] = declarations.latest(state)
    return render(request, "states/detail.html", context)


def organisation_list(request):
    organisations = list(Organisation.objects.all())
    return render(request, "states/organisations.html", {"organisations": organisations})


# --- Profiles that focal points declare and ISU validates -----------------------------------


def _declaration_initial(subject, fields) -> dict:
    current = declarations.pending(subject) or declarations.validated(subject)
    return {name: getattr(current, name) for name in fields} if current else {}


@login_required
def edit_state_profile(request, iso3: str):
    state = get_object_or_404(State, iso3=iso3.upper()[:3])
    require(request.user, "states.change_state_profile", state, state=state)
    form = StateDeclarationForm(request.POST or None, initial=_declaration_initial(state, declarations.STATE_FIELDS))
    if request.method == "POST" and form.is_valid():
        declarations.submit(request.user, state, form.cleaned_data)
        messages.success(request, _("Saved. The public will see the change once ISU validates it."))
        return redirect(state)
    return render(request, "states/edit_profile.html", {"form": form, "subject": state, "state": state})


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    context = {"organisation": organisation, "declaration": declarations.validated(organisation)}
    if declarations.can_change(request.user, organisation):
        context["pending"] = declarations.pending(organisation)
        context["returned"] = declarations.latest(organisation)
    return render(request, "states/organisation.html", context)


@login_required
def edit_organisation_profile(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    require(request.user, "states.change_organisation_profile", organisation, organisation=organisation)
    form = OrganisationDeclarationForm(
        request.POST or None, initial=_declaration_initial(organisation, declarations.ORGANISATION_FIELDS)
    )
    if request.method == "POST" and form.is_valid():
        declarations.submit(request.user, organisation, form.cleaned_data)
        messages.success(request, _("Saved. The public will see the change once ISU validates it."))
        return redirect("states:organisation", pk=organisation.pk)
    return render(
        request, "states/edit_profile.html", {"form": form, "subject": organisation, "organisation": organisation}
    )


@login_required
def state_history(request, iso3: str):
    state = get_object_or_404(State, iso3=iso3.upper()[:3])
    require(request.user, "states.view_state_history", state, state=state)
    entries = audit.entries_for(declarations.history_querysets(state))
    return render(request, "states/history.html", {"subject": state, "entries": entries, "back": state})


@login_required
def organisation_history(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    require(request.user, "states.view_organisation_history", organisation, organisation=organisation)
    entries = audit.entries_for(declarations.history_querysets(organisation))
    return render(
        request,
        "states/history.html",
        {"subject": organisation, "entries": entries, "back": reverse("states:organisation", args=[pk])},
    )


@login_required
def declarations_awaiting(request):
    require(request.user, "states.validate_declaration")
    state_declarations, organisation_declarations = declarations.awaiting_validation()
    return render(
        request,
        "states/declarations.html",
        {"state_declarations": state_declarations, "organisation_declarations": organisation_declarations},
    )


DECLARATION_MODELS = {"state": StateDeclaration, "organisation": OrganisationDeclaration}


@login_required
@require_POST
def review_declaration(request, kind: str, pk: int):
    """Validate or return a declaration; from the queue's htmx buttons (answers with the
    row) or a plain form (answers with a redirect)."""
    require(request.user, "states.validate_declaration")
    model = DECLARATION_MODELS.get(kind)
    if model is None:
        raise Http404
    declaration = get_object_or_404(model, pk=pk)
    form = ReviewForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose to validate or to return the declaration.")
    else:
        try:
            if form.cleaned_data["decision"] == "validate":
                declarations.validate(request.user, declaration, form.cleaned_data["note"])
            else:
                declarations.return_to_focal_point(request.user, declaration, form.cleaned_data["note"])
        except ValueError as exc:
            error = str(exc)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "states/declaration_row.html",
            {"declaration": declaration, "kind": kind, "error": error},
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Done: %(declaration)s.") % {"declaration": declaration})
    return redirect("states:declarations")
