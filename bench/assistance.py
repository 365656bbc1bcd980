"""Benchmark of the assistance pages and API as the records grow: the needs and
commitments lists, the Funding page (the gap per State, pillar and year) and the API,
with 200 and then 2,000 synthetic needs and commitments (fictional, made here, never
shown). Prints milliseconds (median) and SQL queries. Not part of the test suite.

Run with `.venv/bin/python bench/assistance.py` (or `make bench`)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="article6-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "article6.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from article6.assistance.models import Commitment, CommitmentPillar, Flow, Need, NeedYear  # noqa: E402
from article6.states.models import State  # noqa: E402

PAGES = ["/needs/", "/commitments/", "/funding/", "/api/v1/needs?limit=200", "/api/v1/funding/gap"]
PILLARS = ["clearance", "victim_assistance", "risk_reduction_education", "stockpile_destruction"]


def add_records(count: int, user) -> None:
    states = list(State.objects.exclude(deposit_date=None).order_by("iso3"))
    donors = [s for s in states if s.iso3 in {"NOR", "DEU", "GBR", "FRA", "CHE", "AUS", "JPN", "NZL"}]
    start = Need.objects.count()
    needs = Need.objects.bulk_create(
        Need(
            state=states[i % len(states)],
            title=f"Synthetic need {start + i}",
            description="Synthetic benchmark record",
            pillar=PILLARS[i % 4],
            modality="financial",
            amount=Decimal(100000 + i),
            currency="USD",
            start_year=2024 + i % 3,
            end_year=2026 + i % 3,
            created_by=user,
        )
        for i in range(count)
    )
    NeedYear.objects.bulk_create(
        NeedYear(need=n, year=n.start_year, amount=n.amount) for n in needs if n.start_year == n.end_year
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(
            provider_state=donors[i % len(donors)],
            recipient=states[i % len(states)],
            title=f"Synthetic commitment {start + i}",
            channel="bilateral",
            currency="USD",
            created_by=user,
        )
        for i in range(count)
    )
    CommitmentPillar.objects.bulk_create(
        CommitmentPillar(commitment=c, pillar=PILLARS[i % 4], share=100) for i, c in enumerate(commitments)
    )
    Flow.objects.bulk_create(
        Flow(commitment=c, kind=kind, year=2024 + i % 3, amount=Decimal(50000 + i))
        for i, c in enumerate(commitments)
        for kind in ("committed", "disbursed")
    )


def measure(client: Client, label: str, n: int = 5) -> None:
    print(f"\n{label} (queries: the first, uncached request; times: the median of {n} after it)")
    print(f"{'page':<32}{'median ms':>12}{'queries':>9}")
    for url in PAGES:
        count = [0]

        def counting(execute, sql, params, many, context, count=count):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(n):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{url:<32}{statistics.median(times):>12.1f}{count[0]:>9}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=open(os.devnull, "w"))
    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-password-not-used")
    client = Client()
    add_records(200, user)
    measure(client, "200 needs and 200 commitments")
    add_records(1800, user)
    measure(client, "2,000 needs and 2,000 commitments")


if __name__ == "__main__":
    main()
