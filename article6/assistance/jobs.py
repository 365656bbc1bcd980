"""The assistance app's background jobs (article6.ops.jobs): an IATI or CRS file uploaded
by ISU staff, imported by the worker; and a big export of commitments, written by the
worker for the person who asked, with what they may see."""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from article6.accounts.permissions import forget_roles, require
from article6.asof import today
from article6.assistance import exports, queries
from article6.assistance.filters import CommitmentFilters, UnknownValue, given, parameters
from article6.assistance.importing import (
    SHOWN,
    ImportRejected,
    import_crs,
    import_iati,
)
from article6.ops.jobs import Outcome, Progress, Refused


def import_commitments(job, progress: Progress) -> Outcome:
    """Import the job's IATI XML or CRS CSV file (the importers of `article6 import-iati`
    and `import-crs`, with their defaults), asked again whether its owner may import."""
    with translation.override(job.params.get("language") or None):
        forget_roles(job.owner)
        try:
            require(job.owner, "assistance.import_commitments")
        except PermissionDenied as refused:
            raise Refused([str(refused)]) from None
        progress.step("reading")
        importer = import_iati if job.params["format"] == "iati" else import_crs
        options = {"strict": bool(job.params.get("strict"))} if job.params["format"] == "iati" else {}
        with job.upload.open("rb") as stored:
            file = io.BytesIO(stored.read())
        file.name = job.params["name"]  # the name the person gave it, for the audit trail and the messages
        try:
            report = importer(file, progress=progress, **options)
        except ImportRejected as rejected:
            raise Refused([str(problem) for problem in rejected.problems], [_("Nothing was imported.")]) from None
        summary = [
            _("%(created)d commitments created, %(updated)d updated, %(unchanged)d unchanged, %(skipped)d skipped.")
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "skipped": report.skipped_count,
            },
            *report.notes,
        ]
        problems = [str(problem) for problem in report.problems]
        if problems:
            summary.append(
                ngettext("%(count)d problem:", "%(count)d problems:", len(problems)) % {"count": len(problems)}
            )
            summary += problems[:SHOWN]
            if len(problems) > SHOWN:
                summary.append(_("… and %(count)d more.") % {"count": len(problems) - SHOWN})
        if report.imported_nothing:
            raise Refused(problems, [_("Nothing was imported.")])
        return Outcome(summary=summary, link=reverse("assistance:commitments"), link_label=_("See the commitments"))


def export_commitments(job, progress: Progress) -> Outcome:
    """The commitments list as a file, filtered as the person filtered the page, of what
    they may see now."""
    with translation.override(job.params.get("language") or None):
        forget_roles(job.owner)
        fmt = job.params["format"]
        query = QueryDict(job.params.get("query", ""))
        try:
            filters = CommitmentFilters.model_validate(parameters(CommitmentFilters, query))
            commitments = filters.apply(
                queries.commitments_for(job.owner).prefetch_related(None).prefetch_related("pillar_shares", "flows")
            )
        except (UnknownValue, ValueError) as exc:
            raise Refused([str(exc)]) from None
        count = commitments.count()
        progress.step("exporting", count, "commitments")
        if fmt == "xlsx":
            content = exports.commitments_xlsx(commitments, filters=given(filters))
        else:
            content = exports.commitments_csv(commitments)
        name = f"article6-commitments-{today().isoformat()}.{fmt}"
        summary = [ngettext("%(count)d commitment.", "%(count)d commitments.", count) % {"count": count}]
        return Outcome(summary=summary, output=content, output_name=name, output_type=exports.FORMATS[fmt])
