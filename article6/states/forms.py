"""The filters of the States list. A value that does not validate is ignored
(the page says so); the others still apply."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from article6.states.declarations import ORGANISATION_FIELDS, STATE_FIELDS
from article6.states.models import OrganisationDeclaration, Region, StateDeclaration
from article6.treaty import labels, rules
from article6.treaty.queries import STATE_SORTS

SORT_LABELS = {
    "name": _("Name"),
    "region": _("Region"),
    "deposit": _("Deposit of instrument"),
    "eif": _("Entry into force"),
}


def sort_choices():
    for key in STATE_SORTS:
        yield key, _("%(column)s, ascending") % {"column": SORT_LABELS[key]}
        yield f"-{key}", _("%(column)s, descending") % {"column": SORT_LABELS[key]}


MAX_DUE_MONTHS = 120
OBLIGATION_FILTER_LABELS = {
    rules.ObligationFilter.APPLIES: _("applies"),
    rules.ObligationFilter.EXTENDED: _("deadline extended"),
    rules.ObligationFilter.DUE: _("deadline due within the months set"),
    rules.ObligationFilter.PASSED: _("deadline passed, not completed"),
    rules.ObligationFilter.COMPLETED: _("completed"),
}


def obligation_filter_choices():
    yield "", _("Any")
    for value in rules.ObligationFilter:
        yield value.value, OBLIGATION_FILTER_LABELS[value]


class StateFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or ISO3 code"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses"))] + [(s.value, labels.STATUS_LABELS[s]) for s in rules.Status],
    )
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=sort_choices)
    art3 = forms.ChoiceField(
        label=_("Article 3: stockpile destruction"), required=False, choices=obligation_filter_choices
    )
    art4 = forms.ChoiceField(label=_("Article 4: clearance"), required=False, choices=obligation_filter_choices)
    months = forms.IntegerField(
        label=_("Due within (months)"),
        required=False,
        min_value=1,
        max_value=MAX_DUE_MONTHS,
        help_text=_("For “deadline due within the months set”: months from the as-of date."),
    )

    def filters(self) -> dict:
        """The valid filters; an invalid one is left out (see `ignored`)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": rules.Status(data["status"]) if data.get("status") else None,
            "region": data.get("region") or None,
            "sort": data.get("sort") or "name",
            "art3": rules.ObligationFilter(data["art3"]) if data.get("art3") else None,
            "art4": rules.ObligationFilter(data["art4"]) if data.get("art4") else None,
            "months": data.get("months") or rules.DUE_SOON_MONTHS,
        }

    def ignored(self) -> list[tuple[str, str, str, str]]:
        """(parameter, field label, value given, reason) of every value ignored."""
        self.is_valid()
        return [
            (name, str(self.fields[name].label), str(self.data.get(name, ""))[:60], " ".join(str(e) for e in errors))
            for name, errors in self.errors.items()
        ]


def https_formfield(model_field, **kwargs):
    # Addresses typed without a scheme are taken as https (Django 6's default already).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class _DeclarationForm(forms.ModelForm):
    """What a focal point declares (drawn by the form toolkit, includes/form/)."""

    class Meta:
        formfield_callback = https_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3


class StateDeclarationForm(_DeclarationForm):
    class Meta(_DeclarationForm.Meta):
        model = StateDeclaration
        fields = list(STATE_FIELDS)


class OrganisationDeclarationForm(_DeclarationForm):
    class Meta(_DeclarationForm.Meta):
        model = OrganisationDeclaration
        fields = list(ORGANISATION_FIELDS)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("validate", _("validate")), ("return", _("return"))])
    note = forms.CharField(label=_("Note to the focal point"), required=False, max_length=2000)
