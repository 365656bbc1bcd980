"""Forms of the assistance pages. The State, provider and recipient a person may choose
are limited to those they speak for; the services check again on save."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils.formats import get_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as Refused

from article6.accounts.models import RoleKind
from article6.accounts.permissions import is_isu, provider_choices, roles_of
from article6.assistance.filters import (
    UNMET,
    CommitmentFilters,
    GapFilters,
    NeedFilters,
    OfferFilters,
    SuggestionFilters,
    UnknownValue,
)
from article6.assistance.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Channel,
    Commitment,
    CommitmentNeed,
    FlowKind,
    Modality,
    Need,
    NeedStatus,
    Offer,
    OfferKind,
    Priority,
)
from article6.money_fields import DECIMAL_PLACES, MAX_DIGITS
from article6.states.forms import https_formfield
from article6.states.models import Organisation, Region, State
from article6.treaty.models import Pillar

LANGUAGE_CHOICES = [
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
]
MAX_YEARS = 10


# --- Amounts and currencies ----------------------------------------------------------------


def parse_amount(text: str) -> str:
    """An amount as typed in the reader's language ("500,000" in English, "500 000" or
    "500 000,50" in French, "500.000" in German), written with a dot for Decimal. Django's
    localized parsing groups only when USE_THOUSAND_SEPARATOR is on, which would also
    group every year shown on the site ("2,026"); so the locale's own separators are read
    here, as Django's sanitize_separators reads them."""
    decimal = get_format("DECIMAL_SEPARATOR")
    thousand = get_format("THOUSAND_SEPARATOR")
    value = "".join(str(text).split())  # any space, no-break spaces included, groups digits
    if thousand.strip() and thousand != decimal:
        value = value.replace(thousand, "")
    if decimal != ".":
        if "." in value and decimal not in value and thousand.strip() != ".":
            return value  # a dot as written by a machine or in English: read as such
        value = value.replace(decimal, ".")
    return value


class AmountInput(forms.TextInput):
    """An amount in the reader's language, digits grouped ("500,000"); the numeric keypad on phones."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return None
        try:
            number = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            return str(value)  # what was typed, shown back with its error
        places = 0 if number == number.to_integral_value() else 2
        return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


class AmountField(forms.DecimalField):
    """A DecimalField that reads the locale's grouping and decimal separator."""

    widget = AmountInput

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = parse_amount(value)
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("step", "min", "max"):  # a text input: the range is checked on the server
            attrs.pop(key, None)
        return attrs


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 codes (the IATI Currency list, the one donors report in), by code."""
    from article6.interchange.codelists import codelist

    codes = sorted((c for c in codelist("Currency").values() if not c.withdrawn), key=lambda c: c.code)
    return [("", "—"), *((c.code, f"{c.code} · {c.name}") for c in codes)]


class CurrencyField(forms.ChoiceField):
    """A currency from the ISO 4217 list; a code typed in small letters is read in capitals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", currency_choices)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


def money_formfield(model_field, **kwargs):
    """Form fields of the assistance forms: amounts in the reader's language, currencies
    from the list, addresses typed without a scheme taken as https."""
    from django.db import models

    if isinstance(model_field, models.DecimalField):
        kwargs["form_class"] = AmountField
    if model_field.name.endswith("currency") and isinstance(model_field, models.CharField):
        return CurrencyField(
            label=capfirst(model_field.verbose_name),
            required=not model_field.blank,
            help_text=model_field.help_text,
        )
    return https_formfield(model_field, **kwargs)


# --- Amounts per year: rows of a small table ------------------------------------------------


class YearAmountForm(forms.Form):
    """One row: a year and the amount needed in it (both blank: the row is left out)."""

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4, "size": 5}),
    )
    amount = AmountField(label=_("Amount"), required=False, max_digits=18, decimal_places=2, min_value=0)

    def clean(self):
        data = super().clean()
        year, amount = data.get("year"), data.get("amount")
        if year is None and amount is not None and "year" not in self.errors:
            self.add_error("year", _("Give the year of this amount."))
        if amount is None and year is not None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this year."))
        return data


