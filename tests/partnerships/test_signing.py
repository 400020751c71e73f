"""A representative reads and signs a sent agreement; only those who may sign can, only once,
only what they saw, and nothing sealed can change afterwards.

Pages whose wording is checked are opened under /en/ so the assertions hold whether or not
the Danish translations exist yet.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from partnerships import services
from partnerships.documents import content_sha256
from partnerships.models import Agreement, ImmutableError, Pledge, Signature
from partnerships.seed import ensure_starting_content
from tests.factories import RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) KlimaTest/1.0"
IP = "203.0.113.7"


# --- Helpers shared with test_pdf.py and test_verify.py ----------------------------------------


def make_draft(alliance, company, staff) -> Agreement:
    """A draft for `company` with a quantitative pledge and a milestone."""
    ensure_starting_content(alliance)
    agreement = services.agreement_create(
        alliance=alliance, company=company, by=staff, focus_areas=["energy"]
    )
    Pledge.objects.create(
        agreement=agreement,
        order=1,
        title="Halve scope 1 and 2 emissions",
        focus_area="energy",
        scopes=[1, 2],
        metric="t CO2e",
        baseline_year=2022,
        baseline_value=Decimal("1200"),
        target_year=2030,
        target_value=Decimal("600"),
    )
    Pledge.objects.create(
        agreement=agreement,
        order=2,
        title="100 % renewable electricity",
        focus_area="energy",
        is_milestone=True,
        target_year=2027,
    )
    return agreement


def make_sent(alliance, company, staff) -> Agreement:
    agreement = make_draft(alliance, company, staff)
    return services.agreement_send(agreement=agreement, by=staff)


def sign_as_company(agreement, rep) -> Signature:
    return services.agreement_sign(
        agreement=agreement,
        user=rep,
        typed_name="Anna Alfa",
        title="CEO",
        seen_sha256=content_sha256(agreement),
        ip=IP,
        user_agent=USER_AGENT,
    )


def countersign(agreement, staff) -> Signature:
    return services.agreement_countersign(
        agreement=agreement,
        user=staff,
        typed_name="Lars Leder",
        title="Team leader",
        seen_sha256=content_sha256(agreement),
        ip="198.51.100.2",
        user_agent=USER_AGENT,
    )


def make_sealed(alliance, company, rep, staff) -> Agreement:
    """Signed by both parties. The PDF is queued on commit: inside a test transaction it only
    runs under `django_capture_on_commit_callbacks(execute=True)`."""
    agreement = make_sent(alliance, company, staff)
    sign_as_company(agreement, rep)
    countersign(agreement, staff)
    agreement.refresh_from_db()
    return agreement


# --- URLs ------------------------------------------------------------------------------------


def detail_url(agreement, prefix="/en"):
    return f"{prefix}/my/agreements/{agreement.pk}/"


def sign_url(agreement, prefix="/en"):
    return f"{prefix}/my/agreements/{agreement.pk}/sign/"


def sign_data(agreement=None, sha=None, **overrides):
    data = {
        "typed_name": "Anna Alfa",
        "title": "Chief executive",
        "confirm": "on",
        "content_sha256": sha if sha is not None else content_sha256(agreement),
    }
    return {**data, **overrides}


def post_sign(client, agreement, data, **extra):
    return client.post(
        sign_url(agreement), data, REMOTE_ADDR=IP, HTTP_USER_AGENT=USER_AGENT, **extra
    )


@pytest.fixture
def sent(alliance, company_a, staff_x):
    return make_sent(alliance, company_a, staff_x)


@pytest.fixture
def draft(alliance, company_a, staff_x):
    return make_draft(alliance, company_a, staff_x)


# --- Signing ---------------------------------------------------------------------------------


def test_rep_reads_and_signs_a_sent_agreement(client, rep_a, sent):
    client.force_login(rep_a)
    detail = client.get(detail_url(sent))
    assert detail.status_code == 200
    assert f'href="/en/my/agreements/{sent.pk}/sign/"' in detail.content.decode()

    page = client.get(sign_url(sent))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Alfa A/S" in body and "Halve scope 1 and 2 emissions" in body
    assert "100 % renewable electricity" in body
    digest = content_sha256(sent)
    assert f'value="{digest}"' in body

    before = timezone.now()
    response = post_sign(client, sent, sign_data(sha=digest), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(sent)
    assert "You have signed the agreement" in response.content.decode()

    signature = Signature.objects.get(agreement=sent)
    assert signature.party == Signature.Party.COMPANY
    assert signature.user == rep_a
    assert (signature.typed_name, signature.title) == ("Anna Alfa", "Chief executive")
    assert signature.signed_at.utcoffset() == datetime.timedelta(0)
    assert before <= signature.signed_at <= timezone.now()
    assert signature.ip_address == IP
    assert signature.user_agent == USER_AGENT
    assert signature.content_sha256 == digest == content_sha256(sent)
    sent.refresh_from_db()
    assert sent.status == Agreement.Status.SIGNED


def test_representative_without_signing_right_is_refused(client, rep_a, sent, company_a):
    reader = RepresentationFactory(
        company=company_a, may_sign=False, user=UserFactory(first_name="Ole", last_name="Læser")
    ).user
    client.force_login(reader)
    detail = client.get(detail_url(sent)).content.decode()
    assert "You may not sign for the company" in detail
    assert str(rep_a) in detail  # says who can

    assert client.get(sign_url(sent)).status_code == 403
    response = post_sign(client, sent, sign_data(sent))
    assert response.status_code == 403
    assert "You may not sign for the company" in response.content.decode()
    assert not Signature.objects.exists()
    sent.refresh_from_db()
    assert sent.status == Agreement.Status.SENT


def test_signing_twice_is_refused(client, rep_a, sent):
    client.force_login(rep_a)
    post_sign(client, sent, sign_data(sent))
    response = post_sign(client, sent, sign_data(sent), follow=True)
    assert "already signed" in response.content.decode()
    assert Signature.objects.filter(agreement=sent).count() == 1


def test_signing_what_changed_since_it_was_opened_is_refused(client, rep_a, staff_x, sent):
    client.force_login(rep_a)
    seen = content_sha256(sent)
    # Staff reopen the agreement, change a pledge and send it again while the page is open.
    services.agreement_reopen(agreement=sent, by=staff_x)
    Pledge.objects.filter(agreement=sent, order=1).update(target_value=Decimal("500"))
    services.agreement_send(agreement=sent, by=staff_x)
    new = content_sha256(sent)
    assert new != seen

    response = post_sign(client, sent, sign_data(sha=seen, typed_name="Anna B. Alfa"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "The agreement changed after you opened it" in body
    assert f'value="{new}"' in body and seen not in body
    assert 'value="Anna B. Alfa"' in body and 'value="Chief executive"' in body
    assert "500" in body  # the new version is shown
    assert not Signature.objects.exists()


def test_signing_with_a_wrong_hash_is_refused(client, rep_a, sent):
    client.force_login(rep_a)
    response = post_sign(client, sent, sign_data(sha="0" * 64))
    assert "The agreement changed after you opened it" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_draft_cannot_be_signed(client, rep_a, draft):
    client.force_login(rep_a)
    assert client.get(sign_url(draft)).status_code == 302
    response = post_sign(client, draft, sign_data(draft), follow=True)
    assert "not waiting for the company" in response.content.decode()
    assert not Signature.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Agreement.Status.DRAFT


def test_the_signature_form_requires_the_confirmation(client, rep_a, sent):
    client.force_login(rep_a)
    data = sign_data(sent)
    del data["confirm"]
    response = post_sign(client, sent, data)
    assert response.status_code == 200
    assert not Signature.objects.exists()


# --- Who reaches what ------------------------------------------------------------------------


def test_other_companies_representative_gets_404_everywhere(client, rep_b, sent):
    client.force_login(rep_b)
    pledge = sent.pledges.first()
    base = f"/my/agreements/{sent.pk}"
    for url in [
        f"{base}/",
        f"{base}/sign/",
        f"{base}/pdf/",
        f"{base}/pdf/status/",
        f"{base}/pledges/new/",
        f"{base}/pledges/{pledge.pk}/edit/",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"{base}/sign/",
        f"{base}/comments/",
        f"{base}/pledges/catalogue/",
        f"{base}/pledges/{pledge.pk}/delete/",
    ]:
        assert client.post(url, {"text": "x", **sign_data(sent)}).status_code == 404, url
    assert not Signature.objects.exists() and not sent.comments.exists()


def test_staff_are_no_representatives_here(client, staff_x, sent):
    client.force_login(staff_x)
    assert client.get(detail_url(sent)).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, sent):
    for url in [detail_url(sent, ""), sign_url(sent, "")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    post_sign(client, sent, sign_data(sent))
    assert not Signature.objects.exists()


# --- Drafting together: pledges and comments --------------------------------------------------


def test_representative_edits_pledges_of_a_draft(client, rep_a, draft, alliance):
    client.force_login(rep_a)
    base = f"/en/my/agreements/{draft.pk}"
    assert client.get(f"{base}/pledges/new/").status_code == 200
    response = client.post(
        f"{base}/pledges/new/",
        {
            "title": "Green commuting plan",
            "is_milestone": "on",
            "target_year": "2026",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    added = draft.pledges.get(title="Green commuting plan")
    assert added.order == 3

    item = alliance.catalogue_items.get(title_en="A green commuting plan")
    response = client.post(f"{base}/pledges/catalogue/", {"item": item.pk})
    from_catalogue = draft.pledges.get(catalogue_item=item)
    # A milestone complete as the catalogue has it: back to the agreement, not an edit page.
    assert response["Location"] == f"{base}/"
    assert from_catalogue.scopes == [3]

    response = client.post(
        f"{base}/pledges/{added.pk}/edit/",
        {
            "title": "Green commuting plan for all staff",
            "is_milestone": "on",
            "target_year": "2027",
        },
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.title, added.target_year) == ("Green commuting plan for all staff", 2027)

    client.post(f"{base}/pledges/{added.pk}/delete/")
    assert not draft.pledges.filter(pk=added.pk).exists()


def test_pledges_cannot_change_once_sent(client, rep_a, sent, alliance):
    client.force_login(rep_a)
    base = f"/en/my/agreements/{sent.pk}"
    pledge = sent.pledges.get(order=1)
    digest = content_sha256(sent)

    response = client.get(f"{base}/pledges/new/", follow=True)
    assert "no longer a draft" in response.content.decode()
    client.post(
        f"{base}/pledges/new/", {"title": "Sneaky", "is_milestone": "on", "target_year": "2026"}
    )
    client.post(f"{base}/pledges/catalogue/", {"item": alliance.catalogue_items.first().pk})
    client.post(
        f"{base}/pledges/{pledge.pk}/edit/",
        {"title": "Changed", "is_milestone": "on", "target_year": "2026"},
    )
    client.post(f"{base}/pledges/{pledge.pk}/delete/")

    assert sent.pledges.count() == 2
    pledge.refresh_from_db()
    assert pledge.title == "Halve scope 1 and 2 emissions"
    assert content_sha256(sent) == digest


def test_any_representative_may_comment(client, sent, company_a):
    reader = RepresentationFactory(company=company_a, may_sign=False).user
    client.force_login(reader)
    response = client.post(
        f"/en/my/agreements/{sent.pk}/comments/",
        {"text": "Can the target year be 2031?"},
        follow=True,
    )
    assert "Can the target year be 2031?" in response.content.decode()
    assert sent.comments.get().author == reader
    client.post(f"/en/my/agreements/{sent.pk}/comments/", {"text": "   "})
    assert sent.comments.count() == 1


def test_pdf_status_partial_for_each_stage(client, rep_a, staff_x, sent):
    client.force_login(rep_a)
    url = f"/en/my/agreements/{sent.pk}/pdf/status/"
    assert "hx-get" not in client.get(url).content.decode()
    sign_as_company(sent, rep_a)
    countersign(sent, staff_x)  # inside the test transaction the PDF job does not run
    body = client.get(url).content.decode()
    assert 'role="status"' in body and 'hx-trigger="every 2s"' in body
    assert f'hx-get="/en/my/agreements/{sent.pk}/pdf/status/"' in body
    assert client.get(f"/en/my/agreements/{sent.pk}/pdf/").status_code == 404


# --- Immutability ----------------------------------------------------------------------------


@pytest.fixture
def sealed(alliance, company_a, rep_a, staff_x):
    return make_sealed(alliance, company_a, rep_a, staff_x)


def test_a_countersigned_agreement_cannot_change(sealed):
    assert sealed.status == Agreement.Status.ACTIVE
    sealed.start_date = sealed.start_date + datetime.timedelta(days=1)
    with pytest.raises(ImmutableError):
        sealed.save()
    pledge = sealed.pledges.first()
    pledge.title = "Something easier"
    with pytest.raises(ImmutableError):
        pledge.save()
    with pytest.raises(ImmutableError):
        pledge.delete()
    with pytest.raises(ValidationError):
        services.agreement_update(agreement=sealed, municipality_commitments="More")


def test_signatures_cannot_be_changed_or_deleted(sealed):
    signature = sealed.signatures.first()
    signature.typed_name = "Somebody else"
    with pytest.raises(ImmutableError):
        signature.save()
    with pytest.raises(ImmutableError):
        signature.delete()
    assert sealed.signatures.count() == 2


def test_postgresql_refuses_raw_sql_changes_to_signatures(sealed):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger guarding signatures exists on PostgreSQL only")
    for sql in [
        "UPDATE partnerships_signature SET typed_name = 'X'",
        "DELETE FROM partnerships_signature",
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert set(sealed.signatures.values_list("typed_name", flat=True)) == {
        "Anna Alfa",
        "Lars Leder",
    }
