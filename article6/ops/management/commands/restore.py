"""`article6 restore FILE [--force]`: a backup (`article6 backup`) back into this database
and the media folder; a database that holds data is replaced only with --force."""

import subprocess
import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into this database and the media folder (an empty database, unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a backup written by `article6 backup`")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")

    def handle(self, *args, **options):
        source = options["file"]
        if not source.is_file():
            raise CommandError(f"{source}: no such file.")
        try:
            manifest = restore(source, force=options["force"])
        except (BackupError, tarfile.TarError) as error:
            raise CommandError(f"{source}: {error}") from None
        except subprocess.CalledProcessError as error:
            raise CommandError(f"{source}: pg_restore failed: {error.stderr.decode(errors='replace')[:500]}") from None
        self.stdout.write(
            f"Restored the backup taken {manifest['taken']}: the database and "
            f"{len(manifest['files'])} uploaded file(s)."
        )
