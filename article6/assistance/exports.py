"""Needs, offers, commitments and the gap table as CSV and Excel files, as plain
functions: each takes records the caller has already filtered (so that the caller's
permissions apply: give it `queries.needs_for(user)` and the like, filtered) and
returns the file as bytes.

CSV: UTF-8, a header row of the API's field names, ISO dates, numbers unformatted
(a dot for decimals, no thousands separator), lists joined by "; ".
Excel (openpyxl): a bold, frozen header row of readable names, column widths to fit,
numbers as numbers, dates as dates, and a sheet "About" saying what the data is,
when it was exported, the filters, and, where fictional sample records are included,
that they are fictional.

Text that a spreadsheet would take for a formula (beginning with =, +, -, @) is kept
as text: in CSV behind a leading apostrophe, in Excel as a text cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from article6.asof import today
from article6.assistance import queries
from article6.assistance.importing import outside_mine_action
from article6.assistance.models import FlowKind

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

TEXT, INTEGER, MONEY, RATIO, DATE, BOOLEAN = "text", "integer", "money", "ratio", "date", "boolean"
NUMBER_FORMATS = {INTEGER: "0", MONEY: "#,##0.00", RATIO: "0.0%", DATE: "yyyy-mm-dd"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
MIN_WIDTH = 8
LIST_SEPARATOR = "; "
KINDS = [FlowKind.PLEDGED, FlowKind.COMMITTED, FlowKind.DISBURSED, FlowKind.EXPENDED, FlowKind.BUDGETED]
ALL_KINDS = [*KINDS, FlowKind.RECEIVED]


@dataclass(frozen=True)
class Column:
    """One column: its CSV header (the API's field name), its Excel header, how to read
    the value from a record, and the kind of value."""

    key: str
    label: Any  # translated lazily: the language of the request that exports
    value: Callable[[Any], Any]
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """A sheet of an Excel file (or the whole of a CSV file)."""

    title: Any
    columns: list[Column]
    rows: list


# --- Values ------------------------------------------------------------------------------------


def _joined(values: Iterable) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _cents(value: Decimal) -> Decimal:
    from article6.assistance.rules import rounded

    return rounded(value)


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == BOOLEAN:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # Money is added at full precision and rounded once, here, to the cent.
        return format(_cents(value) if kind == MONEY else value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    if kind == TEXT and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _xlsx_value(value: Any, kind: str) -> Any:
    if kind == BOOLEAN:
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return float(value) if kind == RATIO else _cents(value) if kind == MONEY else value
    if kind == TEXT and value is not None and not isinstance(value, str):
        return str(value)
    return value


# --- CSV ---------------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    """A table as CSV: a header row, then one row per record."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in table.columns])
    for record in table.rows:
        writer.writerow([_csv_value(c.value(record), c.kind) for c in table.columns])
    return out.getvalue().encode("utf-8")


# --- Excel -------------------------------------------------------------------------------------


def _sheet(ws, table: Table) -> None:
    ws.title = str(table.title)[:31]
    bold = Font(bold=True)
    widths = []
    for index, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=index, value=str(column.label))
        cell.font = bold
        widths.append(len(str(column.label)))
    for row_number, record in enumerate(table.rows, start=2):
        for index, column in enumerate(table.columns, start=1):
            value = _xlsx_value(column.value(record), column.kind)
            cell = ws.cell(row=row_number, column=index, value=value)
            if isinstance(value, str):
                if value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif column.kind in NUMBER_FORMATS and value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
            shown = len(f"{value:,.2f}") if isinstance(value, Decimal | float) else len(str(value or ""))
            widths[index - 1] = max(widths[index - 1], min(shown, MAX_WIDTH))
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(MIN_WIDTH, width + 2)


def _about_sheet(ws, lines: list[tuple[Any, Any]]) -> None:
    ws.title = _("About")
    bold = Font(bold=True)
    for row_number, (label, value) in enumerate(lines, start=1):
        ws.cell(row=row_number, column=1, value=str(label)).font = bold
        cell = ws.cell(row=row_number, column=2, value=value if isinstance(value, dt.date | int) else str(value))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, dt.date):
            cell.number_format = NUMBER_FORMATS[DATE]
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100


