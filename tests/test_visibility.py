"""Visibility follows the data: into the records linked to a record, a need's coverage and
status, the audit trail, the e-mails, the history pages, drafts and matches. A record a
person may not see is never named to them, never counted in a figure they read, and is a
404 wherever they ask for it."""

import csv
import html
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pagetools import element, text

from article6.assistance import matches, notifications, services
from article6.assistance.models import Commitment, Need, Offer

SECRET = "Survivors' rehabilitation in Houaphanh"


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def a_need(people, lao, title="Clearance of two districts", **changes):
    values = {
        "state": lao,
        "title": title,
        "description": "Survey and clearance.",
        "pillar": "clearance",
        "modality": "financial",
        "amount": Decimal("100000"),
        "currency": "USD",
        "start_year": 2026,
        "end_year": 2027,
        **changes,
    }
    return services.save_need(people["isu"], Need(**values))


def a_commitment(people, nor, lao, *, visibility="public", committed="37123", needs=(), title="Support to Lao"):
    commitment = Commitment(
        provider_state=nor,
        recipient=lao,
        title=title,
        channel="bilateral",
        currency="USD",
        visibility=visibility,
    )
    return services.save_commitment(
        people["isu"],
        commitment,
        pillar_shares={"clearance": Decimal(100)},
        amounts=[services.Amount("committed", 2026, Decimal(committed))],
        needs={need.pk: None for need in needs},
    )


def an_offer(people, nor, lao):
    offer = Offer.objects.create(
        provider_state=nor,
        title="Clearance funding for Asia",
        description="Funding for survey and land release.",
        pillars=["clearance"],
        modalities=["financial"],
        kinds=["funding"],
        regions=["Asia"],
        start_year=2026,
        end_year=2027,
        created_by=people["norway_partner"],
    )
    offer.states.set([lao])
    return offer


# --- A restricted need linked to a public commitment ------------------------------------------


@pytest.fixture
def linked(people, nor, lao):
    """ISU links a restricted need of Lao to a public commitment of Norway."""
    hidden = a_need(people, lao, title=SECRET, visibility="restricted")
    public = a_need(people, lao, title="Clearance of two districts")
    commitment = a_commitment(people, nor, lao, needs=[hidden, public])
    return commitment, hidden, public


@pytest.mark.parametrize("role", ["anonymous", "no_role", "lebanon_focal_point", "norway_partner"])
def test_a_restricted_need_is_never_named_with_the_commitment_it_is_linked_to(client, people, linked, role):
    commitment, hidden, public = linked
    as_user(client, people[role])
    page = html.unescape(client.get(commitment.get_absolute_url()).content.decode())
    assert "Clearance of two districts" in page and SECRET not in page
    detail = client.get(f"/api/v1/commitments/{commitment.pk}").json()
    assert [n["title"] for n in detail["needs"]] == ["Clearance of two districts"]
    for export in ("csv", "xlsx"):
        assert SECRET.encode() not in client.get(reverse("assistance:export_commitments", args=[export])).content
    assert SECRET.encode() not in client.get(reverse("assistance:export_iati")).content
    # From the other side: the need page and the API list the commitment.
    assert client.get(f"/api/v1/needs/{public.pk}").json()["commitments"] == [commitment.pk]
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", ["lao_focal_point", "coordinator", "isu"])
def test_those_who_may_see_the_need_see_it_with_the_commitment(client, people, linked, role):
    commitment, hidden, public = linked
    as_user(client, people[role])
    page = html.unescape(client.get(commitment.get_absolute_url()).content.decode())
    assert SECRET in page
    detail = client.get(f"/api/v1/commitments/{commitment.pk}").json()
    assert sorted(n["title"] for n in detail["needs"]) == sorted([SECRET, "Clearance of two districts"])


# --- A public need's coverage ------------------------------------------------------------------


@pytest.fixture
def covered(people, nor, lao):
    """A public need of 100,000 USD: a restricted commitment of 37,123 and an ISU-only one of
    10,000 are linked to it."""
    need = a_need(people, lao)
    a_commitment(people, nor, lao, visibility="restricted", committed="37123", needs=[need], title="Restricted")
    a_commitment(people, nor, lao, visibility="isu_only", committed="10000", needs=[need], title="ISU only")
    return Need.objects.get(pk=need.pk)


