"""What focal points declare about their State or organisation, and ISU's validation.

A focal point's change never replaces the public profile directly: it is stored as a
declaration "awaiting ISU validation"; the public keeps seeing the last validated one
until ISU validates the new one. Pages, the API and imports all go through these
functions, which ask the permission layer themselves and record who did what in the
audit trail.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from article6.accounts.permissions import require
from article6.states.models import (
    DeclarationStatus,
    Organisation,
    OrganisationDeclaration,
    State,
    StateDeclaration,
)

CONTACT_FIELDS = (
    "contact_institution",
    "contact_person",
    "contact_email",
    "contact_phone",
    "contact_address",
    "contact_website",
)
# Art. 3, 4 and 5 obligations, and Art. 4(4) for a former user State.
OBLIGATION_FIELDS = ("holds_stockpiles", "has_contaminated_areas", "has_victims", "former_user_state")
STATE_FIELDS = CONTACT_FIELDS + OBLIGATION_FIELDS
ORGANISATION_FIELDS = CONTACT_FIELDS


def _kind(subject) -> tuple[type, str, str, tuple[str, ...]]:
    """(declaration model, its field naming the subject, the permission to change it, fields)."""
    if isinstance(subject, State):
        return StateDeclaration, "state", "states.change_state_profile", STATE_FIELDS
    if isinstance(subject, Organisation):
        return OrganisationDeclaration, "organisation", "states.change_organisation_profile", ORGANISATION_FIELDS
    raise TypeError(f"No declarations for {type(subject).__name__}")


def validated(subject):
    """The declaration the public sees: the last one ISU validated, or None."""
    model, field, _perm, _fields = _kind(subject)
    return (
        model.objects.filter(**{field: subject}, status=DeclarationStatus.VALIDATED)
        .order_by("-reviewed", "-id")
        .first()
    )


def pending(subject):
    """The declaration awaiting ISU validation, or None (there is at most one)."""
    model, field, _perm, _fields = _kind(subject)
    return model.objects.filter(**{field: subject}, status=DeclarationStatus.PENDING).order_by("-id").first()


def latest(subject):
    """The newest declaration whatever its status (what its focal point last sent)."""
    model, field, _perm, _fields = _kind(subject)
    return model.objects.filter(**{field: subject}).order_by("-submitted", "-id").first()


def can_change(user, subject) -> bool:
    return user.has_perm(_kind(subject)[2], subject)


@transaction.atomic
def submit(user, subject, values: dict):
    """Store what `user` declares for `subject` (a State or an Organisation) as the
    declaration awaiting validation, replacing an earlier one still awaiting it.

    Raises PermissionDenied unless `user` is a focal point of `subject` or ISU staff."""
    model, field, perm, fields = _kind(subject)
    require(user, perm, subject, state=subject, organisation=subject)
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"Not declarable: {', '.join(sorted(unknown))}")
    declaration = pending(subject) or model(**{field: subject})
    for name in fields:
        if name in values:
            setattr(declaration, name, values[name])
    declaration.status = DeclarationStatus.PENDING
    declaration.submitted_by = user
    declaration.submitted = timezone.now()
    declaration.reviewed_by = None
    declaration.reviewed = None
    declaration.review_note = ""
    declaration.full_clean(exclude=[field, "submitted_by"])
    declaration._history_user = user
    declaration.save()
    return declaration


def _review(user, declaration, status: str, note: str):
    require(user, "states.validate_declaration")
    if declaration.status != DeclarationStatus.PENDING:
        raise ValueError(_("This declaration is not awaiting validation."))
    declaration.status = status
    declaration.reviewed_by = user
    declaration.reviewed = timezone.now()
    declaration.review_note = note
    declaration._history_user = user
    declaration.save()
    return declaration


@transaction.atomic
def validate(user, declaration, note: str = ""):
    """ISU validates: the declaration becomes what the public sees."""
    return _review(user, declaration, DeclarationStatus.VALIDATED, note)


@transaction.atomic
def return_to_focal_point(user, declaration, note: str):
    """ISU returns a declaration with a note saying why; the public keeps the validated one."""
    if not note.strip():
        raise ValueError(_("Say why the declaration is returned."))
    return _review(user, declaration, DeclarationStatus.REJECTED, note)


def awaiting_validation():
    """Every declaration awaiting ISU validation, States' then organisations', oldest first
    (two queries whatever their number)."""
    states = list(
        StateDeclaration.objects.filter(status=DeclarationStatus.PENDING)
        .select_related("state", "submitted_by")
        .order_by("submitted", "id")
    )
    organisations = list(
        OrganisationDeclaration.objects.filter(status=DeclarationStatus.PENDING)
        .select_related("organisation", "submitted_by")
        .order_by("submitted", "id")
    )
    return states, organisations


def history_querysets(subject) -> list:
    """The audit trail of a State (the State, its declarations, its obligation facts) or of
    an organisation (the organisation, its declarations), for the history page and the API."""
    if isinstance(subject, State):
        from article6.treaty.models import ObligationFact

        return [
            State.history.filter(id=subject.pk),
            StateDeclaration.history.filter(state_id=subject.pk),
            ObligationFact.history.filter(state_id=subject.pk),
        ]
    return [
        Organisation.history.filter(id=subject.pk),
        OrganisationDeclaration.history.filter(organisation_id=subject.pk),
    ]
