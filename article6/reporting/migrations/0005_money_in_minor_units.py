"""Amounts of money (the figures of transparency reports and their audit trail) kept as whole cents in a BIGINT
(article6.money_fields.MoneyField), each stored amount converted exactly; see
money_fields.ConvertToMinorUnits for why it is not a plain AlterField."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import migrations

from article6.money_fields import ConvertToMinorUnits, MoneyField

# (model, field, the field's options) for each amount of money.
AMOUNTS = [
    ("assistancefigure", "amount", dict(validators=[MinValueValidator(0)], verbose_name="amount")),
    ("historicalassistancefigure", "amount", dict(validators=[MinValueValidator(0)], verbose_name="amount")),
    (
        "historicalreportedneed",
        "amount",
        dict(blank=True, null=True, validators=[MinValueValidator(0)], verbose_name="amount needed"),
    ),
    ("historicalresourcefigure", "amount", dict(validators=[MinValueValidator(0)], verbose_name="amount")),
    (
        "reportedneed",
        "amount",
        dict(blank=True, null=True, validators=[MinValueValidator(0)], verbose_name="amount needed"),
    ),
    ("resourcefigure", "amount", dict(validators=[MinValueValidator(0)], verbose_name="amount")),
]


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_article6_purposes_in_reports")]

    operations = [ConvertToMinorUnits((model, name, MoneyField(**options)) for model, name, options in AMOUNTS)]
