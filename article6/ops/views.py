"""Pages of the operations app: a person's job (its progress, then its result), and ISU's
view of the background tasks that failed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from article6.accounts.permissions import require
from article6.ops import queries, services
from article6.ops.models import Job, JobState
from article6.paging import page_of

TASKS_PER_PAGE = 50


def _job_or_404(request, pk) -> Job:
    """The job, to the person who started it; to anyone else it does not exist."""
    job = queries.jobs_of(request.user).filter(pk=pk).first()
    if job is None or not request.user.has_perm("ops.view_job", job):
        raise Http404
    return job


@login_required
def job(request, pk):
    job = _job_or_404(request, pk)
    template = "ops/_job_progress.html" if request.headers.get("HX-Request") else "ops/job.html"
    return render(request, template, {"job": job, "states": JobState})


@login_required
def job_file(request, pk):
    job = _job_or_404(request, pk)
    if job.state != JobState.DONE or not job.output:
        raise Http404
    try:
        content = job.output.open("rb")
    except FileNotFoundError:
        # Removed from storage (a clean-up, a restore without the files): gone, not an error.
        raise Http404 from None
    return FileResponse(content, as_attachment=True, filename=job.output_name, content_type=job.output_type)


@login_required
def tasks(request):
    require(request.user, "ops.view_tasks")
    page, page_message = page_of(request, queries.problem_tasks(), TASKS_PER_PAGE)
    context = {
        "counts": queries.task_counts(),
        "rows": queries.rows(page.object_list),
        "page": page,
        "page_message": page_message,
    }
    return render(request, "ops/tasks.html", context)


@login_required
@require_POST
def task_try_again(request, pk):
    services.try_again(request.user, str(pk))
    messages.success(request, _("The task is queued again: the worker runs it next."))
    return redirect("ops:tasks")
