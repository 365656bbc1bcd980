"""People with roles, for the tests: one of each role the Convention's system knows."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from article6.accounts.models import Role, RoleKind
from article6.accounts.totp import activate_totp
from article6.states.models import Organisation, OrganisationKind, State
from article6.treaty.models import Pillar

PASSWORD = "a-long-test-password-42"

ROLE_NAMES = [
    "anonymous",
    "no_role",
    "lao_focal_point",
    "lebanon_focal_point",
    "norway_partner",
    "ngo_partner",
    "coordinator",
    "isu",
]


def person(email: str, *roles: dict, totp: bool = False):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    for role in roles:
        Role.objects.create(user=user, **role)
    if totp:
        activate_totp(user)
    return user


def sample_ngo() -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name="Test Demining NGO (test)", defaults={"kind": OrganisationKind.NGO, "acronym": "TDN"}
    )
    return organisation


def everyone() -> dict:
    """One user for each role (None for the anonymous visitor). Needs the reference States."""
    lao, lbn, nor = (State.objects.get(iso3=c) for c in ("LAO", "LBN", "NOR"))
    ngo = sample_ngo()
    return {
        "anonymous": None,
        "no_role": person("nobody@example.org"),
        "lao_focal_point": person("lao@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": lao}),
        "lebanon_focal_point": person("lbn@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": lbn}),
        "norway_partner": person("nor@example.org", {"kind": RoleKind.PARTNER_FOCAL_POINT, "state": nor}),
        "ngo_partner": person("ngo@example.org", {"kind": RoleKind.PARTNER_FOCAL_POINT, "organisation": ngo}),
        "coordinator": person(
            "coord@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": Pillar.COOPERATION}, totp=True
        ),
        "isu": person("isu@example.org", {"kind": RoleKind.ISU_STAFF}, totp=True),
    }
