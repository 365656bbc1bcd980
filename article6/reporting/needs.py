"""From report to request: the challenges and needs a State states in form I of its
transparency report (Art. 7(1)(l)–(n), voluntary) become, with one action of its focal
point, needs of the assistance capability (Art. 6), each keeping the link to the report
it came from."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from article6.assistance.models import Need
from article6.assistance.services import save_need
from article6.reporting import services
from article6.reporting.models import Report, ReportedNeed, ReportStatus


def _key(row) -> tuple:
    """What makes a row of a correction the same need as one of the version it corrects."""
    return (row.title.strip(), row.pillar, row.start_year, row.end_year)


def evidence_of(report: Report) -> str:
    """Where the need was stated, in words (the report's page is not a web address to
    store: the need's page links to it)."""
    text = _("Stated in the Article 7 transparency report of %(state)s: %(period)s, version %(version)s.") % {
        "state": report.state.name,
        "period": report.period_label,
        "version": report.version,
    }
    if report.submitted_on:
        text += " " + _("Submitted on %(date)s.") % {"date": report.submitted_on.isoformat()}
    return text


def _earlier_filed(report: Report) -> dict[tuple, ReportedNeed]:
    """Rows of the versions this report corrects that already hold a need, by their key."""
    filed: dict[tuple, ReportedNeed] = {}
    earlier = report.corrects
    while earlier is not None:
        for row in ReportedNeed.objects.select_for_update(of=("self",)).filter(report=earlier, need__isnull=False):
            filed.setdefault(_key(row), row)
        earlier = earlier.corrects
    return filed


def _need_from(row: ReportedNeed, report: Report) -> Need:
    return Need(
        state=report.state,
        title=row.title,
        description=row.description,
        pillar=row.pillar,
        modality=row.modality,
        amount=row.amount,
        currency=row.currency.upper(),
        start_year=row.start_year,
        end_year=row.end_year,
        evidence=evidence_of(report),
        is_sample=report.is_sample,
    )


def _row_problems(number: int, row: ReportedNeed, error: ValidationError) -> list[str]:
    where = _("Challenges and needs, row %(row)s (“%(title)s”)") % {"row": number, "title": row.title}
    messages = []
    for field, texts in getattr(error, "message_dict", {"": error.messages}).items():
        label = "" if field in ("", "__all__") else str(Need._meta.get_field(field).verbose_name)
        for text in texts:
            messages.append(f"{where}, {label}: {text}" if label else f"{where}: {text}")
    return messages


@transaction.atomic
def file_needs(user, report: Report) -> list[Need]:
    """File the report's challenges-and-needs rows that hold no need yet as needs of its
    State, and return the needs filed. Running it again files nothing twice.

    Only from a report the State has sent in (a draft may still change), by its focal
    points or ISU. In a correction, a row identical (title, pillar, period) to one
    already filed from an earlier version takes over that need instead of filing it
    again: the link moves to the latest version, which is the one the need's page
    shows. Every row is checked first; if any is refused, nothing is filed.
    """
    report = Report.objects.select_for_update(of=("self",)).select_related("state", "corrects").get(pk=report.pk)
    services.require_edit(user, report)
    if report.status == ReportStatus.DRAFT:
        raise ValidationError(_("Needs are filed from a submitted report, not from a draft."))
    if Report.objects.filter(corrects=report).received().exists():
        raise ValidationError(_("This version was corrected: file the needs from the latest version."))
    rows = list(ReportedNeed.objects.select_for_update(of=("self",)).filter(report=report).order_by("pk"))
    earlier = _earlier_filed(report) if report.corrects_id else {}
    to_file: list[tuple[ReportedNeed, Need]] = []
    to_link: list[tuple[ReportedNeed, ReportedNeed]] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        if row.need_id:
            continue
        previous = earlier.pop(_key(row), None)
        if previous is not None:
            to_link.append((row, previous))
            continue
        need = _need_from(row, report)
        try:
            need.full_clean(exclude=["created_by"])
        except ValidationError as error:
            problems += _row_problems(number, row, error)
        to_file.append((row, need))
    if problems:
        raise ValidationError(problems)
    for row, previous in to_link:
        need_id = previous.need_id
        previous.need = None  # a need is stated in one report row: the latest version's
        previous._history_user = user
        previous.save(update_fields=["need"])
        row.need_id = need_id
        row._history_user = user
        row.save(update_fields=["need"])
    filed = []
    for row, need in to_file:
        try:
            need = save_need(user, need)
        except ValidationError as error:  # checked above; only what save_need adds lands here
            raise ValidationError(_row_problems(rows.index(row) + 1, row, error)) from error
        row.need = need
        row._history_user = user
        row.save(update_fields=["need"])
        filed.append(need)
    return filed