def to_xlsx(tables: list[Table], about: list[tuple[Any, Any]]) -> bytes:
    """Tables as the sheets of a workbook, and an "About" sheet last."""
    workbook = Workbook()
    for index, table in enumerate(tables):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        _sheet(ws, table)
    _about_sheet(workbook.create_sheet(), about)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def about(
    what: str,
    records: int,
    *,
    sample: int = 0,
    amounts: str,
    filters: Mapping[str, Any] | None = None,
    exported: dt.date | None = None,
    sample_note: str | None = None,
) -> list[tuple[Any, Any]]:
    """The lines of the "About" sheet."""
    lines: list[tuple[Any, Any]] = [
        (_("Data"), what),
        (_("Source"), _("article6, the information system of the Convention on Cluster Munitions (Article 6)")),
        (_("Exported on"), exported or today()),
        (_("Records"), records),
        (
            _("Filters"),
            ", ".join(f"{name}={value}" for name, value in filters.items()) if filters else _("none"),
        ),
        (_("Visibility"), _("Only the records the person who exported them may see.")),
        (_("Amounts"), amounts),
    ]
    if sample_note:
        lines.append((_("Fictional sample data"), sample_note))
    elif sample:
        lines.append(
            (
                _("Fictional sample data"),
                _(
                    "%(count)d of these records are fictional sample data for demonstration "
                    "(column “Fictional sample”): they describe no real need or assistance."
                )
                % {"count": sample},
            )
        )
    return lines


# --- Needs -------------------------------------------------------------------------------------

NEED_COLUMNS = [
    Column("id", gettext_lazy("Id"), lambda n: n.pk, INTEGER),
    Column("state", gettext_lazy("State (ISO3)"), lambda n: n.state.iso3),
    Column("state_name", gettext_lazy("State"), lambda n: n.state.name),
    Column("title", gettext_lazy("Title"), lambda n: n.title),
    Column("pillar", gettext_lazy("Pillar"), lambda n: n.pillar),
    Column("modality", gettext_lazy("Modality"), lambda n: n.modality),
    Column("priority", gettext_lazy("Priority"), lambda n: n.priority),
    Column("urgent", gettext_lazy("Urgent (Art. 6(6))"), lambda n: n.urgent, BOOLEAN),
    Column("status", gettext_lazy("Status"), lambda n: n.seen_status),
    Column("declared_status", gettext_lazy("Declared status"), lambda n: n.declared_status),
    Column("amount", gettext_lazy("Amount needed"), lambda n: n.amount, MONEY),
    Column("currency", gettext_lazy("Currency"), lambda n: n.currency),
    Column("covered_amount", gettext_lazy("Amount covered"), lambda n: n.seen_covered, MONEY),
    Column("coverage", gettext_lazy("Share covered"), lambda n: n.coverage, RATIO),
    Column("start_year", gettext_lazy("From year"), lambda n: n.start_year, INTEGER),
    Column("end_year", gettext_lazy("To year"), lambda n: n.end_year, INTEGER),
    Column(
        "yearly",
        gettext_lazy("Amount per year"),
        lambda n: _joined(f"{y.year}: {format(y.amount, 'f')}" for y in n.yearly.all()),
    ),
    Column("quantity", gettext_lazy("Quantity"), lambda n: n.quantity, MONEY),
    Column("quantity_unit", gettext_lazy("Unit"), lambda n: n.quantity_unit),
    Column("national_plan", gettext_lazy("National plan"), lambda n: n.national_plan),
    Column("national_resources", gettext_lazy("National resources"), lambda n: n.national_resources, MONEY),
    Column(
        "national_resources_currency",
        gettext_lazy("Currency of national resources"),
        lambda n: n.national_resources_currency,
    ),
    Column("languages", gettext_lazy("Working languages"), lambda n: _joined(n.languages or [])),
    Column("description", gettext_lazy("What is needed"), lambda n: n.description),
    Column("evidence", gettext_lazy("Evidence"), lambda n: n.evidence),
    Column("evidence_url", gettext_lazy("Link to evidence"), lambda n: n.evidence_url),
    Column("visibility", gettext_lazy("Visibility"), lambda n: n.visibility),
    Column("created", gettext_lazy("Filed"), lambda n: _day(n.created), DATE),
    Column("updated", gettext_lazy("Updated"), lambda n: _day(n.updated), DATE),
    Column("is_sample", gettext_lazy("Fictional sample"), lambda n: n.is_sample, BOOLEAN),
]


def _needs_table(needs) -> Table:
    return Table(gettext_lazy("Needs"), NEED_COLUMNS, list(needs))


