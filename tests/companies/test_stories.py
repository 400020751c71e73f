"""Partner stories: a representative writes, staff approve, the public reads and subscribes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from companies.models import Story

pytestmark = pytest.mark.django_db


def image_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (10, 90, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("solceller.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_story_from_representative_to_public_page_and_feed(
    client, alliance, company_a, rep_a, staff_x
):
    client.force_login(rep_a)
    response = client.post(
        f"/my/companies/{company_a.pk}/stories/new/",
        {
            "alliance": alliance.pk,
            "title": "Solceller på taget",
            "text": "Vi har sat 400 paneler op.",
            "image": image_upload(),
            "image_alt": "Solpaneler på et fladt tag",
        },
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.status == "submitted"
    client.logout()
    assert "Solceller på taget" not in client.get("/aalborg/").content.decode()
    assert client.get(f"/aalborg/stories/{story.pk}/").status_code == 404

    client.force_login(staff_x)
    assert "Solceller på taget" in client.get("/aalborg/staff/companies/stories/").content.decode()
    client.post(f"/aalborg/staff/companies/stories/{story.pk}/review/", {"decision": "approve"})
    client.logout()

    front = client.get("/aalborg/").content.decode()
    assert "Solceller på taget" in front
    detail = client.get(f"/aalborg/stories/{story.pk}/").content.decode()
    assert 'alt="Solpaneler på et fladt tag"' in detail
    feed = client.get("/aalborg/stories/feed/")
    assert feed["Content-Type"].startswith("application/rss+xml")
    assert "Solceller på taget" in feed.content.decode()


def test_story_needs_image_text_and_a_real_image(client, alliance, company_a, rep_a):
    client.force_login(rep_a)
    url = f"/my/companies/{company_a.pk}/stories/new/"
    response = client.post(
        url,
        {
            "alliance": alliance.pk,
            "title": "T",
            "text": "x",
            "image": image_upload(),
            "image_alt": "",
        },
    )
    assert "Beskriv billedet" in response.content.decode()
    fake = SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.post(
        url, {"alliance": alliance.pk, "title": "T", "text": "x", "image": fake, "image_alt": "x"}
    )
    assert "ikke et PNG-, JPEG- eller WebP-billede" in response.content.decode()
    assert not Story.objects.exists()


def test_rejecting_needs_a_comment_which_the_company_sees(
    client, alliance, company_a, rep_a, staff_x
):
    story = Story.objects.create(alliance=alliance, company=company_a, title="Kladde", text="x")
    client.force_login(staff_x)
    client.post(f"/aalborg/staff/companies/stories/{story.pk}/review/", {"decision": "reject"})
    story.refresh_from_db()
    assert story.status == "submitted"
    client.post(
        f"/aalborg/staff/companies/stories/{story.pk}/review/",
        {"decision": "reject", "comment": "Tilføj tal, tak."},
    )
    story.refresh_from_db()
    assert story.status == "rejected"
    client.force_login(rep_a)
    assert "Tilføj tal, tak." in client.get(f"/my/companies/{company_a.pk}/").content.decode()


def test_story_permissions(client, roles, alliance, company_a):
    story = Story.objects.create(alliance=alliance, company=company_a, title="T", text="x")
    expected = {
        "anonymous": (302, 302),
        "rep_a": (403, 200),
        "rep_b": (403, 404),
        "staff_x": (302, 404),
        "staff_y": (403, 404),
        "admin": (302, 404),
    }
    for name, user in roles.items():
        client.logout()
        if user:
            client.force_login(user)
        review = client.post(
            f"/aalborg/staff/companies/stories/{story.pk}/review/",
            {"decision": "approve", "comment": ""},
        )
        write = client.get(f"/my/companies/{company_a.pk}/stories/new/")
        assert (review.status_code, write.status_code) == expected[name], name
