import pytest
from django.core.management import call_command

from companies.models import Company, Membership
from klimaalliance.models import Alliance, StaffRole, User


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
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from klimaalliance.management.commands.seed_demo import DEMO_PASSWORD

    rokkedahl = Company.objects.get(display_name="Rokkedahl")
    for email, landing in [
        ("teamleder@aalborg.example", "/aalborg/staff/"),
        ("medarbejder@aarhus.example", "/aarhus/staff/"),
        ("kontakt@rokkedahl.example", f"/my/companies/{rokkedahl.pk}/"),
        ("admin@klimaalliance.example", "/admin/"),
    ]:
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": email, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == landing, email