def needs_csv(needs) -> bytes:
    """Needs (with their State and yearly amounts, as `queries.needs_for` reads them) as CSV."""
    return to_csv(_needs_table(needs))


def needs_xlsx(needs, *, filters: Mapping[str, Any] | None = None, exported: dt.date | None = None) -> bytes:
    table = _needs_table(needs)
    lines = about(
        _("Needs for assistance that affected States stated (Convention on Cluster Munitions, Article 6)."),
        len(table.rows),
        sample=sum(1 for n in table.rows if n.is_sample),
        amounts=_("Each amount in the currency of its row (column “Currency”)."),
        filters=filters,
        exported=exported,
    )
    return to_xlsx([table], lines)


# --- Offers ------------------------------------------------------------------------------------

OFFER_COLUMNS = [
    Column("id", gettext_lazy("Id"), lambda o: o.pk, INTEGER),
    Column("provider", gettext_lazy("Provider"), lambda o: o.provider_label),
    Column(
        "provider_state",
        gettext_lazy("Provider State (ISO3)"),
        lambda o: o.provider_state.iso3 if o.provider_state_id else "",
    ),
    Column(
        "provider_organisation",
        gettext_lazy("Provider organisation (id)"),
        lambda o: o.provider_organisation_id,
        INTEGER,
    ),
    Column("title", gettext_lazy("Title"), lambda o: o.title),
    Column("pillars", gettext_lazy("Pillars"), lambda o: _joined(o.pillars or [])),
    Column("modalities", gettext_lazy("Modalities"), lambda o: _joined(o.modalities or [])),
    Column("kinds", gettext_lazy("Kinds"), lambda o: _joined(o.kinds or [])),
    Column("regions", gettext_lazy("Regions of interest"), lambda o: _joined(o.regions or [])),
    Column("states", gettext_lazy("States of interest"), lambda o: _joined(sorted(s.iso3 for s in o.states.all()))),
    Column("amount_per_year", gettext_lazy("Amount available per year"), lambda o: o.amount_per_year, MONEY),
    Column("currency", gettext_lazy("Currency"), lambda o: o.currency),
    Column("start_year", gettext_lazy("From year"), lambda o: o.start_year, INTEGER),
    Column("end_year", gettext_lazy("To year"), lambda o: o.end_year, INTEGER),
    Column("is_active", gettext_lazy("Open to new requests"), lambda o: o.is_active, BOOLEAN),
    Column("urgent", gettext_lazy("Answers urgent requests (Art. 6(6))"), lambda o: o.urgent, BOOLEAN),
    Column("languages", gettext_lazy("Working languages"), lambda o: _joined(o.languages or [])),
    Column("description", gettext_lazy("What is offered"), lambda o: o.description),
    Column("conditions", gettext_lazy("Conditions"), lambda o: o.conditions),
    Column("contact", gettext_lazy("Contact"), lambda o: o.contact),
    Column("visibility", gettext_lazy("Visibility"), lambda o: o.visibility),
    Column("created", gettext_lazy("Published"), lambda o: _day(o.created), DATE),
    Column("is_sample", gettext_lazy("Fictional sample"), lambda o: o.is_sample, BOOLEAN),
]


def _offers_table(offers) -> Table:
    return Table(gettext_lazy("Offers"), OFFER_COLUMNS, list(offers))


def offers_csv(offers) -> bytes:
    """Offers (with their provider and States, as `queries.offers_for` reads them) as CSV."""
    return to_csv(_offers_table(offers))


def offers_xlsx(offers, *, filters: Mapping[str, Any] | None = None, exported: dt.date | None = None) -> bytes:
    table = _offers_table(offers)
    lines = about(
        _(
            "Offers of assistance from donor States and organisations in a position to give "
            "(Convention on Cluster Munitions, Article 6)."
        ),
        len(table.rows),
        sample=sum(1 for o in table.rows if o.is_sample),
        amounts=_("Each amount in the currency of its row (column “Currency”)."),
        filters=filters,
        exported=exported,
    )
    return to_xlsx([table], lines)


# --- Commitments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Commitment:
    record: Any
    totals: dict


@dataclass(frozen=True)
class _YearRow:
    commitment: Any
    year: int
    amounts: dict

    def difference(self):
        """Received minus disbursed, where both are known."""
        if FlowKind.DISBURSED in self.amounts and FlowKind.RECEIVED in self.amounts:
            return self.amounts[FlowKind.RECEIVED] - self.amounts[FlowKind.DISBURSED]
        return None


