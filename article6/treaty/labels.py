"""Human labels for the Convention's computed values (rules.Status,
rules.ObligationStatus, rules.DeadlineKind), translated. The rules themselves
stay plain enums; pages, the calendar feed and anything else that shows them
to people take their wording from here."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from article6.treaty import rules

STATUS_LABELS = {
    rules.Status.STATE_PARTY: _("State Party"),
    rules.Status.SIGNATORY: _("Signatory"),
    rules.Status.WITHDRAWN: _("Withdrawn"),
    rules.Status.NON_SIGNATORY: _("Non-signatory"),
}

OBLIGATION_STATUS_LABELS = {
    rules.ObligationStatus.NOT_APPLICABLE: _("not applicable"),
    rules.ObligationStatus.ON_TRACK: _("on track"),
    rules.ObligationStatus.DUE_SOON: _("due within 12 months"),
    rules.ObligationStatus.PASSED_NO_INFORMATION: _("deadline passed, no information recorded"),
    rules.ObligationStatus.OVERDUE: _("overdue"),
    rules.ObligationStatus.COMPLETED: _("completed"),
    rules.ObligationStatus.COMPLETED_LATE: _("completed late"),
}

# The tone each obligation status is shown in (the design's status colours, always
# with an icon and the words). A deadline that passed with nothing recorded since is
# "soon" (amber), never "late": only a fact makes an obligation overdue.
OBLIGATION_STATUS_TONES = {
    rules.ObligationStatus.NOT_APPLICABLE: "unknown",
    rules.ObligationStatus.ON_TRACK: "done",
    rules.ObligationStatus.DUE_SOON: "soon",
    rules.ObligationStatus.PASSED_NO_INFORMATION: "soon",
    rules.ObligationStatus.OVERDUE: "late",
    rules.ObligationStatus.COMPLETED: "done",
    rules.ObligationStatus.COMPLETED_LATE: "late",
}


def obligation_status_text(obligation: rules.Obligation) -> str:
    """The status in words, with the date a passed deadline rests on: "deadline passed,
    no information since 4 September 2019". Dates in the reader's language."""
    status = obligation.status
    if status is rules.ObligationStatus.PASSED_NO_INFORMATION and obligation.last_fact_date:
        return gettext("deadline passed, no information since %(day)s") % {
            "day": date_format(obligation.last_fact_date, "j F Y")
        }
    return str(OBLIGATION_STATUS_LABELS[status])


DEADLINE_LABELS = {
    rules.DeadlineKind.INITIAL_REPORT: _("Initial transparency report"),
    rules.DeadlineKind.ANNUAL_REPORT: _("Annual transparency report"),
    rules.DeadlineKind.STOCKPILE_DESTRUCTION: _("Stockpile destruction deadline"),
    rules.DeadlineKind.CLEARANCE: _("Clearance deadline"),
    rules.DeadlineKind.EXTENSION_REQUEST: _("Last day to request an extension"),
}

# The provision each kind of deadline comes from, as cited to users.
DEADLINE_PROVISIONS = {
    rules.DeadlineKind.INITIAL_REPORT: pgettext_lazy("provision", "Art. 7(1)"),
    rules.DeadlineKind.ANNUAL_REPORT: pgettext_lazy("provision", "Art. 7(2)"),
    rules.DeadlineKind.STOCKPILE_DESTRUCTION: pgettext_lazy("provision", "Art. 3(2)"),
    rules.DeadlineKind.CLEARANCE: pgettext_lazy("provision", "Art. 4(1)"),
}

DEADLINE_EXPLANATIONS = {
    rules.DeadlineKind.INITIAL_REPORT: _(
        "Article 7(1) of the Convention on Cluster Munitions: an initial report as soon as practicable "
        "and not later than 180 days after the Convention enters into force for the State."
    ),
    rules.DeadlineKind.ANNUAL_REPORT: _(
        "Article 7(2) of the Convention on Cluster Munitions: an annual update, covering the previous "
        "calendar year, not later than 30 April of each year."
    ),
    rules.DeadlineKind.STOCKPILE_DESTRUCTION: _(
        "Article 3(2) of the Convention on Cluster Munitions: destroy all stockpiled cluster munitions "
        "not later than eight years after entry into force for the State, or by the extended deadline "
        "granted under Article 3(3)."
    ),
    rules.DeadlineKind.CLEARANCE: _(
        "Article 4(1) of the Convention on Cluster Munitions: clear and destroy cluster munition remnants "
        "not later than ten years after entry into force for the State, or by the extended deadline "
        "granted under Article 4(5)."
    ),
    rules.DeadlineKind.EXTENSION_REQUEST: _(
        "Articles 3(3) and 4(5) of the Convention on Cluster Munitions: a request to extend the deadline "
        "is submitted to the Meeting of States Parties or Review Conference; requests reach the meeting "
        "nine months before it opens."
    ),
}


def provision(deadline: rules.Deadline) -> str:
    """The provision a deadline comes from: "Art. 7(2)", or for an extension
    request "Art. 3(3)" or "Art. 4(5)"."""
    if deadline.kind is rules.DeadlineKind.EXTENSION_REQUEST:
        paragraph = {3: 3, 4: 5}.get(deadline.article)
        if paragraph is None:
            return pgettext("provision", "Art. %(article)s") % {"article": deadline.article}
        return pgettext("provision", "Art. %(article)s(%(paragraph)s)") % {
            "article": deadline.article,
            "paragraph": paragraph,
        }
    return str(DEADLINE_PROVISIONS[deadline.kind])


def what_is_due(deadline: rules.Deadline) -> str:
    """One line saying what is due, e.g. "Annual transparency report covering
    2018" or "Last day to request an extension of the Art. 4 deadline, for 12MSP"."""
    if deadline.kind is rules.DeadlineKind.ANNUAL_REPORT and deadline.covered_year:
        return gettext("Annual transparency report covering %(year)s") % {"year": deadline.covered_year}
    if deadline.kind is rules.DeadlineKind.EXTENSION_REQUEST:
        if deadline.meeting:
            return gettext("Last day to request an extension of the Art. %(article)s deadline, for %(meeting)s") % {
                "article": deadline.article,
                "meeting": deadline.meeting,
            }
        return gettext("Last day to request an extension of the Art. %(article)s deadline") % {
            "article": deadline.article
        }
    return str(DEADLINE_LABELS[deadline.kind])
