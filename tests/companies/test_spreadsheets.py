"""Member export (CSV/XLSX) and the previewed, all-or-nothing company import."""

import csv
import io
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from companies import spreadsheets
from companies.models import Company, ImportJob, Membership
from companies.spreadsheets import COLUMNS, write_csv, write_xlsx
from companies.tasks import import_companies

from ..factories import (
    AllianceFactory,
    CompanyFactory,
    MembershipFactory,
    StaffRoleFactory,
    next_valid_cvr,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name, alliance_slug="aalborg", *args):
    """English URLs, so the assertions on English texts hold once Danish is translated."""
    with translation.override("en"):
        return reverse(f"companies:{name}", args=[alliance_slug, *args])


def company_row(**values):
    row = dict.fromkeys(COLUMNS, "")
    row.update(cvr=next_valid_cvr(), legal_name="Ny Virksomhed ApS", industry="C")
    row.update(values)
    return row


def upload(client, content, name="companies.xlsx", alliance_slug="aalborg"):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(url("import-upload", alliance_slug), {"file": file})


def _keyed(header):
    """The exported header (column names in the page's language) as the column keys."""
    aliases = spreadsheets.header_aliases()
    return [aliases[str(name).casefold()] for name in header]


def csv_rows(content: bytes):
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [dict(zip(_keyed(header), row, strict=True)) for row in rows]


def xlsx_rows(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(_keyed(header), row, strict=True)) for row in rows]


def without_status(content: bytes, fmt: str) -> bytes:
    """The exported file with the status column emptied, as staff must do before importing
    companies that are already in the register."""
    rows = csv_rows(content) if fmt == "csv" else xlsx_rows(content)
    rows = [{**{key: value or "" for key, value in row.items()}, "status": ""} for row in rows]
    return write_csv(rows) if fmt == "csv" else write_xlsx(rows)


@pytest.fixture
def staff_client(client, staff_x):
    client.force_login(staff_x)
    return client


@pytest.fixture
def members(alliance):
    active = MembershipFactory(
        alliance=alliance,
        status="active",
        company=CompanyFactory(legal_name="Æblegården Økologi ApS", city="Støvring"),
    )
    prospect = MembershipFactory(alliance=alliance, status="prospect")
    return active, prospect


def latest_job():
    return ImportJob.objects.latest("pk")


