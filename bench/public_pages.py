"""Load run of the public partner list and the open-data API with 10,000 partners, next
to /robots.txt.

    .venv/bin/python bench/public_pages.py            (BENCH_PARTNERS=50000 for the large run)

Needs PostgreSQL and Redis on 127.0.0.1 and `wrk`. It creates the database ka_bench_public,
fills it with 10,000 partners, starts gunicorn (production settings, 2 sync workers) on
127.0.0.1:8799 and runs wrk (2 threads, 32 connections, 10 s) against /robots.txt, the
partner list, a filtered search and the API's partner list (first, a deep offset, filtered,
a walk over every offset and one along the `next` links, i.e. cursors) in the same run,
printing requests/s, the ratio and the load average (the machine is shared). Everything
runs on this machine; the run stops by itself.
"""

import os
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
PARTNERS = int(os.environ.get("BENCH_PARTNERS", 10_000))
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
# Planner statistics, as autovacuum keeps them in production: without them PostgreSQL plans
# the filtered API list over 10,000 fresh rows as a 6-second nested loop.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
"""

QUERIES = f"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from klimaalliance.caching import bump_public_version
client = Client(HTTP_HOST="127.0.0.1", secure=True)
import time
for url in ["/aalborg/partners/", "/aalborg/partners/?q=firma+01&focus=energy&industry=A",
            "/aalborg/partners/?page=300", "/api/v1/partners/?alliance=aalborg",
            "/api/v1/partners/?alliance=aalborg&offset={PARTNERS - 100}"]:
    timings = []
    for _ in range(5):
        bump_public_version()  # as after a change: the page is rendered afresh
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(url).status_code
        timings.append((time.perf_counter() - started) * 1000)
    print(f"uncached {{url}}: {{len(ctx.captured_queries)}} queries, "
          f"median {{sorted(timings)[2]:.0f}} ms (HTTP {{status}})")
"""

# The `next` links a harvester follows (cursors), collected in-process; the page cache is
# emptied afterwards so the walk under load starts cold.
CHAIN = """
from urllib.parse import urlsplit
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
url = "/api/v1/partners/?alliance=aalborg"
while url:
    parts = urlsplit(url)
    print(parts.path + "?" + parts.query)
    url = client.get(url).json()["next"]
"""


def next_links(env):
    out = run_python(env, CHAIN, capture_output=True, text=True).stdout.split()
    subprocess.run(
        ["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, stdout=subprocess.DEVNULL
    )
    return [line for line in out if line.startswith("/api/")]


API = "/api/v1/partners/?alliance=aalborg"
PAGES = [
    ("robots.txt", "/robots.txt"),
    ("partner list", "/aalborg/partners/"),
    ("filtered search", "/aalborg/partners/?q=firma+01&focus=energy&industry=A"),
    ("API first page", API),
    ("API deep offset", f"{API}&offset={PARTNERS - 100}"),
    ("API filtered", f"{API}&industry=A&focus=energy"),
]
WALK = Path(__file__).with_name("load.lua")


def report(name, result):
    load = os.getloadavg()[0]
    print(
        f"{name:18} {result['rps']:8.0f} req/s  p50 {result['p50']:>8}  "
        f"p99 {result['p99']:>8}  non-2xx {result['non_2xx']}  load {load:.2f}",
        flush=True,
    )


def measure(base, chain):
    """wrk against each page (and the API at every offset, and along the next links);
    {name: result}."""
    results = {}
    for name, path in PAGES:
        subprocess.run(["curl", "-s", "-o", "/dev/null", base + path], check=False)
        results[name] = wrk(base + path)
        report(name, results[name])
    # Every offset of the list in turn (the first round fills the cache, as a harvester would).
    offsets = [f"{API}&offset={offset}" for offset in range(0, PARTNERS, 100)]
    results["API every offset"] = wrk(base + "/", script=WALK, script_args=offsets)
    report("API every offset", results["API every offset"])
    results["API next links"] = wrk(base + "/", script=WALK, script_args=chain)
    report("API next links", results["API next links"])
    return results


def main():
    print(f"{PARTNERS} partners; machine load average at start {os.getloadavg()[0]:.2f}")
    env = prepare_database()
    run_python(env, QUERIES)
    chain = next_links(env)
    with gunicorn(env, PORT) as base:
        results = measure(base, chain)
    floor = results["robots.txt"]["rps"]
    for name in results:
        if name != "robots.txt":
            print(f"{name} / robots.txt = {results[name]['rps'] / floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
