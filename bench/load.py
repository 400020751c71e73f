"""Bounded load run: public pages and the API under gunicorn with the production settings.

    .venv/bin/python bench/load.py        (or `make bench-load`)

Needs PostgreSQL and Redis on 127.0.0.1 and `wrk`. It creates the database ka_bench_load,
fills it with the demo data (`manage.py seed_demo`), starts gunicorn (production settings,
2 sync workers, Redis as page cache) on 127.0.0.1:8798 and runs wrk with 64 connections
for 60 s. Each request takes the next URL of the mix below (bench/load.lua); the script
prints requests/s, latency p50/p99 and the number of errors (non-2xx responses and socket
errors), and exits non-zero if there was any. Everything stays on this machine.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (
    gunicorn,
    http_get,
    manage,
    production_env,
    recreate_database,
    run_python,
    wrk,
)

DB = "ka_bench_load"
PORT = 8798
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/10")
CONNECTIONS, DURATION = 64, "60s"
SCRIPT = Path(__file__).with_name("load.lua")

FIRST_PARTNER = """
from partnerships.selectors import public_partners
from klimaalliance.models import Alliance
print(public_partners(Alliance.objects.get(slug="aalborg")).order_by("pk").first().cvr)
"""


def prepare():
    """A fresh database with the demo data; returns the environment and the URL mix."""
    env = production_env(recreate_database(DB), redis_url=REDIS_URL)
    manage(env, "migrate", "--noinput", "-v0")
    print("collecting static files (takes a few minutes) ...", flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")
    # Seeded without a broker: the demo agreements' PDF jobs run in this process.
    seed_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    manage(seed_env, "seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # Pages cached by an earlier run must not be served: retire them all.
    run_python(env, "from klimaalliance.caching import bump_public_version\nbump_public_version()")
    cvr = run_python(env, FIRST_PARTNER, capture_output=True, text=True).stdout.strip()
    paths = [
        "/",
        "/aalborg/",
        "/aalborg/partners/",
        f"/aalborg/partners/{cvr}/",
        "/api/v1/partners/?alliance=aalborg",
        "/api/v1/alliances/",
    ]
    return env, paths


def main():
    env, paths = prepare()
    with gunicorn(env, PORT) as base:
        for path in paths:  # every page answers, and the cache is warm
            status, _ = http_get(base + path)
            print(f"  {status}  {path}")
            if status != 200:
                print(f"{path} answered {status} before the run", file=sys.stderr)
                return 1
        result = wrk(
            base + "/",
            threads=2,
            connections=CONNECTIONS,
            duration=DURATION,
            script=SCRIPT,
            script_args=paths,
            request_timeout="10s",
        )
    print(result["output"])
    errors = result["non_2xx"] + result["socket_errors"]
    print(
        f"load {CONNECTIONS} connections, {DURATION}, {len(paths)} URLs: "
        f"{result['rps']:.0f} req/s  p50 {result['p50']}  p99 {result['p99']}  "
        f"errors {errors} (non-2xx {result['non_2xx']}, socket {result['socket_errors']})"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
