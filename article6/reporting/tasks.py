"""The reporting app's background tasks: the PDF of a submitted report, rendered once by the
worker when it is submitted (a report's content never changes after that: a correction is a
new version), and kept for every reader after."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django_tasks import task


def pdf_path(report, language: str) -> str:
    # The id and the moment the report was started: a database made anew never meets the
    # PDF of another report that had the same id.
    return f"reports/pdf/{report.pk}-{report.created:%Y%m%dT%H%M%S%f}-{language}.pdf"


def stored_pdf(report, language: str) -> bytes | None:
    """The PDF of a submitted or published report, if it has been rendered."""
    if report.status == "draft":
        return None
    try:
        with default_storage.open(pdf_path(report, language), "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


def keep_pdf(report, language: str, content: bytes) -> None:
    """Keep the PDF of a report that no longer changes (never a draft's)."""
    path = pdf_path(report, language)
    if report.status != "draft" and not default_storage.exists(path):
        default_storage.save(path, ContentFile(content))


@task()
def render_report_pdf(report_id: int, language: str) -> str:
    from article6.reporting import exports
    from article6.reporting.models import Report
    from article6.reporting.services import with_content

    report = with_content(Report.objects.filter(pk=report_id)).select_related("state").first()
    if report is None or report.status == "draft":
        return "nothing to render"
    if default_storage.exists(pdf_path(report, language)):
        return "already rendered"
    with translation.override(language):
        keep_pdf(report, language, exports.report_pdf(report))
    return pdf_path(report, language)
