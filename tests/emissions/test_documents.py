"""Progress report PDFs: a company's approved year and the alliance's annual report, read
back from the PDF; stored once at their own path however often they are rendered; batches
that count their progress from the reports; the pages that start, follow and serve them."""

import datetime
import io
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from emissions import documents, reporting, summaries
from emissions.models import (
    AllianceReport,
    Inventory,
    PledgeStatus,
    Report,
    ReportBatch,
    ReportingRound,
)
from tests.conftest import need
from tests.factories import (
    AgreementFactory,
    AllianceTargetFactory,
    CompanyFactory,
    MembershipFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


# --- Building the figures ---------------------------------------------------------------------


def inventory(company, year, s1, s2, s3=0, *, s2_market=None, baseline=False):
    """A climate account with its stored totals (the lines are not what these tests read)."""
    s1, s2, s3 = D(s1), D(s2), D(s3)
    s2m = s2 if s2_market is None else D(s2_market)
    return Inventory.objects.create(
        company=company,
        year=year,
        is_baseline=baseline,
        scope1_t=s1,
        scope2_location_t=s2,
        scope2_market_t=s2m,
        scope3_t=s3,
        total_location_t=s1 + s2 + s3,
        total_market_t=s1 + s2m + s3,
    )


def round_of(alliance, year):
    reporting_round, _ = ReportingRound.objects.get_or_create(
        alliance=alliance,
        year=year,
        defaults={"deadline": datetime.date(year + 1, 3, 31)},
    )
    return reporting_round


def approved_report(
    alliance, company, year, *, narrative="Vi skiftede til varmepumper.", values=()
):
    """An approved report; `values` are (pledge, value or milestone) stated in it."""
    report = Report.objects.create(
        round=round_of(alliance, year),
        company=company,
        status=Report.Status.SUBMITTED,
        narrative=narrative,
    )
    for pledge, value in values:
        if pledge.is_milestone:
            PledgeStatus.objects.create(report=report, pledge=pledge, milestone=value)
        else:
            PledgeStatus.objects.create(report=report, pledge=pledge, value=D(value))
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.APPROVED, reviewed_at=timezone.now()
    )
    report.refresh_from_db()
    summaries.report_approved(report)  # what report_approve keeps up to date
    return report


