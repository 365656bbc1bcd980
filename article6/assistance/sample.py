"""Fictional sample needs, offers, commitments and matches for the demonstration: about
40 needs of 12 affected States over every pillar, 25 offers, 60 commitments with their
amounts over 2019-2026, some needs covered, some partly, some open, some records for
signed-in readers or restricted, and matches in every state. Every record is flagged
`is_sample` and its title says "(sample)"; amounts are in US dollars, so that no exchange
rate has to be made up. The States are real; what is said of them here is not. The
records are computed from their position in fixed lists (no randomness), so loading
twice changes nothing."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from article6.accounts.models import Visibility
from article6.accounts.sample import SAMPLE_DOMAIN
from article6.assistance import matching, queries
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
from article6.treaty.models import Pillar

# The ten States Parties the reference data lists as contaminated (Art. 4) that are not
# donors themselves, and two States Parties with cluster munition survivors (Art. 5).
RECIPIENTS = ["LAO", "LBN", "IRQ", "AFG", "BIH", "TCD", "SOM", "CHL", "HRV", "MNE", "ALB", "GNB"]
DONOR_STATES = ["NOR", "DEU", "GBR", "CHE", "AUS", "JPN", "NLD", "IRL", "NZL", "FRA", "CAN"]
DONOR_ORGANISATIONS = [
    "Fictional Demining Trust (sample)",
    "Example Survivors Network (sample)",
    "Sample Regional Cooperation Forum (sample)",
]
FIRST_YEAR, LAST_YEAR = 2019, 2026
TRUST_FUND = "Fictional Mine Action Trust Fund (sample)"

# Per pillar: the need's title and description, its modality, what its quantity counts,
# the quantity and the amount (US dollars) of a typical need, and an offer's title.
PURPOSES = {
    Pillar.CLEARANCE: (
        "Clearance of cluster munition remnants in the northern provinces",
        "Technical survey, clearance and release of land to farming communities.",
        Modality.FINANCIAL,
        "m2",
        2_000_000,
        600_000,
        "Funding for survey and clearance",
    ),
    Pillar.STOCKPILE_DESTRUCTION: (
        "Destruction of the remaining stockpile",
        "Transport, demilitarisation equipment and environmental safeguards for the destruction.",
        Modality.MATERIAL,
        "munitions",
        800,
        250_000,
        "Demilitarisation equipment and technicians",
    ),
    Pillar.RISK_REDUCTION_EDUCATION: (
        "Risk education for communities near contaminated land",
        "Trained community volunteers, school sessions and printed materials on the risks of remnants.",
        Modality.TECHNICAL,
        "people",
        20_000,
        120_000,
        "Risk education trainers",
    ),
    Pillar.VICTIM_ASSISTANCE: (
        "Rehabilitation and inclusion of survivors",
        "Physical rehabilitation, prosthetics, psychosocial support and vocational training for survivors.",
        Modality.FINANCIAL,
        "survivors",
        250,
        300_000,
        "Support to survivors and their families",
    ),
    Pillar.ECONOMIC_SOCIAL_RECOVERY: (
        "Livelihoods on released land",
        "Seeds, tools and small grants so that families farm the land released after clearance.",
        Modality.FINANCIAL,
        "people",
        1_500,
        200_000,
        "Grants for recovery after clearance",
    ),
    Pillar.SURVEYS_NATIONAL_PLANS: (
        "National survey of contamination and a costed completion plan",
        "Non-technical survey to establish the nature and extent of contamination, and a plan of the "
        "resources and the time needed to complete clearance.",
        Modality.TECHNICAL,
        "expert_months",
        18,
        180_000,
        "Survey experts and planning support",
    ),
    Pillar.NATIONAL_IMPLEMENTATION: (
        "Drafting of national implementation legislation",
        "Legal advice on the measures of Article 9 and a review of the draft law.",
        Modality.TECHNICAL,
        "expert_months",
        6,
        40_000,
        "Legal advice on national implementation",
    ),
    Pillar.TRANSPARENCY_REPORTING: (
        "Preparation of the Article 7 transparency reports",
        "Training of the national contact point to collect the figures and complete forms A to J.",
        Modality.TECHNICAL,
        "expert_months",
        3,
        15_000,
        "Help with transparency reports",
    ),
    Pillar.UNIVERSALIZATION: (
        "Regional workshop on joining the Convention",
        "A workshop for officials of neighbouring States on the benefits of joining the Convention.",
        Modality.FINANCIAL,
        "people",
        60,
        50_000,
        "Support to regional outreach",
    ),
    Pillar.COOPERATION: (
        "Country Coalition meeting with partners",
        "A yearly meeting of the State, its donors and operators to agree on priorities.",
        Modality.FINANCIAL,
        "people",
        40,
        30_000,
        "Facilitation of Country Coalitions",
    ),
}
PILLARS = list(PURPOSES)
NEED_COUNT, OFFER_COUNT, COMMITMENT_COUNT = 40, 25, 60
KINDS = {Modality.FINANCIAL: "funding", Modality.MATERIAL: "equipment", Modality.TECHNICAL: "experts"}


def _visibility(i: int, every: int) -> str:
    return {3: Visibility.SIGNED_IN, 6: Visibility.RESTRICTED}.get(i % every, Visibility.PUBLIC)


def _split(amount: int, years: range) -> dict[int, Decimal]:
    """The amount over the years, in whole thousands, the remainder in the last year."""
    share = amount // len(years) // 1000 * 1000
    split = {year: Decimal(share) for year in years}
    split[years[-1]] += Decimal(amount - share * len(years))
    return split


def need_specs() -> list[dict]:
    """The 40 sample needs: need i is of State i mod 12 and pillar i mod 10 (so a State
    never has two needs of one pillar), its period starts in 2019-2026."""
    specs = []
    for i in range(NEED_COUNT):
        pillar = PILLARS[i % len(PILLARS)]
        title, description, modality, unit, quantity, amount, _offer = PURPOSES[pillar]
        amount = amount * (2 + i % 4) // 2 // 1000 * 1000
        start = FIRST_YEAR + (i * 5) % (LAST_YEAR - FIRST_YEAR + 1)
        years = range(start, start + 1 + i % 3)
        with_amount = not (modality == Modality.TECHNICAL and i % 7 == 5)
        specs.append(
            {
                "state": RECIPIENTS[i % len(RECIPIENTS)],
                "title": f"{title} (sample)",
                "description": f"Fictional sample: {description}",
                "pillar": pillar,
                "modality": modality,
                "quantity": Decimal(quantity * (1 + i % 3)),
                "quantity_unit": unit,
                "amount": Decimal(amount) if with_amount else None,
                "yearly": _split(amount, years) if with_amount and len(years) > 1 else {},
                "start_year": years[0],
                "end_year": years[-1],
                "priority": ("high", "medium", "low")[i % 3],
                "urgent": i % 9 == 4,
                "visibility": _visibility(i, 8),
                "languages": ["en", "fr"] if i % 2 else ["en"],
                "national_plan": "National mine action strategy (fictional, for the sample)" if i % 4 == 0 else "",
                # Needs 0, 3, 6, ... are covered in full, 1, 4, 7, ... in part, the others open.
                "coverage": (Decimal(1), Decimal("0.5"), Decimal(0))[i % 3] if with_amount else Decimal(0),
            }
        )
    return specs


def offer_specs() -> list[dict]:
    """The 25 sample offers, offer k of donor k mod 14 and pillar k mod 10 (and the next one)."""
    donors = [("state", code) for code in DONOR_STATES] + [("organisation", name) for name in DONOR_ORGANISATIONS]
    specs = []
    for k in range(OFFER_COUNT):
        pillar, second = PILLARS[k % len(PILLARS)], PILLARS[(k + 3) % len(PILLARS)]
        modality = PURPOSES[pillar][2]
        funding = modality == Modality.FINANCIAL
        specs.append(
            {
                "provider": donors[k % len(donors)],
                "title": f"{PURPOSES[pillar][6]} (sample)",
                "description": "Fictional sample: what the provider can give, for whom and when.",
                "pillars": [pillar] if k % 2 else [pillar, second],
                "modalities": [modality] if k % 3 else [modality, Modality.TECHNICAL] if funding else [modality],
                "kinds": [KINDS[modality]] + (["training"] if k % 4 == 1 else []),
                "regions": [("Asia", "Middle East", "Africa", "Europe", "Americas")[k % 5]] if k % 3 != 2 else [],
                "states": [RECIPIENTS[(k * 5) % len(RECIPIENTS)]] if k % 2 == 0 else [],
                "languages": ["en", "fr"] if k % 2 else ["en", "ar"],
                "amount_per_year": Decimal(PURPOSES[pillar][5] // 2) if funding else None,
                "start_year": FIRST_YEAR + (k * 3) % 6,
                "end_year": min(FIRST_YEAR + (k * 3) % 6 + 3 + k % 3, 2028),
                "urgent": k % 6 == 2,
                "is_active": k % 9 != 8,
                "visibility": _visibility(k, 7),
            }
        )
    return specs


def _flows(total: int, first: int, last: int, j: int) -> list[tuple[str, int, Decimal]]:
    """Committed in full the first year; disbursed year by year (half of it in 2026, the
    current year); expended the year after disbursement; some receipts confirmed."""
    years = range(first, last + 1)
    flows = [("committed", first, Decimal(total))]
    for year, amount in _split(total, years).items():
        disbursed = amount / 2 if year == LAST_YEAR else amount
        flows.append(("disbursed", year, disbursed))
        if year < LAST_YEAR:
            flows.append(("expended", year, (disbursed * Decimal("0.9")).quantize(Decimal(1))))
        if j % 5 == 0:
            flows.append(("received", year, disbursed - (1000 if year == first else 0)))
    return flows


def commitment_specs(needs: list[dict]) -> list[dict]:
    """The 60 sample commitments: the first ones cover the needs meant to be covered (one
    or two commitments each), the others fund States without naming a need."""
    donors = [("state", code) for code in DONOR_STATES] + [("organisation", name) for name in DONOR_ORGANISATIONS]
    links = []
    for i, need in enumerate(needs):
        if need["coverage"]:
            towards = int(need["amount"] * need["coverage"])
            parts = [towards] if i % 2 else [towards // 2, towards - towards // 2]
            links += [(i, part) for part in parts]
    specs = []
    for j in range(COMMITMENT_COUNT):
        provider = donors[(j * 3) % len(donors)]
        if j < len(links):
            i, towards = links[j]
            need = needs[i]
            recipient, pillars, total = need["state"], {need["pillar"]: 100}, towards + (j % 3) * 10_000
            first = max(FIRST_YEAR, min(need["start_year"], LAST_YEAR))
        else:
            i, towards = None, None
            recipient = RECIPIENTS[j % len(RECIPIENTS)]
            pillars = {PILLARS[j % 4]: 70, PILLARS[(j + 1) % 4 + 4]: 30}
            total = 50_000 + (j % 7) * 25_000
            first = FIRST_YEAR + (j * 3) % (LAST_YEAR - FIRST_YEAR + 1)
        last = min(first + j % 3, LAST_YEAR)
        channel = (
            (Channel.BILATERAL, Channel.NGO, Channel.UN, Channel.TRUST_FUND)[j % 4]
            if provider[0] == "state"
            else (Channel.REGIONAL if provider[1].startswith("Sample Regional") else Channel.NGO)
        )
        partner = {
            Channel.NGO: "Fictional Demining Trust (sample)",
            Channel.UN: "A United Nations mine action programme (fictional, for the sample)",
            Channel.TRUST_FUND: TRUST_FUND,
        }.get(channel, "")
        specs.append(
            {
                "source": f"sample:{j:02d}",
                "provider": provider,
                "recipient": recipient,
                "title": f"{PURPOSES[next(iter(pillars))][0]}: {'support' if i is None else 'response'} (sample)",
                "description": "Fictional sample commitment.",
                "channel": channel,
                "implementing_partner": partner,
                "cluster_munition_specific": j % 3 != 2,
                "visibility": {7: Visibility.RESTRICTED, 9: Visibility.SIGNED_IN}.get(j % 10, Visibility.PUBLIC),
                "pillars": pillars,
                "flows": _flows(total, first, last, j),
                "need": i,
                "towards": towards,
            }
        )
    return specs


# The matches: (need, offer, State's answer, provider's answer, note); the first is accepted
# by both and recorded as the Norwegian commitment; one is declined with the reason.
MATCHES = [
    (0, 0, "accepted", "accepted", ""),
    (1, 1, "pending", "pending", ""),
    (4, 4, "accepted", "pending", ""),
    (7, 7, "pending", "accepted", ""),
    (10, 10, "declined", "pending", "Fictional sample: the State has already agreed this work with another partner."),
    (13, 13, "pending", "pending", ""),
]


def _provider(key: tuple[str, str], states: dict, organisations: dict) -> dict:
    kind, name = key
    if kind == "state":
        return {"provider_state_id": states[name].pk, "provider_organisation_id": None}
    return {"provider_state_id": None, "provider_organisation_id": organisations[name].pk}


def _publisher(key: tuple[str, str], users: dict):
    if key == ("state", "NOR"):
        return users["norway.partner"]
    if key == ("organisation", DONOR_ORGANISATIONS[0]):
        return users["ngo.partner"]
    return users["isu"]


def _sync(model, key: tuple[str, ...], rows: list[dict], user, others: Q | None = None) -> tuple[list, int]:
    """The sample records of `model` as `rows` say (field attnames → values), found by
    `key`: those missing created at once, those that differ changed, each with its history
    row; sample records of an earlier version of these lists go, except `others` (those
    filed another way). Returns the records in the order of `rows` and how many were created."""
    stored = {tuple(getattr(r, f) for f in key): r for r in model.objects.filter(is_sample=True)}
    records, missing = [], []
    for values in rows:
        record = stored.get(tuple(values[f] for f in key))
        if record is None:
            record = model(**values, is_sample=True)
            missing.append(record)
        elif any(getattr(record, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            record._history_user = user
            record.save()
        records.append(record)
    if missing:
        bulk_create_with_history(missing, model, default_user=user)
    kept = [r.pk for r in records]
    earlier = model.objects.filter(is_sample=True).exclude(pk__in=kept)
    (earlier.exclude(others) if others is not None else earlier).delete()
    return records, len(missing)


def _sync_parts(model, parent: str, wanted: dict[int, list[dict]], user) -> None:
    """The rows of `model` under each parent (`parent` is the attname of its key) as
    `wanted` says: a parent whose rows differ has them replaced, with history rows."""
    fields = sorted({name for rows in wanted.values() for values in rows for name in values})
    stored: dict[int, list] = {pk: [] for pk in wanted}
    for row in model.objects.filter(**{f"{parent}__in": list(wanted)}):
        stored[getattr(row, parent)].append(row)
    stale, fresh = [], []
    for pk, rows in wanted.items():
        have = sorted(tuple(getattr(r, f) for f in fields) for r in stored[pk])
        if have != sorted(tuple(values.get(f) for f in fields) for values in rows):
            stale += [r.pk for r in stored[pk]]
            fresh += [model(**{parent: pk}, **values) for values in rows]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    if fresh:
        bulk_create_with_history(fresh, model, default_user=user)


@transaction.atomic
@queries.figures_once()
def load_assistance_sample() -> int:
    """Create or refresh the sample needs, offers, commitments and matches. Needs the
    sample accounts and organisations. Returns how many records were created."""
    states = {s.iso3: s for s in State.objects.filter(iso3__in=RECIPIENTS + DONOR_STATES)}
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=DONOR_ORGANISATIONS)}
    names = ("isu", "lao.focal", "lebanon.focal", "norway.partner", "ngo.partner", "coordinator")
    found = {u.email.split("@")[0]: u for u in get_user_model().objects.filter(email__endswith=f"@{SAMPLE_DOMAIN}")}
    users = {name: found.get(name) or found.get("isu") for name in names}
    isu = users["isu"]
    filers = {"LAO": users["lao.focal"], "LBN": users["lebanon.focal"]}

    specs = need_specs()
    rows = [
        {
            **{k: v for k, v in spec.items() if k not in ("state", "yearly", "coverage")},
            "state_id": states[spec["state"]].pk,
            "currency": "USD" if spec["amount"] else "",
            "created_by_id": filers.get(spec["state"], isu).pk,
        }
        for spec in specs
    ]
    # The needs filed from the sample transparency report are the report's, not this list's.
    needs, created = _sync(Need, ("state_id", "title"), rows, isu, others=Q(reported_in__isnull=False))
    yearly = {n.pk: [{"year": y, "amount": a} for y, a in spec["yearly"].items()] for n, spec in zip(needs, specs)}  # noqa: B905
    _sync_parts(NeedYear, "need_id", yearly, isu)

    offer_rows = offer_specs()
    rows = [
        {
            **{k: v for k, v in spec.items() if k not in ("provider", "states")},
            **_provider(spec["provider"], states, organisations),
            "currency": "USD" if spec["amount_per_year"] else "",
            "created_by_id": _publisher(spec["provider"], users).pk,
        }
        for spec in offer_rows
    ]
    offers, count = _sync(Offer, ("provider_state_id", "provider_organisation_id", "title"), rows, isu)
    created += count
    interest = defaultdict(set)
    for link in Offer.states.through.objects.filter(offer__in=offers):
        interest[link.offer_id].add(link.state_id)
    for offer, spec in zip(offers, offer_rows, strict=True):
        wanted = {states[code].pk for code in spec["states"]}
        if interest[offer.pk] != wanted:
            offer.states.set(wanted)

    commitment_rows = commitment_specs(specs)
    rows = [
        {
            **{k: spec[k] for k in ("source", "title", "description", "channel", "implementing_partner")},
            **{k: spec[k] for k in ("visibility", "cluster_munition_specific")},
            **_provider(spec["provider"], states, organisations),
            "recipient_id": states[spec["recipient"]].pk,
            "currency": "USD",
            "created_by_id": _publisher(spec["provider"], users).pk,
        }
        for spec in commitment_rows
    ]
    commitments, count = _sync(Commitment, ("source",), rows, isu)
    created += count
    pairs = list(zip(commitments, commitment_rows, strict=True))
    shares = {c.pk: [{"pillar": p, "share": Decimal(v)} for p, v in spec["pillars"].items()] for c, spec in pairs}
    _sync_parts(CommitmentPillar, "commitment_id", shares, isu)
    flows = {
        c.pk: [
            {"kind": kind, "year": year, "amount": amount, "source_key": f"sample:{kind}:{year}"}
            for kind, year, amount in spec["flows"]
        ]
        for c, spec in pairs
    }
    _sync_parts(Flow, "commitment_id", flows, isu)
    links = {
        c.pk: [{"need_id": needs[spec["need"]].pk, "amount": Decimal(spec["towards"])}]
        if spec["need"] is not None
        else []
        for c, spec in pairs
    }
    _sync_parts(CommitmentNeed, "commitment_id", links, isu)

    for n, o, need_side, offer_side, note in MATCHES:
        need, offer = needs[n], offers[o]
        scored = matching.pair_explain(need, offer)
        declined = "declined" in (need_side, offer_side)
        Match.objects.update_or_create(
            need=need,
            offer=offer,
            defaults={
                "score": round(scored.score, 2),
                "possible": scored.possible,
                "declined_on": timezone.now() if declined else None,
                "reasons": [r.as_json() for r in scored.reasons],
                "note": "Fictional sample match.",
                "proposed_by": users["coordinator"],
                "need_side": need_side,
                "need_note": note if need_side == "declined" else "",
                "offer_side": offer_side,
                "commitment": commitments[0] if (need_side, offer_side) == ("accepted", "accepted") else None,
            },
        )
    # The bulk writes send no signal: every sample figure is computed here, in this transaction.
    queries.refresh_figures(
        [n.pk for n in needs], Commitment.objects.filter(is_sample=True).values_list("pk", flat=True)
    )
    return created


@transaction.atomic
@queries.figures_once()
def remove_assistance_sample() -> int:
    total = 0
    for model in (Match, Commitment, Offer, Need):
        if model is Match:
            deleted, _ = Match.objects.filter(Q(need__is_sample=True) | Q(offer__is_sample=True)).delete()
        else:
            deleted, _ = model.objects.filter(is_sample=True).delete()
        total += deleted
    return total
