"""`article6 import-iati FILE`: import the mine-action activities of an IATI file."""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.assistance.importing import (
    SHOWN,
    ImportRejected,
    TerminalProgress,
    import_iati,
    rejection_text,
    report_lines,
)
from article6.interchange.iati import DEFAULT_SECTORS


class Command(BaseCommand):
    help = (
        "Import the activities of an IATI activity file (standard 2.01-2.03; 1.0x read without schema "
        "validation) that have one of the DAC sectors, as commitments with their amounts: of each amount, the "
        "part of those sectors (the rest is shown as outside mine action). Importing the "
        "same file again changes nothing. A file that cannot be read is refused whole. The first 20 problems "
        "are listed (--verbosity 2: all of them), and the command fails when problems left nothing imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE", help="the IATI activity file (XML)")
        parser.add_argument(
            "--sector",
            action="append",
            dest="sectors",
            metavar="CODE",
            help=(
                "DAC 5-digit purpose code of the activities to import, whose part of each amount counts; "
                "repeat for several (default: 15250)"
            ),
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="validate every activity against the IATI 2.03 schema; any problem refuses the whole file",
        )
        parser.add_argument(
            "--progress", action="store_true", help="show the progress counter even when stderr is not a terminal"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        sectors = options["sectors"] or sorted(DEFAULT_SECTORS)
        wrong = [code for code in sectors if not re.fullmatch(r"\d{5}", code)]
        if wrong:
            raise CommandError(f"--sector {', '.join(wrong)}: a sector is a DAC 5-digit purpose code, e.g. 15250")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        progress = None
        if options["progress"] or self.stderr.isatty():
            progress = TerminalProgress(lambda text: self._progress(text), f"import-iati {path.name}")
        try:
            report = import_iati(path, sectors=sectors, strict=options["strict"], progress=progress)
        except ImportRejected as exc:
            raise CommandError(rejection_text(exc, limit=self._shown(options))) from None
        finally:
            if progress is not None:
                progress.close()
        for line in report_lines(report, limit=self._shown(options)):
            self.stdout.write(line)
        if report.imported_nothing:
            raise CommandError(
                f"{report.file}: nothing was imported, for {len(report.problems)} problem(s) (see above)"
            )

    def _shown(self, options) -> int | None:
        """How many problems to list: the first ones, or all of them with --verbosity 2."""
        return None if options["verbosity"] >= 2 else SHOWN

    def _progress(self, text: str) -> None:
        self.stderr.write(text, style_func=str, ending="")
        self.stderr.flush()
