"""States and organisations: who the Convention's actors are."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from article6.treaty.rules import TreatyDates


class Region(models.TextChoices):
    """The regional grouping the Implementation Support Unit uses in its figures."""

    AFRICA = "Africa", _("Africa")
    AMERICAS = "Americas", _("Americas")
    ASIA = "Asia", _("Asia")
    EUROPE = "Europe", _("Europe")
    MIDDLE_EAST = "Middle East", _("Middle East")
    PACIFIC = "Pacific", _("Pacific")


class InstrumentKind(models.TextChoices):
    """The kind of instrument a State deposited (Art. 15, 16)."""

    RATIFICATION = "R", _("ratification")
    ACCESSION = "a", _("accession")
    ACCEPTANCE = "A", _("acceptance")
    APPROVAL = "AA", _("approval")


class StateQuerySet(models.QuerySet):
    def for_clock(self):
        """Everything the Convention's clock needs for many States, in two
        queries whatever their number: the States and their obligation facts."""
        return self.prefetch_related("obligation_facts__meeting").order_by("name")


class State(models.Model):
    name = models.CharField(_("name"), max_length=120)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    iso_numeric = models.PositiveSmallIntegerField(_("ISO 3166-1 numeric (UN M49)"), unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, db_index=True)
    m49_subregion = models.CharField(_("M49 sub-region"), max_length=60, blank=True)

    # Treaty events, as published by the Depositary.
    signature_date = models.DateField(_("signature"), null=True, blank=True)
    deposit_date = models.DateField(_("deposit of instrument"), null=True, blank=True)
    instrument_kind = models.CharField(
        _("kind of instrument"), max_length=2, choices=InstrumentKind.choices, blank=True
    )
    provisional_application_date = models.DateField(_("provisional application (Art. 18)"), null=True, blank=True)
    withdrawal_notified_date = models.DateField(_("instrument of withdrawal received (Art. 20)"), null=True, blank=True)
    withdrawal_armed_conflict_ended = models.DateField(
        _("end of armed conflict delaying withdrawal (Art. 20(2))"), null=True, blank=True
    )

    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)

    objects = StateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("State")
        verbose_name_plural = _("States")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("states:detail", args=[self.iso3])

    @property
    def treaty_dates(self) -> TreatyDates:
        return TreatyDates(
            signature=self.signature_date,
            deposit=self.deposit_date,
            withdrawal_notified=self.withdrawal_notified_date,
            armed_conflict_ended=self.withdrawal_armed_conflict_ended,
        )


class OrganisationKind(models.TextChoices):
    UN_AGENCY = "un", _("UN agency")
    ICRC = "icrc", _("International Committee of the Red Cross")
    CMC = "cmc", _("Cluster Munition Coalition")
    NGO = "ngo", _("non-governmental organisation")
    REGIONAL = "regional", _("regional organisation")
    OTHER = "other", _("other")


class Organisation(models.Model):
    """An organisation through which assistance is given (Art. 6(2))."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=OrganisationKind.choices)
    headquarters = models.CharField(_("headquarters"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.TextField(_("source"), blank=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("awaiting ISU validation")
    VALIDATED = "validated", _("validated")
    REJECTED = "rejected", _("returned by ISU")


class ContactDetails(models.Model):
    """A national contact institution (Art. 7(1)(l)) or an organisation's contact."""

    contact_institution = models.CharField(_("contact institution"), max_length=200)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_address = models.TextField(_("postal address"), blank=True)
    contact_website = models.URLField(_("website"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("note from ISU"), blank=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)

    class Meta:
        abstract = True


class StateDeclaration(ContactDetails):
    """What a State's focal point declares about the State: its national contact
    institution (Art. 7(1)(l)) and which obligations apply to it. A declaration
    becomes public once ISU validates it; until then the public sees the last
    validated one."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("State"))
    holds_stockpiles = models.BooleanField(_("holds stockpiled cluster munitions (Art. 3)"), null=True, blank=True)
    has_contaminated_areas = models.BooleanField(
        _("has areas contaminated by cluster munition remnants (Art. 4)"), null=True, blank=True
    )
    has_victims = models.BooleanField(_("has cluster munition victims (Art. 5)"), null=True, blank=True)
    former_user_state = models.BooleanField(
        _("used cluster munitions that became remnants in another State Party (Art. 4(4))"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted", "-id"]
        verbose_name = _("State declaration")
        verbose_name_plural = _("State declarations")

    def __str__(self) -> str:
        return f"{self.state}: {self.contact_institution} ({self.get_status_display()})"


class OrganisationDeclaration(ContactDetails):
    """An organisation's contact details, as declared by its partner focal point and
    validated by ISU."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("organisation")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted", "-id"]
        verbose_name = _("organisation declaration")
        verbose_name_plural = _("organisation declarations")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.contact_institution} ({self.get_status_display()})"
