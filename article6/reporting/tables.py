"""The tables of figures in a report, described once.

The online forms, the offline workbook, the CSV and PDF exports and the API all read
this list, so that a table has the same columns, in the same order, with the same
headers everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from article6.assistance.models import Channel, Modality
from article6.reporting.models import (
    AgeGroup,
    AreaFigure,
    AssistanceFigure,
    CasualtyFigure,
    Direction,
    Form,
    MunitionFigure,
    MunitionMeasure,
    ReportedNeed,
    ResourceFigure,
    Sex,
)
from article6.treaty.models import Pillar

# Kinds of cell: how a value is read from a workbook and checked.
TEXT, INTEGER, DECIMAL, CHOICE, CURRENCY, YEAR = "text", "integer", "decimal", "choice", "currency", "year"

# The largest number each column holds, the same on SQLite and PostgreSQL, checked by the
# online form, the workbook and the services alike. A count is a PostgreSQL integer
# (SQLite would take more, and PostgreSQL refuse it). Submunitions are a bigint; they stop
# at 15 significant digits, all a spreadsheet keeps of a number typed in. SQLite stores a
# decimal as a floating-point number and gives back 15 significant digits: with two
# decimals, 13 before the point (a larger area came back wrong, or not at all). Amounts are
# kept exactly in cents (article6.money_fields) but stop there too, for the spreadsheet.
MAX_COUNT = 2_147_483_647
MAX_BIG_COUNT = 999_999_999_999_999
MAX_DECIMAL = Decimal("9999999999999.99")


@dataclass(frozen=True)
class Column:
    field: str
    kind: str
    required: bool = True
    choices: tuple[tuple[str, Promise | str], ...] = ()
    # The largest value of a number column: MAX_COUNT for a count, MAX_DECIMAL for an
    # area or an amount, unless given.
    limit: int | Decimal | None = None

    @property
    def maximum(self) -> int | Decimal | None:
        if self.limit is not None:
            return self.limit
        return {INTEGER: MAX_COUNT, DECIMAL: MAX_DECIMAL}.get(self.kind)

    def check_limit(self, value) -> None:
        """A ValidationError if `value` is a number above the column's maximum."""
        maximum = self.maximum
        if maximum is None or isinstance(value, bool) or not isinstance(value, int | Decimal | float):
            return
        if value > maximum:
            shown = number_format(maximum, decimal_pos=2 if self.kind == DECIMAL else None, force_grouping=True)
            raise ValidationError(
                _("At most %(limit)s: a larger number cannot be stored."), code="max_value", params={"limit": shown}
            )

    def validator(self):
        """`check_limit` as a form field's validator."""
        return self.check_limit

    def header(self, model) -> str:
        """The column's header: the model field's verbose name."""
        return str(model._meta.get_field(self.field).verbose_name)

    @property
    def is_number(self) -> bool:
        return self.kind in (INTEGER, DECIMAL)

    def shown(self, row) -> str:
        """The cell as people read it: a choice by its label, numbers grouped."""
        value = getattr(row, self.field)
        if value is None or value == "":
            return "–"
        if self.kind == CHOICE:
            return str(getattr(row, f"get_{self.field}_display")())
        if self.kind == INTEGER:
            return number_format(value, force_grouping=True)
        if self.kind == DECIMAL:
            return number_format(value, decimal_pos=2, force_grouping=True)
        return str(value)


@dataclass(frozen=True)
class Table:
    key: str
    form: str
    title: Promise
    model: type
    related_name: str
    columns: tuple[Column, ...]
    # For tables that share a model (munitions of forms B and D): the measures each holds.
    measures: tuple[str, ...] = ()

    def rows(self, report):
        """This table's rows of `report` (from prefetched `related_name` when there)."""
        rows = getattr(report, self.related_name).all()
        if self.measures:
            return [row for row in rows if row.measure in self.measures]
        return list(rows)

    def cells(self, report) -> list[list[tuple[str, bool]]]:
        """Each row of `report` as (the cell shown, whether it is a number)."""
        return [[(column.shown(row), column.is_number) for column in self.columns] for row in self.rows(report)]

    def headers(self) -> list[str]:
        return [column.header(self.model) for column in self.columns]

    @property
    def fields(self) -> list[str]:
        return [column.field for column in self.columns]