def co2_pledge(alliance, company, **fields):
    agreement = AgreementFactory(alliance=alliance, company=company)
    values = {
        "title": "Halvér udledningen",
        "metric": "t CO2e",
        "scopes": [1, 2],
        "baseline_year": 2021,
        "baseline_value": D("1200"),
        "target_year": 2030,
        "target_value": D("600"),
    }
    return PledgeFactory(agreement=agreement, **{**values, **fields})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def alfa_2024(alliance, company_a):
    """Alfa A/S: baseline 2021 (1.234,5 t), 2024 approved with a pledge on track."""
    inventory(company_a, 2021, "1000", "234.5", "0", baseline=True)
    inventory(company_a, 2024, "800.25", "150.5", "12.75", s2_market="20")
    pledge = co2_pledge(alliance, company_a)
    milestone = PledgeFactory(
        agreement=pledge.agreement, title="100 % grøn strøm", is_milestone=True, metric=""
    )
    return approved_report(
        alliance, company_a, 2024, values=[(pledge, "950"), (milestone, "in_progress")]
    )


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it (pypdf where poppler is missing)."""
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        )
        text = result.stdout.decode()
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # a table cell may wrap onto two lines


def stored_pdfs(media):
    return sorted(p.relative_to(media) for p in media.rglob("*.pdf"))


def assert_alfa_2024_pdf(data: bytes):
    """The figures of `alfa_2024`, as a reader of the PDF finds them, in Danish."""
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Fremskridtsrapport 2024" in text or "Progress report 2024" in text
    assert "Alfa A/S" in text
    # Scope 1, scope 2 location and market, total location and market, baseline, change;
    # one formatter everywhere: no trailing zeros ("833", not "833,0").
    for figure in ("800,3", "150,5", " 20 ", "963,5", "833 ", "1.234,5", "-271 ", "-35,8 %"):
        assert figure in text, figure
    assert "Halvér udledningen" in text
    assert "Vi skiftede til varmepumper." in text


# --- One company's report ---------------------------------------------------------------------


def test_the_report_holds_totals_per_scope_and_the_change_since_the_baseline(alfa_2024):
    context = documents.report_context(alfa_2024)
    _scope1, scope2, _scope3, total = context["scope_rows"]
    assert (str(scope2.label), str(total.label)) == ("Scope 2", "I alt")
    assert scope2.location == D("150.5") and scope2.market == D("20")
    assert (total.location, total.market) == (D("963.5"), D("833.0"))
    assert total.baseline_location == D("1234.5")
    assert total.change_t == D("-271.0")
    assert round(total.change_percent, 1) == D("-22.0")
    [pledge, milestone] = context["pledges"]
    # 1,200 → 600 over 2021–2030: 1,000 expected in 2024; 950 is on track.
    assert pledge["progress"].state == "on_track" and pledge["progress"].expected == 1000
    assert milestone["progress"] is None and milestone["status"].milestone == "in_progress"
    assert context["chart"].years == [2021, 2024]
    assert context["chart"].target == [(2021, D("1200")), (2030, D("600"))]


def test_the_pdf_shows_the_company_totals_with_danish_decimal_commas(alfa_2024):
    data = documents.report_pdf(alfa_2024)
    assert_alfa_2024_pdf(data)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title.startswith(("Fremskridtsrapport 2024", "Progress report 2024"))


def test_storing_twice_keeps_one_file_at_the_reports_own_path(alfa_2024, media):
    name = documents.report_pdf_store(alfa_2024.pk)
    alfa_2024.refresh_from_db()
    assert name == alfa_2024.pdf.name
    assert name == f"reports/{alfa_2024.company_id}/2024-{alfa_2024.pdf_token}.pdf"
    first_hash = alfa_2024.pdf_sha256
    assert documents.sha256_hex((media / name).read_bytes()) == first_hash
    assert documents.report_pdf_store(alfa_2024.pk) == name  # regenerate: same place
    assert stored_pdfs(media) == [Path(name)]
    alfa_2024.refresh_from_db()
    assert alfa_2024.pdf_generated_at is not None
    assert alfa_2024.status == Report.Status.APPROVED


def test_a_report_that_is_not_approved_gets_no_pdf(alliance, company_a, media):
    inventory(company_a, 2024, "10", "5", baseline=True)
    report = Report.objects.create(round=round_of(alliance, 2024), company=company_a)
    assert documents.report_pdf_store(report.pk) == ""
    assert stored_pdfs(media) == []


# --- Batches ----------------------------------------------------------------------------------


@pytest.fixture
def round_2024(alliance, company_a, media):
    """Three approved reports and one still a draft in the 2024 round."""
    companies = [company_a] + [
        MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name=name)).company
        for name in ("Bravo ApS", "Charlie I/S", "Delta A/S")
    ]
    for n, company in enumerate(companies):
        inventory(company, 2021, 100 + n, 50, baseline=True)
        inventory(company, 2024, 90 + n, 40)
    for company in companies[:3]:
        approved_report(alliance, company, 2024)
    Report.objects.create(round=round_of(alliance, 2024), company=companies[3])
    return round_of(alliance, 2024)


def test_a_batch_renders_every_approved_report_once(
    round_2024, staff_x, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = documents.batch_start(reporting_round=round_2024, by=staff_x)
    batch.refresh_from_db()
    assert batch.total == 3 and batch.finished_at is not None
    assert documents.batch_done(batch) == 3
    approved = Report.objects.filter(round=round_2024, status=Report.Status.APPROVED)
    assert set(approved.values_list("pdf_batch", flat=True)) == {batch.pk}
    assert len(stored_pdfs(media)) == 3


def test_a_task_delivered_again_does_not_render_twice(
    round_2024, staff_x, media, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = documents.batch_start(reporting_round=round_2024, by=staff_x)
    report = Report.objects.filter(pdf_batch=batch).first()
    before = (media / report.pdf.name).stat().st_mtime_ns
    rendered = []
    monkeypatch.setattr(documents, "report_pdf", lambda r: rendered.append(r) or b"%PDF-x")
    from emissions.tasks import render_report_pdf

    assert render_report_pdf.apply(args=[report.pk, batch.pk]).get() == report.pdf.name
    assert rendered == []
    assert (media / report.pdf.name).stat().st_mtime_ns == before
    assert len(stored_pdfs(media)) == 3


def test_a_second_batch_is_refused_while_one_runs(round_2024, staff_x):
    documents.batch_start(reporting_round=round_2024, by=staff_x)  # tasks never run here
    with pytest.raises(Exception, match=r"allerede|already"):
        documents.batch_start(reporting_round=round_2024, by=staff_x)


def test_missing_reports_can_be_queued_again(
    round_2024, staff_x, media, django_capture_on_commit_callbacks
):
    batch = documents.batch_start(reporting_round=round_2024, by=staff_x)  # lost: never ran
    assert documents.batch_done(batch) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.batch_requeue_missing(batch=batch) == 3
    batch.refresh_from_db()
    assert documents.batch_done(batch) == 3 and batch.finished_at is not None


# --- The alliance's annual report -------------------------------------------------------------


def test_the_annual_report_sums_members_and_names_highlights(alfa_2024, alliance, media):
    bravo = MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="Bravo ApS"))
    inventory(bravo.company, 2022, "500", "100", baseline=True)
    inventory(bravo.company, 2024, "400", "50")
    approved_report(alliance, bravo.company, 2024, narrative="Elbiler til alle sælgere.")
    AllianceTargetFactory(alliance=alliance, reduction_percent=D("70"), target_year=2030)
    document = reporting_alliance_report(alliance, 2024)
    data = (media / document.pdf.name).read_bytes()
    text = pdf_text(data)
    assert "Klimaalliancen Aalborg" in text
    # Baselines 1.234,5 + 600 = 1.834,5; latest 963,5 + 450 = 1.413,5; −421 t = −22,9 %.
    for figure in ("1.834,5", "1.413,5", "421", "22,9 %"):
        assert figure in text, figure
    assert "Elbiler til alle sælgere." in text and "Bravo ApS" in text
    assert "Alfa A/S" in text


def reporting_alliance_report(alliance, year):
    document = documents.alliance_report_request(alliance=alliance, year=year)
    documents.alliance_report_pdf_store(document.pk)
    document.refresh_from_db()
    assert not documents.alliance_report_pending(document)
    return document


def test_regenerating_the_annual_report_replaces_its_file(alfa_2024, alliance, media):
    first = reporting_alliance_report(alliance, 2024)
    second = reporting_alliance_report(alliance, 2024)
    assert first.pk == second.pk and AllianceReport.objects.count() == 1
    assert stored_pdfs(media) == [Path(second.pdf.name)]


# --- With the real worker on PostgreSQL -------------------------------------------------------


@pytest.mark.services
def test_approving_renders_the_pdf_on_the_real_worker(
    real_worker, alliance, company_a, staff_x, media
):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    inventory(company_a, 2021, "1000", "234.5", "0", baseline=True)
    inventory(company_a, 2024, "800.25", "150.5", "12.75", s2_market="20")
    pledge = co2_pledge(alliance, company_a)
    report = Report.objects.create(
        round=round_of(alliance, 2024),
        company=company_a,
        status=Report.Status.SUBMITTED,
        narrative="Vi skiftede til varmepumper.",
    )
    PledgeStatus.objects.create(report=report, pledge=pledge, value=D("950"))
    reporting.report_approve(report=report, by=staff_x)  # autocommit: queued at once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.pdf:
            break
        time.sleep(0.25)
    assert report.pdf, "the worker did not render the PDF within 60 s"
    assert_alfa_2024_pdf((media / report.pdf.name).read_bytes())


@pytest.mark.services
def test_a_batch_completes_on_the_real_worker(real_worker, round_2024, staff_x, media):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    batch = documents.batch_start(reporting_round=round_2024, by=staff_x)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.finished_at:
            break
        time.sleep(0.25)
    assert batch.finished_at, f"{documents.batch_done(batch)} of 3 after 90 s"
    assert ReportBatch.objects.get(pk=batch.pk).total == 3
    assert len(stored_pdfs(media)) == 3


# --- The pages --------------------------------------------------------------------------------

STAFF = "/aalborg/staff/emissions"


def test_staff_start_a_batch_and_follow_its_progress_bar(
    client, staff_x, round_2024, media, django_capture_on_commit_callbacks
):
    client.force_login(staff_x)
    page = client.get(f"{STAFF}/rounds/{round_2024.pk}/pdfs/").content.decode()
    assert "Dan alle godkendte rapporter i runden" in page
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"{STAFF}/rounds/{round_2024.pk}/pdfs/start/")
    assert response.status_code == 302 and len(queued) == 1
    batch = ReportBatch.objects.get(round=round_2024)
    progress_url = f"{STAFF}/batches/{batch.pk}/progress/"
    running = client.get(progress_url).content.decode()
    assert "0 af 3 rapporter dannet" in running
    assert '<progress class="w-100" max="3" value="0"' in running
    assert 'hx-trigger="every 2s"' in running
    queued[0]()  # the batch task runs (eagerly), one render per report
    done = client.get(progress_url).content.decode()
    assert "3 af 3 rapporter dannet" in done and 'value="3"' in done
    assert "hx-trigger" not in done  # polling stops
    page = client.get(f"{STAFF}/rounds/{round_2024.pk}/pdfs/").content.decode()
    assert page.count("/pdf/regenerate/") == 3 and page.count('/pdf/" download') == 3
    assert "Dan alle godkendte rapporter i runden" in page  # a new batch may start


def test_every_pdf_is_downloadable_by_who_may_see_it(
    client, alfa_2024, media, staff_x, staff_y, rep_a, rep_b
):
    documents.report_pdf_store(alfa_2024.pk)
    staff_url = f"{STAFF}/reports/{alfa_2024.pk}/pdf/"
    my_url = f"/my/emissions/reports/{alfa_2024.pk}/pdf/"
    client.force_login(staff_x)
    response = client.get(staff_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(rep_a)
    assert client.get(my_url).status_code == 200
    assert client.get(staff_url).status_code == 403
    client.force_login(rep_b)
    assert client.get(my_url).status_code == 404
    client.force_login(staff_y)
    assert client.get(staff_url).status_code == 403


def test_a_report_without_a_pdf_yet_is_not_found(client, alfa_2024, staff_x, media):
    client.force_login(staff_x)
    assert client.get(f"{STAFF}/reports/{alfa_2024.pk}/pdf/").status_code == 404


def test_regenerating_one_report_queues_its_render(
    client, alfa_2024, staff_x, media, django_capture_on_commit_callbacks
):
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{STAFF}/reports/{alfa_2024.pk}/pdf/regenerate/")
    assert response.status_code == 302
    alfa_2024.refresh_from_db()
    assert alfa_2024.pdf and alfa_2024.pdf_batch is None
    assert stored_pdfs(media) == [Path(alfa_2024.pdf.name)]


def test_staff_generate_and_download_the_annual_report(
    client, alfa_2024, staff_x, media, django_capture_on_commit_callbacks
):
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks() as queued:
        client.post(f"{STAFF}/annual/2024/generate/")
    pending = client.get(f"{STAFF}/annual/2024/status/").content.decode()
    assert "Årsrapporten bliver dannet" in pending and 'hx-trigger="every 2s"' in pending
    queued[0]()
    ready = client.get(f"{STAFF}/annual/2024/status/").content.decode()
    assert "Hent årsrapporten 2024 (PDF)" in ready and "Dan årsrapporten igen" in ready
    response = client.get(f"{STAFF}/annual/2024/pdf/")
    assert response.status_code == 200
    assert "Alfa A/S" in pdf_text(b"".join(response.streaming_content))
    # A year without a round has no annual report to generate.
    assert client.post(f"{STAFF}/annual/2019/generate/").status_code == 404
