"""Meetings of States Parties and published facts about Art. 3 and Art. 4 obligations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from article6.treaty import rules


class MeetingKind(models.TextChoices):
    MSP = "msp", _("Meeting of States Parties")  # Art. 11
    REVIEW_CONFERENCE = "review", _("Review Conference")  # Art. 12


class Meeting(models.Model):
    """A Meeting of States Parties (Art. 11) or Review Conference (Art. 12):
    the bodies that decide on extension requests (Arts. 3 and 4)."""

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("e.g. 9MSP, 2RC"))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=120, blank=True)
    opens = models.DateField(_("opens"), null=True, blank=True)
    closes = models.DateField(_("closes"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["closes", "code"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.name or self.code


class Article(models.IntegerChoices):
    STOCKPILE_DESTRUCTION = 3, _("Article 3: stockpile destruction")
    CLEARANCE = 4, _("Article 4: clearance and destruction of remnants")


class FactKind(models.TextChoices):
    CONTAMINATED = rules.FactKind.CONTAMINATED, _("listed as a contaminated State Party")
    HOLDS_STOCKPILES = rules.FactKind.HOLDS_STOCKPILES, _("holds stockpiles")
    EXTENSION_CONSIDERED = rules.FactKind.EXTENSION_CONSIDERED, _("extension request considered")
    EXTENSION_GRANTED = rules.FactKind.EXTENSION_GRANTED, _("extension granted")
    COMPLETED = rules.FactKind.COMPLETED, _("completion declared")
    END_OF_HOSTILITIES = rules.FactKind.END_OF_HOSTILITIES, _("end of active hostilities (Art. 4(1)(b))")
    IN_PROGRESS = rules.FactKind.IN_PROGRESS, _("reported still in progress (not completed on this date)")


class ObligationFact(models.Model):
    """One published fact about a State's Art. 3 or Art. 4 obligation, with its source.

    The status of the obligation is never stored: it is computed from these
    facts and the State's entry into force by `rules.obligation_on`.
    """

    state = models.ForeignKey(
        "states.State", on_delete=models.CASCADE, related_name="obligation_facts", verbose_name=_("State")
    )
    article = models.PositiveSmallIntegerField(_("article"), choices=Article.choices)
    kind = models.CharField(_("fact"), max_length=30, choices=FactKind.choices)
    date = models.DateField(
        _("date"),
        help_text=_("The day the fact is known for: the source's date, the completion, or the decision."),
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="facts", verbose_name=_("meeting")
    )
    meeting_code = models.CharField(
        _("meeting named by the source"),
        max_length=20,
        blank=True,
        help_text=_(
            "The meeting as the source names it (e.g. 10MSP), when it is not yet in the list of meetings. "
            "Once the meeting is added, choose it above."
        ),
    )
    new_deadline = models.DateField(_("new deadline"), null=True, blank=True)
    source = models.TextField(_("source"))
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__name", "article", "date", "id"]
        verbose_name = _("obligation fact")
        verbose_name_plural = _("obligation facts")
        constraints = [
            models.UniqueConstraint(fields=["state", "article", "kind", "date"], name="unique_obligation_fact"),
        ]

    def __str__(self) -> str:
        return f"{self.state} Art. {self.article}: {self.get_kind_display()} ({self.date})"

    def as_rule_fact(self) -> rules.ObligationFact:
        return rules.ObligationFact(
            article=self.article,
            kind=rules.FactKind(self.kind),
            date=self.date,
            new_deadline=self.new_deadline,
            meeting=self.meeting.code if self.meeting_id else self.meeting_code,
            source=self.source,
        )


class Pillar(models.TextChoices):
    """The areas of work of the Convention that assistance and coordination address,
    the purposes Article 6 names among them (one list, not a second one: README, Assistance)."""

    STOCKPILE_DESTRUCTION = "stockpile_destruction", _("stockpile destruction")  # Art. 3
    CLEARANCE = "clearance", _("clearance")  # Art. 4
    RISK_REDUCTION_EDUCATION = "risk_reduction_education", _("risk reduction education")  # Art. 4(2)(e)
    VICTIM_ASSISTANCE = "victim_assistance", _("victim assistance")  # Art. 5
    ECONOMIC_SOCIAL_RECOVERY = "economic_social_recovery", _("economic and social recovery")  # Art. 6(8)
    # Determining the nature and extent of contamination, the resources and the time needed.
    SURVEYS_NATIONAL_PLANS = "surveys_national_plans", _("surveys and national plans")  # Art. 6(11)
    NATIONAL_IMPLEMENTATION = "national_implementation", _("national implementation measures")  # Art. 9
    TRANSPARENCY_REPORTING = "transparency_reporting", _("transparency reporting")  # Art. 7
    UNIVERSALIZATION = "universalization", _("universalization")  # Art. 21
    COOPERATION = "cooperation", _("cooperation and coordination")  # Art. 6


class FormerUse(models.Model):
    """A declaration that one State used or abandoned cluster munitions in another, where
    they became remnants, with its source. Under Art. 4(4) the former user is "strongly
    encouraged" to assist the State where they lie; the matching reads these records."""

    used_by = models.ForeignKey(
        "states.State",
        on_delete=models.CASCADE,
        related_name="former_uses_by",
        verbose_name=_("used by"),
        help_text=_("The State that used or abandoned the cluster munitions."),
    )
    used_in = models.ForeignKey(
        "states.State",
        on_delete=models.CASCADE,
        related_name="former_uses_in",
        verbose_name=_("used in"),
        help_text=_("The State where they became cluster munition remnants."),
    )
    period = models.CharField(
        _("period"), max_length=100, blank=True, help_text=_("As the source gives it, e.g. 1964–1973.")
    )
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("What the declaration rests on: a statement, a transparency report, a Monitor report…"),
    )
    source_url = models.URLField(_("link to the source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded = models.DateTimeField(_("recorded"), auto_now_add=True)
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["used_in__name", "used_by__name"]
        verbose_name = _("former use (Art. 4(4))")
        verbose_name_plural = _("former uses (Art. 4(4))")
        constraints = [
            models.UniqueConstraint(
                fields=["used_by", "used_in"],
                name="unique_former_use",
                violation_error_code="already_recorded",
                violation_error_message=_("This use of cluster munitions is already recorded."),
            ),
            models.CheckConstraint(
                condition=~models.Q(used_by=models.F("used_in")),
                name="former_use_in_another_state",
                violation_error_code="same_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.used_by} in {self.used_in}"

    def clean(self) -> None:
        super().clean()
        if self.used_by_id and self.used_by_id == self.used_in_id:
            raise ValidationError(
                {"used_in": _("Art. 4(4) is about remnants in another State: choose a State other than the user.")}
            )

    def validate_constraints(self, exclude=None) -> None:
        """The constraints' refusals, on the field they are about: clean() has said that the
        States must differ; a pair recorded twice is named."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = {}
            for field, items in error.error_dict.items():
                for item in items:
                    if item.code == "same_state":
                        continue
                    if item.code == "already_recorded":
                        item = ValidationError(
                            _("The use of cluster munitions by %(by)s in %(in)s is already recorded."),
                            code="already_recorded",
                            params={"by": self.used_by, "in": self.used_in},
                        )
                    errors.setdefault("used_in" if item.code == "already_recorded" else field, []).append(item)
            if errors:
                raise ValidationError(errors) from error

    @property
    def citation(self):
        """The source as a citation (states.citations), with its link when one is recorded."""
        from dataclasses import replace

        from article6.states.citations import cite

        found = cite(self.source)
        if found is not None and self.source_url:
            found = replace(found, url=self.source_url)
        return found