# --- Export ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_honours_the_filters_and_keeps_danish_letters(staff_client, members):
    active, _prospect = members
    response = staff_client.get(url("member-export", "aalborg", "csv"), {"status": "active"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="medlemmer-aalborg-')
    assert disposition.endswith('.csv"')
    rows = csv_rows(response.content)
    assert [r["cvr"] for r in rows] == [active.company.cvr]
    assert rows[0]["legal_name"] == "Æblegården Økologi ApS"
    assert rows[0]["city"] == "Støvring"
    assert rows[0]["status"] == "active"


@pytest.mark.django_db
def test_xlsx_export_honours_the_filters_and_keeps_danish_letters(staff_client, members):
    _active, prospect = members
    response = staff_client.get(url("member-export", "aalborg", "xlsx"), {"status": "prospect"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    rows = xlsx_rows(response.content)
    assert [r["cvr"] for r in rows] == [prospect.company.cvr]

    everything = xlsx_rows(staff_client.get(url("member-export", "aalborg", "xlsx")).content)
    assert {r["legal_name"] for r in everything} >= {"Æblegården Økologi ApS"}
    assert len(everything) == 2


@pytest.mark.django_db
def test_export_only_contains_the_staff_members_own_alliance(staff_client, members, company_b):
    rows = csv_rows(staff_client.get(url("member-export", "aalborg", "csv")).content)
    assert company_b.cvr not in {r["cvr"] for r in rows}


@pytest.mark.django_db
def test_an_unknown_export_format_is_not_found(staff_client, members):
    assert staff_client.get(url("member-export", "aalborg", "pdf")).status_code == 404
    assert staff_client.get(url("import-template", "aalborg", "ods")).status_code == 404


@pytest.mark.django_db
def test_export_runs_a_constant_number_of_queries(staff_client, alliance):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url("member-export", "aalborg", "xlsx"))
        assert response.status_code == 200
        return len(queries)

    MembershipFactory.create_batch(10, alliance=alliance)
    with_ten = count_queries()
    MembershipFactory.create_batch(40, alliance=alliance)
    assert count_queries() == with_ten


@pytest.mark.django_db
def test_a_formula_in_a_name_is_defused_in_csv_and_survives_the_round_trip(
    staff_client, alliance, other_alliance
):
    MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="=1+2 ApS"))
    content = staff_client.get(url("member-export", "aalborg", "csv")).content
    assert csv_rows(content)[0]["legal_name"] == "'=1+2 ApS"
    rows = spreadsheets.read_rows(io.BytesIO(content), "x.csv")
    assert rows[0]["legal_name"] == "=1+2 ApS"

    content = staff_client.get(url("member-export", "aalborg", "xlsx")).content
    cell = load_workbook(io.BytesIO(content)).worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ("=1+2 ApS", "s"), "text, never a formula"


@pytest.mark.django_db
def test_templates_have_the_header_row_only(staff_client, alliance):
    # The column names in the page's language (English here), read back as the keys.
    content = staff_client.get(url("import-template", "aalborg", "csv")).content
    assert content.decode("utf-8-sig").strip().startswith("CVR number;Legal name;")
    assert csv_rows(content) == []

    response = staff_client.get(url("import-template", "aalborg", "xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert _keyed(header) == list(COLUMNS)
    assert workbook.worksheets[0].max_row == 1
    codes = {row[1] for row in workbook["codes"].iter_rows(min_row=2, values_only=True)}
    assert {"A", "C", "U"} <= codes


# --- Round trip --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_another_alliance_makes_the_same_companies_members(
    client, staff_x, staff_y, members, other_alliance, fmt, django_capture_on_commit_callbacks
):
    client.force_login(staff_x)
    exported = client.get(url("member-export", "aalborg", fmt)).content
    # The companies are in the register already, so they may join only as prospects.
    exported = without_status(exported, fmt)
    companies_before = Company.objects.count()

    client.force_login(staff_y)
    response = upload(client, exported, name=f"medlemmer.{fmt}", alliance_slug="aarhus")
    job = latest_job()
    assert response.status_code == 302
    assert response["Location"] == url("import-preview", "aarhus", job.pk)

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.content.decode().count("existing company, joins as a prospect") == 2

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url("import-preview", "aarhus", job.pk))
    assert confirmed.status_code == 302

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 2
    assert Company.objects.count() == companies_before
    imported = Membership.objects.filter(alliance=other_alliance)
    assert {(m.company.cvr, m.status) for m in imported} == {
        (m.company.cvr, Membership.Status.PROSPECT) for m in members
    }
    done_page = client.get(url("import-preview", "aarhus", job.pk)).content.decode()
    assert "2 companies were imported." in done_page


@pytest.mark.django_db
def test_new_companies_are_created_with_every_column(
    staff_client, alliance, django_capture_on_commit_callbacks
):
    row = company_row(
        legal_name="Østjysk Vindkraft A/S",
        display_name="Østvind",
        industry="d",
        size_band="10-49",
        address="Havnegade 1",
        postcode="800",  # Excel dropped the leading zero of 0800
        city="Høje-Taastrup",
        website="www.oestvind.example",
        status="active",
        joined_on="31-03-2024",
    )
    upload(staff_client, write_csv([row]).replace(b";", b","), name="ny.csv")
    job = latest_job()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url("import-preview", "aalborg", job.pk))

    company = Company.objects.get(cvr=row["cvr"])
    assert (company.name, company.industry, company.postcode) == ("Østvind", "D", "0800")
    assert company.website == "https://www.oestvind.example"
    membership = company.memberships.get(alliance=alliance)
    assert membership.status == "active"
    assert membership.joined_on.isoformat() == "2024-03-31"
    assert membership.events.get().changed_by == job.created_by


