"""How many failed sign-ins an account, or an address, may have before it must wait.

After settings.SIGN_IN_LIMITS["per_account"] failed sign-ins for one account (the e-mail
typed), or ["per_address"] from one address, within ["window"] seconds, the next attempt is
answered 429 with Retry-After (the seconds until the oldest failure leaves the window),
without checking the password: a guess that happens to be right waits like the others. The
web sign-in form answers with a page (templates/429.html), the API with JSON.

Failures are counted in the "limits" cache, a database table every process shares and a
restart keeps (settings.CACHES). The rule itself is plain: `wait` over the times of the
failures, without a request or the database.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches


def wait(failures: Iterable[float], now: float, *, limit: int, window: int) -> int:
    """The seconds to wait before another attempt, given the times of the failures (0: none)."""
    recent = sorted(moment for moment in failures if now - window < moment <= now)
    if len(recent) < limit:
        return 0
    # The attempt is allowed again once enough failures have left the window.
    return max(1, int(recent[len(recent) - limit] + window - now) + 1)


def _keys(account: str | None, address: str | None) -> list[tuple[str, int]]:
    rules = settings.SIGN_IN_LIMITS
    keys = []
    if account:
        digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()
        keys.append((f"sign-in:account:{digest}", rules["per_account"]))
    if address:
        keys.append((f"sign-in:address:{address}", rules["per_address"]))
    return keys


def retry_after(*, account: str | None, address: str | None, now: float | None = None) -> int:
    """The seconds this account or address must wait before its next sign-in (0: none)."""
    now = time.time() if now is None else now
    window = settings.SIGN_IN_LIMITS["window"]
    store = caches["limits"]
    return max(
        (wait(store.get(key, ()), now, limit=limit, window=window) for key, limit in _keys(account, address)),
        default=0,
    )


def failed(*, account: str | None, address: str | None, now: float | None = None) -> None:
    """Count a failed sign-in for the account and the address."""
    now = time.time() if now is None else now
    window = settings.SIGN_IN_LIMITS["window"]
    store = caches["limits"]
    for key, limit in _keys(account, address):
        kept = [moment for moment in store.get(key, ()) if now - window < moment <= now][-limit:]
        store.set(key, [*kept, now], timeout=window)
