"""How does the emissions dashboard scale, and how fast are progress report PDFs?

    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/reports.py

Needs PostgreSQL on 127.0.0.1 (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432) and
Redis (REDIS_URL). It creates the database ka_bench_reports and drops it again at the end.

1. The staff dashboard of an alliance with 5,000 member companies, each with 10 years of
   climate accounts (9 approved reports, 2 pledges with statuses): its query count (next to
   an alliance of 200 members: it must be the same) and its median time over 15 requests,
   next to /robots.txt (the cheapest Django response, the floor) and the ratio. In-process,
   through Django's test client: the whole middleware stack and the view, no HTTP server.
   The data is bulk-loaded around the services, so the fill rebuilds the rows approval
   keeps (`emissions.summaries.rebuild`), as after any bulk load.
2. On an alliance of its own with 1,000 members (BENCH_BATCH_MEMBERS), through a real
   Celery worker (a subprocess: prefork pool, one process per core, as in production) on a
   queue of its own: the batch of its last round's 1,000 company reports (PDFs per minute),
   then its annual report (seconds from the request to the stored PDF); with the load
   average, as other work on the machine slows both.

Every wait is bounded; the worker is always stopped and the database dropped (unless
`--keep`: then only part 1 runs and the database stays for EXPLAIN).
"""

import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB: another name, so two runs on one machine do not drop each other's database.
DATABASE = os.environ.get("BENCH_DB", "ka_bench_reports")
COMPANIES, YEARS, FIRST_YEAR = 5_000, 10, 2015
PDF_COMPANIES = 200
WARMUPS, RUNS = 3, 15
WORKER_READY_TIMEOUT, BATCH_TIMEOUT, ANNUAL_TIMEOUT = 60, 900, 300
# Part 2: the alliance whose PDFs a worker renders, and the worker's processes (one per core,
# as in production). BENCH_BATCH_MEMBERS=300 gives a shorter run.
BATCH_MEMBERS = int(os.environ.get("BENCH_BATCH_MEMBERS", 1_000))
WORKER_PROCESSES = os.cpu_count() or 1


def _pg_admin(pg_url, sql):
    import psycopg2

    connection = psycopg2.connect(f"{pg_url}/postgres", connect_timeout=3)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _cvrs(start):
    """8-digit numbers (a 7-digit `start` and a check digit) passing the modulus-11 check."""
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    n = start
    while True:
        prefix = str(n)
        check = -sum(int(d) * w for d, w in zip(prefix, weights[:7], strict=True)) % 11
        if check < 10:
            yield f"{prefix}{check}"
        n += 1


# --- Data ------------------------------------------------------------------------------------


