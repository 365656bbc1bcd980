"""Benchmark of the money figures (issue 11): the division and the gap over synthetic needs,
commitments and links (fictional, made here, never shown), and the cost of keeping each need's
stored figures up to date when a record changes. Prints milliseconds (median of 5) and SQL
queries. Not part of the test suite.

Run with `.venv/bin/python bench/money.py`."""

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

from article6.assistance import queries, rules  # noqa: E402
from article6.assistance.models import Commitment, CommitmentNeed, CommitmentPillar, Flow, Need  # noqa: E402
from article6.states.models import State  # noqa: E402

PILLARS = ["clearance", "victim_assistance", "risk_reduction_education", "stockpile_destruction"]


def median_ms(work, n: int = 5) -> tuple[float, int]:
    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        work()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), count[0]


def records(count: int, per_commitment: int):
    """`count` needs and commitments; each commitment linked to `per_commitment` needs of its State."""
    needs = [
        rules.NeedIn(i, f"S{i % 40}", PILLARS[i % 4], "USD", Decimal(100000 + i), 2024 + i % 3, 2026 + i % 3)
        for i in range(count)
    ]
    commitments = [
        rules.CommitmentIn(
            f"c{i}",
            f"S{i % 40}",
            "USD",
            "public",
            {PILLARS[i % 4]: Decimal(60), PILLARS[(i + 1) % 4]: Decimal(40)},
            (
                rules.FlowIn("committed", 2024 + i % 3, Decimal(50000 + i)),
                rules.FlowIn("disbursed", 2025, Decimal(40000)),
            ),
        )
        for i in range(count)
    ]
    links = [
        rules.LinkIn(f"c{i}", (i + 40 * k) % count, None if k % 2 else Decimal(1000))
        for i in range(count)
        for k in range(per_commitment)
    ]
    return needs, commitments, links


def main() -> None:
    print("rules.count: every figure at once (plain function, no database)")
    print(f"{'records':<40}{'median ms':>12}")
    for count, per in ((200, 2), (2000, 2), (2000, 5)):
        needs, commitments, links = records(count, per)
        ms, _ = median_ms(lambda n=needs, c=commitments, lk=links: rules.count(n, c, lk, {}))
        print(f"{f'{count} needs, {count} commitments, {len(links)} links':<40}{ms:>12.1f}")

    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=open(os.devnull, "w"))
    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-password-not-used")
    lao = State.objects.get(iso3="LAO")
    print("\nrefresh_figures: a change to one commitment shared by N needs (with the database)")
    print(f"{'needs sharing the commitment':<40}{'median ms':>12}{'queries':>9}")
    for shared in (2, 20, 200):
        with queries.figures_once():
            needs = [
                Need.objects.create(
                    state=lao,
                    title=f"Synthetic need {i}",
                    description="Synthetic benchmark record",
                    pillar="clearance",
                    modality="financial",
                    amount=Decimal(100000 + i),
                    currency="USD",
                    start_year=2026,
                    end_year=2026,
                    created_by=user,
                )
                for i in range(shared)
            ]
            grant = Commitment.objects.create(
                provider_name="A donor", recipient=lao, title="Synthetic grant", channel="bilateral", currency="USD"
            )
            CommitmentPillar.objects.create(commitment=grant, pillar="clearance", share=100)
            Flow.objects.create(commitment=grant, kind="committed", year=2026, amount=Decimal(1000000))
            for need in needs:
                CommitmentNeed.objects.create(commitment=grant, need=need)
        ms, count = median_ms(lambda g=grant: queries.refresh_figures(commitment_ids=[g.pk]))
        print(f"{shared:<40}{ms:>12.1f}{count:>9}")


if __name__ == "__main__":
    main()
