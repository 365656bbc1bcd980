"""Benchmark of the Article 7 reporting figures as the reports grow: the Transparency
page, a State's reports page and the figures API, first with the reports of half the
States Parties, then with every report due since 2011 (synthetic dates, fictional, made
here, never shown); and the plain figures function on its own, uncached. Prints
milliseconds (median) and SQL queries. Not part of the test suite.

Run with `.venv/bin/python bench/reporting.py` (or `make bench`)."""

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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from article6.reporting import queries, rules  # noqa: E402
from article6.reporting.models import Report  # noqa: E402
from article6.states.models import State  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
PAGES = ["/transparency/", "/states/LAO/reports/", "/api/v1/reporting/figures", "/api/v1/states/LAO/reports"]


def add_reports(states, user) -> int:
    """Every report each State owed up to AS_OF, received on a synthetic day around its due date."""
    made = []
    for n, state in enumerate(states):
        for due in rules.reports_due(rules.ReportingState(state.iso3, state.region, state.treaty_dates), AS_OF):
            made.append(
                Report(
                    state=state,
                    kind=due.kind,
                    year=due.year,
                    status="published",
                    historic=True,
                    submitted_on=due.due + dt.timedelta(days=(n * 7) % 60 - 20),
                    created_by=user,
                )
            )
    Report.objects.bulk_create(made)
    return len(made)


def measure(client: Client, label: str, n: int = 5) -> None:
    print(f"\n{label} (queries: the first, uncached request; times: the median of {n} after it)")
    print(f"{'page':<34}{'median ms':>12}{'queries':>9}")
    cache.clear()
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
        print(f"{url:<34}{statistics.median(times):>12.1f}{count[0]:>9}")
    states, submissions = queries.reporting_states(), queries.submissions()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        rules.figures(states, submissions, AS_OF)
        times.append((time.perf_counter() - started) * 1000)
    print(f"{'rules.figures, uncached':<34}{statistics.median(times):>12.1f}{'-':>9}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=open(os.devnull, "w"))
    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-password-not-used")
    client = Client()
    parties = list(State.objects.exclude(deposit_date=None).order_by("iso3"))
    half = parties[::2]
    count = add_reports(half, user)
    measure(client, f"{count:,} reports of {len(half)} States")
    count += add_reports(parties[1::2], user)
    measure(client, f"{count:,} reports of {len(parties)} States")


if __name__ == "__main__":
    main()
