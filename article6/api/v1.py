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

PARAMETER_ERRORS = {"$ref": "#/components/schemas/ParameterErrors"}
DETAIL = {"$ref": "#/components/schemas/Detail"}


def _answer(description: str, body: dict, **extra) -> dict:
    return {"description": description, "content": {"application/json": {"schema": body}}, **extra}


#: The errors every operation may answer, whatever its router declares (article6.api.errors):
#: (status, whether the operation can get it, its answer). Each is JSON.
ERRORS = [
    (
        400,
        lambda op: "requestBody" in op,
        _answer("Bad Request: the body is not JSON, or valid values do not go together.", PARAMETER_ERRORS),
    ),
    (
        401,
        lambda op: True,  # a bad token is refused even where nobody need be identified
        _answer(
            "Unauthorized: nobody identified where someone must be, or a bad token.",
            DETAIL,
            headers={"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
        ),
    ),
    (
        403,
        lambda op: True,  # a coordinator's or ISU's token before the second factor is set up
        _answer("Forbidden: says what the caller lacks (a role, a read-and-write token, the CSRF token).", DETAIL),
    ),
    (404, lambda op: _has_path_parameter(op), _answer("Not Found: no record the caller may see.", DETAIL)),
    (
        413,
        lambda op: "requestBody" in op,
        _answer("Content Too Large: the body is larger than the API reads.", PARAMETER_ERRORS),
    ),
    (
        415,
        lambda op: "requestBody" in op,
        _answer("Unsupported Media Type: the body is sent as another type than JSON.", PARAMETER_ERRORS),
    ),
    (
        422,
        lambda op: "requestBody" in op or bool(op.get("parameters")),
        _answer("Unprocessable Content: a parameter or field is not a valid value; each is named.", PARAMETER_ERRORS),
    ),
    (
        429,
        lambda op: op["_method"] in WRITES,
        _answer(
            "Too Many Requests: the token's changes in this minute are at their limit.",
            DETAIL,
            headers={
                "Retry-After": {"description": "Seconds until it may write again.", "schema": {"type": "integer"}}
            },
        ),
    ),
    (500, lambda op: True, _answer("Internal Server Error: logged, never detailed to the caller.", DETAIL)),
]


def _has_path_parameter(operation: dict) -> bool:
    return any(parameter.get("in") == "path" for parameter in operation.get("parameters", ()))


class API(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The schema, with every error each operation may answer, in one place."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation["responses"]
                operation["_method"] = method
                for status, applies, answer in ERRORS:
                    if applies(operation):
                        declared = responses.get(status) or responses.get(str(status))
                        if declared is None:
                            responses[status] = answer
                        else:  # the router's own, with the description and headers of the one place
                            declared.update({k: v for k, v in answer.items() if k != "content"})
                del operation["_method"]
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
        "A token makes at most 120 changes a minute (a 429 with `Retry-After` beyond).\n\n"
        'Every error is JSON: `{"detail": "..."}`, or, where a parameter, a field or the body is at fault, '
        '`{"detail": [{"parameter": ..., "reason": ...}]}` (400, 413, 415, 422). Each operation lists the '
        "status codes it may answer. A path the API does not have is a 404, a method a path does not have a 405 "
        "(with `Allow`), both JSON."
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
