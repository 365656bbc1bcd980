"""Failed sign-ins are limited per account and per address (accounts.limits): past the
limit, the sign-in form answers 429 with Retry-After, on a page of the site's own, and does
not check the password, however right; other accounts and addresses are not held up."""

import pytest
from django.test import override_settings
from people import PASSWORD

from article6.accounts import limits

LIMITS = {"per_account": 3, "per_address": 5, "window": 600}


def signed_in_as(client):
    from django.contrib.auth import get_user

    return get_user(client)


def sign_in(client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address)


def test_the_rule_counts_only_the_failures_in_the_window():
    assert limits.wait([], 1000, limit=3, window=600) == 0
    assert limits.wait([500, 900], 1000, limit=3, window=600) == 0
    # Three failures: wait until the oldest of them leaves the window (500 + 600 = 1100).
    assert limits.wait([500, 900, 950], 1000, limit=3, window=600) == 101
    # One left the window already: two remain, no wait.
    assert limits.wait([300, 900, 950], 1000, limit=3, window=600) == 0


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_past_the_limit_an_account_waits_even_with_the_right_password(client, people):
    for _attempt in range(3):
        assert sign_in(client, "lao@example.org", "wrong").status_code == 200
    refused = sign_in(client, "lao@example.org", PASSWORD)
    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 601
    assert 'data-testid="too-many-attempts"' in refused.content.decode()
    assert "Try again in 10 minutes" in refused.content.decode()
    assert not signed_in_as(client).is_authenticated
    # Another account from the same address signs in.
    assert sign_in(client, "lbn@example.org", PASSWORD).status_code == 302


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_the_account_is_counted_whatever_the_case_of_its_address(client, people):
    for email in ("LAO@example.org", "lao@EXAMPLE.org", "Lao@example.org"):
        sign_in(client, email, "wrong", address=f"192.0.2.{len(email)}")
    assert sign_in(client, "lao@example.org", PASSWORD, address="198.51.100.1").status_code == 429


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_past_the_limit_an_address_waits_for_every_account(client, people):
    for number in range(5):
        sign_in(client, f"guess{number}@example.org", "wrong", address="203.0.113.7")
    assert sign_in(client, "lao@example.org", PASSWORD, address="203.0.113.7").status_code == 429
    assert sign_in(client, "lao@example.org", PASSWORD, address="203.0.113.8").status_code == 302


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_a_right_password_before_the_limit_signs_in(client, people):
    for _attempt in range(2):
        sign_in(client, "lao@example.org", "wrong")
    assert sign_in(client, "lao@example.org", PASSWORD).status_code == 302
    assert signed_in_as(client).email == "lao@example.org"


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_the_failures_are_counted_for_every_process(client, people):
    from django.core.cache import caches

    for _attempt in range(3):
        sign_in(client, "lao@example.org", "wrong")
    caches["default"].clear()  # what another process knows: not this one's memory
    assert sign_in(client, "lao@example.org", PASSWORD).status_code == 429


@pytest.mark.parametrize("seconds, minutes", [(1, 1), (60, 1), (61, 2), (900, 15)])
def test_the_page_says_the_minutes_to_wait_rounded_up(client, db, monkeypatch, seconds, minutes):
    monkeypatch.setattr(limits, "retry_after", lambda **kwargs: seconds)
    refused = sign_in(client, "lao@example.org", "wrong")
    assert refused.status_code == 429 and refused["Retry-After"] == str(seconds)
    assert f"Try again in {minutes} minute" in refused.content.decode()


def test_with_the_settings_as_shipped_every_refusal_says_when_to_try_again(client, people):
    """allauth's own limit on failed sign-ins (5 a minute from an address) used to answer first,
    with a 429 that had no Retry-After; the site's limits are the only ones now."""
    from django.conf import settings

    answers = [sign_in(client, f"guess{number}@example.org", "wrong") for number in range(8)]
    assert [answer.status_code for answer in answers] == [200] * 8
    for _attempt in range(settings.SIGN_IN_LIMITS["per_account"]):
        assert sign_in(client, "lao@example.org", "wrong").status_code == 200
    refused = sign_in(client, "lao@example.org", PASSWORD)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
