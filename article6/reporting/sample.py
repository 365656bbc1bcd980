"""Fictional sample transparency reports for the demonstration: annual updates covering
2021 to 2025 for five affected States (Lao PDR, Lebanon, Iraq, Afghanistan, Chile), with
the figures of forms B (stockpiles) and F (clearance), and Lao PDR's update for 2025 in
full. Filed, submitted and published through the same services as a real report, by
the sample accounts. Each report is flagged `is_sample` and its form J says it is
fictional; every figure, place name and type of munition in them is invented. The States
are real; what is said of them here is not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from article6.accounts.sample import SAMPLE_DOMAIN
from article6.reporting import services
from article6.reporting.models import Form, FormStatus, Report, ReportKind
from article6.states.models import State

SAMPLE_STATE, SAMPLE_YEAR = "LAO", 2025
REPORT_DATE = dt.date(2026, 4, 20)
SUBMITTED_ON = dt.date(2026, 4, 24)  # before 30 April 2026: on time (Art. 7(2))
PUBLISHED_ON = dt.date(2026, 5, 6)

NOTE = "Fictional sample data for demonstration; not information from any State."

TEXTS = {
    Form.A: "Sample: a national law implementing the Convention (fictional reference) was in force "
    "throughout the year; penal sanctions apply under it (Art. 9).",
    Form.B: "Sample: a fictional stockpile of two types, destroyed in part during the year.",
    Form.C: "Sample: technical characteristics of the fictional types listed in form B.",
    Form.D: "Sample: a small number of fictional munitions retained for training in detection and "
    "clearance (Art. 3(6)).",
    Form.E: "Sample: no production facilities (fictional statement).",
    Form.F: "Sample: survey and clearance in two fictional provinces.",
    Form.G: "Sample: risk education sessions in schools and villages of the fictional provinces.",
    Form.H: "Sample: casualties recorded during the year and services for survivors (fictional).",
    Form.I: "Sample: national resources, assistance received, and the challenges and needs for assistance.",
    Form.J: f"{NOTE} Every figure, place and name in this report is invented to show how a report reads.",
}

TABLES = {
    "stockpiles": [
        {"measure": "stockpiled", "munition_type": "Fictional type A (sample)", "munitions": 120, "submunitions": 7200},
        {"measure": "destroyed", "munition_type": "Fictional type A (sample)", "munitions": 80, "submunitions": 4800},
        {"measure": "stockpiled", "munition_type": "Fictional type B (sample)", "munitions": 40, "submunitions": 3600},
    ],
    "retained": [
        {"measure": "retained", "munition_type": "Fictional type A (sample)", "munitions": 5, "submunitions": 300},
        {"measure": "transferred", "munition_type": "Fictional type B (sample)", "munitions": 2, "submunitions": 180},
    ],
    "areas": [
        {
            "area": "Sample province North (fictional)",
            "contaminated_m2": Decimal("2500000"),
            "cleared_m2": Decimal("410000"),
            "remnants_destroyed": 950,
        },
        {
            "area": "Sample province South (fictional)",
            "contaminated_m2": Decimal("1800000"),
            "cleared_m2": Decimal("265000.50"),
            "remnants_destroyed": 610,
        },
    ],
    "casualties": [
        {"sex": "male", "age": "adult", "killed": 2, "injured": 5},
        {"sex": "male", "age": "child", "killed": 1, "injured": 4},
        {"sex": "female", "age": "child", "killed": 0, "injured": 2},
        {"sex": "unknown", "age": "unknown", "killed": 0, "injured": 1},
    ],
    "resources": [
        {"pillar": "clearance", "amount": Decimal("150000"), "currency": "USD"},
        {"pillar": "victim_assistance", "amount": Decimal("40000"), "currency": "USD"},
        {"pillar": "risk_reduction_education", "amount": Decimal("15000"), "currency": "USD"},
    ],
    "assistance": [
        {
            "direction": "received",
            "counterpart": "Norway (sample)",
            "amount": Decimal("300000"),
            "currency": "USD",
            "pillar": "clearance",
            "modality": "financial",
            "channel": "ngo",
        },
        {
            "direction": "received",
            "counterpart": "Fictional Demining Trust (sample)",
            "amount": Decimal("60000"),
            "currency": "USD",
            "pillar": "victim_assistance",
            "modality": "technical",
            "channel": "ngo",
        },
    ],
    "needs": [
        {
            "title": "Clearance of a third sample province (sample)",
            "description": "Fictional sample: technical survey and clearance of confirmed hazardous areas "
            "in a third province.",
            "pillar": "clearance",
            "modality": "financial",
            "amount": Decimal("900000"),
            "currency": "USD",
            "start_year": 2027,
            "end_year": 2029,
        },
        {
            "title": "Prosthetics workshop for survivors (sample)",
            "description": "Fictional sample: experts to set up a prosthetics workshop near the sample provinces.",
            "pillar": "victim_assistance",
            "modality": "technical",
            "amount": None,
            "currency": "",
            "start_year": 2027,
            "end_year": 2028,
        },
    ],
}


# --- Several years of reports for five affected States ---------------------------------------
# Lao PDR (with its 2025 update above), Lebanon, Iraq, Afghanistan and Chile, each with
# annual updates covering 2021 to 2025: forms B (stockpiles and their destruction) and F
# (contaminated areas and clearance) with figures, every other form answered in words.
# Every figure, place name and type of munition is invented; the States are real, what is
# said of them here is not.

SAMPLE_YEARS = range(2021, 2026)
# State: (first fictional area, second, starting stockpile in munitions, submunitions per munition)
SAMPLE_STATES = {
    "LAO": ("Sample province North (fictional)", "Sample province South (fictional)", 400, 60),
    "LBN": ("Sample district East (fictional)", "Sample district South (fictional)", 150, 88),
    "IRQ": ("Sample governorate West (fictional)", "Sample governorate South (fictional)", 900, 40),
    "AFG": ("Sample province Centre (fictional)", "Sample province East (fictional)", 250, 30),
    "CHL": ("Sample training range North (fictional)", "Sample training range South (fictional)", 600, 64),
}
# The day each update came in, after 30 April of the next year for some (late), fictional.
LATE_DAYS = {("LBN", 2022): 21, ("IRQ", 2021): 64, ("IRQ", 2023): 9, ("AFG", 2024): 40, ("CHL", 2021): 2}


def _filed(iso3: str, year: int) -> tuple[dt.date, dt.date]:
    """(submitted, published): on time by a few days, or late by the fictional days above."""
    due = dt.date(year + 1, 4, 30)
    late = LATE_DAYS.get((iso3, year))
    submitted = due + dt.timedelta(days=late) if late else due - dt.timedelta(days=3 + (year + len(iso3)) % 11)
    return submitted, submitted + dt.timedelta(days=12)


def yearly_content(iso3: str, year: int) -> dict:
    """One fictional annual update: forms B and F with figures that move on from year to
    year (the stockpile destroyed little by little, areas cleared), the others in words."""
    north, south, stock, per = SAMPLE_STATES[iso3]
    step = year - SAMPLE_YEARS.start
    content = services.empty_content()
    content["report_date"] = _filed(iso3, year)[0] - dt.timedelta(days=2)
    for form in Form.values:
        content["sections"][form] = {"status": FormStatus.CHANGED, "unchanged_since": None, "text": TEXTS[form]}
    content["sections"][Form.B]["text"] = "Sample: a fictional stockpile of one type, destroyed in part in the year."
    content["sections"][Form.F]["text"] = "Sample: survey and clearance in two fictional areas."
    content["sections"][Form.J]["text"] = f"{NOTE} Every figure, place and name in this report is invented."
    destroyed = stock // 8 + 5 * step
    remaining = max(stock - sum(stock // 8 + 5 * s for s in range(step + 1)), 0)
    content["tables"]["stockpiles"] = [
        {
            "measure": "stockpiled",
            "munition_type": "Fictional type A (sample)",
            "munitions": remaining,
            "submunitions": remaining * per,
        },
        {
            "measure": "destroyed",
            "munition_type": "Fictional type A (sample)",
            "munitions": destroyed,
            "submunitions": destroyed * per,
        },
    ]
    rows = []
    for area, contaminated, base, increase in (
        (north, 2_400_000 + 100_000 * len(iso3), 180_000, 15_000),
        (south, 1_700_000, 120_000, 9_000),
    ):
        cleared_before = sum(base + increase * s for s in range(step))
        cleared = base + increase * step
        rows.append(
            {
                "area": area,
                "contaminated_m2": Decimal(max(contaminated - cleared_before, 0)),
                "cleared_m2": Decimal(cleared),
                "remnants_destroyed": cleared // 400,
            }
        )
    content["tables"]["areas"] = rows
    return content


def _user(local_part: str):
    return get_user_model().objects.filter(email=f"{local_part}@{SAMPLE_DOMAIN}", is_active=True).first()


def sample_content() -> dict:
    content = services.empty_content()
    content["report_date"] = REPORT_DATE
    for form in Form.values:
        content["sections"][form] = {"status": FormStatus.CHANGED, "unchanged_since": None, "text": TEXTS[form]}
    content["tables"] = {key: [dict(row) for row in rows] for key, rows in TABLES.items()}
    return content


FILERS = {"LAO": "lao.focal", "LBN": "lebanon.focal"}  # the others are filed by the sample ISU account


def _file(state, filer, isu, year: int, content: dict, submitted: dt.date, published: dt.date) -> None:
    report = services.start_report(filer, state, ReportKind.ANNUAL, year)
    Report.objects.filter(pk=report.pk).update(is_sample=True)
    report = services.save_content(filer, report, content)
    report = services.submit(filer, report, today=submitted)
    services.publish(isu, report, today=published)


@transaction.atomic
def load_reporting_sample() -> int:
    """Create the sample reports that are not there yet: annual updates covering 2021 to
    2025 for five affected States (SAMPLE_STATES), Lao PDR's for 2025 the full one above.
    A period that already has a report (loaded before, or a real one) is never
    overwritten, so loading twice creates nothing the second time. Needs the sample
    accounts. Returns how many reports were created."""
    isu = _user("isu")
    if isu is None:
        return 0
    states = {s.iso3: s for s in State.objects.filter(iso3__in=SAMPLE_STATES)}
    taken = set(
        Report.objects.filter(state__in=states.values(), kind=ReportKind.ANNUAL, year__in=SAMPLE_YEARS).values_list(
            "state__iso3", "year"
        )
    )
    created = 0
    for iso3, state in sorted(states.items()):
        filer = _user(FILERS[iso3]) if iso3 in FILERS else isu
        if filer is None:
            continue
        for year in SAMPLE_YEARS:
            if (iso3, year) in taken:
                continue
            if (iso3, year) == (SAMPLE_STATE, SAMPLE_YEAR):
                _file(state, filer, isu, year, sample_content(), SUBMITTED_ON, PUBLISHED_ON)
            else:
                _file(state, filer, isu, year, yearly_content(iso3, year), *_filed(iso3, year))
            created += 1
    return created


@transaction.atomic
def remove_reporting_sample() -> int:
    """Remove the sample reports, newest versions first (a correction protects the
    version it corrects). The needs filed from them are sample needs, removed with the
    assistance sample."""
    total = 0
    for report in Report.objects.filter(is_sample=True).order_by("-version"):
        deleted, _ = report.delete()
        total += deleted
    return total
