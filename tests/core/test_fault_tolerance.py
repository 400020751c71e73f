"""Fault tolerance, tested against real services that the tests start, break and restart
themselves (never the shared PostgreSQL on 5432 or the shared Redis on 6379).

* Redis down while an agreement is signed: both signatures are saved and the signers see
  success; the PDF job waits in the outbox and is rendered exactly once after Redis is back.
* Two sweepers at once never send one outbox message twice.
* PostgreSQL restarted under traffic: gunicorn with the production settings answers 200 or
  a clean error page (no traceback) during the restart, and 200 to every request sent after
  PostgreSQL is back, also after a restart no request saw (CONN_HEALTH_CHECKS).

See docs/fault-tolerance.md. Missing binaries skip these tests, or fail them under
REQUIRE_SERVICES=1 (CI).
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from bench._server import free_port, gunicorn, http_get, manage, production_env, run_python
from klimaalliance.celery import app as celery_app
from klimaalliance.models import OutboxMessage
from klimaalliance.outbox import sweep
from klimaalliance.tasks import record_heartbeat
from partnerships.documents import content_sha256
from partnerships.models import Agreement, Signature
from partnerships.tasks import mail_signed_agreement, render_agreement_pdf_task
from tests.celery_connections import forget_broker_connections
from tests.conftest import need
from tests.partnerships.test_signing import make_sent, post_sign, sign_data
from tests.partnerships.test_staff_agreements import countersign_data, post_countersign

pytestmark = pytest.mark.services

PG_BIN = Path("/usr/lib/postgresql/15/bin")
WAIT = 90  # seconds; every wait below gives up after this


def wait_until(condition, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.2)


# --- A Redis of our own ----------------------------------------------------------------------


class RedisServer:
    """A throw-away redis-server without persistence: stopping it loses every queued task."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        wait_until(lambda: self._answers(client), "redis-server to start", timeout=20)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @staticmethod
    def _answers(client):
        try:
            return client.ping()
        except redis.RedisError:
            return False


@pytest.fixture
def own_redis(settings):
    """Broker, result store and page cache all on a Redis this test may kill."""
    need(shutil.which("redis-server"), "redis-server")
    server = RedisServer(free_port())
    server.start()
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "result_backend": celery_app.conf.result_backend,
    }
    celery_app.conf.update(broker_url=server.url, result_backend=server.url)
    celery_app.conf.task_always_eager = False
    forget_broker_connections()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield server
    server.stop()
    celery_app.conf.update(saved)
    forget_broker_connections()


@pytest.fixture
def worker_on_own_redis(own_redis, transactional_db):
    from celery.contrib.testing import tasks as _ping_task  # noqa: F401 (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, pool="solo", loglevel="WARNING", perform_ping_check=True, shutdown_timeout=20
    ):
        yield own_redis


def _agreement_files():
    # Wherever agreement PDFs are stored (a private storage, outside MEDIA_ROOT).
    storage = Agreement._meta.get_field("pdf").storage
    folder = Path(storage.path("agreements"))
    return set(folder.iterdir()) if folder.exists() else set()


