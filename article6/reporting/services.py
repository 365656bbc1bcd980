"""Writing transparency reports: start, save as you go, submit, publish, correct.

Pages, the workbook upload and the API all come through here. Each function asks the
permission layer, checks every value before writing, and writes in one transaction,
recording who did it in the audit trail. A report's content travels as one plain
dictionary (see `content_of`), the same for the online form, the workbook and the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from article6 import asof
from article6.accounts.permissions import require
from article6.reporting import rules
from article6.reporting.models import (
    Form,
    FormSection,
    FormStatus,
    RecordsComplete,
    Report,
    ReportKind,
    ReportStatus,
)
from article6.reporting.tables import BY_KEY, FIGURE_RELATED_NAMES, TABLES, tables_of

SECTION_FIELDS = ("status", "unchanged_since", "text")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a report's content: where (a form, or a table and its row,
    counted from 1) and why."""

    form: str
    message: str
    table: str = ""
    row: int | None = None
    field: str = ""

    def as_json(self) -> dict:
        return {"form": self.form, "table": self.table, "row": self.row, "field": self.field, "message": self.message}


class ContentInvalid(ValidationError):
    """The content of a report was refused; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([p.message for p in problems])


# --- Reading a report's content -------------------------------------------------------------


def with_content(queryset):
    """Reports with their forms and figures, in a fixed number of queries."""
    return queryset.select_related("state", "corrects", "submitted_by", "published_by").prefetch_related(
        "sections", *FIGURE_RELATED_NAMES
    )


def content_of(report: Report) -> dict:
    """A report's content as plain data: the date of the report, forms A–J, and the rows
    of each table of figures, with the fields of `tables.TABLES`."""
    sections = {section.form: section for section in report.sections.all()}
    return {
        "report_date": report.report_date,
        "sections": {
            form: {
                "status": sections[form].status if form in sections else "",
                "unchanged_since": sections[form].unchanged_since if form in sections else None,
                "text": sections[form].text if form in sections else "",
            }
            for form in Form.values
        },
        "tables": {
            table.key: [{name: getattr(row, name) for name in table.fields} for row in table.rows(report)]
            for table in TABLES
        },
    }


def empty_content() -> dict:
    return {
        "report_date": None,
        "sections": {form: {"status": "", "unchanged_since": None, "text": ""} for form in Form.values},
        "tables": {table.key: [] for table in TABLES},
    }


# --- Checking content -----------------------------------------------------------------------


def _instances(report: Report, content: dict) -> tuple[list, list[Problem]]:
    """Unsaved figure rows built from `content`, and every problem found in them."""
    problems: list[Problem] = []
    rows = []
    for key, values in (content.get("tables") or {}).items():
        table = BY_KEY.get(key)
        if table is None:
            problems.append(Problem("", _("There is no table “%(key)s”.") % {"key": key}, table=key))
            continue
        for number, value in enumerate(values, start=1):
            unknown = set(value) - set(table.fields)
            row = table.model(report=report, **{k: v for k, v in value.items() if k in table.fields})
            for name in sorted(unknown):
                problems.append(Problem(table.form, _("There is no such column."), key, number, name))
            too_large = _above_limits(table, row)
            for name, message in too_large.items():
                problems.append(Problem(table.form, message, key, number, name))
            try:
                # A number above its limit is named once, with the same words on every database.
                row.full_clean(exclude=["report", *too_large])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    for message in messages:
                        problems.append(Problem(table.form, message, key, number, "" if name == "__all__" else name))
            if table.measures and row.measure and row.measure not in table.measures:
                problems.append(
                    Problem(table.form, _("This table holds only: %s.") % ", ".join(table.measures), key, number)
                )
            rows.append(row)
    return rows, problems


def _above_limits(table, row) -> dict[str, str]:
    """The columns of `row` holding a number above the limit of `tables` (the same on
    every database), with the reason."""
    out = {}
    for column in table.columns:
        if column.maximum is None:
            continue
        field = table.model._meta.get_field(column.field)
        try:
            value = field.to_python(getattr(row, column.field))
        except ValidationError:
            continue  # not a number: the model's own check says so
        try:
            column.check_limit(value)
        except ValidationError as error:
            out[column.field] = error.messages[0]
    return out


def _section_problems(report: Report, sections: dict) -> list[Problem]:
    problems = []
    for form, values in sections.items():
        if form not in Form.values:
            problems.append(Problem(form, _("There is no form “%(form)s”.") % {"form": form}))
            continue
        status = values.get("status") or ""
        if status and status not in FormStatus.values:
            problems.append(
                Problem(form, _("“%(value)s” is not a status of a form.") % {"value": status}, field="status")
            )
        since = values.get("unchanged_since")
        if since is not None and report.kind == ReportKind.ANNUAL and report.year and since >= report.year:
            problems.append(
                Problem(
                    form,
                    _("“Unchanged since” names an earlier year than the one this report covers (%(year)s).")
                    % {"year": report.year},
                    field="unchanged_since",
                )
            )
    return problems


def check_content(report: Report, content: dict) -> list[Problem]:
    """Every problem with the content, without writing anything."""
    _rows, problems = _instances(report, content)
    problems += _section_problems(report, content.get("sections") or {})
    report_date = content.get("report_date")
    if report_date and report_date > asof.today():
        problems.append(Problem("", _("The date of the report cannot be in the future."), field="report_date"))
    return problems


def missing(report: Report) -> dict[str, list[str]]:
    """What a report still lacks before it can be submitted, form by form (the cover
    page asks, for every form, whether it changed, is unchanged, or does not apply)."""
    out: dict[str, list[str]] = {}
    sections = {section.form: section for section in report.sections.all()}
    filled = {table.key: bool(table.rows(report)) for table in TABLES}
    for form in Form.values:
        section = sections.get(form)
        lacks = []
        if section is None or not section.status:
            lacks.append(_("Say whether this form changed, is unchanged, or does not apply."))
        elif section.status == FormStatus.UNCHANGED:
            if report.kind == ReportKind.INITIAL:
                lacks.append(_("An initial report has no earlier report to be unchanged from."))
            elif not section.unchanged_since:
                lacks.append(_("Give the year of the report it is unchanged since."))
        elif section.status == FormStatus.CHANGED:
            if not section.text.strip() and not any(filled[t.key] for t in tables_of(form)):
                lacks.append(_("Give the information, or the figures, for this form."))
        if lacks:
            out[form] = lacks
    if report.kind == ReportKind.ANNUAL and not report.year:
        out.setdefault("", []).append(_("Give the calendar year the update covers."))
    return out


# --- Which reports are owed -----------------------------------------------------------------


def _period(kind: str, year: int | None) -> str:
    if kind == ReportKind.INITIAL:
        return _("initial report")
    return _("annual update for %(year)s") % {"year": year}


def _day(day) -> str:
    return date_format(day, "DATE_FORMAT")


def not_owed_reason(state, kind: str, year: int | None) -> str | None:
    """None if `state` owes the report of this period (rules.why_not_owed); otherwise
    why not, in words: a report that is not owed is never filed, and one stored from
    before gets no verdict of on time or late."""
    if kind not in rules.KINDS or (kind == ReportKind.ANNUAL and year is None):
        return None  # not a period at all: the model's own checks say so
    dates = state.treaty_dates
    why = rules.why_not_owed(dates, kind, year)
    if why is None:
        return None
    names = {"state": state, "period": _period(kind, year)}
    if why is rules.NotOwed.NOT_A_STATE_PARTY:
        return (
            _(
                "%(state)s owes no transparency report: it has not deposited an instrument of ratification, "
                "acceptance, approval or accession, so the Convention is not in force for it (Art. 7, Art. 17)."
            )
            % names
        )
    eif = dates.entry_into_force
    if why is rules.NotOwed.BEFORE_FIRST_UPDATE:
        return _(
            "%(state)s owes no annual update for %(year)s: the Convention entered into force for it on %(eif)s "
            "(Art. 17), its initial report covers the time before (Art. 7(1)), and its first annual update "
            "covers %(first)s (Art. 7(2))."
        ) % {
            **names,
            "year": year,
            "eif": _day(eif),
            "first": rules.first_annual_report_year(eif),
        }
    due = rules.initial_report_due(eif) if kind == ReportKind.INITIAL else rules.annual_report_due(year)
    return _(
        "%(state)s owes no %(period)s: its withdrawal took effect on %(withdrawn)s (Art. 20(2)), and the report "
        "would only have been due on %(due)s (Art. 7)."
    ) % {
        **names,
        "withdrawn": _day(dates.withdrawal_effective),
        "due": _day(due),
    }


def require_owed(state, kind: str, year: int | None) -> None:
    """A ValidationError, with the reason, unless `state` owes the report of this period."""
    reason = not_owed_reason(state, kind, year)
    if reason is not None:
        raise ValidationError(reason, code="not_owed")


def require_period_over(report: Report, day: dt.date) -> None:
    """A ValidationError naming the date unless `report` may be submitted on `day`: an
    annual update covering a year is submitted from 1 January of the next (Art. 7(2));
    its draft may be written before."""
    earliest = rules.earliest_submission(report.kind, report.year)
    if earliest is not None and day < earliest:
        raise ValidationError(
            _(
                "The annual update for %(year)s covers the whole of that calendar year (Art. 7(2)): it can be "
                "submitted from %(day)s. Until then it stays a draft, saved as you go."
            )
            % {"year": report.year, "day": _day(earliest)},
            code="period_not_over",
        )


# --- How far each form is filled in -----------------------------------------------------------


@dataclass(frozen=True)
class FormProgress:
    """How far one form (A–J) of a draft is filled in: its parts are the cover page's
    answer (changed, unchanged, not applicable), the information in words, and each of its
    tables of figures. `complete` when nothing is missing before submission (`missing`)."""

    form: str
    filled: int
    total: int
    complete: bool

    @property
    def started(self) -> bool:
        return self.filled > 0


def progress(report: Report) -> list[FormProgress]:
    """Each form's progress, A to J (`FormProgress`), from the stored draft: read from the
    content `with_content` prefetched."""
    lacks = missing(report)
    sections = {section.form: section for section in report.sections.all()}
    out = []
    for form in Form.values:
        section = sections.get(form)
        tables = tables_of(form)
        filled = int(bool(section and section.status)) + int(bool(section and section.text.strip()))
        filled += sum(1 for table in tables if table.rows(report))
        out.append(FormProgress(form, filled, 2 + len(tables), form not in lacks))
    return out


@dataclass(frozen=True)
class TableTotal:
    """The totals of one table of figures, for the summary shown before submitting:
    how many rows, and each number column summed per kind of row (its measure or
    direction) and currency."""

    title: str
    rows: int
    groups: list[tuple[str, list[tuple[str, str]]]]  # (kind of row, [(column, total shown)])


GROUPED_BY = ("measure", "direction", "currency")


def totals(report: Report) -> list[TableTotal]:
    """The totals of every table of figures that has rows, in the order of the forms."""
    from django.utils.formats import number_format

    from article6.reporting.tables import DECIMAL

    out = []
    for table in TABLES:
        rows = table.rows(report)
        if not rows:
            continue
        keys = [c for c in table.columns if c.field in GROUPED_BY]
        numbers = [c for c in table.columns if c.is_number]
        groups: dict[str, dict[str, Decimal]] = {}
        for row in rows:
            if all(getattr(row, c.field) is None for c in numbers):
                continue  # no figure given (a need without an amount): counted as a row only
            label = ", ".join(c.shown(row) for c in keys)
            sums = groups.setdefault(label, {c.field: Decimal(0) for c in numbers})
            for column in numbers:
                sums[column.field] += Decimal(getattr(row, column.field) or 0)
        shown = []
        for label, sums in groups.items():
            cells = []
            for column in numbers:
                places = 2 if column.kind == DECIMAL else None
                cells.append(
                    (
                        column.header(table.model),
                        number_format(sums[column.field], decimal_pos=places, force_grouping=True),
                    )
                )
            shown.append((label, cells))
        out.append(TableTotal(str(table.title), len(rows), shown))
    return out


# --- Writing --------------------------------------------------------------------------------


def _save(record, user) -> None:
    record._history_user = user
    record.save()


def _require_draft(report: Report) -> None:
    if report.status != ReportStatus.DRAFT:
        raise PermissionDenied(_("A submitted report is never changed: correct it with a new version."))


def require_filing(user, state) -> None:
    """A 403 unless `user` may start reports of `state`: its focal points and ISU."""
    require(user, "reporting.file_report_for", state, state=state)


def require_publish(user, report: Report) -> None:
    """A 403 unless `user` may publish `report`: ISU staff."""
    require(user, "reporting.publish_report", report)


def require_edit(user, report: Report) -> None:
    """A 403 unless `user` may write `report`: its State's focal points and ISU."""
    require(user, "reporting.edit_report", report, state=report.state)