def coverage_seen(client, need) -> tuple:
    """What a person reads of the need's coverage on its page, in the API, in both exports and
    through the status filter of the list and the API."""
    page = html.unescape(client.get(need.get_absolute_url()).content.decode())
    api = client.get(f"/api/v1/needs/{need.pk}").json()
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("assistance:export_needs", args=["csv"])).text)))
    (row,) = [r for r in rows if r["id"] == str(need.pk)]
    status = api["status"]
    listed = client.get(reverse("assistance:needs"), {"status": status}).content.decode()
    api_listed = client.get("/api/v1/needs", {"status": status}).json()["items"]
    other = "open" if status != "open" else "partly_covered"
    assert need.title in listed and [n["id"] for n in api_listed] == [need.pk]
    assert not client.get("/api/v1/needs", {"status": other}).json()["items"]
    return (
        text(element(page, "need-status")),
        text(element(page, "coverage")),
        status,
        api["covered_amount"],
        row["status"],
        Decimal(row["covered_amount"] or "0"),
    )


NOTHING = ("open", "0 USD funded (0%) · still lacking 100,000 USD", "open", 0.0, "open", Decimal("0"))
RESTRICTED = (
    "partly covered",
    "37,123 USD funded (37%) · still lacking 62,877 USD",
    "partly_covered",
    37123.0,
    "partly_covered",
    37123,
)
EVERYTHING = (
    "partly covered",
    "47,123 USD funded (47%) · still lacking 52,877 USD",
    "partly_covered",
    47123.0,
    "partly_covered",
    47123,
)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", NOTHING),
        ("no_role", NOTHING),
        ("lebanon_focal_point", NOTHING),
        ("norway_partner", NOTHING),
        ("lao_focal_point", RESTRICTED),
        ("coordinator", RESTRICTED),
        ("isu", EVERYTHING),
    ],
)
def test_a_needs_coverage_counts_only_the_commitments_the_person_may_see(client, people, covered, role, expected):
    as_user(client, people[role])
    assert coverage_seen(client, covered) == expected


@pytest.mark.parametrize(("role", "committed"), [("anonymous", 0), ("coordinator", 37123), ("isu", 47123)])
def test_the_gap_and_the_coverage_read_the_same_commitments(client, people, covered, role, committed):
    as_user(client, people[role])
    gap = client.get("/api/v1/funding/gap", {"state": "LAO"}).json()["items"]
    assert sum(row["committed"] for row in gap) == committed
    assert client.get(f"/api/v1/needs/{covered.pk}").json()["covered_amount"] == committed


def test_the_audit_trail_of_a_need_keeps_only_what_everyone_may_see(client, people, covered):
    as_user(client, people["lao_focal_point"])
    page = client.get(reverse("assistance:history", args=["need", covered.pk])).content.decode()
    assert "10,000" not in page and "47123" not in page and "47,123" not in page


def test_a_commitment_made_public_counts_for_everyone(client, people, covered):
    restricted = Commitment.objects.get(title="Restricted")
    restricted.visibility = "public"
    services.save_commitment(people["isu"], restricted)
    api = client.get(f"/api/v1/needs/{covered.pk}").json()
    assert (api["status"], api["covered_amount"]) == ("partly_covered", 37123.0)


# --- The audit trail of a match -----------------------------------------------------------------


@pytest.fixture
def match(people, nor, lao):
    need = a_need(people, lao)
    offer = an_offer(people, nor, lao)
    return matches.propose(people["coordinator"], need, offer, "Worth a look")


def test_a_matchs_history_never_names_a_commitment_the_reader_may_not_see(client, people, match, nor, lao):
    for side in ("state", "provider"):
        matches.answer(people["isu"], match, side, True)
    secret = a_commitment(people, nor, lao, visibility="isu_only", needs=[match.need], title="Confidential grant")
    match.commitment = secret
    match._history_user = people["isu"]
    match.save()
    # Every role but ISU: the match's page is either not found, or names the commitment
    # only as a record the reader cannot see.
    readers = set()
    for role in sorted(set(people) - {"isu"}):
        as_user(client, people[role])
        response = client.get(reverse("assistance:match", args=[match.pk]))
        page = html.unescape(response.content.decode())
        assert "Confidential grant" not in page, role
        if response.status_code == 404 or 'data-testid="history"' not in page:
            continue  # not found, or not one who works on the match: no history shown
        assert "a record you cannot see" in text(element(page, "history")), role
        readers.add(role)
    assert {"coordinator", "norway_partner", "lao_focal_point"} <= readers
    as_user(client, people["isu"])
    page = html.unescape(client.get(reverse("assistance:match", args=[match.pk])).content.decode())
    assert "Confidential grant" in text(element(page, "history"))


