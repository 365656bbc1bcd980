"""The reporting app's background jobs (article6.ops.jobs): an uploaded workbook, read,
checked and saved as the draft of a report by the worker, with its progress on a page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from article6.ops.jobs import Outcome, Progress, Refused
from article6.reporting import services
from article6.reporting.workbook import import_workbook as save_workbook
from article6.states.models import State


def import_workbook(job, progress: Progress) -> Outcome:
    """Save the job's workbook as the draft of its State's report, asked again whether its
    owner may still file for the State (a role may have ended since the upload)."""
    with translation.override(job.params.get("language") or None):
        state = State.objects.get(iso3=job.params["iso3"])
        try:
            services.require_filing(job.owner, state)
        except PermissionDenied as refused:
            raise Refused([str(refused)]) from None
        progress.step("reading")
        with job.upload.open("rb") as file:
            report, errors = save_workbook(job.owner, state, file, progress=progress)
        if errors:
            raise Refused([error.as_json() for error in errors], table="reporting/_workbook_errors_table.html")
        return Outcome(
            summary=[_("The workbook is saved as the draft of this report. Check it, then submit it.")],
            link=reverse("reporting:edit", args=[report.pk]),
            link_label=_("Open the draft"),
        )
