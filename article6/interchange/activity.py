"""What an IATI activity says, as plain frozen dataclasses (no ORM).

Codes are normalised to IATI 2.0x values whatever the file's version (1.0x
names and letters are mapped), except where noted; amounts are :class:`Decimal`
with their sign kept (a negative expenditure is a correction). ``source_line``
and ``line`` fields are not part of equality, so the same activity read from two
files compares equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

#: Transaction kinds by IATI 2.0x TransactionType code (IATI Standard 2.03, TransactionType code list).
TRANSACTION_KINDS: dict[str, str] = {
    "1": "incoming_funds",
    "2": "commitment",
    "3": "disbursement",
    "4": "expenditure",
    "5": "interest_repayment",
    "6": "loan_repayment",
    "7": "reimbursement",
    "8": "purchase_of_equity",
    "9": "sale_of_equity",
    "10": "credit_guarantee",
    "11": "incoming_commitment",
    "12": "outgoing_pledge",
    "13": "incoming_pledge",
}

#: The 2.0x code of each kind, for export.
KIND_CODES: dict[str, str] = {kind: code for code, kind in TRANSACTION_KINDS.items()}


@dataclass(frozen=True)
class Org:
    """An organisation as named in a reporting-org, provider-org or receiver-org element."""

    ref: str | None
    name: str | None
    type: str | None
    #: provider-org/@provider-activity-id or receiver-org/@receiver-activity-id (2.0x), for traceability.
    activity_id: str | None = None


@dataclass(frozen=True)
class ParticipatingOrg:
    """participating-org: ``role`` is the OrganisationRole code (1 Funding, 2 Accountable,
    3 Extending, 4 Implementing; 1.0x names mapped), kept as written when unknown."""

    role: str
    ref: str | None
    name: str | None
    type: str | None
    #: participating-org/@activity-id (2.0x): the organisation's own IATI activity.
    activity_id: str | None = None


@dataclass(frozen=True)
class RecipientCountry:
    code: str
    percentage: Decimal | None


@dataclass(frozen=True)
class Sector:
    """A sector; ``vocabulary`` is the SectorVocabulary code, "1" (OECD DAC 5-digit purpose
    codes) when absent, 1.0x "DAC" and "DAC-3" mapped to "1" and "2"."""

    code: str
    vocabulary: str
    percentage: Decimal | None


@dataclass(frozen=True)
class ActivityDates:
    """activity-date by type (ActivityDateType 1-4; 1.0x start-planned, start-actual, ...)."""

    planned_start: dt.date | None = None
    actual_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_end: dt.date | None = None


@dataclass(frozen=True)
class Transaction:
    """One transaction. ``kind`` is a :data:`TRANSACTION_KINDS` value, ``code`` the
    transaction-type code exactly as written (a 1.0x letter such as "C", or "2")."""

    kind: str
    code: str
    date: dt.date | None
    value: Decimal
    currency: str | None
    value_date: dt.date | None
    provider_org: Org | None
    receiver_org: Org | None
    description: str | None
    sectors: list[Sector] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Budget:
    """A budget; ``type`` is the BudgetType code (1 original, 2 revised; 1.0x names mapped),
    ``status`` the BudgetStatus code (2.03: 1 indicative, 2 committed) or None."""

    type: str | None
    status: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    value: Decimal
    currency: str | None
    value_date: dt.date | None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Activity:
    """One iati-activity. ``version`` is the IATI version the file declares."""

    iati_identifier: str
    version: str | None
    default_currency: str | None
    language: str | None
    title: str | None
    description: str | None
    reporting_org: Org | None
    participating_orgs: list[ParticipatingOrg]
    recipient_countries: list[RecipientCountry]
    sectors: list[Sector]
    activity_status: str | None
    dates: ActivityDates
    transactions: list[Transaction]
    budgets: list[Budget]
    source_line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ValidationProblem:
    """Why (part of) a file is not valid: the activity (None for the document itself), the line, the reason."""

    activity: str | None
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"activity {self.activity}" if self.activity else "document",
                f"line {self.line}" if self.line else "",
            )
            if part
        )
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ParseResult:
    """What :func:`article6.interchange.iati.parse_file` found.

    ``schema_checked`` is False for IATI 1.0x files, which are read but not
    validated (the 2.03 schema does not apply to them).
    """

    activities: list[Activity]
    problems: list[ValidationProblem]
    version: str | None = None
    schema_checked: bool = True
