"""The API for identified callers (article6.api.auth): who is calling; what focal points
declare about their State or organisation; ISU's validation; the audit trail.

The operations are thin: the declaration services (states.declarations) ask the
permission layer themselves and record who did what; the operations add the checks
that decide what a caller may read. Each runs a fixed number of SQL queries, whatever
the number of States, organisations, declarations or history rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from article6.accounts import audit
from article6.accounts.models import RoleKind
from article6.accounts.permissions import is_isu, require, roles_of
from article6.api.auth import OPTIONAL, OPTIONAL_SECURITY
from article6.api.errors import UNREADABLE_BODY, Conflict, Detail, InvalidValue, ParameterErrors
from article6.api.paging import Page, Paging
from article6.states import declarations as services
from article6.states.models import (
    DeclarationStatus,
    Organisation,
    OrganisationDeclaration,
    State,
    StateDeclaration,
)
from article6.treaty import queries

router = Router()

MAX_NOTE = 5000
MAX_ID = 2**63 - 1  # the largest the database's ids hold
DEFAULT_HISTORY = 200
MAX_HISTORY = 1000

ISO3_PATH = Path(description="ISO 3166-1 alpha-3 code, any case (LAO, lao).")
ORGANISATION_PATH = Path(ge=1, le=MAX_ID, description="The organisation's id.")
DECLARATION_PATH = Path(ge=1, le=MAX_ID, description="The declaration's id.")
KIND_PATH = Path(description="Whose declaration: a State's or an organisation's.")

Kind = Literal["state", "organisation"]


# --- Shapes --------------------------------------------------------------------------------


class RoleOut(Schema):
    kind: RoleKind
    state: str | None = Field(description="ISO3 code of the State the role is for, if any.")
    organisation: int | None = Field(description="Id of the organisation the role is for, if any.")
    thematic_area: str = Field(description="A coordinator's thematic area; empty for other roles.")


class MeOut(Schema):
    email: str
    roles: list[RoleOut]
    is_isu: bool = Field(description="ISU staff (or an administrator): validates declarations, reads all history.")


class ContactFields(Schema):
    contact_institution: str = Field(description="The national contact institution (Art. 7(1)(l)).")
    contact_person: str
    contact_email: str
    contact_phone: str
    contact_address: str
    contact_website: str


class ObligationFields(Schema):
    holds_stockpiles: bool | None = Field(description="Holds stockpiled cluster munitions (Art. 3); null: unsaid.")
    has_contaminated_areas: bool | None = Field(description="Has contaminated areas (Art. 4).")
    has_victims: bool | None = Field(description="Has cluster munition victims (Art. 5).")
    former_user_state: bool | None = Field(
        description="Used cluster munitions that became remnants in another State Party (Art. 4(4))."
    )


class ValidatedOrganisationDeclaration(ContactFields):
    """What the public sees: the last declaration ISU validated."""

    reviewed: dt.datetime = Field(description="When ISU validated it.")


class ValidatedStateDeclaration(ObligationFields, ValidatedOrganisationDeclaration):
    """What the public sees: the last declaration ISU validated."""


class ReviewFields(Schema):
    id: int
    status: DeclarationStatus
    submitted: dt.datetime
    submitted_by: str | None = Field(description="The e-mail address of the person who sent it.")
    reviewed: dt.datetime | None
    reviewed_by: str | None = Field(description="The e-mail address of the ISU staff member who reviewed it.")
    review_note: str = Field(description="ISU's note, e.g. why it was returned.")


class OrganisationDeclarationOut(ReviewFields, ContactFields):
    kind: Literal["organisation"]
    organisation: int = Field(description="The organisation's id.")
    organisation_name: str


class StateDeclarationOut(ReviewFields, ObligationFields, ContactFields):
    kind: Literal["state"]
    state: str = Field(description="ISO3 code.")
    state_name: str


DeclarationOut = Annotated[StateDeclarationOut | OrganisationDeclarationOut, Field(discriminator="kind")]

PENDING_NOTE = "Only for the focal points of the State or organisation, and ISU staff."


class StateProfileOut(Schema):
    validated: ValidatedStateDeclaration | None = Field(description="What the public sees; null if nothing yet.")
    pending: StateDeclarationOut | None = Field(None, description=f"Awaiting ISU validation. {PENDING_NOTE}")


class OrganisationProfileOut(Schema):
    validated: ValidatedOrganisationDeclaration | None = Field(description="What the public sees; null if nothing yet.")
    pending: OrganisationDeclarationOut | None = Field(None, description=f"Awaiting ISU validation. {PENDING_NOTE}")


class PendingOut(Page):
    items: list[DeclarationOut] = Field(description="States' declarations, then organisations', oldest first.")


class ChangeOut(Schema):
    field: str
    label: str
    before: Any
    after: Any


class EntryOut(Schema):
    when: dt.datetime
    who: str = Field(description="The e-mail address of the person, or the system (import, command line).")
    action: Literal["created", "changed", "deleted"]
    record: str = Field(description="What the record is, e.g. “State declaration”.")
    record_id: int
    summary: str
    reason: str
    changes: list[ChangeOut] = Field(description="The fields changed, with their values before and after.")


class HistoryOut(Schema):
    kind: Kind
    key: str = Field(description="The State's ISO3 code or the organisation's id.")
    entries: list[EntryOut] = Field(description="Newest first.")


class _In(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class OrganisationDeclarationIn(_In):
    """Every field of the declaration: those left out are blank (a PUT replaces them all)."""

    contact_institution: str = Field(description="Required.")
    contact_person: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    contact_address: str = ""
    contact_website: str = ""


class StateDeclarationIn(OrganisationDeclarationIn):
    holds_stockpiles: bool | None = None
    has_contaminated_areas: bool | None = None
    has_victims: bool | None = None
    former_user_state: bool | None = None


class ReviewIn(_In):
    note: str = Field("", max_length=MAX_NOTE, description="ISU's note; required to return a declaration.")


# --- Helpers ---------------------------------------------------------------------------------


def _state(iso3: str) -> State:
    code = iso3.strip().upper()
    # A code that cannot be one is not looked up (nor sent to the database).
    state = State.objects.filter(iso3=code).first() if queries.ISO3_CODE.fullmatch(code) else None
    if state is None:
        raise HttpError(404, _("No State has the ISO3 code “%(code)s”.") % {"code": iso3[:20]})
    return state


def _organisation(key: int | str) -> Organisation:
    text = str(key)
    valid = text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID
    found = Organisation.objects.filter(pk=int(text)).first() if valid else None
    if found is None:
        raise HttpError(404, _("No organisation has the id “%(id)s”.") % {"id": text[:20]})
    return found


def _email(user) -> str | None:
    return (user.email or user.get_username()) if user is not None else None


def _values(declaration, fields) -> dict:
    return {name: getattr(declaration, name) for name in fields}


def _validated_out(declaration, fields) -> dict | None:
    if declaration is None:
        return None
    return {**_values(declaration, fields), "reviewed": declaration.reviewed}


def _declaration_out(declaration, subject=None) -> dict | None:
    """A declaration with its review, for its focal points and ISU staff. The subject
    and the people are read from the declaration unless already at hand."""
    if declaration is None:
        return None
    review = {
        "id": declaration.id,
        "status": declaration.status,
        "submitted": declaration.submitted,
        "submitted_by": _email(declaration.submitted_by),
        "reviewed": declaration.reviewed,
        "reviewed_by": _email(declaration.reviewed_by) if declaration.reviewed_by_id else None,
        "review_note": declaration.review_note,
    }
    if isinstance(declaration, StateDeclaration):
        state = subject or declaration.state
        return {
            "kind": "state",
            "state": state.iso3,
            "state_name": state.name,
            **_values(declaration, services.STATE_FIELDS),
            **review,
        }
    organisation = subject or declaration.organisation
    return {
        "kind": "organisation",
        "organisation": organisation.pk,
        "organisation_name": str(organisation),
        **_values(declaration, services.ORGANISATION_FIELDS),
        **review,
    }


def _with_pending(request, subject, permission: str, result: dict) -> dict:
    """Adds the declaration awaiting validation for those who may change the subject's
    profile (its focal points and ISU staff); the public never sees it."""
    if request.user.has_perm(permission, subject):
        # Two queries: the declaration, the person who sent it.
        result["pending"] = _declaration_out(services.pending(subject), subject)
    return result


# --- Who is calling ------------------------------------------------------------------------


@router.get(
    "/me",
    response={200: MeOut, 401: Detail},
    operation_id="get_me",
    summary="Who is calling: the caller's e-mail address and roles",
    tags=["Account"],
)
def get_me(request):
    """The person the token (or the signed-in session) identifies, with their roles."""
    # One query (the roles with their States and organisations), besides identifying the caller.
    user = request.user
    return {
        "email": _email(user),
        "roles": [
            {
                "kind": role.kind,
                "state": role.state.iso3 if role.state_id else None,
                "organisation": role.organisation_id,
                "thematic_area": role.thematic_area,
            }
            for role in roles_of(user)
        ],
        "is_isu": is_isu(user),
    }


# --- Declarations: a State's ---------------------------------------------------------------


@router.get(
    "/states/{iso3}/declaration",
    auth=OPTIONAL,
    openapi_extra=OPTIONAL_SECURITY,
    response={200: StateProfileOut, 401: Detail, 404: Detail},
    exclude_unset=True,
    operation_id="get_state_declaration",
    summary="A State's declared contact details and obligations",
    tags=["Declarations"],
)
def get_state_declaration(request, iso3: Annotated[str, ISO3_PATH]):
    """The State's declaration as ISU last validated it (what the public sees). For the
    State's focal points and ISU staff, also the declaration awaiting validation, if any
    (`pending`; absent for everyone else)."""
    # Two queries (the State, the validated declaration); three more for the State's
    # focal points and ISU staff (their roles, the pending declaration, who sent it).
    state = _state(iso3)
    result = {"validated": _validated_out(services.validated(state), services.STATE_FIELDS)}
    return _with_pending(request, state, "states.change_state_profile", result)


@router.put(
    "/states/{iso3}/declaration",
    response={200: StateDeclarationOut, **UNREADABLE_BODY, 401: Detail, 403: Detail, 404: Detail, 422: ParameterErrors},
    operation_id="put_state_declaration",
    summary="Declare a State's contact details and obligations (focal points, ISU)",
    tags=["Declarations"],
)
def put_state_declaration(request, iso3: Annotated[str, ISO3_PATH], payload: StateDeclarationIn):
    """Send the State's declaration for ISU to validate; it replaces one still awaiting
    validation. The public keeps seeing the last validated declaration until ISU
    validates this one. For the State's focal points (State or partner focal points of
    that State) and ISU staff. Answers with the declaration awaiting validation."""
    state = _state(iso3)
    return _declaration_out(services.submit(request.user, state, payload.model_dump()), state)


# --- Declarations: an organisation's --------------------------------------------------------


@router.get(
    "/organisations/{id}/declaration",
    auth=OPTIONAL,
    openapi_extra=OPTIONAL_SECURITY,
    response={200: OrganisationProfileOut, 401: Detail, 404: Detail, 422: ParameterErrors},
    exclude_unset=True,
    operation_id="get_organisation_declaration",
    summary="An organisation's declared contact details",
    tags=["Declarations"],
)
def get_organisation_declaration(request, id: Annotated[int, ORGANISATION_PATH]):
    """The organisation's contact details as ISU last validated them (what the public
    sees). For its partner focal points and ISU staff, also the declaration awaiting
    validation, if any (`pending`; absent for everyone else)."""
    # As for a State's declaration.
    organisation = _organisation(id)
    result = {"validated": _validated_out(services.validated(organisation), services.ORGANISATION_FIELDS)}
    return _with_pending(request, organisation, "states.change_organisation_profile", result)


@router.put(
    "/organisations/{id}/declaration",
    response={
        200: OrganisationDeclarationOut,
        **UNREADABLE_BODY,
        401: Detail,
        403: Detail,
        404: Detail,
        422: ParameterErrors,
    },
    operation_id="put_organisation_declaration",
    summary="Declare an organisation's contact details (its partner focal points, ISU)",
    tags=["Declarations"],
)
def put_organisation_declaration(
    request,
    id: Annotated[int, ORGANISATION_PATH],
    payload: OrganisationDeclarationIn,
):
    """Send the organisation's contact details for ISU to validate; they replace a
    declaration still awaiting validation. For the organisation's partner focal points
    and ISU staff. Answers with the declaration awaiting validation."""
    organisation = _organisation(id)
    return _declaration_out(services.submit(request.user, organisation, payload.model_dump()), organisation)


# --- ISU's validation ------------------------------------------------------------------------


@router.get(
    "/declarations/pending",
    response={200: PendingOut, 401: Detail, 403: Detail, 422: ParameterErrors},
    operation_id="list_pending_declarations",
    summary="The declarations awaiting validation (ISU)",
    tags=["Validation"],
)
def list_pending_declarations(request, paging: Query[Paging] = None):
    """Every declaration awaiting ISU validation: States', then organisations', oldest first."""
    # Three queries: the caller's roles, the States' declarations, the organisations'.
    require(request.user, "states.validate_declaration")
    states, organisations = services.awaiting_validation()
    return paging.page([*states, *organisations], _declaration_out)


def _to_review(request, kind: str, pk: int):
    """The declaration ISU reviews: 403 unless ISU staff, 404 if unknown, 409 unless awaiting validation."""
    require(request.user, "states.validate_declaration")
    model = StateDeclaration if kind == "state" else OrganisationDeclaration
    # Locked until the review is saved, so two reviews of one declaration cannot cross.
    found = model.objects.select_related(kind, "submitted_by").select_for_update(of=("self",)).filter(pk=pk)
    declaration = found.first()
    if declaration is None:
        raise HttpError(404, _("No %(record)s has the id %(id)s.") % {"record": model._meta.verbose_name, "id": pk})
    if declaration.status != DeclarationStatus.PENDING:
        raise Conflict(
            _("This declaration is not awaiting validation (it is %(status)s).")
            % {"status": declaration.get_status_display()}
        )
    return declaration


def _reviewed(call, *args):
    try:
        return _declaration_out(call(*args))
    except ValueError as exc:  # reviewed meanwhile
        raise Conflict(str(exc)) from exc


REVIEW_RESPONSES = {
    200: DeclarationOut,
    **UNREADABLE_BODY,
    401: Detail,
    403: Detail,
    404: Detail,
    409: Detail,
    422: ParameterErrors,
}


@router.post(
    "/declarations/{kind}/{id}/validate",
    response=REVIEW_RESPONSES,
    operation_id="validate_declaration",
    summary="Validate a declaration: the public then sees it (ISU)",
    tags=["Validation"],
)
def validate_declaration(
    request,
    kind: Annotated[Kind, KIND_PATH],
    id: Annotated[int, DECLARATION_PATH],
    payload: ReviewIn | None = None,
):
    """ISU validates the declaration: it becomes what the public sees. The note is optional."""
    # Four queries, in a transaction: the caller's roles, the declaration (locked), its save, its history row.
    with transaction.atomic():
        declaration = _to_review(request, kind, id)
        return _reviewed(services.validate, request.user, declaration, payload.note if payload else "")


@router.post(
    "/declarations/{kind}/{id}/return",
    response=REVIEW_RESPONSES,
    operation_id="return_declaration",
    summary="Return a declaration to its focal points, with a note saying why (ISU)",
    tags=["Validation"],
)
def return_declaration(
    request,
    kind: Annotated[Kind, KIND_PATH],
    id: Annotated[int, DECLARATION_PATH],
    payload: ReviewIn,
):
    """ISU returns the declaration with a note saying why (required); the public keeps
    seeing the last validated one."""
    with transaction.atomic():
        declaration = _to_review(request, kind, id)
        if not payload.note:
            raise InvalidValue("note", _("Say why the declaration is returned."))
        return _reviewed(services.return_to_focal_point, request.user, declaration, payload.note)


# --- The audit trail -----------------------------------------------------------------------


@router.get(
    "/history/{kind}/{key}",
    response={200: HistoryOut, 401: Detail, 403: Detail, 404: Detail, 422: ParameterErrors},
    operation_id="get_history",
    summary="The audit trail of a State or an organisation (ISU)",
    tags=["History"],
)
def get_history(
    request,
    kind: Annotated[Kind, KIND_PATH],
    key: Annotated[str, Path(description="The State's ISO3 code (any case) or the organisation's id.")],
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY, description=f"At most {MAX_HISTORY}.")] = DEFAULT_HISTORY,
):
    """Who changed what and when, with the values before and after: the changes to the
    State (or organisation) and to its declarations, newest first."""
    # Six or seven queries: the caller's roles, the State or organisation, its history, its declarations'
    # (and a State's obligation facts'),
    # then the people and the records named in them, each read at once (accounts.audit).
    require(request.user, "accounts.view_any_history")
    if kind == "state":
        state = _state(key)
        key = state.iso3
        subject = state
    else:
        subject = _organisation(key)
        key = str(subject.pk)
    entries = audit.entries_for(services.history_querysets(subject), limit=limit)
    return {"kind": kind, "key": key, "entries": [entry.as_json() for entry in entries]}
