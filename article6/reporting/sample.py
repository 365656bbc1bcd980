"""A fictional sample transparency report for the demonstration: Lao PDR's annual update
for 2025, filed, submitted and published through the same services as a real one, by
the sample accounts. The report is flagged `is_sample` and its form J says it is
fictional; every figure, place name and type of munition in it is invented. The State is
real; what is said of it here is not."""

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


def _user(local_part: str):
    return get_user_model().objects.filter(email=f"{local_part}@{SAMPLE_DOMAIN}", is_active=True).first()


def sample_content() -> dict:
    content = services.empty_content()
    content["report_date"] = REPORT_DATE
    for form in Form.values:
        content["sections"][form] = {"status": FormStatus.CHANGED, "unchanged_since": None, "text": TEXTS[form]}
    content["tables"] = {key: [dict(row) for row in rows] for key, rows in TABLES.items()}
    return content


@transaction.atomic
def load_reporting_sample() -> int:
    """Create the sample report unless it is there (or a real report of that period is);
    needs the sample accounts. Returns how many reports were created."""
    state = State.objects.filter(iso3=SAMPLE_STATE).first()
    focal_point, isu = _user("lao.focal"), _user("isu")
    if state is None or focal_point is None or isu is None:
        return 0
    if Report.objects.filter(state=state, kind=ReportKind.ANNUAL, year=SAMPLE_YEAR).exists():
        return 0  # loaded before, or a real report of the period: never overwritten
    report = services.start_report(focal_point, state, ReportKind.ANNUAL, SAMPLE_YEAR)
    Report.objects.filter(pk=report.pk).update(is_sample=True)
    report = services.save_content(focal_point, report, sample_content())
    report = services.submit(focal_point, report, today=SUBMITTED_ON)
    services.publish(isu, report, today=PUBLISHED_ON)
    return 1


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
