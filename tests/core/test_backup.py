"""Backups: `manage.py backup` makes one archive of the database, the public uploads and the
private files, and `manage.py restore` brings a signed agreement and its PDF back intact into an
empty database.

PostgreSQL only (pg_dump); the tests skip on SQLite, or fail there under REQUIRE_SERVICES=1.
"""

import hashlib
import io
import json
import secrets
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from klimaalliance import backups
from partnerships.models import Agreement, Signature
from tests.conftest import need
from tests.partnerships.test_signing import make_sealed

pytestmark = pytest.mark.django_db(transaction=True)


def _conninfo(name):
    source = connection.settings_dict
    return {
        "dbname": name,
        "user": source.get("USER") or None,
        "password": source.get("PASSWORD") or None,
        "host": source.get("HOST") or None,
        "port": source.get("PORT") or None,
    }


def _url(name):
    source = connection.settings_dict
    auth = source.get("USER") or ""
    if source.get("PASSWORD"):
        auth += f":{source['PASSWORD']}"
    host = source.get("HOST") or "localhost"
    port = f":{source['PORT']}" if source.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{name}" if auth else f"postgres://{host}{port}/{name}"


def _query(name, sql, params=None):
    with psycopg2.connect(**_conninfo(name)) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    conn.close()
    return rows


@pytest.fixture
def postgres():
    need(connection.vendor == "postgresql", "PostgreSQL")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    return tmp_path / "media"


@pytest.fixture
def private_media(media):
    return media.parent / "private-media"


