"""`article6 export-iati [--state ISO3] [FILE]`: commitments as IATI 2.03 activity XML."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.assistance.importing import export_commitments, exportable_commitments
from article6.states.models import State


class Command(BaseCommand):
    help = (
        "Write the commitments (recorded by hand or imported) as an IATI 2.03 activity file, valid against the "
        "IATI schema. Commitments that cannot be exported are listed with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", metavar="FILE", help="where to write the XML; - (the default) for stdout"
        )
        parser.add_argument(
            "--state", metavar="ISO3", help="only the commitments this State receives or provides (ISO 3166 alpha-3)"
        )

    def handle(self, *args, **options):
        state = (options["state"] or "").upper() or None
        if state and not State.objects.filter(iso3=state).exists():
            raise CommandError(f"--state {state}: not a State in the registry (ISO 3166 alpha-3, e.g. GBR)")
        result = export_commitments(exportable_commitments(state))
        to_stdout = options["file"] == "-"
        # Messages go to stderr when the XML goes to stdout, so that stdout stays a valid document.
        say = self.stderr.write if to_stdout else self.stdout.write
        for problem in result.problems:
            say(f"not exported: {problem.reason}", style_func=str)
        if result.xml is None:
            raise CommandError("No commitment could be exported: there is nothing to write.")
        if to_stdout:
            if hasattr(self.stdout, "buffer"):  # a real stdout: the bytes as encoded, declaration included
                self.stdout.flush()
                self.stdout.buffer.write(result.xml)
                self.stdout.buffer.flush()
            else:
                self.stdout.write(result.xml.decode("utf-8"), ending="")
        else:
            try:
                Path(options["file"]).write_bytes(result.xml)
            except OSError as exc:
                raise CommandError(f"{options['file']}: cannot be written ({exc.strerror})") from None
        say(
            f"{len(result.exported)} commitment{'s' if len(result.exported) != 1 else ''} exported as IATI 2.03"
            + (f", {len(result.problems)} not exported" if result.problems else ""),
            style_func=str,
        )
