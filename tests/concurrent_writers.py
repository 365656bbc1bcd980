"""Several people saving at the same moment, on the database of DATABASE_URL: run by
tests/test_concurrent_writes.py in a process of its own, on a database file (SQLite) or a
database of its own (PostgreSQL), never the suite's in-memory one, where every thread
shares one connection and nothing would contend.

`python concurrent_writers.py WRITERS ROUNDS` migrates the database, loads the reference
data and one person per role, starts WRITERS threads (each with its own connection) that
wait for one another and then each save ROUNDS times, mixing a report's autosave, filing a
need and recording a commitment, and prints as JSON every error and what was stored."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "article6.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from article6.assistance import services as assistance  # noqa: E402
from article6.assistance.models import Commitment, Need  # noqa: E402
from article6.reporting import services as reporting  # noqa: E402
from article6.reporting.models import Report  # noqa: E402
from article6.states.models import State  # noqa: E402
from article6.states.reference import load_reference  # noqa: E402


def main(writers: int, rounds: int) -> dict:
    call_command("migrate", verbosity=0)
    load_reference(today=dt.date(2026, 11, 22))
    from people import everyone

    people = everyone()
    lao, nor = State.objects.get(iso3="LAO"), State.objects.get(iso3="NOR")
    focal_point, partner = people["lao_focal_point"], people["norway_partner"]
    report = reporting.start_report(focal_point, lao, "annual", 2025)
    start = threading.Barrier(writers)
    errors: list[str] = []
    saved = {"autosave": 0, "need": 0, "commitment": 0}
    lock = threading.Lock()

    def autosave(i: int, r: int) -> None:
        content = reporting.empty_content()
        content["sections"]["A"]["text"] = f"Saved by writer {i}, round {r}."
        reporting.save_content(focal_point, Report.objects.get(pk=report.pk), content)

    def file_need(i: int, r: int) -> None:
        need = Need(
            state=lao,
            title=f"Need of writer {i}, round {r}",
            description="Filed while others save.",
            pillar="clearance",
            modality="financial",
            amount=Decimal("1000"),
            currency="USD",
            start_year=2026,
            end_year=2026,
        )
        assistance.save_need(focal_point, need, {2026: Decimal("1000")})

    def record_commitment(i: int, r: int) -> None:
        commitment = Commitment(
            provider_state=nor,
            recipient=lao,
            title=f"Commitment of writer {i}, round {r}",
            channel="bilateral",
            currency="USD",
        )
        assistance.save_commitment(
            partner,
            commitment,
            pillar_shares={"clearance": Decimal(100)},
            amounts=[assistance.Amount("committed", 2026, Decimal("500"))],
        )

    writes = [("autosave", autosave), ("need", file_need), ("commitment", record_commitment)]

    def writer(i: int) -> None:
        try:
            start.wait()
            for r in range(rounds):
                name, write = writes[(i + r) % len(writes)]
                try:
                    write(i, r)
                except Exception as error:  # every failure is counted, and the writer goes on
                    with lock:
                        errors.append(f"{name} by writer {i}, round {r}: {error!r}")
                else:
                    with lock:
                        saved[name] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = {
        "autosave": Report.history.filter(id=report.pk, history_type="~").count(),
        "need": Need.objects.filter(title__startswith="Need of writer").count(),
        "commitment": Commitment.objects.filter(title__startswith="Commitment of writer").count(),
    }
    return {
        "vendor": connections["default"].vendor,
        "errors": errors,
        "saved": saved,
        "stored": stored,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
