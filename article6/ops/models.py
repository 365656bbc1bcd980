"""A job: long work a person started from a page (an upload being imported, a big export
being made), run as a background task, with the progress their page polls and the result
or every error when it ends."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for its turn")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused, nothing was written")
    FAILED = "failed", _("Failed")


FINISHED = (JobState.DONE, JobState.REFUSED, JobState.FAILED)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    label = models.CharField(_("what it does"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    # What it is doing now ("reading", "checking", "writing") and how far: done of total
    # (total unknown: the bar has no end yet).
    step = models.CharField(_("step"), max_length=40, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    params = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to="jobs/in/", max_length=200, blank=True)
    output = models.FileField(upload_to="jobs/out/", max_length=200, blank=True)
    output_name = models.CharField(max_length=200, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    # When it ends: {"summary": [lines], "errors": [lines], "link": url, "link_label": text}.
    result = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["owner", "-created"])]

    def __str__(self) -> str:
        return self.label

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