@transaction.atomic
def start_report(user, state, kind: str, year: int | None = None, *, from_last: bool = False) -> Report:
    """A new draft report of `state` for a period, empty or copied from its latest
    received report ("start from last year's report": every form then reads
    "unchanged since" that report's year, to be changed where things moved on)."""
    require_filing(user, state)
    year = None if kind == ReportKind.INITIAL else year
    require_owed(state, kind, year)
    existing = Report.objects.filter(state=state, kind=kind, year=year)
    if existing.filter(status=ReportStatus.DRAFT).exists():
        raise ValidationError(_("There is already a draft of this report: carry on with it."))
    if existing.exclude(status=ReportStatus.DRAFT).exists():
        raise ValidationError(_("This report was already submitted: correct it with a new version instead."))
    report = Report(state=state, kind=kind, year=year, created_by=user)
    report.full_clean(exclude=["created_by"])
    _save(report, user)
    content = empty_content()
    if from_last:
        content = last_content(state, kind)
        if content is None:
            raise ValidationError(_("%(state)s has no earlier report in the system to start from.") % {"state": state})
    _write(user, report, content)
    return report


def last_content(state, kind: str) -> dict | None:
    """The content of `state`'s latest received report, to start a new one from ("start
    from last year's report", online and in the workbook): no date of the report, and for
    an annual update every changed form reads "unchanged since" that report's year, to be
    changed where things moved on. Figures are kept as a starting point the State
    corrects. None if there is no earlier report with content."""
    previous = (
        with_content(Report.objects.current().filter(state=state, historic=False))
        .order_by("-year", "-submitted_on")
        .first()
    )
    if previous is None:
        return None
    content = content_of(previous)
    content["report_date"] = None
    since = previous.year if previous.kind == ReportKind.ANNUAL else (previous.submitted_on or asof.today()).year
    if kind == ReportKind.ANNUAL:
        for values in content["sections"].values():
            if values["status"] == FormStatus.CHANGED:
                values["status"], values["unchanged_since"] = FormStatus.UNCHANGED, since
    return content