def _shares(commitment) -> str:
    shares = sorted(commitment.pillar_shares.all(), key=lambda s: (-s.share, s.pillar))
    return _joined(f"{s.pillar} {format(s.share.normalize(), 'f')}%" for s in shares)


def _provider_columns(of: Callable[[Any], Any]) -> list[Column]:
    return [
        Column("provider", gettext_lazy("Provider"), lambda r: of(r).provider_label),
        Column(
            "provider_state",
            gettext_lazy("Provider State (ISO3)"),
            lambda r: of(r).provider_state.iso3 if of(r).provider_state_id else "",
        ),
        Column(
            "provider_organisation",
            gettext_lazy("Provider organisation (id)"),
            lambda r: of(r).provider_organisation_id,
            INTEGER,
        ),
        Column("recipient", gettext_lazy("Recipient (ISO3)"), lambda r: of(r).recipient.iso3),
        Column("recipient_name", gettext_lazy("Recipient"), lambda r: of(r).recipient.name),
    ]


def _outside(commitment) -> str:
    """The imported part outside mine action (not counted), by kind of amount, as the needs'
    yearly amounts are written: "committed: 80000; disbursed: 40000"; empty when there is none."""
    outside = outside_mine_action(commitment.flows.all())
    if outside is None:
        return ""
    return _joined(f"{kind}: {format(amount, 'f')}" for kind, amount in outside.amounts.items())


COMMITMENT_COLUMNS = [
    Column("id", gettext_lazy("Id"), lambda r: r.record.pk, INTEGER),
    *_provider_columns(lambda r: r.record),
    Column("title", gettext_lazy("Title"), lambda r: r.record.title),
    Column("channel", gettext_lazy("Channel"), lambda r: r.record.channel),
    Column("implementing_partner", gettext_lazy("Implementing partner"), lambda r: r.record.implementing_partner),
    Column("pillars", gettext_lazy("Pillar shares"), lambda r: _shares(r.record)),
    Column("currency", gettext_lazy("Currency"), lambda r: r.record.currency),
    *[
        Column(str(kind), capfirst(FlowKind(kind).label), lambda r, kind=kind: r.totals[kind], MONEY)
        for kind in ALL_KINDS
    ],
    Column(
        "cluster_munition_specific",
        gettext_lazy("Specific to cluster munitions"),
        lambda r: r.record.cluster_munition_specific,
        BOOLEAN,
    ),
    Column("source", gettext_lazy("Source"), lambda r: r.record.source),
    Column("description", gettext_lazy("Description"), lambda r: r.record.description),
    Column("visibility", gettext_lazy("Visibility"), lambda r: r.record.visibility),
    Column("created", gettext_lazy("Recorded"), lambda r: _day(r.record.created), DATE),
    Column("is_sample", gettext_lazy("Fictional sample"), lambda r: r.record.is_sample, BOOLEAN),
    Column("outside_mine_action", gettext_lazy("Outside mine action"), lambda r: _outside(r.record)),
]

FLOW_COLUMNS = [
    Column("commitment", gettext_lazy("Commitment (id)"), lambda r: r.commitment.pk, INTEGER),
    Column("title", gettext_lazy("Title"), lambda r: r.commitment.title),
    *_provider_columns(lambda r: r.commitment),
    Column("year", gettext_lazy("Year"), lambda r: r.year, INTEGER),
    Column("currency", gettext_lazy("Currency"), lambda r: r.commitment.currency),
    *[
        Column(str(kind), capfirst(FlowKind(kind).label), lambda r, kind=kind: r.amounts.get(kind), MONEY)
        for kind in ALL_KINDS
    ],
    Column(
        "difference",
        gettext_lazy("Received minus disbursed"),
        lambda r: r.difference(),
        MONEY,
    ),
    Column("is_sample", gettext_lazy("Fictional sample"), lambda r: r.commitment.is_sample, BOOLEAN),
]


def _commitment_tables(commitments) -> tuple[Table, Table]:
    records = list(commitments)
    rows = [_Commitment(c, queries.totals(c)) for c in records]
    years = [_YearRow(c, year, amounts) for c in records for year, amounts in queries.yearly(c).items()]
    return (
        Table(gettext_lazy("Commitments"), COMMITMENT_COLUMNS, rows),
        Table(gettext_lazy("Amounts by year"), FLOW_COLUMNS, years),
    )


