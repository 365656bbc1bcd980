"""The background tasks of the operations app, and how any task is described to ISU staff.

Tasks are Django's tasks API (the django-tasks backport of django.tasks) queued in the
site's database (django-tasks-db); `article6 worker` runs them and tries a failed one
again (article6.ops.worker). A task's arguments are plain JSON, written when it is queued:
ids, not objects, so that it reads the records as they are when it runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from article6.ops import mail


@task()
def send_email(message: dict) -> str:
    """Send one queued e-mail (article6.ops.mail.QueuedEmailBackend)."""
    mail.deliver(message)
    return ", ".join(message["to"])


@task()
def run_job(job_id: str) -> str:
    """Run a job started from a page (article6.ops.jobs)."""
    from article6.ops import jobs

    return jobs.run(job_id)


def job_id_of(task_path: str, args_kwargs: dict) -> str | None:
    if not task_path.endswith(".run_job"):
        return None
    args = args_kwargs.get("args") or []
    return args[0] if args else (args_kwargs.get("kwargs") or {}).get("job_id")


def describe(task_path: str, args_kwargs: dict, job_labels: dict[str, str]) -> str:
    """One line saying what a queued task does, for the tasks page: what, and for whom,
    never the body of an e-mail."""
    args = args_kwargs.get("args") or []
    kwargs = args_kwargs.get("kwargs") or {}
    if task_path.endswith(".send_email"):
        message = (args[0] if args else kwargs.get("message")) or {}
        return _("E-mail to %(to)s: “%(subject)s”") % {
            "to": ", ".join(message.get("to") or []) or _("nobody"),
            "subject": message.get("subject", ""),
        }
    job_id = job_id_of(task_path, args_kwargs)
    if job_id is not None:
        return job_labels.get(str(job_id)) or _("A job that no longer exists")
    return task_path.rsplit(".", 1)[-1].replace("_", " ")
