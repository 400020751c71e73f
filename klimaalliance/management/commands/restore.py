"""`manage.py restore ARCHIVE --database-url postgres://... --media-root DIR
--private-media-root DIR [--yes]`.

The archive's checksums are verified before anything is changed. See docs/backups.md.
"""

from django.core.management.base import BaseCommand

from klimaalliance.backups import restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by `manage.py backup`: verify every SHA-256, "
        "pg_restore the database into --database-url and copy the files into --media-root "
        "(public uploads) and --private-media-root (signed PDFs, reports, imports)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz made by `manage.py backup`")
        parser.add_argument(
            "--database-url",
            required=True,
            help="the target database, e.g. postgres://user:password@host:5432/name",
        )
        parser.add_argument(
            "--media-root", required=True, help="folder the media files are copied into"
        )
        parser.add_argument(
            "--private-media-root",
            default=None,
            help="folder the private files are copied into (needed when the archive has any)",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace the tables of a target database that is not empty",
        )

    def handle(
        self, *args, archive, database_url, media_root, private_media_root=None, yes=False, **opts
    ):
        manifest = restore(
            archive,
            database_url=database_url,
            media_root=media_root,
            private_media_root=private_media_root,
            replace=yes,
        )
        private = manifest.get("private_files", 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored database {manifest['database']['name']} of {manifest['created_at']}, "
                f"{manifest['files']} media files into {media_root}"
                + (f" and {private} private files into {private_media_root}." if private else ".")
            )
        )