def commitments_csv(commitments) -> bytes:
    """Commitments (provider and recipient selected, pillar shares and amounts prefetched,
    as `queries.commitments_for` reads them) as CSV: one row per commitment, with its
    totals per kind of amount."""
    return to_csv(_commitment_tables(commitments)[0])


def commitment_flows_csv(commitments) -> bytes:
    """The amounts of the same commitments as CSV: one row per commitment and year, a
    column per kind of amount, and received minus disbursed."""
    return to_csv(_commitment_tables(commitments)[1])


def commitments_xlsx(
    commitments, *, filters: Mapping[str, Any] | None = None, exported: dt.date | None = None
) -> bytes:
    """Commitments as Excel: a sheet of commitments with their totals, a sheet of amounts
    by year, and "About"."""
    tables = _commitment_tables(commitments)
    lines = about(
        _(
            "Commitments of assistance from providers to recipient States (Convention on Cluster "
            "Munitions, Article 6): one row per commitment with its totals by kind of amount, "
            "and, in the sheet “%(sheet)s”, one row per commitment and year."
        )
        % {"sheet": tables[1].title},
        len(tables[0].rows),
        sample=sum(1 for r in tables[0].rows if r.record.is_sample),
        amounts=_(
            "Each amount in the currency of its row (column “Currency”), as the provider reports it; "
            "“received” as the recipient State confirms it. Negative amounts are corrections."
        ),
        filters=filters,
        exported=exported,
    )
    return to_xlsx(list(tables), lines)


# --- The gap -----------------------------------------------------------------------------------

GAP_COLUMNS = [
    Column("state", gettext_lazy("State (ISO3)"), lambda r: r.state),
    Column("pillar", gettext_lazy("Pillar"), lambda r: r.pillar),
    Column("year", gettext_lazy("Year"), lambda r: r.year, INTEGER),
    Column("currency", gettext_lazy("Currency"), lambda r: "USD"),
    Column("needed", gettext_lazy("Needed"), lambda r: r.needed, MONEY),
    Column("pledged", gettext_lazy("Pledged"), lambda r: r.pledged, MONEY),
    Column("committed", gettext_lazy("Committed"), lambda r: r.committed, MONEY),
    Column("disbursed", gettext_lazy("Disbursed"), lambda r: r.disbursed, MONEY),
    Column("funded", gettext_lazy("Funding towards stated needs"), lambda r: r.funded, MONEY),
    Column("outside_needs", gettext_lazy("Funding outside stated needs"), lambda r: r.outside_needs, MONEY),
    Column("gap", gettext_lazy("Gap"), lambda r: r.gap, MONEY),
    Column("complete", gettext_lazy("Complete"), lambda r: r.complete, BOOLEAN),
    Column("problems", gettext_lazy("Not counted"), lambda r: _joined(r.problems)),
]


def _gap_table(rows) -> Table:
    return Table(gettext_lazy("Gap"), GAP_COLUMNS, list(rows))


def gap_csv(rows) -> bytes:
    """The gap table (`queries.gap` rows) as CSV, in US dollars."""
    return to_csv(_gap_table(rows))


def gap_xlsx(
    rows,
    *,
    includes_sample: bool = False,
    filters: Mapping[str, Any] | None = None,
    exported: dt.date | None = None,
) -> bytes:
    """The gap table as Excel. `includes_sample`: whether fictional sample needs or
    commitments went into the figures (the rows cannot say)."""
    table = _gap_table(rows)
    lines = about(
        _(
            "The gap per State, pillar and year (Convention on Cluster Munitions, Article 6): what affected "
            "States need against what providers pledged, committed and disbursed. Pledges never count as "
            "funding. Funding is, per commitment, the larger of what is committed and what is paid, counted "
            "once and divided between the needs it is linked to; funding linked to no open need is shown "
            "apart. The gap is what each open need still lacks, added up. An empty pillar: amounts of "
            "commitments without pillar shares."
        ),
        len(table.rows),
        amounts=_(
            "In US dollars, at each year's rate from the exchange-rate table ISU keeps, rounded to the cent "
            "once. A row with an amount without a rate is not complete; the column “Not counted” names it."
        ),
        filters=filters,
        exported=exported,
        sample_note=(
            _("The figures include fictional sample needs or commitments, for demonstration: they are not real.")
            if includes_sample
            else None
        ),
    )
    return to_xlsx([table], lines)
