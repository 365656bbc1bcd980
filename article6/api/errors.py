"""The API's errors, always JSON, whatever went wrong.

- 400 `{"detail": [{"parameter", "reason"}]}`: valid values that do not go together, or a
  body that is not JSON (`"parameter": "body"`);
- 401 `{"detail": "..."}`: nobody identified where someone must be, or a bad token;
- 403 `{"detail": "..."}`: saying what the caller lacks;
- 404 `{"detail": "..."}`: an unknown State, organisation or declaration;
- 409 `{"detail": "..."}`: the record is not in a state that allows the operation;
- 405 `{"detail": "..."}`: a method the path does not have (`Allow` names those it has);
- 413 `{"detail": [{"parameter": "body", "reason"}]}`: a body larger than the API reads;
- 415 `{"detail": [{"parameter": "Content-Type", "reason"}]}`: a body sent as another type than JSON;
- 429 `{"detail": "..."}`: a token past its changes a minute, with `Retry-After`;
- 404 also for a path the API does not have;
- 422 `{"detail": [{"parameter", "reason"}]}`: a parameter or a field of the body that
  is not a valid value, or that the record's own validation refuses;
- 500 `{"detail": "..."}`: anything unexpected, logged with its traceback (as Django logs
  a page's), and never shown to the caller.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import connections, transaction
from django.http import JsonResponse
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from pydantic import Field

from article6.api.auth import TooManyWrites
from article6.assistance.filters import APART, UnknownValue


class ParameterError(Schema):
    parameter: str = Field(description="The query or path parameter, or the field of the body, at fault.")
    reason: str


class ParameterErrors(Schema):
    detail: list[ParameterError]


class Detail(Schema):
    detail: str


class NotFound(Detail):
    """An unknown State (the read-only operations' 404, named as before in the schema)."""


class BadParameter(Exception):
    """Valid values that do not go together (400)."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(parameter, reason)
        self.parameter = parameter
        self.reason = reason


class Conflict(Exception):
    """The record is not in a state that allows the operation (409)."""


class InvalidValue(Exception):
    """One parameter or field refused after the operation read it (422)."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(parameter, reason)
        self.parameter = parameter
        self.reason = reason


class UnreadableBody(Exception):
    """A request body that is not JSON (400, naming the body)."""


class NotJson(Exception):
    """A request body sent as another type than JSON (415, naming the Content-Type)."""


#: What a body may be sent as: JSON, or a type that says it is JSON (application/merge-patch+json).
def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class JsonParser(Parser):
    """Ninja's JSON parser, saying why a body cannot be read. A number with a point or an
    exponent is read as a Decimal, never through a float: an amount keeps every digit."""

    def parse_body(self, request):
        # A body sent without a type is read as JSON; one sent as a form, or as text, is refused.
        if request.content_type and not _is_json(request.content_type):
            raise NotJson(
                _("The body is sent as “%(type)s”: send it as JSON (Content-Type: application/json).")
                % {"type": request.content_type[:100]}
            )
        try:
            return json.loads(request.body, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise UnreadableBody(
                _("The body is not valid JSON: %(reason)s (line %(line)s, column %(column)s).")
                % {"reason": exc.msg, "line": exc.lineno, "column": exc.colno}
            ) from exc
        except ValueError as exc:  # not UTF-8, UTF-16 or UTF-32 text
            raise UnreadableBody(_("The body is not valid JSON: it is not UTF-8 text.")) from exc


#: Every operation with a body answers so when the body cannot be read (ninja reads it first);
#: api.v1 adds the 413 and 415 to each.
UNREADABLE_BODY = {400: ParameterErrors}

UNEXPECTED = gettext_noop("Something went wrong on our side; it is logged. Please try again later.")


def _json(data: dict, status: int) -> JsonResponse:
    """An answer made outside an operation, with the content type of the operations' own."""
    return JsonResponse(data, status=status, content_type="application/json; charset=utf-8")


def _unexpected(request, exc: Exception):
    """A JSON 500 for what no handler expected, logged with its traceback to the same logger
    as a page's 500 (so that the same people are told), and signalled as Django signals an
    uncaught exception (the test client then raises it, as for a page)."""
    if settings.DEBUG_PROPAGATE_EXCEPTIONS:
        raise exc
    # Answered rather than raised: the request's own transaction (ATOMIC_REQUESTS) must still be rolled back.
    for connection in connections.all(initialized_only=True):
        if connection.settings_dict.get("ATOMIC_REQUESTS") and connection.in_atomic_block:
            transaction.set_rollback(True, using=connection.alias)
    got_request_exception.send(sender=None, request=request)
    response = _json({"detail": _(UNEXPECTED)}, 500)
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response


def not_found(request, *args, **kwargs):
    """A path under the API that it does not have."""
    return _json({"detail": _("The API has no operation at this path.")}, 404)


def json_not_allowed(view):
    """A path's view whose 405 (a method it does not have) is JSON, like every other error."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response["Allow"]
            response = _json({"detail": _("This path answers only %(methods)s.") % {"methods": allowed}}, 405)
            response["Allow"] = allowed
        return response

    wrapped.__dict__.update(view.__dict__)  # csrf_exempt and the like
    return wrapped


def _reason(error: dict) -> str:
    if error.get("type") == APART:
        return str(error["msg"])
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own message, without pydantic's prefix
    return str(error.get("msg", "invalid value"))


def _parameter(loc: list[str]) -> str:
    if loc and loc[0] == "body":
        # ("body", <the operation's body argument>, field, ...): the field, or the body as a whole.
        return ".".join(loc[2:]) or "body"
    # ("query", "as_of"): the source, then the parameter (path parameters likewise).
    return loc[1] if len(loc) > 1 else (loc[0] if loc else "")


def install(api) -> None:
    """Register the error handlers on the API."""
    api.parser = JsonParser()

    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        return _unexpected(request, exc)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, UnreadableBody):
            detail = [{"parameter": "body", "reason": str(exc.__cause__)}]
            return api.create_response(request, {"detail": detail}, status=400)
        if isinstance(exc.__cause__, NotJson):
            detail = [{"parameter": "Content-Type", "reason": str(exc.__cause__)}]
            return api.create_response(request, {"detail": detail}, status=415)
        if isinstance(exc.__cause__, RequestDataTooBig):
            return too_large(request, exc.__cause__)
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc: RequestDataTooBig):
        reason = _("The body is larger than %(size)s bytes, the most the API reads.") % {
            "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        return api.create_response(request, {"detail": [{"parameter": "body", "reason": reason}]}, status=413)

    @api.exception_handler(ValidationError)
    def parameter_errors(request, exc: ValidationError):
        """Ninja's 422, reshaped: {"detail": [{"parameter": ..., "reason": ...}]}."""
        detail = [
            {"parameter": _parameter([str(part) for part in error.get("loc", ())]), "reason": _reason(error)}
            for error in exc.errors
        ]
        # Valid values that do not go together (a last year before the first) are a 400, as
        # BadParameter's; a 422 as soon as one value is not valid on its own.
        apart = all(error.get("type") == APART for error in exc.errors)
        return api.create_response(request, {"detail": detail}, status=400 if apart else 422)

    @api.exception_handler(DjangoValidationError)
    def record_errors(request, exc: DjangoValidationError):
        """What the record's own validation (full_clean) refuses, field by field."""
        if hasattr(exc, "error_dict"):
            detail = [
                {"parameter": "body" if field == NON_FIELD_ERRORS else field, "reason": str(message)}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            detail = [{"parameter": "body", "reason": str(message)} for message in exc.messages]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(InvalidValue)
    def invalid_value(request, exc: InvalidValue):
        return api.create_response(
            request, {"detail": [{"parameter": exc.parameter, "reason": exc.reason}]}, status=422
        )

    @api.exception_handler(BadParameter)
    @api.exception_handler(UnknownValue)
    def bad_parameter(request, exc: BadParameter | UnknownValue):
        return api.create_response(
            request, {"detail": [{"parameter": exc.parameter, "reason": exc.reason}]}, status=400
        )

    @api.exception_handler(AuthenticationError)
    def not_identified(request, exc: AuthenticationError):
        message = str(exc)
        if message == "Unauthorized":  # ninja's own: no token, no session
            message = _("Sign in, or send a personal API token in the header “Authorization: Bearer a6_…”.")
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="article6"'
        return response

    @api.exception_handler(TooManyWrites)
    def too_many_writes(request, exc: TooManyWrites):
        message = _(
            "This token has made %(limit)s changes in this minute, the most allowed: try again in %(seconds)s s."
        ) % {"limit": exc.limit, "seconds": exc.retry_after}
        response = api.create_response(request, {"detail": message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc: PermissionDenied):
        return api.create_response(request, {"detail": str(exc) or _("You may not do this.")}, status=403)

    @api.exception_handler(Conflict)
    def conflict(request, exc: Conflict):
        return api.create_response(request, {"detail": str(exc)}, status=409)
