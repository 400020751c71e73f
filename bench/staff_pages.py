"""Load run of the staff pages, signed in with the second factor, with 10,000 member
companies in one alliance, next to /robots.txt.

    .venv/bin/python bench/staff_pages.py            (BENCH_MEMBERS=50000 for a larger run)

Needs PostgreSQL and Redis on 127.0.0.1 and `wrk`. It creates the database ka_bench_staff
(Redis db BENCH_REDIS_DB, default 7), fills it with the members and a staff member with an
authenticator app, starts gunicorn (production settings, 2 sync workers) on 127.0.0.1:8798,
signs in through the real forms (password, then the app's current code) and runs wrk (2
threads, 32 connections, 10 s) with that session's cookies against /robots.txt, the member
list, its search, the staff dashboard and "My tasks" (where staff land after signing in). It
prints requests/s, the ratio to /robots.txt, p99, the load average (the machine is shared)
and each page's queries, counted in-process: rendered, and seen again with nothing changed
(the session's copy, klimaalliance/private_pages.py). wrk asks for the same page over and
over, so it measures the copy; the first rendering is the in-process line. Everything
runs on this machine.
"""

import hashlib
import hmac
import http.client
import os
import re
import secrets
import struct
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (
    gunicorn,
    manage,
    production_env,
    recreate_database,
    run_python,
    wrk,
)

DB = "ka_bench_staff"
PORT = 8797  # not bench/load.py's 8798, so the two can run side by side
MEMBERS = int(os.environ.get("BENCH_MEMBERS", 10_000))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", 7))
EMAIL = "staff@aalborg.example"
PASSWORD = secrets.token_urlsafe(16)
TOTP_KEY = secrets.token_hex(20)

PAGES = [
    ("robots.txt", "/robots.txt"),
    ("member list", "/aalborg/staff/companies/"),
    ("member search", "/aalborg/staff/companies/?q=firma+01&status=active"),
    ("member page 200", "/aalborg/staff/companies/?page=200"),
    ("staff dashboard", "/aalborg/staff/"),
    ("my tasks (start)", "/my/tasks/"),
]

FILL = f"""
import datetime, itertools
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from companies.models import Company, Dialogue, Membership, MembershipLevel, Story
from klimaalliance.models import Alliance, StaffRole
from partnerships.models import Agreement, AgreementTemplate

alliance = Alliance.objects.create(slug="aalborg", name="Klimaalliancen Aalborg",
                                   municipality="Aalborg Kommune", municipality_code="0851")
levels = [MembershipLevel.objects.create(alliance=alliance, name=f"Niveau {{n}}", rank=n)
          for n in (1, 2, 3)]
template = AgreementTemplate.objects.create(alliance=alliance, version=1, title="Aftale")
weights = (2, 7, 6, 5, 4, 3, 2, 1)
def cvrs():
    for n in itertools.count(30000000 // 10):
        prefix = str(n)
        check = -sum(int(d) * w for d, w in zip(prefix, weights)) % 11
        if check < 10:
            yield prefix + str(check)
codes = cvrs()
companies = Company.objects.bulk_create(
    Company(cvr=next(codes), legal_name=f"Firma {{n:05d}} ApS", industry="ACFGHJMR"[n % 8],
            city="Aalborg", search_text=f"firma {{n:05d}} aps aalborg")
    for n in range({MEMBERS})
)
statuses = ["active"] * 6 + ["prospect", "invited", "paused", "left"]
Membership.objects.bulk_create(
    Membership(alliance=alliance, company=c, status=statuses[n % 10], level=levels[n % 3],
               joined_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700))
    for n, c in enumerate(companies)
)
# The active members have an active agreement; a few wait for a signature (tasks).
Agreement.objects.bulk_create(
    Agreement(alliance=alliance, company=c, template=template,
              status="active" if n % 200 > 1 else ["sent", "signed"][n % 200],
              start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2028, 1, 1))
    for n, c in enumerate(companies) if n % 10 < 6
)
staff = get_user_model().objects.create_user({EMAIL!r}, {PASSWORD!r})
StaffRole.objects.create(user=staff, alliance=alliance, may_countersign=True)
TOTPDevice.objects.create(user=staff, name="App", key={TOTP_KEY!r}, confirmed=True)
today = datetime.date.today()
# A dialogue log per member, a few with a follow-up due (the dashboard and "My tasks").
Dialogue.objects.bulk_create(
    Dialogue(alliance=alliance, company=c, date=today, kind="meeting", summary="Møde",
             follow_up_on=today + datetime.timedelta(days=n % 400 - 20) if n % 10 == 0 else None,
             follow_up_done=n % 400 < 10, author=staff)
    for n, c in enumerate(companies)
)
Story.objects.bulk_create(
    Story(alliance=alliance, company=c, title="Historie", text="Tekst", status="submitted")
    for c in companies[:20]
)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
"""

