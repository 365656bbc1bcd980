"""Background work: e-mail queued as tasks and sent by the worker, a failed task tried
again with backoff and then shown to ISU staff, a task left behind by a stopped worker
queued again, and jobs (an upload being imported, a big export) with their progress."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from signin import force_login_with_second_factor
from tasks import run_tasks

from article6.assistance.models import Commitment, CommitmentPillar, Flow, Need
from article6.ops import jobs
from article6.ops.mail import message_from_json, message_to_json
from article6.ops.models import Job
from article6.ops.worker import requeue_interrupted, retry_or_give_up

QUEUED = "article6.ops.mail.QueuedEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
IATI = Path(__file__).resolve().parents[2] / "shared" / "reference" / "iati"
DFID_EXTRACT = IATI / "dfid_15250_drc_demining_mag_activity.xml"


@pytest.fixture
def queued_mail(settings):
    """E-mail as the site sends it: queued, then handed by the worker to the test outbox."""
    settings.EMAIL_BACKEND = QUEUED
    settings.ARTICLE6_EMAIL_DELIVERY = LOCMEM
    settings.ARTICLE6_TASK_RETRY_DELAYS = (60, 300)
    return settings


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


# --- E-mail as a task -------------------------------------------------------------------------


def test_an_email_is_queued_and_sent_by_the_worker_not_by_the_page(db, queued_mail):
    assert send_mail("Hello", "Body", None, ["a@example.org"]) == 1
    assert mail.outbox == []  # nothing sent yet: the page does not wait for the mail server
    task = DBTaskResult.objects.get()
    assert (task.status, task.task_path) == ("READY", "article6.ops.tasks.send_email")
    assert run_tasks() == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [("Hello", ["a@example.org"])]
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def test_an_email_queued_in_a_transaction_that_fails_is_never_sent(db, queued_mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Hello", "Body", None, ["a@example.org"])
        raise RuntimeError("the write failed")
    assert DBTaskResult.objects.count() == 0
    assert run_tasks() == 0 and mail.outbox == []


def test_a_message_comes_back_whole_from_its_task():
    message = EmailMultiAlternatives(
        "Subject é", "Body", "from@example.org", ["to@example.org"], cc=["cc@example.org"], headers={"X-A": "1"}
    )
    message.attach_alternative("<p>Body</p>", "text/html")
    message.attach("report.pdf", b"%PDF-1.7 \x00\xff", "application/pdf")
    again = message_from_json(message_to_json(message))
    assert (again.subject, again.body, again.from_email, again.to, again.cc) == (
        "Subject é",
        "Body",
        "from@example.org",
        ["to@example.org"],
        ["cc@example.org"],
    )
    assert again.extra_headers == {"X-A": "1"}
    assert again.alternatives[0][:2] == ("<p>Body</p>", "text/html")
    assert again.attachments[0][:3] == ("report.pdf", b"%PDF-1.7 \x00\xff", "application/pdf")


def test_a_need_filed_tells_the_coordinators_who_follow_it_through_the_worker(
    people, queued_mail, django_capture_on_commit_callbacks
):
    from article6.assistance import services

    need = Need(
        state=people["lao_focal_point"].roles.get().state,
        title="Survey teams",
        description="Two teams.",
        pillar="clearance",
        modality="technical",
        start_year=2027,
        end_year=2027,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.save_need(people["lao_focal_point"], need)
    assert mail.outbox == []
    run_tasks()
    # The coordinator of cooperation and coordination follows every need; nobody else is told.
    assert [m.to for m in mail.outbox] == [["coord@example.org"]]
    assert "Survey teams (clearance, technical)" in mail.outbox[0].body
    # Saving it again tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        services.save_need(people["lao_focal_point"], Need.objects.get(pk=need.pk))
    assert run_tasks() == 0


# --- Tried again, then shown to ISU -----------------------------------------------------------


def test_a_failed_email_is_tried_again_with_backoff_then_shown_to_isu_who_may_try_again(client, people, queued_mail):
    queued_mail.ARTICLE6_EMAIL_DELIVERY = f"{__name__}.RefusingBackend"
    send_mail("Reminder", "Body", None, ["focal@example.org"])
    started = timezone.now()
    assert run_tasks() == 1
    task = DBTaskResult.objects.get()
    # Attempt 1 failed: queued again a minute later, its error kept.
    assert task.status == "READY" and task.exception_class_path == "builtins.ConnectionRefusedError"
    assert dt.timedelta(seconds=59) < task.run_after - started < dt.timedelta(seconds=70)
    assert run_tasks() == 0  # not before its time
    for expected_delay in (300, None):
        DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
        assert run_tasks() == 1
        task.refresh_from_db()
        if expected_delay:
            assert task.status == "READY" and len(task.worker_ids) == 2
    assert task.status == "FAILED" and len(task.worker_ids) == 3  # three attempts: given up

    force_login_with_second_factor(client, people["isu"])
    page = client.get(reverse("ops:tasks")).content.decode()
    assert "E-mail to focal@example.org: “Reminder”" in page
    assert "ConnectionRefusedError" in page and "mail server down" in page
    assert "3 of 3" in page
    assert re.search(r'data-testid="count-failed">1<', page)

    # The mail server is back: ISU tries it again, and the worker sends it.
    queued_mail.ARTICLE6_EMAIL_DELIVERY = LOCMEM
    response = client.post(reverse("ops:task_try_again", args=[task.pk]))
    assert response.status_code == 302
    assert run_tasks() == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and [m.subject for m in mail.outbox] == ["Reminder"]
    assert "No task has failed" in client.get(reverse("ops:tasks")).content.decode()


def test_the_tasks_page_is_isus_and_runs_the_same_queries_for_5_or_50_tasks(
    client, people, queued_mail, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queued_mail.ARTICLE6_EMAIL_DELIVERY = f"{__name__}.RefusingBackend"
    queued_mail.ARTICLE6_TASK_RETRY_DELAYS = ()

    def fail(count):
        for n in range(count):
            send_mail(f"Message {n}", "Body", None, [f"p{n}@example.org"])
        run_tasks()

    for role in ("coordinator", "lao_focal_point", "no_role"):
        client.logout()
        force_login_with_second_factor(client, people[role])
        assert client.get(reverse("ops:tasks")).status_code == 403, role
    client.logout()
    force_login_with_second_factor(client, people["isu"])
    counts = []
    for count in (5, 45):
        fail(count)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("ops:tasks"))
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert page.content.decode().count('data-testid="task-row"') == 50


# --- A worker stopped by force ----------------------------------------------------------------


def test_a_task_left_running_by_a_worker_that_is_gone_is_queued_again(db, queued_mail, settings):
    import socket

    send_mail("Hello", "Body", None, ["a@example.org"])
    task = DBTaskResult.objects.get()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    host = socket.gethostname()[:40]
    task.claim(f"{host}:{dead_pid}:abcdefgh")  # running on a worker of this machine that is gone
    alive = DBTaskResult.objects.create(
        args_kwargs=task.args_kwargs,
        task_path=task.task_path,
        backend_name="default",
        run_after=task.run_after,
    )
    alive.claim(f"{host}:{os.getpid()}:abcdefgh")  # running on a worker that is still there
    assert requeue_interrupted() == 1
    task.refresh_from_db()
    alive.refresh_from_db()
    assert task.status == "READY" and "stopped while running" in task.traceback
    assert alive.status == "RUNNING"
    # Past its lease, a task of a worker on another machine is queued again too.
    settings.ARTICLE6_TASK_LEASE_SECONDS = 60
    DBTaskResult.objects.filter(pk=alive.pk).update(started_at=timezone.now() - dt.timedelta(minutes=2))
    assert requeue_interrupted() == 1
    alive.refresh_from_db()
    assert alive.status == "READY"
    assert run_tasks() == 2 and len(mail.outbox) == 2  # nothing lost (sent at least once)


def test_a_worker_stopped_with_sigterm_finishes_its_task_then_exits(tmp_path):
    """`article6 worker` in a process of its own, on a database file: SIGTERM during a slow
    task lets the task finish (its e-mail written), then the worker exits 0."""
    import signal
    import time

    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
            "ARTICLE6_EMAIL_DELIVERY": "slow_mail.SlowBackend",
            "ARTICLE6_MAIL_DIR": str(tmp_path / "mail"),
            "PYTHONPATH": str(Path(__file__).resolve().parent),
        }
    )
    command = [sys.executable, "-m", "article6"]
    subprocess.run([*command, "migrate", "--noinput", "--verbosity", "0"], env=env, check=True, timeout=600)
    queue = "from django.core.mail import send_mail; send_mail('Slow', 'Body', None, ['a@example.org'])"
    subprocess.run([*command, "shell", "-c", queue], env=env, check=True, timeout=120, capture_output=True)
    worker = subprocess.Popen([*command, "worker", "--interval", "0.1"], env=env, stderr=subprocess.PIPE, text=True)
    started = tmp_path / "mail" / "started"
    deadline = time.monotonic() + 120
    while not started.exists():
        assert worker.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0, worker.stderr.read()
    assert (tmp_path / "mail" / "sent").read_text() == "Slow"


# --- Jobs: progress, then the result ----------------------------------------------------------


def test_progress_is_written_at_most_twice_a_second_and_never_inside_a_transaction(people):
    job = Job.objects.create(owner=people["isu"], kind="commitments_export", label="x")
    now = [0.0]
    progress = jobs.Progress(job, clock=lambda: now[0])
    progress(10, 100, "bytes")
    now[0] = 0.1
    progress(20, 100, "bytes")  # too soon: not written
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (10, 100, 10)
    now[0] = 0.7
    progress(30, 100, "bytes")
    job.refresh_from_db()
    assert job.done == 30
    with transaction.atomic():
        now[0] = 5
        progress(90, 100, "bytes")
    job.refresh_from_db()
    assert job.done == 30


def test_the_job_page_polls_while_the_job_runs_and_stops_when_it_ends(client, people):
    job = Job.objects.create(owner=people["lao_focal_point"], kind="workbook_import", label="Workbook", state="running")
    Job.objects.filter(pk=job.pk).update(step="reading", done=3000, total=12000, unit="rows")
    force_login_with_second_factor(client, people["lao_focal_point"])
    page = client.get(reverse("ops:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Reading the file…" in page
    assert '<progress class="a6-progress" max="100" value="25"' in page and "25% (3,000 of 12,000)" in page
    partial = client.get(reverse("ops:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="job-progress"') and "<html" not in partial
    Job.objects.filter(pk=job.pk).update(
        state="done", result={"summary": ["Saved."], "link": "/x/", "link_label": "Go"}
    )
    page = client.get(reverse("ops:job", args=[job.pk])).content.decode()
    assert "hx-trigger" not in page and "Saved." in page
    # Somebody else's job does not exist for them.
    for role in ("lebanon_focal_point", "isu", "coordinator"):
        client.logout()
        force_login_with_second_factor(client, people[role])
        assert client.get(reverse("ops:job", args=[job.pk])).status_code == 404


def _upload_iati(client, data: bytes, name: str = "activities.xml"):
    response = client.post(reverse("assistance:import_commitments"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/"), response.content.decode()
    job = Job.objects.get()
    assert job.state == "queued" and job.upload
    assert run_tasks() == 1
    return job, client.get(response["Location"]).content.decode()


def test_isu_imports_an_iati_file_in_the_background_and_sees_what_it_did(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    force_login_with_second_factor(client, people["isu"])
    assert client.get(reverse("assistance:import_commitments")).status_code == 200
    job, page = _upload_iati(client, DFID_EXTRACT.read_bytes())
    job.refresh_from_db()
    assert job.state == "done" and job.done == job.total == 1 and job.unit == "commitments"
    assert "1 commitments created, 0 updated, 0 unchanged, 0 skipped." in page
    assert Commitment.objects.filter(source__startswith="iati:").count() == 1
    assert not job.upload and not list((tmp_path / "jobs" / "in").iterdir())  # the upload is not kept


def test_a_file_that_cannot_be_read_is_refused_with_its_reasons_and_nothing_written(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    force_login_with_second_factor(client, people["isu"])
    job, page = _upload_iati(client, b"<iati-activities><iati-activity>")
    job.refresh_from_db()
    assert job.state == "refused"
    assert "Nothing was imported." in page and job.result["errors"]
    assert Commitment.objects.count() == 0


def test_only_isu_imports_commitments_and_only_xml_or_csv_files(client, people):
    for role in ("coordinator", "norway_partner", "lao_focal_point"):
        client.logout()
        force_login_with_second_factor(client, people[role])
        assert client.get(reverse("assistance:import_commitments")).status_code == 403, role
    client.logout()
    force_login_with_second_factor(client, people["isu"])
    response = client.post(
        reverse("assistance:import_commitments"), {"file": SimpleUploadedFile("a.xml", b"MZ\x90\x00 an executable")}
    )
    assert response.status_code == 422 and Job.objects.count() == 0
    response = client.post(reverse("assistance:import_commitments"), {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert response.status_code == 422 and "only these kinds of file are taken: csv, xml" in response.content.decode()


def test_a_big_export_is_made_by_the_worker_with_what_its_owner_may_see(client, people, settings, tmp_path):
    import openpyxl

    from article6.assistance import views

    settings.MEDIA_ROOT = tmp_path
    from article6.states.models import State

    norway, lao = State.objects.get(iso3="NOR"), State.objects.get(iso3="LAO")
    for n, visibility in enumerate(["public", "public", "restricted"]):
        commitment = Commitment.objects.create(
            provider_state=norway,
            recipient=lao,
            title=f"Commitment {n}",
            channel="bilateral",
            currency="USD",
            visibility=visibility,
            created_by=people["norway_partner"],
        )
        CommitmentPillar.objects.create(commitment=commitment, pillar="clearance", share=100)
        Flow.objects.create(commitment=commitment, kind="committed", year=2026, amount=Decimal("1000"))
    settings_rows = views.EXPORT_LATER_ROWS
    views.EXPORT_LATER_ROWS = 1
    try:
        force_login_with_second_factor(client, people["lebanon_focal_point"])
        page = client.get(reverse("assistance:commitments")).content.decode()
        assert 'data-testid="export-later-xlsx"' in page
    finally:
        views.EXPORT_LATER_ROWS = settings_rows
    response = client.post(reverse("assistance:export_commitments_later", args=["xlsx"]) + "?q=Commitment")
    assert response.status_code == 302
    job = Job.objects.get()
    assert run_tasks() == 1
    page = client.get(response["Location"]).content.decode()
    assert "2 commitments." in page and 'data-testid="job-file"' in page
    download = client.get(reverse("ops:job_file", args=[job.pk]))
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    titles = {row[0] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert {"Commitment 0", "Commitment 1"} <= {str(t) for t in titles} or any(
        "Commitment 0" in str(row) for row in book.worksheets[0].iter_rows(values_only=True)
    )
    assert not any("Commitment 2" in str(row) for row in book.worksheets[0].iter_rows(values_only=True))
    client.logout()
    force_login_with_second_factor(client, people["norway_partner"])
    assert client.get(reverse("ops:job_file", args=[job.pk])).status_code == 404
    # A file removed from storage since is gone for its owner too: a 404, never a crash.
    job.refresh_from_db()
    job.output.storage.delete(job.output.name)
    client.logout()
    force_login_with_second_factor(client, people["lebanon_focal_point"])
    assert client.get(reverse("ops:job_file", args=[job.pk])).status_code == 404


def test_a_job_whose_task_fails_every_time_says_so_and_keeps_its_upload_for_isu(people, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    settings.ARTICLE6_TASK_RETRY_DELAYS = ()
    job = jobs.start(
        people["isu"],
        "commitments_import",
        "Import",
        params={"format": "iati"},
        upload=ContentFile(b"<x/>"),
        upload_name="a.xml",
    )
    assert run_tasks() == 1  # the params lack the file's name: a KeyError, not the person's fault
    job.refresh_from_db()
    assert job.state == "failed" and job.upload
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and retry_or_give_up(task) is False
