"""A token makes at most API_TOKEN_WRITES_PER_MINUTE changes a minute: past that, a 429
in JSON with Retry-After, counted per token in the database (so across processes); reads
are not counted, and every write operation documents the 429 in the schema."""

import pytest
from django.test import override_settings
from test_api_auth import call, declare_lao, lao_focal_point, token_of  # noqa: F401 (fixture)

from article6.api.v1 import api


@override_settings(API_TOKEN_WRITES_PER_MINUTE=2)
def test_past_its_limit_a_tokens_write_gets_a_429_with_retry_after(client, lao_focal_point):  # noqa: F811
    token = token_of(lao_focal_point)
    assert declare_lao(client, token).status_code == 200
    assert declare_lao(client, token).status_code == 200
    refused = declare_lao(client, token)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "2 changes in this minute" in refused.json()["detail"]
    # Reading is not counted; another token has its own count.
    assert call(client, "GET", "/me", token).status_code == 200
    assert declare_lao(client, token_of(lao_focal_point)).status_code == 200


def test_a_new_minute_starts_a_new_count(lao_focal_point):  # noqa: F811
    from article6.accounts.models import ApiToken
    from article6.api.auth import TooManyWrites, writes_allowed

    token = ApiToken.issue(lao_focal_point, "test", "write")[0]
    token.write_minute, token.writes_in_minute = 1000, 120
    with pytest.raises(TooManyWrites) as refused:
        writes_allowed(token, 1000 * 60 + 45.5)
    assert refused.value.retry_after == 15
    assert writes_allowed(token, 1001 * 60 + 1) == 1001


def test_every_write_operation_documents_the_429_and_no_read_does():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = 429 in operation["responses"] or "429" in operation["responses"]
            assert documented == (method in ("post", "put", "patch", "delete")), (method, path)
