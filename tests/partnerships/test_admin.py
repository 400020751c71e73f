"""The admin shows signed agreements and signatures read-only and refuses to delete them."""

import pytest

from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def test_admin_shows_a_signed_agreement_read_only(client, platform_admin, alliance):
    agreement = AgreementFactory(alliance=alliance, status="active")
    draft = AgreementFactory(alliance=alliance, status="draft")
    client.force_login(platform_admin)
    page = client.get(f"/admin/partnerships/agreement/{agreement.pk}/change/")
    assert page.status_code == 200
    assert 'name="start_date"' not in page.content.decode()  # no inputs: view only
    response = client.post(
        f"/admin/partnerships/agreement/{agreement.pk}/change/", {"start_date": "2020-01-01"}
    )
    assert response.status_code == 403
    assert client.get(f"/admin/partnerships/agreement/{agreement.pk}/delete/").status_code == 403
    draft_page = client.get(f"/admin/partnerships/agreement/{draft.pk}/change/").content.decode()
    assert 'name="start_date"' in draft_page


def test_signatures_cannot_be_added_changed_or_deleted_in_the_admin(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get("/admin/partnerships/signature/add/").status_code == 403
