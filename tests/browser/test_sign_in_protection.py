"""Sign-in protection in Chromium: a new staff member sets up the authenticator app from the
QR page (inline SVG under the Content Security Policy, the key typed from the page), and a
locked-out sign-in shows its page. axe checks every page, and the `axe` fixture also
reports any Content Security Policy violation the browser logged.
"""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import StaffRoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret_text):
    """What an authenticator app shows for the key as the page prints it."""
    totp = TOTP(b32decode(secret_text.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_new_staff_set_up_the_app_from_the_printed_key(live_server, page, axe, alliance):
    StaffRoleFactory(
        alliance=alliance, user=UserFactory(email="ny@aalborg.example"), second_factor=False
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadresse").fill("ny@aalborg.example")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Opsæt totrinslogin")
    qr = page.get_by_role("img", name="QR-kode til din godkendelsesapp")
    expect(qr).to_be_visible()
    box = qr.locator("svg").bounding_box()
    assert box is not None and box["width"] >= 150  # big enough to scan
    assert axe() == []  # includes: no CSP violation from the inline SVG

    # The key as printed on the page works in an app, typed in by hand.
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("6-cifret kode").focus()
    page.keyboard.type(code_for(secret))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/my/tasks/$"))  # everyone's start page
    expect(page.get_by_role("status")).to_contain_text("Totrinslogin er slået til")
    assert axe() == []


def test_a_locked_out_sign_in_explains_itself(live_server, page, axe, rep_a):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill("rep@alfa.example")
        page.locator("#id_password").fill("not-the-password")
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log-in er sat på pause")
    expect(page.locator("main")).to_contain_text("30 minutter")
    assert axe() == []
