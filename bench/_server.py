"""Shared by the load runs and the fault tests: a database to run against, gunicorn with
the production settings, and wrk.

Everything binds to 127.0.0.1; every wait is bounded.
"""

import contextlib
import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url, *, redis_url="", static_root=None, **extra) -> dict:
    """The environment for manage.py and gunicorn with klimaalliance.settings.production,
    served over plain HTTP on 127.0.0.1. Without `redis_url`, tasks run in-process and the
    page cache lives in each worker's memory."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "klimaalliance.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root or tempfile.mkdtemp(prefix="ka-static-")),
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="ka-media-"),
        "PRIVATE_MEDIA_ROOT": tempfile.mkdtemp(prefix="ka-private-media-"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env, *args, **kwargs):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


def run_python(env, code, **kwargs):
    """Run `code` in a fresh interpreter with Django set up from `env`."""
    return subprocess.run(
        [PY, "-c", "import django\ndjango.setup()\n" + code],
        cwd=ROOT,
        env=env,
        check=True,
        **kwargs,
    )


def recreate_database(name, *, host="127.0.0.1", port=5432, user="postgres"):
    psql = ["psql", "-q", "-h", host, "-p", str(port), "-U", user, "-d", "postgres", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)
    return f"postgres://{user}@{host}:{port}/{name}"


def http_get(url, timeout=10):
    """(status, body text) of a GET; error statuses are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def wait_for_http(url, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, _ = http_get(url, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(env, port, *, workers=2, ready_path="/robots.txt", log=None):
    """gunicorn (sync workers) on 127.0.0.1:`port`; yields its base URL once it answers."""
    server = subprocess.Popen(
        [
            GUNICORN,
            "klimaalliance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + ready_path)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def wrk(
    url,
    *,
    threads=2,
    connections=32,
    duration="10s",
    script=None,
    script_args=(),
    request_timeout=None,
    headers=(),
):
    """Run wrk with --latency (and each of `headers`, e.g. "Cookie: …"); returns requests/s,
    p50, p99, non-2xx/3xx count, socket errors and wrk's whole output (a Lua script may
    print more after the summary)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency"]
    for header in headers:
        command += ["-H", header]
    if request_timeout:
        command += ["--timeout", request_timeout]
    if script:
        command += ["-s", str(script)]
    seconds = int(re.match(r"(\d+)", duration).group(1)) * (60 if duration.endswith("m") else 1)
    out = subprocess.run(
        [*command, url, *(["--", *script_args] if script_args else [])],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "output": out,
    }
