"""`article6 backup --output FILE`: a consistent snapshot of the database and the uploaded
files, taken while the site runs (article6.ops.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup of the database and the uploaded files, while the site runs."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="the backup file to write (.tar.gz)")

    def handle(self, *args, **options):
        output = options["output"]
        if output.exists():
            raise CommandError(f"{output} exists: give a new file name.")
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a folder.")
        try:
            manifest = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {manifest['vendor']} database and {len(manifest['files'])} uploaded file(s) to {output}."
        )