QUERIES = f"""
import time
import django_otp
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from klimaalliance.two_factor import OWED_SESSION_KEY, VERIFY

user = get_user_model().objects.get(email={EMAIL!r})
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
session = client.session
session[django_otp.DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
session[OWED_SESSION_KEY] = VERIFY
session.save()
for _name, url in {PAGES!r}:
    timings, counts = [], []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(url).status_code
        timings.append((time.perf_counter() - started) * 1000)
        counts.append(len(ctx.captured_queries))
    print(f"{{url}}: {{counts[0]}} queries rendered ({{timings[0]:.0f}} ms), {{counts[-1]}} "
          f"seen again (median {{sorted(timings[1:])[2]:.1f}} ms) (HTTP {{status}})")
"""


def prepare_database():
    env = production_env(recreate_database(DB), redis_url=f"redis://127.0.0.1:6379/{REDIS_DB}")
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    subprocess.run(
        ["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, stdout=subprocess.DEVNULL
    )
    run_python(env, FILL)
    return env


def totp(key_hex, at=None):
    """The authenticator app's current code (RFC 6238: SHA-1, 30 s, 6 digits)."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Browser:
    """Just enough of a browser to sign in over plain HTTP: keeps cookies (also the ones
    marked Secure, which a real browser would only send over HTTPS) and follows nothing."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.getheader("Location"), text

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items() if value)

    def csrf_token(self, path):
        status, _, text = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


def sign_in(port):
    """Password, then the app's code, through the portal's own forms; the cookie header."""
    browser = Browser(port)
    token = browser.csrf_token("/accounts/login/")
    status, location, _ = browser.request(
        "POST",
        "/accounts/login/",
        {"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert status == 302, f"sign-in answered {status}"
    token = browser.csrf_token("/accounts/two-factor/")
    status, location, _ = browser.request(
        "POST", "/accounts/two-factor/", {"token": totp(TOTP_KEY), "csrfmiddlewaretoken": token}
    )
    assert status == 302 and "two-factor" not in location, "the code was refused"
    status, _, _ = browser.request("GET", "/aalborg/staff/companies/")
    assert status == 200, f"the member list answered {status} after signing in"
    return browser.cookie_header()


def report(name, result, floor=None):
    load = os.getloadavg()[0]
    ratio = f"{result['rps'] / floor:5.2f}x" if floor else "      "
    print(
        f"{name:18} {result['rps']:8.0f} req/s  {ratio}  p50 {result['p50']:>8}  "
        f"p99 {result['p99']:>8}  non-2xx {result['non_2xx']}  "
        f"socket errors {result['socket_errors']}  load {load:.2f}",
        flush=True,
    )


def main():
    print(f"{MEMBERS} members; machine load average at start {os.getloadavg()[0]:.2f}")
    env = prepare_database()
    run_python(env, QUERIES)
    with gunicorn(env, PORT) as base:
        cookie = sign_in(PORT)
        results = {}
        for name, path in PAGES:
            results[name] = wrk(base + path, headers=[f"Cookie: {cookie}"])
            report(name, results[name], results["robots.txt"]["rps"])
            if results[name]["non_2xx"]:
                print(f"  {name}: {results[name]['non_2xx']} answers were not 2xx/3xx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
