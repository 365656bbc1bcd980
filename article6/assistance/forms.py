"""Forms of the assistance pages. The State, provider and recipient a person may choose
are limited to those they speak for; the services check again on save."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as Refused

from article6.accounts.models import RoleKind
from article6.accounts.permissions import is_isu, provider_choices, roles_of
from article6.assistance.filters import CommitmentFilters, GapFilters, NeedFilters, OfferFilters, UnknownValue
from article6.assistance.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Channel,
    Commitment,
    FlowKind,
    Modality,
    Need,
    NeedStatus,
    Offer,
    OfferKind,
    Priority,
)
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


def parse_yearly(text: str) -> dict[int, Decimal]:
    """Yearly amounts written one per line as "2026: 150000" (or "2026 150000")."""
    result: dict[int, Decimal] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace(":", " ").replace("=", " ").split()
        try:
            year, amount = int(parts[0]), Decimal(parts[1].replace(",", ""))
        except (IndexError, ValueError, ArithmeticError):
            raise ValidationError(
                _("Line %(line)d: write a year and an amount, like “2026: 150000”.") % {"line": number}
            ) from None
        if not FIRST_YEAR <= year <= LAST_YEAR or amount < 0:
            raise ValidationError(_("Line %(line)d: the year or the amount is out of range.") % {"line": number})
        if year in result:
            raise ValidationError(_("Line %(line)d: %(year)d is given twice.") % {"line": number, "year": year})
        result[year] = amount
    return result


class NeedForm(forms.ModelForm):
    yearly = forms.CharField(
        label=_("Amounts per year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a multi-year need, one line a year, like “2026: 150000”; they add up to the amount needed."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Need
        formfield_callback = https_formfield
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
            "yearly",
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
        self.fields["state"].queryset = states
        if self.instance.pk:
            self.fields["state"].disabled = True
            self.fields["yearly"].initial = "\n".join(f"{y.year}: {y.amount}" for y in self.instance.yearly.all())
        self.fields["description"].widget.attrs["rows"] = 4
        self.fields["evidence"].widget.attrs["rows"] = 3

    def clean_yearly(self):
        return parse_yearly(self.cleaned_data.get("yearly") or "")

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").upper()

    def clean_national_resources_currency(self):
        return (self.cleaned_data.get("national_resources_currency") or "").upper()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end - start >= MAX_YEARS:
            self.add_error("end_year", _("A need covers at most %(n)d years.") % {"n": MAX_YEARS})
        return data


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
        label=_("What is offered"), choices=OfferKind.choices, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions of interest"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Offer
        formfield_callback = https_formfield
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
        self.fields["states"].widget.attrs["size"] = 8
        self.fields["description"].widget.attrs["rows"] = 4
        self.fields["conditions"].widget.attrs["rows"] = 2

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").upper()


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

    class Meta:
        model = Commitment
        formfield_callback = https_formfield
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
        self.fields["needs_met"].label_from_instance = lambda need: f"{need.state.iso3} · {need.title}"
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

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").upper()

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
    amount = forms.DecimalField(label=_("Amount received"), max_digits=18, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


# --- The lists' filters --------------------------------------------------------------------

#: What the filters refuse, in the reader's language (pydantic's own messages are English).
FILTER_REASONS = {
    "enum": _("Choose one of the values offered."),
    "literal_error": _("Choose one of the values offered."),
    "int_parsing": _("Give a whole number."),
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


class FilterForm(forms.Form):
    """The filter form of a list page. Its fields only show the list's filters
    (assistance.filters), which read and check the values as the list's exports and the
    API do; what they refuse becomes the form's errors, field by field, and the list then
    shows nothing rather than records the filters did not ask for."""

    filters_class: type

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
    status = _select(_("Status"), _("All statuses"), NeedStatus.choices)
    region = _select(_("Region"), _("All regions"), Region.choices)
    priority = _select(_("Priority"), _("All priorities"), Priority.choices)
    urgent = _select(_("Urgency (Art. 6(6))"), _("Urgent or not"), [("true", _("urgent only"))])
    year = _year()

    filters_class = NeedFilters


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
    state = _iso3(_("State (ISO3)"))
    pillar = _select(_("Pillar"), _("All pillars"), Pillar.choices)
    year = _year()

    filters_class = GapFilters


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence document"))

    def clean_file(self):
        from article6.assistance.models import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES
        from article6.importing import check_upload

        upload = self.cleaned_data["file"]
        check_upload(upload, EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES)
        return upload
