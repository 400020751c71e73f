"""Shared fixtures: the roles of the portal, real-service helpers and the browser set-up.

`REQUIRE_SERVICES=1` (set by CI) turns every "service or browser missing" skip into a
failure, so CI can never go green by skipping.
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.test import Client

from klimaalliance.celery import app as celery_app
from tests.celery_connections import forget_broker_connections

from .factories import (
    AllianceFactory,
    CompanyFactory,
    MembershipFactory,
    RepresentationFactory,
    StaffRoleFactory,
    TOTPDeviceFactory,
    UserFactory,
)

# Seal certificates and the sealed agreement (tests/seal_fixtures.py).
pytest_plugins = ["tests.seal_fixtures"]

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# there unless told this is fine (the tests are synchronous anyway).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct-horse-battery"


def need(condition, what):
    """Skip when a service is missing, or fail under REQUIRE_SERVICES=1."""
    if condition:
        return
    message = f"{what} is not available"
    if STRICT:
        pytest.fail(f"{message} (REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)


# --- Roles -------------------------------------------------------------------------------


@pytest.fixture
def alliance(db):
    return AllianceFactory(
        slug="aalborg",
        name="Klimaalliancen Aalborg",
        municipality="Aalborg Kommune",
        municipality_code="0851",
    )


@pytest.fixture
def other_alliance(db):
    return AllianceFactory(
        slug="aarhus",
        name="Klimaalliancen Aarhus",
        municipality="Aarhus Kommune",
        municipality_code="0751",
    )


@pytest.fixture
def company_a(alliance):
    return MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name="Alfa A/S")
    ).company


@pytest.fixture
def company_b(other_alliance):
    return MembershipFactory(
        alliance=other_alliance, company=CompanyFactory(legal_name="Beta ApS")
    ).company


@pytest.fixture
def staff_x(alliance):
    """Team leader of the Aalborg alliance."""
    return StaffRoleFactory(alliance=alliance, user=UserFactory(email="leder@aalborg.example")).user


@pytest.fixture
def staff_y(other_alliance):
    """Staff member of the Aarhus alliance."""
    return StaffRoleFactory(
        alliance=other_alliance, role="staff", user=UserFactory(email="staff@aarhus.example")
    ).user


@pytest.fixture
def rep_a(company_a):
    return RepresentationFactory(company=company_a, user=UserFactory(email="rep@alfa.example")).user


@pytest.fixture
def rep_b(company_b):
    return RepresentationFactory(company=company_b, user=UserFactory(email="rep@beta.example")).user


@pytest.fixture
def platform_admin(db):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=admin)  # administrators must use a second factor
    return admin


@pytest.fixture
def roles(rep_a, rep_b, staff_x, staff_y, platform_admin):
    """Every signed-in role, by name; `None` stands for the anonymous visitor."""
    return {
        "anonymous": None,
        "rep_a": rep_a,
        "rep_b": rep_b,
        "staff_x": staff_x,
        "staff_y": staff_y,
        "admin": platform_admin,
    }


@pytest.fixture(autouse=True)
def _danish_by_default():
    """Every test starts in Danish. A request to /en/ leaves English active in the test
    thread, which would otherwise make reverse() in the next test build /en/ URLs."""
    from django.utils import translation

    translation.activate("da")
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _page_cache_per_test_process():
    """Each xdist process has cache keys of its own: a write in one process's test bumps
    the data versions, which must not retire the pages another process's test looks at.
    Set before the live server's threads make their cache connections from the settings."""
    from django.conf import settings
    from django.core.cache import cache

    prefix = f"ka-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    cache.key_prefix = prefix


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Cached public and private pages must not leak from one test into the next.

    Bumping the public data version retires every cached page. (Not cache.clear(): with
    Redis that flushes the database the Celery broker shares, losing other tests' tasks.)
    """
    from klimaalliance import private_pages
    from klimaalliance.caching import bump_public_version

    private_pages._state.update(retry_at=0.0, missed_bump=False)  # a test's Redis outage
    bump_public_version()
    private_pages.bump_private_version()
    yield


# --- Sign-in: the second factor ------------------------------------------------------------


def totp_code(device):
    """The code the user's authenticator app shows now, as a 6-digit string.

    A code is accepted once (django-otp remembers the last time step used), so when this
    device has already used the current step, the next step's code is returned; the device
    accepts one step ahead to allow for clock drift."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(user)` means "this user has signed in". For a user with a confirmed
    authenticator app, signing in includes the second factor, so the session is marked as
    having passed it, exactly as `django_otp.login` does after a correct code. Tests of the
    second factor itself sign in through the login form instead (tests/core/
    test_sign_in_protection.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


def log_in_through_the_form(page, live_server, user, password=PASSWORD):
    """Sign in in the browser as a person would: e-mail and password, then, for a user with
    an authenticator app, the app's current code. Returns when a portal page has loaded."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is not None:
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
        page.locator("#id_token").fill(totp_code(device))
        page.locator("main form button[type=submit]").first.click()
        expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))


# --- Celery ------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _celery_test_queue():
    # Each xdist worker gets its own queue so one process's worker never runs another
    # process's task against the wrong test database.
    celery_app.conf.task_default_queue = f"ka-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture(autouse=True)
def _eager_celery_by_default():
    """Tasks run in-process unless a test asks for the real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def real_worker(transactional_db, settings):
    """A Celery worker in a thread, consuming from the real Redis broker."""
    need(os.environ.get("REDIS_URL"), "Redis (REDIS_URL)")
    from celery.contrib.testing import tasks as _ping_task  # noqa: F401 (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    forget_broker_connections()  # none that an earlier test in this process left broken
    with start_worker(
        celery_app, pool="solo", loglevel="WARNING", perform_ping_check=True, shutdown_timeout=20
    ):
        yield celery_app


# --- Browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def axe(page):
    """Run axe-core on the current page and return its violations.

    axe is evaluated through the DevTools protocol, not injected as a <script>, because the
    portal's Content Security Policy rightly blocks inline scripts. Any CSP violation the
    page reported in the console is returned as a violation too.
    """
    need(AXE_JS.exists(), "axe-core (npm ci)")
    source = AXE_JS.read_text()
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def run():
        page.evaluate(source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
            "'wcag21aa', 'best-practice']})"
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        violations += [{"id": "csp", "message": text} for text in csp_errors]
        csp_errors.clear()
        return violations

    return run


@pytest.fixture(autouse=True)
def _emission_factor_library(request):
    """The factor table the migration seeds: a transactional test (browser, live server,
    migrations) flushes the database afterwards, and with it the migration's rows."""
    if request.node.get_closest_marker("django_db") is None and not {
        "db",
        "transactional_db",
    } & set(request.fixturenames):
        return
    # Set the database up first (pytest-django picks transactional or not for this test).
    request.getfixturevalue(
        "transactional_db" if "transactional_db" in request.fixturenames else "db"
    )
    from emissions.seed import ensure_factor_library

    ensure_factor_library()