@pytest.mark.django_db
def test_a_windows_1252_csv_from_danish_excel_is_read(alliance):
    content = f"cvr;legal_name;industry\r\n{next_valid_cvr()};Ærø Æbler ApS;A\r\n"
    rows = spreadsheets.read_rows(io.BytesIO(content.encode("cp1252")), "excel.csv")
    assert rows[0]["legal_name"] == "Ærø Æbler ApS"
    assert rows[0]["row"] == 2


# --- Preview -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_preview_lists_every_bad_row_with_its_error(staff_client, alliance, company_a, company_b):
    duplicate = next_valid_cvr()
    rows = [
        company_row(legal_name="God Række ApS"),  # row 2
        company_row(cvr="12345678"),  # 3: check digit
        company_row(legal_name=""),  # 4
        company_row(industry="Z"),  # 5
        company_row(cvr=duplicate),  # 6
        company_row(cvr=duplicate),  # 7: twice in the file
        company_row(cvr=company_a.cvr),  # 8: already a member here
        company_row(cvr=company_b.cvr),  # 9: in the register, member elsewhere: fine
        company_row(postcode="12", joined_on="i går", size_band="huge"),  # 10
    ]
    upload(staff_client, write_xlsx(rows))
    job = latest_job()
    assert job.total_rows == 9 and job.status == ImportJob.Status.PREVIEW

    response = staff_client.get(url("import-preview", "aalborg", job.pk))
    results = {r.row: r for r in response.context["results"]}
    assert results[2].errors == [] and not results[2].existing
    assert "check digit" in results[3].errors[0]
    assert results[4].errors == ["The legal name is missing."]
    assert "Unknown industry “Z”" in results[5].errors[0]
    assert results[6].errors == []
    assert results[7].errors == [f"CVR number {duplicate} is also in row 6."]
    assert results[8].errors == [
        f"CVR number {company_a.cvr} is already a member of this alliance."
    ]
    assert results[9].errors == [] and results[9].existing
    assert len(results[10].errors) == 3
    html = response.content.decode()
    assert response.context["invalid_count"] == 6
    assert "existing company, joins as a prospect" in html
    assert "all-or-nothing" in html
    assert 'name="confirm"' not in html, "no confirm button while errors exist"