def _write(user, report: Report, content: dict) -> None:
    rows, problems = _instances(report, content)
    problems += _section_problems(report, content.get("sections") or {})
    if problems:
        raise ContentInvalid(problems)
    if "report_date" in content:
        report.report_date = content["report_date"]
        _save(report, user)
    stored = {section.form: section for section in FormSection.objects.filter(report=report)}
    for form in Form.values:
        values = (content.get("sections") or {}).get(form)
        section = stored.get(form) or FormSection(report=report, form=form)
        if values is None and section.pk:
            continue
        values = values or {}
        changed = section.pk is None
        for name in SECTION_FIELDS:
            value = values.get(name, "" if name != "unchanged_since" else None)
            if name == "text":
                value = value or ""
            if name == "status":
                value = value or ""
            if getattr(section, name) != value:
                setattr(section, name, value)
                changed = True
        if changed:
            _save(section, user)
    for key in content.get("tables") or {}:
        table = BY_KEY[key]
        kept = table.model.objects.filter(report=report)
        if table.measures:
            kept = kept.filter(measure__in=table.measures)
        for old in kept:
            old._history_user = user
            old.delete()
    for row in rows:
        _save(row, user)


@transaction.atomic
def save_content(user, report: Report, content: dict) -> Report:
    """Save a draft's content (the tables given replace their rows; the forms given
    replace their answers). Refused whole, with every problem, if anything is wrong."""
    report = Report.objects.select_for_update(of=("self",)).select_related("state").get(pk=report.pk)
    require_edit(user, report)
    _require_draft(report)
    _write(user, report, content)
    report.updated = dt.datetime.now(dt.UTC)
    _save(report, user)
    return report