def test_a_need_covered_in_the_proposers_view_is_not_proposed(people, nor, lao):
    """A restricted commitment covers the whole need: the public still reads "open", but
    the coordinator, who sees the commitment, reads "covered" and may not propose it."""
    from django.core.exceptions import ValidationError

    need = a_need(people, lao)
    a_commitment(people, nor, lao, visibility="restricted", committed="100000", needs=[need], title="Restricted")
    offer = an_offer(people, nor, lao)
    assert Need.objects.get(pk=need.pk).status == "open"  # the public figure
    with pytest.raises(ValidationError, match="covered"):
        matches.propose(people["coordinator"], need, offer, "Worth a look")
    assert not matches.Match.objects.filter(need=need).exists()


# --- E-mails ---------------------------------------------------------------------------------


def test_match_emails_go_only_to_those_who_may_still_see_the_match(people, match):
    need = match.need
    need.visibility = "restricted"
    need.title = "Land release, restricted"
    services.save_need(people["lao_focal_point"], need)
    mail.outbox.clear()
    with_note = "Our own reasons, not for the partners"
    matches.answer(people["lao_focal_point"], match, "state", False, with_note)
    # The e-mail is sent once the transaction commits; tests run in one, so send it here.
    notifications.match_answered(match.pk, "state", False)
    to = sorted(address for message in mail.outbox for address in message.to)
    assert "nor@example.org" not in to
    assert "lao@example.org" in to and "coord@example.org" in to
    for message in mail.outbox:
        assert message.to != ["nor@example.org"]
    mail.outbox.clear()
    notifications.match_proposed(match.pk)
    assert sorted(address for message in mail.outbox for address in message.to) == ["lao@example.org"]


def test_the_digest_lists_only_needs_the_coordinator_still_sees_open(people, lao, nor):
    import datetime as dt

    waiting = a_need(people, lao, title="Waiting for a proposal")
    covered = a_need(people, lao, title="Covered by a restricted commitment")
    draft = a_need(people, lao, title="A draft", declared_status="draft")
    isu_covered = a_need(people, lao, title="Covered as only ISU knows")
    a_commitment(people, nor, lao, visibility="restricted", committed="100000", needs=[covered])
    a_commitment(people, nor, lao, visibility="isu_only", committed="100000", needs=[isu_covered], title="ISU")
    Need.objects.filter(pk__in=[waiting.pk, covered.pk, draft.pk, isu_covered.pk]).update(
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    notifications.send_digests(dt.date(2026, 11, 25))
    (digest,) = [m for m in mail.outbox if m.to == ["coord@example.org"]]
    # Open as the coordinator sees it: what covers it is for ISU only, and is not hinted at.
    assert "Waiting for a proposal" in digest.body and "Covered as only ISU knows" in digest.body
    # Covered as the coordinator sees it (a restricted commitment), and a draft they may not see.
    assert "Covered by a restricted commitment" not in digest.body and "A draft" not in digest.body


# --- History pages -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["need", "offer", "commitment"])
def test_the_history_of_a_hidden_record_is_a_404_like_its_page(client, people, nor, lao, kind):
    if kind == "need":
        record = a_need(people, lao, visibility="isu_only")
    elif kind == "offer":
        record = an_offer(people, nor, lao)
        record.visibility = "isu_only"
        record.save()
    else:
        record = a_commitment(people, nor, lao, visibility="isu_only")
    as_user(client, people["lebanon_focal_point"])
    assert client.get(record.get_absolute_url()).status_code == 404
    assert client.get(reverse("assistance:history", args=[kind, record.pk])).status_code == 404
    assert client.get(reverse("assistance:history", args=[kind, 999999])).status_code == 404
    as_user(client, people["isu"])
    assert client.get(reverse("assistance:history", args=[kind, record.pk])).status_code == 200


def test_the_history_of_a_visible_record_one_may_not_change_is_a_403(client, people, lao):
    need = a_need(people, lao)
    as_user(client, people["lebanon_focal_point"])
    assert client.get(reverse("assistance:history", args=["need", need.pk])).status_code == 403


# --- Drafts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("no_role", False),
        ("lebanon_focal_point", False),
        ("norway_partner", False),
        ("coordinator", False),
        ("lao_focal_point", True),
        ("isu", True),
    ],
)
def test_a_draft_need_is_seen_only_by_its_writers_and_isu(client, people, lao, role, sees):
    draft = a_need(people, lao, title="Not ready yet", declared_status="draft")
    as_user(client, people[role])
    assert client.get(draft.get_absolute_url()).status_code == (200 if sees else 404)
    # A draft is not unmet (the list's default), so the list is asked for every status.
    assert ("Not ready yet" in client.get(reverse("assistance:needs"), {"status": ""}).content.decode()) == sees
    assert bool(client.get("/api/v1/needs").json()["items"]) == sees
    assert (b"Not ready yet" in client.get(reverse("assistance:export_needs", args=["csv"])).content) == sees


