"""A commitment paper opened for signatures asks the members' signers; a signature tells
the group's chair (read from the mails the outbox sent)."""

import datetime

import pytest
from django.core import mail

from network import papers as services
from network.models import ChairTerm
from tests.factories import RepresentationFactory, UserFactory
from tests.network import test_papers as world

TEXT, member, signer = world.TEXT, world.member, world.signer
group, media = world.group, world.media  # fixtures

pytestmark = pytest.mark.django_db


def test_opening_asks_the_signers_of_member_companies_and_a_signature_tells_the_chair(
    group, media, django_capture_on_commit_callbacks
):
    chair = member(group, "Vestas Wind Systems A/S")
    ChairTerm.objects.create(group=group, company=chair, started_on=datetime.date(2025, 1, 1))
    chair_person = signer(chair)
    other = member(group, "Danske Fragtmænd A/S")
    english_signer = RepresentationFactory(
        company=other, user=UserFactory(email="sign@fragt.example", language="en")
    ).user
    RepresentationFactory(company=other, may_sign=False, user=UserFactory(email="no@fragt.dk"))
    left = member(group, "Tidligere A/S", left_on=datetime.date(2025, 6, 1))
    signer(left)
    paper = services.paper_create(
        group=group,
        title="Nulemission 2030",
        title_en="Zero emission 2030",
        text=TEXT,
        text_en="We convert our car fleet.",
        focus_area="transport",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_publish(paper=paper)
    assert {m.to[0] for m in mail.outbox} == {chair_person.email, english_signer.email}
    (english,) = [m for m in mail.outbox if m.to == [english_signer.email]]
    assert "“Zero emission 2030” is open for signatures" in english.subject
    assert f"http://testserver/en/my/groups/papers/{paper.pk}/sign/" in english.body
    mail.outbox.clear()
    paper.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_sign(
            paper=paper,
            company=other,
            user=english_signer,
            typed_name="Erik",
            title="CEO",
            seen_sha256=services.paper_content_sha256(paper, "en"),
            language="en",
        )
    (to_chair,) = [m for m in mail.outbox if "Danske Fragtmænd" in m.subject]
    assert to_chair.to == [chair_person.email]
    assert f"/my/groups/{group.pk}/" in to_chair.body
