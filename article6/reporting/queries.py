"""Queries the reporting pages, the API and the commands share: the States and the
reports received, turned into the plain records `reporting.rules` counts."""

from __future__ import annotations

from article6.reporting import rules
from article6.reporting.models import Report
from article6.states.models import State


def reporting_states(queryset=None) -> list[rules.ReportingState]:
    """Every State (or those of `queryset`) with its treaty dates, in one query."""
    states = (queryset if queryset is not None else State.objects.all()).only(
        "iso3",
        "region",
        "signature_date",
        "deposit_date",
        "withdrawal_notified_date",
        "withdrawal_armed_conflict_ended",
    )
    return [rules.ReportingState(s.iso3, s.region, s.treaty_dates) for s in states.order_by("iso3")]


def submissions(queryset=None) -> list[rules.Submission]:
    """Every report received (submitted, published, or recorded from the past), in one
    query. Each version is listed; `rules.first_submissions` keeps the first."""
    reports = (queryset if queryset is not None else Report.objects.all()).received()
    return [
        rules.Submission(iso3, kind, year, submitted)
        for iso3, kind, year, submitted in reports.filter(submitted_on__isnull=False).values_list(
            "state__iso3", "kind", "year", "submitted_on"
        )
    ]


def readable_reports(user):
    """The reports `user` may read: published ones for everyone; drafts and submitted
    ones for the State's own focal points, the coordinators and ISU."""
    from django.db.models import Q

    from article6.accounts.permissions import is_coordinator, is_isu, reporting_states_of
    from article6.reporting.models import ReportStatus

    reports = Report.objects.all()
    if is_isu(user) or is_coordinator(user):
        return reports
    return reports.filter(Q(status=ReportStatus.PUBLISHED) | Q(state__in=reporting_states_of(user)))
