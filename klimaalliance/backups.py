"""Back up and restore the database and the media files as one verifiable archive.

`backup()` writes a single ``.tar.gz`` holding

* ``database.dump`` – ``pg_dump --format=custom --no-owner`` of the default database,
* ``media/`` – a copy of ``MEDIA_ROOT`` (the public uploads: logos, story images),
* ``private-media/`` – a copy of ``PRIVATE_MEDIA_ROOT`` (signed agreement PDFs, reports,
  commitment papers, imports, attachments; see klimaalliance/storage.py),
* ``manifest.json`` – when and from what the archive was made, and the SHA-256 of the dump
  and of every file.

`restore()` checks every SHA-256 in the manifest before it touches anything, then runs
``pg_restore --clean --if-exists --no-owner`` into the target database (which recreates the
trigger that keeps signatures immutable) and copies the files into the target media root and
private media root. Archives of format 1 (before the split) hold every file under ``media/``.

Only PostgreSQL is supported: the SQLite database of the quick start is a single file.
See docs/backups.md.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import django
import environ
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

FORMAT = 2
READABLE_FORMATS = {1, 2}
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"
PRIVATE_DIR = "private-media"
# Folder in the archive → the manifest's key for its {relative name: SHA-256} and its count.
FILE_SETS = {MEDIA_DIR: ("media", "files"), PRIVATE_DIR: ("private_media", "private_files")}
SQLITE_MESSAGE = (
    "backups use pg_dump; SQLite is only the quick-start database — copy db.sqlite3 instead"
)
POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}
CHUNK = 1024 * 1024


class BackupError(CommandError):
    """A backup or restore could not be made; the message says why."""


# --- Connection settings --------------------------------------------------------------------


def postgres_settings(settings_dict: dict) -> dict:
    """The libpq connection fields of a Django database settings dict, or a clear error."""
    engine = settings_dict.get("ENGINE", "")
    if "sqlite" in engine:
        raise BackupError(SQLITE_MESSAGE)
    if engine not in POSTGRES_ENGINES:
        raise BackupError(f"backups support PostgreSQL only, not {engine or 'an unknown engine'}")
    if not settings_dict.get("NAME"):
        raise BackupError("the database settings name no database")
    options = settings_dict.get("OPTIONS") or {}
    return {
        "NAME": str(settings_dict["NAME"]),
        "USER": settings_dict.get("USER") or "",
        "PASSWORD": settings_dict.get("PASSWORD") or "",
        "HOST": settings_dict.get("HOST") or "",
        "PORT": str(settings_dict.get("PORT") or ""),
        "SSLMODE": options.get("sslmode", ""),
    }


def settings_from_url(database_url: str) -> dict:
    """Connection fields from a URL such as ``postgres://user:pw@host:5432/name``."""
    try:
        config = environ.Env.db_url_config(database_url)
    except Exception as error:  # django-environ raises several kinds on a bad URL
        raise BackupError(f"cannot read the database URL: {error}") from error
    return postgres_settings(config)


