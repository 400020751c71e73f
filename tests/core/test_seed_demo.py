import pytest
from django.core.management import call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from companies.models import Company, Membership
from klimaalliance.models import Alliance, StaffRole, User
from tests.conftest import totp_code


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_the_front_page_names_the_six_partners(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Alliance.objects.count(),
        Company.objects.count(),
        Membership.objects.count(),
        User.objects.count(),
        StaffRole.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        Alliance.objects.count(),
        Company.objects.count(),
        Membership.objects.count(),
        User.objects.count(),
        StaffRole.objects.count(),
    )
    html = client.get("/aalborg/").content.decode()
    for name in ["Rokkedahl", "BK Nord", "AKKC", "Klovsborg", "Fibertex", "Kunsten"]:
        assert name in html
    aalborg = Alliance.objects.get(slug="aalborg")
    assert aalborg.municipality_code == "0851"
    assert "−74 % i 2030 i forhold til 1990" in html


@pytest.mark.django_db
def test_demo_logins_work_for_every_role(client):
    # As `make run` seeds it: in development, where demo staff get the published demo secret.
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    # Everyone lands on their task list ("Mine opgaver"), which leads on to their work.
    for email, landing in [
        ("teamleder@aalborg.example", "/my/tasks/"),
        ("medarbejder@aarhus.example", "/my/tasks/"),
        ("kontakt@rokkedahl.example", "/my/tasks/"),
        ("admin@klimaalliance.example", "/my/tasks/"),
    ]:
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": email, "password": DEMO_PASSWORD}, follow=True
        )
        device = TOTPDevice.objects.devices_for_user(User.objects.get(email=email)).first()
        if device is not None:  # staff and the administrator: the code from the demo app
            assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/"), email
            response = client.post(
                response.redirect_chain[-1][0], {"token": totp_code(device)}, follow=True
            )
        assert response.redirect_chain[-1][0] == landing, email
