"""Fictional sample accounts for the demonstration, one for each role. Their roles are
flagged `is_sample`; their addresses are under a reserved domain that cannot receive
mail (.invalid), so nobody real is ever written to."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from article6.accounts.models import Role, RoleKind
from article6.states.models import Organisation, State
from article6.treaty.models import Pillar

SAMPLE_DOMAIN = "sample.article6.invalid"

# (e-mail, name, role, State ISO3 or organisation name or thematic area)
SAMPLE_ACCOUNTS = [
    (f"lao.focal@{SAMPLE_DOMAIN}", "Sample focal point, Lao PDR", RoleKind.STATE_FOCAL_POINT, "LAO"),
    (f"lebanon.focal@{SAMPLE_DOMAIN}", "Sample focal point, Lebanon", RoleKind.STATE_FOCAL_POINT, "LBN"),
    (f"norway.partner@{SAMPLE_DOMAIN}", "Sample partner focal point, Norway", RoleKind.PARTNER_FOCAL_POINT, "NOR"),
    (
        f"ngo.partner@{SAMPLE_DOMAIN}",
        "Sample partner focal point, Fictional Demining Trust",
        RoleKind.PARTNER_FOCAL_POINT,
        "Fictional Demining Trust (sample)",
    ),
    (f"coordinator@{SAMPLE_DOMAIN}", "Sample coordinator", RoleKind.COORDINATOR, Pillar.COOPERATION),
    (f"isu@{SAMPLE_DOMAIN}", "Sample ISU staff member", RoleKind.ISU_STAFF, None),
]


def sample_password() -> str:
    return os.environ.get("ARTICLE6_SAMPLE_PASSWORD") or secrets.token_urlsafe(12)


@transaction.atomic
def load_sample_accounts(password: str) -> list[tuple[str, str]]:
    """Create or refresh the sample accounts with `password`; returns (e-mail, role) pairs."""
    from allauth.account.models import EmailAddress

    users = get_user_model()
    made = []
    for email, name, kind, scope in SAMPLE_ACCOUNTS:
        user, _created = users.objects.get_or_create(username=email, defaults={"email": email})
        user.email = email
        user.first_name = name[:150]
        user.is_active = True
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        role = {"kind": kind}
        if kind == RoleKind.COORDINATOR:
            role["thematic_area"] = scope
        elif kind == RoleKind.PARTNER_FOCAL_POINT and len(scope) != 3:
            role["organisation"] = Organisation.objects.get(name=scope)
        elif scope:
            role["state"] = State.objects.get(iso3=scope)
        Role.objects.update_or_create(user=user, **role, defaults={"is_sample": True})
        made.append((email, str(Role(**role))))
    return made


@transaction.atomic
def remove_sample_accounts() -> int:
    deleted, _ = get_user_model().objects.filter(email__endswith="@" + SAMPLE_DOMAIN).delete()
    return deleted
