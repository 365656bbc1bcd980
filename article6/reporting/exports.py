"""Transparency reports (Art. 7) as files: the workbook (the same one a State fills in
offline, so that it can be uploaded again), a "long" CSV of the tables of figures (one
value a line, for adding up and comparing across States and years), and a PDF laid out
like the official reporting forms.

Each function takes reports the caller may read (see `queries.readable_reports`); the
published CSV reads only what the public reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from article6.assistance.exports import FORMULA_START
from article6.reporting import queries, rules, services
from article6.reporting.models import Form, FormStatus, Report, ReportKind
from article6.reporting.tables import TABLES, tables_of
from article6.reporting.workbook import build_workbook

CSV_HEADER = [
    "state_iso3",
    "state",
    "kind",
    "year",
    "version",
    "submitted_on",
    "form",
    "table",
    "row",
    "column",
    "value",
    "is_sample",
    "owed",
]
PDF_CONTENT_TYPE = "application/pdf"


def filename(report: Report, extension: str) -> str:
    """Like "LAO-annual-2025-v1.xlsx"."""
    period = report.kind if report.kind == ReportKind.INITIAL else f"{report.kind}-{report.year}"
    return f"{report.state.iso3}-{period}-v{report.version}.{extension}"


# --- Excel --------------------------------------------------------------------------------


def report_xlsx(report: Report) -> bytes:
    """The report as the offline workbook, filled in: uploading it again gives the same report."""
    return build_workbook(
        report.state,
        report.kind,
        report.year,
        services.content_of(report),
        version=report.version,
        sample=report.is_sample,
    )


# --- CSV ----------------------------------------------------------------------------------


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # A spreadsheet would run it as a formula: kept as text behind an apostrophe.
    return "'" + text if text.startswith(FORMULA_START) else text


def _report_rows(report: Report):
    owed = "true" if rules.is_owed(report.state.treaty_dates, report.kind, report.year) else "false"
    first = [
        _csv_value(value)
        for value in (
            report.state.iso3,
            report.state.name,
            report.kind,
            report.year,
            report.version,
            report.submitted_on,
        )
    ]
    for table in TABLES:
        for number, row in enumerate(table.rows(report), start=1):
            for column in table.columns:
                yield [
                    *first,
                    table.form,
                    table.key,
                    number,
                    column.field,
                    _csv_value(getattr(row, column.field)),
                    "true" if report.is_sample else "false",
                    owed,
                ]


def _csv(reports) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for report in reports:
        writer.writerows(_report_rows(report))
    return out.getvalue()


def report_csv(report: Report) -> str:
    """The report's tables of figures as one long CSV: a line per value, with the
    State, period, version, form, table, row (from 1) and column it belongs to."""
    return _csv([report])


def published_csv() -> str:
    """The tables of every published report, in its latest published version, as one
    long CSV (past reports recorded from their documents have no tables)."""
    reports = services.with_content(Report.objects.current_published()).order_by(
        "state__name", "kind", "year", "version"
    )
    return _csv(reports)


# --- PDF ----------------------------------------------------------------------------------


def _form_status(section) -> str:
    if section is None or not section.status:
        return _("not stated")
    if section.status == FormStatus.UNCHANGED:
        if section.unchanged_since:
            return _("unchanged since %(year)s") % {"year": section.unchanged_since}
        return _("unchanged")
    return str(FormStatus(section.status).label)


def timeliness(report: Report) -> str:
    """On time, or late by N days: the first version's submission date against the due
    date of Art. 7(1) (180 days after entry into force) or 7(2) (30 April)."""
    reason = services.not_owed_reason(report.state, report.kind, report.year)
    if reason is not None:
        return _("not owed: %(reason)s") % {"reason": reason}
    first = queries.first_submitted(report)
    if first is None:
        return _("not submitted yet")
    found = queries.timeliness(report, first, first)
    due = report.due_date.isoformat()
    if found.status is rules.ReportStatus.ON_TIME:
        return _("on time (due %(due)s)") % {"due": due}
    return _("late by %(days)d days (due %(due)s)") % {"days": found.days_late, "due": due}


def _context(report: Report) -> dict:
    sections = {section.form: section for section in report.sections.all()}
    forms = []
    for form in Form:
        section = sections.get(form.value)
        forms.append(
            {
                "letter": form.value,
                "title": form.label,
                "status": _form_status(section),
                "text": section.text if section else "",
                "tables": [
                    {
                        "title": table.title,
                        "headers": table.headers(),
                        "rows": table.cells(report),
                    }
                    for table in tables_of(form.value)
                ],
            }
        )
    return {"report": report, "forms": forms, "timeliness": timeliness(report)}


def report_html(report: Report) -> str:
    """The HTML the PDF is made from (printed by WeasyPrint, never served to a browser)."""
    return render_to_string("reporting/report_pdf.html", _context(report))


def _url_fetcher():
    """Fetch nothing from the network or the disk: the template inlines what it needs."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint: a fetcher is a plain function
        from weasyprint import default_url_fetcher

        def fetch(url, *args, **kwargs):
            if not url.startswith("data:"):
                raise ValueError("only data: URLs are fetched")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def report_pdf(report: Report) -> bytes:
    """The report as a PDF laid out like the official forms: a cover page with the
    status of forms A–J, then each form with its information and tables."""
    from weasyprint import HTML

    return HTML(string=report_html(report), base_url=None, url_fetcher=_url_fetcher()).write_pdf()
