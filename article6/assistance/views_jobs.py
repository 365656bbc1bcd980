"""Long work in the background, from the assistance pages: ISU staff upload an IATI or CRS
file to import; anyone signed in asks for a big export of commitments as a file. Both run
as jobs (article6.ops.jobs), whose page shows the progress and then the result."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from article6.accounts.permissions import require
from article6.assistance import exports
from article6.importing import MAX_IMPORT_BYTES, check_upload
from article6.ops import jobs


class CommitmentFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("IATI activity file (.xml) or OECD CRS file (.csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.csv,application/xml,text/xml,text/csv"}),
    )
    strict = forms.BooleanField(
        label=gettext_lazy("IATI: refuse the whole file if any activity breaks the IATI 2.03 schema"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, ("xml", "csv"), MAX_IMPORT_BYTES)
        return upload


@login_required
def import_commitments(request):
    require(request.user, "assistance.import_commitments")
    form = CommitmentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = "iati" if upload.name.lower().endswith(".xml") else "crs"
        job = jobs.start(
            request.user,
            "commitments_import",
            _("Import of “%(name)s”") % {"name": upload.name},
            params={
                "format": kind,
                "strict": form.cleaned_data["strict"],
                "name": upload.name[:200],
                "language": translation.get_language(),
                "back": reverse("assistance:import_commitments"),
            },
            upload=upload,
            upload_name=f"commitments.{'xml' if kind == 'iati' else 'csv'}",
        )
        return redirect("ops:job", job.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "max_mb": MAX_IMPORT_BYTES // 1048576}
    return render(request, "assistance/import_commitments.html", context, status=status)


@login_required
@require_POST
def export_commitments_later(request, fmt: str):
    """The commitments export, with the filters of the page (the query string), made by the
    worker: for a list too long to wait for."""
    if fmt not in exports.FORMATS:
        raise Http404(_("Exports are in CSV (.csv) or Excel (.xlsx)."))
    job = jobs.start(
        request.user,
        "commitments_export",
        _("Commitments, Excel workbook") if fmt == "xlsx" else _("Commitments, CSV file"),
        params={
            "format": fmt,
            "query": request.GET.urlencode()[:2000],
            "language": translation.get_language(),
            "back": reverse("assistance:commitments") + (f"?{request.GET.urlencode()}" if request.GET else ""),
        },
    )
    return redirect("ops:job", job.pk)
