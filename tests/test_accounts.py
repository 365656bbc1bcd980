"""Accounts: invitation only, sign-in by e-mail, a second factor for coordinators and
ISU staff, password reset by e-mail, personal API tokens, and the sample accounts."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from people import PASSWORD, person

from article6.accounts.models import ApiToken, Invitation, Role, RoleKind, hash_token
from article6.accounts.totp import activate_totp, current_code
from article6.states.models import State


def invite(client, isu, **values):
    client.force_login(isu)
    return client.post(reverse("accounts:invitations"), values)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", message.body).group(1)


def test_isu_invites_and_the_person_joins_with_that_role(client, people):
    lao = State.objects.get(iso3="LAO")
    response = invite(client, people["isu"], email="New.Person@Example.org", kind="state_focal_point", state=lao.pk)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org" and invitation.invited_by == people["isu"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    assert "State focal point (Lao People's Democratic Republic)" in mail.outbox[0].body
    link = link_in(mail.outbox[0])

    client.logout()
    page = client.get(link).content.decode()
    assert "new.person@example.org" in page
    response = client.post(link, {"name": "New Person", "password1": "correct horse battery", "password2": "x"})
    assert "The two passwords differ." in response.content.decode()
    response = client.post(link, {"password1": "correct horse battery", "password2": "correct horse battery"})
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.person@example.org")
    assert user.check_password("correct horse battery")
    assert [(r.kind, r.state) for r in user.roles.all()] == [(RoleKind.STATE_FOCAL_POINT, lao)]
    # Signed in straight away, and the link works only once.
    assert client.get(reverse("accounts:me")).status_code == 200
    client.logout()
    assert client.get(link).status_code == 404


def test_an_invitation_to_an_existing_person_adds_the_role_once_they_sign_in(client, people):
    lbn = State.objects.get(iso3="LBN")
    invite(client, people["isu"], email="lao@example.org", kind="state_focal_point", state=lbn.pk)
    client.logout()
    link = link_in(mail.outbox[0])
    # The link alone neither signs in nor adds the role, whatever password is typed.
    client.post(link, {"password1": "whatever-it-is-42", "password2": "whatever-it-is-42"})
    lao_focal_point = people["lao_focal_point"]
    assert client.get(reverse("accounts:me")).status_code == 302
    assert [r.state.iso3 for r in lao_focal_point.roles.all()] == ["LAO"]
    client.post("/accounts/login/", {"login": "lao@example.org", "password": PASSWORD})
    client.post(link)
    assert sorted(r.state.iso3 for r in lao_focal_point.roles.all()) == ["LAO", "LBN"]
    lao_focal_point.refresh_from_db()
    assert lao_focal_point.check_password(PASSWORD)  # an existing password is not replaced


def test_an_invitation_must_be_scoped(client, people):
    response = invite(client, people["isu"], email="x@example.org", kind="state_focal_point")
    assert response.status_code == 200
    assert "A State focal point belongs to one State." in response.content.decode()
    response = invite(client, people["isu"], email="x@example.org", kind="coordinator")
    assert "A coordinator coordinates a thematic area." in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("role", ["lao_focal_point", "norway_partner", "coordinator", "no_role"])
def test_only_isu_invites(client, people, role):
    lao = State.objects.get(iso3="LAO")
    response = invite(client, people[role], email="x@example.org", kind="state_focal_point", state=lao.pk)
    assert response.status_code == 403
    assert "Only ISU staff invite people." in response.content.decode()
    assert not Invitation.objects.exists()


def test_no_open_sign_up(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "me@example.org", "password1": "a-good-password-1", "password2": "a-good-password-1"},
    )
    assert not get_user_model().objects.filter(email="me@example.org").exists()
    assert response.status_code in (200, 302)


def test_sign_in_by_email(client, people):
    response = client.post("/accounts/login/", {"login": "lao@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 200


def test_isu_staff_sign_in_with_a_second_factor(client, people):
    response = client.post("/accounts/login/", {"login": "isu@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    # Not signed in yet.
    assert client.get(reverse("accounts:me")).status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert client.get(reverse("accounts:me")).status_code == 302

    from allauth.mfa.models import Authenticator

    secret = Authenticator.objects.get(user=people["isu"], type="totp").data["secret"]
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 200


def test_coordinators_without_a_second_factor_must_set_one_up(client, people):
    coordinator = person("new.coordinator@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"})
    client.force_login(coordinator)
    response = client.get("/states/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate/")
    activate_totp(coordinator)
    assert client.get("/states/").status_code == 200


def test_failed_sign_ins_are_throttled(client, people):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "lao@example.org", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "lao@example.org", "password": PASSWORD})
    assert response.status_code == 429 or "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("accounts:me")).status_code == 302


def test_password_reset_by_email(client, people):
    response = client.post("/accounts/password/reset/", {"email": "lao@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lao@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_api_tokens_created_shown_once_and_revoked(client, people):
    client.force_login(people["lao_focal_point"])
    response = client.post(reverse("accounts:tokens"), {"name": "reporting script", "scope": "read"})
    page = response.content.decode()
    raw = re.search(r"<code[^>]*>(a6_[^<]+)</code>", page).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert raw not in client.get(reverse("accounts:tokens")).content.decode()

    # Another person cannot revoke it.
    client.force_login(people["lebanon_focal_point"])
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked is None

    client.force_login(people["lao_focal_point"])
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None


def test_sample_accounts_one_for_each_role(reference, monkeypatch):
    monkeypatch.setenv("ARTICLE6_SAMPLE_PASSWORD", "the-shared-sample-password")
    out = StringIO()
    call_command("load-sample", stdout=out)
    call_command("load-sample", stdout=StringIO())  # idempotent
    printed = out.getvalue()
    assert "shared password: the-shared-sample-password" in printed
    roles = {
        (r.user.email, r.kind, r.state.iso3 if r.state else None) for r in Role.objects.select_related("user", "state")
    }
    domain = "sample.article6.invalid"
    assert (f"lao.focal@{domain}", RoleKind.STATE_FOCAL_POINT, "LAO") in roles
    assert (f"lebanon.focal@{domain}", RoleKind.STATE_FOCAL_POINT, "LBN") in roles
    assert (f"norway.partner@{domain}", RoleKind.PARTNER_FOCAL_POINT, "NOR") in roles
    assert (f"isu@{domain}", RoleKind.ISU_STAFF, None) in roles
    assert Role.objects.get(user__email=f"ngo.partner@{domain}").organisation.is_sample
    assert Role.objects.get(user__email=f"coordinator@{domain}").kind == RoleKind.COORDINATOR
    assert Role.objects.count() == 6 and all(r.is_sample for r in Role.objects.all())
    for email, *_ in roles:
        assert email in printed
        assert get_user_model().objects.get(email=email).check_password("the-shared-sample-password")

    call_command("load-sample", "--remove", stdout=StringIO())
    assert not get_user_model().objects.filter(email__endswith=domain).exists()