@transaction.atomic
def submit(user, report: Report, today: dt.date | None = None) -> Report:
    """Submit a complete draft: the day is recorded and compared with the Convention's
    clock (Art. 7(1), 7(2)). A correction is dated too; the first version's date is the
    one that counts for timeliness."""
    report = with_content(Report.objects.select_for_update(of=("self",)).filter(pk=report.pk)).get()
    require_edit(user, report)
    _require_draft(report)
    require_owed(report.state, report.kind, report.year)
    require_period_over(report, today or asof.today())
    lacks = missing(report)
    if lacks:
        raise ContentInvalid([Problem(form, message) for form, messages in lacks.items() for message in messages])
    report.status = ReportStatus.SUBMITTED
    report.submitted_on = today or asof.today()
    report.submitted_by = user
    if report.report_date is None:
        report.report_date = report.submitted_on
    _save(report, user)
    # Its PDF, rendered once by the worker: its content no longer changes.
    from article6.reporting.tasks import render_report_pdf

    render_report_pdf.enqueue(report.pk, settings.LANGUAGE_CODE)
    return report


@transaction.atomic
def publish(user, report: Report, today: dt.date | None = None) -> Report:
    """ISU publishes a submitted report: the public reads it from then on."""
    report = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    require_publish(user, report)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be published."))
    report.status = ReportStatus.PUBLISHED
    report.published_on = today or asof.today()
    report.published_by = user
    _save(report, user)
    return report


