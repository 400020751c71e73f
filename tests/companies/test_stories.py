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
    client, alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
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
    with django_capture_on_commit_callbacks(execute=True):  # the public pages' version bump
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


# --- What each page reads --------------------------------------------------------------------


def stories(alliance, company, status, count, *, published=False):
    from django.utils import timezone

    return Story.objects.bulk_create(
        Story(
            alliance=alliance,
            company=company,
            title=f"{status} {n:02d}",
            text="x",
            status=status,
            published_at=timezone.now() - timezone.timedelta(days=n) if published else None,
        )
        for n in range(count)
    )


def test_the_review_page_reads_the_waiting_and_the_30_newest_reviewed_in_sql(
    client, alliance, company_a, other_alliance, company_b, staff_x, django_assert_num_queries
):
    stories(alliance, company_a, "submitted", 3)
    stories(alliance, company_a, "approved", 25, published=True)
    stories(alliance, company_a, "rejected", 15)
    stories(other_alliance, company_b, "submitted", 2)
    client.force_login(staff_x)
    url = "/aalborg/staff/companies/stories/"
    # session, user, second-factor device, staff roles (also for the menu), the task count
    # in the menu, waiting, reviewed
    with django_assert_num_queries(7) as queries:
        html = client.get(url).content.decode()
    reviewed_sql = queries.captured_queries[-1]["sql"]
    assert "LIMIT 30" in reviewed_sql
    assert [f"submitted {n:02d}" in html for n in range(3)] == [True] * 3
    assert html.count('name="decision" value="approve"') == 3  # not Aarhus's two
    # Newest first: unpublished (rejected) stories, then the newest 15 published ones.
    reviewed = html[html.index("<ul>", html.index('h2 class="h4 mt-4"')) :]
    assert reviewed.count("<li>") == 30
    assert "rejected 14" in reviewed and "approved 14" in reviewed
    assert "approved 15" not in reviewed


@pytest.mark.parametrize(
    ("url", "count"),
    [
        # alliance, 20 newest published stories with their companies
        ("/aalborg/stories/", 2),
        ("/aalborg/stories/feed/", 2),
    ],
)
def test_the_public_story_pages_read_the_newest_published_in_one_query(
    client, alliance, company_a, url, count, django_assert_num_queries
):
    stories(alliance, company_a, "approved", 25, published=True)
    stories(alliance, company_a, "submitted", 5)
    with django_assert_num_queries(count) as queries:
        html = client.get(url).content.decode()
    assert "LIMIT 20" in queries.captured_queries[-1]["sql"]
    assert "approved 19" in html and "approved 20" not in html
    assert "submitted" not in html
