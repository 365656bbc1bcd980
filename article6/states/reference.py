"""Loading the reference data: States, meetings, organisations and obligation
facts. Every file is read and checked in full first; the database is written
in one transaction, and only when every file is valid."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.db import transaction

from article6.importing import ImportErrors, Row, collect
from article6.states.models import InstrumentKind, Organisation, OrganisationKind, Region, State
from article6.treaty.models import Article, FactKind, Meeting, MeetingKind, ObligationFact

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

STATE_COLUMNS = {
    "name", "iso3", "iso_numeric", "ccm_region", "m49_subregion", "signature_date", "consent_date",
    "consent_type", "provisional_application_date", "withdrawal_notified_date", "source", "notes",
}  # fmt: skip
OBLIGATION_COLUMNS = {"iso3", "article", "fact", "date", "meeting", "new_deadline", "source"}
MEETING_COLUMNS = {"code", "kind", "name", "place", "opens", "closes", "source"}
ORGANISATION_COLUMNS = {"name", "acronym", "kind", "headquarters", "website", "source"}

# The wording of obligations.csv, mapped to the facts the Convention's clock reads.
FACT_WORDING = {
    "listed as a contaminated State Party": FactKind.CONTAMINATED,
    "holds stockpiles": FactKind.HOLDS_STOCKPILES,
    "extension request considered": FactKind.EXTENSION_CONSIDERED,
    "extension granted": FactKind.EXTENSION_GRANTED,
    "completed clearance": FactKind.COMPLETED,
    "completed destruction": FactKind.COMPLETED,
    "end of active hostilities": FactKind.END_OF_HOSTILITIES,
    "reported still in progress": FactKind.IN_PROGRESS,
}
UNTC_NOTE = re.compile(r"^(?P<name>.*?)\s*\((?P<note>UNTC: [^)]*)\)$")


@dataclass
class Files:
    states: Path = REFERENCE_DIR / "states.csv"
    meetings: Path = REFERENCE_DIR / "meetings.csv"
    organisations: Path = REFERENCE_DIR / "organisations.csv"
    obligations: Path = REFERENCE_DIR / "obligations.csv"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _parse_states(path: Path, today: dt.date) -> list[dict]:
    seen: dict[str, int] = {}
    seen_numeric: dict[int, int] = {}

    def parse(row: Row) -> dict | None:
        iso3 = row.text("iso3", required=True).upper()
        numeric = row.integer("iso_numeric", required=True)
        country = pycountry.countries.get(alpha_3=iso3) if iso3 else None
        if iso3 and country is None:
            row.error("iso3", f"{iso3!r} is not an ISO 3166-1 alpha-3 code")
        elif country is not None and numeric is not None and int(country.numeric) != numeric:
            row.error("iso_numeric", f"{numeric} is not the numeric code of {iso3} ({int(country.numeric)})")
        if iso3 in seen:
            row.error("iso3", f"{iso3} is already on line {seen[iso3]}")
        elif iso3:
            seen[iso3] = row.line
        if numeric is not None and numeric in seen_numeric:
            row.error("iso_numeric", f"{numeric} is already on line {seen_numeric[numeric]}")
        elif numeric is not None:
            seen_numeric[numeric] = row.line
        name = row.text("name", required=True)
        notes = row.text("notes")
        match = UNTC_NOTE.match(name)
        if match:
            name = match["name"]
            notes = "; ".join(filter(None, [f"Name in the UN Treaty Collection: {match['note'][6:]}", notes]))
        region = row.choice("ccm_region", set(Region.values), required=True)
        signature = row.date("signature_date", not_after=today)
        deposit = row.date("consent_date", not_after=today)
        kind = row.choice("consent_type", set(InstrumentKind.values))
        if deposit and not kind:
            row.error("consent_type", "the kind of instrument is required with a deposit date")
        if kind and not deposit:
            row.error("consent_date", "a deposit date is required with a kind of instrument")
        if signature is None and deposit is None:
            row.error("signature_date", "a State in this file has signed or deposited an instrument")
        if signature and deposit and deposit < signature:
            row.error("consent_date", "the instrument cannot be deposited before the signature")
        provisional = row.date("provisional_application_date", not_after=today)
        withdrawal = row.date("withdrawal_notified_date", not_after=today)
        if withdrawal and not deposit:
            row.error("withdrawal_notified_date", "only a State Party can withdraw (Art. 20)")
        elif withdrawal and deposit and withdrawal < deposit:
            row.error("withdrawal_notified_date", "a withdrawal cannot precede the deposit")
        return {
            "iso3": iso3,
            "name": name,
            "iso2": country.alpha_2 if country else "",
            "iso_numeric": numeric,
            "region": region,
            "m49_subregion": row.text("m49_subregion"),
            "signature_date": signature,
            "deposit_date": deposit,
            "instrument_kind": kind,
            "provisional_application_date": provisional,
            "withdrawal_notified_date": withdrawal,
            "source": row.text("source"),
            "notes": notes,
        }

    return collect(path, STATE_COLUMNS, parse)


def _parse_meetings(path: Path) -> list[dict]:
    seen: dict[str, int] = {}

    def parse(row: Row) -> dict | None:
        code = row.text("code", required=True)
        if code in seen:
            row.error("code", f"{code} is already on line {seen[code]}")
        seen.setdefault(code, row.line)
        opens, closes = row.date("opens"), row.date("closes")
        if opens is None and closes is None:
            row.error("closes", "an opening or closing day is required")
        if opens and closes and closes < opens:
            row.error("closes", "a meeting cannot close before it opens")
        return {
            "code": code,
            "kind": row.choice("kind", set(MeetingKind.values), required=True),
            "name": row.text("name", required=True),
            "place": row.text("place"),
            "opens": opens,
            "closes": closes,
            "source": row.text("source", required=True),
        }

    return collect(path, MEETING_COLUMNS, parse)


def _parse_organisations(path: Path) -> list[dict]:
    seen: dict[str, int] = {}

    def parse(row: Row) -> dict | None:
        name = row.text("name", required=True)
        if name in seen:
            row.error("name", f"{name!r} is already on line {seen[name]}")
        seen.setdefault(name, row.line)
        return {
            "name": name,
            "acronym": row.text("acronym"),
            "kind": row.choice("kind", set(OrganisationKind.values), required=True),
            "headquarters": row.text("headquarters"),
            "website": row.text("website"),
            "source": row.text("source", required=True),
        }

    return collect(path, ORGANISATION_COLUMNS, parse)


def _parse_obligations(path: Path, known_states: set[str]) -> list[dict]:
    """A fact may name a meeting the meetings file lacks (one whose dates could not be
    sourced): it loads, keeping the code as its source gives it."""
    seen: dict[tuple, int] = {}

    def parse(row: Row) -> dict | None:
        iso3 = row.text("iso3", required=True).upper()
        if iso3 and iso3 not in known_states:
            row.error("iso3", f"{iso3!r} is not a State in the States file")
        article = row.integer("article", required=True)
        if article is not None and article not in Article.values:
            row.error("article", f"{article} is not 3 (stockpile destruction) or 4 (clearance)")
        wording = row.text("fact", required=True)
        kind = FACT_WORDING.get(wording)
        if wording and kind is None:
            row.error("fact", f"{wording!r} is not one of: {', '.join(sorted(FACT_WORDING))}")
        date = row.date("date", required=True)
        meeting = row.text("meeting")
        if len(meeting) > 20:
            row.error("meeting", f"{meeting[:30]!r} is longer than a meeting code (20 characters at most)")
        new_deadline = row.date("new_deadline")
        if kind == FactKind.EXTENSION_GRANTED and new_deadline is None:
            row.error("new_deadline", "an extension granted needs its new deadline")
        key = (iso3, article, kind, date)
        if key in seen:
            row.error(None, f"the same fact is already on line {seen[key]}")
        seen.setdefault(key, row.line)
        return {
            "iso3": iso3,
            "article": article,
            "kind": kind.value if kind else "",
            "date": date,
            "meeting": meeting,
            "new_deadline": new_deadline,
            "source": row.text("source", required=True),
        }

    return collect(path, OBLIGATION_COLUMNS, parse)


# Written on every history entry an import makes, so the audit trail says where a change came from.
CHANGE_REASON = "load-reference (reference data import)"


def _upsert(model, key: dict, values: dict, counts: Counts) -> object:
    obj = model.objects.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        obj._change_reason = CHANGE_REASON
        obj.save(force_insert=True)
        counts.created += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj._change_reason = CHANGE_REASON
        obj.save(update_fields=changed)
        counts.updated += 1
    else:
        counts.unchanged += 1
    return obj


def load_reference(files: Files | None = None, today: dt.date | None = None) -> dict[str, Counts]:
    """Load (or bring up to date) the reference data. Raises ImportErrors listing
    every problem of every file, in which case nothing is written."""
    files = files or Files()
    today = today or dt.date.today()
    errors: list[str] = []
    parsed: dict[str, list[dict]] = {}
    for name, parser in (
        ("states", lambda: _parse_states(files.states, today)),
        ("meetings", lambda: _parse_meetings(files.meetings)),
        ("organisations", lambda: _parse_organisations(files.organisations)),
    ):
        try:
            parsed[name] = parser()
        except ImportErrors as exc:
            errors.extend(exc.messages)
            parsed[name] = []
    try:
        parsed["obligations"] = _parse_obligations(
            files.obligations,
            {s["iso3"] for s in parsed["states"]} | set(State.objects.values_list("iso3", flat=True)),
        )
    except ImportErrors as exc:
        errors.extend(exc.messages)
    if errors:
        raise ImportErrors(errors)

    counts = {name: Counts() for name in parsed}
    with transaction.atomic():
        states = {}
        for values in parsed["states"]:
            iso3 = values.pop("iso3")
            states[iso3] = _upsert(State, {"iso3": iso3}, values, counts["states"])
        meetings = {}
        for values in parsed["meetings"]:
            code = values.pop("code")
            meetings[code] = _upsert(Meeting, {"code": code}, values, counts["meetings"])
        for values in parsed["organisations"]:
            name = values.pop("name")
            _upsert(Organisation, {"name": name}, values, counts["organisations"])
        for values in parsed["obligations"]:
            state = states.get(values["iso3"]) or State.objects.get(iso3=values["iso3"])
            code = values["meeting"]
            meeting = (meetings.get(code) or Meeting.objects.filter(code=code).first()) if code else None
            _upsert(
                ObligationFact,
                {"state": state, "article": values["article"], "kind": values["kind"], "date": values["date"]},
                {
                    "meeting": meeting,
                    # The code as the source gives it, kept only while the meeting is not in the list.
                    "meeting_code": "" if meeting else code,
                    "new_deadline": values["new_deadline"],
                    "source": values["source"],
                },
                counts["obligations"],
            )
    return counts
