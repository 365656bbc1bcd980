"""Accounts over time and the ways around the sign-in: the back office only through the
site's sign-in with its second factor; one rule for every redirect; invitations that
never sign anyone in as an existing account; API tokens that do not outlive a password;
the audit trail of the accounts themselves; one form of an e-mail address; limits
counted for every process at once; no restricted page kept by a cache."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.urls import reverse
from people import PASSWORD, person
from signin import force_login_with_second_factor, sign_in, totp_secret

from article6.accounts.models import ApiToken, Invitation, Role, RoleKind
from article6.accounts.totp import activate_totp, current_code
from article6.states.models import State

EVIL = "https://evil.invalid/phish"


@pytest.fixture
def superuser(db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    activate_totp(user)
    return user


def signed_in_as(client):
    from django.contrib.auth import get_user

    class Request:
        session = client.session

    return get_user(Request())


def account_events(**filters):
    """The accounts' audit trail: the events matching `filters`."""
    from article6.accounts.models import AccountEvent

    return AccountEvent.objects.filter(**filters)


def api_me(client, raw_token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"})


# --- The back office: only through the site's sign-in, with its second factor ---------------


def test_the_admin_sign_in_form_never_signs_in_the_superuser(client, people, superuser):
    """Signed in as a State focal point, the admin's own sign-in page neither shows a
    password form nor accepts the superuser's e-mail and password."""
    client.force_login(people["lao_focal_point"])
    page = client.get("/admin/login/")
    assert page.status_code == 403
    assert 'name="password"' not in page.content.decode()
    response = client.post("/admin/login/", {"username": "root@example.org", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 403
    assert signed_in_as(client) == people["lao_focal_point"]
    assert client.get("/admin/").status_code == 302

    # Nor does it for the anonymous visitor: it sends them to the site's own sign-in.
    client.logout()
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == "/accounts/login/"
    assert not signed_in_as(client).is_authenticated


def test_the_superuser_reaches_the_back_office_only_with_the_second_factor(client, superuser):
    response = client.get("/admin/states/state/")
    login = client.get(response["Location"])["Location"]
    assert urlsplit(login).path == "/accounts/login/"
    response = client.post(login, {"login": "root@example.org", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # the password alone opens nothing
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(totp_secret(superuser))})
    assert response.status_code == 302 and response["Location"] == "/admin/states/state/"
    assert client.get("/admin/states/state/").status_code == 200


@pytest.mark.parametrize("kind", ["superuser", "staff", "isu"])
def test_an_account_without_an_authenticator_gets_no_back_office_page(client, people, kind):
    users = get_user_model()
    if kind == "superuser":
        user = users.objects.create_superuser("bare", "bare@example.org", PASSWORD)
    elif kind == "staff":
        user = users.objects.create_user("bare", "bare@example.org", PASSWORD, is_staff=True)
    else:
        user = person("bare@example.org", {"kind": RoleKind.ISU_STAFF})
    sign_in(client, user)
    for path in ("/admin/", "/admin/states/state/", "/admin/auth/user/", "/admin/accounts/invitation/add/"):
        assert client.get(path).status_code in (302, 403), path
    response = client.get("/admin/login/")
    if kind == "staff":
        assert response.status_code == 403  # staff status alone is no right to the back office
    else:
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_a_session_that_skipped_the_second_factor_is_asked_for_it(client, people):
    isu = people["isu"]
    client.force_login(isu)  # a session with no second factor recorded
    response = client.get("/admin/", follow=False)
    step = client.get(response["Location"])
    assert urlsplit(step["Location"]).path == "/accounts/2fa/reauthenticate/"
    assert parse_qs(urlsplit(step["Location"]).query)["next"] == ["/admin/"]
    response = client.post(step["Location"], {"code": current_code(totp_secret(isu))})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_back_office_password_form_leads_to_the_site_page(client, people):
    force_login_with_second_factor(client, people["isu"])
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/"


# --- One rule for every redirect -------------------------------------------------------------


def _report(people, status):
    from article6.reporting.models import Form, FormSection, Report

    report = Report.objects.create(
        state=State.objects.get(iso3="LAO"),
        kind="annual",
        year=2024 if status == "submitted" else 2023,
        status=status,
        submitted_on=None if status == "draft" else "2025-04-01",
        created_by=people["lao_focal_point"],
    )
    for form in Form.values:
        FormSection.objects.create(report=report, form=form, status="not_applicable")
    return report


def is_elsewhere(location: str) -> bool:
    parts = urlsplit(location)
    return bool(parts.netloc) or location.startswith(("//", "/\\")) or "evil" in location


@pytest.mark.parametrize("status", ["submitted", "draft"])  # publishing succeeds, or fails
@pytest.mark.parametrize("target", [EVIL, "//evil.invalid/phish", "https:/\\evil.invalid", "/\\evil.invalid"])
def test_publishing_never_redirects_elsewhere(client, people, status, target):
    report = _report(people, status)
    client.force_login(people["isu"])
    response = client.post(reverse("reporting:publish", args=[report.pk]), {"next": target})
    assert response.status_code == 302
    assert not is_elsewhere(response["Location"]), response["Location"]
    assert response["Location"] == report.get_absolute_url()


def test_publishing_keeps_a_next_of_this_site(client, people):
    report = _report(people, "submitted")
    client.force_login(people["isu"])
    response = client.post(reverse("reporting:publish", args=[report.pk]), {"next": "/isu/reports/?page=2"})
    assert response["Location"] == "/isu/reports/?page=2"


@pytest.mark.parametrize("target", [EVIL, "//evil.invalid/", "javascript:alert(1)"])
def test_the_language_switch_never_redirects_elsewhere(client, reference, target):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": target}, headers={"referer": EVIL})
    assert response.status_code == 302 and not is_elsewhere(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", [EVIL, "//evil.invalid/"])
def test_signing_in_never_redirects_elsewhere(client, people, target):
    response = client.post(f"/accounts/login/?next={target}", {"login": "lao@example.org", "password": PASSWORD})
    assert response.status_code == 302 and not is_elsewhere(response["Location"]), response["Location"]
    response = client.post("/accounts/login/", {"login": "lbn@example.org", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and not is_elsewhere(response["Location"]), response["Location"]


def test_signing_out_never_redirects_elsewhere(client, people):
    client.force_login(people["lao_focal_point"])
    response = client.post("/accounts/logout/", {"next": EVIL})
    assert response.status_code == 302 and not is_elsewhere(response["Location"])


def test_the_second_factor_steps_never_redirect_elsewhere(client, people):
    isu = people["isu"]
    client.force_login(isu)
    response = client.post(f"/accounts/2fa/reauthenticate/?next={EVIL}", {"code": current_code(totp_secret(isu))})
    assert response.status_code == 302 and not is_elsewhere(response["Location"])
    response = client.get("/admin/login/", {"next": EVIL})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_totp_set_up_redirect_keeps_the_whole_address_as_next(client, people):
    coordinator = person("new.coordinator@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"})
    client.force_login(coordinator)
    response = client.get("/needs/?pillar=clearance&status=open")
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/2fa/totp/activate/" and not location.netloc
    assert parse_qs(location.query) == {"next": ["/needs/?pillar=clearance&status=open"]}


def test_the_redirect_rule(rf, settings):
    from article6.redirects import safe_next

    request = rf.get("/")
    for bad in (EVIL, "//evil.invalid", "https:evil.invalid", "/\\evil.invalid", "javascript:alert(1)", "", None):
        assert safe_next(request, bad, "/fallback/") == "/fallback/", bad
    for good in ("/states/", "/states/?as_of=2018-11-12", "http://testserver/states/"):
        assert safe_next(request, good, "/fallback/") == good


# --- Invitations never take over an existing account -----------------------------------------


def invite(client, isu, **values):
    force_login_with_second_factor(client, isu)
    client.post(reverse("accounts:invitations"), values)
    return re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_an_invitation_for_an_existing_account_does_not_sign_the_browser_in(client, people):
    lbn = State.objects.get(iso3="LBN")
    link = invite(client, people["isu"], email="LAO@example.org", kind="state_focal_point", state=lbn.pk)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and 'name="password1"' not in page.content.decode()
    assert "An account already uses this address" in page.content.decode()
    response = client.post(link, {"password1": "whatever-it-is-42", "password2": "whatever-it-is-42"})
    assert not signed_in_as(client).is_authenticated
    assert response.status_code == 200
    lao_focal_point = people["lao_focal_point"]
    assert [r.state.iso3 for r in lao_focal_point.roles.all()] == ["LAO"]

    # Another person, signed in, cannot accept it either.
    client.force_login(people["lebanon_focal_point"])
    assert client.post(link).status_code == 403
    assert [r.state.iso3 for r in lao_focal_point.roles.all()] == ["LAO"]

    # The account's own sign-in, then the role is added.
    client.logout()
    response = client.get(link)
    sign_in_url = re.search(r'href="(/accounts/login/\?next=[^"]+)"', response.content.decode()).group(1)
    response = client.post(sign_in_url.replace("&amp;", "&"), {"login": "lao@example.org", "password": PASSWORD})
    assert response["Location"] == link
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
    assert sorted(r.state.iso3 for r in lao_focal_point.roles.all()) == ["LAO", "LBN"]
    lao_focal_point.refresh_from_db()
    assert lao_focal_point.check_password(PASSWORD)
    assert client.get(link).status_code == 404  # used once
    assert account_events().filter(user=lao_focal_point, kind="invitation_accepted").exists()


def test_an_invitation_is_fixed_once_sent(client, people):
    lao = State.objects.get(iso3="LAO")
    invite(client, people["isu"], email="new.person@example.org", kind="state_focal_point", state=lao.pk)
    invitation = Invitation.objects.get()
    url = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    page = client.get(url).content.decode()
    assert 'name="email"' not in page and 'name="kind"' not in page and 'name="state"' not in page
    client.post(url, {"email": "lao@example.org", "kind": "isu_staff", "state": "", "expires_0": "2030-01-01"})
    invitation.refresh_from_db()
    assert (invitation.email, invitation.kind, invitation.state) == ("new.person@example.org", "state_focal_point", lao)

    # Refused below the back office too.
    invitation.email = "lao@example.org"
    with pytest.raises(ValidationError) as refused:
        invitation.full_clean()
    assert "email" in refused.value.message_dict
    with pytest.raises(ValidationError):
        invitation.save()
    invitation = Invitation.objects.get()
    invitation.kind, invitation.state = RoleKind.ISU_STAFF, None
    with pytest.raises(ValidationError):
        invitation.save()
    assert Invitation.objects.get().kind == "state_focal_point"


def test_an_invitation_added_in_the_back_office_is_sent(client, people):
    force_login_with_second_factor(client, people["isu"])
    response = client.post(
        reverse("admin:accounts_invitation_add"),
        {
            "email": "Someone@Example.org",
            "kind": "coordinator",
            "thematic_area": "clearance",
            "expires_0": "2030-01-01",
            "expires_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    invitation = Invitation.objects.get()
    assert invitation.email == "someone@example.org" and invitation.invited_by == people["isu"]
    assert mail.outbox[-1].to == ["someone@example.org"] and invitation.token in mail.outbox[-1].body


@pytest.mark.parametrize("how", ["role removed", "deactivated", "role changed"])
def test_an_invitation_from_someone_who_lost_the_right_to_invite_is_withdrawn(client, people, how):
    inviter = person("former.isu@example.org", {"kind": RoleKind.ISU_STAFF}, totp=True)
    lao = State.objects.get(iso3="LAO")
    link = invite(client, inviter, email="new.person@example.org", kind="state_focal_point", state=lao.pk)
    client.logout()
    assert client.get(link).status_code == 200
    if how == "role removed":
        Role.objects.filter(user=inviter).delete()
    elif how == "deactivated":
        inviter.is_active = False
        inviter.save()
    else:
        role = Role.objects.get(user=inviter)
        role.kind, role.state = RoleKind.STATE_FOCAL_POINT, lao
        role.save()
    assert client.get(link).status_code == 404
    response = client.post(link, {"password1": "correct horse battery", "password2": "correct horse battery"})
    assert response.status_code == 404
    assert not get_user_model().objects.filter(email="new.person@example.org").exists()
    assert Invitation.objects.get().withdrawn is not None
    assert account_events().filter(user=inviter, kind="invitations_withdrawn").exists()


def test_an_invitation_is_withdrawn_even_when_the_right_went_without_a_signal(client, people):
    inviter = person("former.isu@example.org", {"kind": RoleKind.ISU_STAFF}, totp=True)
    link = invite(client, inviter, email="new.person@example.org", kind="isu_staff")
    client.logout()
    Role.objects.filter(user=inviter).update(kind=RoleKind.COORDINATOR, thematic_area="clearance")
    assert client.get(link).status_code == 404
    assert Invitation.objects.get().withdrawn is not None


# --- API tokens do not outlive a password ---------------------------------------------------


def test_changing_the_password_revokes_the_api_tokens_and_says_so(client, people):
    user = people["lao_focal_point"]
    raw = ApiToken.issue(user, "script")[1]
    assert api_me(client, raw).status_code == 200
    sign_in(client, user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-brand-new-password-7", "password2": "a-brand-new-password-7"},
        follow=True,
    )
    assert "your API token was revoked" in response.content.decode()
    client.logout()
    assert api_me(client, raw).status_code == 401
    assert "revoked" in mail.outbox[-1].body and "API token" in mail.outbox[-1].body
    assert account_events().filter(user=user, kind="password_changed").exists()


def test_resetting_the_password_revokes_the_api_tokens_and_says_so(client, people):
    user = people["lao_focal_point"]
    raws = [ApiToken.issue(user, name)[1] for name in ("one", "two")]
    client.post("/accounts/password/reset/", {"email": "lao@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"password1": "a-brand-new-password-7", "password2": "a-brand-new-password-7"}, follow=True
    )
    assert "your 2 API tokens were revoked" in response.content.decode()
    for raw in raws:
        assert api_me(client, raw).status_code == 401
    assert "2 API tokens" in mail.outbox[-1].body and "revoked" in mail.outbox[-1].body
    event = account_events().get(user=user, kind="password_reset")
    assert "2 API tokens revoked" in event.detail


def test_a_password_set_in_the_back_office_revokes_the_api_tokens(client, people, superuser):
    user = people["lao_focal_point"]
    raw = ApiToken.issue(user, "script")[1]
    force_login_with_second_factor(client, superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "a-brand-new-password-7", "password2": "a-brand-new-password-7", "usable_password": "true"},
    )
    assert response.status_code == 302
    client.logout()
    assert api_me(client, raw).status_code == 401
    event = account_events().get(user=user, kind="password_set")
    assert event.actor == superuser


def test_a_password_stored_by_any_other_path_revokes_the_api_tokens(client, people):
    """Django's own changepassword command, or any code that saves a new password, is
    caught where the password is stored."""
    user = people["norway_partner"]
    raw = ApiToken.issue(user, "script")[1]
    assert api_me(client, raw).status_code == 200
    stored = get_user_model().objects.get(pk=user.pk)
    stored.set_password("a-brand-new-password-7")
    stored.save()
    assert api_me(client, raw).status_code == 401
    event = account_events().get(user=user, kind="tokens_revoked")
    assert event.detail.startswith("1")
    # Saving the account again without a new password revokes nothing more.
    again = ApiToken.issue(user, "after")[1]
    stored.first_name = "Kari"
    stored.save()
    assert api_me(client, again).status_code == 200


# --- The audit trail of the accounts themselves ---------------------------------------------


def test_sign_ins_are_recorded_with_the_factors_used(client, people):
    sign_in(client, people["isu"])
    event = account_events().filter(user=people["isu"], kind="signed_in").get()
    assert event.detail == "password, totp" and event.actor == people["isu"]


def test_account_changes_in_the_back_office_are_recorded_and_shown(client, people, superuser):
    user = people["lao_focal_point"]
    force_login_with_second_factor(client, superuser)
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "username": user.username,
        "email": user.email,
        "is_active": "",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
        "account_events-TOTAL_FORMS": "0",
        "account_events-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    kinds = set(account_events().filter(user=user, actor=superuser).values_list("kind", flat=True))
    assert {"deactivated", "staff_granted", "superuser_granted"} <= kinds

    # ISU reads them in the back office: the list of account events and the person's page.
    force_login_with_second_factor(client, people["isu"])
    listing = client.get(reverse("admin:accounts_accountevent_changelist"), {"q": "lao@example.org"})
    text = listing.content.decode()
    assert listing.status_code == 200
    assert "account deactivated" in text and "made administrator (superuser)" in text and "root@example.org" in text
    person_page = client.get(url).content.decode()
    assert "account deactivated" in person_page and "staff status given" in person_page
    assert client.get(reverse("admin:accounts_accountevent_add")).status_code == 403


def test_removing_the_second_factor_is_recorded(client, people, django_capture_on_commit_callbacks):
    coordinator = people["coordinator"]
    sign_in(client, coordinator)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})  # removing a factor asks for it again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not coordinator.authenticator_set.filter(type="totp").exists()
    removed = account_events().filter(user=coordinator, kind="second_factor_removed")
    assert removed.exists() and removed.first().actor == coordinator


# --- One mailbox, one account ------------------------------------------------------------------


def test_an_internationalised_domain_is_one_account(client, people):
    isu = people["isu"]
    invite(client, isu, email="Person@Exämple.org", kind="state_focal_point", state=State.objects.get(iso3="LAO").pk)
    link = re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)
    assert Invitation.objects.get().email == "person@xn--exmple-cua.org"
    client.logout()
    client.post(link, {"password1": "correct horse battery", "password2": "correct horse battery"})
    user = get_user_model().objects.get(email="person@xn--exmple-cua.org")

    # An invitation to the other spelling finds the same account: no second one is made.
    link = invite(
        client, isu, email="person@xn--exmple-cua.org", kind="state_focal_point", state=State.objects.get(iso3="LBN").pk
    )
    client.logout()
    page = client.get(link).content.decode()
    assert "An account already uses this address" in page
    client.post(link, {"password1": "another password 42", "password2": "another password 42"})
    assert get_user_model().objects.filter(email__icontains="exmple").count() == 1

    # Both spellings sign in to it, and a reset by either reaches its one stored address.
    for spelling in ("person@exämple.org", "PERSON@xn--exmple-cua.org"):
        response = client.post("/accounts/login/", {"login": spelling, "password": "correct horse battery"})
        assert response.status_code == 302 and signed_in_as(client) == user, spelling
        client.logout()
    client.post("/accounts/password/reset/", {"email": "person@EXÄMPLE.org"})
    assert mail.outbox[-1].to == ["person@xn--exmple-cua.org"]


def test_an_address_is_stored_in_one_form_wherever_it_is_saved(db):
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user("someone", "Someone@Exämple.org ", PASSWORD)
    assert user.email == "someone@xn--exmple-cua.org"
    address = EmailAddress.objects.create(user=user, email="SOMEONE@exämple.org", primary=True, verified=True)
    assert address.email == "someone@xn--exmple-cua.org"


# --- Limits shared by every process --------------------------------------------------------------


def forget_what_this_process_counted():
    """What another worker process (or this one after a restart) knows: not this one's memory."""
    caches["default"].clear()


def test_failed_sign_ins_are_counted_for_every_process(client, people):
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "lao@example.org", "password": "wrong"})
    forget_what_this_process_counted()
    response = client.post("/accounts/login/", {"login": "lao@example.org", "password": PASSWORD})
    assert response.status_code == 429 or "Too many failed login attempts" in response.content.decode()
    assert not signed_in_as(client).is_authenticated


def test_second_factor_attempts_are_counted_for_every_process(client, people):
    isu = people["isu"]
    client.post("/accounts/login/", {"login": "isu@example.org", "password": PASSWORD})
    for _attempt in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    forget_what_this_process_counted()
    client.post("/accounts/2fa/authenticate/", {"code": current_code(totp_secret(isu))})
    assert not signed_in_as(client).is_authenticated


def test_a_used_second_factor_code_is_refused_by_every_process(client, people):
    isu = people["isu"]
    code = current_code(totp_secret(isu))
    client.post("/accounts/login/", {"login": "isu@example.org", "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert signed_in_as(client) == isu
    client.logout()
    forget_what_this_process_counted()
    client.post("/accounts/login/", {"login": "isu@example.org", "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert not signed_in_as(client).is_authenticated


def test_the_limits_table_is_made_by_migrate(db, settings):
    from django.db import connection

    table = settings.CACHES["limits"]["LOCATION"]
    assert table in connection.introspection.table_names()


# --- Nothing restricted stays in a cache -----------------------------------------------------------


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/states/LAO/", "/accounts/me/", "/needs/", "/transparency/"])
def test_pages_for_a_signed_in_person_are_private_and_not_stored(client, people, path):
    client.force_login(people["lao_focal_point"])
    response = client.get(path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)


def test_api_answers_to_a_token_or_a_session_are_private_and_not_stored(client, people):
    raw = ApiToken.issue(people["lao_focal_point"], "script")[1]
    assert {"private", "no-store"} <= cache_control(api_me(client, raw))
    assert {"private", "no-store"} <= cache_control(
        client.get("/api/v1/needs", headers={"Authorization": f"Bearer {raw}"})
    )
    client.force_login(people["lao_focal_point"])
    assert {"private", "no-store"} <= cache_control(client.get("/api/v1/needs"))


def test_public_pages_for_the_visitor_stay_cacheable(client, reference):
    assert "no-store" not in cache_control(client.get("/states/"))


# --- No friction at the first sign-in -------------------------------------------------------------


def test_the_authenticator_set_up_follows_the_sign_in_without_asking_the_password_again(client, people):
    coordinator = person("new.coordinator@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"})
    response = sign_in(client, coordinator)
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    page = client.get(response["Location"])
    assert page.status_code == 200, page.get("Location")
    html = page.content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"|value="([A-Z2-7]{16,})"', html)
    key = secret.group(1) or secret.group(2)
    alt = re.search(r'<img[^>]*alt="([^"]*)"', html).group(1)
    assert alt == "QR code for your authenticator app" and key not in alt
    response = client.post(f"/accounts/2fa/totp/activate/?next={EVIL}", {"code": current_code(key)})
    assert response.status_code == 302 and not is_elsewhere(response["Location"])
    assert client.get("/states/").status_code == 200


def test_the_qr_code_is_described_and_the_key_shown_as_text(client, people):
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    coordinator = person("new.coordinator@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"})
    client.force_login(coordinator)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session["account_authentication_methods_user"] = str(coordinator.pk)
    session.save()
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    key = re.search(r'value="([A-Z2-7]{16,})"', html).group(1)
    images = re.findall(r"<img\b[^>]*>", html)
    assert images and all(key not in image for image in images)
    assert 'alt="QR code for your authenticator app"' in images[0]


def test_a_new_coordinator_sets_up_the_authenticator_right_after_accepting(client, people):
    link = invite(
        client, people["isu"], email="new.coordinator@example.org", kind="coordinator", thematic_area="clearance"
    )
    client.logout()
    response = client.post(link, {"password1": "correct horse battery", "password2": "correct horse battery"})
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    assert client.get(response["Location"]).status_code == 200


def test_setting_up_the_authenticator_counts_as_the_second_factor_for_the_back_office(client, people):
    newcomer = person("new.isu@example.org", {"kind": RoleKind.ISU_STAFF})
    sign_in(client, newcomer)
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    key = re.search(r'value="([A-Z2-7]{16,})"', html).group(1)
    client.post("/accounts/2fa/totp/activate/", {"code": current_code(key)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_never_sends_back_to_itself(client, people):
    force_login_with_second_factor(client, people["isu"])
    response = client.get("/admin/login/", {"next": "/admin/login/?next=/admin/login/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
