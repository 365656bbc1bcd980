"""The load test's trivial view (article6.ops.trivial) is no route of a site unless the
bench turns it on; on, it answers with its one line through the site's middleware."""

from __future__ import annotations

import importlib

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse

import article6.urls


@pytest.fixture
def urls_with(settings):
    """The site's URLs built again with ARTICLE6_BENCH_TRIVIAL_VIEW as given, then as they were."""

    def build(on: bool):
        settings.ARTICLE6_BENCH_TRIVIAL_VIEW = on
        importlib.reload(article6.urls)
        clear_url_caches()

    yield build
    settings.ARTICLE6_BENCH_TRIVIAL_VIEW = False
    importlib.reload(article6.urls)
    clear_url_caches()


def test_the_trivial_view_is_off_by_default(client, db):
    from django.conf import settings

    assert settings.ARTICLE6_BENCH_TRIVIAL_VIEW is False
    with pytest.raises(NoReverseMatch):
        reverse("bench_trivial")
    assert client.get("/bench/trivial/").status_code == 404


def test_the_trivial_view_answers_through_the_middleware_when_on(client, db, urls_with):
    urls_with(True)
    response = client.get("/bench/trivial/")
    assert response.status_code == 200
    assert response.content.decode().strip() == "<p>A trivial page, the load test's yardstick.</p>"
    # The site's middleware ran: its security headers are on this answer as on every page.
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    urls_with(False)
    assert client.get("/bench/trivial/").status_code == 404
