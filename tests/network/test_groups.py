"""Working groups: staff manage them, representatives see theirs, the public sees results."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from network import group_services as services
from network.models import (
    ChairTerm,
    CommitmentPaper,
    CommitmentSignature,
    GroupDocument,
    GroupMember,
    Meeting,
    WorkingGroup,
)
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF = "/en/aalborg/staff/groups/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = datetime.date(2025, 3, 1)


def member_of(alliance, name, **kwargs):
    return MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name=name), **kwargs
    ).company


def make_group(alliance, name="Grøn mobilitet", chair=None, members=(), **fields):
    group = WorkingGroup.objects.create(
        alliance=alliance, name=name, theme="mobility", status="active", **fields
    )
    for company in members:
        services.member_add(group=group, company=company, on=DAY)
    if chair is not None:
        services.chair_set(group=group, company=chair, on=DAY)
    return group


def pdf_upload(content=PDF, name="guide.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def leader(client, staff_x):
    client.force_login(staff_x)
    return client


@pytest.fixture
def group(alliance, company_a):
    other = member_of(alliance, "Gamma A/S")
    return make_group(alliance, chair=company_a, members=[company_a, other])


# --- Staff: creating groups, chair and members --------------------------------------------


def test_staff_create_a_group_with_a_chair_and_three_members(leader, alliance, company_a):
    others = [member_of(alliance, f"Medlem {n} ApS") for n in range(2)]
    response = leader.post(
        f"{STAFF}new/",
        {
            "name": "Cirkulære indkøb",
            "theme": "procurement",
            "description": "Vi køber cirkulært.",
            "description_en": "We buy circular.",
            "status": "starting",
            "chair_mode": "rotating",
            "chair_company": company_a.pk,
        },
    )
    group = WorkingGroup.objects.get(name="Cirkulære indkøb")
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF}{group.pk}/"
    assert (group.alliance, group.chair_mode) == (alliance, "rotating")
    assert ChairTerm.objects.get(group=group, ended_on__isnull=True).company == company_a
    for company in others:
        response = leader.post(
            f"{STAFF}{group.pk}/members/", {"company": company.pk, "on": "2025-03-01"}
        )
        assert response.status_code == 302
    assert group.members.filter(left_on__isnull=True).count() == 3
    page = leader.get(f"{STAFF}{group.pk}/").content.decode()
    for company in [company_a, *others]:
        assert company.name in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids on the group page"
    listing = leader.get(STAFF).content.decode()
    assert "Cirkulære indkøb" in listing and company_a.name in listing


def test_a_group_name_is_unique_within_the_alliance(leader, alliance, group):
    response = leader.post(
        f"{STAFF}new/",
        {"name": group.name, "theme": "mobility", "status": "active", "chair_mode": "fixed"},
    )
    assert response.status_code == 200
    assert "already has a group with this name" in response.content.decode()
    assert WorkingGroup.objects.count() == 1


def test_staff_edit_a_group(leader, group):
    response = leader.post(
        f"{STAFF}{group.pk}/edit/",
        {"name": group.name, "theme": "energy", "status": "closed", "chair_mode": "fixed"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.theme, group.status) == ("energy", "closed")


def test_changing_the_chair_keeps_the_history(leader, alliance, group, company_a):
    newcomer = member_of(alliance, "Ny Formand A/S")
    response = leader.post(
        f"{STAFF}{group.pk}/chair/", {"company": newcomer.pk, "on": "2025-09-01"}
    )
    assert response.status_code == 302
    terms = list(group.chair_terms.order_by("started_on"))
    assert [(t.company, t.started_on, t.ended_on) for t in terms] == [
        (company_a, DAY, datetime.date(2025, 9, 1)),
        (newcomer, datetime.date(2025, 9, 1), None),
    ]
    # The new chair was not a member yet: it is added automatically.
    assert group.members.get(company=newcomer).left_on is None
    page = leader.get(f"{STAFF}{group.pk}/").content.decode()
    assert company_a.name in page and newcomer.name in page


def test_a_chair_cannot_start_before_the_current_one_nor_be_chair_twice(group, company_a):
    with translation.override("en"), pytest.raises(ValidationError, match="already chairs"):
        services.chair_set(group=group, company=company_a, on=DAY)
    other = group.members.exclude(company=company_a).get().company
    with translation.override("en"), pytest.raises(ValidationError, match="cannot start before"):
        services.chair_set(group=group, company=other, on=DAY - datetime.timedelta(days=1))
    assert group.chair_terms.count() == 1


def test_a_company_that_is_not_a_member_of_the_alliance_cannot_be_added(
    leader, group, company_b, alliance
):
    response = leader.post(f"{STAFF}{group.pk}/members/", {"company": company_b.pk})
    assert response.status_code == 200
    assert "not added" in " ".join(texts(response))
    assert not group.members.filter(company=company_b).exists()
    prospect = member_of(alliance, "Emne ApS", status="prospect")
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="is not a member of Klimaalliancen Aalborg"),
    ):
        services.member_add(group=group, company=prospect, on=DAY)
    with translation.override("en"), pytest.raises(ValidationError, match="is not a member"):
        services.chair_set(group=group, company=company_b, on=DAY)
    assert not group.members.filter(company__in=[company_b, prospect]).exists()


def test_leaving_keeps_the_row_and_the_chair_cannot_leave(leader, group, company_a):
    other = group.members.exclude(company=company_a).get()
    response = leader.post(f"{STAFF}{group.pk}/members/{other.pk}/leave/", {"on": "2025-06-01"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.left_on == datetime.date(2025, 6, 1)
    chair = group.members.get(company=company_a)
    response = leader.post(f"{STAFF}{group.pk}/members/{chair.pk}/leave/", follow=True)
    assert "Change the chair first" in " ".join(texts(response))
    chair.refresh_from_db()
    assert chair.left_on is None
    page = leader.get(f"{STAFF}{group.pk}/").content.decode()
    assert "Former members" in page and other.company.name in page
    # A former member can rejoin on the same row.
    services.member_add(group=group, company=other.company, on=datetime.date(2025, 8, 1))
    other.refresh_from_db()
    assert (other.left_on, other.joined_on) == (None, datetime.date(2025, 8, 1))
    assert GroupMember.objects.filter(group=group).count() == 2


def test_staff_plan_meetings_and_write_minutes(leader, group):
    response = leader.post(
        f"{STAFF}{group.pk}/meetings/new/", {"date": "2025-04-02", "agenda": "1. Velkomst"}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(group=group)
    response = leader.post(
        f"{STAFF}{group.pk}/meetings/{meeting.pk}/edit/",
        {"date": "2025-04-02", "agenda": "1. Velkomst", "minutes": "Vi blev enige om en guide."},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Vi blev enige om en guide."
    assert "Vi blev enige om en guide." in leader.get(f"{STAFF}{group.pk}/").content.decode()


# --- Documents -----------------------------------------------------------------------------


def test_a_real_pdf_is_uploaded_unpublished(leader, group, staff_x):
    response = leader.post(
        f"{STAFF}{group.pk}/documents/new/",
        {"title": "Guide til grøn kørsel", "file": pdf_upload()},
    )
    assert response.status_code == 302
    document = GroupDocument.objects.get(group=group)
    assert (document.title, document.is_published, document.uploaded_by) == (
        "Guide til grøn kørsel",
        False,
        staff_x,
    )
    download = leader.get(f"{STAFF}{group.pk}/documents/{document.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: pdf_upload(b"just some text", "guide.pdf"), "not a PDF document"),
        (lambda: pdf_upload(PDF, "guide.docx"), "must end in .pdf"),
        (
            lambda: pdf_upload(PDF + b"0" * (10 * 1024 * 1024), "big.pdf"),
            "may be at most 10 MB",
        ),
    ],
    ids=["text-named-pdf", "wrong-extension", "too-large"],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_saved(
    leader, group, upload, message
):
    response = leader.post(
        f"{STAFF}{group.pk}/documents/new/", {"title": "Guide", "file": upload()}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GroupDocument.objects.exists()


def test_publishing_toggles(leader, group):
    document = services.document_add(group=group, title="Guide", file=pdf_upload())
    url = f"{STAFF}{group.pk}/documents/{document.pk}/publish/"
    assert leader.post(url).status_code == 302
    document.refresh_from_db()
    assert document.is_published
    leader.post(url)
    document.refresh_from_db()
    assert not document.is_published
    assert leader.get(url).status_code == 405


# --- The public page -----------------------------------------------------------------------


def test_the_public_page_shows_chair_current_members_and_published_results(
    client, alliance, group, company_a
):
    group.description = "Vi kører grønt."
    group.description_en = "We drive green."
    group.save()
    leaving = member_of(alliance, "Forhenværende ApS")
    services.member_add(group=group, company=leaving, on=DAY)
    published = services.document_add(group=group, title="Offentlig guide", file=pdf_upload())
    services.document_set_published(document=published, published=True)
    hidden = services.document_add(group=group, title="Intern kladde", file=pdf_upload())
    paper = CommitmentPaper.objects.create(
        group=group,
        title="Fælles erklæring",
        title_en="Joint declaration",
        text="Vi lover.",
        text_en="We promise.",
        status="open",
    )
    for company in [company_a, leaving]:
        CommitmentSignature.objects.create(
            paper=paper,
            company=company,
            user=UserFactory(),
            typed_name="A B",
            title="CEO",
            content_sha256="0" * 64,
        )
    CommitmentPaper.objects.create(group=group, title="Hemmeligt udkast", text="…")
    services.member_leave(group=group, member=group.members.get(company=leaving), on=DAY)

    response = client.get(f"/aalborg/groups/{group.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "Vi kører grønt." in html and "Grøn mobilitet" in html
    assert company_a.name in html and "Gamma A/S" in html
    assert "Offentlig guide" in html and "Intern kladde" not in html
    assert "Fælles erklæring" in html and "Hemmeligt udkast" not in html
    assert "Forhenværende ApS" in html  # signed, then left: shown as a former member
    assert "We drive green." in client.get(f"/en/aalborg/groups/{group.pk}/").content.decode()
    assert "former member" in client.get(f"/en/aalborg/groups/{group.pk}/").content.decode()

    download = client.get(f"/aalborg/groups/{group.pk}/documents/{published.pk}/")
    assert download.status_code == 200 and not download.cookies
    assert client.get(f"/aalborg/groups/{group.pk}/documents/{hidden.pk}/").status_code == 404
    assert client.get(f"/aarhus/groups/{group.pk}/").status_code == 404

    listing = client.get("/aalborg/groups/")
    assert listing.status_code == 200 and not listing.cookies
    assert group.name in listing.content.decode()


def test_the_partial_lists_a_companys_groups(alliance, group, company_a):
    html = render_to_string(
        "network/_groups_of_company.html",
        {"alliance": alliance, "groups": services.groups_of_company(alliance, company_a)},
    )
    assert f'href="/aalborg/groups/{group.pk}/"' in html and group.name in html


# --- Representatives ----------------------------------------------------------------------


def test_a_representative_sees_their_groups_and_unpublished_documents(client, group, rep_a, rep_b):
    document = services.document_add(group=group, title="Intern kladde", file=pdf_upload())
    Meeting.objects.create(group=group, date=DAY, minutes="Referat fra mødet")
    paper = CommitmentPaper.objects.create(group=group, title="Erklæring", text="…", status="open")
    client.force_login(rep_a)
    assert group.name in client.get("/en/my/groups/").content.decode()
    html = client.get(f"/en/my/groups/{group.pk}/").content.decode()
    assert "Intern kladde" in html and "Referat fra mødet" in html
    assert f"/en/my/groups/papers/{paper.pk}/sign/" in html
    download = client.get(f"/en/my/groups/{group.pk}/documents/{document.pk}/")
    assert download.status_code == 200

    client.force_login(rep_b)
    assert group.name not in client.get("/en/my/groups/").content.decode()
    assert client.get(f"/en/my/groups/{group.pk}/").status_code == 404
    assert client.get(f"/en/my/groups/{group.pk}/documents/{document.pk}/").status_code == 404


def test_a_former_members_representative_still_sees_the_group(client, alliance, rep_a, company_a):
    chair = member_of(alliance, "Formand A/S")
    group = make_group(alliance, chair=chair, members=[company_a])
    services.member_leave(group=group, member=group.members.get(company=company_a), on=DAY)
    client.force_login(rep_a)
    assert client.get(f"/en/my/groups/{group.pk}/").status_code == 200


# --- Access --------------------------------------------------------------------------------


def test_only_staff_of_the_alliance_reach_its_group_pages(
    client, group, staff_x, staff_y, other_alliance, company_b
):
    document = services.document_add(group=group, title="Guide", file=pdf_upload())
    member = group.members.first()
    urls = [
        ("get", ""),
        ("get", "new/"),
        ("get", f"{group.pk}/"),
        ("get", f"{group.pk}/edit/"),
        ("post", f"{group.pk}/chair/"),
        ("post", f"{group.pk}/members/"),
        ("post", f"{group.pk}/members/{member.pk}/leave/"),
        ("get", f"{group.pk}/meetings/new/"),
        ("post", f"{group.pk}/documents/new/"),
        ("get", f"{group.pk}/documents/{document.pk}/"),
        ("post", f"{group.pk}/documents/{document.pk}/publish/"),
    ]
    for method, url in urls:
        response = getattr(client, method)(f"{STAFF}{url}")
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(staff_y)
    for method, url in urls:
        assert getattr(client, method)(f"{STAFF}{url}").status_code == 403, url
    document.refresh_from_db()
    assert not document.is_published

    aarhus_group = make_group(other_alliance, chair=company_b)
    client.force_login(staff_x)
    assert client.get(f"{STAFF}{aarhus_group.pk}/").status_code == 404
    assert client.get(f"{STAFF}{aarhus_group.pk}/edit/").status_code == 404
    assert client.post(f"{STAFF}{aarhus_group.pk}/chair/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_for_my_groups(client, group):
    for url in ["/en/my/groups/", f"/en/my/groups/{group.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- Queries -------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_public_group_page_costs_constant_queries(client, alliance, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def build(name, n):
        companies = [member_of(alliance, f"{name} {i}") for i in range(n)]
        group = make_group(alliance, name=name, chair=companies[0], members=companies)
        paper = CommitmentPaper.objects.create(group=group, title="P", text="…", status="open")
        for company in companies:
            CommitmentSignature.objects.create(
                paper=paper,
                company=company,
                user=UserFactory(),
                typed_name="A",
                title="B",
                content_sha256="0" * 64,
            )
        services.member_leave(group=group, member=group.members.last(), on=DAY)
        for i in range(n):
            document = services.document_add(group=group, title=f"D{i}", file=pdf_upload())
            services.document_set_published(document=document, published=True)
        return group

    small, large = build("Lille", 3), build("Stor", 15)
    assert count_queries(client, f"/aalborg/groups/{small.pk}/") == count_queries(
        client, f"/aalborg/groups/{large.pk}/"
    )


def test_the_group_lists_cost_constant_queries(leader, alliance, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def add_groups(prefix, n):
        for i in range(n):
            companies = [member_of(alliance, f"{prefix} {i} {j}") for j in range(2)]
            make_group(alliance, name=f"{prefix} {i}", chair=companies[0], members=companies)

    add_groups("Få", 3)
    few_staff = count_queries(leader, STAFF)
    few_public = count_queries(leader, "/aalborg/groups/")
    add_groups("Mange", 12)
    assert count_queries(leader, STAFF) == few_staff
    assert count_queries(leader, "/aalborg/groups/") == few_public
    assert WorkingGroup.objects.count() == 15
