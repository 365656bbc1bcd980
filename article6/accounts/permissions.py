"""The one permission layer: plain predicates (the `rules` library) that every view,
form, htmx endpoint, admin action, API endpoint and import asks. Who may view, who
may change. Nobody changes data of a State or organisation that is not theirs."""

from __future__ import annotations

import rules

from article6.accounts.models import RoleKind, Visibility


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

# The back office (Django admin): ISU staff may view, add, change and delete the
# records of the article6 apps, and see people's accounts. Only the administrator
# changes an account itself (its password, its superuser flag): that keeps ISU staff
# from taking over an account. Asked through the same rules layer as every other
# permission.
BACK_OFFICE_APPS = ("accounts", "states", "treaty")


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
