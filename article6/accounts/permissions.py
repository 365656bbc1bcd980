"""The one permission layer: plain predicates (the `rules` library) that every view,
form, htmx endpoint, admin action, API endpoint and import asks. Who may view, who
may change. Nobody changes data of a State or organisation that is not theirs."""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy as _

from article6.accounts.models import RoleKind, Visibility

# What a person lacks when a permission refuses them: written once, here, for every view,
# service, API operation and import (require). The names in a message (%(state)s, ...)
# are given to require by keyword.
LACKING = {
    "states.change_state_profile": _("Only the focal points of %(state)s and ISU staff may change its profile."),
    "states.view_state_history": _("Only the focal points of %(state)s and ISU staff see its history."),
    "states.change_organisation_profile": _(
        "Only the focal points of %(organisation)s and ISU staff may change its profile."
    ),
    "states.view_organisation_history": _("Only the focal points of %(organisation)s and ISU staff see its history."),
    "states.validate_declaration": _("Only ISU staff validate declarations."),
    "accounts.invite": _("Only ISU staff invite people."),
    "accounts.view_any_history": _("Only ISU staff read the whole audit trail."),
    "assistance.add_need": _("Needs are filed by the focal points of the State that has them, and by ISU staff."),
    "assistance.add_need_for": _("Only the focal points of %(state)s and ISU staff file its needs."),
    "assistance.change_need": _("Only the focal points of %(state)s and ISU staff change its needs."),
    "assistance.add_offer": _(
        "Offers are published by partner focal points of a donor State or an organisation, and by ISU staff."
    ),
    "assistance.publish_offer_for": _(
        "You may publish offers only for the donor State or organisation you are a focal point of."
    ),
    "assistance.change_offer": _("Only the provider's focal points and ISU staff change this offer."),
    "assistance.add_commitment": _(
        "Commitments are recorded by partner focal points of the provider, and by ISU staff."
    ),
    "assistance.record_commitment_for": _(
        "You may record commitments only for the donor State or organisation you are a focal point of."
    ),
    "assistance.change_commitment": _("Only the provider's focal points and ISU staff change this commitment."),
    "assistance.confirm_receipt": _("Only the focal points of %(state)s and ISU staff confirm what it received."),
    "assistance.propose_match": _("Only coordinators and ISU staff propose matches."),
    "assistance.answer_match": _(
        "Only the focal points of the need's State or of the offer's provider, and ISU staff, answer."
    ),
    "assistance.answer_match_as_state": _("Only the focal points of %(state)s and ISU staff answer for the State."),
    "assistance.answer_match_as_provider": _(
        "Only the focal points of %(provider)s and ISU staff answer for the provider."
    ),
    "assistance.view_donor_view": _("The donor's view is for focal points, coordinators and ISU staff."),
    "reporting.file_report_for": _("Only the focal points of %(state)s and ISU staff write its reports."),
    "reporting.edit_report": _("Only the focal points of %(state)s and ISU staff write its reports."),
    "reporting.read_report": _(
        "Until it is published, a report is read by its State's focal points, the coordinators and ISU staff."
    ),
    "reporting.publish_report": _("Only ISU staff publish reports."),
    "reporting.record_past_report": _("Only ISU staff record past reports."),
    "reporting.set_records_complete": _("Only ISU staff say from when their records are complete."),
    "work.view_queue": _("Only ISU staff and the coordinators have a work queue."),
    "ops.view_tasks": _("Only ISU staff see the background tasks."),
    "ops.retry_task": _("Only ISU staff try a failed task again."),
    "ops.view_job": _("Only the person who started this work sees it."),
    "assistance.import_commitments": _("Only ISU staff import IATI and CRS files."),
}


def refusal(permission: str, **names) -> str:
    """The refusal of `permission`, in the active language, with the names it mentions."""
    return str(LACKING[permission]) % names if names else str(LACKING[permission])


def require(user, permission: str, obj=None, **names) -> None:
    """Stop with a 403 that says what the person lacks (LACKING), unless the rules allow it."""
    from django.core.exceptions import PermissionDenied

    if not user.has_perm(permission, obj):
        raise PermissionDenied(refusal(permission, **names))


