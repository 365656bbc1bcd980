"""The online report: one small form per reporting form (A–J) and one formset per table
of figures, read back into the plain content that `services.save_content` writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from article6.asof import today
from article6.reporting import services
from article6.reporting.models import FIRST_YEAR, LAST_YEAR, Form, FormStatus, ReportKind
from article6.reporting.tables import TABLES, tables_of
from article6.states.models import State

EXTRA_ROWS = 2


class SectionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("This form is"),
        choices=[("", _("not answered yet")), *FormStatus.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    unchanged_since = forms.IntegerField(
        label=_("Unchanged since the report for the year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )
    text = forms.CharField(label=_("Information"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReportDateForm(forms.Form):
    report_date = forms.DateField(
        label=_("Date of the report"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("As on the cover page. When left empty, the day it is submitted."),
    )

    def clean_report_date(self):
        value = self.cleaned_data["report_date"]
        if value and value > today():
            raise forms.ValidationError(_("The date of the report cannot be in the future."))
        return value


def _row_form(table):
    """A form for one row of a table, from its model's fields (their validators, units
    and choices) and the limits of `tables`; the measure of a shared munitions table is
    limited to its own."""
    base = forms.modelform_factory(table.model, fields=table.fields)
    columns = {column.field: column for column in table.columns}

    class RowForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, field in self.fields.items():
                field.widget.attrs.setdefault("aria-label", field.label)
                maximum = columns[name].maximum
                if maximum is not None:
                    # the limit of `tables`, the same on every database
                    field.validators.append(columns[name].validator())
                    field.widget.attrs["max"] = str(maximum)
                if name == "measure":
                    field.choices = [("", "---------"), *[(v, lbl) for v, lbl in table.columns[0].choices]]

        def row(self) -> dict:
            return {name: self.cleaned_data.get(name) for name in table.fields}

    RowForm.__name__ = f"{table.model.__name__}RowForm"
    return RowForm


ROW_FORMS = {table.key: _row_form(table) for table in TABLES}


class ReportEditor:
    """Every part of the online report at once, bound to the posted data or filled from
    the report's content."""

    def __init__(self, report, data=None):
        self.report = report
        # Bound to posted data, every part is read as typed; the stored content only
        # fills the unbound form.
        content = services.content_of(report) if data is None else services.empty_content()
        self.date_form = ReportDateForm(data, initial={"report_date": content.get("report_date")})
        self.sections = {}
        self.formsets = {}
        for form in Form:
            values = content["sections"][form.value]
            self.sections[form.value] = SectionForm(data, prefix=f"form-{form.value}", initial=values)
        for table in TABLES:
            factory = forms.formset_factory(ROW_FORMS[table.key], extra=EXTRA_ROWS, can_delete=True)
            # Bound, a row is compared with nothing: compared with the stored rows, an
            # unchanged row would be taken for an empty one and dropped.
            initial = None if data is not None else content["tables"][table.key]
            self.formsets[table.key] = factory(data, prefix=table.key, initial=initial)
        if report.kind == ReportKind.INITIAL:
            for section in self.sections.values():
                section.fields["status"].choices = [
                    c for c in section.fields["status"].choices if c[0] != FormStatus.UNCHANGED
                ]
                del section.fields["unchanged_since"]

    def is_valid(self) -> bool:
        parts = [self.date_form, *self.sections.values(), *self.formsets.values()]
        # A list, not a generator: every part is validated, so every error shows at once.
        return all([part.is_valid() for part in parts])  # noqa: C419

    def error_count(self) -> int:
        count = len(self.date_form.errors) + sum(len(s.errors) for s in self.sections.values())
        for formset in self.formsets.values():
            count += len(formset.non_form_errors()) + sum(len(e) for e in formset.errors)
        return count

    def content(self) -> dict:
        """The cleaned content, in the services' shape (blank and removed rows left out)."""
        tables = {}
        for key, formset in self.formsets.items():
            # A blank extra row has no cleaned data; a row ticked "remove" is left out.
            tables[key] = [
                form.row() for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
        return {
            "report_date": self.date_form.cleaned_data.get("report_date"),
            "sections": {
                letter: {
                    "status": section.cleaned_data.get("status") or "",
                    "unchanged_since": section.cleaned_data.get("unchanged_since"),
                    "text": section.cleaned_data.get("text") or "",
                }
                for letter, section in self.sections.items()
            },
            "tables": tables,
        }

    def parts(self):
        """(form, its section form, its tables with their formsets), A to J, for the page."""
        for form in Form:
            yield (
                form,
                self.sections[form.value],
                [(table, self.formsets[table.key]) for table in tables_of(form.value)],
            )


class PeriodForm(forms.Form):
    """Which report to start, online or in the workbook: the initial report, or the
    annual update for a calendar year that has begun (Art. 7(2)), of a period `state`
    owes (services.not_owed_reason), when a State is given."""

    kind = forms.ChoiceField(label=_("Kind of report"), choices=ReportKind.choices)
    year = forms.IntegerField(
        label=_("Calendar year covered"),
        required=False,
        help_text=_("For an annual update (Art. 7(2)): the calendar year it covers."),
    )
    from_last = forms.BooleanField(label=_("Start from the latest report"), required=False)

    def __init__(self, *args, state=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state

    def clean(self):
        data = super().clean()
        if data.get("kind") == ReportKind.ANNUAL:
            year = data.get("year")
            if year is None:
                self.add_error("year", _("An annual update covers a calendar year."))
            elif not FIRST_YEAR <= year <= today().year:
                self.add_error(
                    "year", _("A year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": today().year}
                )
        else:
            data["year"] = None
        if self.state is not None and data.get("kind") and not self.has_error("year"):
            reason = services.not_owed_reason(self.state, data["kind"], data["year"])
            if reason:
                self.add_error("year" if data["kind"] == ReportKind.ANNUAL else "kind", reason)
        return data


class PastReportForm(forms.Form):
    """ISU records a report received before this system (Art. 7), from its document."""

    state = forms.ModelChoiceField(label=_("State"), queryset=State.objects.filter(deposit_date__isnull=False))
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    year = forms.IntegerField(
        label=_("Calendar year covered (annual update)"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    submitted_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    document_url = forms.URLField(label=_("Link to the published document"), required=False, assume_scheme="https")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ReportKind.ANNUAL and not cleaned.get("year"):
            self.add_error("year", _("Give the calendar year the annual update covers."))
        if cleaned.get("submitted_on") and cleaned["submitted_on"] > today():
            self.add_error("submitted_on", _("The date it was received cannot be in the future."))
        return cleaned


class RecordsCompleteForm(forms.Form):
    """ISU says from which day its records of the reports received are complete, for
    every State or for one; an empty day removes it."""

    state = forms.ModelChoiceField(
        label=_("State"),
        queryset=State.objects.filter(deposit_date__isnull=False).order_by("name"),
        required=False,
        empty_label=_("Every State (unless it has a day of its own)"),
    )
    complete_from = forms.DateField(
        label=_("Records of reports received complete from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Every report due on or after this day and received is recorded in this system. Leave empty to "
            "remove the day."
        ),
    )

    def clean_complete_from(self):
        day = self.cleaned_data.get("complete_from")
        if day and day > today():
            raise forms.ValidationError(_("The records cannot be complete from a day still to come."))
        return day
