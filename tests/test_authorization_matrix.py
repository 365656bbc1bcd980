"""The authorization matrix: every named URL pattern of the site and every API
operation, for every role (the anonymous visitor included), with the outcome each
must get. A URL pattern or an API operation without an entry here fails the suite,
so nothing new can be reached without someone deciding who may reach it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from people import ROLE_NAMES, everyone, sample_ngo
from signin import force_login_with_second_factor

from article6.accounts.models import ApiToken, Invitation
from article6.states.models import OrganisationDeclaration, State, StateDeclaration

OK, LOGIN, FORBIDDEN, REDIRECT, NOT_FOUND, UNAUTHORIZED = "ok", "login", "forbidden", "redirect", "not found", "401"

SIGNED_IN = [r for r in ROLE_NAMES if r != "anonymous"]


def only(*roles, otherwise_signed_in=FORBIDDEN, anonymous=LOGIN):
    """OK for `roles`; the anonymous visitor sent to sign in; the other signed-in people refused."""
    outcome = {r: (OK if r in roles else otherwise_signed_in) for r in SIGNED_IN}
    outcome["anonymous"] = OK if "anonymous" in roles else anonymous
    return outcome


def signed_in_get(outcome, anonymous=LOGIN, **overrides):
    """The same outcome for every signed-in person (but `overrides`); the anonymous visitor sent to sign in."""
    return {**dict.fromkeys(SIGNED_IN, outcome), "anonymous": anonymous, **overrides}


EVERYONE = dict.fromkeys(ROLE_NAMES, OK)
ANY_SIGNED_IN = only(*SIGNED_IN)
ISU = only("isu")
BACK_OFFICE = only("isu", otherwise_signed_in=LOGIN)


LAO_WRITES = only("lao_focal_point", "isu")
# An unpublished report of Lao PDR: its focal points, the coordinators and ISU read it; for
# anyone else it does not exist. Its focal points and ISU write it; coordinators may not.
DRAFT_READERS = {**dict.fromkeys(ROLE_NAMES, NOT_FOUND), "lao_focal_point": OK, "coordinator": OK, "isu": OK}
DRAFT_WRITERS = {**DRAFT_READERS, "anonymous": LOGIN, "coordinator": FORBIDDEN}
DRAFT_WRITERS_POST = {**DRAFT_WRITERS, "lao_focal_point": REDIRECT, "isu": REDIRECT}


def _empty_report_form() -> dict:
    from article6.reporting.tables import TABLES

    data = {}
    for table in TABLES:
        data[f"{table.key}-TOTAL_FORMS"] = 0
        data[f"{table.key}-INITIAL_FORMS"] = 0
    return data


EMPTY_REPORT_FORM = _empty_report_form()


def outcome_of(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303):
        return LOGIN if "login" in response["Location"] else REDIRECT
    return {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}.get(status, str(status))


@dataclass
class Entry:
    url: callable  # (fixtures) -> the address to request
    expected: dict
    method: str = "get"
    data: dict = field(default_factory=dict)


def _lao(f):
    return reverse("states:detail", args=["LAO"])


# Every named URL pattern of the site (the admin's are generated below).
PAGES: dict[str, Entry] = {
    "states:home": Entry(lambda f: "/", EVERYONE),
    "states:list": Entry(lambda f: "/states/", EVERYONE),
    "states:detail": Entry(_lao, EVERYONE),
    "states:organisations": Entry(lambda f: "/organisations/", EVERYONE),
    "states:organisation": Entry(lambda f: reverse("states:organisation", args=[f["ngo"].pk]), EVERYONE),
    "treaty:deadlines": Entry(lambda f: "/deadlines/", EVERYONE),
    "treaty:deadlines_ics": Entry(lambda f: "/deadlines.ics", EVERYONE),
    "set_language": Entry(lambda f: "/i18n/setlang/", dict.fromkeys(ROLE_NAMES, REDIRECT), "post", {"language": "fr"}),
    # For the load balancer and the supervisor: open to all, saying nothing about the data.
    "healthz": Entry(lambda f: "/healthz", EVERYONE),
    "readyz": Entry(lambda f: "/readyz", EVERYONE),
    "states:edit_profile": Entry(
        lambda f: reverse("states:edit_profile", args=["LAO"]), only("lao_focal_point", "isu")
    ),
    "states:history": Entry(lambda f: reverse("states:history", args=["LAO"]), only("lao_focal_point", "isu")),
    "states:edit_organisation_profile": Entry(
        lambda f: reverse("states:edit_organisation_profile", args=[f["ngo"].pk]), only("ngo_partner", "isu")
    ),
    "states:organisation_history": Entry(
        lambda f: reverse("states:organisation_history", args=[f["ngo"].pk]), only("ngo_partner", "isu")
    ),
    "states:declarations": Entry(lambda f: reverse("states:declarations"), ISU),
    "states:review_declaration": Entry(
        lambda f: reverse("states:review_declaration", args=["state", f["declaration"].pk]),
        {**ISU, "isu": REDIRECT},
        "post",
        {"decision": "return", "note": "matrix"},
    ),
    "accounts:me": Entry(lambda f: reverse("accounts:me"), ANY_SIGNED_IN),
    "accounts:invitations": Entry(lambda f: reverse("accounts:invitations"), ISU),
    "accounts:accept_invitation": Entry(
        lambda f: reverse("accounts:accept_invitation", args=[f["invitation"].token]), EVERYONE
    ),
    "accounts:tokens": Entry(lambda f: reverse("accounts:tokens"), ANY_SIGNED_IN),
    # Each person may revoke only their own token: another's is not found.
    "accounts:token_revoke": Entry(
        lambda f: reverse("accounts:token_revoke", args=[f["token"].pk]),
        {**only("lao_focal_point", otherwise_signed_in=NOT_FOUND), "lao_focal_point": REDIRECT},
        "post",
    ),
    # Sign-in, password and second-factor pages (django-allauth).
    "account_login": Entry(lambda f: "/accounts/login/", {**EVERYONE, **dict.fromkeys(SIGNED_IN, REDIRECT)}),
    "account_logout": Entry(lambda f: "/accounts/logout/", {**ANY_SIGNED_IN, "anonymous": REDIRECT}),
    "account_signup": Entry(lambda f: "/accounts/signup/", {**EVERYONE, **dict.fromkeys(SIGNED_IN, REDIRECT)}),
    "account_inactive": Entry(lambda f: "/accounts/inactive/", EVERYONE),
    "account_reauthenticate": Entry(lambda f: "/accounts/reauthenticate/", ANY_SIGNED_IN),
    # Re-authentication by an e-mailed code (django-allauth 65.22): sign-in by code is off here.
    "account_request_reauthentication_code": Entry(lambda f: "/accounts/reauthenticate/code/", signed_in_get(REDIRECT)),
    "account_confirm_reauthentication_code": Entry(
        lambda f: "/accounts/reauthenticate/code/confirm/", signed_in_get(REDIRECT)
    ),
    "account_email": Entry(lambda f: "/accounts/email/", ANY_SIGNED_IN),
    "account_email_verification_sent": Entry(lambda f: "/accounts/confirm-email/", EVERYONE),
    "account_confirm_email": Entry(lambda f: "/accounts/confirm-email/not-a-key/", EVERYONE),
    "account_change_password": Entry(lambda f: "/accounts/password/change/", ANY_SIGNED_IN),
    "account_set_password": Entry(
        lambda f: "/accounts/password/set/", {**dict.fromkeys(SIGNED_IN, REDIRECT), "anonymous": LOGIN}
    ),
    "account_reset_password": Entry(lambda f: "/accounts/password/reset/", EVERYONE),
    "account_reset_password_done": Entry(lambda f: "/accounts/password/reset/done/", EVERYONE),
    "account_reset_password_from_key": Entry(lambda f: "/accounts/password/reset/key/1-not-a-key/", EVERYONE),
    "account_reset_password_from_key_done": Entry(lambda f: "/accounts/password/reset/key/done/", EVERYONE),
    "account_confirm_login_code": Entry(lambda f: "/accounts/login/code/confirm/", signed_in_get(REDIRECT)),
    "mfa_index": Entry(lambda f: "/accounts/2fa/", ANY_SIGNED_IN),
    # Outside a sign-in that waits for its second factor, there is nothing to authenticate.
    "mfa_authenticate": Entry(lambda f: "/accounts/2fa/authenticate/", signed_in_get(REDIRECT)),
    # Setting up, removing or regenerating a factor asks for the password again first.
    "mfa_reauthenticate": Entry(
        lambda f: "/accounts/2fa/reauthenticate/", signed_in_get(REDIRECT, coordinator=OK, isu=OK)
    ),
    # Right after signing in with the password, a first authenticator is set up without
    # being asked for it again; who already has one is sent to remove it instead.
    "mfa_activate_totp": Entry(
        lambda f: "/accounts/2fa/totp/activate/", signed_in_get(OK, coordinator=REDIRECT, isu=REDIRECT)
    ),
    "mfa_deactivate_totp": Entry(
        lambda f: "/accounts/2fa/totp/deactivate/", signed_in_get(NOT_FOUND, coordinator=REDIRECT, isu=REDIRECT)
    ),
    "mfa_view_recovery_codes": Entry(lambda f: "/accounts/2fa/recovery-codes/", signed_in_get(NOT_FOUND)),
    "mfa_generate_recovery_codes": Entry(lambda f: "/accounts/2fa/recovery-codes/generate/", signed_in_get(REDIRECT)),
    "mfa_download_recovery_codes": Entry(lambda f: "/accounts/2fa/recovery-codes/download/", signed_in_get(NOT_FOUND)),
    # The API's own pages; its operations are in API below.
    "api-1:openapi-json": Entry(lambda f: "/api/v1/openapi.json", EVERYONE),
    "api-1:openapi-view": Entry(lambda f: "/api/v1/docs", EVERYONE),
    "api-1:api-root": Entry(lambda f: "/api/v1/", dict.fromkeys(ROLE_NAMES, NOT_FOUND)),
    # Assistance (Art. 6): reading follows each record's visibility (these are public);
    # a State's needs are its focal points'; offers and commitments their provider's.
    "assistance:needs": Entry(lambda f: "/needs/", EVERYONE),
    "assistance:need": Entry(lambda f: f"/needs/{f['need'].pk}/", EVERYONE),
    "assistance:need_suggestions": Entry(lambda f: f"/needs/{f['need'].pk}/suggestions/", EVERYONE),
    "assistance:need_add": Entry(lambda f: "/needs/new/", only("lao_focal_point", "lebanon_focal_point", "isu")),
    "assistance:need_edit": Entry(lambda f: f"/needs/{f['need'].pk}/edit/", only("lao_focal_point", "isu")),
    "assistance:export_needs": Entry(lambda f: "/needs.csv", EVERYONE),
    "assistance:evidence_upload": Entry(
        lambda f: f"/needs/{f['need'].pk}/evidence/",
        {**only("lao_focal_point", "isu"), "lao_focal_point": REDIRECT, "isu": REDIRECT},
        "post",
    ),
    "assistance:evidence": Entry(lambda f: evidence_url(f), EVERYONE),
    # Each request removes a fresh document, so that every role meets one.
    "assistance:evidence_remove": Entry(
        lambda f: evidence_url(f) + "remove/",
        {**only("lao_focal_point", "isu"), "lao_focal_point": REDIRECT, "isu": REDIRECT},
        "post",
    ),
    "assistance:offers": Entry(lambda f: "/offers/", EVERYONE),
    "assistance:offer": Entry(lambda f: f"/offers/{f['offer'].pk}/", EVERYONE),
    "assistance:offer_suggestions": Entry(lambda f: f"/offers/{f['offer'].pk}/suggestions/", EVERYONE),
    "assistance:offer_add": Entry(lambda f: "/offers/new/", only("norway_partner", "ngo_partner", "isu")),
    "assistance:offer_edit": Entry(lambda f: f"/offers/{f['offer'].pk}/edit/", only("norway_partner", "isu")),
    "assistance:export_offers": Entry(lambda f: "/offers.xlsx", EVERYONE),
    "assistance:commitments": Entry(lambda f: "/commitments/", EVERYONE),
    "assistance:commitment": Entry(lambda f: f"/commitments/{f['commitment'].pk}/", EVERYONE),
    "assistance:commitment_add": Entry(lambda f: "/commitments/new/", only("norway_partner", "ngo_partner", "isu")),
    "assistance:commitment_edit": Entry(
        lambda f: f"/commitments/{f['commitment'].pk}/edit/", only("norway_partner", "isu")
    ),
    "assistance:confirm_receipt": Entry(
        lambda f: f"/commitments/{f['commitment'].pk}/receipt/",
        {**only("lao_focal_point", "isu"), "lao_focal_point": REDIRECT, "isu": REDIRECT},
        "post",
        {"year": 2026, "amount": "1000"},
    ),
    "assistance:export_commitments": Entry(lambda f: "/commitments.csv", EVERYONE),
    "assistance:export_iati": Entry(lambda f: "/commitments.iati.xml", EVERYONE),
    "assistance:funding": Entry(lambda f: "/funding/", EVERYONE),
    "assistance:history": Entry(lambda f: f"/history/need/{f['need'].pk}/", only("lao_focal_point", "isu")),
    "assistance:export_gap": Entry(lambda f: "/funding/gap.xlsx", EVERYONE),
    "assistance:donor": Entry(lambda f: "/donors/", {**ANY_SIGNED_IN, "no_role": FORBIDDEN}),
    # Matches: coordinators and ISU propose; each side answers for itself.
    # An account without a role sees no match at all.
    "assistance:matches": Entry(lambda f: "/matches/", ANY_SIGNED_IN),
    "assistance:match": Entry(lambda f: f"/matches/{f['match'].pk}/", {**ANY_SIGNED_IN, "no_role": NOT_FOUND}),
    "assistance:propose_match": Entry(
        lambda f: "/matches/propose/",
        {**only("coordinator", "isu"), "coordinator": REDIRECT, "isu": REDIRECT},
        "post",
        {"need": "NEED", "offer": "OFFER2"},
    ),
    # Only a declined match is proposed again; the matrix's match is pending, so the
    # coordinator and ISU are sent back to it with the reason.
    "assistance:propose_again": Entry(
        lambda f: f"/matches/{f['match'].pk}/propose-again/",
        {**only("coordinator", "isu"), "coordinator": REDIRECT, "isu": REDIRECT},
        "post",
        {"note": "Asked again"},
    ),
    "assistance:answer_match": Entry(
        lambda f: f"/matches/{f['match'].pk}/answer/",
        {
            **only("lao_focal_point", "norway_partner", "isu"),
            **dict.fromkeys(["lao_focal_point", "norway_partner", "isu"], REDIRECT),
            "no_role": NOT_FOUND,
        },
        "post",
        {"decision": "accept"},
    ),
    # Transparency reports (Art. 7): figures and published reports are public; a State's own
    # focal points (and ISU) write, submit and correct its reports; coordinators read drafts;
    # only ISU publishes. A draft's existence is not disclosed to anyone else.
    "reporting:transparency": Entry(lambda f: "/transparency/", EVERYONE),
    "reporting:published_csv": Entry(lambda f: "/transparency/reports.csv", EVERYONE),
    "reporting:state_reports": Entry(lambda f: "/states/LAO/reports/", EVERYONE),
    "reporting:start": Entry(
        lambda f: "/states/LAO/reports/new/",
        {**LAO_WRITES, "lao_focal_point": REDIRECT, "isu": REDIRECT},
        "post",
        {"kind": "annual", "year": 2024},
    ),
    "reporting:workbook": Entry(lambda f: "/states/LAO/reports/workbook.xlsx?kind=annual&year=2025", LAO_WRITES),
    "reporting:upload": Entry(lambda f: "/states/LAO/reports/upload/", LAO_WRITES),
    "reporting:report": Entry(lambda f: report_url(f, "draft"), DRAFT_READERS),
    "reporting:edit": Entry(lambda f: report_url(f, "draft", "edit/"), DRAFT_WRITERS),
    "reporting:autosave": Entry(
        lambda f: report_url(f, "draft", "autosave/"), DRAFT_WRITERS, "post", EMPTY_REPORT_FORM
    ),
    "reporting:submit": Entry(lambda f: report_url(f, "draft", "submit/"), DRAFT_WRITERS_POST, "post"),
    "reporting:discard": Entry(lambda f: report_url(f, "draft", "discard/"), DRAFT_WRITERS_POST, "post"),
    "reporting:publish": Entry(
        lambda f: report_url(f, "submitted", "publish/"), {**DRAFT_WRITERS_POST, "lao_focal_point": FORBIDDEN}, "post"
    ),
    "reporting:correct": Entry(
        lambda f: report_url(f, "published", "correct/"),
        {**only("lao_focal_point", "isu"), "lao_focal_point": REDIRECT, "isu": REDIRECT},
        "post",
    ),
    "reporting:file_needs": Entry(lambda f: report_url(f, "submitted", "needs/"), DRAFT_WRITERS_POST, "post"),
    "reporting:history": Entry(lambda f: report_url(f, "draft", "history/"), DRAFT_WRITERS),
    "reporting:report_xlsx": Entry(lambda f: report_url(f, "draft", "report.xlsx"), DRAFT_READERS),
    "reporting:report_csv": Entry(lambda f: report_url(f, "draft", "report.csv"), DRAFT_READERS),
    "reporting:report_pdf": Entry(lambda f: report_url(f, "draft", "report.pdf"), DRAFT_READERS),
    "reporting:isu_reports": Entry(lambda f: "/isu/reports/", ISU),
    "reporting:records_complete": Entry(lambda f: "/isu/reports/complete/", ISU),
    # The work queue: ISU's and the coordinators' (what waits on them); nobody else has one.
    "work:queue": Entry(lambda f: "/work/", only("isu", "coordinator")),
    # A job (an upload being read, an export being made) is its owner's alone: for anyone
    # else it does not exist. The background tasks are ISU's to watch and to try again.
    "ops:job": Entry(lambda f: f"/jobs/{f['job'].pk}/", {**signed_in_get(NOT_FOUND), "lao_focal_point": OK}),
    "ops:job_file": Entry(lambda f: f"/jobs/{f['job'].pk}/file", {**signed_in_get(NOT_FOUND), "lao_focal_point": OK}),
    "ops:tasks": Entry(lambda f: "/work/tasks/", ISU),
    # ISU staff import IATI and CRS files; anyone signed in may have a big export made (of what they see).
    "assistance:import_commitments": Entry(lambda f: "/commitments/import/", ISU),
    "assistance:export_commitments_later": Entry(lambda f: "/commitments/export.csv", signed_in_get(REDIRECT), "post"),
    "ops:task_try_again": Entry(
        lambda f: f"/work/tasks/{f['failed_task'].pk}/try-again/", {**only(), "isu": REDIRECT}, "post"
    ),
    # The back office's own pages (its model pages are generated below).
    # Anyone else is sent to the back office's sign-in, which says they lack the right.
    "admin:index": Entry(lambda f: "/admin/", BACK_OFFICE),
    # The admin's own sign-in is no way in: the visitor is sent to the site's sign-in (with its
    # second factor), ISU staff on to the back office, anyone else refused.
    "admin:login": Entry(lambda f: "/admin/login/", {**only(), "isu": REDIRECT}),
    "admin:logout": Entry(lambda f: "/admin/logout/", {**dict.fromkeys(ROLE_NAMES, REDIRECT), "isu": OK}, "post"),
    "admin:autocomplete": Entry(
        lambda f: "/admin/autocomplete/?app_label=accounts&model_name=role&field_name=state&term=La", BACK_OFFICE
    ),
    "admin:jsi18n": Entry(lambda f: "/admin/jsi18n/", BACK_OFFICE),
    "admin:app_list": Entry(lambda f: "/admin/states/", BACK_OFFICE),
    # A password is changed on the site's own page (which revokes the API tokens).
    "admin:password_change": Entry(lambda f: "/admin/password_change/", {**BACK_OFFICE, "isu": REDIRECT}),
    "admin:password_change_done": Entry(lambda f: "/admin/password_change/done/", BACK_OFFICE),
    "admin:view_on_site": Entry(
        lambda f: reverse("admin:view_on_site", args=[f["state_ct"], f["lao"].pk]), {**BACK_OFFICE, "isu": REDIRECT}
    ),
}

# The back office: ISU staff only. Models that only the administrator manages
# (groups, e-mail addresses, authenticators) are refused to ISU staff too; people's
# accounts ISU may see but not change (no taking over an account).
# The queue's own rows are the administrator's: ISU staff follow the tasks on /work/tasks/.
ADMINISTRATOR_ONLY = {"auth.group", "account.emailaddress", "mfa.authenticator", "django_tasks_database.dbtaskresult"}
ADMIN_ACTIONS = ("changelist", "add", "change", "delete", "history", "simple_history", "password_change")


def admin_expected(label: str, action: str) -> dict:
    outcome = dict.fromkeys(ROLE_NAMES, LOGIN)
    if label in ADMINISTRATOR_ONLY:
        outcome["isu"] = FORBIDDEN
    elif label == "auth.user" and action in ("add", "delete", "password_change"):
        outcome["isu"] = FORBIDDEN
    elif label in ("accounts.apitoken", "assistance.digestsent", "reporting.remindersent") and action == "add":
        outcome["isu"] = FORBIDDEN
    elif label == "accounts.accountevent" and action in ("add", "delete"):
        outcome["isu"] = FORBIDDEN  # the accounts' audit trail is read, never written, in the back office
    else:
        outcome["isu"] = OK
    return outcome


def admin_pages() -> dict[str, tuple[str, str, type]]:
    """admin URL name → (model label, action, model) for every registered model."""
    pages = {}
    existing = set(named_patterns())
    for model in admin.site._registry:
        meta = model._meta
        for action in ADMIN_ACTIONS:
            name = f"admin:{meta.app_label}_{meta.model_name}_{action}"
            if name in existing:
                pages[name] = (meta.label_lower, action, model)
    return pages


def url_patterns(patterns=None, namespace=None, prefix=""):
    """(full name, route) of every named URL pattern."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix + str(pattern.pattern)


