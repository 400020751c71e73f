"""Load run of the public partner list with 10,000 partners, next to /robots.txt.

    .venv/bin/python bench/public_pages.py

Needs PostgreSQL and Redis on 127.0.0.1 and `wrk`. It creates the database ka_bench_public,
fills it with 10,000 partners, starts gunicorn (production settings, 2 sync workers) on
127.0.0.1:8799 and runs wrk (2 threads, 32 connections, 10 s) against /robots.txt, the
partner list and a filtered search in the same run, printing requests/s and the ratio.
Everything runs on this machine; the run stops by itself.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "ka_bench_public"
PORT = 8799
PARTNERS = 10_000
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "STATIC_ROOT": tempfile.mkdtemp(prefix="ka-static-"),
    "DJANGO_SETTINGS_MODULE": "klimaalliance.settings.production",
    "LOG_LEVEL": "WARNING",
}
PY = str(ROOT / ".venv" / "bin" / "python")


def sh(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=ENV, check=True, **kwargs)


def prepare_database():
    sh(
        "psql",
        "-q",
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-c",
        f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)",
    )
    sh("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}")
    sh(PY, "manage.py", "migrate", "-v0")
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0")
    sh("redis-cli", "-n", "9", "flushdb", stdout=subprocess.DEVNULL)
    sh(PY, "-c", FILL)


FILL = f"""
import django, datetime, itertools
django.setup()
from companies.models import Company, Membership
from klimaalliance.models import Alliance
from partnerships.models import Agreement, AgreementFocusArea, AgreementTemplate
from partnerships.choices import FocusArea

alliance = Alliance.objects.create(slug="aalborg", name="Klimaalliancen Aalborg",
                                   municipality="Aalborg Kommune", municipality_code="0851")
template = AgreementTemplate.objects.create(alliance=alliance, version=1, title="Aftale")
weights = (2, 7, 6, 5, 4, 3, 2, 1)
def cvrs():
    for n in itertools.count(30000000 // 10):
        prefix = str(n)
        check = -sum(int(d) * w for d, w in zip(prefix, weights)) % 11
        if check < 10:
            yield prefix + str(check)
codes = cvrs()
industries = "ACFGHJMR"
companies = Company.objects.bulk_create(
    Company(cvr=next(codes), legal_name=f"Firma {{n:05d}} ApS", industry=industries[n % 8],
            city="Aalborg", description="Et firma i klimaalliancen.")
    for n in range({PARTNERS})
)
Membership.objects.bulk_create(Membership(alliance=alliance, company=c, status="active")
                               for c in companies)
agreements = Agreement.objects.bulk_create(
    Agreement(alliance=alliance, company=c, template=template, status="active",
              start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2028, 1, 1))
    for c in companies
)
areas = [a.value for a in FocusArea]
AgreementFocusArea.objects.bulk_create(
    AgreementFocusArea(agreement=a, area=areas[n % len(areas)]) for n, a in enumerate(agreements)
)
print("partners:", Company.objects.count())
"""

QUERIES = """
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
client = Client(HTTP_HOST="127.0.0.1", secure=True)
for url in ["/aalborg/partners/", "/aalborg/partners/?q=firma+01&focus=energy&industry=A",
            "/aalborg/partners/?page=300"]:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    print(f"queries (uncached) {url}: {len(ctx.captured_queries)} (HTTP {status})")
"""


def wrk(path):
    out = subprocess.run(
        ["wrk", "-t2", "-c32", "-d10s", "--latency", f"http://127.0.0.1:{PORT}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def main():
    prepare_database()
    sh(PY, "-c", QUERIES)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "klimaalliance.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**ENV, "DJANGO_SETTINGS_MODULE": "klimaalliance.settings.production"},
    )
    try:
        for _ in range(50):
            if (
                subprocess.run(
                    ["curl", "-sf", f"http://127.0.0.1:{PORT}/robots.txt"], capture_output=True
                ).returncode
                == 0
            ):
                break
            time.sleep(0.2)
        results = {}
        for name, path in [
            ("robots.txt", "/robots.txt"),
            ("partner list", "/aalborg/partners/"),
            ("filtered search", "/aalborg/partners/?q=firma+01&focus=energy&industry=A"),
        ]:
            subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{PORT}{path}"])
            results[name] = wrk(path)
            rps, p50, p99, errors = results[name]
            print(f"{name:16} {rps:8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}  non-2xx {errors}")
        floor = results["robots.txt"][0]
        for name in ("partner list", "filtered search"):
            print(f"{name} / robots.txt = {results[name][0] / floor:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