@pytest.fixture
def empty_database(postgres):
    """A new, empty database on the same server, dropped afterwards whatever happens."""
    name = f"ka_restore_{secrets.token_hex(4)}"
    maintenance = _conninfo("postgres")
    admin = psycopg2.connect(**maintenance)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _rewrite(archive: Path, target: Path, member_name: str):
    """Copy `archive` to `target` with one byte of `member_name` changed."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == member_name:
                data = bytes([data[0] ^ 0x01]) + data[1:]
            copy.addfile(member, io.BytesIO(data) if data is not None else None)


def test_sqlite_is_refused_with_advice():
    with pytest.raises(CommandError, match=r"copy db\.sqlite3 instead"):
        backups.postgres_settings({"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"})


def test_a_signed_agreement_and_its_pdf_survive_backup_and_restore(
    postgres, media, private_media, empty_database, tmp_path, alliance, company_a, rep_a, staff_x
):
    agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    agreement.refresh_from_db()  # the PDF job ran on commit (eager Celery)
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.pdf and agreement.pdf_sha256
    pdf_bytes = (private_media / agreement.pdf.name).read_bytes()
    assert hashlib.sha256(pdf_bytes).hexdigest() == agreement.pdf_sha256
    company_a.logo.save("logo.png", ContentFile(b"\x89PNG logo"))
    logo_sha256 = hashlib.sha256(b"\x89PNG logo").hexdigest()

    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip())
    assert archive.is_file() and archive.name.endswith(".tar.gz")
    assert archive.parent == tmp_path / "backups"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {
        "manifest.json",
        "database.dump",
        f"media/{company_a.logo.name}",
        f"private-media/{agreement.pdf.name}",
    } <= names
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    assert manifest["media"] == {company_a.logo.name: logo_sha256}
    assert manifest["files"] == 1
    assert manifest["private_media"] == {agreement.pdf.name: agreement.pdf_sha256}
    assert manifest["private_files"] == 1
    assert manifest["created_at"].endswith("Z")
    assert len(manifest["database_dump"]["sha256"]) == 64

    restored_media = tmp_path / "restored-media"
    restored_private = tmp_path / "restored-private-media"
    url = _url(empty_database)
    call_command(
        "restore", str(archive), "--database-url", url, "--media-root", str(restored_media),
        "--private-media-root", str(restored_private), stdout=io.StringIO(),
    )  # fmt: skip

    # The restored database, read directly: the agreement, both signatures, the PDF hash.
    [(status, pdf_name, pdf_sha256)] = _query(
        empty_database,
        "SELECT status, pdf, pdf_sha256 FROM partnerships_agreement WHERE id = %s",
        [agreement.pk],
    )
    assert status == "active"
    assert pdf_name == agreement.pdf.name
    signatures = _query(
        empty_database,
        "SELECT party, typed_name, title FROM partnerships_signature "
        "WHERE agreement_id = %s ORDER BY party",
        [agreement.pk],
    )
    assert signatures == [
        (Signature.Party.COMPANY, "Anna Alfa", "CEO"),
        (Signature.Party.MUNICIPALITY, "Lars Leder", "Team leader"),
    ]
    restored_pdf = restored_private / pdf_name
    assert restored_pdf.read_bytes() == pdf_bytes
    assert hashlib.sha256(restored_pdf.read_bytes()).hexdigest() == pdf_sha256
    assert not (restored_media / pdf_name).exists()
    assert (restored_media / company_a.logo.name).read_bytes() == b"\x89PNG logo"

    # pg_restore recreated the trigger: the restored signatures are still immutable.
    with pytest.raises(psycopg2.Error, match="signatures are immutable"):
        _query(empty_database, "UPDATE partnerships_signature SET typed_name = 'X' RETURNING 1")

    # The database is no longer empty: restoring again needs --yes, and then replaces it.
    with pytest.raises(CommandError, match="not empty"):
        call_command(
            "restore", str(archive), "--database-url", url, "--media-root", str(restored_media),
            "--private-media-root", str(restored_private),
        )  # fmt: skip
    call_command(
        "restore", str(archive), "--database-url", url, "--media-root", str(restored_media),
        "--private-media-root", str(restored_private), "--yes", stdout=io.StringIO(),
    )  # fmt: skip
    assert _query(
        empty_database, "SELECT count(*) FROM partnerships_signature WHERE agreement_id = %s",
        [agreement.pk],
    ) == [(2,)]  # fmt: skip


def test_a_tampered_archive_is_refused_before_anything_is_restored(
    postgres, media, private_media, empty_database, tmp_path
):
    (media / "companies" / "logos").mkdir(parents=True)
    (media / "companies" / "logos" / "logo.png").write_bytes(b"\x89PNG logo")
    (private_media / "agreements").mkdir(parents=True)
    (private_media / "agreements" / "signed.pdf").write_bytes(b"%PDF-1.7 signed\n%%EOF\n")
    archive = backups.backup(tmp_path / "backups")
    url = _url(empty_database)

    for member in (
        "private-media/agreements/signed.pdf",
        "media/companies/logos/logo.png",
        "database.dump",
    ):
        tampered = tmp_path / f"tampered-{member.replace('/', '-')}.tar.gz"
        _rewrite(archive, tampered, member)
        restored_media = tmp_path / f"restored-{tampered.stem}"
        restored_private = tmp_path / f"restored-private-{tampered.stem}"
        with pytest.raises(CommandError, match="SHA-256 does not match") as refused:
            call_command(
                "restore", str(tampered), "--database-url", url, "--media-root",
                str(restored_media), "--private-media-root", str(restored_private),
            )  # fmt: skip
        assert member in str(refused.value)
        assert "nothing was restored" in str(refused.value)
        assert not restored_media.exists() and not restored_private.exists()
        assert backups.database_is_empty(backups.settings_from_url(url))
        # No unpacked leftovers next to the media root either.
        assert not list(restored_media.parent.glob(".restore-*"))

    # Private files need a folder to go to: refused before the database is touched.
    with pytest.raises(CommandError, match="--private-media-root"):
        call_command("restore", str(archive), "--database-url", url, "--media-root", str(media))
    assert backups.database_is_empty(backups.settings_from_url(url))

    # The untouched archive still restores.
    backups.restore(
        archive, database_url=url, media_root=tmp_path / "ok", private_media_root=tmp_path / "ok-p"
    )
    assert (tmp_path / "ok-p" / "agreements" / "signed.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "ok" / "companies" / "logos" / "logo.png").read_bytes() == b"\x89PNG logo"
