"""How does the emissions dashboard scale, and how fast are progress report PDFs?

    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/reports.py

Needs PostgreSQL on 127.0.0.1 (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432) and
Redis (REDIS_URL). It creates the database ka_bench_reports and drops it again at the end.

1. The staff dashboard of an alliance with 5,000 member companies, each with 10 years of
   climate accounts (9 approved reports, 2 pledges with statuses): its query count (next to
   an alliance of 200 members: it must be the same) and its median time over 15 requests,
   next to /robots.txt (the cheapest Django response, the floor) and the ratio. In-process,
   through Django's test client: the whole middleware stack and the view, no HTTP server.
2. A batch of 200 company reports rendered by a real Celery worker (a subprocess, solo
   pool, one process) on a queue of its own: PDFs per minute.

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
DATABASE = "ka_bench_reports"
COMPANIES, YEARS, FIRST_YEAR = 5_000, 10, 2015
PDF_COMPANIES = 200
WARMUPS, RUNS = 3, 15
WORKER_READY_TIMEOUT, BATCH_TIMEOUT = 60, 900


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
    from companies.models import Company, Membership
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
    members = Company.objects.bulk_create(
        Company(cvr=next(codes), legal_name=f"{slug.title()} {n:05d} A/S", industry="CFGHM"[n % 5])
        for n in range(companies)
    )
    Membership.objects.bulk_create(
        Membership(alliance=alliance, company=c, status="active") for c in members
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


def dashboard_benchmark(big, small):
    from emissions.models import Inventory

    big_client, _ = staff_client(big)
    small_client, _ = staff_client(small)
    big_url, small_url = f"/{big.slug}/staff/emissions/", f"/{small.slug}/staff/emissions/"
    print(f"inventories in the database: {Inventory.objects.count():,}")
    print(
        f"dashboard queries: {query_count(big_client, big_url)} with {COMPANIES:,} members, "
        f"{query_count(small_client, small_url)} with {PDF_COMPANIES} members"
    )
    dashboard = median_ms(big_client, big_url)
    floor = median_ms(big_client, "/robots.txt")
    print(f"dashboard ({COMPANIES:,} members) median of {RUNS}: {dashboard:.1f} ms")
    print(f"/robots.txt median of {RUNS}: {floor:.2f} ms (floor)")
    print(f"ratio dashboard/robots.txt: {dashboard / floor:.0f}x")


# --- Part 2: a batch of PDFs on a real worker ------------------------------------------------


def start_worker(queue, log):
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "klimaalliance",
        "worker",
        "--pool=solo",
        "--concurrency=1",
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


def batch_benchmark(alliance, by):
    from emissions import documents
    from emissions.models import ReportBatch, ReportingRound
    from klimaalliance.celery import app

    queue = f"ka-bench-reports-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    last_round = ReportingRound.objects.filter(alliance=alliance).order_by("-year").first()
    with tempfile.NamedTemporaryFile(
        "w+", prefix="ka-bench-worker-", suffix=".log", delete=False
    ) as log:
        worker = start_worker(queue, log)
        try:
            wait_for_worker(app, f"{queue}@localhost", worker)
            start = time.monotonic()
            batch = documents.batch_start(reporting_round=last_round, by=by)
            deadline = start + BATCH_TIMEOUT
            while time.monotonic() < deadline:
                if ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
                    break
                time.sleep(0.25)
            elapsed = time.monotonic() - start
            done = documents.batch_done(batch)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)
    print(
        f"batch on a real worker (solo pool, 1 process): {done}/{batch.total} PDFs "
        f"in {elapsed:.1f} s"
    )
    print(f"throughput: {done / elapsed * 60:.0f} PDFs/minute (worker log: {log.name})")


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
        from klimaalliance.models import User

        batch_benchmark(small, User.objects.get(email=f"leder@{small.slug}.example"))
        connection.close()
    finally:
        if "--keep" not in sys.argv:
            _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
