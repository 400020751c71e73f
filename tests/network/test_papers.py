"""Commitment papers: signing with the agreements' audit trail, who may sign, the public list
of signatories with former members, the re-rendered PDF and the pledge made from a paper."""

import datetime
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from network import papers as services
from network.models import CommitmentPaper, CommitmentSignature, GroupMember, WorkingGroup
from network.paper_documents import signatories
from network.tasks import render_paper_pdf_task
from partnerships.models import Pledge
from tests.conftest import need
from tests.factories import (
    AgreementFactory,
    CompanyFactory,
    MembershipFactory,
    RepresentationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEXT = "Vi omstiller vores personbilflåde til nulemission inden 2030 og arbejder med pendling."
AGENT = "Mozilla/5.0 (Test) Firefox/140.0"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def group(alliance):
    return WorkingGroup.objects.create(alliance=alliance, name="Grøn mobilitet", theme="mobility")


def member(group, name, **kwargs):
    company = MembershipFactory(alliance=group.alliance, company=CompanyFactory(legal_name=name))
    company = company.company
    GroupMember.objects.create(
        group=group, company=company, joined_on=datetime.date(2025, 1, 1), **kwargs
    )
    return company


def signer(company, **kwargs):
    return RepresentationFactory(company=company, title="Direktør", **kwargs).user


@pytest.fixture
def paper(group, media, django_capture_on_commit_callbacks):
    paper = services.paper_create(
        group=group, title="Nulemission 2030", text=TEXT, focus_area="transport", target_year=2030
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_publish(paper=paper)
    paper.refresh_from_db()
    return paper


def sign_url(paper):
    return reverse("my-groups:paper-sign", args=[paper.pk])


def post_sign(client, user, paper, company, **extra):
    client.force_login(user)
    data = {
        "company": company.pk,
        "typed_name": "Karen Jensen",
        "title": "Direktør",
        "confirm": "on",
        "content_sha256": services.paper_content_sha256(paper, "da"),
        **extra,
    }
    return client.post(
        sign_url(paper),
        data,
        REMOTE_ADDR="192.0.2.7",
        HTTP_USER_AGENT=AGENT,
        HTTP_ACCEPT_LANGUAGE="da",
    )


def sign(paper, company, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.paper_sign(
            paper=paper,
            company=company,
            user=user,
            typed_name="Navn Navnesen",
            title="CEO",
            seen_sha256=services.paper_content_sha256(paper, "da"),
        )


def read(paper) -> str:
    with paper.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


# --- Signing through the view ---------------------------------------------------------------


def test_sign_through_the_view_records_the_audit_trail(client, paper, group):
    company = member(group, "Alfa Transport A/S")
    user = signer(company)
    client.force_login(user)
    page = client.get(sign_url(paper), HTTP_ACCEPT_LANGUAGE="da")
    assert page.status_code == 200
    assert TEXT in page.content.decode()
    response = post_sign(client, user, paper, company)
    assert response.status_code == 302
    signature = CommitmentSignature.objects.get(paper=paper, company=company)
    assert signature.user == user
    assert signature.typed_name == "Karen Jensen"
    assert signature.title == "Direktør"
    assert signature.ip_address == "192.0.2.7"
    assert signature.user_agent == AGENT
    assert signature.content_sha256 == services.paper_content_sha256(paper, "da")


def test_a_representative_of_several_members_picks_the_company(client, paper, group):
    first, second = member(group, "Alfa A/S"), member(group, "Beta A/S")
    outsider = member(group, "Gamma A/S")
    user = signer(first)
    RepresentationFactory(company=second, user=user, may_sign=True)
    RepresentationFactory(company=outsider, user=user, may_sign=False)
    client.force_login(user)
    page = client.get(sign_url(paper)).content.decode()
    assert 'name="company"' in page and "Beta A/S" in page and "Gamma A/S" not in page
    assert post_sign(client, user, paper, second).status_code == 302
    assert post_sign(client, user, paper, outsider).status_code == 400
    assert list(paper.signatures.values_list("company__legal_name", flat=True)) == ["Beta A/S"]


@pytest.mark.parametrize("case", ["not_member", "may_not_sign", "former_member"])
def test_who_may_not_sign_is_refused_and_nothing_changes(client, paper, group, case):
    if case == "not_member":
        company = MembershipFactory(alliance=group.alliance).company
        user = signer(company)
    elif case == "may_not_sign":
        company = member(group, "Alfa A/S")
        user = signer(company, may_sign=False)
    else:
        company = member(group, "Alfa A/S", left_on=datetime.date(2025, 6, 1))
        user = signer(company)
    client.force_login(user)
    assert client.get(sign_url(paper)).status_code == 403
    response = post_sign(client, user, paper, company)
    assert response.status_code == 403
    assert "nuværende medlem af arbejdsgruppen" in response.content.decode()
    assert not CommitmentSignature.objects.exists()
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        services.paper_sign(
            paper=paper,
            company=company,
            user=user,
            typed_name="X",
            title="Y",
            seen_sha256=services.paper_content_sha256(paper, "da"),
        )


def test_a_company_signs_only_once(client, paper, group):
    company = member(group, "Alfa A/S")
    user, colleague = signer(company), signer(company)
    assert post_sign(client, user, paper, company).status_code == 302
    response = post_sign(client, colleague, paper, company, typed_name="Someone Else")
    assert response.status_code == 302
    assert "har allerede underskrevet" in str(list(response.wsgi_request._messages))
    assert CommitmentSignature.objects.get().typed_name == "Karen Jensen"
    with pytest.raises(ValidationError) as error:
        services.paper_sign(
            paper=paper,
            company=company,
            user=user,
            typed_name="X",
            title="Y",
            seen_sha256=services.paper_content_sha256(paper, "da"),
        )
    assert error.value.code == "twice"


def test_a_closed_paper_cannot_be_signed(client, paper, group):
    company = member(group, "Alfa A/S")
    user = signer(company)
    services.paper_close(paper=paper)
    client.force_login(user)
    assert client.get(sign_url(paper)).status_code == 302
    response = post_sign(client, user, paper, company)
    assert response.status_code == 302
    assert "ikke åben for underskrifter" in str(list(response.wsgi_request._messages))
    assert not CommitmentSignature.objects.exists()


def test_a_changed_text_must_be_read_again(client, paper, group):
    company = member(group, "Alfa A/S")
    user = signer(company)
    response = post_sign(client, user, paper, company, content_sha256="0" * 64)
    assert response.status_code == 409
    assert TEXT in response.content.decode()
    assert not CommitmentSignature.objects.exists()


def test_draft_rules(group, media):
    paper = services.paper_create(group=group, title="Udkast", text="Tekst")
    services.paper_update(paper=paper, text="Ny tekst")
    with pytest.raises(ValidationError):
        services.paper_close(paper=paper)
    services.paper_publish(paper=paper)
    with pytest.raises(ValidationError):
        services.paper_update(paper=paper, text="Ændret")
    with pytest.raises(ValidationError):
        services.paper_publish(paper=paper)
    paper.refresh_from_db()
    assert paper.text == "Ny tekst" and paper.status == CommitmentPaper.Status.OPEN


# --- Signatories and the PDF ----------------------------------------------------------------


def test_a_company_that_left_stays_as_former_signatory(
    client, paper, group, django_capture_on_commit_callbacks
):
    company = member(group, "Alfa A/S")
    sign(paper, company, signer(company), django_capture_on_commit_callbacks)
    GroupMember.objects.filter(company=company).update(left_on=datetime.date(2025, 9, 1))
    rows = signatories(paper)
    assert [(row.company, row.is_former) for row in rows] == [("Alfa A/S", True)]
    # The public group page (a colleague's view) lists it as former, when it exists.
    response = client.get(f"/{group.alliance.slug}/groups/{group.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    if response.status_code == 200:
        page = response.content.decode()
        assert "Alfa A/S" in page and "tidligere medlem" in page


def test_the_pdf_is_regenerated_when_a_second_company_signs(
    paper, group, media, django_capture_on_commit_callbacks
):
    assert paper.pdf and paper.pdf_signatures == 0  # made on publishing
    alfa, beta = member(group, "Alfa Transport A/S"), member(group, "Beta Logistik ApS")
    sign(paper, alfa, signer(alfa), django_capture_on_commit_callbacks)
    paper.refresh_from_db()
    first_name = paper.pdf.name
    assert paper.pdf_signatures == 1
    sign(paper, beta, signer(beta), django_capture_on_commit_callbacks)
    paper.refresh_from_db()
    assert paper.pdf_signatures == 2 and paper.pdf.name != first_name
    assert not (media / first_name).exists()  # the old file is gone
    assert len(list((media / "commitments").glob("*.pdf"))) == 1
    reader, text = read(paper)
    assert "Alfa Transport A/S" in text and "Beta Logistik ApS" in text
    assert "Nulemission 2030" in text
    xmp = reader.xmp_metadata
    assert xmp is not None
    data = xmp.stream.get_data()
    assert b'pdfaid:part="3"' in data or b"<pdfaid:part>3</pdfaid:part>" in data
    with paper.pdf.open("rb") as handle:
        import hashlib

        assert hashlib.sha256(handle.read()).hexdigest() == paper.pdf_sha256


def test_running_the_task_twice_keeps_the_same_file(paper, media):
    name, digest = paper.pdf.name, paper.pdf_sha256
    assert render_paper_pdf_task.delay(paper.pk).get() == name
    render_paper_pdf_task.delay(paper.pk)
    paper.refresh_from_db()
    assert (paper.pdf.name, paper.pdf_sha256) == (name, digest)
    assert len(list((media / "commitments").glob("*.pdf"))) == 1


def test_pdf_downloads(client, paper, group, staff_x, staff_y):
    public = client.get(reverse("paper-pdf", args=[group.alliance.slug, paper.pk]))
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert not public.cookies
    assert client.get(reverse("paper-pdf", args=["aarhus", paper.pk])).status_code == 404
    draft = services.paper_create(group=group, title="Udkast", text="Tekst")
    assert client.get(reverse("paper-pdf", args=["aalborg", draft.pk])).status_code == 404
    client.force_login(staff_x)
    staff = client.get(reverse("groups:paper-pdf", args=["aalborg", paper.pk]))
    assert staff.status_code == 200
    client.force_login(staff_y)
    assert client.get(reverse("groups:paper-pdf", args=["aalborg", paper.pk])).status_code == 403


def test_staff_pages(client, group, staff_x, media, django_capture_on_commit_callbacks):
    client.force_login(staff_x)
    create = reverse("groups:paper-create", args=["aalborg", group.pk])
    assert client.get(create).status_code == 200
    response = client.post(create, {"title": "Pendling", "text": TEXT, "target_year": "2030"})
    paper = CommitmentPaper.objects.get()
    assert response.url == reverse("groups:paper-detail", args=["aalborg", paper.pk])
    edit = reverse("groups:paper-edit", args=["aalborg", paper.pk])
    client.post(edit, {"title": "Pendling 2030", "text": TEXT, "target_year": "2030"})
    paper.refresh_from_db()
    assert paper.title == "Pendling 2030"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("groups:paper-publish", args=["aalborg", paper.pk]))
    paper.refresh_from_db()
    assert paper.status == "open" and paper.pdf
    detail = client.get(reverse("groups:paper-detail", args=["aalborg", paper.pk]))
    assert detail.status_code == 200 and "Pendling 2030" in detail.content.decode()
    partial = client.get(
        reverse("groups:paper-detail", args=["aalborg", paper.pk]), HTTP_HX_REQUEST="true"
    )
    assert b'id="pdf-status"' in partial.content and b"<h1" not in partial.content
    client.post(edit, {"title": "Ændret", "text": TEXT})
    paper.refresh_from_db()
    assert paper.title == "Pendling 2030"
    client.post(reverse("groups:paper-close", args=["aalborg", paper.pk]))
    paper.refresh_from_db()
    assert paper.status == "closed"


# --- From commitment to pledge --------------------------------------------------------------


def test_paper_to_pledge(client, paper, group, django_capture_on_commit_callbacks):
    company = member(group, "Alfa A/S")
    user = signer(company)
    client.force_login(user)
    url = reverse("my-groups:paper-to-pledge", args=[paper.pk])
    # Not signed yet: refused.
    client.post(url, {"company": company.pk})
    assert not Pledge.objects.exists()
    sign(paper, company, user, django_capture_on_commit_callbacks)
    # No draft agreement: a clear message, nothing changes.
    active = AgreementFactory(alliance=group.alliance, company=company, status="active")
    response = client.post(url, {"company": company.pk})
    assert "En medarbejder skal først oprette et udkast" in str(
        list(response.wsgi_request._messages)
    )
    assert not Pledge.objects.exists()
    draft = AgreementFactory(
        alliance=group.alliance, company=company, status="draft", version=2, replaces=active
    )
    response = client.post(url, {"company": company.pk})
    assert response.url == reverse("my-agreements:agreement-detail", args=[draft.pk])
    pledge = Pledge.objects.get()
    assert pledge.agreement == draft and pledge.is_milestone and pledge.target_year == 2030
    assert pledge.title == "Nulemission 2030"
    client.post(url, {"company": company.pk})
    assert Pledge.objects.count() == 1  # not twice


def test_paper_to_pledge_without_target_year_uses_the_agreement_end(
    group, media, django_capture_on_commit_callbacks
):
    paper = services.paper_create(group=group, title="Uden år", text="Tekst")
    services.paper_publish(paper=paper)
    company = member(group, "Alfa A/S")
    user = signer(company)
    sign(paper, company, user, django_capture_on_commit_callbacks)
    draft = AgreementFactory(alliance=group.alliance, company=company, status="draft")
    pledge = services.paper_to_pledge(paper=paper, company=company, user=user)
    assert pledge.target_year == draft.end_date.year
    with pytest.raises(ValidationError) as error:
        services.paper_to_pledge(paper=paper, company=company, user=user)
    assert error.value.code == "twice"
    stranger = UserFactory()
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        services.paper_to_pledge(paper=paper, company=company, user=stranger)


# --- The real worker ------------------------------------------------------------------------


@pytest.mark.services
def test_the_real_worker_renders_the_pdf_after_a_signature(real_worker, settings, tmp_path):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    from tests.factories import AllianceFactory

    alliance = AllianceFactory()
    group = WorkingGroup.objects.create(alliance=alliance, name="Logistik", theme="logistics")
    paper = services.paper_create(group=group, title="Fælles erklæring", text=TEXT)
    services.paper_publish(paper=paper)
    company = member(group, "Worker Transport A/S")
    services.paper_sign(
        paper=paper,
        company=company,
        user=signer(company),
        typed_name="A B",
        title="CEO",
        seen_sha256=services.paper_content_sha256(paper, "da"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        paper.refresh_from_db()
        if paper.pdf_signatures == 1:
            break
        time.sleep(0.5)
    assert paper.pdf_signatures == 1, "the worker did not render the PDF within 30 s"
    assert "Worker Transport A/S" in read(paper)[1]


def test_postgresql_refuses_raw_sql_changes_to_paper_signatures(client, paper, group):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger guarding signatures exists on PostgreSQL only")
    company = member(group, "Underskriver A/S")
    assert post_sign(client, signer(company), paper, company).status_code == 302
    for sql in [
        "UPDATE network_commitmentsignature SET typed_name = 'X'",
        "DELETE FROM network_commitmentsignature",
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    signature = paper.signatures.get()
    assert signature.typed_name != "X" and signature.signed_at is not None
