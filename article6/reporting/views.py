"""Filing transparency reports online (Art. 7): a State's reports, starting one, the
report form with its autosave, submitting, publishing by ISU, corrections as new
versions, turning form I's needs into requests for assistance, and the history.

Views are thin: who may read comes from reporting.queries, who may change from the
permission layer, and every write goes through reporting.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from article6.accounts.permissions import require
from article6.asof import today
from article6.paging import page_of
from article6.redirects import redirect_next
from article6.reporting import queries, rules, services
from article6.reporting.forms import PastReportForm, PeriodForm, RecordsCompleteForm, ReportEditor
from article6.reporting.models import Form, RecordsComplete, Report, ReportKind, ReportStatus
from article6.reporting.services import ContentInvalid
from article6.reporting.tables import FIGURE_RELATED_NAMES, tables_of
from article6.states.models import State

PER_PAGE = 25


def readable_or_404(request, pk, *, content: bool = True) -> Report:
    """The report if the person may read it; a 404 otherwise (a draft's existence is not
    disclosed)."""
    report = queries.readable_report(request.user, pk, content=content)
    if report is None:
        raise Http404
    return report


def _problems_message(request, error: ValidationError) -> None:
    problems = getattr(error, "problems", None)
    if problems:
        for problem in problems:
            where = _("Form %(form)s") % {"form": problem.form} if problem.form else _("The report")
            messages.error(request, f"{where}: {problem.message}")
    else:
        for message in error.messages:
            messages.error(request, message)


# --- A State's reports ---------------------------------------------------------------------


def state_reports(request, iso3: str):
    """The reports a State owes and has sent, each with its status by the clock; for its
    focal points, the drafts and the ways to file (online, or the offline workbook)."""
    state = get_object_or_404(State, iso3=iso3.upper()[:3])
    as_of = today()
    may_file = request.user.has_perm("reporting.file_report_for", state)
    reports = list(
        queries.readable_reports(request.user)
        .filter(state=state)
        .select_related("state", "corrects")
        .order_by("kind", "-year", "-version")
    )
    reporting = queries.state_reporting(state, as_of, request.user)
    owed = ([reporting.next_due] if reporting.next_due else []) + list(reversed(reporting.reports))
    rows = []
    for due in owed:
        versions = [r for r in reports if r.kind == due.kind and r.year == due.year]
        rows.append({"due": due, "status": due, "versions": versions})
    # A report stored for a period the State did not owe: listed, said so, and given no verdict.
    listed = {(due.kind, due.year) for due in owed}
    for kind, year in dict.fromkeys((r.kind, r.year) for r in reports):
        reason = None if (kind, year) in listed else services.not_owed_reason(state, kind, year)
        if reason:
            rows.append(
                {
                    "due": {"kind": kind, "year": year, "due": None},
                    "status": rules.Classification(rules.ReportStatus.NOT_OWED),
                    "not_owed": reason,
                    "versions": [r for r in reports if (r.kind, r.year) == (kind, year)],
                }
            )
    start_form = PeriodForm(initial=_next_period(rows, as_of), state=state) if may_file else None
    return render(
        request,
        "reporting/state_reports.html",
        {
            "state": state,
            "rows": rows,
            "may_file": may_file,
            "start_form": start_form,
            "as_of": as_of,
            "complete_from": reporting.complete_from,
        },
    )


RECENT_DAYS = 365  # a report missed within the last year is still the one a focal point files first


def _next_period(rows, as_of: dt.date) -> dict:
    """The report a focal point most likely starts: one that fell due within the last
    year and is neither received nor started (the latest such), else the report due next,
    else the latest one not started at all. `rows` are the next one due, then the others
    newest first."""

    def period(due) -> dict:
        return {"kind": due.kind, "year": due.year, "from_last": due.kind == ReportKind.ANNUAL}

    owed = [row for row in rows if not isinstance(row["due"], dict)]
    recent = [
        row
        for row in owed
        if row["due"].due <= as_of and (as_of - row["due"].due).days <= RECENT_DAYS and not row["versions"]
    ]
    if recent:
        return period(recent[0]["due"])
    upcoming = [row for row in owed if row["due"].due > as_of and not row["versions"]]
    if upcoming:
        return period(upcoming[0]["due"])
    for row in owed:
        if not row["versions"]:
            return period(row["due"])
    return {"kind": ReportKind.ANNUAL, "year": as_of.year - 1, "from_last": True}


@login_required
@require_POST
def start(request, iso3: str):
    state = get_object_or_404(State, iso3=iso3.upper()[:3])
    services.require_filing(request.user, state)
    form = PeriodForm(request.POST, state=state)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reporting:state_reports", iso3=state.iso3)
    data = form.cleaned_data
    try:
        report = services.start_report(request.user, state, data["kind"], data["year"], from_last=data["from_last"])
    except ValidationError as error:
        _problems_message(request, error)
        return redirect("reporting:state_reports", iso3=state.iso3)
    messages.success(request, _("The draft is started. It is saved as you go."))
    return redirect("reporting:edit", pk=report.pk)


# --- One report -----------------------------------------------------------------------------


def report_detail(request, pk: int):
    report = readable_or_404(request, pk)
    as_of = today()
    first_submitted = queries.first_submitted(report)
    user = request.user
    may_edit = user.has_perm("reporting.edit_report", report)
    versions = list(
        queries.readable_reports(user)
        .filter(state=report.state_id, kind=report.kind, year=report.year)
        .order_by("-version")
        .only("pk", "version", "status", "submitted_on", "published_on", "state", "kind", "year")
    )
    superseded = any(v.version > report.version and not v.is_draft for v in versions)
    sections = {s.form: s for s in report.sections.all()}
    parts = []
    for form in Form:
        parts.append(
            {
                "form": form,
                "section": sections.get(form.value),
                "tables": [(table, table.headers(), table.cells(report)) for table in tables_of(form.value)],
            }
        )
    unfiled_needs = [n for n in report.needs.all() if n.need_id is None]
    context = {
        "report": report,
        "parts": parts,
        "timeliness": queries.timeliness(report, as_of, first_submitted),
        "not_owed": services.not_owed_reason(report.state, report.kind, report.year),
        "first_submitted": first_submitted,
        "versions": versions,
        "superseded": superseded,
        "may_edit": may_edit and report.is_draft,
        "may_submit": may_edit and report.is_draft,
        "may_publish": user.has_perm("reporting.publish_report", report) and report.status == ReportStatus.SUBMITTED,
        "may_correct": may_edit and not report.is_draft and not report.historic and not _has_newer(report, versions),
        "may_file_needs": may_edit and not report.is_draft and bool(unfiled_needs),
        "may_see_history": may_edit,
        "missing": services.missing(report) if report.is_draft else {},
    }
    return render(request, "reporting/report.html", context)


def _has_newer(report: Report, versions) -> bool:
    return any(v.version > report.version for v in versions)


def _editable(request, pk, *, content: bool = False) -> Report:
    report = readable_or_404(request, pk, content=content)
    services.require_edit(request.user, report)
    return report


@login_required
def edit(request, pk: int):
    """The report form: forms A–J with their tables. Saved as you go (autosave) and by
    the Save button, which shows every problem next to its field."""
    report = _editable(request, pk, content=request.method != "POST")
    if not report.is_draft:
        messages.info(request, _("A submitted report is not changed in place: correct it with a new version."))
        return redirect(report)
    editor = ReportEditor(report, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if editor.is_valid():
            try:
                services.save_content(request.user, report, editor.content())
            except ContentInvalid as error:
                _problems_message(request, error)
                status = 422
            else:
                messages.success(request, _("Saved."))
                if "submit" in request.POST:
                    # Saved; submitting is confirmed on its own page, with a summary.
                    return redirect("reporting:submit", pk=report.pk)
                return redirect("reporting:edit", pk=report.pk)
        else:
            status = 422
            messages.error(request, _("Not saved: please correct the fields marked below."))
        report = readable_or_404(request, pk)  # with its stored content, for what is still missing
    return render(
        request,
        "reporting/edit.html",
        {
            "report": report,
            "editor": editor,
            "missing": services.missing(report),
            "progress": services.progress(report),
        },
        status=status,
    )


@login_required
@require_POST
def autosave(request, pk: int):
    """Save the draft as the focal point types (htmx): a line saying it is saved, or
    why it is not; the fields are marked when the Save button is pressed."""
    report = _editable(request, pk)
    if not report.is_draft:
        return render(
            request,
            "reporting/_autosave.html",
            {"error": _("This report was submitted; it is no longer saved here.")},
            status=409,
        )
    editor = ReportEditor(report, request.POST)
    if not editor.is_valid():
        return render(request, "reporting/_autosave.html", {"problems": editor.error_count()}, status=422)
    try:
        services.save_content(request.user, report, editor.content())
    except ContentInvalid as error:
        return render(request, "reporting/_autosave.html", {"problems": len(error.problems)}, status=422)
    return render(request, "reporting/_autosave.html", {"saved": dt.datetime.now()})


def _submit(request, report: Report):
    try:
        report = services.submit(request.user, report, today())
    except ValidationError as error:
        if getattr(error, "problems", None):
            messages.error(request, _("Not submitted yet: the report lacks what is listed below."))
        else:
            messages.error(request, _("Not submitted."))
        _problems_message(request, error)
        return redirect("reporting:edit", pk=report.pk)
    timeliness = queries.timeliness(report, report.submitted_on)
    day = formats.date_format(report.submitted_on, "DATE_FORMAT")
    if report.version > 1:
        messages.success(request, _("Correction submitted on %(day)s.") % {"day": day})
    elif timeliness and timeliness.status == rules.ReportStatus.LATE:
        messages.warning(
            request,
            _("Submitted on %(day)s, %(days)d days after the due date.") % {"day": day, "days": timeliness.days_late},
        )
    else:
        messages.success(request, _("Submitted on %(day)s: on time.") % {"day": day})
    return redirect(report)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int):
    """GET: the confirmation, with a summary (the forms filled, the totals of the figures,
    the day it will carry and what happens next), or why it cannot be submitted yet.
    POST (the Confirm button): submit. Works without JavaScript."""
    if request.method == "POST":
        return _submit(request, _editable(request, pk))
    report = _editable(request, pk, content=True)
    if not report.is_draft:
        messages.info(request, _("This report is already submitted."))
        return redirect(report)
    day = today()
    blocked = []
    for check in (
        lambda: services.require_owed(report.state, report.kind, report.year),
        lambda: services.require_period_over(report, day),
    ):
        try:
            check()
        except ValidationError as error:
            blocked += error.messages
    due = report.due_date
    timeliness = None
    if due is not None:
        timeliness = rules.classify(
            rules.DueReport(report.state.iso3, report.kind, report.year, due),
            rules.Submission(report.state.iso3, report.kind, report.year, queries.first_submitted(report) or day),
            day,
        )
    return render(
        request,
        "reporting/confirm_submit.html",
        {
            "report": report,
            "day": day,
            "due": due,
            "timeliness": timeliness,
            "blocked": blocked,
            "missing": services.missing(report),
            "progress": services.progress(report),
            "totals": services.totals(report),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    """GET: the confirmation (what the public will read, from when); POST: publish."""
    report = readable_or_404(request, pk, content=False)
    if request.method == "GET":
        services.require_publish(request.user, report)
        if report.status != ReportStatus.SUBMITTED:
            messages.info(request, _("Only a submitted report can be published."))
            return redirect(report)
        return render(
            request,
            "reporting/confirm_publish.html",
            {
                "report": report,
                "day": today(),
                "first_submitted": queries.first_submitted(report),
                "next": request.GET.get("next", ""),
            },
        )
    try:
        services.publish(request.user, report, today())
    except ValidationError as error:
        _problems_message(request, error)
    else:
        messages.success(request, _("Published: everyone can read it now."))
    return redirect_next(request, report.get_absolute_url())


@login_required
@require_POST
def correct(request, pk: int):
    report = _editable(request, pk)
    try:
        new = services.correct(request.user, report)
    except ValidationError as error:
        _problems_message(request, error)
        return redirect(report)
    messages.success(
        request,
        _("Version %(version)d is a draft copy of the report: correct it and submit it.") % {"version": new.version},
    )
    return redirect("reporting:edit", pk=new.pk)


@login_required
@require_POST
def discard(request, pk: int):
    report = _editable(request, pk)
    state = report.state
    try:
        services.discard(request.user, report)
    except ValidationError as error:
        _problems_message(request, error)
        return redirect(report)
    messages.success(request, _("The draft is discarded."))
    return redirect("reporting:state_reports", iso3=state.iso3)


@login_required
@require_POST
def file_needs(request, pk: int):
    """Form I's challenges and needs become needs of the assistance capability, each
    linked to this report, in one action."""
    from article6.reporting.needs import file_needs as file_report_needs

    report = _editable(request, pk)
    try:
        needs = file_report_needs(request.user, report)
    except ValidationError as error:
        _problems_message(request, error)
    else:
        messages.success(
            request,
            _("%(count)d needs filed from this report: partners can now see and answer them.") % {"count": len(needs)},
        )
    return redirect(report)


@login_required
def history(request, pk: int):
    """Who wrote, submitted, published and corrected the report, with the values before
    and after: for the State's focal points and ISU staff."""
    from article6.accounts import audit

    report = _editable(request, pk)
    querysets = [Report.history.filter(id=report.pk), report.sections.model.history.filter(report_id=report.pk)]
    for name in FIGURE_RELATED_NAMES:
        model = Report._meta.get_field(name).related_model
        querysets.append(model.history.filter(report_id=report.pk))
    entries = audit.entries_for(querysets, viewer=request.user)
    return render(request, "states/history.html", {"subject": report, "entries": entries, "back": report})