@transaction.atomic
def correct(user, report: Report) -> Report:
    """A correction: a new draft version with the content of `report`, which stays as
    it was."""
    report = with_content(Report.objects.select_for_update(of=("self",)).filter(pk=report.pk)).get()
    require_edit(user, report)
    if report.status == ReportStatus.DRAFT:
        raise ValidationError(_("A draft is changed in place; only a submitted report is corrected."))
    if hasattr(report, "superseded_by"):
        raise ValidationError(_("This version was already corrected: correct the latest version."))
    if report.historic:
        raise ValidationError(_("A report recorded from a past document has no content to correct."))
    require_owed(report.state, report.kind, report.year)
    latest = Report.objects.filter(state=report.state, kind=report.kind, year=report.year).aggregate(v=Max("version"))
    new = Report(
        state=report.state,
        kind=report.kind,
        year=report.year,
        version=latest["v"] + 1,
        corrects=report,
        created_by=user,
        is_sample=report.is_sample,
    )
    _save(new, user)
    _write(user, new, content_of(report))
    return new


@transaction.atomic
def discard(user, report: Report) -> None:
    """Throw away a draft that was never submitted."""
    report = Report.objects.select_for_update(of=("self",)).select_related("state").get(pk=report.pk)
    require_edit(user, report)
    _require_draft(report)
    report._history_user = user
    report.delete()


@transaction.atomic
def record_past_report(
    user, state, kind: str, year: int | None, submitted_on: dt.date, document_url: str = ""
) -> Report:
    """ISU records a report received before this system: the day it came in and the
    published document, so that the reporting figures reach back to 2011."""
    require(user, "reporting.record_past_report", state)
    year = None if kind == ReportKind.INITIAL else year
    require_owed(state, kind, year)
    if Report.objects.received().filter(state=state, kind=kind, year=year).exists():
        raise ValidationError(_("This report is already recorded."))
    report = Report(
        state=state,
        kind=kind,
        year=year,
        status=ReportStatus.PUBLISHED,
        historic=True,
        submitted_on=submitted_on,
        published_on=submitted_on,
        document_url=document_url,
        created_by=user,
        submitted_by=None,
        published_by=user,
    )
    report.full_clean(exclude=["created_by", "published_by"])
    _save(report, user)
    return report


@transaction.atomic
def set_records_complete(user, state, day: dt.date | None) -> RecordsComplete | None:
    """ISU sets the day from which its records of the reports received are complete, for
    every State (`state` None) or for one State (overriding the day for every State).
    `day` None removes it: the reports it covered read "not recorded" again, or fall
    back on the day for every State."""
    require(user, "reporting.set_records_complete", state)
    # No ordering: the default one (by State name) would join the State, which a lock may not take.
    found = RecordsComplete.objects.select_for_update().filter(state=state).order_by().first()
    if day is None:
        if found is not None:
            found._history_user = user
            found.delete()
        return None
    if day > asof.today():
        raise ValidationError({"complete_from": _("The records cannot be complete from a day still to come.")})
    record = found or RecordsComplete(state=state)
    record.complete_from = day
    record.full_clean(validate_constraints=False)
    _save(record, user)
    return record
