"""The REST API (/api/v1/): one NinjaAPI with its error handlers (article6.api.errors)
and identification (article6.api.auth), and a router per domain: the Convention's
clock (api.treaty), the declarations of focal points, ISU's validation and the audit
trail (api.profiles), assistance under Article 6 (api.assistance), transparency
reports (api.reporting). Every answer, an error included, is JSON."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from article6.api import profiles, treaty
from article6.api.auth import REQUIRED
from article6.api.errors import install as install_error_handlers
from article6.api.numbers import ExactRenderer

WRITES = ("post", "put", "patch", "delete")


class API(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The schema, with the answer every write may get from a token past its limit."""
        schema = super().get_openapi_schema(*args, **kwargs)
        too_many = {
            "description": "Too Many Requests: the token's changes in this minute are at their limit.",
            "headers": {
                "Retry-After": {"description": "Seconds until it may write again.", "schema": {"type": "integer"}}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}},
        }
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                if method in WRITES:
                    operation["responses"].setdefault(429, too_many)
        return schema


api = API(
    title="article6 API",
    version="1",
    description=(
        "Figures of the Convention on Cluster Munitions: States and their status, membership counts "
        "and deadlines, each computed as of a date, open to everyone. Dates are ISO 8601 (YYYY-MM-DD).\n\n"
        "Focal points and ISU staff also declare and validate States' and organisations' contact details "
        "and obligations, and ISU staff read the audit trail. Those operations need a personal API token "
        "(header `Authorization: Bearer a6_…`, created on the account page; a read-only token may only "
        "read) or, from the browser, the signed-in session with the CSRF token (header `X-CSRFToken`). "
        "A token makes at most 120 changes a minute (a 429 with `Retry-After` beyond)."
    ),
    # Operations are for identified callers unless they say otherwise (the public figures do).
    auth=REQUIRED,
    # The page uses the Swagger UI files shipped with the app; no validator badge from elsewhere.
    docs=Swagger(settings={"validatorUrl": None}),
    # Amounts are written to the cent, however large (article6.api.numbers).
    renderer=ExactRenderer(),
)

install_error_handlers(api)

api.add_router("", treaty.router)
api.add_router("", profiles.router)
api.add_router("", "article6.api.assistance.router")
api.add_router("", "article6.api.reporting.router")
