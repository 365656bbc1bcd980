"""Schemathesis against the API's own OpenAPI schema, in the suite: every operation, called
anonymously and with a token of each role (read-only and read-write), with every check on:
no server error, every status code, content type, answer and header as the schema says,
data the schema refuses is refused and data it allows is accepted.

The cases are generated from the schema the app serves (/api/v1/openapi.json, read through
the Django WSGI application, in process: the requests run in the test's transaction). The
data (reference, sample, one account and token per role) is made once for the module; each
operation × role test rolls its own writes back. The examples are bounded (FUZZ_EXAMPLES per
operation and role, derandomized, so CI runs the same cases every time; set
ARTICLE6_FUZZ_EXAMPLES and ARTICLE6_FUZZ_SEED=random to explore further). The cases run per
role are written to var/api-fuzz-<xdist worker>.json and summed up at the end of the run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from article6.accounts.models import ApiToken, TokenScope

FUZZ_EXAMPLES = int(os.environ.get("ARTICLE6_FUZZ_EXAMPLES", "20"))
DERANDOMIZE = os.environ.get("ARTICLE6_FUZZ_SEED", "") != "random"

#: Who calls: nobody, or a token of this person and scope (people.ROLE_NAMES).
ROLES = {
    "anonymous": None,
    "no_role": ("no_role", TokenScope.WRITE),
    "lao_focal_point_read_only": ("lao_focal_point", TokenScope.READ),
    "lao_focal_point": ("lao_focal_point", TokenScope.WRITE),
    "norway_partner": ("norway_partner", TokenScope.WRITE),
    "ngo_partner": ("ngo_partner", TokenScope.WRITE),
    "coordinator": ("coordinator", TokenScope.WRITE),
    "isu": ("isu", TokenScope.WRITE),
}

CASES: Counter = Counter()


@pytest.fixture(scope="module")
def fuzz_data(django_db_setup, django_db_blocker):
    """The reference and sample data, one account per role and a token for each role,
    made once for the module in a transaction rolled back at its end."""
    import datetime as dt

    from django.core import signals
    from django.db import close_old_connections
    from people import everyone

    from article6.states.reference import load_reference
    from article6.states.sample import load_sample

    # The WSGI handler closes the connection when a request ends, as a server must; here it
    # would end the module's transaction (PostgreSQL), so it is kept, as Django's test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference(today=dt.date(2026, 11, 22))
        load_sample()
        people = everyone()
        tokens = {
            role: (ApiToken.issue(people[who], f"fuzz {role}", scope)[1] if who else None)
            for role, (who, scope) in ((r, spec or (None, None)) for r, spec in ROLES.items())
        }
        yield tokens
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _write_counts():
    yield
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    out = Path(django_settings.VAR_DIR)
    out.mkdir(exist_ok=True)
    counts = {"cases_per_role": dict(sorted(CASES.items())), "cases": sum(CASES.values())}
    (out / f"api-fuzz-{worker}.json").write_text(json.dumps(counts, indent=1) + "\n")
    print(f"\nSchemathesis: {counts['cases']} cases; per role: {counts['cases_per_role']}")


def _application():
    from article6.wsgi import application

    return application


# Read once, when the tests are collected: the schema the app serves needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _application())
# A 400 answers valid values that do not go together (a period's end before its start, a last
# year before the first) or that name nothing (an unknown State's code in a filter): each value
# is what the schema allows, and no OpenAPI schema can say which pairs go together or which
# codes exist. Every other check, and this one for every other status, stays as it is.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    *schema.config.checks.positive_data_acceptance.expected_statuses,
    "400",
]


@pytest.fixture
def _many_writes(settings):
    """Every role's token writes far more than 120 times a minute here; the limit itself is
    tested in tests/test_api_limits.py, and the 429 is in the schema of every write."""
    settings.API_TOKEN_WRITES_PER_MINUTE = 1_000_000


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=DERANDOMIZE,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_does_what_the_schema_says(case, role, fuzz_data, db, _many_writes):
    token = fuzz_data[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    CASES[role] += 1
    if case.operation.body:
        case.call_and_validate(
            headers=headers,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[positive_body_accepted_unless_the_record_refuses_it],
        )
    else:
        case.call_and_validate(headers=headers)


def positive_body_accepted_unless_the_record_refuses_it(ctx, response, case):
    """positive_data_acceptance, except for a 422 to a body: the record's own validation
    (api.errors: full_clean and the services' rules) refuses fields that are each valid but
    not together (an amount without its currency, yearly amounts that do not add up to the
    amount, a period that ends before it starts) or that name no record (a State's code no
    State has); the schema of a body cannot say either, and the 422 names the field."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 422:
            return None
        raise