def test_a_signature_made_while_redis_is_down_is_kept_and_its_pdf_made_once_redis_is_back(
    worker_on_own_redis, client, alliance, company_a, rep_a, staff_x
):
    redis_server = worker_on_own_redis
    agreement = make_sent(alliance, company_a, staff_x)
    files_before = _agreement_files()
    mail.outbox.clear()

    redis_server.stop()
    outage_began = time.monotonic()

    # The representative signs, then the municipality countersigns, through the real views.
    client.force_login(rep_a)
    response = post_sign(client, agreement, sign_data(agreement), follow=True)
    assert response.redirect_chain[0][1] == 302
    with translation.override("en"):
        assert "Thank you. You have signed the agreement for the company." in response.text
    client.force_login(staff_x)
    agreement.refresh_from_db()
    response = post_countersign(
        client, agreement, countersign_data(content_sha256(agreement)), follow=True
    )
    assert response.redirect_chain[0][1] == 302
    assert "The agreement is countersigned and active." in response.text
    both_signed = time.monotonic()

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert set(agreement.signatures.values_list("party", flat=True)) == {
        Signature.Party.COMPANY,
        Signature.Party.MUNICIPALITY,
    }
    # Beside the hand-over mails (signed, countersigned), one job renders the PDF.
    job = OutboxMessage.objects.get(task=render_agreement_pdf_task.name)
    assert job.args == [agreement.pk]
    assert job.sent_at is None
    assert job.attempts == 1
    assert "Connection refused" in job.last_error
    assert not agreement.pdf

    # Redis comes back empty (it kept nothing); the sweep sends the job, the worker renders.
    redis_server.start()
    swept = time.monotonic()
    call_command("sweep_outbox", stdout=open(os.devnull, "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert job.sent_at is not None
    assert job.attempts == 2

    wait_until(lambda: Agreement.objects.get(pk=agreement.pk).pdf, "the worker to render the PDF")

    def pdf_mails():
        return [message for message in mail.outbox if message.attachments]

    wait_until(lambda: pdf_mails(), "the signed agreement to be mailed")
    print(  # shown with `pytest -s`; docs/fault-tolerance.md quotes it
        f"both signatures with Redis down: {both_signed - outage_began:.2f} s; "
        f"sweep to PDF and mail: {time.monotonic() - swept:.2f} s"
    )
    agreement.refresh_from_db()
    assert _agreement_files() - files_before == {Path(agreement.pdf.path)}
    [pdf_mail] = pdf_mails()
    assert pdf_mail.attachments[0][0].endswith(".pdf")
    # Nothing is left to send, and sending again would not make a second PDF.
    assert sweep() == 0
    assert OutboxMessage.objects.filter(task=render_agreement_pdf_task.name).count() == 1
    assert OutboxMessage.objects.filter(task=mail_signed_agreement.name).get().sent_at
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_two_sweepers_at_once_send_every_message_exactly_once(own_redis, transactional_db):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    names = [f"sweep-{n}" for n in range(60)]
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task=record_heartbeat.name, args=[name]) for name in names
    )
    start = threading.Barrier(2)
    sent = []

    def sweeper():
        try:
            start.wait(timeout=10)
            sent.append(sweep(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)

    assert sum(sent) == 60
    queued = redis.Redis.from_url(own_redis.url).lrange(celery_app.conf.task_default_queue, 0, -1)
    published = [json.loads(base64.b64decode(json.loads(raw)["body"]))[0][0] for raw in queued]
    assert sorted(published) == sorted(names)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_message_for_an_unknown_task_does_not_hold_up_the_others(own_redis, transactional_db):
    stale, good = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(task="app.tasks.removed_long_ago", args=[1]),
            OutboxMessage(task=record_heartbeat.name, args=["after-the-stale-one"]),
        ]
    )
    assert sweep() == 1
    stale.refresh_from_db()
    good.refresh_from_db()
    assert good.sent_at is not None
    assert stale.sent_at is None
    assert "No task named 'app.tasks.removed_long_ago'" in stale.last_error
    queue = celery_app.conf.task_default_queue
    assert redis.Redis.from_url(own_redis.url).llen(queue) == 1


# --- A PostgreSQL of our own -----------------------------------------------------------------


