"""Sign-in protection: locked-out sign-ins (django-axes) and their unlocking, the second
factor (TOTP, django-otp) for staff, administrators and willing representatives, session
expiry and the password rules.

These tests sign in through the login form, as a person does; `client.force_login` (which
marks the second factor as passed, see tests/conftest.py) is used only for the people who
look at a page, never for the person whose sign-in is being tested.
"""

import json
import re
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from klimaalliance import two_factor
from tests.conftest import PASSWORD, ROOT, totp_code
from tests.core.test_settings import clean_env
from tests.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
ELSEWHERE = "203.0.113.9"  # another network address than the test client's 127.0.0.1


def log_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def fail(client, email, times, **extra):
    return [log_in(client, email, "wrong-password", **extra) for _ in range(times)]


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def skip_the_wait(device):
    """A wrong code makes the next try wait a second (django-otp's throttle); tests that
    go on with the right code at once clear that wait, and nothing else."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


# --- Locked-out sign-ins -------------------------------------------------------------------


def test_five_wrong_passwords_pause_the_account_from_that_address_with_a_429_page(client, rep_a):
    responses = fail(client, "rep@alfa.example", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    # During the pause even the right password is refused, with a page that says why.
    response = log_in(client, "rep@alfa.example")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Log-in er sat på pause" in html
    assert "5 mislykkede forsøg på at logge ind som rep@alfa.example" in html
    assert "30 minutter" in html
    assert signed_in_as(client) is None


def test_the_lockout_page_speaks_english_under_en(client, rep_a):
    fail(client, "rep@alfa.example", 5)
    response = client.post("/en" + LOGIN, {"username": "rep@alfa.example", "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()


def test_the_pause_is_per_account_and_address(client, rep_a, rep_b):
    fail(client, "rep@alfa.example", 5)
    # The same account from another address: the real person is not locked out by others.
    assert log_in(client, "rep@alfa.example", REMOTE_ADDR=ELSEWHERE).status_code == 302
    assert signed_in_as(client) == str(rep_a.pk)
    client.logout()
    # Another account from the same address (a shared office network) is not paused.
    assert log_in(client, "rep@beta.example").status_code == 302
    assert signed_in_as(client) == str(rep_b.pk)


def test_case_and_spaces_in_the_address_do_not_give_fresh_tries(client, rep_a):
    for variant in [
        "rep@alfa.example",
        "REP@alfa.example",
        " Rep@Alfa.example ",
        "rep@ALFA.EXAMPLE",
    ]:
        fail(client, variant, 1)
    assert fail(client, "rep@alfa.example", 1)[0].status_code == 429


def test_a_right_password_before_the_limit_starts_the_count_again(client, rep_a):
    fail(client, "rep@alfa.example", 4)
    assert log_in(client, "rep@alfa.example").status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, "rep@alfa.example", 4)] == [200] * 4


def test_the_pause_ends_after_thirty_minutes(client, rep_a):
    fail(client, "rep@alfa.example", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert log_in(client, "rep@alfa.example").status_code == 302


def test_no_password_is_stored_with_the_failed_attempts(client, rep_a):
    fail(client, "rep@alfa.example", 1)
    attempt = AccessAttempt.objects.get()
    assert "wrong-password" not in attempt.post_data
    assert attempt.username == "rep@alfa.example"


def test_alliance_staff_see_and_unlock_their_members_accounts(client, staff_x, rep_a, rep_b):
    fail(client, "rep@alfa.example", 5)
    fail(client, "rep@beta.example", 5)  # a member of the other alliance only

    staff = Client()
    staff.force_login(staff_x)
    dashboard = staff.get("/aalborg/staff/").content.decode()
    assert 'href="/aalborg/staff/sign-in-lockouts/"' in dashboard
    page = staff.get("/aalborg/staff/sign-in-lockouts/").content.decode()
    assert "rep@alfa.example" in page
    assert "rep@beta.example" not in page
    # Aalborg's staff cannot unlock Aarhus's member, nor anybody by a made-up address.
    unlock = "/aalborg/staff/sign-in-lockouts/unlock/"
    assert staff.post(unlock, {"email": "rep@beta.example"}).status_code == 404
    assert staff.post(unlock, {"email": "not-an-address"}).status_code == 404

    response = staff.post(unlock, {"email": "rep@alfa.example"}, follow=True)
    html = response.content.decode()
    assert "rep@alfa.example kan logge ind igen." in html
    assert "Ingen konto i jeres alliance er låst lige nu." in html

    assert log_in(client, "rep@alfa.example").status_code == 302
    assert signed_in_as(client) == str(rep_a.pk)


def test_staff_of_another_alliance_cannot_open_or_use_the_unlock_page(client, staff_y, rep_a):
    fail(client, "rep@alfa.example", 5)
    client.force_login(staff_y)
    assert client.get("/aalborg/staff/sign-in-lockouts/").status_code == 403
    unlock = "/aalborg/staff/sign-in-lockouts/unlock/"
    assert client.post(unlock, {"email": "rep@alfa.example"}).status_code == 403
    assert AccessAttempt.objects.filter(username="rep@alfa.example").exists()


def test_the_platform_administrator_unlocks_in_the_admin(client, platform_admin, rep_a):
    fail(client, "rep@alfa.example", 5)
    attempt = AccessAttempt.objects.get(username="rep@alfa.example")
    admin_client = Client()
    admin_client.force_login(platform_admin)
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert "rep@alfa.example" in listing.content.decode()
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert log_in(client, "rep@alfa.example").status_code == 302


# --- The second factor: staff must ---------------------------------------------------------


def test_staff_without_an_app_are_sent_to_set_it_up_before_anything_else(client, alliance):
    newcomer = StaffRoleFactory(
        alliance=alliance, user=UserFactory(email="ny@aalborg.example"), second_factor=False
    ).user
    response = log_in(client, "ny@aalborg.example")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP + "?next=")
    for page in ["/aalborg/staff/", "/aalborg/staff/companies/", "/accounts/me/", "/admin/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(SETUP), page

    setup = client.get(SETUP + "?next=/aalborg/staff/companies/")
    html = setup.content.decode()
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    assert two_factor.secret_text(device) in html  # for typing in by hand
    assert '<svg class="qr-code"' in html and "<path" in html
    assert 'role="img"' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg and "<script" not in svg  # nothing the CSP would block
    assert "'unsafe-inline'" not in setup["Content-Security-Policy"]

    wrong = client.post(SETUP, {"token": "000000", "next": "/aalborg/staff/companies/"})
    assert "Koden er ikke rigtig" in wrong.content.decode()
    assert client.get("/aalborg/staff/").status_code == 302
    skip_the_wait(device)

    response = client.post(SETUP, {"token": totp_code(device), "next": "/aalborg/staff/companies/"})
    assert response["Location"] == "/aalborg/staff/companies/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/aalborg/staff/").status_code == 200


def test_staff_with_an_app_enter_its_code_before_any_staff_page(client, staff_x):
    response = log_in(client, staff_x.email)
    assert signed_in_as(client) == str(staff_x.pk)  # the password was right ...
    response = client.get("/aalborg/staff/companies/")  # ... but that is not enough
    assert response.status_code == 302
    assert response["Location"] == VERIFY + "?next=%2Faalborg%2Fstaff%2Fcompanies%2F"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert re.search(r"<label\s+for=\"id_token\"", html)
    assert "Indtast din kode" in html

    device = staff_x.totpdevice_set.get()
    response = client.post(
        VERIFY, {"token": totp_code(device), "next": "/aalborg/staff/companies/"}
    )
    assert response["Location"] == "/aalborg/staff/companies/"
    assert client.get("/aalborg/staff/companies/").status_code == 200


def test_a_code_typed_with_a_space_is_accepted(client, staff_x):
    log_in(client, staff_x.email)
    code = totp_code(staff_x.totpdevice_set.get())
    client.post(VERIFY, {"token": f"{code[:3]} {code[3:]}"})
    assert client.get("/aalborg/staff/").status_code == 200


def test_a_wrong_code_is_refused_and_counted(client, staff_x):
    log_in(client, staff_x.email)
    device = staff_x.totpdevice_set.get()
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"token": wrong})
    assert response.status_code == 200
    assert "Koden er ikke rigtig" in response.content.decode()
    assert client.get("/aalborg/staff/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    response = client.post(VERIFY, {"token": "12ab56"})
    assert "Indtast de 6 cifre i koden." in response.content.decode()


def test_after_many_wrong_codes_even_the_right_one_waits(client, staff_x):
    log_in(client, staff_x.email)
    device = staff_x.totpdevice_set.get()
    # Ten wrong codes in a row: the next try must wait 2^9 = 512 seconds.
    device.throttling_failure_count = 10
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    response = client.post(VERIFY, {"token": totp_code(device)})
    html = response.content.decode()
    assert "For mange forkerte koder" in html
    assert "sekunder" in html
    assert client.get("/aalborg/staff/").status_code == 302


def test_a_code_cannot_be_used_twice(client, staff_x):
    device = staff_x.totpdevice_set.get()
    log_in(client, staff_x.email)
    code = totp_code(device)
    client.post(VERIFY, {"token": code})
    client.post("/accounts/logout/")
    log_in(client, staff_x.email)
    skip_the_wait(device)
    response = client.post(VERIFY, {"token": code})
    assert "Koden er ikke rigtig" in response.content.decode()


def test_staff_cannot_turn_the_second_factor_off(client, staff_x):
    client.force_login(staff_x)
    assert client.get("/accounts/two-factor/off/").status_code == 403
    assert "Slå totrinslogin fra" not in client.get("/accounts/me/").content.decode()


def test_cancelling_on_the_code_page_logs_out(client, staff_x):
    log_in(client, staff_x.email)
    assert client.get(VERIFY).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert signed_in_as(client) is None


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_asks_administrators_for_their_code(client, platform_admin):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@example.org", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.get("/admin/klimaalliance/user/").status_code == 302

    client.post(VERIFY, {"token": totp_code(platform_admin.totpdevice_set.get())})
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_itself_refuses_an_administrator_without_the_second_factor(
    rf, platform_admin
):
    """The second lock: the admin refuses even if SecondFactorMiddleware were bypassed."""
    request = rf.get("/admin/")
    request.user = platform_admin  # no OTPMiddleware: nothing says the code was entered
    assert not admin.site.has_permission(request)
    platform_admin.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_the_admin_removes_a_lost_app_but_never_sees_its_secret(client, platform_admin, staff_x):
    device = staff_x.totpdevice_set.get()
    client.force_login(platform_admin)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=staff_x).exists()
    # With the old app gone, the staff member sets up a new one at the next sign-in.
    staff = Client()
    log_in(staff, staff_x.email)
    assert staff.get("/aalborg/staff/")["Location"].startswith(SETUP)


def test_platform_pages_also_ask_for_the_code(client, platform_admin):
    log_in(client, platform_admin.email)
    response = client.get("/ops/workers/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


# --- The second factor: representatives may ----------------------------------------------


def test_representatives_sign_in_without_a_code_unless_they_turn_it_on(client, rep_a, company_a):
    response = log_in(client, "rep@alfa.example")
    landing = client.get(response["Location"])
    assert landing["Location"] == "/my/tasks/"
    assert client.get(landing["Location"]).status_code == 200

    account = client.get("/accounts/me/").content.decode()
    assert "Totrinslogin" in account
    assert 'href="/accounts/two-factor/setup/?next=/accounts/me/"' in account

    client.get(SETUP)
    device = TOTPDevice.objects.get(user=rep_a)
    response = client.post(SETUP, {"token": totp_code(device), "next": "/accounts/me/"})
    assert response["Location"] == "/accounts/me/"
    account = client.get("/accounts/me/").content.decode()
    assert "Totrinslogin er slået til" in account
    assert 'href="/accounts/two-factor/off/"' in account

    # From now on the representative is asked for the code too.
    client.post("/accounts/logout/")
    log_in(client, "rep@alfa.example")
    response = client.get(f"/my/companies/{company_a.pk}/")
    assert response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": totp_code(device)})
    assert client.get(f"/my/companies/{company_a.pk}/").status_code == 200


def test_a_staff_role_granted_after_sign_in_demands_the_second_factor_at_once(
    client, rep_a, alliance
):
    log_in(client, "rep@alfa.example")
    assert client.get("/accounts/me/").status_code == 200
    StaffRoleFactory(alliance=alliance, user=rep_a, second_factor=False)
    response = client.get("/aalborg/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_a_representative_turns_it_off_with_a_current_code(client, rep_a):
    device = TOTPDevice.objects.create(user=rep_a, name="App", confirmed=True)
    log_in(client, "rep@alfa.example")
    client.post(VERIFY, {"token": totp_code(device)})
    skip_the_wait(device)
    response = client.post("/accounts/two-factor/off/", {"token": "000000"})
    assert "Koden er ikke rigtig" in response.content.decode()
    assert TOTPDevice.objects.filter(user=rep_a).exists()
    skip_the_wait(device)
    response = client.post("/accounts/two-factor/off/", {"token": totp_code(device)})
    assert response["Location"] == "/accounts/me/"
    assert not TOTPDevice.objects.filter(user=rep_a).exists()
    client.post("/accounts/logout/")
    log_in(client, "rep@alfa.example")
    assert client.get("/accounts/me/").status_code == 200


def test_the_code_page_does_not_send_people_to_other_sites(client, staff_x):
    log_in(client, staff_x.email)
    device = staff_x.totpdevice_set.get()
    response = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/after-login/"


# --- Sessions and passwords ---------------------------------------------------------------


def test_a_sign_in_ends_with_the_browser_and_after_eight_hours_at_most(client, rep_a):
    response = log_in(client, "rep@alfa.example")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() == 8 * 60 * 60


@pytest.mark.parametrize(
    "password, message",
    [
        ("password1234", "Denne adgangskode er for almindelig."),
        ("4839201746583", "Denne adgangskode er udelukkende numerisk."),
        ("rep@alfa.example", "minder for meget om"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(client, rep_a, password, message):
    client.force_login(rep_a)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    rep_a.refresh_from_db()
    assert rep_a.check_password(PASSWORD)


def test_an_invitation_cannot_be_accepted_with_a_common_password(
    client, company_a, alliance, staff_x, django_capture_on_commit_callbacks
):
    from django.core import mail

    from companies import invitations
    from companies.models import ContactPerson
    from klimaalliance.models import User

    contact = ContactPerson.objects.create(
        company=company_a, name="Ida Jensen", email="ida@alfa.example", may_sign=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_send(alliance=alliance, contact=contact, by=staff_x)
    link = re.search(r"http://testserver(/invitation/\S+/)", mail.outbox[-1].body).group(1)
    response = client.post(link, {"new_password1": "qwertyuiop", "new_password2": "qwertyuiop"})
    assert response.status_code == 200
    assert "Denne adgangskode er for almindelig." in response.content.decode()
    assert not User.objects.filter(email="ida@alfa.example").exists()


# --- Settings and the demo -----------------------------------------------------------------


def test_production_settings_carry_the_sign_in_protection():
    """`check --deploy` is clean for production (tests/core/test_settings.py); here the
    pieces it checks for axes and django-otp are shown to be part of that configuration."""
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS, 'middleware': s.MIDDLEWARE, "
        "'apps': s.INSTALLED_APPS, 'browser_close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "'secure_cookie': s.SESSION_COOKIE_SECURE, 'limit': s.AXES_FAILURE_LIMIT}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=clean_env(
            DJANGO_SETTINGS_MODULE="klimaalliance.settings.production",
            SECRET_KEY="Kx9!" + "q7Zr-w2Lm#p4Vt8&sN3yB6uH1jD5gF0cE" * 2,
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["backends"][0] == "axes.backends.AxesStandaloneBackend"
    middleware = found["middleware"]
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware.index("django_otp.middleware.OTPMiddleware") == auth + 1
    assert middleware.index("klimaalliance.two_factor.SecondFactorMiddleware") == auth + 2
    assert {"axes", "django_otp", "django_otp.plugins.otp_totp"} <= set(found["apps"])
    assert found["browser_close"] and found["secure_cookie"] and found["limit"] == 5


def test_the_demo_gives_staff_an_app_secret_only_in_development(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not TOTPDevice.objects.exists()  # DEBUG off: staff set up their own app

    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    devices = TOTPDevice.objects.filter(confirmed=True)
    assert sorted(devices.values_list("user__email", flat=True)) == [
        "admin@klimaalliance.example",
        "medarbejder@aarhus.example",
        "teamleder@aalborg.example",
    ]
    assert {device.key for device in devices} == {two_factor.DEMO_TOTP_KEY}
    log_in(client, "teamleder@aalborg.example", DEMO_PASSWORD)
    client.post(VERIFY, {"token": totp_code(devices.get(user__email="teamleder@aalborg.example"))})
    assert client.get("/aalborg/staff/").status_code == 200


def test_the_demo_secret_is_never_handed_out_without_debug(staff_x):
    with pytest.raises(RuntimeError):
        two_factor.demo_device(user=staff_x)


def test_the_second_factor_pages_are_translated(client, staff_x):
    log_in(client, staff_x.email)
    with translation.override("en"):
        html = client.get("/en" + VERIFY).content.decode()
    assert "Enter your code" in html


# --- Look-alike addresses ------------------------------------------------------------------

# PostgreSQL matches "ı" (dotless) and "İ" (dotted capital) to "i" without regard to case;
# each variant must neither open the ASCII account nor get five fresh tries of its own.
ASCII_ADMIN = "admin@alfa.example"
LOOK_ALIKES = [
    "admın@alfa.example",  # dotless i
    "ADMİN@alfa.example",  # dotted capital I
    "admİn@alfa.example",
    "adMın@alfa.example",
]


def test_failures_with_dotless_or_dotted_i_count_against_the_ascii_account(client):
    UserFactory(email=ASCII_ADMIN)
    variants = [ASCII_ADMIN, *LOOK_ALIKES]
    assert [fail(client, variant, 1)[0].status_code for variant in variants] == [200] * 4 + [429]
    for variant in [*variants, "ADMIN@alfa.example"]:
        assert log_in(client, variant).status_code == 429, variant
    assert signed_in_as(client) is None
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [ASCII_ADMIN]


@pytest.mark.parametrize("variant", LOOK_ALIKES)
def test_the_right_password_with_a_dotless_or_dotted_i_does_not_sign_in(client, variant):
    UserFactory(email=ASCII_ADMIN)
    response = log_in(client, variant)
    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert log_in(client, "Admin@Alfa.example ").status_code == 302


def test_staff_see_and_unlock_a_look_alike_lockout_as_the_ascii_address(client, staff_x, company_a):
    from tests.factories import RepresentationFactory

    RepresentationFactory(company=company_a, user=UserFactory(email="kim@alfa.example"))
    for variant in ["kım@alfa.example", "KİM@alfa.example", "kim@alfa.example"] * 2:
        fail(client, variant, 1)
    assert log_in(client, "kim@alfa.example").status_code == 429

    staff = Client()
    staff.force_login(staff_x)
    assert "kim@alfa.example" in staff.get("/aalborg/staff/sign-in-lockouts/").content.decode()
    staff.post("/aalborg/staff/sign-in-lockouts/unlock/", {"email": "kim@alfa.example"})
    assert not AccessAttempt.objects.exists()
    assert log_in(client, "kim@alfa.example").status_code == 302