class BaseYearlyFormSet(forms.BaseFormSet):
    label = _("Amounts per year")
    help_text = _("For a multi-year need, a row a year; they add up to the amount needed. Empty rows are left out.")

    def clean(self):
        seen: dict[int, int] = {}
        for number, row in enumerate(self.forms, start=1):
            year = row.cleaned_data.get("year") if hasattr(row, "cleaned_data") else None
            if year is None:
                continue
            if year in seen:
                raise ValidationError(
                    _("Row %(row)d: %(year)d is given already in row %(first)d.")
                    % {"row": number, "year": year, "first": seen[year]}
                )
            seen[year] = number

    def amounts(self) -> dict[int, Decimal]:
        """{year: amount} of the rows filled in (after is_valid)."""
        rows = (row.cleaned_data for row in self.forms if getattr(row, "cleaned_data", None))
        return {r["year"]: r["amount"] for r in rows if r.get("year") is not None and r.get("amount") is not None}

    def refuse(self, errors) -> None:
        """Errors the service finds in the amounts per year, shown with the rows."""
        self.non_form_errors()  # computed first, then added to
        self._non_form_errors.extend(errors if isinstance(errors, list) else [errors])


def yearly_rows(data, need) -> BaseYearlyFormSet:
    """All MAX_YEARS rows (a need covers at most so many years), the stored ones first:
    a form that works without script; forms.js shows the empty rows one at a time."""
    initial = [{"year": y.year, "amount": y.amount} for y in need.yearly.all()] if need.pk else []
    formset_class = forms.formset_factory(
        YearAmountForm,
        formset=BaseYearlyFormSet,
        extra=MAX_YEARS - len(initial),
        max_num=MAX_YEARS,
        absolute_max=MAX_YEARS,
        validate_max=True,
    )
    return formset_class(data, initial=initial, prefix="yearly")


class NeedForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    fieldsets = (
        (_("The need"), ("state", "title", "description", "pillar", "modality", "priority", "urgent")),
        (
            _("How much, and when"),
            ("quantity", "quantity_unit", "amount", "currency", "start_year", "end_year", "yearly"),
        ),
        (_("National ownership"), ("national_plan", "national_resources", "national_resources_currency")),
        (_("Evidence and languages"), ("evidence", "evidence_url", "languages")),
        (_("Who sees it, and its status"), ("visibility", "declared_status")),
    )

    class Meta:
        model = Need
        formfield_callback = money_formfield
        fields = [
            "state",
            "title",
            "description",
            "pillar",
            "modality",
            "quantity",
            "quantity_unit",
            "amount",
            "currency",
            "start_year",
            "end_year",
            "national_plan",
            "national_resources",
            "national_resources_currency",
            "languages",
            "evidence",
            "evidence_url",
            "priority",
            "urgent",
            "visibility",
            "declared_status",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the States the person is a focal point of (any State for ISU staff).
        states = State.objects.all()
        if not is_isu(user):
            own = {r.state_id for r in roles_of(user) if r.kind == RoleKind.STATE_FOCAL_POINT}
            states = states.filter(pk__in=own)
            if len(own) == 1 and not self.instance.pk and not self.initial.get("state"):
                self.initial["state"] = next(iter(own))  # the one State they speak for
        self.fields["state"].queryset = states
        if self.instance.pk:
            self.fields["state"].disabled = True
        self.fields["description"].widget.attrs["rows"] = 4
        self.fields["evidence"].widget.attrs["rows"] = 3
        self.yearly = yearly_rows(self.data if self.is_bound else None, self.instance)
        self.formsets = {"yearly": self.yearly}

    def is_valid(self) -> bool:
        rows_valid = self.yearly.is_valid()  # both checked, so that every error shows at once
        return super().is_valid() and rows_valid

    def yearly_amounts(self) -> dict[int, Decimal]:
        """The amounts per year given; none (every row emptied) removes the stored ones."""
        return self.yearly.amounts()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end - start >= MAX_YEARS:
            self.add_error("end_year", _("A need covers at most %(n)d years.") % {"n": MAX_YEARS})
        return data


def searchable(placeholder) -> dict[str, str]:
    """The attributes that make a <select multiple> a searchable list (static/js/forms.js)."""
    return {"data-searchable": "", "data-placeholder": str(placeholder), "data-no-results": str(_("Nothing found"))}


def _provider_fields(form, user):
    donor_states, organisations = provider_choices(user)
    if is_isu(user):
        form.fields["provider_state"].queryset = State.objects.all()
        form.fields["provider_organisation"].queryset = Organisation.objects.all()
    else:
        form.fields["provider_state"].queryset = State.objects.filter(pk__in=donor_states)
        form.fields["provider_organisation"].queryset = Organisation.objects.filter(pk__in=organisations)


class OfferForm(forms.ModelForm):
    pillars = forms.MultipleChoiceField(label=_("Pillars"), choices=Pillar.choices, widget=forms.CheckboxSelectMultiple)
    modalities = forms.MultipleChoiceField(
        label=_("Modalities"), choices=Modality.choices, widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of assistance"), choices=OfferKind.choices, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions of interest"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    fieldsets = (
        (_("Provider"), ("provider_state", "provider_organisation")),
        (_("The offer"), ("title", "description", "pillars", "modalities", "kinds")),
        (_("For whom"), ("regions", "states", "languages")),
        (_("How much, and when"), ("amount_per_year", "currency", "start_year", "end_year", "conditions")),
        (_("Contact and visibility"), ("contact", "is_active", "urgent", "visibility")),
    )

    class Meta:
        model = Offer
        formfield_callback = money_formfield
        fields = [
            "provider_state",
            "provider_organisation",
            "title",
            "description",
            "pillars",
            "modalities",
            "kinds",
            "regions",
            "states",
            "languages",
            "amount_per_year",
            "currency",
            "start_year",
            "end_year",
            "conditions",
            "contact",
            "is_active",
            "urgent",
            "visibility",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _provider_fields(self, user)
        self.fields["states"].required = False
        self.fields["states"].widget.attrs.update(searchable(_("Type a State's name")))
        self.fields["description"].widget.attrs["rows"] = 4
        self.fields["conditions"].widget.attrs["rows"] = 2


class CommitmentForm(forms.ModelForm):
    pillar_shares = forms.CharField(
        label=_("Pillar shares"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One line a pillar and its percentage, like “clearance: 70”; they add up to 100."),
    )
    amounts = forms.CharField(
        label=_("Amounts by year"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line an amount: kind, year, amount, like “committed 2026 500000” or “disbursed 2026 250000”."),
    )
    needs_met = forms.ModelMultipleChoiceField(label=_("Needs it meets"), queryset=Need.objects.none(), required=False)
    need_amounts = forms.CharField(
        label=_("Amount towards each need (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One line a need's number and the amount of this commitment towards it, like “12: 50000”. "
            "Without an amount, the commitment is divided between its needs: by pillar first, then in "
            "proportion to what each still needs."
        ),
    )

    fieldsets = (
        (_("Provider and recipient"), ("provider_state", "provider_organisation", "recipient")),
        (_("The commitment"), ("title", "description", "channel", "implementing_partner", "cluster_munition_specific")),
        (_("Amounts"), ("currency", "pillar_shares", "amounts")),
        (_("Needs and visibility"), ("needs_met", "need_amounts", "visibility")),
    )
    # Where the service's errors go: the amounts linked to needs are refused on their field.
    service_fields = {"needs": "need_amounts"}

    class Meta:
        model = Commitment
        formfield_callback = money_formfield
        fields = [
            "provider_state",
            "provider_organisation",
            "recipient",
            "title",
            "description",
            "channel",
            "implementing_partner",
            "currency",
            "cluster_munition_specific",
            "visibility",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _provider_fields(self, user)
        from article6.assistance import queries

        self.fields["needs_met"].queryset = (
            queries.needs_for(user)
            .exclude(status__in=[NeedStatus.DRAFT, NeedStatus.WITHDRAWN, NeedStatus.CLOSED])
            .select_related("state")
        )
        self.fields["needs_met"].label_from_instance = lambda need: (
            _("%(state)s · %(title)s (no. %(number)d)")
            % {
                "state": need.state.name,
                "title": need.title,
                "number": need.pk,
            }
        )
        self.fields["needs_met"].widget.attrs.update(searchable(_("Type a need's title or its State")))
        if not self.initial.get("channel"):
            self.initial["channel"] = Channel.BILATERAL
        if self.instance.pk:
            self.fields["pillar_shares"].initial = "\n".join(
                f"{s.pillar}: {s.share}" for s in self.instance.pillar_shares.all()
            )
            self.fields["amounts"].initial = "\n".join(
                f"{f.kind} {f.year} {f.amount}" for f in self.instance.flows.all() if f.kind != FlowKind.RECEIVED
            )
            self.fields["needs_met"].initial = list(self.instance.needs.values_list("pk", flat=True))
            self.fields["need_amounts"].initial = "\n".join(
                f"{need_id}: {amount}"
                for need_id, amount in CommitmentNeed.objects.filter(commitment=self.instance, amount__isnull=False)
                .order_by("need_id")
                .values_list("need_id", "amount")
            )

    def clean(self):
        cleaned = super().clean()
        chosen = {need.pk for need in cleaned.get("needs_met") or []}
        amounts: dict[int, Decimal] = {}
        errors = []
        for number, line in enumerate((cleaned.get("need_amounts") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, value = line.partition(":")
            try:
                need_id, amount = int(name.strip().lstrip("#")), Decimal(value.strip().replace(",", ""))
            except (ValueError, ArithmeticError):
                errors.append(
                    _("Line %(line)d: write a need's number and an amount, like “12: 50000”.") % {"line": number}
                )
                continue
            if need_id not in chosen:
                errors.append(
                    _("Line %(line)d: need %(need)d is not among the needs it meets.")
                    % {"line": number, "need": need_id}
                )
            elif amount <= 0:
                errors.append(_("Line %(line)d: the amount is more than zero.") % {"line": number})
            else:
                amounts[need_id] = amount
        if errors:
            self.add_error("need_amounts", errors)
        cleaned["needs"] = {pk: amounts.get(pk) for pk in chosen}
        return cleaned

    def clean_pillar_shares(self):
        shares: dict[str, Decimal] = {}
        for number, line in enumerate((self.cleaned_data.get("pillar_shares") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, value = line.partition(":")
            pillar = name.strip().lower().replace(" ", "_")
            if pillar not in Pillar.values:
                raise ValidationError(
                    _("Line %(line)d: unknown pillar “%(name)s”.") % {"line": number, "name": name.strip()}
                )
            try:
                shares[pillar] = Decimal(value.strip().rstrip("%"))
            except ArithmeticError:
                raise ValidationError(_("Line %(line)d: the share is not a number.") % {"line": number}) from None
        if not shares:
            raise ValidationError(_("Give at least one pillar."))
        return shares

    def clean_amounts(self):
        from article6.assistance.services import PROVIDER_KINDS, Amount

        amounts = []
        for number, line in enumerate((self.cleaned_data.get("amounts") or "").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                kind, year, amount = parts[0].lower(), int(parts[1]), Decimal(parts[2].replace(",", ""))
            except (IndexError, ValueError, ArithmeticError):
                raise ValidationError(
                    _("Line %(line)d: write a kind, a year and an amount, like “committed 2026 500000”.")
                    % {"line": number}
                ) from None
            try:
                DecimalValidator(MAX_DIGITS, DECIMAL_PLACES)(amount)  # what the amount's field can keep
            except ValidationError as error:
                raise ValidationError(
                    _("Line %(line)d: %(reason)s") % {"line": number, "reason": " ".join(error.messages)}
                ) from None
            if kind not in PROVIDER_KINDS:
                raise ValidationError(
                    _("Line %(line)d: the kind is pledged, committed, disbursed, expended or budgeted.")
                    % {"line": number}
                )
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValidationError(_("Line %(line)d: the year is out of range.") % {"line": number})
            amounts.append(Amount(kind=kind, year=year, amount=amount))
        return amounts


class ReceiptForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    amount = AmountField(label=_("Amount received"), max_digits=18, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


# --- The lists' filters --------------------------------------------------------------------

#: What the filters refuse, in the reader's language (pydantic's own messages are English).
FILTER_REASONS = {
    "enum": _("Choose one of the values offered."),
    "literal_error": _("Choose one of the values offered."),
    "int_parsing": _("Give a whole number."),
    "float_parsing": _("Give a number."),
    "finite_number": _("Give a number."),
    "bool_parsing": _("Choose one of the values offered."),
    "greater_than_equal": _("Give a number of at least %(ge)s."),
    "less_than_equal": _("Give a number of at most %(le)s."),
    "string_too_long": _("Give at most %(max_length)s characters."),
}


def _choices(everything, choices) -> list:
    return [("", everything), *choices]


def _text(label, **attrs):
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


def _select(label, everything, choices):
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=_choices(everything, choices)))


def _iso3(label):
    return _text(label, maxlength=3, autocapitalize="characters")


def _year():
    return _text(_("Year"), inputmode="numeric", maxlength=4)


def _providers() -> list:
    """Donor States by ISO3 code, organisations by id (two queries)."""
    return [
        (_("States"), [(s.iso3, s.name) for s in State.objects.order_by("name").only("iso3", "name")]),
        (_("Organisations"), [(str(o.pk), str(o)) for o in Organisation.objects.order_by("name")]),
    ]


class OpenMultipleChoiceField(forms.MultipleChoiceField):
    """Several values from a list, checked by the list's filters (as in its export and the
    API), not by the form: the form only draws the choices."""

    def validate(self, value):
        pass


class FilterForm(forms.Form):
    """The filter form of a list page. Its fields only show the list's filters
    (assistance.filters), which read and check the values as the list's exports and the
    API do; what they refuse becomes the form's errors, field by field, and the list then
    shows nothing rather than records the filters did not ask for.

    ``defaults``: what the page filters on when the parameter is absent (an empty value
    is "everything"); the page's export links carry them, so they list the same."""

    filters_class: type
    defaults: dict[str, str] = {}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and self.defaults:
            data = data.copy()
            for name, value in self.defaults.items():
                if name not in data:
                    data[name] = value
        super().__init__(data, *args, **kwargs)

    def query(self) -> str:
        """The page's filters (its defaults included) as a query string, for its export links."""
        return self.data.urlencode() if hasattr(self.data, "urlencode") else ""

    def filtered(self, use, nothing):
        """use(filters) with the filters given, or `nothing` when one is refused."""
        if not self.is_valid():
            return nothing
        given = {name: value for name, value in self.cleaned_data.items() if value}
        try:
            return use(self.filters_class.model_validate(given))
        except Refused as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else None
                self.add_error(name if name in self.fields else None, _filter_reason(error))
        except UnknownValue as exc:
            self.add_error(exc.parameter if exc.parameter in self.fields else None, exc.reason)
        return nothing


def _filter_reason(error: dict) -> str:
    ctx = error.get("ctx") or {}
    if error.get("type") == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own message, translated
    message = FILTER_REASONS.get(error.get("type"))
    return str(message) % ctx if message is not None else str(error.get("msg", ""))


class NeedFilterForm(FilterForm):
    state = _iso3(_("State (ISO3)"))
    pillar = _select(_("Pillar"), _("All pillars"), Pillar.choices)
    modality = _select(_("Modality"), _("All modalities"), Modality.choices)
    status = _select(
        _("Status"), _("All statuses"), [(UNMET, _("unmet (open or partly covered)")), *NeedStatus.choices]
    )
    region = _select(_("Region"), _("All regions"), Region.choices)
    priority = _select(_("Priority"), _("All priorities"), Priority.choices)
    urgent = _select(_("Urgency (Art. 6(6))"), _("Urgent or not"), [("true", _("urgent only"))])
    year = _year()

    filters_class = NeedFilters
    defaults = {"status": UNMET}  # what is still asked for: a need partly covered has a gap


class OfferFilterForm(FilterForm):
    pillar = _select(_("Pillar"), _("All pillars"), Pillar.choices)
    modality = _select(_("Modality"), _("All modalities"), Modality.choices)
    kind = _select(_("What is offered"), _("Everything"), OfferKind.choices)
    urgent = _select(_("Urgency (Art. 6(6))"), _("Urgent or not"), [("true", _("answers urgent requests"))])
    region = _select(_("Region"), _("All regions"), Region.choices)
    state = _iso3(_("For the State (ISO3)"))
    provider = _select(_("Provider"), _("All providers"), [])
    year = _year()

    filters_class = OfferFilters

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].widget.choices = _choices(_("All providers"), _providers())


class CommitmentFilterForm(FilterForm):
    recipient = _iso3(_("Recipient (ISO3)"))
    provider = _select(_("Provider"), _("All providers"), [])
    pillar = _select(_("Pillar"), _("All pillars"), Pillar.choices)
    year = _year()
    source = _text(_("Source begins with"), maxlength=300, placeholder="iati:")

    filters_class = CommitmentFilters

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].widget.choices = _choices(_("All providers"), _providers())


class GapFilterForm(FilterForm):
    state = OpenMultipleChoiceField(label=_("States"), required=False)
    region = _select(_("Region"), _("All regions"), Region.choices)
    pillar = _select(_("Pillar"), _("All pillars"), Pillar.choices)
    year = _year()

    filters_class = GapFilters

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The States by name (one query); the page names the States of its tables from it.
        self.state_names = dict(State.objects.order_by("name").values_list("iso3", "name"))
        self.fields["state"].choices = list(self.state_names.items())
        self.fields["state"].widget.attrs.update(searchable(_("Type a State's name")))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence document"))

    def clean_file(self):
        from article6.assistance.models import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES
        from article6.importing import check_upload

        upload = self.cleaned_data["file"]
        check_upload(upload, EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES)
        return upload


class SuggestionFilterForm(FilterForm):
    """The filters of a suggestions page (assistance.filters.SuggestionFilters)."""

    modality = _select(_("Modality"), _("All modalities"), Modality.choices)
    min_usd = _text(_("At least (US$)"), inputmode="numeric", maxlength=16)
    from_year = _text(_("From year"), inputmode="numeric", maxlength=4)
    to_year = _text(_("To year"), inputmode="numeric", maxlength=4)
    language = _select(_("Working language"), _("Any language"), LANGUAGE_CHOICES)
    hide_restricted = _select(_("Restricted records"), _("Shown"), [("true", _("Hidden"))])

    filters_class = SuggestionFilters
