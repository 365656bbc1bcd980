"""Fictional sample data for demonstrations, always flagged `is_sample` in the
data and announced by a banner on every page while any of it is loaded."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from article6.states.models import Organisation, OrganisationKind, State
from article6.treaty.models import FormerUse

SAMPLE_CACHE_KEY = "article6:sample-data-loaded"

# Invented organisations: no real body is meant, and their names say so.
SAMPLE_ORGANISATIONS = [
    {
        "name": "Fictional Demining Trust (sample)",
        "acronym": "FDT",
        "kind": OrganisationKind.NGO,
        "headquarters": "(fictional)",
    },
    {
        "name": "Example Survivors Network (sample)",
        "acronym": "ESN",
        "kind": OrganisationKind.NGO,
        "headquarters": "(fictional)",
    },
    {
        "name": "Sample Regional Cooperation Forum (sample)",
        "acronym": "SRCF",
        "kind": OrganisationKind.REGIONAL,
        "headquarters": "(fictional)",
    },
]


# One Art. 4(4) record (treaty.FormerUse), invented: Japan is not known to have used cluster
# munitions in Chile. It shows how a declaration appears on both States' profiles and in the
# suggestions, where Japan's sample offer for Country Coalitions in the Americas fits Chile's
# open sample need for a Country Coalition meeting (assistance/sample.py). Real records are
# entered by ISU, each with its source; there is no reference file of them.
SAMPLE_FORMER_USE = {
    "used_by": "JPN",
    "used_in": "CHL",
    "source": "Fictional sample data, for demonstration",
    "note": "Fictional: no such use is recorded. This record only shows how an Art. 4(4) declaration appears.",
}


def sample_data_loaded() -> bool:
    loaded = cache.get(SAMPLE_CACHE_KEY)
    if loaded is None:
        loaded = Organisation.objects.filter(is_sample=True).exists()
        cache.set(SAMPLE_CACHE_KEY, loaded, 60)
    return loaded


@transaction.atomic
def load_sample() -> int:
    """Create or refresh the sample records; returns how many were created."""
    created = 0
    for values in SAMPLE_ORGANISATIONS:
        values = dict(values)
        name = values.pop("name")
        _, was_created = Organisation.objects.update_or_create(
            name=name,
            defaults={**values, "is_sample": True, "source": "Fictional sample data for demonstration"},
        )
        created += was_created
    created += _load_sample_former_use()
    cache.delete(SAMPLE_CACHE_KEY)
    return created


def _load_sample_former_use() -> int:
    """The sample's one Art. 4(4) record, when both States are loaded; 1 if it was created."""
    values = dict(SAMPLE_FORMER_USE)
    states = {s.iso3: s for s in State.objects.filter(iso3__in=[values["used_by"], values["used_in"]])}
    if len(states) < 2:
        return 0
    used_by, used_in = states[values.pop("used_by")], states[values.pop("used_in")]
    # Only a sample record is refreshed; one ISU entered for the same States is left as it is.
    found = FormerUse.objects.filter(used_by=used_by, used_in=used_in).first()
    if found is not None:
        if found.is_sample and any(getattr(found, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(found, name, value)
            found.save()
        return 0
    FormerUse.objects.create(used_by=used_by, used_in=used_in, is_sample=True, **values)
    return 1


@transaction.atomic
def remove_sample() -> int:
    deleted, _ = Organisation.objects.filter(is_sample=True).delete()
    deleted += FormerUse.objects.filter(is_sample=True).delete()[0]
    cache.delete(SAMPLE_CACHE_KEY)
    return deleted
