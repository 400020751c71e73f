"""The commitment paper's PDF is sealed like the agreement, and names its signatories without
their e-mail, IP address or browser."""

import hashlib

import pytest

from klimaalliance import seal
from network import papers as services
from network.models import WorkingGroup
from tests.seal_fixtures import pdf_text, stored_pdf

from .test_papers import AGENT, member, post_sign, signer

pytestmark = pytest.mark.django_db


def test_the_paper_pdf_is_sealed_and_holds_no_personal_contact_data(
    platform_seal, client, alliance, django_capture_on_commit_callbacks
):
    group = WorkingGroup.objects.create(alliance=alliance, name="Grøn mobilitet", theme="mobility")
    paper = services.paper_create(group=group, title="Nulemission 2030", text="Vi omstiller.")
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_publish(paper=paper)
    company = member(group, "Grøn Transport ApS")
    user = signer(company)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_sign(client, user, paper, company).status_code == 302
    paper.refresh_from_db()
    assert paper.pdf_signatures == 1

    data = stored_pdf(paper)
    assert paper.pdf_sha256 == hashlib.sha256(data).hexdigest()
    check = seal.check_seal(data)
    assert check.is_valid, check
    assert "Klimaalliance TEST platform seal" in check.signer

    text = pdf_text(data)
    assert "Karen Jensen" in text and "Direktør" in text
    for private in [user.email, "192.0.2.7", AGENT, "Firefox", "@"]:
        assert private not in text, private
