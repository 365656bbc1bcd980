"""Money kept exact on every database: a model field stored as a whole number of cents.

SQLite has no exact decimal type (a DecimalField is kept as a REAL there, so
1234567890123456.78 came back as 1234567890123460.00). `MoneyField` stores an amount as
integer minor units in a BIGINT and hands the rest of the code a `Decimal` with two places:
forms, validators, API schemas, exports, lookups (`amount__gt=0`) and `Sum`/`Min`/`Max`
see Decimals. An amount that cannot be stored exactly (a third decimal place, a 17th digit
before the point) is refused with a ValidationError, never rounded. Arithmetic in the
database (`F("amount") * 2`, `Avg`) would count cents: compute in Python instead.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models
from django.db.migrations.operations.base import Operation
from django.db.models.fields import NOT_PROVIDED
from django.utils.translation import gettext_lazy as _

MAX_DIGITS, DECIMAL_PLACES = 18, 2  # every currency article6 stores: 16 digits before the point, cents
# The largest amount, 9,999,999,999,999,999.99, is 999,999,999,999,999,999 cents: below 2**63, a BIGINT.
CENT = Decimal(1).scaleb(-DECIMAL_PLACES)

# Wide enough for any amount that could be valid; an inexact step raises instead of rounding.
_EXACT = decimal.Context(prec=MAX_DIGITS + 20, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])


def to_minor_units(value: Decimal) -> int:
    """`value` (a Decimal) as a whole number of cents; a ValidationError with the message
    of Django's DecimalValidator (the one the forms show) if it has more than two decimal
    places or more than 16 digits before the point. Trailing zeros are no decimal place."""
    validate = DecimalValidator(MAX_DIGITS, DECIMAL_PLACES)
    try:
        value = _in_cents(Decimal(value))
    except (decimal.DecimalException, TypeError, ValueError):
        raise ValidationError(validate.messages["invalid"], code="invalid", params={"value": value}) from None
    validate(value)
    return int(value.scaleb(DECIMAL_PLACES, context=_EXACT))


def _in_cents(value: Decimal) -> Decimal:
    """`value` with two decimal places if it is a whole number of cents (5 is 5.00), else as it is."""
    try:
        cents = value.scaleb(DECIMAL_PLACES, context=_EXACT)
        if cents == cents.to_integral_value(context=_EXACT):
            return value.quantize(CENT, context=_EXACT)
    except decimal.DecimalException:
        pass
    return value


def from_minor_units(cents) -> Decimal:
    """A whole number of cents (int, or the Decimal a database's SUM returns) as a Decimal with two places."""
    return Decimal(cents).scaleb(-DECIMAL_PLACES, context=_EXACT)


class MoneyField(models.DecimalField):
    """An amount of money: a Decimal of up to 16 digits before the point and 2 after,
    stored exactly as integer cents. Its form field is Django's DecimalField(max_digits=18,
    decimal_places=2), or the form's own subclass of it."""

    description = _("Amount of money, kept exactly in cents")

    def __init__(self, verbose_name=None, name=None, **kwargs):
        super().__init__(verbose_name, name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["max_digits"], kwargs["decimal_places"]  # fixed by the field, not part of the column
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BigIntegerField"  # the column: a BIGINT of cents, on every database

    def to_python(self, value):
        value = super().to_python(value)
        # A whole number of cents reads with two places; anything else is left as given, for
        # the validators to refuse.
        return None if value is None else _in_cents(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_minor_units(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql"):
            return value
        try:
            return to_minor_units(value)
        except ValidationError:
            # A lookup with an amount between two cents (amount__gt=0.005) compares as it reads.
            return value.scaleb(DECIMAL_PLACES, context=decimal.Context(prec=MAX_DIGITS + 20))

    def get_db_prep_save(self, value, connection):
        if value is None or hasattr(value, "as_sql"):
            return value
        try:
            return to_minor_units(self.to_python(value))
        except ValidationError as error:
            raise ValidationError({self.attname: [error]}) from None


# --- Migrations: DecimalField columns of money become MoneyFields, every amount exactly --------


class ConvertToMinorUnits(Operation):
    """Turn DecimalField columns of money into MoneyField columns (and back), converting
    each stored amount exactly. `amounts`: (model name, field name, the MoneyField it
    becomes). Altering a column in place would not be exact: PostgreSQL casts 123.45 to
    123 on its way to a BIGINT, and SQLite keeps a REAL. So per table the amounts are read
    as Decimals, written as whole cents into a column beside the old one, which then goes
    and leaves it its name. One operation for them all: the models are rendered once."""

    reversible = True
    reduces_to_sql = False  # the amounts are converted in Python

    def __init__(self, amounts):
        self.amounts = [tuple(amount) for amount in amounts]

    def deconstruct(self):
        return self.__class__.__name__, [self.amounts], {}

    def describe(self) -> str:
        return f"Keep {len(self.amounts)} amounts of money as whole cents"

    @property
    def migration_name_fragment(self) -> str:
        return "money_in_minor_units"

    def state_forwards(self, app_label, state):
        for model_name, name, field in self.amounts:
            state.alter_field(app_label, model_name, name, field, preserve_default=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._convert(app_label, schema_editor, from_state, to_state, to_minor_units)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._convert(app_label, schema_editor, from_state, to_state, lambda amount: amount)

    def _convert(self, app_label, schema_editor, from_state, to_state, convert):
        connection, quote = schema_editor.connection, schema_editor.quote_name
        by_model: dict[str, list[str]] = {}
        for model_name, name, _field in self.amounts:
            by_model.setdefault(model_name, []).append(name)
        for model_name, names in by_model.items():
            from_model = from_state.apps.get_model(app_label, model_name)
            to_model = to_state.apps.get_model(app_label, model_name)
            if not self.allow_migrate_model(connection.alias, to_model):
                continue
            table, pk = quote(from_model._meta.db_table), quote(from_model._meta.pk.column)
            settled = []
            for name in names:
                old, new = from_model._meta.get_field(name), to_model._meta.get_field(name)
                # The column beside the old one: the new type, nullable, no default.
                beside = new.clone()
                beside.null, beside.default = True, NOT_PROVIDED
                beside.set_attributes_from_name(f"{name}_in_cents")
                beside.model = from_model
                schema_editor.add_field(from_model, beside)
                pks_by_amount: dict[Decimal, list] = {}
                rows = from_model._base_manager.using(connection.alias).exclude(**{f"{name}__isnull": True})
                for row_pk, amount in rows.values_list("pk", name).iterator():
                    pks_by_amount.setdefault(amount, []).append(row_pk)
                for amount, pks in pks_by_amount.items():  # one UPDATE per distinct amount (most are few)
                    for start in range(0, len(pks), 500):
                        chunk = pks[start : start + 500]
                        marks = ", ".join(["%s"] * len(chunk))
                        sql = f"UPDATE {table} SET {quote(beside.column)} = %s WHERE {pk} IN ({marks})"  # noqa: S608 (quoted names, values as parameters)
                        schema_editor.execute(sql, [convert(amount), *chunk])
                schema_editor.remove_field(from_model, old)
                renamed = beside.clone()
                renamed.set_attributes_from_name(name)
                renamed.model = from_model
                schema_editor.alter_field(from_model, beside, renamed)
                settled.append((renamed, new))
            for renamed, new in settled:  # NOT NULL where the field says so, now that every row has its amount
                if not new.null:
                    schema_editor.alter_field(to_model, renamed, new)
