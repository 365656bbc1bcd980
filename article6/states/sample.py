"""Fictional sample data for demonstrations, always flagged `is_sample` in the
data and announced by a banner on every page while any of it is loaded."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from article6.states.models import Organisation, OrganisationKind

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
    cache.delete(SAMPLE_CACHE_KEY)
    return created


@transaction.atomic
def remove_sample() -> int:
    deleted, _ = Organisation.objects.filter(is_sample=True).delete()
    cache.delete(SAMPLE_CACHE_KEY)
    return deleted
