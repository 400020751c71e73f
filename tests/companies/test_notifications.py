"""Hand-overs around a company: membership invitations and answers, invitations accepted,
stories submitted and reviewed (read from the mails the outbox sent)."""

import pytest
from django.core import mail

from companies import services
from companies.invitations import invitation_accept, invitation_send
from companies.models import ContactPerson, Membership, Story
from tests.factories import MembershipFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_membership_invitation_asks_the_signers_and_their_answer_goes_to_staff(
    other_alliance, company_a, rep_a, staff_y, django_capture_on_commit_callbacks
):
    RepresentationFactory(company=company_a, may_sign=False, user=UserFactory(email="no@alfa.dk"))
    added = MembershipFactory(
        alliance=other_alliance,
        company=company_a,
        status=Membership.Status.PROSPECT,
        access_granted_at=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(membership=added, by=staff_y)
    (invited,) = mail.outbox
    assert invited.to == [rep_a.email]
    assert "Klimaalliancen Aarhus" in invited.subject
    assert f"http://testserver/my/companies/{company_a.pk}/" in invited.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invitation_answer(membership=added, by=rep_a, accept=True)
    (answer,) = mail.outbox
    assert answer.to == [staff_y.email]
    assert "Alfa A/S" in answer.subject
    assert f"/aarhus/staff/companies/{company_a.pk}/" in answer.body


def test_an_accepted_invitation_tells_the_staff_member_who_sent_it(
    alliance, company_a, staff_x, django_capture_on_commit_callbacks
):
    staff_x.language = "en"
    staff_x.save()
    contact = ContactPerson.objects.create(
        company=company_a, name="Nina Ny", email="nina@alfa.example", may_sign=True
    )
    invitation = invitation_send(alliance=alliance, contact=contact, by=staff_x)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_accept(invitation=invitation, password="a-long-enough-password-42")
    (accepted,) = mail.outbox
    assert accepted.to == [staff_x.email]
    assert "now represents Alfa A/S" in accepted.subject
    assert f"http://testserver/en/aalborg/staff/companies/{company_a.pk}/" in accepted.body


def test_a_story_goes_to_staff_and_their_review_to_its_author(
    alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    story = Story(alliance=alliance, title="Varmepumper & sol", text="Vi har skiftet.")
    with django_capture_on_commit_callbacks(execute=True):
        services.story_submit(story=story, company=company_a, by=rep_a)
    (submitted,) = mail.outbox
    assert submitted.to == [staff_x.email]
    assert "Alfa A/S" in submitted.subject
    assert f"/aalborg/staff/companies/stories/{story.pk}/review/" in submitted.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.story_review(story=story, by=staff_x, approve=False, comment="For kort")
    (refused,) = mail.outbox
    assert refused.to == [rep_a.email]
    assert "Varmepumper & sol" in refused.subject and "For kort" in refused.body
    assert f"/my/companies/{company_a.pk}/" in refused.body