# --- Matches: notes and personal data ---------------------------------------------------------------


@pytest.fixture
def answered(people, match):
    matches.answer(people["lao_focal_point"], match, "state", False, "Our budget changed")
    return match


def test_an_account_without_a_role_sees_no_match(client, people, answered):
    as_user(client, people["no_role"])
    assert client.get(reverse("assistance:match", args=[answered.pk])).status_code == 404
    page = client.get(reverse("assistance:matches")).content.decode()
    assert 'data-testid="no-matches"' in page


@pytest.mark.parametrize(
    ("role", "works_on"),
    [
        ("lebanon_focal_point", False),
        ("ngo_partner", False),
        ("lao_focal_point", True),
        ("norway_partner", True),
        ("coordinator", True),  # its proposer
        ("isu", True),
    ],
)
def test_notes_and_addresses_of_a_match_only_to_those_who_work_on_it(client, people, answered, role, works_on):
    as_user(client, people[role])
    page = html.unescape(client.get(reverse("assistance:match", args=[answered.pk])).content.decode())
    assert text(element(page, "need-answer")) == "declined"
    for private in ("Our budget changed", "Worth a look", "coord@example.org", "lao@example.org"):
        assert (private in page) == works_on, (role, private)


# --- One refusal, one place ---------------------------------------------------------------------


def test_every_permission_says_what_is_lacking_in_one_place():
    """Each permission of the project has its refusal in permissions.LACKING, and the words
    of a refusal are written nowhere else: views, services and the API take it from there."""
    import re
    from pathlib import Path

    from article6.accounts import permissions as layer
    from article6.accounts.permissions import LACKING, refusal

    declared = set(re.findall(r'rules\.add_perm\("([a-z_.]+)"', Path(layer.__file__).read_text()))
    assert len(declared) > 20
    assert declared - set(LACKING) == set()
    root = Path(__file__).resolve().parents[1] / "article6"
    sources = {path: path.read_text() for path in root.rglob("*.py") if path.name != "permissions.py"}
    for permission, message in LACKING.items():
        words = str(message).split("%(")[0]
        copies = [str(path) for path, text in sources.items() if words in text]
        assert copies == [], (permission, copies)
        assert refusal(permission, state="Lao", organisation="UNDP", provider="Norway")


@pytest.mark.parametrize(
    ("role", "url", "said"),
    [
        ("lebanon_focal_point", "need_edit", "Only the focal points of Lao People&#x27;s Democratic Republic"),
        ("norway_partner", "need_add", "Needs are filed by the focal points of the State that has them"),
        ("lao_focal_point", "offer_add", "Offers are published by partner focal points"),
        ("lao_focal_point", "commitment_add", "Commitments are recorded by partner focal points"),
        ("no_role", "donor", "The donor&#x27;s view is for focal points"),
    ],
)
def test_a_page_refuses_with_the_words_of_the_permission_layer(client, people, lao, role, url, said):
    need = a_need(people, lao)
    args = [need.pk] if url == "need_edit" else []
    as_user(client, people[role])
    response = client.get(reverse(f"assistance:{url}", args=args))
    assert response.status_code == 403
    assert said in response.content.decode()


def test_the_api_refuses_with_the_same_words(client, people, lao):
    from article6.accounts.models import ApiToken, TokenScope
    from article6.accounts.permissions import refusal

    need = a_need(people, lao)
    token = ApiToken.issue(people["lebanon_focal_point"], "test", TokenScope.WRITE)[1]
    response = client.patch(
        f"/api/v1/needs/{need.pk}",
        data={"title": "Changed"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == refusal("assistance.change_need", state=lao)
