"""The assistance pages: needs, offers, commitments, the gap and the public Funding page.

Views are thin: what a person may see comes from assistance.queries (the visibility
tiers), what they may change from the permission layer, and every write goes through
assistance.services."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from article6.accounts.permissions import has_any_role, is_isu, require
from article6.assistance import charts, importing, queries, rules, services
from article6.assistance.filters import CommitmentFilters, UnknownValue
from article6.assistance.forms import (
    CommitmentFilterForm,
    CommitmentForm,
    EvidenceForm,
    GapFilterForm,
    NeedFilterForm,
    NeedForm,
    OfferFilterForm,
    OfferForm,
    ReceiptForm,
)
from article6.assistance.models import Commitment, FlowKind, Need, NeedStatus, Offer
from article6.interchange.codelists import sector_name
from article6.paging import page_of
from article6.states.models import Region, State
from article6.states.templatetags.article6_tags import money
from article6.treaty.models import Pillar

PER_PAGE = 25
GAP_ROWS_PER_PAGE = 50


def _visible(queryset, pk):
    """The record if the person may see it; a 404 otherwise (its existence is not disclosed)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _form_errors_from(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it names one (or
    with the rows of a formset it names, such as the amounts per year)."""
    formsets = getattr(form, "formsets", {})
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = getattr(form, "service_fields", {}).get(field, field)
            if field in formsets:
                formsets[field].refuse(errors)
            else:
                form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Needs ----------------------------------------------------------------------------------


def need_list(request):
    form = NeedFilterForm(request.GET)
    visible = queries.needs_for(request.user)
    needs = form.filtered(lambda filters: filters.apply(visible), visible.none())
    page, page_message = page_of(request, needs.order_by("-created", "-id"), PER_PAGE)
    return render(request, "assistance/needs.html", {"form": form, "page": page, "page_message": page_message})


def need_detail(request, pk: int):
    # The report it was stated in, and the version that report corrects, in the same query.
    report = ("reported_in__report__state", "reported_in__report__corrects")
    needs = queries.needs_for(request.user).select_related(*report)
    need = _visible(needs, pk)
    commitments = list(queries.commitments_for(request.user).filter(needs=need))
    funding = queries.funding_of_need(request.user, need)
    context = {
        "need": need,
        "funding": funding,
        "parts": [(c, funding.by_commitment.get(c.pk)) for c in commitments],
        "report": _readable_report(request.user, need),
        "commitments": commitments,
        "matches": list(queries.matches_for(request.user).filter(need=need)),
        "may_see_matches": has_any_role(request.user),  # matches_for: none without a role
        "may_change": request.user.has_perm("assistance.change_need", need),
        "may_propose": request.user.has_perm("assistance.propose_match"),
        "attachments": list(need.attachments.all()),
        "evidence_form": EvidenceForm(),
    }
    return render(request, "assistance/need.html", context)


def _readable_report(user, need):
    """The transparency report the need was stated in, if the person may read it (else the
    published version it corrects, if any): a report they may not read is never named."""
    reported = getattr(need, "reported_in", None)
    report = reported.report if reported is not None else None
    for candidate in (report, report.corrects if report is not None else None):
        if candidate is not None and user.has_perm("reporting.read_report", candidate):
            return candidate
    return None


@login_required
def need_edit(request, pk: int | None = None):
    need = _visible(queries.needs_for(request.user), pk) if pk else Need()
    if pk:
        require(request.user, "assistance.change_need", need, state=need.state)
    else:
        require(request.user, "assistance.add_need")
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        need = form.save(commit=False)
        try:
            need = services.save_need(request.user, need, form.yearly_amounts())
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The need is saved."))
            return redirect(need)
    title = _("Edit the need") if pk else _("File a need")
    return render(request, "assistance/need_form.html", {"form": form, "need": need, "title": title})


# --- Offers ---------------------------------------------------------------------------------


def offer_list(request):
    form = OfferFilterForm(request.GET)
    visible = queries.offers_for(request.user)
    offers = form.filtered(lambda filters: filters.apply(visible), visible.none())
    page, page_message = page_of(request, offers.order_by("-created", "-id"), PER_PAGE)
    return render(request, "assistance/offers.html", {"form": form, "page": page, "page_message": page_message})


def offer_detail(request, pk: int):
    offer = _visible(queries.offers_for(request.user), pk)
    context = {
        "offer": offer,
        "matches": list(queries.matches_for(request.user).filter(offer=offer)),
        "may_see_matches": has_any_role(request.user),
        "may_change": request.user.has_perm("assistance.change_offer", offer),
    }
    return render(request, "assistance/offer.html", context)


@login_required
def offer_edit(request, pk: int | None = None):
    offer = _visible(queries.offers_for(request.user), pk) if pk else Offer()
    if pk:
        require(request.user, "assistance.change_offer", offer)
    else:
        require(request.user, "assistance.add_offer")
    form = OfferForm(request.POST or None, instance=offer, user=request.user)
    if request.method == "POST" and form.is_valid():
        offer = form.save(commit=False)
        try:
            offer = services.save_offer(request.user, offer, form.cleaned_data["states"])
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect(offer)
    title = _("Edit the offer") if pk else _("Publish an offer")
    return render(request, "assistance/offer_form.html", {"form": form, "offer": offer, "title": title})


# --- Commitments ----------------------------------------------------------------------------


EXPORT_LATER_ROWS = 2000


def commitment_list(request):
    form = CommitmentFilterForm(request.GET)
    visible = queries.commitments_for(request.user)
    commitments = form.filtered(lambda filters: filters.apply(visible), visible.none())
    page, page_message = page_of(request, commitments.order_by("-created", "-id"), PER_PAGE)
    rows = [(c, queries.totals(c)) for c in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "page_message": page_message,
        # A long list is exported by the worker, its page showing the progress (views_jobs);
        # the file addresses (commitments.csv, .xlsx) still answer directly, for scripts.
        "export_later": request.user.is_authenticated and page.paginator.count > EXPORT_LATER_ROWS,
    }
    return render(request, "assistance/commitments.html", context)


def _outside_mine_action(commitment: Commitment) -> dict[str, str] | None:
    """The imported part outside mine action, as the commitment page says it: the amounts by
    kind ("80,000 USD committed, ...") and the sectors with their names."""
    outside = importing.outside_mine_action(commitment.flows.all())
    if outside is None:
        return None
    currency = commitment.currency
    amounts = [f"{money(amount)} {currency} {FlowKind(kind).label}" for kind, amount in outside.amounts.items()]
    sectors = [f"{code} {sector_name(code)}" if sector_name(code) else code for code in outside.sectors]
    return {"amounts": ", ".join(amounts), "sectors": ", ".join(sectors)}


def commitment_detail(request, pk: int):
    commitment = _visible(queries.commitments_for(request.user), pk)
    division, needs = queries.division_of(request.user, commitment)
    context = {
        "commitment": commitment,
        "counted": division.counted,
        "division": [(need, division.towards(need.pk)) for need in needs],
        "outside": division.outside_total,
        "outside_mine_action": _outside_mine_action(commitment),
        "may_see_inconsistency": is_isu(request.user),
        "yearly": queries.yearly(commitment),
        "totals": queries.totals(commitment),
        "kinds": [k for k in FlowKind if k != FlowKind.RECEIVED],
        "differences": queries.provided_and_received(commitment),
        "may_change": request.user.has_perm("assistance.change_commitment", commitment),
        "may_confirm": request.user.has_perm("assistance.confirm_receipt", commitment),
        "receipt_form": ReceiptForm(),
    }
    return render(request, "assistance/commitment.html", context)


@login_required
def commitment_edit(request, pk: int | None = None):
    commitment = _visible(queries.commitments_for(request.user), pk) if pk else Commitment()
    if pk:
        require(request.user, "assistance.change_commitment", commitment)
    else:
        require(request.user, "assistance.add_commitment")
    initial = _initial_from_match(request) if not pk else {}
    form = CommitmentForm(request.POST or None, instance=commitment, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        commitment = form.save(commit=False)
        try:
            commitment = services.save_commitment(
                request.user,
                commitment,
                pillar_shares=form.cleaned_data["pillar_shares"],
                amounts=form.cleaned_data["amounts"],
                needs=form.cleaned_data["needs"],
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            _attach_to_match(request, commitment)
            messages.success(request, _("The commitment is recorded."))
            return redirect(commitment)
    title = _("Edit the commitment") if pk else _("Record a commitment")
    context = {"form": form, "commitment": commitment, "title": title}
    return render(request, "assistance/commitment_form.html", context)


def _accepted_match(request):
    """The accepted match named by ?match=, if the person may see it and it has no commitment yet."""
    match_id = request.GET.get("match", "")
    if not match_id.isdigit():
        return None
    match = queries.matches_for(request.user).filter(pk=int(match_id), commitment=None).first()
    return match if match is not None and match.state == "accepted" else None


def _attach_to_match(request, commitment) -> None:
    """The commitment recorded from an accepted match answers it (kept in the match's history)."""
    match = _accepted_match(request)
    if match is not None and commitment.needs.filter(pk=match.need_id).exists():
        match.commitment = commitment
        match._history_user = request.user
        match.save(update_fields=["commitment"])


def _initial_from_match(request) -> dict:
    """An accepted match pre-fills the commitment form."""
    match = _accepted_match(request)
    if match is None:
        return {}
    from article6.assistance.matches import commitment_initial

    return commitment_initial(match)


@login_required
@require_POST
def confirm_receipt(request, pk: int):
    commitment = _visible(queries.commitments_for(request.user), pk)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a year and the amount received."))
        return redirect(commitment)
    services.confirm_receipt(
        request.user, commitment, form.cleaned_data["year"], form.cleaned_data["amount"], form.cleaned_data["note"]
    )
    messages.success(request, _("Thank you: what was received is recorded beside what was reported."))
    return redirect(commitment)


# --- The gap, the donor's view and the public Funding page ---------------------------------


def funding(request):
    """Public: needed, pledged, committed, disbursed and the gap, with charts."""
    form = GapFilterForm(request.GET)
    rows = form.filtered(lambda filters: filters.rows(request.user), [])
    grouped_year, grouped_state = defaultdict(list), defaultdict(list)
    for r in rows:
        grouped_year[r.year].append(r)
        grouped_state[r.state].append(r)
    by_year = {year: rules.total_of(group, year=year) for year, group in sorted(grouped_year.items())}
    by_state = {state: rules.total_of(group, state=state) for state, group in grouped_state.items()}
    problems = rules.total_of(rows).problems
    page, page_message = page_of(request, rows, GAP_ROWS_PER_PAGE)
    names = form.state_names  # the States by name, read once for the filter
    context = {
        "rows": rows,
        "page": page,
        "page_message": page_message,
        "form": form,
        "names": names,
        "problems": problems,
        "figures": rules.GAP_FIGURES,
        "chart_by_year": charts.by_year({year: vars(total) for year, total in by_year.items()}),
        "chart_by_state": charts.gap_by_state(
            {iso3: vars(total) for iso3, total in by_state.items()}, names=form.state_names
        ),
        "states": [
            (iso3, names.get(iso3, iso3), figures)
            for iso3, figures in sorted(by_state.items(), key=lambda item: (-item[1].gap, item[0]))
        ],
    }
    return render(request, "assistance/funding.html", context)


@login_required
def donor_view(request):
    """For States in a position to assist: open needs by pillar and region, the funding
    gap per State, and who else is already engaged with each State."""
    require(request.user, "assistance.view_donor_view")
    open_needs = list(
        queries.needs_for(request.user).filter(viewer_status__in=[NeedStatus.OPEN, NeedStatus.PARTLY_COVERED])
    )
    grid = {p: {r: 0 for r, _label in Region.choices} for p, _label in Pillar.choices}
    for need in open_needs:
        grid[need.pillar][need.state.region] += 1
    engaged = defaultdict(set)
    for commitment in queries.commitments_for(request.user):
        engaged[commitment.recipient.iso3].add(commitment.provider_label)
    gap_by_state = defaultdict(Decimal)
    for row in queries.gap(request.user):
        gap_by_state[row.state] += row.gap
    states = State.objects.filter(iso3__in=list(gap_by_state)).in_bulk(field_name="iso3")  # named, not coded
    context = {
        "grid": [(label, [grid[p][r] for r, _l in Region.choices]) for p, label in Pillar.choices],
        "regions": Region.choices,
        "open_needs": open_needs,
        "per_state": sorted(
            ((states.get(iso3), iso3, gap, sorted(engaged.get(iso3, ()))) for iso3, gap in gap_by_state.items()),
            key=lambda item: -item[2],
        ),
    }
    return render(request, "assistance/donor.html", context)


def export_iati(request):
    """The commitments the person may see, as IATI 2.03 activity XML (purpose code 15250
    for mine action), filtered like the list. Commitments IATI cannot express are named
    in a header rather than silently dropped."""
    from django.http import HttpResponse

    from article6.asof import today
    from article6.assistance.importing import export_commitments
    from article6.assistance.views_exports import read_filters, unknown_value

    filters, error = read_filters(request, CommitmentFilters)
    if error is not None:
        return error
    try:
        commitments = filters.apply(queries.commitments_for(request.user))
    except UnknownValue as exc:
        return unknown_value(exc)
    result = export_commitments(commitments.order_by("id"))
    if result.xml is None:
        messages.error(request, _("No commitment here can be written as IATI: each needs at least one amount."))
        return redirect("assistance:commitments")
    response = HttpResponse(result.xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="article6-commitments-{today().isoformat()}.xml"'
    if result.problems:
        response["X-Article6-Not-Exported"] = str(len(result.problems))
    return response


# --- Evidence documents ---------------------------------------------------------------------


@login_required
@require_POST
def evidence_upload(request, pk: int):
    need = _visible(queries.needs_for(request.user), pk)
    require(request.user, "assistance.change_need", need, state=need.state)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        services.attach_evidence(request.user, need, form.cleaned_data["file"])
        messages.success(request, _("The document is attached."))
    else:
        for error in form.errors.get("file", [_("Choose a file.")]):
            messages.error(request, error)
    return redirect(need)


def evidence_download(request, pk: int, attachment: int):
    """The document, to those who may see the need; always as a download, never shown inline."""
    from django.http import FileResponse

    need = _visible(queries.needs_for(request.user), pk)
    document = need.attachments.filter(pk=attachment).first()
    if document is None:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)


@login_required
@require_POST
def evidence_remove(request, pk: int, attachment: int):
    need = _visible(queries.needs_for(request.user), pk)
    document = need.attachments.filter(pk=attachment).first()
    if document is None:
        raise Http404
    services.remove_evidence(request.user, document)
    messages.success(request, _("The document is removed."))
    return redirect(need)


# --- History --------------------------------------------------------------------------------

HISTORY_KINDS = {
    # kind: (the records one may see, the permission to read its history, its parts that keep their own history)
    "need": (queries.needs_for, "assistance.change_need", ("yearly", "attachments")),
    "offer": (queries.offers_for, "assistance.change_offer", ()),
    "commitment": (queries.commitments_for, "assistance.change_commitment", ("flows", "pillar_shares")),
}


@login_required
def record_history(request, kind: str, pk: int):
    """Who changed a need, an offer or a commitment (and its parts), when, with the values
    before and after: for those who may change it, and ISU staff. A record the person may
    not see is a 404, as on its own page."""
    from article6.accounts import audit

    if kind not in HISTORY_KINDS:
        raise Http404
    visible, permission, parts = HISTORY_KINDS[kind]
    record = _visible(visible(request.user), pk)
    require(request.user, permission, record, state=getattr(record, "state", ""))
    model = type(record)
    querysets = [model.history.filter(id=record.pk)]
    for part in parts:
        related = model._meta.get_field(part).related_model
        querysets.append(related.history.filter(**{f"{model._meta.model_name}_id": record.pk}))
    entries = audit.entries_for(querysets, viewer=request.user)
    return render(request, "states/history.html", {"subject": record, "entries": entries, "back": record})