def named_patterns() -> set[str]:
    return {name for name, _route in url_patterns()}


def test_every_named_url_pattern_has_an_entry():
    api_paths = {path for _method, path in api_operations()}
    api_routes = {
        name
        for name, route in url_patterns()
        if name.startswith("api-1:") and "/" + re.sub(r"<(\w+)>", r"{\1}", route) in api_paths
    }
    covered = set(PAGES) | set(admin_pages()) | api_routes
    missing = sorted(named_patterns() - covered)
    assert not missing, f"URL patterns with no entry in the authorization matrix: {missing}"
    stale = sorted(set(PAGES) - named_patterns())
    assert not stale, f"Matrix entries for URL patterns that no longer exist: {stale}"


def test_every_api_operation_has_an_entry():
    missing = sorted(api_operations() - set(API))
    assert not missing, f"API operations with no entry in the authorization matrix: {missing}"
    stale = sorted(set(API) - api_operations())
    assert not stale, f"Matrix entries for API operations that no longer exist: {stale}"


@pytest.fixture
def world(reference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def build_world() -> dict:
    """One person per role and a record of every kind the matrix's pages open (on the
    reference data); the browser checks open the same pages on the same records."""
    people = everyone()
    from django.contrib.contenttypes.models import ContentType

    lao = State.objects.get(iso3="LAO")
    ngo = sample_ngo()
    declaration = StateDeclaration.objects.create(
        state=lao, contact_institution="Matrix institution", submitted_by=people["lao_focal_point"]
    )
    return {
        "people": people,
        "lao": lao,
        "ngo": ngo,
        "state_ct": ContentType.objects.get_for_model(State).pk,
        "declaration": declaration,
        "organisation_declaration": OrganisationDeclaration.objects.create(
            organisation=ngo, contact_institution="Matrix NGO", submitted_by=people["ngo_partner"]
        ),
        "invitation": Invitation.objects.create(
            email="invited@example.org", kind="state_focal_point", state=lao, invited_by=people["isu"]
        ),
        "token": ApiToken.issue(people["lao_focal_point"], "matrix")[0],
        **assistance_records(people, lao, ngo),
        **reporting_records(people, lao),
        **ops_records(people),
    }


def report_url(fixtures, status: str, action: str = "") -> str:
    """A fresh, complete annual update of Lao PDR in `status`, and its address: every
    request meets a report in the state the entry is about."""
    from article6.reporting.models import Form, FormSection, Report

    fixtures["report_years"] = year = fixtures.get("report_years", 2011) + 1
    report = Report.objects.create(
        state=fixtures["lao"],
        kind="annual",
        year=year,
        status=status,
        submitted_on=None if status == "draft" else f"{year + 1}-04-01",
        created_by=fixtures["people"]["lao_focal_point"],
    )
    for form in Form.values:
        FormSection.objects.create(report=report, form=form, status="not_applicable")
    return f"/reports/{report.pk}/{action}"


def reporting_records(people, lao) -> dict:
    """A draft of Lao PDR with a row in every table, for the back office pages."""
    from article6.reporting import services
    from article6.reporting.models import ReminderSent

    report = services.start_report(people["lao_focal_point"], lao, "annual", 2025)
    content = services.empty_content()
    content["tables"] = {
        "stockpiles": [{"measure": "destroyed", "munition_type": "M26", "munitions": 1, "submunitions": 644}],
        "areas": [{"area": "Matrix province", "contaminated_m2": 10, "cleared_m2": 5, "remnants_destroyed": 1}],
        "casualties": [{"sex": "female", "age": "child", "killed": 0, "injured": 1}],
        "resources": [{"pillar": "clearance", "amount": 100, "currency": "USD"}],
        "assistance": [
            {
                "direction": "received",
                "counterpart": "Norway",
                "amount": 100,
                "currency": "USD",
                "pillar": "clearance",
                "modality": "financial",
                "channel": "bilateral",
            }
        ],
        "needs": [
            {
                "title": "Matrix reported need",
                "description": "Clearance",
                "pillar": "clearance",
                "modality": "financial",
                "amount": None,
                "currency": "",
                "start_year": 2026,
                "end_year": 2026,
            }
        ],
    }
    services.save_content(people["lao_focal_point"], report, content)
    ReminderSent.objects.create(state=lao, kind="annual", year=2025, due="2026-04-30", reminder="14", recipients=1)
    return {"report": report}


def ops_records(people) -> dict:
    """A finished export of Lao PDR's focal point (a job with its file), and an e-mail the
    worker failed to send every time (a failed task)."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django_tasks_db.models import DBTaskResult

    from article6.ops.models import Job

    job = Job(owner=people["lao_focal_point"], kind="commitments_export", label="Matrix export", state="done")
    job.output.save("matrix.csv", ContentFile(b"a,b\n"), save=False)
    job.output_name, job.output_type = "matrix.csv", "text/csv"
    job.save()
    message = {"subject": "Matrix", "body": "", "from_email": None, "to": ["x@example.org"], "cc": [], "bcc": []}
    failed = DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [message], "kwargs": {}},
        task_path="article6.ops.tasks.send_email",
        backend_name="default",
        run_after=dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
        worker_ids=["matrix:1:abcdefgh"] * 5,
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="smtplib.SMTPServerDisconnected: Connection unexpectedly closed",
    )
    return {"job": job, "failed_task": failed}


def evidence_url(fixtures) -> str:
    """A new evidence document of the fixtures' need, and its address."""
    from django.core.files.base import ContentFile

    from article6.assistance.models import NeedAttachment

    need = fixtures["need"]
    document = NeedAttachment(need=need, name="survey.pdf", size=4, uploaded_by=fixtures["people"]["isu"])
    document.file.save("survey.pdf", ContentFile(b"%PDF"), save=True)
    return f"/needs/{need.pk}/evidence/{document.pk}/"


def assistance_records(people, lao, ngo) -> dict:
    """A public need of Lao PDR, Norway's offers, a commitment from Norway to Lao PDR and a proposed match."""
    from decimal import Decimal

    from article6.assistance.models import Commitment, CommitmentPillar, Flow, Match, Need, Offer

    norway = State.objects.get(iso3="NOR")
    need = Need.objects.create(
        state=lao,
        title="Matrix need",
        description="Clearance",
        pillar="clearance",
        modality="financial",
        amount=Decimal("100000"),
        currency="USD",
        start_year=2026,
        end_year=2026,
        created_by=people["lao_focal_point"],
    )
    offers = [
        Offer.objects.create(
            provider_state=norway,
            title=f"Matrix offer {n}",
            description="Clearance funding",
            pillars=["clearance"],
            modalities=["financial"],
            kinds=["funding"],
            start_year=2026,
            end_year=2027,
            created_by=people["norway_partner"],
        )
        for n in (1, 2)
    ]
    commitment = Commitment.objects.create(
        provider_state=norway,
        recipient=lao,
        title="Matrix commitment",
        channel="bilateral",
        currency="USD",
        created_by=people["norway_partner"],
    )
    CommitmentPillar.objects.create(commitment=commitment, pillar="clearance", share=100)
    Flow.objects.create(commitment=commitment, kind="committed", year=2026, amount=Decimal("50000"))
    match = Match.objects.create(need=need, offer=offers[0], score=80, reasons=[], proposed_by=people["coordinator"])
    return {"need": need, "offer": offers[0], "offer2": offers[1], "commitment": commitment, "match": match}


def request_as(client, user, entry: Entry, fixtures):
    client.logout()
    if user is not None:
        force_login_with_second_factor(client, user)
    # Placeholders in the data name records of the fixtures: "NEED" is the need's id.
    data = {
        key: fixtures[value.lower()].pk if value in ("NEED", "OFFER2") else value for key, value in entry.data.items()
    }
    url = entry.url(fixtures)
    if "propose" in url:
        from article6.assistance.models import Match

        Match.objects.filter(offer=fixtures["offer2"]).delete()  # each proposal starts afresh
    return getattr(client, entry.method)(url, data)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(client, world, name):
    entry = PAGES[name]
    got = {}
    for role in ROLE_NAMES:
        got[role] = outcome_of(request_as(client, world["people"][role], entry, world))
    assert got == entry.expected


def _admin_object(model, world):
    """A record of `model` to open in the back office (the fixtures made most of them)."""
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        return obj
    label = model._meta.label_lower
    user = world["people"]["lao_focal_point"]
    if label == "account.emailaddress":
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if label == "auth.group":
        from django.contrib.auth.models import Group

        return Group.objects.create(name="matrix")
    if label == "assistance.digestsent":
        from article6.assistance.models import DigestSent

        return DigestSent.objects.create(week="2026-W47", recipient=user.email, need_count=1)
    if label == "treaty.formeruse":
        from pagetools import add_states

        from article6.treaty.models import FormerUse

        add_states(2)  # test States: no real State is said to have used cluster munitions
        used_by, used_in = State.objects.filter(iso3__in=["QAA", "QAB"]).order_by("iso3")
        return FormerUse.objects.create(used_by=used_by, used_in=used_in, source="Matrix test record")
    if label == "assistance.exchangerate":
        from article6.assistance.models import ExchangeRate

        return ExchangeRate.objects.create(currency="EUR", year=2026, usd_per_unit="1.08", source="matrix test")
    raise AssertionError(f"no {label} record to open in the back office")


@pytest.mark.parametrize("name", sorted(admin_pages()))
def test_back_office_page(client, world, name):
    label, action, model = admin_pages()[name]
    obj = _admin_object(model, world)
    if action in ("changelist", "add"):
        url = reverse(name)
    elif action == "simple_history":
        history = model.history.filter(**{model._meta.pk.attname: obj.pk}).first()
        url = reverse(name, args=[obj.pk, history.history_id])
    else:
        url = reverse(name, args=[obj.pk])
    got = {}
    for role in ROLE_NAMES:
        client.logout()
        if world["people"][role] is not None:
            force_login_with_second_factor(client, world["people"][role])
        got[role] = outcome_of(client.get(url))
    assert got == admin_expected(label, action), url


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_admin_sign_in_form_is_no_way_in(client, world, role, django_user_model):
    """For every role: the superuser's e-mail and password posted to the admin's own
    sign-in form sign nobody in, and its `next` never leads off the site."""
    django_user_model.objects.create_superuser("matrix-root", "matrix-root@example.org", "a-long-root-password-1")
    user = world["people"][role]
    client.logout()
    if user is not None:
        force_login_with_second_factor(client, user)
    response = client.post(
        "/admin/login/?next=https://evil.invalid/",
        {"username": "matrix-root@example.org", "password": "a-long-root-password-1", "next": "https://evil.invalid/"},
    )
    expected = {**only(), "isu": REDIRECT}[role]
    assert outcome_of(response) == expected
    if response.status_code == 302:
        assert "evil" not in response["Location"] and response["Location"].startswith("/")
    assert int(client.session.get("_auth_user_id", 0) or 0) == (user.pk if user is not None else 0)


# Every view that takes a `next`, as (method, address, data); the address and the form both
# name another site, and the report is published by ISU and refused to everyone else.
NEXT_TAKERS = [
    ("post", "/i18n/setlang/?next={evil}", {"language": "fr", "next": "{evil}"}),
    ("get", "/accounts/login/?next={evil}", {}),
    ("post", "/accounts/logout/?next={evil}", {"next": "{evil}"}),
    ("get", "/accounts/2fa/totp/activate/?next={evil}", {}),
    ("get", "/accounts/2fa/reauthenticate/?next={evil}", {}),
    ("get", "/admin/login/?next={evil}", {}),
    ("post", "publish", {"next": "{evil}"}),
]


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("evil", ["https://evil.invalid/phish", "//evil.invalid/", "https:evil.invalid"])
def test_no_next_leads_off_the_site(client, world, role, evil):
    """For every role, every `next` and redirect target stays on this site."""
    user = world["people"][role]
    for method, url, data in NEXT_TAKERS:
        client.logout()
        if user is not None:
            force_login_with_second_factor(client, user)
        if url == "publish":
            url = report_url(world, "submitted", "publish/")
        url = url.format(evil=evil)
        data = {key: value.format(evil=evil) for key, value in data.items()}
        response = getattr(client, method)(url, data)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response["Location"]
            assert location.startswith("/") and not location.startswith("//"), (role, url, location)
            assert "evil" not in location.split("?")[0], (role, url, location)


# --- API operations -------------------------------------------------------------------------


def api_operations() -> set[tuple[str, str]]:
    from article6.api.v1 import api

    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


V1 = "/api/v1"
NEW_NEED = {
    "state": "LAO",
    "title": "Matrix need (API)",
    "description": "Clearance",
    "pillar": "clearance",
    "modality": "technical",
    "start_year": 2026,
    "end_year": 2026,
}
NEW_OFFER = {
    "provider_state": "NOR",
    "title": "Matrix offer (API)",
    "description": "Experts",
    "pillars": ["clearance"],
    "modalities": ["technical"],
    "kinds": ["experts"],
    "start_year": 2026,
    "end_year": 2026,
}
NEW_COMMITMENT = {
    "provider_state": "NOR",
    "recipient": "LAO",
    "title": "Matrix commitment (API)",
    "channel": "bilateral",
    "currency": "USD",
}
CONTACT_BODY = {"contact_institution": "Matrix institution (API)"}
# Through the API, a missing or bad identity is a 401, not a redirect to sign in.
API_ANY_SIGNED_IN = {**ANY_SIGNED_IN, "anonymous": UNAUTHORIZED}


def api_only(*roles):
    return {**only(*roles), "anonymous": UNAUTHORIZED}


API: dict[tuple[str, str], Entry] = {
    ("GET", f"{V1}/states"): Entry(lambda f: f"{V1}/states", EVERYONE),
    ("GET", f"{V1}/states/{{iso3}}"): Entry(lambda f: f"{V1}/states/LAO", EVERYONE),
    ("GET", f"{V1}/membership"): Entry(lambda f: f"{V1}/membership", EVERYONE),
    ("GET", f"{V1}/deadlines"): Entry(lambda f: f"{V1}/deadlines", EVERYONE),
    ("GET", f"{V1}/me"): Entry(lambda f: f"{V1}/me", API_ANY_SIGNED_IN),
    ("GET", f"{V1}/states/{{iso3}}/declaration"): Entry(lambda f: f"{V1}/states/LAO/declaration", EVERYONE),
    ("PUT", f"{V1}/states/{{iso3}}/declaration"): Entry(
        lambda f: f"{V1}/states/LAO/declaration", api_only("lao_focal_point", "isu"), "put", CONTACT_BODY
    ),
    ("GET", f"{V1}/organisations/{{id}}/declaration"): Entry(
        lambda f: f"{V1}/organisations/{f['ngo'].pk}/declaration", EVERYONE
    ),
    ("PUT", f"{V1}/organisations/{{id}}/declaration"): Entry(
        lambda f: f"{V1}/organisations/{f['ngo'].pk}/declaration", api_only("ngo_partner", "isu"), "put", CONTACT_BODY
    ),
    ("GET", f"{V1}/declarations/pending"): Entry(lambda f: f"{V1}/declarations/pending", api_only("isu")),
    ("POST", f"{V1}/declarations/{{kind}}/{{id}}/validate"): Entry(
        lambda f: f"{V1}/declarations/organisation/{f['organisation_declaration'].pk}/validate",
        api_only("isu"),
        "post",
        {"note": ""},
    ),
    ("POST", f"{V1}/declarations/{{kind}}/{{id}}/return"): Entry(
        lambda f: f"{V1}/declarations/state/{f['declaration'].pk}/return", api_only("isu"), "post", {"note": "matrix"}
    ),
    ("GET", f"{V1}/history/{{kind}}/{{key}}"): Entry(lambda f: f"{V1}/history/state/LAO", api_only("isu")),
    # Assistance: reading follows each record's visibility (these are public); writing is the
    # State's focal points' (needs), the provider's (offers, commitments), the recipient's (receipts).
    ("GET", f"{V1}/needs"): Entry(lambda f: f"{V1}/needs", EVERYONE),
    ("GET", f"{V1}/needs/{{id}}"): Entry(lambda f: f"{V1}/needs/{f['need'].pk}", EVERYONE),
    ("POST", f"{V1}/needs"): Entry(lambda f: f"{V1}/needs", api_only("lao_focal_point", "isu"), "post", NEW_NEED),
    ("PATCH", f"{V1}/needs/{{id}}"): Entry(
        lambda f: f"{V1}/needs/{f['need'].pk}", api_only("lao_focal_point", "isu"), "patch", {"priority": "high"}
    ),
    ("GET", f"{V1}/needs/{{id}}/suggestions"): Entry(lambda f: f"{V1}/needs/{f['need'].pk}/suggestions", EVERYONE),
    ("GET", f"{V1}/offers"): Entry(lambda f: f"{V1}/offers", EVERYONE),
    ("GET", f"{V1}/offers/{{id}}"): Entry(lambda f: f"{V1}/offers/{f['offer'].pk}", EVERYONE),
    ("GET", f"{V1}/offers/{{id}}/suggestions"): Entry(lambda f: f"{V1}/offers/{f['offer'].pk}/suggestions", EVERYONE),
    ("POST", f"{V1}/offers"): Entry(lambda f: f"{V1}/offers", api_only("norway_partner", "isu"), "post", NEW_OFFER),
    ("PATCH", f"{V1}/offers/{{id}}"): Entry(
        lambda f: f"{V1}/offers/{f['offer'].pk}", api_only("norway_partner", "isu"), "patch", {"is_active": True}
    ),
    ("GET", f"{V1}/commitments"): Entry(lambda f: f"{V1}/commitments", EVERYONE),
    ("GET", f"{V1}/commitments/{{id}}"): Entry(lambda f: f"{V1}/commitments/{f['commitment'].pk}", EVERYONE),
    ("POST", f"{V1}/commitments"): Entry(
        lambda f: f"{V1}/commitments", api_only("norway_partner", "isu"), "post", NEW_COMMITMENT
    ),
    ("POST", f"{V1}/commitments/{{id}}/receipts"): Entry(
        lambda f: f"{V1}/commitments/{f['commitment'].pk}/receipts",
        api_only("lao_focal_point", "isu"),
        "post",
        {"year": 2026, "amount": 1000},
    ),
    ("GET", f"{V1}/funding"): Entry(lambda f: f"{V1}/funding", EVERYONE),
    ("GET", f"{V1}/funding/gap"): Entry(lambda f: f"{V1}/funding/gap", EVERYONE),
    ("GET", f"{V1}/exchange-rates"): Entry(lambda f: f"{V1}/exchange-rates", EVERYONE),
    # Transparency reports: the figures and published reports are public; an unpublished
    # report is read by its State's focal points, the coordinators and ISU only.
    ("GET", f"{V1}/reporting/figures"): Entry(lambda f: f"{V1}/reporting/figures", EVERYONE),
    ("GET", f"{V1}/states/{{iso3}}/reports"): Entry(lambda f: f"{V1}/states/LAO/reports", EVERYONE),
    ("GET", f"{V1}/reports"): Entry(lambda f: f"{V1}/reports", EVERYONE),
    ("GET", f"{V1}/reports/{{id}}"): Entry(lambda f: f"{V1}/reports/{f['report'].pk}", DRAFT_READERS),
}


@pytest.mark.parametrize("operation", sorted(API), ids=lambda o: f"{o[0]} {o[1]}")
@pytest.mark.parametrize("credentials", ["token", "session"])
def test_api_operation(client, world, operation, credentials):
    """Each operation, for each role, with a read-and-write token and with the session."""
    import json

    entry = API[operation]
    got = {}
    for role in ROLE_NAMES:
        # Each request on a fresh record state: a review must find its declaration pending.
        world["declaration"].refresh_from_db()
        StateDeclaration.objects.filter(pk=world["declaration"].pk).update(status="pending")
        OrganisationDeclaration.objects.filter(pk=world["organisation_declaration"].pk).update(status="pending")
        user = world["people"][role]
        client.logout()
        headers = {}
        if user is not None:
            if credentials == "token":
                headers["Authorization"] = "Bearer " + ApiToken.issue(user, "matrix", "write")[1]
            else:
                client.force_login(user)
        kwargs = {"headers": headers}
        if entry.method != "get":
            kwargs.update(data=json.dumps(entry.data), content_type="application/json")
        response = getattr(client, entry.method)(entry.url(world), **kwargs)
        got[role] = outcome_of(response)
    assert got == entry.expected
