"""The API's errors, always JSON.

- 400 `{"detail": [{"parameter", "reason"}]}`: valid values that do not go together;
- 401 `{"detail": "..."}`: nobody identified where someone must be, or a bad token;
- 403 `{"detail": "..."}`: saying what the caller lacks;
- 404 `{"detail": "..."}`: an unknown State, organisation or declaration;
- 409 `{"detail": "..."}`: the record is not in a state that allows the operation;
- 422 `{"detail": [{"parameter", "reason"}]}`: a parameter or a field of the body that
  is not a valid value, or that the record's own validation refuses.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, ValidationError
from pydantic import Field


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


def _reason(error: dict) -> str:
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

    @api.exception_handler(ValidationError)
    def parameter_errors(request, exc: ValidationError):
        """Ninja's 422, reshaped: {"detail": [{"parameter": ..., "reason": ...}]}."""
        detail = [
            {"parameter": _parameter([str(part) for part in error.get("loc", ())]), "reason": _reason(error)}
            for error in exc.errors
        ]
        return api.create_response(request, {"detail": detail}, status=422)

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
    def bad_parameter(request, exc: BadParameter):
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

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc: PermissionDenied):
        return api.create_response(request, {"detail": str(exc) or _("You may not do this.")}, status=403)

    @api.exception_handler(Conflict)
    def conflict(request, exc: Conflict):
        return api.create_response(request, {"detail": str(exc)}, status=409)
