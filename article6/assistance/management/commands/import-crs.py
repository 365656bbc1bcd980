"""`article6 import-crs FILE`: import OECD Creditor Reporting System disbursements."""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.assistance.importing import (
    ImportRejected,
    TerminalProgress,
    import_crs,
    rejection_text,
    report_lines,
)
from article6.interchange.crs import DEFAULT_PURPOSE_CODES


class Command(BaseCommand):
    help = (
        "Import an OECD Creditor Reporting System CSV (provider, recipient, purpose code, year, US dollars): "
        "one commitment per provider, recipient and purpose, a disbursed amount per year. Importing the same "
        "file again changes nothing. Damaged rows refuse the whole file, each named by line, column and reason; "
        "the command fails when problems left nothing imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE", help="the CRS CSV file")
        parser.add_argument(
            "--purpose",
            "--sector",
            action="append",
            dest="purposes",
            metavar="CODE",
            help="CRS 5-digit purpose code of the rows to import; repeat for several (default: 15250)",
        )
        parser.add_argument(
            "--progress", action="store_true", help="show the progress counter even when stderr is not a terminal"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        purposes = options["purposes"] or sorted(DEFAULT_PURPOSE_CODES)
        wrong = [code for code in purposes if not re.fullmatch(r"\d{5}", code)]
        if wrong:
            raise CommandError(f"--purpose {', '.join(wrong)}: a purpose code has 5 digits, e.g. 15250")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        progress = None
        if options["progress"] or self.stderr.isatty():
            progress = TerminalProgress(lambda text: self._progress(text), f"import-crs {path.name}")
        try:
            report = import_crs(path, purpose_codes=purposes, progress=progress)
        except ImportRejected as exc:
            raise CommandError(rejection_text(exc, limit=None)) from None  # every bad row, as the workbook upload
        finally:
            if progress is not None:
                progress.close()
        for line in report_lines(report, limit=None):  # every row skipped or with a problem, named
            self.stdout.write(line)
        if report.imported_nothing:
            raise CommandError(
                f"{report.file}: nothing was imported, for {len(report.problems)} problem(s) (see above)"
            )

    def _progress(self, text: str) -> None:
        self.stderr.write(text, style_func=str, ending="")
        self.stderr.flush()
