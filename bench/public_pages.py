"""Load run of the public partner list with 10,000 partners, next to /robots.txt.

    .venv/bin/python bench/public_pages.py

Needs PostgreSQL and Redis on 127.0.0.1 and `wrk`. It creates the database ka_bench_public,
fills it with 10,000 partners, starts gunicorn (production settings, 2 sync workers) on
127.0.0.1:8799 and runs wrk (2 threads, 32 connections, 10 s) against /robots.txt, the
partner list and a filtered search in the same run, printing requests/s and the ratio.
Everything runs on this machine; the run stops by itself.
"""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (
    gunicorn,
    manage,
    production_env,
    recreate_database,
    run_python,
    wrk,
)

DB = "ka_bench_public"
PORT = 8799
PARTNERS = 10_000
REDIS_DB = 9


def prepare_database():
    """A fresh database with the partners; returns the environment to serve it with."""
    env = production_env(recreate_database(DB), redis_url=f"redis://127.0.0.1:6379/{REDIS_DB}")
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    subprocess.run(
        ["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, stdout=subprocess.DEVNULL
    )
    run_python(env, FILL)
    return env


FILL = f"""
import datetime, itertools
from companies.models import Company, Membership
from klimaalliance.models import Alliance
from partnerships.models import Agreement, AgreementFocusArea, AgreementTemplate
from klimaalliance.choices import FocusArea

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


def main():
    env = prepare_database()
    run_python(env, QUERIES)
    results = {}
    with gunicorn(env, PORT) as base:
        for name, path in [
            ("robots.txt", "/robots.txt"),
            ("partner list", "/aalborg/partners/"),
            ("filtered search", "/aalborg/partners/?q=firma+01&focus=energy&industry=A"),
        ]:
            subprocess.run(["curl", "-s", "-o", "/dev/null", base + path], check=False)
            result = results[name] = wrk(base + path)
            print(
                f"{name:16} {result['rps']:8.0f} req/s  p50 {result['p50']:>8}  "
                f"p99 {result['p99']:>8}  non-2xx {result['non_2xx']}"
            )
    floor = results["robots.txt"]["rps"]
    for name in ("partner list", "filtered search"):
        print(f"{name} / robots.txt = {results[name]['rps'] / floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