# --- ISU ------------------------------------------------------------------------------------


@login_required
def isu_reports(request):
    """ISU's desk: submitted reports awaiting publication, and past reports recorded
    from their documents so that the figures reach back to 2011."""
    require(request.user, "reporting.record_past_report")
    form = PastReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.record_past_report(
                    request.user, data["state"], data["kind"], data["year"], data["submitted_on"], data["document_url"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Recorded: %(report)s.") % {"report": report})
                return redirect("reporting:isu_reports")
        status = 422
    awaiting = Report.objects.filter(status=ReportStatus.SUBMITTED).select_related("state").order_by("submitted_on")
    past, page_error = page_of(
        request,
        Report.objects.filter(historic=True).select_related("state").order_by("-submitted_on", "state__name"),
        PER_PAGE,
    )
    if page_error:
        messages.info(request, page_error)
    return render(
        request,
        "reporting/isu_reports.html",
        {"form": form, "awaiting": awaiting, "past": past, "here": reverse("reporting:isu_reports")},
        status=status,
    )


@login_required
def records_complete(request):
    """ISU says from which day its records of the reports received are complete, for
    every State and per State (a State's own day overrides the one for every State). A
    report due before the day that applies and missing is "not recorded", not overdue."""
    require(request.user, "reporting.set_records_complete")
    form = RecordsCompleteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            state, day = form.cleaned_data["state"], form.cleaned_data["complete_from"]
            try:
                services.set_records_complete(request.user, state, day)
            except ValidationError as error:
                form.add_error("complete_from" if hasattr(error, "error_dict") else None, error)
            else:
                where = state.name if state else _("every State")
                if day:
                    messages.success(
                        request,
                        _("Records for %(where)s are complete from %(day)s.")
                        % {"where": where, "day": formats.date_format(day, "DATE_FORMAT")},
                    )
                else:
                    messages.success(request, _("The day for %(where)s is removed.") % {"where": where})
                return redirect("reporting:records_complete")
        status = 422
    days = list(RecordsComplete.objects.select_related("state").order_by("state__name"))
    return render(
        request,
        "reporting/records_complete.html",
        {
            "form": form,
            "default": next((d for d in days if d.state_id is None), None),
            "by_state": [d for d in days if d.state_id is not None],
        },
        status=status,
    )
