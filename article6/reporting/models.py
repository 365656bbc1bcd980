"""Article 7 transparency reports as data: one report per State and reporting period,
its forms A to J in the layout of the official reporting forms, and the figures that
progress depends on as numbers with units."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from article6.assistance.models import Channel, Modality, Need, currency_code
from article6.money_fields import MoneyField
from article6.reporting import rules
from article6.states.models import State
from article6.treaty.models import Pillar

FIRST_YEAR, LAST_YEAR = 2008, 2100  # the Convention was adopted in 2008
YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


class ReportKind(models.TextChoices):
    INITIAL = rules.INITIAL, _("initial report (Art. 7(1))")
    ANNUAL = rules.ANNUAL, _("annual update (Art. 7(2))")


class ReportStatus(models.TextChoices):
    """Draft → submitted (received, dated) → published by ISU."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    PUBLISHED = "published", _("published")


class Form(models.TextChoices):
    """The reporting forms, covering Art. 7(1)(a)–(n)."""

    A = "A", _("A. National implementation measures")  # Art. 7(1)(a), Art. 9
    B = "B", _("B. Stockpiles and their destruction")  # Art. 7(1)(b), (e), (f); Art. 3
    C = "C", _("C. Technical characteristics")  # Art. 7(1)(c)
    D = "D", _("D. Munitions retained and transferred")  # Art. 7(1)(g); Art. 3(6)–(8)
    E = "E", _("E. Conversion or decommissioning of production facilities")  # Art. 7(1)(d)
    F = "F", _("F. Contaminated areas and clearance")  # Art. 7(1)(h), (i); Art. 4
    G = "G", _("G. Risk reduction education and warnings")  # Art. 7(1)(j); Art. 4(2)(e)
    H = "H", _("H. Victim assistance")  # Art. 7(1)(k); Art. 5
    I = "I", _("I. National resources and international cooperation and assistance")  # noqa: E741 Art. 7(1)(l)–(n)
    J = "J", _("J. Other matters")


class FormStatus(models.TextChoices):
    """As on the official cover page."""

    CHANGED = "changed", _("changed")
    UNCHANGED = "unchanged", _("unchanged since the report for the year given")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class ReportQuerySet(models.QuerySet):
    def received(self):
        """Reports a State has sent in (submitted, published, or recorded from the past)."""
        return self.exclude(status=ReportStatus.DRAFT)

    def published(self):
        return self.filter(status=ReportStatus.PUBLISHED)

    def current(self):
        """The latest received version of each report (a draft correction does not count yet)."""
        return self.received().exclude(superseded_by__status__in=[ReportStatus.SUBMITTED, ReportStatus.PUBLISHED])

    def current_published(self):
        """What the public reads: the latest published version of each report."""
        return self.published().exclude(superseded_by__status=ReportStatus.PUBLISHED)


