"""Reminders of the reports a State owes (Art. 7): its focal points are e-mailed 60 and
14 days before the due date, and when the report becomes overdue; running the daily
command twice sends nothing twice, and a report received is not reminded of."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from mail_server import refusing
from people import person
from signin import force_login_with_second_factor

from article6.accounts.models import RoleKind
from article6.reporting.models import RecordsComplete, ReminderSent, Report
from article6.reporting.reminders import reminder_due
from article6.states.models import State

DUE = dt.date(2027, 4, 30)  # the annual update covering 2026 (Art. 7(2))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.mark.parametrize(
    "today, expected",
    [
        (DUE - days(61), None),
        (DUE - days(60), "60"),
        (DUE - days(15), "60"),
        (DUE - days(14), "14"),
        (DUE - days(1), "14"),
        (DUE, "14"),
        (DUE + days(1), "overdue"),
        (DUE + days(30), "overdue"),
        (DUE + days(31), None),
        (DUE + days(3000), None),
    ],
)
def test_which_reminder_a_day_calls_for(today, expected):
    assert reminder_due(DUE, today) == expected


def run(day: dt.date, *args) -> str:
    out = StringIO()
    call_command("send-report-reminders", "--today", day.isoformat(), *args, stdout=out)
    return out.getvalue()


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_sixty_days_before_30_april_the_focal_points_are_reminded(people):
    assert run(DUE - days(61)).startswith("2027-02-28: sent 0 reminder(s).")
    assert mail.outbox == []
    output = run(DUE - days(60))
    # Only the State focal points: not the partner focal point for Norway, nor anybody else.
    assert sent_to() == ["lao@example.org", "lbn@example.org"]
    assert "sent: LAO annual 2026, due 2027-04-30 (60) to lao@example.org" in output
    lao = next(m for m in mail.outbox if m.to == ["lao@example.org"])
    assert lao.subject == (
        "article6: the annual transparency report of Lao People's Democratic Republic for 2026 – due on 2027-04-30"
    )
    assert "covering the calendar year 2026" in lao.body
    assert "not later than 30 April: on 2027-04-30" in lao.body
    assert "60 days left" in lao.body
    assert "/states/LAO/reports/" in lao.body
    assert "&#x27;" not in lao.body  # plain text, not HTML
    assert ReminderSent.objects.filter(state__iso3="LAO", kind="annual", year=2026, due=DUE, reminder="60").exists()


def test_running_twice_sends_nothing_twice(people):
    run(DUE - days(50))
    assert len(mail.outbox) == 2
    assert "already sent: 2" in run(DUE - days(50))
    run(DUE - days(49))
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(reminder="60").count() == 2


def test_fourteen_days_before_on_the_day_and_overdue(people):
    RecordsComplete.objects.create(complete_from=dt.date(2026, 1, 1))  # ISU's records are complete: missing is known

    def lao_bodies():
        return [m.body for m in mail.outbox if m.to == ["lao@example.org"]]

    run(DUE - days(60))
    run(DUE - days(14))
    assert "14 days left" in lao_bodies()[-1]
    run(DUE)  # the 14-day reminder was sent already
    assert len(lao_bodies()) == 2
    run(DUE + days(1))
    assert "overdue by 1 day." in lao_bodies()[-1]
    assert "overdue since 2027-04-30" in [m.subject for m in mail.outbox][-1]
    run(DUE + days(30))
    run(DUE + days(400))  # long overdue: not e-mailed again and again
    assert len(lao_bodies()) == 3


def test_after_the_due_date_without_complete_records_the_email_says_not_recorded_not_overdue(people):
    """Missing data accuses no State, in e-mails too: with no day from which ISU's records
    are complete (or one after the due date), the reminder after the due date says that
    this system holds no record of the report, not that it is overdue."""
    RecordsComplete.objects.create(state=State.objects.get(iso3="LBN"), complete_from=DUE + days(1))
    run(DUE + days(3))
    for address in ("lao@example.org", "lbn@example.org"):
        (message,) = [m for m in mail.outbox if m.to == [address]]
        assert "overdue" not in message.subject and "overdue" not in message.body
        assert "not recorded, due on 2027-04-30" in message.subject
        assert "This system holds no record of it, 3 days after the due date." in message.body


def test_a_first_run_within_fourteen_days_sends_that_reminder_only(people):
    run(DUE)
    assert [m.to for m in mail.outbox] == [["lao@example.org"], ["lbn@example.org"]]
    assert "It has not been received yet and is due today." in mail.outbox[0].body
    assert set(ReminderSent.objects.values_list("reminder", flat=True)) == {"14"}


def test_a_report_received_is_not_reminded_of_but_a_draft_is(people):
    lao, lbn = State.objects.get(iso3="LAO"), State.objects.get(iso3="LBN")
    Report.objects.create(
        state=lao,
        kind="annual",
        year=2026,
        status="submitted",
        submitted_on=dt.date(2027, 2, 20),
        created_by=people["lao_focal_point"],
    )
    Report.objects.create(state=lbn, kind="annual", year=2026, created_by=people["lebanon_focal_point"])
    run(DUE - days(60))
    assert sent_to() == ["lbn@example.org"]


def test_only_active_focal_points_with_an_address_and_each_alone(people):
    lao = State.objects.get(iso3="LAO")
    second = person("lao.deputy@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": lao})
    gone = person("lao.former@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": lao})
    gone.is_active = False
    gone.save()
    run(DUE - days(60))
    assert sent_to() == ["lao.deputy@example.org", "lao@example.org", "lbn@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    assert ReminderSent.objects.get(state=lao, reminder="60").recipients == 2
    assert second.email in sent_to()


def test_a_state_without_focal_point_is_reminded_once_it_has_one(people):
    norway = State.objects.get(iso3="NOR")  # only a partner focal point (for Norway as a donor)
    output = run(DUE - days(60))
    assert "NOR" in output.split("no focal point to remind")[1]
    assert not ReminderSent.objects.filter(state=norway).exists()
    person("nor.focal@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": norway})
    run(DUE - days(59))
    assert [m.to for m in mail.outbox][-1] == ["nor.focal@example.org"]
    assert ReminderSent.objects.filter(state=norway, reminder="60").count() == 1


def test_the_initial_report_is_due_180_days_after_entry_into_force(people):
    # Deposit on 15 June 2026: in force on 1 December 2026 (Art. 17(2)), initial report
    # due 180 days later, on 30 May 2027 (Art. 7(1)).
    new = State.objects.create(
        name="Test State (test)",
        iso3="QZZ",
        iso2="QZ",
        iso_numeric=999,
        region="Africa",
        signature_date=dt.date(2026, 1, 5),
        deposit_date=dt.date(2026, 6, 15),
        instrument_kind="a",
    )
    person("qzz@example.org", {"kind": RoleKind.STATE_FOCAL_POINT, "state": new})
    RecordsComplete.objects.create(state=new, complete_from=dt.date(2026, 12, 1))
    due = dt.date(2026, 12, 1) + days(180)
    assert due == dt.date(2027, 5, 30)
    run(due - days(61))
    assert not [m for m in mail.outbox if m.to == ["qzz@example.org"]]
    run(due - days(60))
    run(due - days(14))
    run(due + days(1))
    messages = [m for m in mail.outbox if m.to == ["qzz@example.org"]]
    assert [m.subject for m in messages] == [
        "article6: the initial transparency report of Test State (test) – due on 2027-05-30",
        "article6: the initial transparency report of Test State (test) – due on 2027-05-30",
        "article6: the initial transparency report of Test State (test) – overdue since 2027-05-30",
    ]
    assert "not later than 180 days after the Convention entered into force for it" in messages[0].body
    assert "60 days left" in messages[0].body and "14 days left" in messages[1].body
    assert list(ReminderSent.objects.filter(state=new).order_by("sent").values_list("kind", "due", "reminder")) == [
        ("initial", due, "60"),
        ("initial", due, "14"),
        ("initial", due, "overdue"),
    ]


def test_a_dry_run_sends_and_records_nothing(people):
    output = run(DUE - days(60), "--dry-run")
    assert "would send 2 reminder(s)" in output and "would send: LBN annual 2026" in output
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    run(DUE - days(60))
    assert len(mail.outbox) == 2


def test_a_wrong_date_is_refused(db):
    with pytest.raises(CommandError, match="Not a date"):
        call_command("send-report-reminders", "--today", "30/04/2027", stdout=StringIO())


# --- The back office (ISU): reports and the reminders sent ------------------------------------


def inlines(*prefixes) -> dict:
    data = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    return data


def test_isu_records_a_past_report_in_the_back_office(client, people):
    from django.urls import reverse

    force_login_with_second_factor(client, people["isu"])  # the back office asks for the second factor
    fiji = State.objects.get(iso3="FJI")
    response = client.post(
        reverse("admin:reporting_report_add"),
        {
            "state": fiji.pk,
            "kind": "initial",
            "year": "",
            "version": "1",
            "status": "published",
            "submitted_on": "2011-04-29",
            "published_on": "2011-05-10",
            "historic": "on",
            "document_url": "https://example.org/fiji-initial-report.pdf",
            **inlines("sections", "munitions", "areas", "casualties", "resources", "assistance", "needs"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get(state=fiji)
    assert report.created_by == people["isu"] and report.historic and report.submitted_on == dt.date(2011, 4, 29)
    page = client.get(reverse("admin:reporting_report_changelist") + "?q=Fiji").content.decode()
    assert reverse("admin:reporting_report_change", args=[report.pk]) in page
    assert "initial report (Art. 7(1))" in page


def test_the_reminders_sent_are_listed_read_only(client, people):
    from django.urls import reverse

    run(DUE - days(60))
    force_login_with_second_factor(client, people["isu"])
    page = client.get(reverse("admin:reporting_remindersent_changelist")).content.decode()
    assert "Lao People" in page and "60 days before the due date" in page
    sent = ReminderSent.objects.get(state__iso3="LAO")
    page = client.get(reverse("admin:reporting_remindersent_change", args=[sent.pk])).content.decode()
    assert 'name="recipients"' not in page  # nothing to change
    assert client.get(reverse("admin:reporting_remindersent_add")).status_code == 403
    client.force_login(people["lao_focal_point"])
    assert client.get(reverse("admin:reporting_remindersent_changelist")).status_code == 302


def test_a_reminder_goes_out_after_its_record_is_committed_and_a_failed_send_is_sent_next_time(people, monkeypatch):
    # No transaction is held open while the mail server answers; a send that fails leaves
    # no record, so that the next run sends the reminder.
    with refusing(monkeypatch) as (depth, tried), pytest.raises(ConnectionRefusedError):
        run(DUE - days(60))
    assert tried == [depth]
    assert not ReminderSent.objects.exists()
    run(DUE - days(60))
    assert ReminderSent.objects.count() == 2 and sent_to() == ["lao@example.org", "lbn@example.org"]
