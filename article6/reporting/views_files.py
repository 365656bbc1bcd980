"""Transparency reports as files: the offline workbook to fill in and upload, and the
downloads of a report (Excel, CSV, PDF) and of every published report's tables.

Views are thin: who may file comes from the permission layer, who may read from
`queries.readable_reports`, and the reading and writing from `reporting.workbook`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from article6.asof import today
from article6.assistance.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from article6.importing import check_upload
from article6.ops import jobs
from article6.reporting import exports, services
from article6.reporting.forms import PeriodForm
from article6.reporting.models import ReportKind
from article6.reporting.services import last_content
from article6.reporting.tasks import keep_pdf, stored_pdf
from article6.reporting.views import readable_or_404
from article6.reporting.workbook import build_workbook
from article6.states.models import State

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, ("xlsx",), MAX_UPLOAD_BYTES)
        return upload


def _attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _filing_state(request, iso3: str) -> State:
    state = get_object_or_404(State, iso3=iso3.upper()[:3])
    services.require_filing(request.user, state)
    return state


def _upload_page(request, state, *, upload_form=None, workbook_form=None, status=200):
    workbook_form = workbook_form or PeriodForm(
        initial={"kind": ReportKind.ANNUAL, "year": today().year - 1}, auto_id="id_workbook_%s"
    )
    context = {
        "state": state,
        "upload_form": upload_form or WorkbookUploadForm(),
        "workbook_form": workbook_form,
        "max_mb": MAX_UPLOAD_BYTES // 1048576,
    }
    return render(request, "reporting/upload.html", context, status=status)


def published_csv(request):
    return _attachment(exports.published_csv().encode("utf-8"), CSV_CONTENT_TYPE, "article7-reports.csv")


@login_required
def workbook(request, iso3: str):
    state = _filing_state(request, iso3)
    form = PeriodForm(request.GET, auto_id="id_workbook_%s", state=state)
    if not form.is_valid():
        return _upload_page(request, state, workbook_form=form, status=400)
    kind, year = form.cleaned_data["kind"], form.cleaned_data["year"]
    content = services.empty_content()
    if form.cleaned_data["from_last"]:
        content = last_content(state, kind)
        if content is None:
            form.add_error(
                "from_last", _("%(state)s has no earlier report in the system to start from.") % {"state": state}
            )
            return _upload_page(request, state, workbook_form=form, status=400)
    period = kind if kind == ReportKind.INITIAL else f"{kind}-{year}"
    return _attachment(
        build_workbook(state, kind, year, content), XLSX_CONTENT_TYPE, f"{state.iso3}-{period}-workbook.xlsx"
    )


@login_required
def upload(request, iso3: str):
    state = _filing_state(request, iso3)
    if request.method != "POST":
        return _upload_page(request, state)
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, state, upload_form=form, status=422)
    # Read, checked and saved by the worker (reporting.jobs); its page shows how far it is,
    # then the draft or every error.
    upload = form.cleaned_data["file"]
    job = jobs.start(
        request.user,
        "workbook_import",
        _("Workbook “%(name)s” for %(state)s") % {"name": upload.name, "state": state.name},
        params={
            "iso3": state.iso3,
            "language": translation.get_language(),
            "back": reverse("reporting:upload", args=[state.iso3]),
        },
        upload=upload,
        upload_name=f"{state.iso3}-workbook.xlsx",
    )
    return redirect("ops:job", job.pk)


def report_xlsx(request, pk: int):
    report = readable_or_404(request, pk)
    return _attachment(exports.report_xlsx(report), XLSX_CONTENT_TYPE, exports.filename(report, "xlsx"))


def report_csv(request, pk: int):
    report = readable_or_404(request, pk)
    return _attachment(exports.report_csv(report).encode("utf-8"), CSV_CONTENT_TYPE, exports.filename(report, "csv"))


def report_pdf(request, pk: int):
    """A submitted report's PDF as the worker rendered it (reporting.tasks), or rendered now:
    a draft's each time, a submitted one's once, then kept."""
    report = readable_or_404(request, pk)
    language = settings.LANGUAGE_CODE
    content = stored_pdf(report, language)
    if content is None:
        content = exports.report_pdf(report)
        keep_pdf(report, language, content)
    return _attachment(content, exports.PDF_CONTENT_TYPE, exports.filename(report, "pdf"))
