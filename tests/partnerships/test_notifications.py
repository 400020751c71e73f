"""Every hand-over of an agreement tells the next person, in their language, with a link
to where they act (read from the mails the outbox sent)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from partnerships import services
from partnerships.documents import content_sha256
from partnerships.notifications import agreements_expiring
from tests.factories import (
    AgreementFactory,
    AgreementTemplateFactory,
    RepresentationFactory,
    StaffRoleFactory,
    UserFactory,
)
from tests.test_permission_matrix import _draft, _sent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def template(alliance):
    return AgreementTemplateFactory(alliance=alliance)


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def english_signer(company_a):
    return RepresentationFactory(
        company=company_a, user=UserFactory(email="signer@alfa.example", language="en")
    ).user


def test_a_sent_agreement_asks_the_signers_for_their_signature(
    alliance, company_a, rep_a, english_signer, staff_x, django_capture_on_commit_callbacks
):
    RepresentationFactory(company=company_a, may_sign=False, user=UserFactory(email="no@alfa.dk"))
    with django_capture_on_commit_callbacks(execute=True):
        agreement = _sent(alliance, company_a, staff_x)
    (danish,) = mails_to(rep_a.email)
    assert "underskrift" in danish.subject.lower() or "signature" in danish.subject
    assert f"http://testserver/my/agreements/{agreement.pk}/sign/" in danish.body
    (english,) = mails_to("signer@alfa.example")
    assert "awaits your signature" in english.subject
    assert f"http://testserver/en/my/agreements/{agreement.pk}/sign/" in english.body
    assert mails_to("no@alfa.dk") == []


def test_a_comment_goes_to_the_other_party(
    alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    agreement, _ = _draft(alliance, company_a, staff_x, "Halver udledningen")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(agreement=agreement, by=staff_x, text="Se paragraf 2 & 3")
    (to_company,) = mail.outbox
    assert to_company.to == [rep_a.email]
    assert "Se paragraf 2 & 3" in to_company.body
    assert f"/my/agreements/{agreement.pk}/" in to_company.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(agreement=agreement, by=rep_a, text="Fint")
    (to_staff,) = mail.outbox
    assert to_staff.to == [staff_x.email]
    assert f"/aalborg/staff/agreements/{agreement.pk}/" in to_staff.body


def test_the_companys_signature_goes_to_staff_who_may_countersign(
    alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    StaffRoleFactory(alliance=alliance, may_countersign=False, user=UserFactory(email="x@k.dk"))
    agreement = _sent(alliance, company_a, staff_x)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(
            agreement=agreement,
            user=rep_a,
            typed_name="Anna Alfa",
            title="CEO",
            seen_sha256=content_sha256(agreement),
        )
    (countersign,) = mail.outbox
    assert countersign.to == [staff_x.email]
    assert "Anna Alfa" in countersign.body
    assert f"/aalborg/staff/agreements/{agreement.pk}/countersign/" in countersign.body


def test_termination_tells_both_parties(
    alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_terminate(agreement=agreement, by=staff_x, reason="Virksomheden lukker")
    assert {m.to[0] for m in mail.outbox} == {rep_a.email, staff_x.email}
    assert all("Virksomheden lukker" in m.body for m in mail.outbox)
    assert f"/my/agreements/{agreement.pk}/" in mails_to(rep_a.email)[0].body
    assert f"/aalborg/staff/agreements/{agreement.pk}/" in mails_to(staff_x.email)[0].body


def test_expiry_within_90_days_tells_both_parties_once(
    alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    soon = AgreementFactory(
        alliance=alliance,
        company=company_a,
        start_date=today - datetime.timedelta(days=1000),
        end_date=today + datetime.timedelta(days=60),
    )
    AgreementFactory(  # far away: nothing yet
        alliance=alliance,
        company=company_a,
        start_date=today,
        end_date=today + datetime.timedelta(days=400),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements_expiring(today) == 2
        assert agreements_expiring(today) == 0
    assert {m.to[0] for m in mail.outbox} == {rep_a.email, staff_x.email}
    assert f"/my/agreements/{soon.pk}/" in mails_to(rep_a.email)[0].body


def test_a_second_countersignature_returns_to_the_agreement(client, alliance, company_a, staff_x):
    agreement = AgreementFactory(alliance=alliance, company=company_a)  # active already
    client.force_login(staff_x)
    url = f"/en/aalborg/staff/agreements/{agreement.pk}/countersign/"
    response = client.post(
        url,
        {
            "typed_name": "Tea",
            "title": "Teamleder",
            "confirm": "on",
            "content_sha256": content_sha256(agreement),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/aalborg/staff/agreements/{agreement.pk}/"


def test_error_pages_lead_signed_in_people_to_their_tasks(client, rep_a):
    client.force_login(rep_a)
    page = client.get("/my/companies/999999/")
    assert page.status_code == 404 and 'href="/my/tasks/"' in page.content.decode()
