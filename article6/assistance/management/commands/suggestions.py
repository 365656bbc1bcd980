"""`article6 suggestions --need ID | --offer ID [--as USER_EMAIL] [--k N] [filters] [--json]`:
the suggestions of a need or an offer as its page lists them for that person (a coordinator
by default), from assistance.suggestions; `--json` prints the shape the API answers."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from pydantic import ValidationError

from article6.accounts.models import RoleKind
from article6.assistance import queries, suggestions
from article6.assistance.filters import MAX_ID, SuggestionFilters

#: The filters, as options: the option, then the field of SuggestionFilters it gives.
FILTER_OPTIONS = {
    "--modality": "modality",
    "--min-usd": "min_usd",
    "--from-year": "from_year",
    "--to-year": "to_year",
    "--language": "language",
}


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")


def _reason(error: dict) -> str:
    ctx = error.get("ctx") or {}
    if error.get("type") == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own message, without pydantic's prefix
    return str(error.get("msg", ""))


def _points(value: float) -> str:
    """Points to one decimal, as the JSON gives them, without it when whole (85, 78.4)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def read_filters(options: dict) -> SuggestionFilters:
    """The filters given as options, validated by SuggestionFilters (a refused value is
    a CommandError naming its option)."""
    given = {field: options[field] for field in FILTER_OPTIONS.values() if options[field] not in (None, "")}
    if options["hide_restricted"]:
        given["hide_restricted"] = True
    try:
        return SuggestionFilters.model_validate(given)
    except ValidationError as exc:
        error = exc.errors()[0]
        # The one check of the filters as a whole is the order of the years: the last one is refused.
        field = str(error["loc"][0]) if error["loc"] else "to_year"
        raise CommandError(f"{_option(field)}: {_reason(error)}") from None


def read_k(value: str | None) -> int:
    if value is None:
        return suggestions.SUGGESTIONS
    try:
        k = int(value)
    except ValueError:
        k = 0
    if not 1 <= k <= suggestions.MAX_SUGGESTIONS:
        raise CommandError("--k: " + _("A whole number from 1 to %(most)s.") % {"most": suggestions.MAX_SUGGESTIONS})
    return k


def viewer(email: str | None):
    """The person the suggestions are listed for: the active account of `email`, else the
    first active coordinator (by id)."""
    accounts = get_user_model().objects.filter(is_active=True).order_by("id")
    if email:
        found = accounts.filter(email__iexact=email.strip()).first()
        if found is None:
            raise CommandError(_("No active account has the e-mail %(email)s.") % {"email": email})
        return found
    found = accounts.filter(roles__kind=RoleKind.COORDINATOR).first()
    if found is None:
        raise CommandError(_("No active account has the coordinator role: give --as USER_EMAIL."))
    return found


def visible(queryset, pk: int, what: str):
    """The record the person may see, else the API's 404 words (never saying it exists)."""
    found = queryset.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if found is None:
        raise CommandError(_("No %(record)s has the id %(id)s.") % {"record": what, "id": pk})
    return found


class Command(BaseCommand):
    help = (
        "The suggestions of a need (the offers that fit it) or of an offer (the needs it fits), as its page "
        "lists them for a person: a coordinator by default (the first active one), or the account given with "
        "--as. Each with its score out of the points possible, its reasons and where it falls short; then those "
        "that cannot help and those declined already, with why."
    )

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--need", type=int, metavar="ID", help="the offers suggested for this need")
        subject.add_argument("--offer", type=int, metavar="ID", help="the needs suggested for this offer")
        parser.add_argument("--as", dest="as_email", metavar="USER_EMAIL", help="list what this active account may see")
        parser.add_argument(
            "--k",
            metavar="N",
            help=f"how many suggestions at most, 1 to {suggestions.MAX_SUGGESTIONS} "
            f"(default {suggestions.SUGGESTIONS})",
        )
        parser.add_argument("--modality", help="only candidates of this modality (technical, material, financial)")
        parser.add_argument("--min-usd", metavar="USD", help="only candidates of at least this many US dollars")
        parser.add_argument("--from-year", metavar="YEAR", help="only candidates with a year from this one on")
        parser.add_argument("--to-year", metavar="YEAR", help="only candidates with a year up to this one")
        parser.add_argument("--language", metavar="CODE", help="only candidates working in this language (en, fr…)")
        parser.add_argument(
            "--hide-restricted", action="store_true", help="leave out records restricted to their own parties"
        )
        parser.add_argument("--json", action="store_true", help="print JSON, the shape scripts and the API rely on")

    def handle(self, *args, **options):
        filters = read_filters(options).to_matching()
        k = read_k(options["k"])
        user = viewer(options["as_email"])
        if options["need"] is not None:
            subject = visible(queries.needs_for(user), options["need"], _("need"))
            result = suggestions.for_need(user, subject, k=k, filters=filters)
        else:
            subject = visible(queries.offers_for(user), options["offer"], _("offer"))
            result = suggestions.for_offer(user, subject, k=k, filters=filters)
        if options["json"]:
            self.stdout.write(json.dumps(suggestions.as_json(result), indent=2, ensure_ascii=False))
            return
        self.table(result, user)

    def table(self, result: suggestions.Suggestions, user) -> None:
        write = self.stdout.write
        subject = result.subject
        other = "offer" if result.perspective == "need" else "need"
        if result.perspective == "need":
            heading = _("Offers suggested for need %(id)s, “%(title)s”, as %(email)s:")
        else:
            heading = _("Needs suggested for offer %(id)s, “%(title)s”, as %(email)s:")
        write(heading % {"id": subject.pk, "title": subject.title, "email": user.email})
        if result.over:
            write(_("Its period ended in %(year)s: nothing is suggested for it.") % {"year": subject.end_year})
            return
        if not result.is_open:
            write(_("It is not open: nothing is suggested for it."))
            return
        if not result.suggested:
            write(_("No suggestion."))
        for rank, found in enumerate(result.suggested, start=1):
            record = getattr(found, other)
            score = _("%(score)s of %(possible)s (%(percent)s%%)") % {
                "score": _points(found.score),
                "possible": _points(found.possible),
                "percent": found.percent,
            }
            write(f"{rank:>3}. #{record.pk}  {record.title}  {score}")
            for reason in found.reasons:
                write(f"       + {reason.text}")
            for reason in found.why_not:
                write("       " + _("falls short: %(reason)s") % {"reason": reason.text})
        if result.filtered:
            write(_("%(count)s hidden by the filters.") % {"count": result.filtered})
        left = [(getattr(x, other), [r.text for r in x.reasons]) for x in result.not_suggested]
        left += [(getattr(d, other), [d.reason()]) for d in result.declined]
        if left or result.not_suggested_more:
            write("")
            write(_("Not suggested:"))
            for record, reasons in left:
                write(f"  #{record.pk}  {record.title}: {'; '.join(reasons)}")
            if result.not_suggested_more:
                write("  " + _("and %(count)s more that cannot help.") % {"count": result.not_suggested_more})
