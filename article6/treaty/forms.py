"""The filters of the deadlines calendar and of its iCalendar feed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from article6.asof import EARLIEST, LATEST
from article6.treaty import rules

MAX_YEARS = 10  # the longest period one page or feed covers
ARTICLE_CHOICES = [("", _("All articles")), ("3", _("Article 3")), ("4", _("Article 4")), ("7", _("Article 7"))]


class DeadlineFilterForm(forms.Form):
    """`from`, `to` (YYYY-MM-DD), `article` (3, 4 or 7) and `state` (ISO3, any case).

    `states` is [(iso3, name)] of the known States; `default_start` and
    `default_months` give the period when `from` or `to` is missing or invalid.
    """

    article = forms.TypedChoiceField(label=_("Article"), required=False, choices=ARTICLE_CHOICES, coerce=int)

    def __init__(self, data, *, states, default_start: dt.date, default_months: int):
        super().__init__(data)
        self.default_start = default_start
        self.default_months = default_months
        date_help = _("YYYY-MM-DD")
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, input_formats=["%Y-%m-%d"], help_text=date_help
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, input_formats=["%Y-%m-%d"], help_text=date_help
        )
        self.fields["state"] = forms.ChoiceField(
            label=_("State"), required=False, choices=[("", _("All States")), *states]
        )
        self.order_fields(["from", "to", "article", "state"])

    def full_clean(self):
        # ISO3 codes in any case: compare in upper case.
        if self.data and self.data.get("state"):
            self.data = self.data.copy()
            self.data["state"] = self.data["state"].strip().upper()
        super().full_clean()

    def _in_range(self, name: str, day: dt.date | None) -> dt.date | None:
        if day is not None and not EARLIEST <= day <= LATEST:
            self.add_error(
                name,
                _("Dates from %(first)s to %(last)s only.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            )
            return None
        return day

    def clean(self):
        data = super().clean()
        start = self._in_range("from", data.get("from"))
        end = self._in_range("to", data.get("to"))
        if start and end and end < start:
            self.add_error("to", _("The end of the period cannot be before its start."))
        elif start and end and end > rules.add_years(start, MAX_YEARS):
            self.add_error("to", _("Periods of up to %(years)s years only.") % {"years": MAX_YEARS})
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """(from, to) as valid: the defaults for what is missing or invalid."""
        self.is_valid()
        start = self.cleaned_data.get("from") or self.default_start
        end = self.cleaned_data.get("to") or rules.add_months(start, self.default_months)
        if end < start or end > rules.add_years(start, MAX_YEARS):
            end = rules.add_months(start, self.default_months)
        return start, end

    def filters(self) -> dict:
        self.is_valid()
        return {
            "article": self.cleaned_data.get("article") or None,
            "iso3": self.cleaned_data.get("state") or None,
        }

    def ignored(self) -> list[tuple[str, str, str, str]]:
        """(parameter, field label, value given, reason) of every value ignored."""
        self.is_valid()
        return [
            (name, str(self.fields[name].label), str(self.data.get(name, ""))[:60], " ".join(str(e) for e in errors))
            for name, errors in self.errors.items()
        ]
