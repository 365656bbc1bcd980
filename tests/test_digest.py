"""The weekly digest: each coordinator is e-mailed the needs of their thematic area open
for more than 90 days with no proposal; running the command again in the same ISO week
sends nothing twice (each digest sent is recorded)."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from mail_server import refusing
from people import everyone, person

from article6.accounts.models import RoleKind
from article6.assistance.models import DigestSent, Match, Need, Offer
from article6.states.models import State

WEDNESDAY = dt.date(2026, 11, 25)  # ISO week 2026-W48


@pytest.fixture
def people(reference):
    people = everyone()  # its coordinator coordinates cooperation (Art. 6): every need
    people["clearance_coordinator"] = person(
        "clearance.coord@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"}
    )
    people["va_coordinator"] = person(
        "va.coord@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "victim_assistance"}
    )
    return people


def file_need(people, title, *, days_ago, iso3="LAO", **changes):
    need = Need.objects.create(
        state=State.objects.get(iso3=iso3),
        title=title,
        description="What is needed.",
        pillar=changes.pop("pillar", "clearance"),
        modality="financial",
        amount=Decimal("100000"),
        currency="USD",
        start_year=2026,
        end_year=2027,
        created_by=people["lao_focal_point"],
        **changes,
    )
    Need.objects.filter(pk=need.pk).update(
        created=dt.datetime.combine(WEDNESDAY, dt.time(9), tzinfo=dt.UTC) - dt.timedelta(days=days_ago)
    )
    return need


def an_offer(people, title="An offer"):
    return Offer.objects.create(
        provider_state=State.objects.get(iso3="NOR"),
        title=title,
        description="Funding.",
        pillars=["clearance"],
        modalities=["financial"],
        kinds=["funding"],
        start_year=2026,
        end_year=2027,
        created_by=people["norway_partner"],
    )


def run(day=WEDNESDAY, *args):
    out = StringIO()
    call_command(
        "send-match-digest", "--date", day.isoformat(), "--base-url", "https://article6.example.org", *args, stdout=out
    )
    return out.getvalue()


def mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_coordinators_get_the_needs_of_their_area_waiting_for_a_proposal(people):
    file_need(people, "Waiting clearance need", days_ago=120)
    file_need(people, "Waiting national implementation need", days_ago=100, pillar="national_implementation")
    file_need(people, "Recent need", days_ago=30)
    file_need(people, "Closed need", days_ago=200, declared_status="closed", status="closed")
    file_need(people, "Need only ISU sees", days_ago=200, visibility="isu_only")
    proposed = file_need(people, "Need with a proposal", days_ago=200)
    declined = file_need(people, "Need whose proposal was declined", days_ago=200)
    Match.objects.create(need=proposed, offer=an_offer(people), score=60, proposed_by=people["isu"])
    Match.objects.create(
        need=declined, offer=an_offer(people, "Other"), score=60, proposed_by=people["isu"], offer_side="declined"
    )

    output = run()
    assert "Week 2026-W48: sent 2 digest(s)." in output

    (general,) = mail_to("coord@example.org")
    assert "3 needs wait for a proposal (week 2026-W48)" in general.subject
    for title in ("Waiting clearance need", "Waiting national implementation need", "Need whose proposal was declined"):
        assert title in general.body
    for title in ("Recent need", "Closed need", "Need only ISU sees", "Need with a proposal"):
        assert title not in general.body
    assert "https://article6.example.org/needs/" in general.body and "/suggestions/" in general.body

    (clearance,) = mail_to("clearance.coord@example.org")
    assert "Waiting clearance need" in clearance.body and "national implementation" not in clearance.body
    assert not mail_to("va.coord@example.org")  # nothing waiting in victim assistance
    assert not mail_to("isu@example.org") and not mail_to("lao@example.org")

    sent = {d.recipient: (d.week, d.need_count) for d in DigestSent.objects.all()}
    assert sent == {"coord@example.org": ("2026-W48", 3), "clearance.coord@example.org": ("2026-W48", 2)}


def test_the_same_digest_is_not_sent_twice_in_a_week(people):
    file_need(people, "Waiting clearance need", days_ago=120)
    run()
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    output = run(WEDNESDAY + dt.timedelta(days=4))  # Sunday, same ISO week
    assert "sent 0 digest(s)" in output and "already sent this week: 2" in output
    assert not mail.outbox
    assert DigestSent.objects.count() == 2
    run(WEDNESDAY + dt.timedelta(days=5))  # Monday: a new week
    assert len(mail.outbox) == 2
    assert set(DigestSent.objects.values_list("week", flat=True)) == {"2026-W48", "2026-W49"}


def test_a_new_coordinator_gets_this_weeks_digest_the_others_are_not_sent_again(people):
    file_need(people, "Waiting clearance need", days_ago=120)
    run()
    mail.outbox.clear()
    person("new.coord@example.org", {"kind": RoleKind.COORDINATOR, "thematic_area": "clearance"})
    run()
    assert [m.to for m in mail.outbox] == [["new.coord@example.org"]]


def test_a_dry_run_sends_and_records_nothing(people):
    file_need(people, "Waiting clearance need", days_ago=120)
    output = run(WEDNESDAY, "--dry-run")
    assert "would send 2 digest(s)" in output and "would send: coord@example.org" in output
    assert not mail.outbox and not DigestSent.objects.exists()


def test_coordinators_without_an_address_or_turned_off_get_nothing(people):
    file_need(people, "Waiting clearance need", days_ago=120)
    people["clearance_coordinator"].is_active = False
    people["clearance_coordinator"].save()
    people["coordinator"].email = ""
    people["coordinator"].save()
    assert "sent 0 digest(s)" in run()
    assert not mail.outbox


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="Not a date"):
        call_command("send-match-digest", "--date", "next week", stdout=StringIO())


def test_the_digest_goes_out_after_its_record_is_committed_and_a_failed_send_is_sent_next_time(people, monkeypatch):
    # Sending holds no transaction open (a slow mail server never holds the database's
    # write lock): the e-mail leaves at the same transaction depth as the command started.
    file_need(people, "Waiting clearance need", days_ago=120)
    with refusing(monkeypatch) as (depth, tried), pytest.raises(ConnectionRefusedError):
        run()
    assert tried == [depth]
    assert not DigestSent.objects.exists()  # so the next run sends it
    run()
    assert DigestSent.objects.exists() and mail.outbox
