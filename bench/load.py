"""The load test: `article6 serve` (gunicorn, production settings) on PostgreSQL, driven by
Locust, headless and bounded in time. Not part of the test suite; run by `make bench-load`
(and `make bench`).

    DATABASE_URL=postgres://USER@HOST:PORT/NAME .venv/bin/python bench/load.py \\
        --locust .venv-bench/bin/locust [--seconds 45] [--workers 4]

DATABASE_URL must name a PostgreSQL database: it is DROPPED and made again, then migrated,
with the reference data and the fictional sample; a second database, the same name with
"10" after it, is made the same way and given 10× the sample (bench/scale.py). Both are
left in place after the run, to look at.

Phases, each `--seconds` long, with the trivial view (article6.ops.trivial) among the
URLs read so that each page's time reads as a multiple of it:
  1. 1 client reading the public pages and the API;
  2. 32 clients reading the same;
  3. 16 clients writing: a report's autosave (the online form), filing needs and recording
     commitments (the API with read-write tokens); errors counted, and every write
     acknowledged is looked for in the database afterwards;
  4. and 5. 1 and 32 clients reading, on 10× the sample data.
Before the server starts, each page's SQL queries are counted at 1× and 10× (Django's test
client, caches emptied first). The results are written to bench/RESULTS.md, above its
hand-written notes, which are kept."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
NOTES_MARK = "<!-- Written by hand below this line; bench/load.py keeps it. -->"
TRIVIAL = "/bench/trivial/"

# (name, URL): the public pages, then the API. {need} is a sample need's id.
PAGES = [
    ("trivial view", TRIVIAL),
    ("/", "/"),
    ("/states/", "/states/"),
    ("/states/LAO/", "/states/LAO/"),
    ("/states/LAO/reports/", "/states/LAO/reports/"),
    ("/deadlines/", "/deadlines/"),
    ("/deadlines.ics", "/deadlines.ics"),
    ("/organisations/", "/organisations/"),
    ("/needs/", "/needs/"),
    ("/needs/<id>/", "/needs/{need}/"),
    ("/offers/", "/offers/"),
    ("/commitments/", "/commitments/"),
    ("/funding/", "/funding/"),
    ("/transparency/", "/transparency/"),
    ("/api/v1/states", "/api/v1/states"),
    ("/api/v1/deadlines", "/api/v1/deadlines"),
    ("/api/v1/needs", "/api/v1/needs"),
    ("/api/v1/offers", "/api/v1/offers"),
    ("/api/v1/commitments", "/api/v1/commitments"),
    ("/api/v1/funding", "/api/v1/funding"),
    ("/api/v1/funding/gap", "/api/v1/funding/gap"),
    ("/api/v1/reporting/figures", "/api/v1/reporting/figures"),
]
WRITERS = 16
NEED_TITLE = "Need filed by the load test (fictional)"
COMMITMENT_TITLE = "Commitment recorded by the load test (fictional)"


# --- In a Django process of its own, on one database (python bench/load.py prepare …) ----


def _django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "article6.settings")
    os.environ["ARTICLE6_BENCH_TRIVIAL_VIEW"] = "1"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import django

    django.setup()


def _autosave_form(report) -> tuple[dict, str]:
    """The online form's fields as the edit page fills them, and the name of form A's text."""
    from article6.reporting.forms import ReportEditor

    editor = ReportEditor(report)
    data = {}
    for part in [editor.date_form, *editor.sections.values()]:
        for field in part:
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    for formset in editor.formsets.values():
        for field in formset.management_form:
            data[field.html_name] = str(field.value())
        for form in formset.forms:
            for field in form:
                value = field.value()
                data[field.html_name] = "" if value is None else str(value)
    return data, editor.sections["A"]["text"].html_name


def prepare(scale: int) -> dict:
    """Migrate, load the reference data and the sample (× `scale`), make the writers'
    sessions and tokens, count each page's queries; the plan for Locust, as JSON."""
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from article6.accounts.models import ApiToken, TokenScope
    from article6.accounts.sample import SAMPLE_DOMAIN
    from article6.assistance.models import Need
    from article6.reporting import services as reporting
    from article6.states.models import State

    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    os.environ.setdefault("ARTICLE6_SAMPLE_PASSWORD", secrets.token_urlsafe(16))
    call_command("load-sample", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = {}
    if scale > 1:
        import scale as scaling

        counts = scaling.multiply_assistance(scale)
        counts["reports"] = scaling.multiply_reports(scale)
    users = get_user_model().objects
    focal_point = users.get(email=f"lao.focal@{SAMPLE_DOMAIN}")
    partner = users.get(email=f"norway.partner@{SAMPLE_DOMAIN}")
    lao = State.objects.get(iso3="LAO")
    report = reporting.start_report(focal_point, lao, "annual", 2026)
    form, text_field = _autosave_form(report)
    writers = []
    for i in range(WRITERS):
        client = Client()
        client.force_login(focal_point)
        writers.append(
            {
                "session": client.cookies["sessionid"].value,
                "need_token": ApiToken.issue(focal_point, f"load test {i}", TokenScope.WRITE)[1],
                "commitment_token": ApiToken.issue(partner, f"load test {i}", TokenScope.WRITE)[1],
            }
        )
    need = Need.objects.filter(is_sample=True, visibility="public").order_by("pk").first()
    reads = [(name, url.format(need=need.pk)) for name, url in PAGES]
    queries = {}
    client = Client()
    for name, url in reads:
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(captured)
    # The writers' requests, tried once here so that a broken plan fails before the load.
    check = Client()
    check.force_login(focal_point)
    tried = dict(form, **{text_field: "Tried once before the load."})
    assert check.post(f"/reports/{report.pk}/autosave/", tried).status_code == 200
    assert report.sections.get(form="A").text == "Tried once before the load."
    return {
        "scale": scale,
        "records": counts,
        "reads": reads,
        "queries": queries,
        "writers": writers,
        "report": report.pk,
        "report_edit": f"/reports/{report.pk}/edit/",
        "autosave": f"/reports/{report.pk}/autosave/",
        "autosave_form": form,
        "autosave_text_field": text_field,
        "need": {
            "state": "LAO",
            "title": NEED_TITLE,
            "description": "Filed while others read and write.",
            "pillar": "clearance",
            "modality": "financial",
            "amount": "1000",
            "currency": "USD",
            "start_year": 2026,
            "end_year": 2026,
        },
        "commitment": {
            "provider_state": "NOR",
            "recipient": "LAO",
            "title": COMMITMENT_TITLE,
            "channel": "bilateral",
            "currency": "USD",
            "pillar_shares": {"clearance": "100"},
            "amounts": [{"kind": "committed", "year": 2026, "amount": "500"}],
        },
    }


def stored(report: int) -> dict:
    """What the writers left in the database: their needs, commitments and the report's saves."""
    from article6.assistance.models import Commitment, Need
    from article6.reporting.models import Report

    return {
        "need": Need.objects.filter(title__startswith=NEED_TITLE).count(),
        "commitment": Commitment.objects.filter(title__startswith=COMMITMENT_TITLE).count(),
        "autosave": Report.history.filter(id=report, history_type="~").count(),
    }


# --- The driver -----------------------------------------------------------------------------


def _with_name(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/" + name))


def recreate(database_url: str) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(_with_name(database_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


# One secret key for the run: the writers' sessions, made by `prepare`, are signed with it,
# and the server must read them.
SECRET_KEY = secrets.token_urlsafe(50)


def in_django(command: list[str], database_url: str) -> dict:
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, __file__, *command],
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """`article6 serve` on a database, as in production: DEBUG off, a secret key of its own,
    persistent database connections; the trivial view on."""

    def __init__(self, database_url: str, port: int, workers: int, log: Path):
        self.url = f"http://127.0.0.1:{port}"
        self.workers = workers
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CONN_MAX_AGE": "60",
            "ARTICLE6_BENCH_TRIVIAL_VIEW": "1",
            # The writers' tokens save faster than a person would: the limit is not what is measured.
            "API_TOKEN_WRITES_PER_MINUTE": "1000000",
        }
        env.pop("DEBUG", None)
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "article6"), "serve", "--workers", str(workers), "--port", str(port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=5) as answer:  # noqa: S310 (our own server)
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"article6 serve did not start: see {log}")
            time.sleep(0.5)
        # Every worker imports and warms up before the clock starts, as a server that has run
        # a while: each page a few times per worker, so that each has its templates loaded
        # and its kept figures made (which a worker does once, then every minute or so).
        for _ in range(4 * workers):
            urllib.request.urlopen(self.url + TRIVIAL, timeout=30).read()  # noqa: S310

    def warm(self, reads: list) -> None:
        for _ in range(2 * self.workers):
            for _name, url in reads:
                urllib.request.urlopen(self.url + url, timeout=60).read()  # noqa: S310

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def _percentile(response_times: dict, share: float) -> float:
    """The response time below which `share` of the requests fall, from Locust's histogram."""
    times = sorted((float(ms), count) for ms, count in response_times.items())
    wanted, seen = share * sum(count for _ms, count in times), 0
    for ms, count in times:
        seen += count
        if seen >= wanted:
            return ms
    return times[-1][0] if times else 0.0