def staff_client(alliance):
    """A test client signed in as the alliance's team leader, second factor passed."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from klimaalliance.models import StaffRole, User

    user = User.objects.create_user(email=f"leder@{alliance.slug}.example", password=None)
    StaffRole.objects.create(user=user, alliance=alliance, role=StaffRole.Role.TEAM_LEADER)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, user


def fill_alliance(slug, code, companies, cvr_start, *, skipping=True):
    """An alliance whose members each have YEARS climate accounts (the first the baseline),
    approved reports for every later year (one member in ten skips the last two), an
    active agreement with a CO2e pledge and a milestone, and their statuses."""
    from django.utils import timezone

    from companies.models import Company, Membership
    from emissions import summaries
    from emissions.models import Inventory, PledgeStatus, Report, ReportingRound
    from klimaalliance.models import Alliance, AllianceTarget
    from partnerships.models import Agreement, AgreementTemplate, Pledge

    alliance = Alliance.objects.create(
        slug=slug,
        name=f"Klimaalliancen {slug}",
        municipality="Bench Kommune",
        municipality_code=code,
    )
    AllianceTarget.objects.create(
        alliance=alliance, reduction_percent=70, target_year=2030, baseline_year=1990
    )
    codes = _cvrs(cvr_start)
    now = timezone.now()
    members = Company.objects.bulk_create(
        Company(cvr=next(codes), legal_name=f"{slug.title()} {n:05d} A/S", industry="CFGHM"[n % 5])
        for n in range(companies)
    )
    Membership.objects.bulk_create(
        # Registered by this alliance, so each shares its data (companies/access.py) and
        # counts on the dashboard.
        Membership(alliance=alliance, company=c, status="active", access_granted_at=now)
        for c in members
    )
    inventories = []
    for n, company in enumerate(members):
        for offset in range(YEARS):
            s1 = Decimal(500 + n % 97) * (Decimal("0.96") ** offset)
            s2 = Decimal(120 + n % 13) * (Decimal("0.9") ** offset)
            s3 = Decimal(40 + n % 7)
            inventories.append(
                Inventory(
                    company=company,
                    year=FIRST_YEAR + offset,
                    is_baseline=offset == 0,
                    scope1_t=s1,
                    scope2_location_t=s2,
                    scope2_market_t=s2 / 2,
                    scope3_t=s3,
                    total_location_t=s1 + s2 + s3,
                    total_market_t=s1 + s2 / 2 + s3,
                )
            )
    Inventory.objects.bulk_create(inventories, batch_size=5_000)
    rounds = ReportingRound.objects.bulk_create(
        ReportingRound(
            alliance=alliance,
            year=FIRST_YEAR + offset,
            status="closed",
            deadline=datetime.date(FIRST_YEAR + offset + 1, 3, 31),
        )
        for offset in range(1, YEARS)
    )
    last = FIRST_YEAR + YEARS - 1
    reports = Report.objects.bulk_create(
        (
            Report(
                round=r,
                company=c,
                status="approved",
                narrative="Varmepumper og elbiler.",
                reviewed_at=datetime.datetime(r.year + 1, 4, 1, tzinfo=datetime.UTC),
            )
            for r in rounds
            for n, c in enumerate(members)
            if not (skipping and n % 10 == 0 and r.year >= last - 1)
        ),
        batch_size=5_000,
    )
    template = AgreementTemplate.objects.create(alliance=alliance, version=1, title="Aftale")
    agreements = Agreement.objects.bulk_create(
        Agreement(
            alliance=alliance,
            company=c,
            template=template,
            status="active",
            start_date=datetime.date(2022, 1, 1),
            end_date=datetime.date(2030, 12, 31),
        )
        for c in members
    )
    pledges = []
    for agreement in agreements:
        pledges.append(
            Pledge(
                agreement=agreement,
                order=1,
                title="Halvér udledningen",
                metric="t CO2e",
                scopes=[1, 2],
                baseline_year=FIRST_YEAR,
                baseline_value=Decimal(700),
                target_year=2030,
                target_value=Decimal(350),
            )
        )
        pledges.append(
            Pledge(
                agreement=agreement,
                order=2,
                title="Grøn strøm",
                is_milestone=True,
                target_year=2027,
            )
        )
    Pledge.objects.bulk_create(pledges, batch_size=5_000)
    by_company = {}
    for pledge in pledges:
        by_company.setdefault(pledge.agreement.company_id, []).append(pledge)
    statuses = []
    for report in reports:
        if report.round.year < last - 2:
            continue
        co2, milestone = by_company[report.company_id]
        statuses.append(
            PledgeStatus(report=report, pledge=co2, value=Decimal(600 - report.pk % 90))
        )
        statuses.append(PledgeStatus(report=report, pledge=milestone, milestone="in_progress"))
    PledgeStatus.objects.bulk_create(statuses, batch_size=5_000)
    # Loaded around report_approve: the rows approval keeps, rebuilt as after any bulk load.
    summaries.rebuild(alliance_ids=[alliance.pk])
    return alliance


# --- Part 1: the dashboard -------------------------------------------------------------------


def median_ms(client, url):
    for _ in range(WARMUPS):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return statistics.median(times) * 1000


def query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def recompute_ms(client, alliance, runs=5):
    """The median of views that each find the figures outdated (by a change an instant ago)."""
    from emissions.models import AllianceFigures

    times = []
    for _ in range(runs):
        AllianceFigures.objects.outdate([alliance.pk])
        start = time.perf_counter()
        assert client.get(f"/{alliance.slug}/staff/emissions/").status_code == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def dashboard_benchmark(big, small):
    from emissions import selectors
    from emissions.models import Inventory

    big_client, _ = staff_client(big)
    small_client, _ = staff_client(small)
    big_url, small_url = f"/{big.slug}/staff/emissions/", f"/{small.slug}/staff/emissions/"
    print(f"inventories in the database: {Inventory.objects.count():,}")
    headline = selectors.headline(big)
    # An empty dashboard would be fast too: make sure every member is on it.
    assert headline.members == headline.reporting == COMPANIES, headline
    print(f"members on the dashboard: {headline.members:,}, all with approved figures")
    # The first view after the fill recomputes the alliance's figures (emissions.figures),
    # as the first one after any change does; the next ones read them.
    counts = {
        n: (query_count(client, url), query_count(client, url))
        for n, client, url in (
            (COMPANIES, big_client, big_url),
            (PDF_COMPANIES, small_client, small_url),
        )
    }
    print(
        "dashboard queries (recomputing, then reading the figures): "
        + ", ".join(f"{a} then {b} with {n:,} members" for n, (a, b) in counts.items())
    )
    dashboard = median_ms(big_client, big_url)
    floor = median_ms(big_client, "/robots.txt")
    print(f"dashboard ({COMPANIES:,} members) median of {RUNS}: {dashboard:.1f} ms")
    print(f"the first view after a change (recomputing): {recompute_ms(big_client, big):.1f} ms")
    print(f"/robots.txt median of {RUNS}: {floor:.2f} ms (floor)")
    print(f"ratio dashboard/robots.txt: {dashboard / floor:.0f}x")


# --- Part 2: PDFs on a real worker ------------------------------------------------------------


def start_worker(queue, log):
    """The production worker: the default prefork pool, one process per core, one task each
    at a time (prefetch 1, as in the settings)."""
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "klimaalliance",
        "worker",
        "--pool=prefork",
        f"--concurrency={WORKER_PROCESSES}",
        "--prefetch-multiplier=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@localhost",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
    )


def wait_for_worker(app, node, worker):
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
        if app.control.ping(destination=[node], timeout=0.5):
            return
    raise TimeoutError("the Celery worker did not start in time")


def _wait(done, timeout):
    """Poll `done()` until it is true or `timeout` seconds have passed; the seconds taken."""
    start = time.monotonic()
    while time.monotonic() - start < timeout and not done():
        time.sleep(0.25)
    return time.monotonic() - start


def batch_benchmark(reporting_round, by):
    from emissions import documents
    from emissions.models import ReportBatch

    batch = documents.batch_start(reporting_round=reporting_round, by=by)
    finished = ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists
    elapsed = _wait(finished, BATCH_TIMEOUT)
    done = documents.batch_done(batch)
    print(
        f"batch of company reports (prefork pool, {WORKER_PROCESSES} processes): "
        f"{done:,}/{batch.total:,} PDFs in {elapsed:.1f} s = {done / elapsed * 60:.0f} PDFs/minute"
    )


def annual_benchmark(alliance, year, by):
    from emissions import documents
    from emissions.models import AllianceReport

    document = documents.alliance_report_request(alliance=alliance, year=year, by=by)
    rendered = AllianceReport.objects.filter(pk=document.pk, generated_at__isnull=False).exists
    elapsed = _wait(rendered, ANNUAL_TIMEOUT)
    document.refresh_from_db()
    pages = _pdf_pages(document.pdf) if document.pdf else 0
    print(
        f"annual report of {BATCH_MEMBERS:,} members through the worker: "
        f"{'done' if document.pdf else 'NOT done'} in {elapsed:.1f} s ({pages} pages)"
    )


def _pdf_pages(field_file):
    from pypdf import PdfReader

    with field_file.open("rb") as data:
        return len(PdfReader(data).pages)


def pdf_benchmarks():
    """Part 2 on an alliance of its own (BATCH_MEMBERS members, every report approved): its
    last round's batch of company reports, then its annual report, on one real worker."""
    from django.db import connection

    from emissions.models import ReportingRound
    from klimaalliance.celery import app
    from klimaalliance.models import StaffRole, User

    start = time.monotonic()
    alliance = fill_alliance("benchbatch", "0997", BATCH_MEMBERS, 5_000_000, skipping=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"PDF alliance of {BATCH_MEMBERS:,} members filled in {time.monotonic() - start:.0f} s")
    by = User.objects.create_user(email="leder@benchbatch.example", password=None)
    StaffRole.objects.create(user=by, alliance=alliance, role=StaffRole.Role.TEAM_LEADER)
    last_round = ReportingRound.objects.filter(alliance=alliance).order_by("-year").first()

    queue = f"ka-bench-reports-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    with tempfile.NamedTemporaryFile(
        "w+", prefix="ka-bench-worker-", suffix=".log", delete=False
    ) as log:
        worker = start_worker(queue, log)
        try:
            wait_for_worker(app, f"{queue}@localhost", worker)
            print(f"load average before the worker runs: {_load()}")
            batch_benchmark(last_round, by)
            annual_benchmark(alliance, last_round.year, by)
            print(f"load average after: {_load()} (worker log: {log.name})")
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)


def _load():
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main():
    pg_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL must point at Redis (e.g. redis://127.0.0.1:6379/8)")
    media = tempfile.mkdtemp(prefix="ka-bench-reports-media-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="klimaalliance.settings.base",
        DATABASE_URL=f"{pg_url}/{DATABASE}",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        DEBUG="0",
        MEDIA_ROOT=media,
        STATIC_ROOT=tempfile.mkdtemp(prefix="ka-bench-reports-static-"),
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _pg_admin(pg_url, f"CREATE DATABASE {DATABASE}")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host, mail kept in memory
        call_command("migrate", verbosity=0)
        start = time.monotonic()
        big = fill_alliance("bench", "0999", COMPANIES, 3_000_000)
        small = fill_alliance("benchpdf", "0998", PDF_COMPANIES, 4_000_000, skipping=False)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"filled in {time.monotonic() - start:.0f} s")
        dashboard_benchmark(big, small)
        if "--keep" in sys.argv:  # leave the database for EXPLAIN; no PDFs
            return
        pdf_benchmarks()
        connection.close()
    finally:
        if "--keep" not in sys.argv:
            _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
