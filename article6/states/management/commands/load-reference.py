from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.importing import ImportErrors
from article6.states.reference import Files, load_reference


class Command(BaseCommand):
    help = (
        "Load or update the reference data (States and their treaty dates, meetings, organisations, "
        "obligation facts) from the files kept in the project. Idempotent; all or nothing."
    )

    def add_arguments(self, parser):
        defaults = Files()
        for name in ("states", "meetings", "organisations", "obligations"):
            parser.add_argument(f"--{name}", type=Path, default=getattr(defaults, name), help=f"the {name} CSV file")

    def handle(self, *args, **options):
        files = Files(**{k: options[k] for k in ("states", "meetings", "organisations", "obligations")})
        try:
            counts = load_reference(files)
        except ImportErrors as exc:
            raise CommandError("Nothing was loaded:\n" + str(exc)) from None
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