def roles_of(user) -> list:
    """The user's roles, read once per request (kept on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_article6_roles", None)
    if cached is None:
        cached = list(user.roles.select_related("state", "organisation"))
        user._article6_roles = cached
    return cached


def forget_roles(user) -> None:
    if hasattr(user, "_article6_roles"):
        del user._article6_roles


def _has(user, kind, **scope) -> bool:
    for role in roles_of(user):
        if role.kind != kind:
            continue
        if all(getattr(role, f"{name}_id") == getattr(value, "pk", value) for name, value in scope.items()):
            return True
    return False


@rules.predicate
def is_isu(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or _has(user, RoleKind.ISU_STAFF))


@rules.predicate
def is_coordinator(user) -> bool:
    return _has(user, RoleKind.COORDINATOR)


@rules.predicate
def has_any_role(user) -> bool:
    return bool(roles_of(user)) or is_isu(user)


@rules.predicate
def is_focal_point_of_state(user, state) -> bool:
    """A State focal point of that State, or a partner focal point for that (donor) State."""
    if state is None:
        return False
    return _has(user, RoleKind.STATE_FOCAL_POINT, state=state) or _has(user, RoleKind.PARTNER_FOCAL_POINT, state=state)


@rules.predicate
def is_focal_point_of_organisation(user, organisation) -> bool:
    if organisation is None:
        return False
    return _has(user, RoleKind.PARTNER_FOCAL_POINT, organisation=organisation)


def states_of(user) -> set[int]:
    """Ids of the States the user speaks for."""
    return {r.state_id for r in roles_of(user) if r.state_id}


def reporting_states_of(user) -> set[int]:
    """Ids of the States whose transparency reports the user writes (its own State
    focal point roles; a partner focal point speaks for a donor, not for its reports)."""
    return {r.state_id for r in roles_of(user) if r.state_id and r.kind == RoleKind.STATE_FOCAL_POINT}


def organisations_of(user) -> set[int]:
    return {r.organisation_id for r in roles_of(user) if r.organisation_id}


def can_view(user, visibility: str, *, states=(), organisations=()) -> bool:
    """Visibility tiers: public; signed-in States Parties and partners (anyone with a
    role); restricted (the parties named on the record, coordinators, ISU); ISU only.
    `states` and `organisations` are the parties named on the record."""
    if visibility == Visibility.PUBLIC:
        return True
    if is_isu(user):
        return True
    if visibility == Visibility.SIGNED_IN:
        return has_any_role(user)
    if visibility == Visibility.RESTRICTED:
        if is_coordinator(user):
            return True
        named_states = {getattr(s, "pk", s) for s in states}
        named_organisations = {getattr(o, "pk", o) for o in organisations}
        return bool(states_of(user) & named_states or organisations_of(user) & named_organisations)
    return False


# Object permissions, asked through user.has_perm(name, obj) everywhere.
can_change_state_profile = is_isu | is_focal_point_of_state
can_change_organisation_profile = is_isu | is_focal_point_of_organisation

rules.add_perm("states.change_state_profile", can_change_state_profile)
rules.add_perm("states.view_state_history", is_isu | is_focal_point_of_state)
rules.add_perm("states.change_organisation_profile", can_change_organisation_profile)
rules.add_perm("states.view_organisation_history", is_isu | is_focal_point_of_organisation)
rules.add_perm("states.validate_declaration", is_isu)
rules.add_perm("accounts.invite", is_isu)
rules.add_perm("accounts.view_any_history", is_isu)

# --- Assistance (Art. 6) -------------------------------------------------------------------
# A State's needs are filed and changed by that State's own focal points (not by a
# partner focal point for a donor State); offers and commitments by the provider's
# partner focal points; the recipient confirms what it received; coordinators and ISU
# propose matches; each side answers for itself.


def _state_focal_point(user, state) -> bool:
    return state is not None and _has(user, RoleKind.STATE_FOCAL_POINT, state=state)


@rules.predicate
def is_state_focal_point_of(user, state) -> bool:
    return _state_focal_point(user, state)


@rules.predicate
def speaks_for_need_state(user, need) -> bool:
    return need is not None and _state_focal_point(user, need.state_id)


@rules.predicate
def speaks_for_provider(user, record) -> bool:
    """A partner focal point of the record's provider (a donor State or an organisation)."""
    if record is None:
        return False
    if record.provider_state_id:
        return _has(user, RoleKind.PARTNER_FOCAL_POINT, state=record.provider_state_id)
    if record.provider_organisation_id:
        return _has(user, RoleKind.PARTNER_FOCAL_POINT, organisation=record.provider_organisation_id)
    return False


@rules.predicate
def speaks_for_recipient(user, commitment) -> bool:
    return commitment is not None and _state_focal_point(user, commitment.recipient_id)


@rules.predicate
def is_partner_focal_point(user) -> bool:
    return any(r.kind == RoleKind.PARTNER_FOCAL_POINT for r in roles_of(user))


@rules.predicate
def speaks_for_match_need(user, match) -> bool:
    return match is not None and _state_focal_point(user, match.need.state_id)


@rules.predicate
def speaks_for_match_offer(user, match) -> bool:
    return match is not None and speaks_for_provider(user, match.offer)


def provider_choices(user) -> tuple[set[int], set[int]]:
    """(donor State ids, organisation ids) the user may publish offers and commitments for."""
    partner = [r for r in roles_of(user) if r.kind == RoleKind.PARTNER_FOCAL_POINT]
    return {r.state_id for r in partner if r.state_id}, {r.organisation_id for r in partner if r.organisation_id}


