"""Scaling out: with a read replica configured, a visitor's GET reads from it; a signed-in
person, a POST and every write use the primary; migrations run on the primary only.
Tested with two database aliases, the replica mirroring the primary."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings
from django.test.client import RequestFactory

from article6.ops.routers import PublicReadsMiddleware, PublicReadsRouter
from article6.states.models import State

TWO = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
}


class Visitor:
    is_authenticated = False


class Member:
    is_authenticated = True


def read_during(method: str, user) -> list:
    """The database the router picks for a read, and for a write, during a request."""
    seen = []

    def view(request):
        router = PublicReadsRouter()
        seen.append(router.db_for_read(State) or "default")
        seen.append(router.db_for_write(State))
        return None

    request = getattr(RequestFactory(), method.lower())("/")
    request.user = user
    PublicReadsMiddleware(view)(request)
    return seen


@override_settings(DATABASES=TWO)
def test_a_visitors_get_reads_from_the_replica_and_writes_to_the_primary():
    assert read_during("GET", Visitor()) == ["replica", "default"]
    assert read_during("HEAD", Visitor()) == ["replica", "default"]


@override_settings(DATABASES=TWO)
def test_signed_in_people_and_posts_read_from_the_primary():
    assert read_during("GET", Member()) == ["default", "default"]
    assert read_during("POST", Visitor()) == ["default", "default"]
    # Outside a request (the commands, the worker): the primary.
    assert (PublicReadsRouter().db_for_read(State) or "default") == "default"


def test_without_a_replica_everything_reads_from_the_primary():
    assert read_during("GET", Visitor()) == ["default", "default"]


@override_settings(DATABASES=TWO)
def test_migrations_run_on_the_primary_only():
    router = PublicReadsRouter()
    assert router.allow_migrate("default", "states") is True
    assert router.allow_migrate("replica", "states") is False


@pytest.mark.django_db
def test_the_site_serves_a_visitor_with_the_router_in_place(client, reference):
    assert "default" in connections
    assert client.get("/states/").status_code == 200