def _pg_env(conn: dict) -> dict:
    """The environment for a PostgreSQL client tool: the password never appears in argv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGSSLMODE", "SSLMODE"),
    ):
        if conn.get(key):
            env[variable] = conn[key]
    env["PGDATABASE"] = conn["NAME"]
    env["PGCONNECT_TIMEOUT"] = os.environ.get("PGCONNECT_TIMEOUT", "10")
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools "
            "(the same major version as the server or newer)"
        )
    return path


def _run(args: list[str], conn: dict) -> str:
    result = subprocess.run(  # noqa: S603 (fixed tool, arguments built here, no shell)
        args, env=_pg_env(conn), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = Path(args[0]).name
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{tool} failed (exit {result.returncode}): {detail}")
    return result.stdout


def database_is_empty(conn: dict) -> bool:
    """True when the target database holds no tables, views or sequences of its own."""
    output = _run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--no-align",
            "--tuples-only",
            "--set=ON_ERROR_STOP=1",
            "--command",
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%'",
        ],
        conn,
    )
    return int(output.strip() or 0) == 0


# --- Hashing --------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_and_hash(source: Path, target: Path) -> str:
    """Copy a file and hash exactly the bytes copied (a file changing meanwhile cannot make
    the manifest disagree with the archive)."""
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    shutil.copystat(source, target)
    return digest.hexdigest()


def _project_version() -> str:
    try:
        return importlib.metadata.version("klimaalliance")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- Backup ---------------------------------------------------------------------------------


def _copy_folder(root: Path, into: Path) -> dict:
    """Copy every regular file below `root` into `into`; {relative name: SHA-256}."""
    into.mkdir()
    copied = {}
    if root.is_dir():
        for folder, _dirs, files in os.walk(root):
            for filename in sorted(files):
                source = Path(folder) / filename
                if source.is_symlink() or not source.is_file():
                    continue
                relative = source.relative_to(root).as_posix()
                copied[relative] = _copy_and_hash(source, into / relative)
    return dict(sorted(copied.items()))


def backup(target_dir, *, using: str = "default", media_root=None, private_media_root=None) -> Path:
    """Write a backup archive of the database `using`, of MEDIA_ROOT and of
    PRIVATE_MEDIA_ROOT into `target_dir`.

    Returns the path of the archive. The database is dumped first and the files copied
    afterwards, so every file a dumped row refers to is already there.
    """
    conn = postgres_settings(connections[using].settings_dict)
    media_root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    private_media_root = Path(
        private_media_root if private_media_root is not None else settings.PRIVATE_MEDIA_ROOT
    )
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    archive = target_dir / f"klimaalliance-{conn['NAME']}-{stamp}.tar.gz"
    if archive.exists():
        raise BackupError(f"{archive} exists already; wait a second or choose another folder")

    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target_dir) as staging_name:
        staging = Path(staging_name)
        dump = staging / DUMP_NAME
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={dump}",
            ],
            conn,
        )

        media = _copy_folder(media_root, staging / MEDIA_DIR)
        private_media = _copy_folder(private_media_root, staging / PRIVATE_DIR)

        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "django_version": django.get_version(),
            "project_version": _project_version(),
            "database": {"name": conn["NAME"], "vendor": "postgresql"},
            "database_dump": {
                "path": DUMP_NAME,
                "sha256": sha256_file(dump),
                "size": dump.stat().st_size,
            },
            "media_root": str(media_root),
            "files": len(media),
            "media": media,
            "private_media_root": str(private_media_root),
            "private_files": len(private_media),
            "private_media": private_media,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")

        # Written under a temporary name and renamed, so a half-written archive never looks
        # like a backup. It holds personal data: readable by the owner only.
        partial = staging / "archive.part"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(staging / MANIFEST_NAME, arcname=MANIFEST_NAME)
            tar.add(dump, arcname=DUMP_NAME)
            tar.add(staging / MEDIA_DIR, arcname=MEDIA_DIR)
            tar.add(staging / PRIVATE_DIR, arcname=PRIVATE_DIR)
        partial.chmod(0o600)
        partial.replace(archive)
    return archive


# --- Restore --------------------------------------------------------------------------------


def _safe_relative(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _extract(archive: Path, into: Path) -> None:
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar.getmembers():
                top = PurePosixPath(member.name).parts[0] if member.name else ""
                if top not in {MANIFEST_NAME, DUMP_NAME, *FILE_SETS}:
                    raise BackupError(
                        f"{archive} is not a backup archive: unexpected {member.name}"
                    )
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"cannot read {archive}: {error}") from error


def _verify_files(files_dir: Path, folder: str, manifest: dict, key: str, count_key: str):
    """Problems of one folder of the archive against its part of the manifest."""
    problems = []
    expected = manifest.get(key) or {}
    if manifest.get(count_key, 0) != len(expected):
        problems.append(f"the manifest's {folder} file count does not match its file list")
    present = (
        {p.relative_to(files_dir).as_posix() for p in files_dir.rglob("*") if p.is_file()}
        if files_dir.is_dir()
        else set()
    )
    for name, digest in sorted(expected.items()):
        if not _safe_relative(name):
            problems.append(f"{folder}/{name}: not a safe relative path")
        elif name not in present:
            problems.append(f"{folder}/{name} is missing")
        elif sha256_file(files_dir / name) != digest:
            problems.append(f"{folder}/{name}: SHA-256 does not match the manifest")
    for name in sorted(present - set(expected)):
        problems.append(f"{folder}/{name} is not in the manifest")
    return problems


def verify(archive, into: Path) -> dict:
    """Unpack `archive` into `into` and check every SHA-256 of the manifest.

    Returns the manifest; raises BackupError listing every file that does not match.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    _extract(archive, into)
    try:
        manifest = json.loads((into / MANIFEST_NAME).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive} has no readable {MANIFEST_NAME}: {error}") from error
    if manifest.get("format") not in READABLE_FORMATS:
        raise BackupError(f"{archive}: unknown manifest format {manifest.get('format')!r}")

    problems = []
    dump = into / DUMP_NAME
    expected_dump = (manifest.get("database_dump") or {}).get("sha256")
    if not dump.is_file():
        problems.append(f"{DUMP_NAME} is missing")
    elif sha256_file(dump) != expected_dump:
        problems.append(f"{DUMP_NAME}: SHA-256 does not match the manifest")

    for folder, (key, count_key) in FILE_SETS.items():
        problems += _verify_files(into / folder, folder, manifest, key, count_key)

    if problems:
        raise BackupError(
            f"{archive} failed verification, nothing was restored:\n  " + "\n  ".join(problems)
        )
    return manifest


def restore(
    archive,
    *,
    media_root,
    private_media_root=None,
    database_url: str | None = None,
    database: dict | None = None,
    replace: bool = False,
) -> dict:
    """Restore `archive` into the database given by `database_url` (or a Django-style
    settings dict `database`), copy its public files into `media_root` and its private files
    into `private_media_root` (needed when the archive holds private files).

    The archive is verified completely first; a tampered or damaged archive restores nothing.
    A database that already holds tables is only overwritten with ``replace=True``.
    Returns the manifest.
    """
    if (database_url is None) == (database is None):
        raise BackupError("give either database_url or database")
    conn = settings_from_url(database_url) if database_url else postgres_settings(database)
    media_root = Path(media_root)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    targets = {MEDIA_DIR: media_root}
    if private_media_root is not None:
        targets[PRIVATE_DIR] = Path(private_media_root)

    # Unpacked next to the media root: no second copy in a small /tmp, and copying the
    # media files afterwards stays on one file system.
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work_name:
        work = Path(work_name)
        manifest = verify(archive, work)
        if manifest.get("private_media") and PRIVATE_DIR not in targets:
            raise BackupError(
                f"{archive} holds private files (signed PDFs, reports): give the folder to "
                "restore them into (--private-media-root); nothing was restored"
            )

        if not replace and not database_is_empty(conn):
            raise BackupError(
                f"the database {conn['NAME']} is not empty; restoring replaces its tables "
                "(pass --yes to do so)"
            )
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={conn['NAME']}",
                str(work / DUMP_NAME),
            ],
            conn,
        )

        for folder, root in targets.items():
            root.mkdir(parents=True, exist_ok=True)
            for name in manifest.get(FILE_SETS[folder][0]) or {}:
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(work / folder / name, target)
    return manifest