@pytest.mark.django_db
def test_confirm_is_refused_while_rows_have_errors(
    staff_client, alliance, django_capture_on_commit_callbacks
):
    upload(staff_client, write_xlsx([company_row(), company_row(cvr="12345678")]))
    job = latest_job()
    companies_before = Company.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(url("import-preview", "aalborg", job.pk))

    assert response.status_code == 400
    assert "The import was not started" in response.content.decode()
    assert callbacks == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert Company.objects.count() == companies_before
    assert not Membership.objects.filter(alliance=alliance).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4 not a spreadsheet", "Upload a CSV or XLSX file"),
        ("disguised.xlsx", b"just some text, not a zip", "The XLSX file cannot be read"),
        ("binary.csv", b"PK\x03\x04\x00\x00binary", "This is not a CSV file"),
        ("empty.csv", b"", "The file is empty."),
        ("header-only.csv", b"cvr;legal_name;industry\r\n", "no companies below it"),
        ("no-header.csv", b"navn;by\r\nAlfa;Aalborg\r\n", "Missing: cvr, legal_name, industry"),
    ],
)
def test_an_unusable_file_gets_a_clear_message_and_is_not_stored(
    staff_client, alliance, name, content, message
):
    response = upload(staff_client, content, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(staff_client, alliance):
    content = b"cvr;legal_name;industry\r\n" + b"x" * spreadsheets.MAX_FILE_BYTES
    response = upload(staff_client, content, name="huge.csv")
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_file_with_too_many_rows_is_refused(monkeypatch, alliance):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    content = write_csv([company_row() for _ in range(4)])
    with translation.override("en"), pytest.raises(ValidationError, match="more than 3 rows"):
        spreadsheets.read_rows(io.BytesIO(content), "many.csv")


@pytest.mark.django_db
def test_the_upload_form_is_labelled(staff_client, alliance):
    response = staff_client.get(url("import-upload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'accept=".csv,.xlsx"' in html
    assert re.search(r'<label\s+for="id_file"', html)
    assert html.count("<h1") == 1


# --- All or nothing, and the task --------------------------------------------------------


def confirmed_job(client, rows, django_capture_on_commit_callbacks):
    upload(client, write_xlsx(rows))
    job = latest_job()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("import-preview", "aalborg", job.pk))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_failure_mid_import_rolls_everything_back(
    staff_client, alliance, monkeypatch, django_capture_on_commit_callbacks
):
    real_import_row = spreadsheets._import_row

    def fail_on_row_40(alliance, result, by):
        if result.row == 40:
            raise ValidationError("Simulated failure")
        real_import_row(alliance, result, by)

    monkeypatch.setattr(spreadsheets, "_import_row", fail_on_row_40)
    companies_before = Company.objects.count()

    job = confirmed_job(
        staff_client, [company_row() for _ in range(60)], django_capture_on_commit_callbacks
    )

    assert job.status == ImportJob.Status.FAILED
    assert "Row 40 could not be saved" in job.error
    assert Company.objects.count() == companies_before
    assert not Membership.objects.filter(alliance=alliance).exists()
    page = staff_client.get(url("import-preview", "aalborg", job.pk)).content.decode()
    assert "nothing was imported" in page


@pytest.mark.django_db
def test_an_unexpected_error_also_fails_the_job_with_nothing_saved(
    staff_client, alliance, monkeypatch, django_capture_on_commit_callbacks
):
    real_import_row = spreadsheets._import_row
    calls = []

    def explode_late(alliance, result, by):
        calls.append(result.row)
        if len(calls) == 5:
            raise RuntimeError("disk on fire")
        real_import_row(alliance, result, by)

    monkeypatch.setattr(spreadsheets, "_import_row", explode_late)
    job = confirmed_job(
        staff_client, [company_row() for _ in range(8)], django_capture_on_commit_callbacks
    )

    assert job.status == ImportJob.Status.FAILED
    assert "disk on fire" not in job.error
    assert not Membership.objects.filter(alliance=alliance).exists()


@pytest.mark.django_db
def test_the_task_imports_a_job_only_once(
    staff_client, alliance, django_capture_on_commit_callbacks
):
    job = confirmed_job(staff_client, [company_row()], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE

    assert import_companies.delay(job.pk).get() == 0
    assert Membership.objects.filter(alliance=alliance).count() == 1


@pytest.mark.django_db
def test_rows_that_became_invalid_after_the_preview_fail_the_import(
    staff_client, alliance, django_capture_on_commit_callbacks
):
    row = company_row()
    upload(staff_client, write_xlsx([row]))
    job = latest_job()
    MembershipFactory(alliance=alliance, company=CompanyFactory(cvr=row["cvr"]))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)

    import_companies.delay(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "row 2" in job.error


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_large_file_imports_through_the_real_worker_with_progress(client, real_worker):
    alliance = AllianceFactory(slug="aalborg")
    MembershipFactory(alliance=alliance)
    client.force_login(StaffRoleFactory(alliance=alliance).user)
    rows = [company_row(legal_name=f"Virksomhed nr. {n} ApS") for n in range(2000)]
    upload(client, write_xlsx(rows))
    job = latest_job()

    assert client.post(url("import-preview", "aalborg", job.pk)).status_code == 302
    percents = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        response = client.get(url("import-progress", "aalborg", job.pk))
        percents.append(response.context["percent"])
        if response.context["finished"]:
            break
        time.sleep(0.5)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.created_count == 2000
    assert percents[-1] == 100
    assert percents == sorted(percents)
    assert "hx-trigger" not in response.content.decode(), "polling stops when done"
    assert Membership.objects.filter(alliance=alliance).count() == 2001


# --- Permissions -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("rep_a", 403), ("staff_y", 403), ("staff_x", 200), ("admin", 200)],
)
@pytest.mark.parametrize(
    "path",
    [
        "/aalborg/staff/companies/import/",
        "/aalborg/staff/companies/import/template.csv",
        "/aalborg/staff/companies/export.csv",
        "/aalborg/staff/companies/export.xlsx",
    ],
)
def test_only_the_alliances_staff_may_export_and_import(client, roles, role, expected, path):
    if roles[role]:
        client.force_login(roles[role])
    response = client.get(path)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_cannot_see_another_alliances_import_job(client, staff_x, staff_y, alliance):
    client.force_login(staff_y)
    upload(client, write_xlsx([company_row()]), alliance_slug="aarhus")
    job = latest_job()
    assert job.alliance.slug == "aarhus"

    client.force_login(staff_x)
    assert client.get(url("import-preview", "aalborg", job.pk)).status_code == 404
    assert client.post(url("import-preview", "aalborg", job.pk)).status_code == 404
    assert client.get(url("import-progress", "aalborg", job.pk)).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW


# --- Companies already in the register ---------------------------------------------------


@pytest.mark.django_db
def test_a_register_company_asked_to_become_active_fails_the_whole_import(
    staff_client, alliance, company_b, django_capture_on_commit_callbacks
):
    """Another alliance's company cannot be made an active member by a spreadsheet: that
    would share its data without its consent."""
    legal_name = company_b.legal_name
    rows = [
        company_row(),
        company_row(cvr=company_b.cvr, legal_name="Overtaget ApS", status="active"),
    ]
    upload(staff_client, write_xlsx(rows))
    job = latest_job()
    companies_before = Company.objects.count()

    response = staff_client.get(url("import-preview", "aalborg", job.pk))
    results = {r.row: r for r in response.context["results"]}
    assert results[2].errors == []
    assert results[3].errors == [
        "A company already in the portal's register joins as a prospect; leave the status empty."
    ]
    assert 'name="confirm"' not in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("import-preview", "aalborg", job.pk))
    assert response.status_code == 400
    assert Company.objects.count() == companies_before
    assert not Membership.objects.filter(alliance=alliance, company=company_b).exists()
    assert not Membership.objects.filter(alliance=alliance).exists()
    company_b.refresh_from_db()
    assert company_b.legal_name == legal_name

    # The task refuses it too, should the preview be bypassed.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    import_companies.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "row 3" in job.error
    assert not Membership.objects.filter(alliance=alliance).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["", "prospect"])
def test_a_register_company_without_status_joins_as_a_prospect_unchanged(
    staff_client, alliance, company_b, status, django_capture_on_commit_callbacks
):
    before = Company.objects.values().get(pk=company_b.pk)
    row = company_row(
        cvr=company_b.cvr,
        legal_name="Overtaget ApS",
        city="Andetsted",
        website="evil.example",
        status=status,
    )
    upload(staff_client, write_csv([row]), name="register.csv")
    job = latest_job()

    preview = staff_client.get(url("import-preview", "aalborg", job.pk))
    assert preview.context["results"][0].errors == []
    assert (
        "Already in the portal's register: joins as a prospect; its details stay as they are."
        in preview.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url("import-preview", "aalborg", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    membership = Membership.objects.get(alliance=alliance, company=company_b)
    assert membership.status == Membership.Status.PROSPECT
    assert not membership.has_access
    assert Company.objects.values().get(pk=company_b.pk) == before
    company_b.refresh_from_db()
    assert company_b.legal_name != "Overtaget ApS"