class Report(models.Model):
    """One transparency report of a State for one reporting period, in one version.

    A submitted report is never edited: a correction is a new version that
    `corrects` the one before, and both stay, with their history.
    """

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reports", verbose_name=_("State"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(
        _("calendar year covered"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("For an annual update: the calendar year it covers (Art. 7(2))."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects version"),
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    report_date = models.DateField(
        _("date of the report"), null=True, blank=True, help_text=_("The date the State gives on its cover page.")
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    historic = models.BooleanField(
        _("recorded from a past document"),
        default=False,
        help_text=_("Recorded by ISU from a report received before this system: dates and document only."),
    )
    document_url = models.URLField(_("link to the published document"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created = models.DateTimeField(_("started"), auto_now_add=True)
    updated = models.DateTimeField(_("last saved"), auto_now=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__name", "kind", "-year", "-version"]
        verbose_name = _("transparency report")
        verbose_name_plural = _("transparency reports")
        constraints = [
            models.UniqueConstraint(fields=["state", "kind", "year", "version"], name="one_report_version"),
            models.UniqueConstraint(
                fields=["state", "version"], condition=Q(kind="initial"), name="one_initial_report_version"
            ),
            models.UniqueConstraint(
                fields=["state", "kind", "year"], condition=Q(status="draft"), name="one_draft_per_period"
            ),
            models.UniqueConstraint(
                fields=["state"], condition=Q(status="draft", kind="initial"), name="one_initial_draft"
            ),
            models.CheckConstraint(
                condition=Q(kind="initial", year__isnull=True) | Q(kind="annual", year__isnull=False),
                name="annual_report_has_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} – {self.period_label}" + (f" (v{self.version})" if self.version > 1 else "")

    def get_absolute_url(self) -> str:
        return reverse("reporting:report", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.kind == ReportKind.INITIAL:
            return str(_("initial report"))
        return str(_("annual update for %(year)s")) % {"year": self.year}

    def clean(self):
        if self.kind == ReportKind.INITIAL:
            self.year = None
        elif self.kind == ReportKind.ANNUAL and self.year is None:
            raise ValidationError({"year": _("An annual update covers a calendar year.")})
        if self.submitted_on and self.submitted_on > timezone.localdate():
            raise ValidationError({"submitted_on": _("The submission date cannot be in the future.")})
        if self.report_date and self.report_date > timezone.localdate():
            raise ValidationError({"report_date": _("The date of the report cannot be in the future.")})
        if self.historic and not self.submitted_on:
            raise ValidationError({"submitted_on": _("A past report is recorded with the date it was received.")})

    @property
    def due_date(self) -> dt.date | None:
        """When the Convention's clock wanted it (Art. 7(1) or 7(2))."""
        return rules.due_date(self.state.treaty_dates, self.kind, self.year)

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT


class FormSection(models.Model):
    """One form of a report: whether it changed, and what the State says in words."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    form = models.CharField(_("form"), max_length=1, choices=Form.choices)
    status = models.CharField(_("status"), max_length=20, choices=FormStatus.choices, blank=True)
    unchanged_since = models.PositiveSmallIntegerField(
        _("unchanged since the report for"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    text = models.TextField(_("information"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "form"]
        verbose_name = _("form of a report")
        verbose_name_plural = _("forms of a report")
        constraints = [models.UniqueConstraint(fields=["report", "form"], name="one_section_per_form")]

    def __str__(self) -> str:
        return f"{self.report} – {self.get_form_display()}"


# --- The figures, with their units ---------------------------------------------------------


class MunitionMeasure(models.TextChoices):
    STOCKPILED = "stockpiled", _("stockpiled")  # Form B, Art. 7(1)(b)
    DESTROYED = "destroyed", _("destroyed")  # Form B, Art. 7(1)(e), (f)
    RETAINED = "retained", _("retained")  # Form D, Art. 3(6)
    TRANSFERRED = "transferred", _("transferred")  # Form D, Art. 3(7)


class MunitionFigure(models.Model):
    """Cluster munitions and their submunitions, by type (forms B and D)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="munitions")
    measure = models.CharField(_("measure"), max_length=12, choices=MunitionMeasure.choices)
    munition_type = models.CharField(_("type of cluster munition"), max_length=200)
    munitions = models.PositiveIntegerField(_("cluster munitions (number)"), default=0)
    submunitions = models.PositiveBigIntegerField(_("explosive submunitions (number)"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "pk"]  # the order the State gave its rows in
        verbose_name = _("munitions figure")
        verbose_name_plural = _("munitions figures")

    def __str__(self) -> str:
        return f"{self.munition_type}: {self.munitions} {self.get_measure_display()}"


class AreaFigure(models.Model):
    """Contaminated and cleared area, in square metres, by area of the State, and the
    cluster munition remnants destroyed there (form F; Art. 7(1)(h), (i))."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(_("area of the State"), max_length=200)
    contaminated_m2 = models.DecimalField(
        _("contaminated area (m²)"), max_digits=16, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    cleared_m2 = models.DecimalField(
        _("area cleared in the period (m²)"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    remnants_destroyed = models.PositiveIntegerField(_("cluster munition remnants destroyed (number)"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "pk"]  # the order the State gave its rows in
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")

    def __str__(self) -> str:
        return self.area


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    UNKNOWN = "unknown", _("not known")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("under 18")
    ADULT = "adult", _("18 or older")
    UNKNOWN = "unknown", _("not known")


class CasualtyFigure(models.Model):
    """Cluster munition casualties in the period, by sex and age where known (form H)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="casualties")
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age = models.CharField(_("age"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    killed = models.PositiveIntegerField(_("killed"), default=0)
    injured = models.PositiveIntegerField(_("injured"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "pk"]  # the order the State gave its rows in
        verbose_name = _("casualty figure")
        verbose_name_plural = _("casualty figures")

    def __str__(self) -> str:
        return f"{self.get_sex_display()}, {self.get_age_display()}: {self.killed} / {self.injured}"


class ResourceFigure(models.Model):
    """National resources allocated to implementation, by pillar (form I; Art. 7(1)(l))."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="resources")
    pillar = models.CharField(_("pillar"), max_length=40, choices=Pillar.choices)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "pk"]  # the order the State gave its rows in
        verbose_name = _("national resources figure")
        verbose_name_plural = _("national resources figures")

    def __str__(self) -> str:
        return f"{self.get_pillar_display()}: {self.amount} {self.currency}"


class Direction(models.TextChoices):
    PROVIDED = "provided", _("provided")  # Art. 7(1)(m)
    RECEIVED = "received", _("received")  # voluntary


class AssistanceFigure(models.Model):
    """International cooperation and assistance provided or received (form I)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="assistance")
    direction = models.CharField(_("provided or received"), max_length=10, choices=Direction.choices)
    counterpart = models.CharField(_("counterpart"), max_length=200, help_text=_("To whom, or from whom."))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    pillar = models.CharField(_("pillar"), max_length=40, choices=Pillar.choices)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "pk"]  # the order the State gave its rows in
        verbose_name = _("assistance figure")
        verbose_name_plural = _("assistance figures")

    def __str__(self) -> str:
        return f"{self.get_direction_display()} – {self.counterpart}: {self.amount} {self.currency}"


class ReportedNeed(models.Model):
    """A challenge and the assistance still needed to meet it (form I, voluntary). One
    action of the focal point turns it into a need of the assistance capability."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("challenge and what is needed"))
    pillar = models.CharField(_("pillar"), max_length=40, choices=Pillar.choices)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    amount = MoneyField(_("amount needed"), null=True, blank=True, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_code])
    start_year = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_VALIDATORS)
    need = models.OneToOneField(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_in",
        verbose_name=_("need filed from it"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("need stated in a report")
        verbose_name_plural = _("needs stated in a report")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The period ends before it starts.")
        if self.amount is not None and not self.currency:
            errors["currency"] = _("An amount needs its currency.")
        if errors:
            raise ValidationError(errors)


class ReminderKind(models.TextChoices):
    DAYS_60 = "60", _("60 days before the due date")
    DAYS_14 = "14", _("14 days before the due date")
    OVERDUE = "overdue", _("overdue")


class ReminderSent(models.Model):
    """A reminder e-mailed to a State's focal points about one report, so that running
    the daily command twice sends nothing twice."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("calendar year covered"), null=True, blank=True)
    due = models.DateField(_("due date"))
    reminder = models.CharField(_("reminder"), max_length=10, choices=ReminderKind.choices)
    sent = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-sent"]
        verbose_name = _("report reminder sent")
        verbose_name_plural = _("report reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["state", "kind", "due", "reminder"], name="one_reminder_per_report_due")
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.kind} {self.year or ''} – {self.get_reminder_display()}"


class RecordsComplete(models.Model):
    """The day from which ISU's records of the reports received are complete: for every
    State (no `state`) or for one State, overriding the day for every State. A report due
    before that day that this system does not hold is "not recorded", never "overdue"
    (reporting.rules.classify)."""

    state = models.ForeignKey(
        State,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("State"),
        help_text=_("Leave empty for the day that applies to every State without a day of its own."),
    )
    complete_from = models.DateField(
        _("records complete from"),
        help_text=_("Every report received on or after this day's due dates is recorded in this system."),
    )
    updated = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__name"]
        verbose_name = _("day from which the records of reports are complete")
        verbose_name_plural = _("days from which the records of reports are complete")
        constraints = [
            # One day per State, and one for every State (no State: coalesced to 0, no State's id).
            models.UniqueConstraint(Coalesce("state", models.Value(0)), name="one_records_complete_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.state or _('every State')}: {self.complete_from.isoformat()}"
