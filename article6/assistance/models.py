"""Assistance under Article 6: needs that affected States state, offers of those "in a
position to do so", commitments and disbursements from providers to recipients, the
matches that connect needs and offers, and the exchange rates money is shown with."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from article6.accounts.models import Visibility
from article6.assistance import rules
from article6.money_fields import MoneyField
from article6.states.models import Organisation, Region, State
from article6.treaty.models import Pillar

FIRST_YEAR, LAST_YEAR = 2008, 2100
YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def currency_code(value: str) -> None:
    """An ISO 4217 code known to the IATI currency list (the one donors report in)."""
    from article6.interchange.codelists import currencies

    if value and value.upper() not in currencies():
        raise ValidationError(_("“%(code)s” is not an ISO 4217 currency code."), params={"code": value})


class Modality(models.TextChoices):
    """Assistance is technical, material or financial (Art. 6(2))."""

    TECHNICAL = "technical", _("technical")
    MATERIAL = "material", _("material")
    FINANCIAL = "financial", _("financial")


class Channel(models.TextChoices):
    """How assistance is given (Art. 6(2)), or through a trust fund States Parties
    contribute to (Art. 6(9))."""

    UN = "un", _("the United Nations system")
    INTERNATIONAL = "international", _("an international organisation or institution")
    REGIONAL = "regional", _("a regional organisation or institution")
    NATIONAL = "national", _("a national organisation or institution")
    NGO = "ngo", _("a non-governmental organisation or institution")
    BILATERAL = "bilateral", _("bilateral")
    TRUST_FUND = "trust_fund", _("a trust fund (Art. 6(9))")


class NeedStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    PARTLY_COVERED = "partly_covered", _("partly covered")
    COVERED = "covered", _("covered")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CLOSED = "closed", _("closed")


class DeclaredNeedStatus(models.TextChoices):
    """What the focal point says of the need; the rest is computed from commitments."""

    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CLOSED = "closed", _("closed")


class Priority(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class QuantityUnit(models.TextChoices):
    SQUARE_METRES = "m2", _("m² to clear")
    MUNITIONS = "munitions", _("munitions to destroy")
    SURVIVORS = "survivors", _("survivors to assist")
    EXPERT_MONTHS = "expert_months", _("expert-months")
    PEOPLE = "people", _("people to reach or train")
    ITEMS = "items", _("items of equipment")


class OfferKind(models.TextChoices):
    FUNDING = "funding", _("funding")
    EXPERTS = "experts", _("experts")
    EQUIPMENT = "equipment", _("equipment")
    TRAINING = "training", _("training")
    SOUTH_SOUTH = "south_south", _("South-South exchange")


class ExchangeRate(models.Model):
    """US dollars per unit of a currency, for a year; ISU keeps the table (admin, CSV)."""

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    usd_per_unit = models.DecimalField(
        _("US dollars per unit"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "year"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [models.UniqueConstraint(fields=["currency", "year"], name="one_rate_per_currency_year")]

    def __str__(self) -> str:
        return f"{self.currency} {self.year}: {self.usd_per_unit} USD"

    def save(self, *args, **kwargs):
        self.currency = self.currency.upper()
        super().save(*args, **kwargs)

    @classmethod
    def table(cls) -> dict[tuple[str, int], Decimal]:
        """All rates, for rules.to_usd (one query)."""
        return {(r.currency, r.year): r.usd_per_unit for r in cls.objects.all()}


class Provider(models.Model):
    """Who gives: a donor State or an organisation (exactly one), or, for aid flows
    imported from IATI or the OECD CRS whose provider is not in the registry, a name."""

    provider_state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("provider State")
    )
    provider_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider organisation"),
    )

    class Meta:
        abstract = True

    @property
    def provider(self):
        return self.provider_state or self.provider_organisation

    @property
    def provider_label(self) -> str:
        provider = self.provider
        return str(provider) if provider is not None else getattr(self, "provider_name", "")


# Need fields per coverage tier (rules.COVERAGE_TIERS): (covered amount, status).
COVERAGE_FIELDS = {
    "public": ("covered_amount", "status"),
    "signed_in": ("covered_signed_in", "status_signed_in"),
    "restricted": ("covered_restricted", "status_restricted"),
    "all": ("covered_all", "status_all"),
}
COVERAGE_TIER_FIELDS = [
    *(name for tier, names in COVERAGE_FIELDS.items() if tier != "public" for name in names),
    "coverage_missing",
]


class Need(models.Model):
    """What an affected State asks for: one pillar, one modality, amounts and quantities."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="needs", verbose_name=_("State"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is needed"))
    pillar = models.CharField(_("pillar"), max_length=40, choices=Pillar.choices)
    modality = models.CharField(_("modality (Art. 6(2))"), max_length=10, choices=Modality.choices)
    urgent = models.BooleanField(
        _("urgent: emergency assistance (Art. 6(6))"),
        default=False,
        db_index=True,
        help_text=_("Ticked: the State asks for emergency assistance, to be answered first."),
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    quantity_unit = models.CharField(_("unit"), max_length=20, choices=QuantityUnit.choices, blank=True)
    amount = MoneyField(_("amount needed"), null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_code])
    start_year = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_VALIDATORS)
    # Lausanne Action Plan, Action 41 (national plans) and Action 38 (national ownership).
    national_plan = models.CharField(_("national plan it belongs to (Action 41)"), max_length=300, blank=True)
    national_resources = MoneyField(
        _("national resources committed (Action 38)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    national_resources_currency = models.CharField(
        _("currency of national resources"), max_length=3, blank=True, validators=[currency_code]
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("Surveys, reports, links that show the need."))
    evidence_url = models.URLField(_("link to evidence"), blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    declared_status = models.CharField(
        _("declared status"), max_length=10, choices=DeclaredNeedStatus.choices, default=DeclaredNeedStatus.OPEN
    )
    # Computed from declared_status and the commitments (rules.coverage_by_tier); stored for
    # lists and filters. `status` and `covered_amount` count the public commitments only: what
    # everyone may see. The other tiers count what those who may see more read; a person reads
    # the tier chosen for them by assistance.queries.needs_for (`viewer_status`, `viewer_covered`).
    status = models.CharField(
        _("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True
    )
    covered_amount = MoneyField(_("amount covered"), default=Decimal("0"))
    status_signed_in = models.CharField(
        _("status for signed-in States Parties and partners"),
        max_length=16,
        choices=NeedStatus.choices,
        default=NeedStatus.OPEN,
        db_index=True,
    )
    covered_signed_in = MoneyField(_("amount covered, for signed-in States Parties and partners"), default=Decimal("0"))
    status_restricted = models.CharField(
        _("status for coordinators and the State"),
        max_length=16,
        choices=NeedStatus.choices,
        default=NeedStatus.OPEN,
        db_index=True,
    )
    covered_restricted = MoneyField(_("amount covered, for coordinators and the State"), default=Decimal("0"))
    status_all = models.CharField(
        _("status for ISU"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True
    )
    covered_all = MoneyField(_("amount covered, for ISU"), default=Decimal("0"))
    # Per tier, the amounts towards the need that cannot be converted into its currency for want
    # of an exchange rate: [[amount, currency, year], ...]. The covered amount leaves them out and
    # every page says so (rules.Missing), rather than show a smaller figure as complete.
    coverage_missing = models.JSONField(_("amounts not converted, per tier"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    created = models.DateTimeField(_("filed"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    # The audit trail keeps what everyone may see; the wider tiers would show those who read a
    # need's history (its State's focal points) amounts of commitments they may not see.
    history = HistoricalRecords(excluded_fields=COVERAGE_TIER_FIELDS)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.state}: {self.title}"

    def save(self, *args, **kwargs):
        # A draft, withdrawn or closed need reads so in every tier, whatever is committed to it.
        if self.declared_status != DeclaredNeedStatus.OPEN:
            for _covered, status in COVERAGE_FIELDS.values():
                setattr(self, status, self.declared_status)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assistance:need", args=[self.pk])

    def clean(self):
        errors = {}
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The period ends before it starts.")
        if self.modality == Modality.FINANCIAL and self.amount is None:
            errors["amount"] = _("A financial need states the amount needed.")
        if self.amount is not None and not self.currency:
            errors["currency"] = _("Give the currency of the amount.")
        if self.quantity is not None and not self.quantity_unit:
            errors["quantity_unit"] = _("Say what the quantity counts.")
        if self.national_resources is not None and not self.national_resources_currency:
            errors["national_resources_currency"] = _("Give the currency of the national resources.")
        if errors:
            raise ValidationError(errors)

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    # What the person reading sees: the tier that assistance.queries.needs_for picked for them,
    # else (a need read another way) what everyone may see.
    @property
    def seen_covered(self) -> Decimal:
        return getattr(self, "viewer_covered", self.covered_amount)

    @property
    def seen_status(self) -> str:
        return getattr(self, "viewer_status", self.status)

    def get_seen_status_display(self) -> str:
        return str(NeedStatus(self.seen_status).label)

    @property
    def coverage(self) -> float | None:
        """The share covered, as it is (above 1 when over-covered)."""
        return rules.coverage_ratio(self.amount, self.seen_covered)

    @property
    def over_covered(self) -> bool:
        return self.amount is not None and self.seen_covered > self.amount

    @property
    def seen_missing(self) -> list[rules.Missing]:
        """The amounts towards the need that the reader's tier cannot convert (no rate)."""
        tier = getattr(self, "viewer_tier", "public")
        return [
            rules.Missing(Decimal(amount), currency, year)
            for amount, currency, year in (self.coverage_missing or {}).get(tier, [])
        ]


class NeedYear(models.Model):
    """The amount needed in one year of a multi-year need (in the need's currency)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="yearly", verbose_name=_("need"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["need", "year"], name="one_amount_per_need_year")]
        verbose_name = _("yearly amount needed")
        verbose_name_plural = _("yearly amounts needed")

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class Offer(Provider):
    """What a donor State or an organisation can give."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is offered"))
    pillars = models.JSONField(_("pillars"), default=list)
    modalities = models.JSONField(_("modalities (Art. 6(2))"), default=list)
    kinds = models.JSONField(_("kinds"), default=list)
    regions = models.JSONField(_("regions of interest"), default=list, blank=True)
    states = models.ManyToManyField(State, blank=True, related_name="offers_of_interest", verbose_name=_("States"))
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    amount_per_year = MoneyField(
        _("amount available per year"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_code])
    start_year = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_VALIDATORS)
    conditions = models.TextField(
        _("conditions"),
        blank=True,
        help_text=_(
            "No undue restrictions on clearance equipment and technology for humanitarian purposes (Art. 6(3))."
        ),
    )
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    is_active = models.BooleanField(_("open to new requests"), default=True)
    urgent = models.BooleanField(
        _("answers urgent requests: emergency assistance (Art. 6(6))"),
        default=False,
        db_index=True,
        help_text=_("Ticked: the provider can give this at short notice, in an emergency."),
    )
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    created = models.DateTimeField(_("published"), auto_now_add=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provider_state__isnull=False, provider_organisation__isnull=True)
                | models.Q(provider_state__isnull=True, provider_organisation__isnull=False),
                name="offer_has_one_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_label}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:offer", args=[self.pk])

    def clean(self):
        errors = {}
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The period ends before it starts.")
        if bool(self.provider_state_id) == bool(self.provider_organisation_id):
            errors["provider_state"] = _("An offer comes from one donor State or one organisation.")
        for name, choices in (("pillars", Pillar), ("modalities", Modality), ("kinds", OfferKind)):
            values = getattr(self, name) or []
            if not values:
                errors[name] = _("Choose at least one.")
            elif set(values) - set(choices.values):
                errors[name] = _("Unknown value: %(values)s") % {
                    "values": ", ".join(sorted(set(values) - set(choices.values)))
                }
        if set(self.regions or []) - set(Region.values):
            errors["regions"] = _("Unknown region.")
        if self.amount_per_year is not None and not self.currency:
            errors["currency"] = _("Give the currency of the amount.")
        if errors:
            raise ValidationError(errors)


class Commitment(Provider):
    """Assistance from a provider to a recipient State: pledged, committed, disbursed
    and expended amounts per year (flows), split by pillar, linked to the needs it meets."""

    provider_name = models.CharField(_("provider (as reported)"), max_length=300, blank=True)
    recipient = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="commitments_received", verbose_name=_("recipient State")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel (Art. 6(2), 6(9))"), max_length=15, choices=Channel.choices)
    implementing_partner = models.CharField(_("implementing partner"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    cluster_munition_specific = models.BooleanField(
        _("specific to cluster munitions"),
        default=False,
        help_text=_("Unticked: general mine action funding that also covers cluster munition remnants."),
    )
    needs = models.ManyToManyField(
        Need, through="CommitmentNeed", blank=True, related_name="commitments", verbose_name=_("needs met")
    )
    # Where the record comes from: "manual", "iati:<iati-identifier>", "crs:<key>".
    source = models.CharField(_("source"), max_length=300, default="manual", db_index=True)
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created = models.DateTimeField(_("recorded"), auto_now_add=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    # Computed (assistance.queries.refresh_figures): what does not add up in its amounts and links,
    # for ISU to look into; empty when all is consistent.
    inconsistency = models.TextField(_("inconsistency found"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["inconsistency"])

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~models.Q(source="manual"), name="one_commitment_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_label} → {self.recipient}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:commitment", args=[self.pk])

    def clean(self):
        if self.provider_state_id and self.provider_organisation_id:
            raise ValidationError({"provider_state": _("A commitment comes from one provider.")})
        if not (self.provider_state_id or self.provider_organisation_id or self.provider_name):
            raise ValidationError({"provider_state": _("Say who provides the assistance.")})


class CommitmentPillar(models.Model):
    """The share of a commitment that goes to a pillar (percent)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="pillar_shares")
    pillar = models.CharField(_("pillar"), max_length=40, choices=Pillar.choices)
    share = models.DecimalField(
        _("share (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commitment", "pillar"], name="one_share_per_pillar")]
        verbose_name = _("pillar share")
        verbose_name_plural = _("pillar shares")

    def __str__(self) -> str:
        return f"{self.get_pillar_display()} {self.share}%"


class FlowKind(models.TextChoices):
    PLEDGED = "pledged", _("pledged")
    COMMITTED = "committed", _("committed")
    DISBURSED = "disbursed", _("disbursed")
    EXPENDED = "expended", _("expended")
    BUDGETED = "budgeted", _("budgeted (planned)")
    RECEIVED = "received", _("received (confirmed by the recipient)")


class Flow(models.Model):
    """One amount of a commitment: pledged, committed, disbursed, expended — as the
    provider reports it — or received, as the recipient confirms it. Negative amounts
    are corrections (IATI reports them so)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="flows")
    kind = models.CharField(_("kind"), max_length=10, choices=FlowKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    date = models.DateField(_("date"), null=True, blank=True)
    amount = MoneyField(_("amount"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    # An imported amount is the mine-action part of what the file reports; the rest is kept here.
    outside_mine_action = MoneyField(
        _("outside mine action"),
        default=Decimal("0"),
        help_text=_("The part of the reported transaction or budget outside mine action, not counted."),
    )
    outside_sectors = models.CharField(
        _("sectors outside mine action"),
        max_length=200,
        blank=True,
        help_text=_("The DAC purpose codes of that part, as the file gives them, separated by spaces."),
    )
    # Identifies an imported transaction, so that importing the same file again changes nothing.
    source_key = models.CharField(max_length=200, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        # Amounts without a date first in their year, on SQLite and PostgreSQL alike.
        ordering = ["year", models.F("date").asc(nulls_first=True), "id"]
        verbose_name = _("amount")
        verbose_name_plural = _("amounts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.amount} {self.commitment.currency}"


class CommitmentNeed(models.Model):
    """A commitment counted against a need; `amount` (in the commitment's currency) when
    only part of the commitment meets that need, else all of its committed amount."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE)
    need = models.ForeignKey(Need, on_delete=models.CASCADE)
    amount = MoneyField(_("amount towards the need"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commitment", "need"], name="one_link_per_commitment_need")]
        verbose_name = _("need met by a commitment")
        verbose_name_plural = _("needs met by commitments")

    def __str__(self) -> str:
        return f"{self.commitment_id} → {self.need_id}"


class MatchSide(models.TextChoices):
    PENDING = "pending", _("awaiting an answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class Match(models.Model):
    """A coordinator proposes that an offer meet a need; each side accepts or declines."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    note = models.TextField(_("note from the coordinator"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed = models.DateTimeField(_("proposed"), auto_now_add=True)
    need_side = models.CharField(_("State's answer"), max_length=10, choices=MatchSide.choices, default="pending")
    need_note = models.TextField(_("State's note"), blank=True)
    offer_side = models.CharField(_("provider's answer"), max_length=10, choices=MatchSide.choices, default="pending")
    offer_note = models.TextField(_("provider's note"), blank=True)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("commitment")
    )
    # The points the need could earn at best when it was proposed (its score is out of these).
    possible = models.FloatField(_("points possible"), default=100.0)
    # When a side declined it: the pair leaves the suggestions, listed as declined, until
    # a coordinator proposes it again.
    declined_on = models.DateTimeField(_("declined on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed", "-id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="one_match_per_need_offer")]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.offer}"

    @property
    def state(self) -> str:
        """proposed, accepted (by both), declined (by either)."""
        if MatchSide.DECLINED in (self.need_side, self.offer_side):
            return "declined"
        if self.need_side == self.offer_side == MatchSide.ACCEPTED:
            return "accepted"
        return "proposed"


class WordWeights(models.Model):
    """The weights of the words of the descriptions in the matching, frozen when built: how
    many offer descriptions hold each term. Publishing an offer does not move them, so a
    pair's score stays what it was until ISU rebuilds them (`article6 word-weights --rebuild`)."""

    built = models.DateTimeField(_("built"), auto_now_add=True)
    documents = models.PositiveIntegerField(_("descriptions"))
    frequencies = models.JSONField(_("descriptions holding each term"), default=dict)

    class Meta:
        ordering = ["-built", "-id"]
        verbose_name = _("word weights")
        verbose_name_plural = _("word weights")

    def __str__(self) -> str:
        return f"{self.built:%Y-%m-%d %H:%M} ({self.documents})"


class DigestSent(models.Model):
    """A weekly digest of needs waiting for a proposal, sent to a coordinator: kept so
    that running the command twice in a week sends nothing twice."""

    week = models.CharField(_("ISO week"), max_length=8, help_text=_("e.g. 2026-W47"))
    recipient = models.EmailField(_("recipient"))
    sent = models.DateTimeField(_("sent"), auto_now_add=True)
    need_count = models.PositiveIntegerField(_("needs listed"))

    class Meta:
        ordering = ["-sent"]
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["week", "recipient"], name="one_digest_per_week_recipient")]

    def __str__(self) -> str:
        return f"{self.week} → {self.recipient}"


EVIDENCE_EXTENSIONS = ("pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "csv", "txt", "jpg", "jpeg", "png")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def evidence_path(instance, filename: str) -> str:
    """A random name under the need's folder: what the person called the file is kept in `name`."""
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/need-{instance.need_id}/{secrets.token_hex(16)}{suffix}"


class NeedAttachment(models.Model):
    """A document that shows the need (a survey, a report). Stored outside the static files
    and given out only to those who may see the need."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("need"))
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded = models.DateTimeField(_("uploaded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded", "id"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")

    def __str__(self) -> str:
        return self.name