class PostgresCluster:
    """A throw-away cluster (initdb, trust authentication) on a free port on 127.0.0.1."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ka-pg-"))
        self.data = self.dir / "data"
        # PostgreSQL refuses to run as root: then it runs as the postgres user.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *command):
        subprocess.run([*self.as_owner, *map(str, command)], check=True, capture_output=True)

    def start(self):
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        self._pg_ctl("start")

    def _pg_ctl(self, action, *args):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self._run(
            PG_BIN / "pg_ctl", action, "-D", self.data, "-l", self.dir / "log", "-w",
            "-t", "60", "-o", options, *args,
        )  # fmt: skip

    def restart(self):
        self._pg_ctl("restart", "-m", "fast")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def create_database(self, name):
        subprocess.run(
            [
                "psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                f"CREATE DATABASE {name}",
            ],
            check=True,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture
def own_postgres():
    need((PG_BIN / "initdb").exists(), f"PostgreSQL server binaries ({PG_BIN})")
    need(shutil.which("psql"), "psql")
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


SEED = """
from tests.factories import AgreementFactory, AllianceFactory, MembershipFactory
alliance = AllianceFactory(slug="aalborg", name="Klimaalliancen Aalborg", municipality_code="0851")
for n in range(3):
    company = MembershipFactory(alliance=alliance, company__legal_name=f"Firma {n} ApS").company
    AgreementFactory(alliance=alliance, company=company)
"""

# Pages that read the database on every request (the API and /healthz are not cached).
TRAFFIC = ["/api/v1/alliances/", "/api/v1/partners/?alliance=aalborg", "/healthz"]


def test_a_postgresql_restart_under_traffic_fails_cleanly_and_recovers(own_postgres, tmp_path):
    env = production_env(
        own_postgres.create_database("klima"),
        static_root=tmp_path / "static",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage(env, "migrate", "--noinput", "-v0")
    run_python(env, SEED)
    log = []  # (started, finished, path, status, body)
    stop = threading.Event()

    def traffic(base):
        n = 0
        while not stop.is_set():
            path = TRAFFIC[n % len(TRAFFIC)]
            n += 1
            started = time.monotonic()
            try:
                status, body = http_get(base + path, timeout=15)
            except OSError as error:  # the server dropped the connection: not clean
                status, body = None, repr(error)
            log.append((started, time.monotonic(), path, status, body))

    with (
        open(tmp_path / "gunicorn.log", "w") as server_log,
        gunicorn(env, free_port(), ready_path="/healthz", log=server_log) as base,
    ):
        status, body = http_get(base + "/api/v1/partners/?alliance=aalborg")
        assert (status, json.loads(body)["count"]) == (200, 3)
        sender = threading.Thread(target=traffic, args=(base,))
        sender.start()
        try:
            time.sleep(2)
            restart_began = time.monotonic()
            own_postgres.restart()
            back = time.monotonic()
            time.sleep(5)
        finally:
            stop.set()
            sender.join(timeout=30)
        # A quiet restart: no request in flight, so no worker has seen an error and each
        # still holds its persistent connection, now dead. The next requests must not fail.
        warm = [http_get(base + path)[0] for path in TRAFFIC * 10]
        own_postgres.restart()
        after_quiet_restart = [http_get(base + path) for path in TRAFFIC * 10]

    before = [entry for entry in log if entry[1] < restart_began]
    during = [entry for entry in log if entry[0] < back and entry[1] >= restart_began]
    after = [entry for entry in log if entry[0] >= back]
    print(  # shown with `pytest -s`; docs/fault-tolerance.md quotes it
        f"restart took {back - restart_began:.2f} s; statuses before/during/after:",
        *(Counter(entry[3] for entry in phase) for phase in (before, during, after)),
    )
    assert before and {entry[3] for entry in before} == {200}
    assert during, "no request was in flight while PostgreSQL restarted"
    for _, _, path, status, body in during:
        assert status in (200, 500, 503), (path, status, body[:500])
        assert "Traceback" not in body
        if status == 500:  # templates/500.html
            assert "Something went wrong" in body, body[:500]
        if status == 503:  # /healthz says what is down
            assert json.loads(body)["database"] == "down"
    # Once PostgreSQL is back, every request succeeds: the workers' old connections are
    # noticed as broken and replaced (CONN_HEALTH_CHECKS) instead of failing a request.
    assert len(after) >= 10
    failures = [(path, status, body[:300]) for _, _, path, status, body in after if status != 200]
    assert not failures
    assert set(warm) == {200}
    assert [status for status, _ in after_quiet_restart] == [200] * len(after_quiet_restart), [
        body[:300] for status, body in after_quiet_restart if status != 200
    ]
