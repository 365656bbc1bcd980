"""Shared fixtures: the real reference data in the test database."""

import datetime as dt

import pytest
from browser import browser, page  # noqa: F401  (the browser fixtures, registered once for every test module)

from article6.states.models import State
from article6.states.reference import load_reference
from article6.states.sample import load_sample


@pytest.fixture
def reference(db):
    """The project's reference data (125 States, meetings, organisations, obligation facts)."""
    load_reference(today=dt.date(2026, 11, 22))
    return State.objects


@pytest.fixture
def people(reference):
    """One account per role (tests/people.py), on the reference data."""
    from people import everyone

    return everyone()


@pytest.fixture
def lao(reference):
    return State.objects.get(iso3="LAO")


@pytest.fixture
def nor(reference):
    return State.objects.get(iso3="NOR")


@pytest.fixture
def sample(reference):
    load_sample()


@pytest.fixture(autouse=True)
def _matching_year(monkeypatch):
    """The tests' needs and offers run from 2026: the matching leaves out those whose period is
    over, so it reads 2026 as this year, and the suite passes the same in later years. The rule
    itself is tested with a year of its own (tests/test_matching_exclusions.py)."""
    from article6.assistance import matching

    monkeypatch.setattr(matching, "this_year", lambda: 2026)


@pytest.fixture
def year(monkeypatch):
    """The matching's as-of year of the hand-built cases (2026), with its indexes rebuilt
    before and after the test (tests/test_matching_exclusions.py and the suggestions' tests)."""
    from article6.assistance import matching

    monkeypatch.setattr(matching, "this_year", lambda: 2026)
    matching.clear_cache()
    yield 2026
    matching.clear_cache()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path_factory):
    """Files a test keeps (evidence, uploads, rendered PDFs) go to a folder of its own, never
    to the project's var/media, where the next test's records, with the same ids, would meet them.
    A module that builds its records once for all its tests (the browser page checks) keeps
    them in the folder it chose, which its tests must go on reading."""
    if "site_checks" in request.fixturenames:
        return
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests make many accounts; a fast hasher keeps them quick (never used outside tests)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


API_FUZZ_GROUP = "api_schema_fuzz"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The API's fuzz tests (tests/test_api_schema_fuzz.py) share one database set-up, made once
    per process: they run in one xdist group. Schemathesis generates them, and its tests do not
    take the module's `pytestmark`, so the group is set here, before pytest-xdist reads it."""
    for item in items:
        if item.nodeid.split("::")[0].endswith("test_api_schema_fuzz.py"):
            item.add_marker(pytest.mark.xdist_group(API_FUZZ_GROUP))
