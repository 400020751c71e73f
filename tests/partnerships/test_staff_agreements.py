"""Staff draft, send, countersign, terminate and amend agreements; templates are versioned and
every page is scoped to the staff member's own alliance.

Pages whose wording is checked are opened under /en/ so the assertions hold whether or not
the Danish translations exist yet; the Danish decimal comma is checked on the Danish pages.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from companies.models import Membership
from klimaalliance.private_pages import bump_private_version
from partnerships import services
from partnerships.documents import content_sha256
from partnerships.models import (
    Agreement,
    AgreementTemplate,
    CatalogueItem,
    Pledge,
    Signature,
)
from partnerships.seed import CLAUSES, ensure_starting_content
from tests.factories import MembershipFactory, StaffRoleFactory, UserFactory

from .test_signing import make_draft, make_sealed, make_sent, sign_as_company

pytestmark = pytest.mark.django_db

EN = "/en/aalborg/staff/agreements/"
DA = "/aalborg/staff/agreements/"
IP = "198.51.100.9"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) KlimaStaffTest/1.0"


@pytest.fixture
def leader(client, staff_x):
    client.force_login(staff_x)
    return client


@pytest.fixture
def content(alliance):
    ensure_starting_content(alliance)
    return alliance


def make_agreement(alliance, staff, *, name="Firma", status="draft", ends_in=None, **fields):
    """An agreement with a fresh member company, moved to `status` behind the services' back
    (only for list pages, which read and never sign)."""
    company = MembershipFactory(alliance=alliance, company__legal_name=name).company
    ensure_starting_content(alliance)
    focus_areas = fields.pop("focus_areas", ["energy"])
    agreement = services.agreement_create(
        alliance=alliance, company=company, by=staff, focus_areas=focus_areas, **fields
    )
    changes = {"status": status}
    if ends_in is not None:
        changes["end_date"] = timezone.localdate() + datetime.timedelta(days=ends_in)
    Agreement.objects.filter(pk=agreement.pk).update(**changes)
    agreement.refresh_from_db()
    return agreement


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def countersign_data(sha, **overrides):
    data = {
        "typed_name": "Lars Leder",
        "title": "Head of climate",
        "confirm": "on",
        "content_sha256": sha,
    }
    return {**data, **overrides}


def post_countersign(client, agreement, data, **extra):
    return client.post(
        f"{EN}{agreement.pk}/countersign/",
        data,
        REMOTE_ADDR=IP,
        HTTP_USER_AGENT=USER_AGENT,
        **extra,
    )


# --- Templates -------------------------------------------------------------------------------


def clause_post_data(clauses, **overrides):
    data = {
        "title": "Klimapartnerskabsaftale",
        "title_en": "Climate partnership agreement",
        "clauses-TOTAL_FORMS": str(len(clauses)),
        "clauses-INITIAL_FORMS": str(len(clauses)),
        "clauses-MIN_NUM_FORMS": "1",
        "clauses-MAX_NUM_FORMS": "1000",
    }
    for n, clause in enumerate(clauses):
        for name, value in clause.items():
            data[f"clauses-{n}-{name}"] = value
    return {**data, **overrides}


def test_a_new_template_version_never_changes_an_agreement_made_from_an_older_one(
    leader, alliance, company_a, staff_x
):
    agreement = make_draft(alliance, company_a, staff_x)
    v1 = agreement.template
    before = content_sha256(agreement)

    form_page = text(leader.get(f"{EN}templates/new/"))
    assert CLAUSES[0]["heading"] in form_page  # pre-filled from the latest version
    assert "{company_cvr}" in form_page and "{pledges}" in form_page  # placeholder help

    clauses = [dict(c) for c in CLAUSES]
    clauses[0]["text"] = "Helt ny formålstekst for {company}."
    data = clause_post_data(clauses, **{"clauses-5-DELETE": "on"})
    response = leader.post(f"{EN}templates/new/", data)
    v2 = AgreementTemplate.objects.get(alliance=alliance, version=2)
    assert response.status_code == 302
    assert response["Location"] == f"{EN}templates/{v2.pk}/"
    assert v2.clauses.count() == len(CLAUSES) - 1
    assert v2.clauses.first().text == "Helt ny formålstekst for {company}."

    agreement.refresh_from_db()
    assert agreement.template == v1
    assert content_sha256(agreement) == before
    assert v1.clauses.first().text == CLAUSES[0]["text"]

    listing = text(leader.get(f"{EN}templates/"))
    assert "Version 1" in listing and "Version 2" in listing
    old = text(leader.get(f"{EN}templates/{v1.pk}/"))
    assert "{company} og {municipality}" in old  # the placeholders, shown as typed
    assert "An older version" in old and "<textarea" not in old


def test_a_template_needs_a_clause_and_nothing_is_saved_without_one(leader, content):
    data = clause_post_data(CLAUSES[:1], **{"clauses-0-DELETE": "on"})
    response = leader.post(f"{EN}templates/new/", data)
    assert response.status_code == 200
    assert AgreementTemplate.objects.filter(alliance=content).count() == 1


def test_template_of_another_alliance_is_not_found(leader, other_alliance, content):
    ensure_starting_content(other_alliance)
    theirs = AgreementTemplate.objects.get(alliance=other_alliance)
    assert leader.get(f"{EN}templates/{theirs.pk}/").status_code == 404


# --- The catalogue ---------------------------------------------------------------------------


def test_catalogue_is_grouped_by_focus_area_and_staff_add_items(leader, content):
    page = text(leader.get(f"{EN}catalogue/"))
    assert "Transport and mobility" in page and "Emissionsfri personbilsflåde i 2030" in page
    response = leader.post(
        f"{EN}catalogue/",
        {"focus_area": "buildings", "title": "Energirenovering af bygninger", "target_year": 2030},
    )
    assert response.status_code == 302
    item = CatalogueItem.objects.get(title="Energirenovering af bygninger")
    assert item.alliance == content
    assert "Energirenovering af bygninger" in text(leader.get(f"{EN}catalogue/"))


# --- Drafting --------------------------------------------------------------------------------


def agreement_data(company, **overrides):
    data = {
        "company": company.pk,
        "language": "da",
        "partnership_form": "joint",
        "start_date": "2025-01-01",
        "end_date": "2028-01-01",
        "focus_areas": ["energy", "transport"],
        "municipality_commitments": "Rådgivning og netværk.",
    }
    return {**data, **overrides}


def test_staff_draft_an_agreement_with_a_preselected_company(leader, content, company_a, staff_x):
    page = text(leader.get(f"{EN}new/", {"company": company_a.pk}))
    assert f'<option value="{company_a.pk}" selected>' in page

    response = leader.post(f"{EN}new/", agreement_data(company_a))
    agreement = Agreement.objects.get(company=company_a)
    assert response.status_code == 302
    assert response["Location"] == f"{EN}{agreement.pk}/"
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.created_by == staff_x
    assert agreement.template.version == 1
    assert sorted(agreement.focus_area_codes()) == ["energy", "transport"]
    assert agreement.end_date == datetime.date(2028, 1, 1)


def test_a_company_of_another_alliance_cannot_be_chosen(leader, content, company_b):
    response = leader.post(f"{EN}new/", agreement_data(company_b))
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_staff_edit_a_draft_and_add_pledges_with_danish_decimal_commas(
    leader, content, company_a, staff_x
):
    agreement = services.agreement_create(
        alliance=content, company=company_a, by=staff_x, focus_areas=["energy"]
    )
    response = leader.post(
        f"{EN}{agreement.pk}/edit/",
        agreement_data(company_a, end_date="2029-06-30", focus_areas=["waste"]),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.end_date == datetime.date(2029, 6, 30)
    assert agreement.focus_area_codes() == ["waste"]

    quantitative = {
        "title": "Halvér udledningen",
        "focus_area": "energy",
        "scopes": ["1", "2"],
        "metric": "t CO2e",
        "baseline_year": "2022",
        "baseline_value": "1234,5",
        "target_year": "2030",
        "target_value": "617,25",
        "is_public": "on",
    }
    response = leader.post(f"{DA}{agreement.pk}/pledges/new/", quantitative)
    assert response.status_code == 302
    pledge = Pledge.objects.get(agreement=agreement, title="Halvér udledningen")
    assert pledge.baseline_value == Decimal("1234.5")
    assert pledge.target_value == Decimal("617.25")
    assert pledge.scopes == [1, 2]

    milestone = {"title": "100 % grøn strøm", "is_milestone": "on", "target_year": "2027"}
    assert leader.post(f"{DA}{agreement.pk}/pledges/new/", milestone).status_code == 302
    assert agreement.pledges.count() == 2

    edit = leader.post(
        f"{DA}{agreement.pk}/pledges/{pledge.pk}/edit/", {**quantitative, "target_value": "600"}
    )
    assert edit.status_code == 302
    pledge.refresh_from_db()
    assert pledge.target_value == Decimal("600")

    detail = text(leader.get(f"{EN}{agreement.pk}/"))
    assert "Halvér udledningen" in detail and "100 % grøn strøm" in detail
    assert f"{EN}{agreement.pk}/pledges/{pledge.pk}/edit/" in detail

    leader.post(f"{EN}{agreement.pk}/pledges/{pledge.pk}/delete/")
    assert list(agreement.pledges.values_list("title", flat=True)) == ["100 % grøn strøm"]


def test_an_incomplete_quantitative_pledge_is_explained(leader, content, company_a, staff_x):
    agreement = services.agreement_create(alliance=content, company=company_a, by=staff_x)
    response = leader.post(
        f"{EN}{agreement.pk}/pledges/new/", {"title": "Uden tal", "target_year": "2030"}
    )
    assert response.status_code == 200
    assert "A quantitative pledge needs this" in text(response)
    assert not agreement.pledges.exists()


def test_a_pledge_from_the_catalogue_computes_its_target(leader, content, company_a, staff_x):
    agreement = services.agreement_create(alliance=content, company=company_a, by=staff_x)
    item = CatalogueItem.objects.get(alliance=content, reduction_percent=50, focus_area="energy")
    response = leader.post(
        f"{DA}{agreement.pk}/pledges/catalogue/",
        {"item": item.pk, "baseline_year": "2022", "baseline_value": "1000,0"},
    )
    pledge = agreement.pledges.get()
    assert response.status_code == 302
    # Complete (baseline given, target computed): no extra edit page.
    assert response["Location"] == f"{DA}{agreement.pk}/"
    assert pledge.catalogue_item == item
    assert pledge.target_value == Decimal("500")
    assert pledge.scopes == [1, 2]  # every field of the catalogue entry


def test_a_catalogue_pledge_without_figures_opens_its_edit_page(
    leader, content, company_a, staff_x
):
    agreement = services.agreement_create(alliance=content, company=company_a, by=staff_x)
    item = CatalogueItem.objects.get(alliance=content, reduction_percent=50, focus_area="energy")
    response = leader.post(f"{EN}{agreement.pk}/pledges/catalogue/", {"item": item.pk})
    pledge = agreement.pledges.get()
    assert response["Location"] == f"{EN}{agreement.pk}/pledges/{pledge.pk}/edit/"
    page = text(leader.get(f"{EN}{agreement.pk}/"))
    assert "Scopes 1, 2" in page


def test_sending_without_pledges_is_refused_with_a_clear_message(
    leader, content, company_a, staff_x
):
    agreement = services.agreement_create(alliance=content, company=company_a, by=staff_x)
    response = leader.post(f"{EN}{agreement.pk}/send/", follow=True)
    assert "Add at least one pledge before sending the agreement." in text(response)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


def test_send_and_reopen(leader, alliance, company_a, staff_x):
    agreement = make_draft(alliance, company_a, staff_x)
    leader.post(f"{EN}{agreement.pk}/send/")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SENT
    assert agreement.content_sha256 == content_sha256(agreement)
    leader.post(f"{EN}{agreement.pk}/reopen/")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


@pytest.mark.parametrize("state", ["sent", "active"])
def test_a_sent_or_active_agreement_cannot_be_edited(
    leader, alliance, company_a, rep_a, staff_x, state
):
    if state == "sent":
        agreement = make_sent(alliance, company_a, staff_x)
    else:
        agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    before = content_sha256(agreement)
    pledge = agreement.pledges.first()
    base = f"{EN}{agreement.pk}/"

    response = leader.post(f"{base}edit/", agreement_data(company_a, end_date="2040-01-01"))
    assert response.status_code == 302
    assert "cannot be changed any more" in messages_of(leader.get(response["Location"]))
    assert leader.get(f"{base}edit/").status_code == 302
    leader.post(f"{base}pledges/new/", {"title": "Ny", "is_milestone": "on", "target_year": "2030"})
    leader.post(f"{base}pledges/{pledge.pk}/edit/", {"title": "Ændret", "target_year": "2031"})
    leader.post(f"{base}pledges/{pledge.pk}/delete/")
    item = CatalogueItem.objects.filter(alliance=alliance).first()
    leader.post(f"{base}pledges/catalogue/", {"item": item.pk})

    agreement.refresh_from_db()
    assert agreement.status == state
    assert agreement.end_date != datetime.date(2040, 1, 1)
    assert agreement.pledges.count() == 2
    assert content_sha256(agreement) == before


# --- Countersigning --------------------------------------------------------------------------


def test_countersigning_before_the_company_signed_is_refused(leader, alliance, company_a, staff_x):
    agreement = make_sent(alliance, company_a, staff_x)
    page = leader.get(f"{EN}{agreement.pk}/countersign/", follow=True)
    assert "The company has to sign before the municipality countersigns." in text(page)

    response = post_countersign(leader, agreement, countersign_data(content_sha256(agreement)))
    # Refused: back to the agreement, where the message says why.
    assert response.status_code == 302
    assert response["Location"] == f"{EN}{agreement.pk}/"
    page = leader.get(response["Location"])
    assert "The company has to sign before the municipality countersigns." in text(page)
    assert not Signature.objects.exists()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SENT


def test_staff_without_the_authority_to_countersign_are_refused(
    client, alliance, company_a, rep_a, staff_x
):
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)
    colleague = StaffRoleFactory(alliance=alliance, role="staff", may_countersign=False).user
    client.force_login(colleague)

    detail = text(client.get(f"{EN}{agreement.pk}/"))
    assert "You may not countersign for the municipality" in detail
    assert f"{EN}{agreement.pk}/countersign/" not in detail
    page = client.get(f"{EN}{agreement.pk}/countersign/")
    assert page.status_code == 403
    assert "You may not sign agreements for the municipality" in text(page)
    response = post_countersign(client, agreement, countersign_data(content_sha256(agreement)))
    assert response.status_code == 403
    assert not agreement.signatures.filter(party="municipality").exists()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED


def test_countersigning_through_the_page_activates_the_agreement_and_makes_the_pdf(
    leader,
    alliance,
    company_a,
    rep_a,
    staff_x,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = str(tmp_path)
    Membership.objects.filter(alliance=alliance, company=company_a).update(status="invited")
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)

    detail = text(leader.get(f"{EN}{agreement.pk}/"))
    assert f"{EN}{agreement.pk}/countersign/" in detail
    page = text(leader.get(f"{EN}{agreement.pk}/countersign/"))
    digest = content_sha256(agreement)
    assert f'value="{digest}"' in page
    assert "Halve scope 1 and 2 emissions" in page and "Alfa A/S" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = post_countersign(leader, agreement, countersign_data(digest))
    assert response.status_code == 302
    assert response["Location"] == f"{EN}{agreement.pk}/"

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    membership = Membership.objects.get(alliance=alliance, company=company_a)
    assert membership.status == Membership.Status.ACTIVE
    signature = agreement.signatures.get(party=Signature.Party.MUNICIPALITY)
    assert (signature.user, signature.typed_name) == (staff_x, "Lars Leder")
    assert signature.ip_address == IP
    assert signature.user_agent == USER_AGENT
    assert signature.content_sha256 == digest

    assert agreement.pdf
    download = leader.get(f"{EN}{agreement.pk}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    filename = f"klimapartnerskabsaftale-{agreement.verification_code}.pdf"
    assert f'attachment; filename="{filename}"' == download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")

    status = text(leader.get(f"{EN}{agreement.pk}/pdf/status/"))
    assert "PDF/A" in status and agreement.pdf_sha256 in status
    detail = text(leader.get(f"{EN}{agreement.pk}/"))
    assert "Lars Leder" in detail and "Head of climate" in detail and "UTC" in detail


def test_pdf_is_404_until_generated_and_the_status_partial_polls(
    leader, alliance, company_a, rep_a, staff_x
):
    agreement = make_sealed(alliance, company_a, rep_a, staff_x)  # PDF job not run
    assert leader.get(f"{EN}{agreement.pk}/pdf/").status_code == 404
    partial = text(leader.get(f"{EN}{agreement.pk}/pdf/status/"))
    assert 'hx-trigger="every 2s"' in partial and 'role="status"' in partial
    assert f'hx-get="{EN}{agreement.pk}/pdf/status/"' in partial
    draft = make_draft(alliance, MembershipFactory(alliance=alliance).company, staff_x)
    assert "pdf-status" not in text(leader.get(f"{EN}{draft.pk}/pdf/status/"))


def test_countersigning_a_stale_version_shows_the_new_one(
    leader, alliance, company_a, rep_a, staff_x
):
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)
    response = post_countersign(leader, agreement, countersign_data("0" * 64))
    body = text(response)
    assert "The agreement changed after you opened it" in body
    assert f'value="{content_sha256(agreement)}"' in body
    assert 'value="Lars Leder"' in body  # what was typed is kept
    assert not agreement.signatures.filter(party="municipality").exists()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED


def test_countersigning_needs_the_confirmation(leader, alliance, company_a, rep_a, staff_x):
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)
    data = countersign_data(content_sha256(agreement))
    del data["confirm"]
    response = post_countersign(leader, agreement, data)
    assert response.status_code == 400
    assert 'value="Head of climate"' in text(response)
    assert agreement.signatures.count() == 1


# --- After signing -----------------------------------------------------------------------------


def test_terminating_requires_a_reason(leader, alliance, company_a, rep_a, staff_x):
    agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    assert leader.get(f"{EN}{agreement.pk}/terminate/").status_code == 200
    response = leader.post(f"{EN}{agreement.pk}/terminate/", {"reason": "  "})
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE

    response = leader.post(f"{EN}{agreement.pk}/terminate/", {"reason": "The company closed."})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.TERMINATED
    assert agreement.terminated_on == timezone.localdate()
    assert "The company closed." in text(leader.get(f"{EN}{agreement.pk}/"))


def test_only_an_active_agreement_can_be_terminated(leader, alliance, company_a, staff_x):
    agreement = make_draft(alliance, company_a, staff_x)
    response = leader.post(f"{EN}{agreement.pk}/terminate/", {"reason": "x"}, follow=True)
    assert "Only an active agreement can be terminated." in text(response)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


def test_an_amendment_is_a_new_draft_and_the_signed_version_stays(
    leader, alliance, company_a, rep_a, staff_x
):
    signed = make_sealed(alliance, company_a, rep_a, staff_x)
    before = content_sha256(signed)
    response = leader.post(f"{EN}{signed.pk}/amend/")
    amendment = Agreement.objects.get(replaces=signed)
    assert response.status_code == 302
    assert response["Location"] == f"{EN}{amendment.pk}/"
    assert (amendment.version, amendment.status) == (2, Agreement.Status.DRAFT)
    assert amendment.pledges.count() == signed.pledges.count()

    signed.refresh_from_db()
    assert signed.status == Agreement.Status.ACTIVE
    assert content_sha256(signed) == before
    assert signed.signatures.count() == 2

    old_page = text(leader.get(f"{EN}{signed.pk}/"))
    assert "Replaced by:" in old_page and f"{EN}{amendment.pk}/" in old_page
    new_page = text(leader.get(f"{EN}{amendment.pk}/"))
    assert "Replaces:" in new_page and f"{EN}{signed.pk}/" in new_page

    again = leader.post(f"{EN}{signed.pk}/amend/", follow=True)
    assert "already exists" in text(again)
    assert Agreement.objects.filter(replaces=signed).count() == 1


# --- Lists -----------------------------------------------------------------------------------


def test_renewals_list_agreements_ending_within_90_days(leader, alliance, staff_x):
    soon = make_agreement(alliance, staff_x, name="Snart A/S", status="active", ends_in=30)
    make_agreement(alliance, staff_x, name="Senere A/S", status="active", ends_in=200)
    make_agreement(alliance, staff_x, name="Kladde A/S", status="draft", ends_in=20)
    sooner = make_agreement(alliance, staff_x, name="Først A/S", status="active", ends_in=10)
    page = text(leader.get(f"{EN}renewals/"))
    assert "Snart A/S" in page and "Først A/S" in page
    assert "Senere A/S" not in page and "Kladde A/S" not in page
    assert page.index("Først A/S") < page.index("Snart A/S")
    assert f"{EN}{soon.pk}/" in page and f"{EN}{sooner.pk}/" in page


def test_list_counts_and_filters(leader, alliance, other_alliance, staff_x, staff_y):
    make_agreement(alliance, staff_x, name="Energi A/S", focus_areas=["energy"])
    make_agreement(
        alliance, staff_x, name="Transport A/S", focus_areas=["transport"], status="sent"
    )
    make_agreement(
        alliance, staff_x, name="Netværk A/S", partnership_form="network", status="active"
    )
    make_agreement(other_alliance, staff_y, name="Aarhus A/S")

    page = leader.get(EN)
    counts = {value: n for value, _label, n in page.context["status_counts"]}
    assert (counts["draft"], counts["sent"], counts["active"], counts["signed"]) == (1, 1, 1, 0)
    assert page.context["total"] == 3
    everything = text(page)
    assert "Energi A/S" in everything and "Aarhus A/S" not in everything

    def names(**params):
        return {a.company.legal_name for a in leader.get(EN, params).context["page"]}

    assert names(status="sent") == {"Transport A/S"}
    assert names(focus="transport") == {"Transport A/S"}
    assert names(form="network") == {"Netværk A/S"}
    assert names(q="energi") == {"Energi A/S"}
    assert names(status="nonsense") == {"Energi A/S", "Transport A/S", "Netværk A/S"}


def count_queries(client, url):
    """The queries of a view just after a write: nothing is read from the cache."""
    bump_private_version()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_costs_the_same_queries_for_5_and_30_agreements(leader, alliance, staff_x):
    for n in range(5):
        make_agreement(alliance, staff_x, name=f"Firma {n:02}", focus_areas=["energy", "waste"])
    small = count_queries(leader, EN)
    for n in range(5, 30):
        make_agreement(alliance, staff_x, name=f"Firma {n:02}", focus_areas=["energy", "waste"])
    assert count_queries(leader, EN) == small
    assert count_queries(leader, f"{EN}?page=2") == small


# --- Who gets in -----------------------------------------------------------------------------


def test_staff_of_another_alliance_get_403(client, alliance, company_a, staff_x, staff_y):
    agreement = make_draft(alliance, company_a, staff_x)
    client.force_login(staff_y)
    for url in ("", "renewals/", "templates/", "catalogue/", f"{agreement.pk}/"):
        assert client.get(f"{EN}{url}").status_code == 403, url
    assert client.post(f"{EN}{agreement.pk}/send/").status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


def test_an_agreement_of_another_alliance_is_404_through_our_url(
    leader, other_alliance, company_b, staff_y
):
    ensure_starting_content(other_alliance)
    theirs = services.agreement_create(alliance=other_alliance, company=company_b, by=staff_y)
    for suffix in ("", "edit/", "countersign/", "terminate/", "pdf/", "pdf/status/"):
        assert leader.get(f"{EN}{theirs.pk}/{suffix}").status_code == 404, suffix
    assert leader.post(f"{EN}{theirs.pk}/send/").status_code == 404


@pytest.mark.parametrize("who", ["rep_a", "anonymous", "outsider"])
def test_representatives_and_anonymous_cannot_reach_staff_pages(
    client, alliance, company_a, staff_x, rep_a, who
):
    agreement = make_draft(alliance, company_a, staff_x)
    if who == "rep_a":
        client.force_login(rep_a)
    elif who == "outsider":
        client.force_login(UserFactory())
    expected = 302 if who == "anonymous" else 403
    for url in ("", f"{agreement.pk}/", f"{agreement.pk}/countersign/", "templates/new/"):
        response = client.get(f"{EN}{url}")
        assert response.status_code == expected, url
        if expected == 302:
            assert "/accounts/login/" in response["Location"]
    assert client.post(f"{EN}{agreement.pk}/send/").status_code == expected
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


def test_post_only_actions_refuse_get_for_staff(leader, alliance, company_a, staff_x):
    agreement = make_draft(alliance, company_a, staff_x)
    for suffix in ("send/", "reopen/", "amend/", "comments/", "pledges/catalogue/"):
        assert leader.get(f"{EN}{agreement.pk}/{suffix}").status_code == 405, suffix


def test_staff_comment_on_an_agreement(leader, alliance, company_a, staff_x):
    agreement = make_draft(alliance, company_a, staff_x)
    leader.post(f"{EN}{agreement.pk}/comments/", {"text": "Kan I tjekke basisåret?"})
    assert agreement.comments.get().author == staff_x
    assert "Kan I tjekke basisåret?" in text(leader.get(f"{EN}{agreement.pk}/"))
