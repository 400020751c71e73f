"""How fast is the signed agreement PDF?  Run: `.venv/bin/python bench/agreement_pdf.py`.

1. In-process, on a temporary SQLite database (DATABASE_URL may override it): the median
   time to render a typical three-page agreement (6 clauses, 6 pledges, 2 signatures) as
   PDF/A-3b, against the floor (a one-line PDF/A-3b document through the same
   `html_to_pdf`, with the fonts and shared stylesheet it keeps per process), the page
   count and the load average (other work on the machine slows both). Beside each wall-clock
   median stands the median of the process's CPU time, which other work on the machine
   inflates far less: read it to compare runs taken under different loads. The test settings
   configure no seal certificate, so the PDF stays unsealed here and `seal_pdf` costs only
   its certificate look-up (and a warning per render); bench/seal.py times the seal.
2. If REDIS_URL is set: a real Celery worker (prefork pool, one process per core, as in
   production) on a PostgreSQL database the script creates (BENCH_PG_URL, default
   postgres://postgres@127.0.0.1:5432, database ka_bench) renders 50 sealed agreements;
   prints PDFs per minute.

Every wait is bounded; the worker is always stopped and the bench database dropped.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARMUPS, RUNS, AGREEMENTS = 2, 15, 50
WORKER_READY_TIMEOUT, THROUGHPUT_TIMEOUT = 60, 300
WORKER_PROCESSES = os.cpu_count() or 1  # as in production: one per core
QUEUE_ENV = "KA_BENCH_QUEUE"


# --- Django set-up ----------------------------------------------------------------------------


def setup_django(settings_module, database_url):
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Data -------------------------------------------------------------------------------------

PLEDGES = [
    ("Halve scope 1 and 2 emissions", False, "t CO2e, scope 1+2", 2022, "1250.5", 2030, "625"),
    ("100 % renewable electricity", True, "", None, None, 2027, None),
    ("Zero-emission passenger cars", True, "", None, None, 2030, None),
    ("Cut residual waste by 40 %", False, "t residual waste", 2023, "310", 2030, "186"),
    ("Climate criteria in major purchases", True, "", None, None, 2026, None),
    ("Heat pumps in all buildings", False, "MWh fossil heat", 2022, "940", 2029, "0"),
]


def _world():
    """An alliance with the default template and catalogue, staff, a company rep."""
    from companies.models import Membership, Representation
    from klimaalliance.models import Alliance, StaffRole, User
    from partnerships.seed import ensure_starting_content

    alliance, _ = Alliance.objects.get_or_create(
        slug="bench",
        defaults={
            "name": "Klimaalliancen Bench",
            "municipality": "Bench Kommune",
            "municipality_code": "0999",
        },
    )
    ensure_starting_content(alliance)
    staff, _ = User.objects.get_or_create(
        email="leder@bench.example", defaults={"first_name": "Lone", "last_name": "Leder"}
    )
    StaffRole.objects.get_or_create(
        user=staff,
        alliance=alliance,
        defaults={"role": StaffRole.Role.TEAM_LEADER, "may_countersign": True},
    )
    return alliance, staff, Membership, Representation, User


def _cvr(n):
    """An 8-digit number passing the modulus-11 check."""
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    while True:
        prefix = str(3_100_000 + n)
        check = -sum(int(d) * w for d, w in zip(prefix, weights, strict=False)) % 11
        if check < 10:
            return f"{prefix}{check}"
        n += 7_000


def sealed_agreement(n, *, queue_pdf=False):
    """A countersigned agreement with 6 pledges; its PDF job is not queued unless asked."""
    from django.utils import timezone

    from companies.models import Company
    from partnerships import services
    from partnerships.documents import content_sha256
    from partnerships.models import Pledge

    alliance, staff, Membership, Representation, User = _world()
    company = Company.objects.create(cvr=_cvr(n), legal_name=f"Bench Energi {n} A/S", industry="D")
    # access_granted_at: the company shares its data with the alliance (may get an agreement).
    Membership.objects.create(
        alliance=alliance, company=company, status="active", access_granted_at=timezone.now()
    )
    rep = User.objects.create(
        email=f"rep{n}@bench.example", first_name="Rikke", last_name="Repræsentant"
    )
    Representation.objects.create(user=rep, company=company, may_sign=True, title="CEO")
    agreement = services.agreement_create(
        alliance=alliance,
        company=company,
        by=staff,
        focus_areas=["energy", "transport"],
        start_date=date(2026, 1, 1),
        municipality_commitments="Advice, network, visibility.",
    )
    for order, (title, milestone, metric, by, bv, ty, tv) in enumerate(PLEDGES, 1):
        Pledge.objects.create(
            agreement=agreement,
            order=order,
            title=title,
            is_milestone=milestone,
            metric=metric,
            baseline_year=by,
            baseline_value=Decimal(bv) if bv else None,
            target_year=ty,
            target_value=Decimal(tv) if tv else None,
            focus_area="energy",
            scopes=[] if milestone else [1, 2],
            description="Measured yearly. " * 8,
        )
    services.agreement_send(agreement=agreement, by=staff)
    queue = services.queue_agreement_pdf
    services.queue_agreement_pdf = queue if queue_pdf else (lambda agreement: None)
    try:
        for user, sign in ((rep, services.agreement_sign), (staff, services.agreement_countersign)):
            sign(
                agreement=agreement,
                user=user,
                typed_name=user.get_full_name(),
                title="CEO" if user == rep else "Team leader",
                seen_sha256=content_sha256(agreement),
                ip="192.0.2.10",
                user_agent="Mozilla/5.0 (bench)",
            )
    finally:
        services.queue_agreement_pdf = queue
    agreement.refresh_from_db()
    return agreement


# --- Part 1: render time ----------------------------------------------------------------------


def median_seconds(function):
    """Medians of RUNS calls after WARMUPS: (wall-clock seconds, process CPU seconds)."""
    for _ in range(WARMUPS):
        function()
    wall, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def render_benchmark():
    """Median agreement render vs WeasyPrint's one-line PDF/A-3b floor; prints the numbers."""
    import io

    from django.core.management import call_command
    from pypdf import PdfReader

    from klimaalliance.pdf import html_to_pdf
    from partnerships.documents import render_agreement_pdf

    call_command("migrate", verbosity=0)
    agreement = sealed_agreement(1)
    pages = len(PdfReader(io.BytesIO(render_agreement_pdf(agreement))).pages)
    agreement_s, agreement_cpu = median_seconds(lambda: render_agreement_pdf(agreement))
    floor_html = "<!doctype html><html lang=en><title>x</title><p>One line.</p>"
    floor_s, floor_cpu = median_seconds(lambda: html_to_pdf(floor_html))
    print(f"agreement PDF: {pages} pages, 6 clauses, {len(PLEDGES)} pledges, 2 signatures")
    print(f"load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    print(
        f"render_agreement_pdf median of {RUNS}: {agreement_s * 1000:.1f} ms "
        f"(CPU time {agreement_cpu * 1000:.1f} ms)"
    )
    print(
        f"floor (one-line PDF/A-3b, html_to_pdf) median of {RUNS}: {floor_s * 1000:.1f} ms "
        f"(CPU time {floor_cpu * 1000:.1f} ms)"
    )
    print(f"ratio agreement/floor: {agreement_s / floor_s:.1f}x")


