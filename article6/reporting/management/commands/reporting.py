"""`article6 reporting [--as-of DATE] [--by region] [--json]`: the Art. 7 reporting figures."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from article6.asof import as_of_option
from article6.reporting import queries


def _of_sample(counts: dict, key: str) -> str:
    """ "(of which N from sample data)" after a figure that counts fictional sample reports."""
    n = (counts.get("sample") or {}).get(key, 0)
    return "  " + _("(of which %(n)d from sample data)") % {"n": n} if n else ""


class Command(BaseCommand):
    help = gettext_lazy(
        "Transparency reports (Art. 7) on a date: initial reports due, received on time, received late and "
        "overdue, with the States whose initial report is overdue; annual updates due, received and received "
        "on time per year covered, and the reporting rate over the reports whose status is known. A report "
        "missing but due before the day from which ISU's records are complete is not recorded, not overdue. "
        "Counts every report received, at its first version's date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", metavar="YYYY-MM-DD", help=gettext_lazy("the day to count on; default today")
        )
        parser.add_argument("--by", choices=["region"], help=gettext_lazy("also count by region"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("print JSON, the shape scripts rely on"))

    def handle(self, *args, **options):
        as_of = as_of_option(options["as_of"])
        data = queries.transparency(as_of)
        figures = data["figures"]
        if options["by"] == "region":
            figures["by_region"] = data["by_region"]
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        self.stdout.write(_("Transparency reports (Art. 7), as of %(day)s") % {"day": figures["as_of"]})
        self._initial(figures["initial"], "  ")
        self._annual(figures["annual"], "  ")
        for region, counts in figures.get("by_region", {}).items():
            self.stdout.write("")
            self.stdout.write(region)
            self._initial(counts["initial"], "  ")
            self._annual(counts["annual"], "  ")
        recorded = data["recorded"]
        self.stdout.write("")
        if data["complete_from"]:
            self.stdout.write(
                _("ISU's records of reports received are complete from %(day)s.")
                % {"day": data["complete_from"].isoformat()}
            )
        else:
            self.stdout.write(_("ISU has not set a date from which its records are complete."))
        self.stdout.write(
            _(
                "Counts only the reports recorded in this system: %(reports)s received by this date, "
                "the earliest on %(earliest)s."
            )
            % {"reports": recorded["reports"], "earliest": recorded["earliest"] or "—"}
        )

    def _initial(self, initial: dict, indent: str) -> None:
        self.stdout.write(indent + _("Initial reports (Art. 7(1))"))
        for label, key in (
            (_("due"), "due"),
            (_("on time"), "submitted_on_time"),
            (_("late"), "submitted_late"),
            (_("overdue"), "overdue"),
            (_("not recorded"), "not_recorded"),
        ):
            self.stdout.write(f"{indent}  {label:<16} {initial[key]:>5}" + _of_sample(initial, key))
        if initial["overdue_states"]:
            self.stdout.write(
                f"{indent}  " + _("overdue: %(states)s") % {"states": " ".join(initial["overdue_states"])}
            )

    def _annual(self, annual: dict, indent: str) -> None:
        self.stdout.write(indent + _("Annual updates (Art. 7(2)), by year covered"))
        if not annual:
            self.stdout.write(f"{indent}  " + _("none due by this date"))
            return
        header = (_("year"), _("due"), _("received"), _("on time"), _("not recorded"), _("rate"))
        self.stdout.write(
            f"{indent}  {header[0]:<6} {header[1]:>6} {header[2]:>9} {header[3]:>8} {header[4]:>13} {header[5]:>6}"
        )
        for year, counts in annual.items():
            # The rate is over the reports whose status is known; none known: insufficient data, not 0%.
            rate = f"{counts['rate']:>6.0%}" if counts["rate"] is not None else f"{_('insufficient data'):>6}"
            self.stdout.write(
                f"{indent}  {year:<6} {counts['due']:>6} {counts['submitted']:>9} {counts['on_time']:>8} "
                f"{counts['not_recorded']:>13} {rate}" + _of_sample(counts, "submitted")
            )
