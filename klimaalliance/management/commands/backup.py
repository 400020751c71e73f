"""`manage.py backup [--output DIR]`: one archive of the database and all stored files.

See docs/backups.md.
"""

import os

from django.core.management.base import BaseCommand

from klimaalliance.backups import backup


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump), MEDIA_ROOT and PRIVATE_MEDIA_ROOT into one "
        ".tar.gz archive with a manifest of SHA-256 checksums. Prints the archive's path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default=None,
            help="folder for the archive (default: $BACKUP_DIR, else the current folder)",
        )

    def handle(self, *args, output=None, **options):
        archive = backup(output or os.environ.get("BACKUP_DIR") or ".")
        self.stdout.write(str(archive))
