"""The work queue: one page where ISU staff and the coordinators find what waits on them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from article6.accounts.permissions import require
from article6.work import queries


@login_required
def queue(request):
    """ISU: declarations to validate, reports to publish, invitations pending, needs
    unanswered and matches waiting. Coordinators: needs unanswered and matches waiting.
    Anyone else is refused, as on ISU's other desks (a 403 that says why)."""
    require(request.user, "work.view_queue")
    return render(request, "work/queue.html", queries.queue_for(request.user))
