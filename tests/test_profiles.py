"""Profiles that focal points declare and ISU validates: only a State's or an
organisation's own focal points change it, the public sees only what ISU validated,
and every change is on record with who, when and the values before and after."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pagetools import element, text
from people import sample_ngo
from signin import force_login_with_second_factor

from article6.states.models import DeclarationStatus, State, StateDeclaration

CONTACT = {
    "contact_institution": "National Regulatory Authority for UXO/Mine Action",
    "contact_person": "Test Person",
    "contact_email": "nra@example.org",
    "contact_phone": "+856 21 000 000",
    "contact_address": "Vientiane",
    "contact_website": "https://nra.example.org/",
    "holds_stockpiles": "false",
    "has_contaminated_areas": "true",
    "has_victims": "true",
    "former_user_state": "false",
}


def signed_in(client, user):
    client.force_login(user)
    return client


def test_focal_point_declares_isu_validates_public_sees(client, people):
    edit = reverse("states:edit_profile", args=["LAO"])
    signed_in(client, people["lao_focal_point"])
    assert client.get(edit).status_code == 200
    response = client.post(edit, CONTACT)
    assert response.status_code == 302 and response["Location"] == "/states/LAO/"

    declaration = StateDeclaration.objects.get(state__iso3="LAO")
    assert declaration.status == DeclarationStatus.PENDING
    assert declaration.has_contaminated_areas is True and declaration.holds_stockpiles is False
    # The focal point sees the change awaiting validation; the public does not see it yet.
    page = client.get("/states/LAO/").content.decode()
    assert "awaits ISU validation" in text(element(page, "pending-notice"))
    client.logout()
    page = client.get("/states/LAO/").content.decode()
    assert "National Regulatory Authority" not in page
    assert "No contact has been declared and validated yet." in page

    signed_in(client, people["isu"])
    queue = client.get(reverse("states:declarations")).content.decode()
    assert "National Regulatory Authority" in queue
    review = reverse("states:review_declaration", args=["state", declaration.pk])
    assert client.post(review, {"decision": "validate", "note": ""}).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VALIDATED and declaration.reviewed_by == people["isu"]

    client.logout()
    page = client.get("/states/LAO/").content.decode()
    assert text(element(page, "contact-institution")) == CONTACT["contact_institution"]


def test_a_new_change_leaves_the_validated_version_public(client, people):
    lao = State.objects.get(iso3="LAO")
    signed_in(client, people["lao_focal_point"])
    client.post(reverse("states:edit_profile", args=["LAO"]), CONTACT)
    from article6.states import declarations

    declarations.validate(people["isu"], declarations.pending(lao))
    client.post(reverse("states:edit_profile", args=["LAO"]), {**CONTACT, "contact_institution": "A new name"})
    client.logout()
    page = client.get("/states/LAO/").content.decode()
    assert text(element(page, "contact-institution")) == CONTACT["contact_institution"]
    assert "A new name" not in page


def test_isu_returns_a_declaration_with_a_note_and_the_focal_point_sees_why(client, people):
    signed_in(client, people["lao_focal_point"])
    client.post(reverse("states:edit_profile", args=["LAO"]), CONTACT)
    declaration = StateDeclaration.objects.get()
    signed_in(client, people["isu"])
    review = reverse("states:review_declaration", args=["state", declaration.pk])
    # Returning needs a note; through htmx the row comes back with the reason.
    response = client.post(review, {"decision": "return", "note": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Say why" in response.content.decode()
    response = client.post(
        review, {"decision": "return", "note": "Give the full address."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "returned by ISU" in response.content.decode()
    signed_in(client, people["lao_focal_point"])
    page = client.get("/states/LAO/").content.decode()
    assert "Give the full address." in text(element(page, "returned-notice"))


def test_invalid_values_are_named_and_nothing_is_written(client, people):
    signed_in(client, people["lao_focal_point"])
    response = client.post(
        reverse("states:edit_profile", args=["LAO"]),
        {**CONTACT, "contact_email": "not an address", "contact_institution": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="field-error-contact_email"' in page
    assert 'data-testid="field-error-contact_institution"' in page
    assert not StateDeclaration.objects.exists()


@pytest.mark.parametrize("role", ["lebanon_focal_point", "norway_partner", "ngo_partner", "coordinator", "no_role"])
def test_nobody_else_changes_a_states_profile(client, people, role):
    signed_in(client, people[role])
    edit = reverse("states:edit_profile", args=["LAO"])
    assert client.get(edit).status_code == 403
    response = client.post(edit, CONTACT)
    assert response.status_code == 403
    assert "Only the focal points of Lao" in response.content.decode()
    assert not StateDeclaration.objects.exists()


def test_a_forged_state_in_the_form_changes_only_the_users_own_state(client, people):
    """The State comes from the address, never from the form: a Lebanese focal point
    who adds state=LAO to the form still writes only Lebanon's profile."""
    lao = State.objects.get(iso3="LAO")
    signed_in(client, people["lebanon_focal_point"])
    client.post(reverse("states:edit_profile", args=["LBN"]), {**CONTACT, "state": lao.pk, "state_id": lao.pk})
    assert list(StateDeclaration.objects.values_list("state__iso3", flat=True)) == ["LBN"]


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    response = client.get(reverse("states:edit_profile", args=["LAO"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(reverse("states:edit_profile", args=["LAO"]), CONTACT).status_code == 302
    assert not StateDeclaration.objects.exists()


def test_only_isu_validates_also_through_htmx(client, people):
    signed_in(client, people["lao_focal_point"])
    client.post(reverse("states:edit_profile", args=["LAO"]), CONTACT)
    declaration = StateDeclaration.objects.get()
    review = reverse("states:review_declaration", args=["state", declaration.pk])
    for role in ("lao_focal_point", "coordinator", "norway_partner"):
        signed_in(client, people[role])
        response = client.post(review, {"decision": "validate"}, headers={"HX-Request": "true"})
        assert response.status_code == 403
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.PENDING


def test_organisation_focal_point_edits_only_their_organisation(client, people):
    ngo = sample_ngo()
    signed_in(client, people["ngo_partner"])
    response = client.post(
        reverse("states:edit_organisation_profile", args=[ngo.pk]), {"contact_institution": "TDN headquarters"}
    )
    assert response.status_code == 302
    assert ngo.declarations.get().status == DeclarationStatus.PENDING
    signed_in(client, people["norway_partner"])
    assert client.get(reverse("states:edit_organisation_profile", args=[ngo.pk])).status_code == 403


def history_users(iso3="LAO") -> list[str]:
    rows = StateDeclaration.history.filter(state__iso3=iso3).order_by("history_date", "history_id")
    return [(r.history_type, r.history_user.email if r.history_user else None) for r in rows]


def test_history_records_changes_made_through_pages(client, people):
    signed_in(client, people["lao_focal_point"])
    client.post(reverse("states:edit_profile", args=["LAO"]), CONTACT)
    client.post(reverse("states:edit_profile", args=["LAO"]), {**CONTACT, "contact_person": "Another Person"})
    declaration = StateDeclaration.objects.get()
    signed_in(client, people["isu"])
    client.post(reverse("states:review_declaration", args=["state", declaration.pk]), {"decision": "validate"})
    assert history_users() == [("+", "lao@example.org"), ("~", "lao@example.org"), ("~", "isu@example.org")]

    # The history page shows who did what, with the values before and after.
    signed_in(client, people["lao_focal_point"])
    page = client.get(reverse("states:history", args=["LAO"])).content.decode()
    history = text(element(page, "history"))
    assert "isu@example.org" in history and "lao@example.org" in history
    assert re.search(r"contact person Test Person Another Person", history, re.I)


def test_history_records_changes_made_through_the_admin(client, people):
    force_login_with_second_factor(client, people["isu"])  # the back office asks for the second factor
    lao = State.objects.get(iso3="LAO")
    response = client.post(
        reverse("admin:states_statedeclaration_add"),
        {"state": lao.pk, "contact_institution": "Entered by ISU", "status": "validated", "review_note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert history_users() == [("+", "isu@example.org")]
    declaration = StateDeclaration.objects.get()
    assert declaration.submitted_by == people["isu"]


def test_history_records_imports(people):
    """load-reference changes a State: the history says the import did it."""
    State.objects.filter(iso3="LAO").update(name="Changed by hand")
    call_command("load-reference")
    row = State.history.filter(iso3="LAO").order_by("-history_date", "-history_id").first()
    assert row.history_type == "~" and row.history_user is None
    assert row.history_change_reason and "load-reference" in row.history_change_reason


@pytest.mark.parametrize(
    ("role", "status"),
    [("lao_focal_point", 200), ("isu", 200), ("lebanon_focal_point", 403), ("coordinator", 403), ("no_role", 403)],
)
def test_who_sees_a_states_history(client, people, role, status):
    signed_in(client, people[role])
    assert client.get(reverse("states:history", args=["LAO"])).status_code == status


def test_history_page_runs_a_fixed_number_of_queries(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, people["lao_focal_point"])
    history = reverse("states:history", args=["LAO"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(history).status_code == 200
        return len(captured.captured_queries)

    client.post(reverse("states:edit_profile", args=["LAO"]), CONTACT)
    queries()  # the first view after saving also reads the flash message
    few = queries()
    for n in range(20):
        client.post(reverse("states:edit_profile", args=["LAO"]), {**CONTACT, "contact_person": f"Person {n}"})
    assert queries() == few <= 12


def test_forbidden_page_says_what_is_lacking(client, people):
    signed_in(client, people["lebanon_focal_point"])
    response = client.get(reverse("states:edit_profile", args=["LAO"]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only the focal points of Lao People" in text(element(page, "forbidden-reason"))
    assert "lbn@example.org" in page
