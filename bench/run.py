"""Benchmarks for the foundation: the Convention's rules and the public pages.

Run with `make bench` (or `.venv/bin/python bench/run.py`). Uses a fresh SQLite
database in a temporary folder with the real reference data, and, to show that
page cost does not grow with the data, the same pages again with 350 extra
(synthetic, never shown) States. Prints milliseconds (median of N runs) and the
SQL queries each page runs. Not part of the test suite.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="article6-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "article6.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from article6.treaty import queries, rules  # noqa: E402


def timed(fn, n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def add_synthetic_states(count: int) -> None:
    """`count` (at most 360) synthetic States with an Art. 4 fact each. Their codes
    start with a digit so that none collides with a real ISO code."""
    from article6.states.models import State
    from article6.treaty.models import ObligationFact

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    State.objects.bulk_create(
        State(
            name=f"Synthetic {i}",
            iso3="9" + alphabet[i // 36 % 36] + alphabet[i % 36],
            iso2=alphabet[26 + i // 36 % 10] + alphabet[i % 36],
            iso_numeric=2000 + i,
            region="Europe",
            deposit_date=dt.date(2011, 1, 1) + dt.timedelta(days=i),
            instrument_kind="R",
        )
        for i in range(count)
    )
    ObligationFact.objects.bulk_create(
        ObligationFact(state=s, article=4, kind="contaminated", date=dt.date(2019, 7, 1), source="synthetic")
        for s in State.objects.filter(name__startswith="Synthetic")
    )


def pages(client: Client, label: str, n: int) -> None:
    urls = [
        "/",
        "/?as_of=2018-11-12",
        "/states/",
        "/states/?region=Africa&sort=-deposit",
        "/states/LAO/",
        "/deadlines/",
        "/deadlines.ics",
        "/api/v1/states?limit=200",
        "/api/v1/membership?by=region",
        "/api/v1/deadlines",
    ]
    print(f"\n{label}")
    print(f"{'page':45} {'median ms':>10} {'queries':>8}")
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        count = len(ctx.captured_queries)
        ms = timed(lambda url=url: client.get(url), n)
        print(f"{url:45} {ms:10.1f} {count:8d}")


def main() -> None:
    n = int(os.environ.get("BENCH_RUNS", "20"))
    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=open(os.devnull, "w"))

    print("The Convention's rules (pure functions)")
    deposits = [dt.date(2010, 1, 1) + dt.timedelta(days=i) for i in range(10_000)]
    ms = timed(lambda: [rules.entry_into_force(d) for d in deposits], 5)
    print(f"entry_into_force x 10,000: {ms:.1f} ms ({ms * 100:.0f} ns per call)")
    as_of = dt.date(2018, 11, 12)
    ms = timed(lambda: queries.membership(as_of), n)
    print(f"membership as of a date (125 States, from the database): {ms:.2f} ms")
    ms = timed(lambda: queries.clocks(as_of), n)
    print(f"clocks for every State (125 States with obligations): {ms:.2f} ms")

    # Keep one connection across requests, as a test does, so that queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    pages(client, "Pages and API with the reference data (125 States)", n)
    add_synthetic_states(350)
    pages(client, "Same pages with 475 States (350 synthetic)", max(3, n // 4))


if __name__ == "__main__":
    main()
