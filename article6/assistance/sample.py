"""Fictional sample needs, offers and commitments for the demonstration. Every record is
flagged `is_sample`, every title says "(sample)", and all amounts are in US dollars so
that no exchange rate has to be made up. The States are real; what is said of them here
is not."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from article6.accounts.sample import SAMPLE_DOMAIN
from article6.assistance import queries
from article6.assistance.models import (
    Channel,
    Commitment,
    CommitmentNeed,
    CommitmentPillar,
    Flow,
    Match,
    Modality,
    Need,
    NeedYear,
    Offer,
)
from article6.states.models import Organisation, State

NEEDS = [
    {
        "state": "LAO",
        "title": "Survey and clearance of cluster munition remnants in two districts (sample)",
        "description": "Fictional sample: technical survey and clearance of confirmed hazardous areas, "
        "with land release to farming communities.",
        "pillar": "clearance",
        "modality": Modality.FINANCIAL,
        "quantity": Decimal("4500000"),
        "quantity_unit": "m2",
        "amount": Decimal("1200000"),
        "yearly": {2026: Decimal("400000"), 2027: Decimal("400000"), 2028: Decimal("400000")},
        "national_plan": "National mine action strategy (fictional reference for the sample)",
        "national_resources": Decimal("150000"),
        "languages": ["en", "fr"],
        "priority": "high",
    },
    {
        "state": "LBN",
        "title": "Rehabilitation services for cluster munition survivors (sample)",
        "description": "Fictional sample: physical rehabilitation, prosthetics and psychosocial support "
        "for survivors in the south.",
        "pillar": "victim_assistance",
        "modality": Modality.FINANCIAL,
        "quantity": Decimal("300"),
        "quantity_unit": "survivors",
        "amount": Decimal("450000"),
        "yearly": {2026: Decimal("250000"), 2027: Decimal("200000")},
        "languages": ["ar", "fr", "en"],
        "priority": "high",
    },
    {
        "state": "LAO",
        "title": "Risk reduction education in schools (sample)",
        "description": "Fictional sample: training of teachers and school materials on the risks of "
        "cluster munition remnants.",
        "pillar": "risk_reduction_education",
        "modality": Modality.TECHNICAL,
        "quantity": Decimal("24"),
        "quantity_unit": "expert_months",
        "amount": None,
        "languages": ["en"],
        "priority": "medium",
    },
]

OFFERS = [
    {
        "provider_state": "NOR",
        "title": "Funding for clearance and survey in Asia and the Middle East (sample)",
        "description": "Fictional sample: multi-year funding for survey, clearance and land release.",
        "pillars": ["clearance", "risk_reduction_education"],
        "modalities": ["financial"],
        "kinds": ["funding"],
        "regions": ["Asia", "Middle East"],
        "states": ["LAO"],
        "languages": ["en", "fr"],
        "amount_per_year": Decimal("500000"),
    },
    {
        "provider_organisation": "Fictional Demining Trust (sample)",
        "title": "Victim assistance and survey experts (sample)",
        "description": "Fictional sample: experts in rehabilitation services and non-technical survey.",
        "pillars": ["victim_assistance", "clearance"],
        "modalities": ["technical"],
        "kinds": ["experts", "training"],
        "regions": ["Middle East"],
        "states": [],
        "languages": ["ar", "en"],
        "amount_per_year": None,
    },
]


def _user(local_part: str):
    return get_user_model().objects.filter(email=f"{local_part}@{SAMPLE_DOMAIN}").first()


@transaction.atomic
def load_assistance_sample() -> int:
    """Create or refresh the sample needs, offers and one commitment (60% of Lao PDR's
    sample clearance need). Needs the sample accounts and organisations. Returns how many
    records were created."""
    created = 0
    states = {s.iso3: s for s in State.objects.filter(iso3__in=["LAO", "LBN", "NOR"])}
    needs = {}
    for values in NEEDS:
        values = dict(values)
        yearly = values.pop("yearly", {})
        state = states[values.pop("state")]
        filer = _user("lao.focal" if state.iso3 == "LAO" else "lebanon.focal")
        need, was_created = Need.objects.update_or_create(
            state=state,
            title=values.pop("title"),
            defaults={
                **values,
                "currency": "USD" if values.get("amount") else "",
                "national_resources_currency": "USD" if values.get("national_resources") else "",
                "start_year": min(yearly) if yearly else 2026,
                "end_year": max(yearly) if yearly else 2027,
                "created_by": filer,
                "is_sample": True,
            },
        )
        created += was_created
        for year, amount in yearly.items():
            NeedYear.objects.update_or_create(need=need, year=year, defaults={"amount": amount})
        needs[need.pillar, state.iso3] = need
    offers = []
    for values in OFFERS:
        values = dict(values)
        interest = values.pop("states")
        provider = {}
        if "provider_state" in values:
            provider["provider_state"] = states[values.pop("provider_state")]
            publisher = _user("norway.partner")
        else:
            provider["provider_organisation"] = Organisation.objects.get(name=values.pop("provider_organisation"))
            publisher = _user("ngo.partner")
        offer, was_created = Offer.objects.update_or_create(
            **provider,
            title=values.pop("title"),
            defaults={
                **values,
                "currency": "USD" if values.get("amount_per_year") else "",
                "start_year": 2026,
                "end_year": 2028,
                "created_by": publisher,
                "is_sample": True,
            },
        )
        offer.states.set([states[i] for i in interest])
        created += was_created
        offers.append(offer)

    clearance = needs["clearance", "LAO"]
    commitment, was_created = Commitment.objects.update_or_create(
        source="sample:NOR-LAO-clearance",
        defaults={
            "provider_state": states["NOR"],
            "recipient": states["LAO"],
            "title": "Clearance in two districts (sample)",
            "description": "Fictional sample commitment answering Lao PDR's sample clearance need.",
            "channel": Channel.NGO,
            "implementing_partner": "Fictional Demining Trust (sample)",
            "currency": "USD",
            "cluster_munition_specific": True,
            "created_by": _user("norway.partner"),
            "is_sample": True,
        },
    )
    created += was_created
    CommitmentPillar.objects.update_or_create(commitment=commitment, pillar="clearance", defaults={"share": 100})
    for kind, year, amount in (
        ("committed", 2026, "360000"),
        ("committed", 2027, "360000"),
        ("disbursed", 2026, "300000"),
        ("received", 2026, "280000"),
    ):
        Flow.objects.update_or_create(
            commitment=commitment,
            kind=kind,
            year=year,
            source_key=f"sample:{kind}:{year}",
            defaults={"amount": Decimal(amount)},
        )
    CommitmentNeed.objects.get_or_create(commitment=commitment, need=clearance)
    coordinator = _user("coordinator")
    if coordinator is not None:
        Match.objects.update_or_create(
            need=clearance,
            offer=offers[0],
            defaults={
                "score": 86.0,
                "reasons": ["Same pillar: clearance", "Lao PDR is among the States of interest"],
                "note": "Fictional sample match.",
                "proposed_by": coordinator,
                "need_side": "accepted",
                "offer_side": "accepted",
                "commitment": commitment,
            },
        )
    queries.refresh_needs([n.pk for n in needs.values()])
    return created


@transaction.atomic
def remove_assistance_sample() -> int:
    total = 0
    for model in (Match, Commitment, Offer, Need):
        if model is Match:
            deleted, _ = Match.objects.filter(need__is_sample=True).delete()
        else:
            deleted, _ = model.objects.filter(is_sample=True).delete()
        total += deleted
    return total