def visible_q(user, *, state_field: str | None = None, provider: bool = False, recipient_field: str | None = None):
    """A Q filter for the records `user` may read under the visibility tiers: public;
    signed-in (anyone with a role); restricted (the parties named on the record,
    coordinators, ISU); ISU only. The parties are the State in `state_field`, the
    provider (when `provider`) and the State in `recipient_field`."""
    from django.db.models import Q

    if is_isu(user):
        return Q()
    allowed = Q(visibility=Visibility.PUBLIC)
    if not has_any_role(user):
        return allowed
    allowed |= Q(visibility=Visibility.SIGNED_IN)
    if is_coordinator(user):
        return allowed | Q(visibility=Visibility.RESTRICTED)
    mine = Q(pk__in=[])
    states, organisations = states_of(user), organisations_of(user)
    for name in filter(None, (state_field, recipient_field)):
        mine |= Q(**{f"{name}__in": states})
    if provider:
        mine |= Q(provider_state__in=states) | Q(provider_organisation__in=organisations)
    return allowed | (Q(visibility=Visibility.RESTRICTED) & mine)


@rules.predicate
def is_any_state_focal_point(user) -> bool:
    return any(r.kind == RoleKind.STATE_FOCAL_POINT for r in roles_of(user))


rules.add_perm("assistance.add_need", is_isu | is_any_state_focal_point)
rules.add_perm("assistance.add_need_for", is_isu | is_state_focal_point_of)
rules.add_perm("assistance.change_need", is_isu | speaks_for_need_state)
rules.add_perm("assistance.add_offer", is_isu | is_partner_focal_point)
rules.add_perm("assistance.change_offer", is_isu | speaks_for_provider)
rules.add_perm("assistance.publish_offer_for", is_isu | speaks_for_provider)
rules.add_perm("assistance.add_commitment", is_isu | is_partner_focal_point)
rules.add_perm("assistance.change_commitment", is_isu | speaks_for_provider)
rules.add_perm("assistance.record_commitment_for", is_isu | speaks_for_provider)
rules.add_perm("assistance.confirm_receipt", is_isu | speaks_for_recipient)
rules.add_perm("assistance.propose_match", is_isu | is_coordinator)
rules.add_perm("assistance.answer_match_as_state", is_isu | speaks_for_match_need)
rules.add_perm("assistance.answer_match_as_provider", is_isu | speaks_for_match_offer)
rules.add_perm("assistance.answer_match", is_isu | speaks_for_match_need | speaks_for_match_offer)
rules.add_perm("assistance.view_donor_view", has_any_role)

# --- Transparency reports (Art. 7) ----------------------------------------------------------
# A State's own focal points write, submit and correct its reports; ISU publishes them and
# records the dates of past ones. Until published, a report is read by its State's focal
# points, the coordinators and ISU; once published, by everyone.


@rules.predicate
def speaks_for_report_state(user, report) -> bool:
    return report is not None and _state_focal_point(user, report.state_id)


@rules.predicate
def report_is_published(user, report) -> bool:
    return report is not None and report.status == "published"


rules.add_perm("reporting.file_report_for", is_isu | is_state_focal_point_of)
rules.add_perm("reporting.edit_report", is_isu | speaks_for_report_state)
rules.add_perm("reporting.read_report", report_is_published | is_isu | is_coordinator | speaks_for_report_state)
rules.add_perm("reporting.publish_report", is_isu)
rules.add_perm("reporting.record_past_report", is_isu)
rules.add_perm("reporting.set_records_complete", is_isu)  # the day from which ISU's records are complete

# --- The work queue ---------------------------------------------------------------------------
rules.add_perm("work.view_queue", is_isu | is_coordinator)

# --- Background work ----------------------------------------------------------------------------
rules.add_perm("ops.view_tasks", is_isu)
rules.add_perm("ops.retry_task", is_isu)
rules.add_perm("assistance.import_commitments", is_isu)


@rules.predicate
def started_the_job(user, job) -> bool:
    """A job (an upload being imported, an export being made) is its owner's alone: it
    holds what they uploaded and what they may see."""
    return job is not None and getattr(user, "is_authenticated", False) and job.owner_id == user.pk


rules.add_perm("ops.view_job", started_the_job)


# The back office (Django admin): ISU staff may view, add, change and delete the
# records of the article6 apps, and see people's accounts. Only the administrator
# changes an account itself (its password, its superuser flag): that keeps ISU staff
# from taking over an account. Asked through the same rules layer as every other
# permission.
BACK_OFFICE_APPS = ("accounts", "states", "treaty", "assistance", "reporting")


def grant_back_office(models) -> None:
    # The apps themselves (the back office lists an app to those with its module permission).
    for app_label in (*BACK_OFFICE_APPS, "auth"):
        if not rules.perm_exists(app_label):
            rules.add_perm(app_label, is_isu)
    for model in models:
        meta = model._meta
        if meta.app_label in BACK_OFFICE_APPS and not meta.model_name.startswith("historical"):
            actions = ("view", "add", "change", "delete")
        elif (meta.app_label, meta.model_name) == ("auth", "user"):
            actions = ("view",)
        else:
            continue
        for action in actions:
            name = f"{meta.app_label}.{action}_{meta.model_name}"
            if not rules.perm_exists(name):
                rules.add_perm(name, is_isu)
