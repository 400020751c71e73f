"""`manage.py move_private_media [--dry-run]`: move files stored before public and private
uploads were split from MEDIA_ROOT to PRIVATE_MEDIA_ROOT. Safe to run again.

See klimaalliance/storage.py and the README's configuration table.
"""

from django.core.management.base import BaseCommand, CommandError

from klimaalliance.storage import move_private_media


class Command(BaseCommand):
    help = (
        "Move the files of private fields (agreement, report and paper PDFs, imports, "
        "attachments, group documents) from MEDIA_ROOT to PRIVATE_MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count, move nothing")

    def handle(self, *args, dry_run=False, **options):
        result = move_private_media(dry_run=dry_run)
        self.stdout.write(
            f"{'would move' if dry_run else 'moved'} {result['moved']}, "
            f"already in place {result['already']}, missing {len(result['missing'])}"
        )
        for name in result["missing"]:
            self.stderr.write(f"missing in both folders: {name}")
        if result["conflicts"]:
            raise CommandError("left alone:\n  " + "\n  ".join(result["conflicts"]))
