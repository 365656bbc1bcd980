"""Amounts of money (needs, offers, commitments and their audit trail) kept as whole cents in a BIGINT
(article6.money_fields.MoneyField), each stored amount converted exactly; see
money_fields.ConvertToMinorUnits for why it is not a plain AlterField."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import migrations

from article6.money_fields import ConvertToMinorUnits, MoneyField

# (model, field, the field's options) for each amount of money.
AMOUNTS = [
    ("commitmentneed", "amount", dict(blank=True, null=True, verbose_name="amount towards the need")),
    ("flow", "amount", dict(verbose_name="amount")),
    ("historicalcommitmentneed", "amount", dict(blank=True, null=True, verbose_name="amount towards the need")),
    ("historicalflow", "amount", dict(verbose_name="amount")),
    (
        "historicalneed",
        "amount",
        dict(blank=True, null=True, validators=[MinValueValidator(Decimal("0.01"))], verbose_name="amount needed"),
    ),
    ("historicalneed", "covered_amount", dict(default=Decimal("0"), verbose_name="amount covered")),
    (
        "historicalneed",
        "national_resources",
        dict(
            blank=True,
            null=True,
            validators=[MinValueValidator(0)],
            verbose_name="national resources committed (Action 38)",
        ),
    ),
    ("historicalneedyear", "amount", dict(validators=[MinValueValidator(0)], verbose_name="amount")),
    (
        "historicaloffer",
        "amount_per_year",
        dict(blank=True, null=True, validators=[MinValueValidator(0)], verbose_name="amount available per year"),
    ),
    (
        "need",
        "amount",
        dict(blank=True, null=True, validators=[MinValueValidator(Decimal("0.01"))], verbose_name="amount needed"),
    ),
    ("need", "covered_all", dict(default=Decimal("0"), verbose_name="amount covered, for ISU")),
    ("need", "covered_amount", dict(default=Decimal("0"), verbose_name="amount covered")),
    (
        "need",
        "covered_restricted",
        dict(default=Decimal("0"), verbose_name="amount covered, for coordinators and the State"),
    ),
    (
        "need",
        "covered_signed_in",
        dict(default=Decimal("0"), verbose_name="amount covered, for signed-in States Parties and partners"),
    ),
    (
        "need",
        "national_resources",
        dict(
            blank=True,
            null=True,
            validators=[MinValueValidator(0)],
            verbose_name="national resources committed (Action 38)",
        ),
    ),
    ("needyear", "amount", dict(validators=[MinValueValidator(0)], verbose_name="amount")),
    (
        "offer",
        "amount_per_year",
        dict(blank=True, null=True, validators=[MinValueValidator(0)], verbose_name="amount available per year"),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("assistance", "0006_article6_purposes_urgent_and_trust_fund")]

    operations = [ConvertToMinorUnits((model, name, MoneyField(**options)) for model, name, options in AMOUNTS)]
