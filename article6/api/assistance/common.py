"""What the assistance routes share: their tags and answers in the OpenAPI document,
and reading a record the caller may see, or the States and organisations a body names."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja.errors import HttpError

from article6.api.auth import OPTIONAL, OPTIONAL_SECURITY
from article6.api.errors import UNREADABLE_BODY, Detail, InvalidValue, ParameterErrors
from article6.states.models import Organisation, State

try:
    from ninja import Status
except ImportError:  # django-ninja releases before Status: a (status, body) tuple

    def Status(status_code: int, value):  # noqa: N802
        return status_code, value


TAGS = ["Assistance"]
READ = {"auth": OPTIONAL, "openapi_extra": OPTIONAL_SECURITY, "tags": TAGS}
WRITE = {"tags": TAGS}  # the API's default: an identified caller (article6.api.auth.REQUIRED)

LIST_RESPONSES = {400: ParameterErrors, 401: Detail, 422: ParameterErrors}
DETAIL_RESPONSES = {401: Detail, 404: Detail, 422: ParameterErrors}
WRITE_RESPONSES = {**UNREADABLE_BODY, 401: Detail, 403: Detail, 404: Detail, 422: ParameterErrors}


# --- Helpers -----------------------------------------------------------------------------------


def money(value: Decimal | None) -> Decimal | None:
    """An amount as the API writes it: a Decimal rounded once to the cent, written as a JSON number
    with every digit (api.numbers). Figures are added at full precision and rounded here."""
    from article6.assistance.rules import rounded

    return None if value is None else rounded(value)


def not_found(what: str, pk: int):
    return HttpError(404, _("No %(record)s has the id %(id)s.") % {"record": what, "id": pk})


def visible(queryset, pk: int, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise not_found(what, pk)
    return found


def apply(record, values: dict) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def body_states(codes: list[str], parameter: str) -> list[State]:
    found = {s.iso3: s for s in State.objects.filter(iso3__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise InvalidValue(parameter, _("No State has the ISO3 code “%(code)s”.") % {"code": unknown[0]})
    return [found[code] for code in dict.fromkeys(codes)]


def body_state(code: str, parameter: str) -> State:
    return body_states([code], parameter)[0]


def body_organisation(pk: int, parameter: str) -> Organisation:
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise InvalidValue(parameter, _("No organisation has the id “%(id)s”.") % {"id": pk})
    return found


def provider_fields(values: dict) -> dict:
    """provider_state (ISO3) and provider_organisation (id) in a body, as records."""
    resolved = {}
    if "provider_state" in values:
        code = values.pop("provider_state")
        resolved["provider_state"] = body_state(code, "provider_state") if code else None
    if "provider_organisation" in values:
        pk = values.pop("provider_organisation")
        resolved["provider_organisation"] = body_organisation(pk, "provider_organisation") if pk else None
    return resolved
