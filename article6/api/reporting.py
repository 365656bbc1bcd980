"""The API of Article 7 transparency reports: the reporting figures as of any date, a
State's reports due and where each stands, and the reports themselves.

Everything here is public (a token or a session, when sent, still identifies the
caller): the figures count every State; the reports are those the caller may read
(reporting.queries.readable_reports: published ones for everyone; drafts and submitted
ones also for the State's own focal points, coordinators and ISU staff). A report the
caller may not read is absent from the list and a 404 on its own. Each operation runs a
fixed number of SQL queries, whatever the number of records; the comments say how many,
besides identifying the caller.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from article6.api.auth import OPTIONAL, OPTIONAL_SECURITY
from article6.api.errors import BadParameter, Detail, NotFound, ParameterErrors
from article6.api.paging import Page, Paging
from article6.api.params import Iso3Filter, IsoDate
from article6.asof import today
from article6.reporting import queries, rules, services
from article6.reporting.models import FIRST_YEAR, LAST_YEAR, Form, FormStatus, ReportKind, ReportStatus
from article6.reporting.tables import TABLES
from article6.states.models import State
from article6.treaty.queries import ISO3_CODE

router = Router()

MAX_ID = 2**63 - 1  # the largest the database's ids hold
READ = {"auth": OPTIONAL, "openapi_extra": OPTIONAL_SECURITY, "tags": ["Transparency reports"]}
AS_OF = "The day the figures are computed for (YYYY-MM-DD); default today."


# --- Parameters ------------------------------------------------------------------------------


Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


# --- Shapes ------------------------------------------------------------------------------------


class InitialSampleOut(Schema):
    submitted_on_time: int = Field(description="Of those received on time, how many are fictional sample reports.")
    submitted_late: int = Field(description="Of those received late, how many are fictional sample reports.")


class AnnualSampleOut(Schema):
    submitted: int = Field(description="Of those received, how many are fictional sample reports.")
    on_time: int = Field(description="Of those received on time, how many are fictional sample reports.")


class InitialFiguresOut(Schema):
    due: int = Field(description="Initial reports (Art. 7(1)) due on or before as_of.")
    submitted_on_time: int = Field(description="Received by their due date: 180 days after entry into force.")
    submitted_late: int = Field(description="Received after their due date, by as_of.")
    overdue: int = Field(
        description="Not received by as_of, though due before it, on or after the day from which ISU's records "
        "are complete."
    )
    overdue_states: list[str] = Field(description="ISO3 codes of the States whose initial report is overdue.")
    not_recorded: int = Field(
        description="Not in the records, but due before the day from which ISU's records are complete: not known."
    )
    sample: InitialSampleOut | None = Field(
        None, description="Only while fictional sample data counts in these figures: how many of them it is."
    )


class AnnualFiguresOut(Schema):
    due: int = Field(description="Annual updates (Art. 7(2)) covering the year, due 30 April after it.")
    submitted: int = Field(description="Received by as_of.")
    on_time: int = Field(description="Received by 30 April.")
    not_recorded: int = Field(
        description="Not in the records, but due before the day from which ISU's records are complete: not known."
    )
    rate: float | None = Field(
        description="submitted / (due - not_recorded), rounded to two decimals; null when no status is known."
    )
    sample: AnnualSampleOut | None = Field(
        None, description="Only while fictional sample data counts in these figures: how many of them it is."
    )


class FiguresBase(Schema):
    as_of: str = Field(description="YYYY-MM-DD.")
    initial: InitialFiguresOut
    annual: dict[str, AnnualFiguresOut] = Field(
        description="By calendar year covered; years with nothing due left out."
    )


class FiguresOut(FiguresBase):
    """The shape of `article6 reporting --json`."""

    by_region: dict[str, FiguresBase] | None = Field(None, description="Only with by=region.")


class ReportLinkOut(Schema):
    id: int = Field(description="The latest version of the report the caller may read.")
    version: int
    status: ReportStatus


class StateReportOut(Schema):
    kind: ReportKind
    year: int | None = Field(description="The calendar year an annual update covers; null for the initial report.")
    due: dt.date
    status: rules.ReportStatus = Field(
        description="on_time, late, overdue, not_recorded (missing, but due before the day from which ISU's "
        "records are complete), due (due on as_of itself) or not_yet_due (only for next_due)."
    )
    days_late: int = Field(description="Days after the due date it came in (late) or has been awaited (overdue).")
    submitted_on: dt.date | None = Field(description="The day the first version came in, if by as_of.")
    report: ReportLinkOut | None = Field(description="The report received, if the caller may read it.")


class StateReportsOut(Schema):
    iso3: str
    name: str
    as_of: dt.date
    reports: list[StateReportOut] = Field(description="Every report due on or before as_of, oldest first.")
    next_due: StateReportOut | None = Field(description="The first report due after as_of, for a State Party.")


class ReportOut(Schema):
    id: int
    state: str = Field(description="ISO3 code.")
    state_name: str
    kind: ReportKind
    year: int | None = Field(description="The calendar year an annual update covers.")
    version: int
    corrects: int | None = Field(description="The id of the version this one corrects.")
    status: ReportStatus
    due: dt.date | None = Field(
        description="Art. 7(1): 180 days after entry into force; Art. 7(2): 30 April. Null for a period not owed."
    )
    owed: bool = Field(
        description="Whether the State owed a report for this period (Art. 7; not before its first annual update, "
        "Art. 17, nor once its withdrawal took effect, Art. 20). A report not owed has no due date and no verdict."
    )
    report_date: dt.date | None = Field(description="The date the State gives on its cover page.")
    submitted_on: dt.date | None
    published_on: dt.date | None
    historic: bool = Field(description="Recorded by ISU from a report received before this system.")
    document_url: str
    is_sample: bool = Field(description="Fictional sample data.")


class ReportPage(Page):
    items: list[ReportOut]


class FormOut(Schema):
    status: FormStatus | Literal[""] = Field(description="As on the official cover page; empty if not given.")
    unchanged_since: int | None
    text: str


class ReportDetail(ReportOut):
    forms: dict[Form, FormOut] = Field(description="Forms A to J.")
    tables: dict[str, list[dict[str, Any]]] = Field(
        description="The tables of figures, by key, each a list of rows with the columns of the reporting forms."
    )


# --- Helpers -----------------------------------------------------------------------------------


def _plain(value):
    """Amounts as JSON numbers, like the rest of the API."""
    return float(value) if isinstance(value, Decimal) else value


def report_out(report) -> dict:
    """A report (its State selected) as the API shows it."""
    return {
        "id": report.pk,
        "state": report.state.iso3,
        "state_name": report.state.name,
        "kind": report.kind,
        "year": report.year,
        "version": report.version,
        "corrects": report.corrects_id,
        "status": report.status,
        "due": report.due_date,
        "owed": rules.is_owed(report.state.treaty_dates, report.kind, report.year),
        "report_date": report.report_date,
        "submitted_on": report.submitted_on,
        "published_on": report.published_on,
        "historic": report.historic,
        "document_url": report.document_url,
        "is_sample": report.is_sample,
    }


def _state_report(entry: queries.StateReport) -> dict:
    link = entry.link
    return {
        "kind": entry.kind,
        "year": entry.year,
        "due": entry.due,
        "status": entry.status,
        "days_late": entry.days_late,
        "submitted_on": entry.submitted,
        "report": {"id": link.pk, "version": link.version, "status": link.status} if link else None,
    }


# --- Operations --------------------------------------------------------------------------------


@router.get(
    "/reporting/figures",
    response={200: FiguresOut, 422: ParameterErrors},
    exclude_unset=True,
    operation_id="get_reporting_figures",
    summary="Art. 7 reporting figures: initial reports due, on time, late, overdue; the annual rate",
    **READ,
)
def reporting_figures(
    request,
    as_of: Annotated[IsoDate | None, Query(description=AS_OF)] = None,
    by: Annotated[Literal["region"] | None, Query(description="by=region adds the figures by region.")] = None,
):
    """The figures `article6 reporting --as-of DATE --json` prints, over every State and
    every report received (first version's date), as of `as_of`. Only reports due on or
    before `as_of` count."""
    # One query when the figures are cached for this version of the data, three otherwise.
    data = queries.transparency(as_of or today())
    out = dict(data["figures"])
    if by == "region":
        out["by_region"] = data["by_region"]
    return out


@router.get(
    "/states/{iso3}/reports",
    response={200: StateReportsOut, 404: NotFound, 422: ParameterErrors},
    operation_id="list_state_reports",
    summary="A State's reports due by a date: on time, late or overdue by how many days; the next one due",
    **READ,
)
def state_reports(
    request,
    iso3: Annotated[str, Path(description="ISO 3166-1 alpha-3 code, any case (FJI, fji).")],
    as_of: Annotated[IsoDate | None, Query(description=AS_OF)] = None,
):
    """Every report the State owed on `as_of` (its initial report, Art. 7(1); its annual
    updates, Art. 7(2)) with its status, and the next one due; with a link to the
    report received where the caller may read it."""
    # Two queries: the State, its reports received (and the caller's roles once, when signed in).
    day = as_of or today()
    code = iso3.strip().upper()
    state = State.objects.filter(iso3=code).first() if ISO3_CODE.fullmatch(code) else None
    if state is None:
        raise HttpError(404, _("No State has the ISO3 code “%(code)s”.") % {"code": iso3[:20]})
    found = queries.state_reporting(state, day, request.user)
    return {
        "iso3": state.iso3,
        "name": state.name,
        "as_of": day,
        "reports": [_state_report(entry) for entry in found.reports],
        "next_due": _state_report(found.next_due) if found.next_due else None,
    }


@router.get(
    "/reports",
    response={200: ReportPage, 400: ParameterErrors, 401: Detail, 422: ParameterErrors},
    operation_id="list_reports",
    summary="Transparency reports the caller may read",
    **READ,
)
def list_reports(
    request,
    state: Annotated[Iso3Filter | None, Query(description="Only this State's reports (ISO3 code, any case).")] = None,
    kind: Annotated[ReportKind | None, Query(description="Only initial reports or annual updates.")] = None,
    year: Annotated[Year | None, Query(description="Only annual updates covering this year.")] = None,
    status: Annotated[ReportStatus | None, Query(description="Only reports in this status.")] = None,
    paging: Query[Paging] = None,
):
    """Every version of every report the caller may read, by State, period and version:
    published ones for everyone; the State's own drafts and submitted ones for its focal
    points, and all for coordinators and ISU staff."""
    # Two queries: the count, the page with the States (one more with `state`; the caller's
    # roles once, when signed in).
    reports = queries.readable_reports(request.user).select_related("state")
    if state:
        found = State.objects.filter(iso3=state).first()
        if found is None:
            raise BadParameter("state", _("No State has the ISO3 code “%(code)s”.") % {"code": state})
        reports = reports.filter(state=found)
    if kind:
        reports = reports.filter(kind=kind)
    if year:
        reports = reports.filter(year=year)
    if status:
        reports = reports.filter(status=status)
    reports = reports.order_by("state__name", "kind", "-year", "-version", "pk")
    return paging.page(reports, report_out)


@router.get(
    "/reports/{id}",
    response={200: ReportDetail, 401: Detail, 404: Detail, 422: ParameterErrors},
    operation_id="get_report",
    summary="One transparency report, with its forms A to J and its tables of figures",
    **READ,
)
def get_report(request, id: Annotated[int, Path(ge=1, le=MAX_ID, description="The report's id.")]):
    """A report the caller may read (else a 404): its forms, each marked changed,
    unchanged since a year, or not applicable, with the State's words, and its tables
    of figures with their units, the same columns as the workbook and the CSV."""
    # Eight queries: the report with its State, its forms, its six tables of figures (and the
    # caller's roles once, when signed in).
    report = services.with_content(queries.readable_reports(request.user)).filter(pk=id).first()
    if report is None:
        raise HttpError(404, _("No transparency report you may read has the id %(id)s.") % {"id": id})
    content = services.content_of(report)
    return {
        **report_out(report),
        "report_date": content["report_date"],
        "forms": content["sections"],
        "tables": {
            table.key: [{name: _plain(value) for name, value in row.items()} for row in content["tables"][table.key]]
            for table in TABLES
        },
    }