def locust(binary: str, plan: Path, user_class: str, clients: int, seconds: int, host: str, out: Path) -> list[dict]:
    """One phase; Locust's own statistics per URL (its final JSON), with p50 and p95."""
    prefix = out / f"{user_class}-{clients}-{plan.stem}"
    with open(f"{prefix}.log", "w") as log:
        done = subprocess.run(  # noqa: S603
            [
                binary,
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--users",
                str(clients),
                "--spawn-rate",
                str(clients),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--host",
                host,
                "--json",
                "--only-summary",
                "--loglevel",
                "WARNING",
                user_class,
            ],
            env={**os.environ, "BENCH_PLAN": str(plan)},
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=False,
        )
    Path(f"{prefix}.json").write_text(done.stdout)
    return [
        {
            "name": entry["name"],
            "requests": entry["num_requests"],
            "errors": entry["num_failures"],
            "p50": _percentile(entry["response_times"], 0.50),
            "p95": _percentile(entry["response_times"], 0.95),
        }
        for entry in json.loads(done.stdout)
    ]


def read_table(title: str, rows: list[dict], target: float, queries: dict) -> list[str]:
    trivial = next(r for r in rows if r["name"] == "trivial view")
    order = {name: i for i, (name, _url) in enumerate(PAGES)}
    lines = [
        f"### {title}",
        "",
        f"Target: p95 ≤ {target:g}× the trivial view's ({trivial['p95']:g} ms). Times in ms.",
        "",
        "| URL | requests | errors | p50 | p95 | p95 / trivial p95 | queries | |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in sorted(rows, key=lambda r: order.get(r["name"], 99)):
        ratio = row["p95"] / trivial["p95"] if trivial["p95"] else float("inf")
        met = ratio <= target and not row["errors"]
        verdict = "" if row["name"] == "trivial view" else ("ok" if met else "**misses**")
        lines.append(
            f"| `{row['name']}` | {row['requests']} | {row['errors']} | {row['p50']:g} | {row['p95']:g} "
            f"| {ratio:.1f}× | {queries.get(row['name'], '')} | {verdict} |"
        )
    return [*lines, ""]


def write_results(args, started, plans, phases, writes, took) -> None:
    one, ten = plans
    lines = [
        "# Load test results",
        "",
        "Written by `bench/load.py` (`make bench-load`, part of `make bench`); regenerated on each run.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; the run took {took / 60:.1f} min.",
        f"- Machine: {os.cpu_count()} cores (shared by the server, its database and Locust).",
        f"- Server: `article6 serve --workers {args.workers}` (gunicorn), DEBUG off, PostgreSQL, "
        "persistent connections (CONN_MAX_AGE=60).",
        f"- Command: `make bench-load` (`bench/load.py --seconds {args.seconds}`), {args.seconds} s a phase.",
        f"- Data: 1× is the reference data and the fictional sample; 10× adds nine copies of the sample's "
        f"needs, offers and commitments and more sample reports ({ten['records']}).",
        "",
        "## Reads",
        "",
    ]
    lines += read_table("1 client, 1× data", phases["read-1"], 3, one["queries"])
    lines += read_table("32 clients, 1× data", phases["read-32"], 5, one["queries"])
    lines += read_table("1 client, 10× data", phases["read10-1"], 3, ten["queries"])
    lines += read_table("32 clients, 10× data", phases["read10-32"], 5, ten["queries"])
    lines += [
        "## Queries per page, 1× and 10× data",
        "",
        "Each page requested once with the caches emptied, Django's test client, anonymous.",
        "",
        "| URL | 1× | 10× | |",
        "|---|---:|---:|---|",
    ]
    for name, _url in PAGES:
        a, b = one["queries"][name], ten["queries"][name]
        lines.append(f"| `{name}` | {a} | {b} | {'same' if a == b else '**differs**'} |")
    lines += [
        "",
        f"## {WRITERS} clients writing, 1× data",
        "",
        "| request | requests | errors | p50 | p95 | stored |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    kinds = {"POST report autosave": "autosave", "POST /api/v1/needs": "need", "POST /api/v1/commitments": "commitment"}
    for row in phases["write-16"]:
        kind = kinds.get(row["name"])
        found = writes["stored"].get(kind, "") if kind else ""
        lines.append(
            f"| `{row['name']}` | {row['requests']} | {row['errors']} | {row['p50']:g} | {row['p95']:g} | {found} |"
        )
    lines += [
        "",
        "Stored: the needs and commitments found in the database with the writers' titles, and the "
        "report's saved versions (each autosave acknowledged saves the report twice: its date, then its "
        "content; and once more when it was started and when it was tried before the load). "
        f"Every write acknowledged is stored: **{'yes' if writes['every_write_stored'] else 'NO'}**.",
        "",
    ]
    notes = ""
    if RESULTS.exists() and NOTES_MARK in RESULTS.read_text():
        notes = RESULTS.read_text().split(NOTES_MARK, 1)[1]
    RESULTS.write_text("\n".join(lines) + "\n" + NOTES_MARK + (notes or "\n"))


def drive(args) -> None:
    started_at = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is dropped and made again).")
    urls = [base, _with_name(base, urlsplit(base).path.lstrip("/") + "10")]
    out = Path(tempfile.mkdtemp(prefix="article6-load-"))
    plans = []
    for url, scale in zip(urls, (1, 10), strict=True):
        print(f"Preparing {scale}× data in {urlsplit(url).path.lstrip('/')} …", flush=True)
        recreate(url)
        plan = in_django(["prepare", str(scale)], url)
        (out / f"plan{scale}.json").write_text(json.dumps(plan))
        plans.append(plan)
    phases = {}
    writes = {}
    for url, scale, runs in (
        (urls[0], 1, [("read-1", "Reader", 1), ("read-32", "Reader", 32), ("write-16", "Writer", WRITERS)]),
        (urls[1], 10, [("read10-1", "Reader", 1), ("read10-32", "Reader", 32)]),
    ):
        server = Server(url, args.port, args.workers, out / f"serve{scale}.log")
        try:
            server.warm(plans[0 if scale == 1 else 1]["reads"])
            for name, user_class, clients in runs:
                print(f"Phase {name}: {clients} clients, {args.seconds} s …", flush=True)
                plan = out / f"plan{scale}.json"
                phases[name] = locust(args.locust, plan, user_class, clients, args.seconds, server.url, out)
        finally:
            server.stop()
        if scale == 1:
            found = in_django(["stored", str(plans[0]["report"])], url)
            acknowledged = {
                kind: next((r["requests"] - r["errors"] for r in phases["write-16"] if r["name"] == name), 0)
                for name, kind in (
                    ("POST report autosave", "autosave"),
                    ("POST /api/v1/needs", "need"),
                    ("POST /api/v1/commitments", "commitment"),
                )
            }
            # The autosave checked before the load, and the report's start, are versions too.
            writes = {
                "stored": found,
                "acknowledged": acknowledged,
                "every_write_stored": found["need"] == acknowledged["need"]
                and found["commitment"] == acknowledged["commitment"]
                and found["autosave"] >= acknowledged["autosave"],
            }
    write_results(args, started_at, plans, phases, writes, time.monotonic() - started)
    print(f"Written: {RESULTS.relative_to(ROOT)} (Locust's own files and the server's log in {out})")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("prepare", "stored"):
        _django(os.environ["DATABASE_URL"])
        result = prepare(int(sys.argv[2])) if sys.argv[1] == "prepare" else stored(int(sys.argv[2]))
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locust", default=str(ROOT / ".venv-bench" / "bin" / "locust"))
    parser.add_argument("--seconds", type=int, default=45, help="length of each phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    drive(parser.parse_args())


if __name__ == "__main__":
    main()
