"""The work queue at /work/: what waits on ISU staff (declarations to validate, reports to
publish, invitations pending) and on the coordinators (needs nobody answered, matches
waiting). Each section counts, lists by name and links to where the work is done, and
says what an empty section means. Only ISU staff and the coordinators have one; a
coordinator sees only what they may see. A fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from pagetools import element, html
from pagetools import text as raw_text
from people import person
from signin import force_login_with_second_factor

from article6.accounts.models import Invitation, RoleKind
from article6.assistance.models import Commitment, CommitmentNeed, Match, Need, Offer
from article6.reporting.models import RecordsComplete, Report
from article6.states.models import State, StateDeclaration

URL = "/work/"


def text(fragment: str) -> str:
    import html as entities

    return entities.unescape(raw_text(fragment))


def need(state, by, title, **fields):
    values = {
        "state": state,
        "title": title,
        "description": "What is needed.",
        "pillar": "clearance",
        "modality": "financial",
        "amount": Decimal("100000"),
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2027,
        "created_by": by,
    }
    return Need.objects.create(**{**values, **fields})


def offer(nor, by, title="Clearance funding", **fields):
    values = {
        "provider_state": nor,
        "title": title,
        "description": "Funding.",
        "pillars": ["clearance"],
        "modalities": ["financial"],
        "kinds": ["funding"],
        "start_year": 2026,
        "end_year": 2027,
        "created_by": by,
    }
    return Offer.objects.create(**{**values, **fields})


@pytest.fixture
def work(people, lao, nor):
    """Something in every section: a declaration, a submitted report, an invitation, needs
    with and without an answer, and a match waiting on the State."""
    lbn = State.objects.get(iso3="LBN")
    isu, fp = people["isu"], people["lao_focal_point"]
    StateDeclaration.objects.create(state=lao, contact_institution="Ministry", submitted_by=fp)
    Report.objects.create(
        state=lao, kind="annual", year=2025, status="submitted", submitted_on=dt.date(2026, 4, 20), created_by=fp
    )
    Report.objects.create(state=lbn, kind="annual", year=2025, status="draft", created_by=isu)
    Invitation.objects.create(email="invited@example.org", kind="state_focal_point", state=lao, invited_by=isu)
    Invitation.objects.create(
        email="accepted@example.org",
        kind="state_focal_point",
        state=lao,
        invited_by=isu,
        accepted=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    unanswered = need(lao, fp, "Survey of Xieng Khouang")
    # Its status is computed from what counts towards it: nothing yet, so open.
    partly = need(lao, fp, "Victim assistance centre", pillar="victim_assistance")
    matched = need(lao, fp, "Clearance in Savannakhet")
    committed = need(lao, fp, "Risk education", pillar="risk_reduction_education")
    covered = need(lao, fp, "Covered need")
    isu_only = need(lao, fp, "ISU-only need", visibility="isu_only")
    nor_offer = offer(nor, people["norway_partner"])
    Match.objects.create(need=matched, offer=nor_offer, score=0.8, proposed_by=people["coordinator"])
    commitment = Commitment.objects.create(
        provider_state=nor, recipient=lao, title="Risk education", channel="bilateral", currency="USD"
    )
    CommitmentNeed.objects.create(commitment=commitment, need=committed)
    # A need's status is computed from what counts towards it: this one is covered by a grant.
    grant = Commitment.objects.create(
        provider_state=nor, recipient=lao, title="Clearance grant", channel="bilateral", currency="USD"
    )
    grant.flows.create(kind="committed", year=2026, amount=Decimal("100000"))
    CommitmentNeed.objects.create(commitment=grant, need=covered)
    covered.refresh_from_db()
    assert covered.status == "covered"
    return {"unanswered": unanswered, "partly": partly, "isu_only": isu_only}


def get(client, user):
    force_login_with_second_factor(client, user)
    return client.get(URL)


def rows(page, section) -> list[str]:
    import re

    body = element(page, f"work-{section}")
    return [text(row) for row in re.findall(r"<tbody>(.*?)</tbody>", body, re.S)[0].split("</tr>") if text(row)]


def test_isu_sees_every_section_with_counts_names_and_links(client, people, work):
    page = html(get(client, people["isu"]))
    for section, count in (("declarations", 1), ("reports", 1), ("invitations", 1), ("needs", 3), ("matches", 1)):
        assert text(element(page, f"count-{section}")) == str(count), section
    declarations = element(page, "work-declarations")
    assert "Lao People's Democratic Republic" in text(declarations) and 'href="/isu/declarations/"' in declarations
    reports = element(page, "work-reports")
    assert "Lao People's Democratic Republic Annual update for 2025" in text(reports)
    assert "Lebanon" not in text(reports)  # a draft does not wait on ISU
    assert "Review and publish" in text(reports) and "LAO" not in text(reports)
    invitations = element(page, "work-invitations")
    assert "invited@example.org" in text(invitations) and "accepted@example.org" not in text(invitations)
    needs = text(element(page, "work-needs"))
    # Unanswered: no match, no commitment, open or partly covered (ISU sees the ISU-only one too).
    assert "Survey of Xieng Khouang" in needs and "Victim assistance centre" in needs and "ISU-only need" in needs
    assert "Victim assistance centre Victim assistance Open" in needs
    for answered in ("Clearance in Savannakhet", "Risk education", "Covered need"):
        assert answered not in needs
    assert f'href="/needs/{work["unanswered"].pk}/suggestions/"' in element(page, "work-needs")
    matches = text(element(page, "work-matches"))
    assert "Lao People's Democratic Republic: Clearance in Savannakhet" in matches and "Norway" in matches
    # ISU has not said from when its records of reports are complete: the queue asks for it.
    assert 'href="/isu/reports/complete/"' in element(page, "records-complete-unset")


def test_the_coordinator_sees_needs_and_matches_only_and_what_they_may_see(client, people, work):
    page = html(get(client, people["coordinator"]))
    assert 'data-testid="work-declarations"' not in page and 'data-testid="work-reports"' not in page
    assert 'data-testid="work-invitations"' not in page and 'data-testid="records-complete-unset"' not in page
    needs = text(element(page, "work-needs"))
    assert "Survey of Xieng Khouang" in needs and "Victim assistance centre" in needs
    assert "ISU-only need" not in needs  # not theirs to see
    assert text(element(page, "count-needs")) == "2"
    assert text(element(page, "count-matches")) == "1"


def test_empty_sections_say_what_that_means(client, people):
    RecordsComplete.objects.create(complete_from=dt.date(2024, 1, 1))
    page = html(get(client, people["isu"]))
    assert "No declaration awaits validation" in text(element(page, "work-declarations"))
    assert "No report awaits publication" in text(element(page, "work-reports"))
    assert "No invitation is pending" in text(element(page, "work-invitations"))
    assert "Every open need has a match proposed or a commitment" in text(element(page, "work-needs"))
    assert "No match waits for an answer" in text(element(page, "work-matches"))
    assert 'data-testid="records-complete-unset"' not in page


@pytest.mark.parametrize("role", ["no_role", "lao_focal_point", "norway_partner", "ngo_partner"])
def test_nobody_else_has_a_work_queue(client, people, role):
    response = get(client, people[role])
    assert response.status_code == 403
    assert "Only ISU staff and the coordinators have a work queue." in response.content.decode()


def test_a_visitor_is_sent_to_sign_in(client, reference):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_more_rows_than_shown_are_counted(client, people, lao):
    fp = people["lao_focal_point"]
    for i in range(13):
        need(lao, fp, f"Need {i}")
    page = html(get(client, people["coordinator"]))
    assert text(element(page, "count-needs")) == "13"
    assert "and 3 more" in text(element(page, "work-needs"))


# The session, the user, their roles, their second factor; then each section (two for the
# declarations: States' and organisations'; one for the records' completeness; one for ISU's
# commitments to check; one for ISU's count of background tasks).
@pytest.mark.parametrize(("role", "count"), [("isu", 13), ("coordinator", 8)])
def test_the_queue_runs_a_fixed_number_of_queries(
    client, people, work, lao, nor, role, count, django_assert_num_queries
):
    force_login_with_second_factor(client, people[role])
    client.get(URL)  # the site-wide sample-data check is cached from then on
    with django_assert_num_queries(count):
        assert client.get(URL).status_code == 200
    # More of everything: the same number of queries.
    fp = people["lao_focal_point"]
    for i in range(5):
        n = need(lao, fp, f"More {i}")
        Match.objects.create(
            need=n, offer=offer(nor, people["norway_partner"], f"Offer {i}"), score=0.5, proposed_by=people["isu"]
        )
        need(lao, fp, f"Unanswered {i}")
        StateDeclaration.objects.create(
            state=State.objects.get(iso3="LBN"), contact_institution=f"Institution {i}", submitted_by=people["isu"]
        )
        Invitation.objects.create(email=f"p{i}@example.org", kind="coordinator", invited_by=people["isu"])
    person("later@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "cooperation"})
    with django_assert_num_queries(count):
        assert client.get(URL).status_code == 200


def test_isu_sees_the_commitments_whose_amounts_do_not_add_up(client, people, lao):
    from article6.assistance.models import Flow

    grant = Commitment.objects.create(
        title="Over-corrected grant", recipient=lao, provider_name="A donor", currency="USD", channel="bilateral"
    )
    Flow.objects.create(commitment=grant, kind="committed", year=2026, amount=Decimal("10000"))
    Flow.objects.create(commitment=grant, kind="committed", year=2026, amount=Decimal("-15000"))
    section = text(element(html(get(client, people["isu"])), "work-commitments"))
    assert "Over-corrected grant" in section and "less than zero" in section
    assert 'data-testid="work-commitments"' not in html(get(client, people["coordinator"]))