def _choices(enum, only=None) -> tuple:
    return tuple((value, label) for value, label in enum.choices if only is None or value in only)


_STOCKPILE = (MunitionMeasure.STOCKPILED, MunitionMeasure.DESTROYED)
_RETAINED = (MunitionMeasure.RETAINED, MunitionMeasure.TRANSFERRED)

TABLES: tuple[Table, ...] = (
    Table(
        "stockpiles",
        Form.B,
        _("Cluster munitions stockpiled and destroyed, by type"),
        MunitionFigure,
        "munitions",
        (
            Column("measure", CHOICE, choices=_choices(MunitionMeasure, _STOCKPILE)),
            Column("munition_type", TEXT),
            Column("munitions", INTEGER),
            Column("submunitions", INTEGER, limit=MAX_BIG_COUNT),
        ),
        measures=_STOCKPILE,
    ),
    Table(
        "retained",
        Form.D,
        _("Cluster munitions retained and transferred (Art. 3(6)–(8)), by type"),
        MunitionFigure,
        "munitions",
        (
            Column("measure", CHOICE, choices=_choices(MunitionMeasure, _RETAINED)),
            Column("munition_type", TEXT),
            Column("munitions", INTEGER),
            Column("submunitions", INTEGER, limit=MAX_BIG_COUNT),
        ),
        measures=_RETAINED,
    ),
    Table(
        "areas",
        Form.F,
        _("Contaminated and cleared area, by area of the State"),
        AreaFigure,
        "areas",
        (
            Column("area", TEXT),
            Column("contaminated_m2", DECIMAL),
            Column("cleared_m2", DECIMAL),
            Column("remnants_destroyed", INTEGER),
        ),
    ),
    Table(
        "casualties",
        Form.H,
        _("Cluster munition casualties, by sex and age"),
        CasualtyFigure,
        "casualties",
        (
            Column("sex", CHOICE, choices=_choices(Sex)),
            Column("age", CHOICE, choices=_choices(AgeGroup)),
            Column("killed", INTEGER),
            Column("injured", INTEGER),
        ),
    ),
    Table(
        "resources",
        Form.I,
        _("National resources allocated"),
        ResourceFigure,
        "resources",
        (
            Column("pillar", CHOICE, choices=_choices(Pillar)),
            Column("amount", DECIMAL),
            Column("currency", CURRENCY),
        ),
    ),
    Table(
        "assistance",
        Form.I,
        _("International cooperation and assistance provided and received"),
        AssistanceFigure,
        "assistance",
        (
            Column("direction", CHOICE, choices=_choices(Direction)),
            Column("counterpart", TEXT),
            Column("amount", DECIMAL),
            Column("currency", CURRENCY),
            Column("pillar", CHOICE, choices=_choices(Pillar)),
            Column("modality", CHOICE, choices=_choices(Modality)),
            Column("channel", CHOICE, choices=_choices(Channel)),
        ),
    ),
    Table(
        "needs",
        Form.I,
        _("Challenges and needs for assistance"),
        ReportedNeed,
        "needs",
        (
            Column("title", TEXT),
            Column("description", TEXT),
            Column("pillar", CHOICE, choices=_choices(Pillar)),
            Column("modality", CHOICE, choices=_choices(Modality)),
            Column("amount", DECIMAL, required=False),
            Column("currency", CURRENCY, required=False),
            Column("start_year", YEAR),
            Column("end_year", YEAR),
        ),
    ),
)

BY_KEY = {table.key: table for table in TABLES}


def tables_of(form: str) -> list[Table]:
    """The tables of figures one form holds (none for the forms that are words only)."""
    return [table for table in TABLES if table.form == form]


# Every model a report's content lives in, for copying and prefetching.
FIGURE_RELATED_NAMES = ("munitions", "areas", "casualties", "resources", "assistance", "needs")