# --- Part 2: worker throughput ----------------------------------------------------------------


def _pg_admin(pg_url, sql):
    import psycopg2

    connection = psycopg2.connect(f"{pg_url}/postgres", connect_timeout=3)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _build_schema():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _start_worker(env, queue, log):
    command = [
        str(ROOT / ".venv/bin/celery"),
        "-A",
        "bench.agreement_pdf",
        "worker",
        "--pool",
        "prefork",
        "-Q",
        queue,
        "--concurrency",
        str(WORKER_PROCESSES),
        "--prefetch-multiplier",
        "1",
        "--loglevel",
        "WARNING",
        "-n",
        f"{queue}@%h",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for_worker(app, queue, worker):
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
        replies = app.control.ping(timeout=1.0)
        if any(queue in name for reply in replies for name in reply):
            return
    raise TimeoutError("the Celery worker did not start in time")


def _wait_for_pdfs(pks):
    from partnerships.models import Agreement

    deadline = time.monotonic() + THROUGHPUT_TIMEOUT
    while time.monotonic() < deadline:
        done = Agreement.objects.filter(pk__in=pks).exclude(pdf="").count()
        if done == len(pks):
            return done
        time.sleep(0.2)
    return Agreement.objects.filter(pk__in=pks).exclude(pdf="").count()


def throughput_phase():
    """Runs in a child process set up on PostgreSQL: 50 PDFs through a real worker."""
    from klimaalliance.celery import app
    from partnerships.tasks import render_agreement_pdf_task

    queue = os.environ[QUEUE_ENV]
    app.conf.task_default_queue = queue
    _build_schema()
    pks = [sealed_agreement(n).pk for n in range(1, AGREEMENTS + 1)]
    with tempfile.NamedTemporaryFile(
        "w+", prefix="ka-bench-worker-", suffix=".log", delete=False
    ) as log:
        worker = _start_worker(os.environ.copy(), queue, log)
        try:
            _wait_for_worker(app, queue, worker)
            start = time.monotonic()
            for pk in pks:
                render_agreement_pdf_task.apply_async(args=[pk], queue=queue)
            done = _wait_for_pdfs(pks)
            elapsed = time.monotonic() - start
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    print(
        f"real worker (prefork pool, {WORKER_PROCESSES} processes): {done}/{len(pks)} PDFs "
        f"in {elapsed:.1f} s"
    )
    print(f"throughput: {done / elapsed * 60:.0f} PDFs/minute (worker log: {log.name})")


def run_throughput(pg_url):
    """Create the bench database, run the throughput phase in a child process, drop it."""
    database = "ka_bench"
    _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    _pg_admin(pg_url, f"CREATE DATABASE {database}")
    media = tempfile.mkdtemp(prefix="ka-bench-media-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "klimaalliance.settings.base",
        "DATABASE_URL": f"{pg_url}/{database}",
        "DEBUG": "1",
        "MEDIA_ROOT": media,
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        QUEUE_ENV: f"ka-bench-{uuid.uuid4().hex[:8]}",
    }
    try:
        subprocess.run(
            [sys.executable, __file__, "--throughput"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=THROUGHPUT_TIMEOUT + 180,
        )
    finally:
        _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def main():
    if "--throughput" in sys.argv:
        setup_django(os.environ["DJANGO_SETTINGS_MODULE"], os.environ["DATABASE_URL"])
        throughput_phase()
        return
    with tempfile.TemporaryDirectory(prefix="ka-bench-") as folder:
        os.environ.setdefault("MEDIA_ROOT", folder)
        database_url = os.environ.get("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
        redis_url = os.environ.pop("REDIS_URL", "")  # part 1 renders in-process only
        setup_django("klimaalliance.settings.test", database_url)
        render_benchmark()
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
        run_throughput(os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    else:
        print("REDIS_URL is not set: skipped the worker throughput run")


if __name__ == "__main__":
    main()
elif os.environ.get(QUEUE_ENV):
    # `celery -A bench.agreement_pdf worker`: the project's app, whose follow-up tasks (the
    # mail after each PDF) stay on the bench's own queue instead of the shared default one.
    from klimaalliance.celery import app

    app.conf.task_default_queue = os.environ[QUEUE_ENV]
