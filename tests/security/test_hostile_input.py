"""Hostile input across the portal's forms and the open data API.

Each case sends something an attacker or a careless user might send and asserts both what
the user sees (the payload escaped, a clear message, the right status) and that nothing was
saved or half-saved: either the database is exactly as before (`db_snapshot`) or the one
row that should change holds the input verbatim.

Pages are requested in English (/en/…) so the assertions can name the messages as the
source code writes them.
"""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from companies import services as company_services
from companies.models import Company, ContactPerson, InternalNote, Story
from network import group_services
from network.models import GroupDocument, InspirationCase, Meeting, WorkingGroup
from partnerships import services
from partnerships.documents import content_sha256
from partnerships.models import Agreement, AgreementComment, Pledge, Signature
from partnerships.seed import ensure_starting_content

from ..factories import AgreementFactory, PledgeFactory
from ..test_permission_matrix import ROWS, world  # noqa: F401 (the matrix's world fixture)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DAY = datetime.date(2025, 3, 1)

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'  # fits every field
ATTRIBUTE = '"><script>alert(1)</script><a href="'
SQL = [
    "' OR '1'='1",
    "'; DROP TABLE companies_company; --",
    "%' UNION SELECT password, email FROM klimaalliance_user --",
    "\\'; SELECT pg_sleep(5); --",
]


# --- Helpers --------------------------------------------------------------------------------


def assert_escaped(html, payload=SCRIPT):
    """The payload is on the page, but only as text."""
    assert "&lt;script&gt;alert(" in html, "the payload is not shown at all"
    assert "<script>alert(" not in html
    assert "<img src=x onerror" not in html
    assert '"><script>' not in html


def db_snapshot():
    """Every row of every table (sessions aside: messages live there), for "nothing saved"."""
    rows = {}
    for model in apps.get_models():
        if model is Session or model._meta.app_label == "axes":
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return rows


def changed_tables(before, after):
    return sorted(label for label in before if before[label] != after[label])


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def viewer(url, roles):
    """A client signed in as whoever may see `url`: staff, the representative or anyone."""
    client = Client()
    if "/staff/" in url:
        client.force_login(roles["staff_x"])
    elif "/my/" in url:
        client.force_login(roles["rep_a"])
    return client


def png_bytes(size=(40, 20), color="green"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML_FILE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)
OVERSIZE = 2 * 1024 * 1024 + 1  # one byte over the 2 MB of logos and story images


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


# --- The world --------------------------------------------------------------------------------


@pytest.fixture
def w(settings, tmp_path, alliance, company_a, staff_x, rep_a):
    """Company A in alliance X with a draft, a sent and an active agreement, a working group
    with a published paper, an inspiration case and an approved story."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ensure_starting_content(alliance)
    company_a.description = "Vi kører grønt."
    company_a.save()

    def draft(title):
        agreement = services.agreement_create(
            alliance=alliance, company=company_a, by=staff_x, focus_areas=["energy"]
        )
        Pledge.objects.create(
            agreement=agreement,
            order=1,
            title=title,
            focus_area="energy",
            scopes=[1, 2],
            metric="t CO2e",
            baseline_year=2022,
            baseline_value=Decimal("1200"),
            target_year=2030,
            target_value=Decimal("600"),
        )
        return agreement

    sent = services.agreement_send(agreement=draft("Sendt tilsagn"), by=staff_x)
    active = AgreementFactory(alliance=alliance, company=company_a, focus_areas=["energy"])
    PledgeFactory(agreement=active, title="Offentligt tilsagn")
    group = WorkingGroup.objects.create(
        alliance=alliance, name="Grøn mobilitet", theme="mobility", status="active"
    )
    group_services.member_add(group=group, company=company_a, on=DAY)
    case = InspirationCase.objects.create(
        alliance=alliance,
        title="Fælles varekørsel",
        municipality=alliance.municipality,
        partnership_form="procurement",
        focus_area="transport",
        what_was_done="Samlet kørsel.",
        is_published=True,
        created_by=staff_x,
    )
    return {
        "alliance": alliance,
        "company": company_a,
        "draft": draft("Halver udledningen"),
        "sent": sent,
        "active": active,
        "group": group,
        "case": case,
        "contact": ContactPerson.objects.create(company=company_a, name="Kim", email="kim@alfa.dk"),
    }


@pytest.fixture
def staff(client, staff_x):
    client.force_login(staff_x)
    return client


@pytest.fixture
def rep(client, rep_a):
    client.force_login(rep_a)
    return client


STAFF = "/en/aalborg/staff"


def company_url(w, rest=""):
    return f"{STAFF}/companies/{w['company'].pk}/{rest}"


def company_form_data(company, **overrides):
    data = {
        "cvr": company.cvr,
        "legal_name": company.legal_name,
        "industry": company.industry,
        "display_name": company.display_name,
        "sub_industry": company.sub_industry,
        "size_band": company.size_band,
        "address": company.address,
        "postcode": company.postcode,
        "city": company.city,
        "website": company.website,
        "description": company.description,
        "description_en": company.description_en,
        "logo_alt": company.logo_alt,
    }
    data.update(overrides)
    return data


def profile_form_data(company, **overrides):
    data = company_form_data(company, **overrides)
    for name in ("cvr", "legal_name", "industry"):
        data.pop(name)
    return data


PLEDGE = {
    "title": "Grøn strøm",
    "description": "",
    "focus_area": "energy",
    "scopes": ["2"],
    "metric": "t CO2e",
    "baseline_year": "2022",
    "baseline_value": "100",
    "target_year": "2030",
    "target_value": "50",
    "is_public": "on",
}
GROUP = {"name": "Cirkulær byggeri", "theme": "mobility", "status": "active", "chair_mode": "fixed"}
CASE = {
    "title": "Delebiler",
    "municipality": "Aalborg Kommune",
    "partnership_form": "procurement",
    "focus_area": "transport",
    "companies_involved": "",
    "what_was_done": "Fælles delebilsordning.",
    "results": "",
    "contact": "",
    "source": "",
    "is_published": "on",
}


# --- 1. Script and HTML in every text field that is shown again ---------------------------------


def _story_then_approve(client, w, staff_x, field):
    """A representative submits a story with the payload; staff approve it."""
    data = {"alliance": w["alliance"].pk, "title": "Cykler", "text": "Vi cykler."}
    data[field] = SCRIPT
    response = client.post(f"/en/my/companies/{w['company'].pk}/stories/new/", data)
    assert response.status_code == 302
    story = Story.objects.get(company=w["company"])
    assert getattr(story, field) == SCRIPT
    company_services.story_review(story=story, by=staff_x, approve=True, comment="")
    return story


XSS_CASES = {
    # name: (role, url to post, data, (model, lookup, field) stored verbatim, pages showing it)
    "company description (staff)": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: company_form_data(w["company"], description=SCRIPT),
        lambda w: Company.objects.get(pk=w["company"].pk).description,
        lambda w: [company_url(w), f"/aalborg/partners/{w['company'].cvr}/"],
    ),
    "company display name (staff)": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: company_form_data(w["company"], display_name=SCRIPT),
        lambda w: Company.objects.get(pk=w["company"].pk).display_name,
        lambda w: [
            f"{STAFF}/companies/",
            "/aalborg/partners/",
            f"/aalborg/partners/{w['company'].cvr}/",
            "/aalborg/embed/",
        ],
    ),
    "company English description (representative)": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/edit/",
        lambda w: profile_form_data(w["company"], description_en=SCRIPT),
        lambda w: Company.objects.get(pk=w["company"].pk).description_en,
        lambda w: [
            f"/en/my/companies/{w['company'].pk}/",
            f"/en/aalborg/partners/{w['company'].cvr}/",
        ],
    ),
    "company sub-industry (representative)": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/edit/",
        lambda w: profile_form_data(w["company"], sub_industry=SCRIPT),
        lambda w: Company.objects.get(pk=w["company"].pk).sub_industry,
        lambda w: [f"/aalborg/partners/{w['company'].cvr}/"],
    ),
    "contact name (staff)": (
        "staff_x",
        lambda w: company_url(w, "contacts/new/"),
        lambda w: {"name": SCRIPT, "title": "", "email": "ny@alfa.dk", "phone": ""},
        lambda w: ContactPerson.objects.get(email="ny@alfa.dk").name,
        lambda w: [company_url(w), f"/en/my/companies/{w['company'].pk}/"],
    ),
    "contact title (representative)": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/contacts/new/",
        lambda w: {"name": "Ny", "title": SCRIPT, "email": "ny@alfa.dk", "phone": ""},
        lambda w: ContactPerson.objects.get(email="ny@alfa.dk").title,
        lambda w: [company_url(w), f"/en/my/companies/{w['company'].pk}/"],
    ),
    "agreement comment (representative)": (
        "rep_a",
        lambda w: f"/en/my/agreements/{w['draft'].pk}/comments/",
        lambda w: {"text": SCRIPT},
        lambda w: AgreementComment.objects.get(agreement=w["draft"]).text,
        lambda w: [f"/en/my/agreements/{w['draft'].pk}/", f"{STAFF}/agreements/{w['draft'].pk}/"],
    ),
    "agreement comment (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/comments/",
        lambda w: {"text": SCRIPT},
        lambda w: AgreementComment.objects.get(agreement=w["draft"]).text,
        lambda w: [f"/en/my/agreements/{w['draft'].pk}/", f"{STAFF}/agreements/{w['draft'].pk}/"],
    ),
    "pledge title (staff), also in the document preview": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "title": SCRIPT},
        lambda w: Pledge.objects.get(agreement=w["draft"], order=2).title,
        lambda w: [f"{STAFF}/agreements/{w['draft'].pk}/", f"/en/my/agreements/{w['draft'].pk}/"],
    ),
    "pledge description (representative)": (
        "rep_a",
        lambda w: f"/en/my/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "description": SCRIPT},
        lambda w: Pledge.objects.get(agreement=w["draft"], order=2).description,
        lambda w: [f"{STAFF}/agreements/{w['draft'].pk}/", f"/en/my/agreements/{w['draft'].pk}/"],
    ),
    "municipality's commitments in the agreement (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/edit/",
        lambda w: {
            "language": "da",
            "partnership_form": "joint",
            "start_date": "2025-01-01",
            "end_date": "2028-01-01",
            "municipality_commitments": SCRIPT,
            "focus_areas": ["energy"],
        },
        lambda w: Agreement.objects.get(pk=w["draft"].pk).municipality_commitments,
        lambda w: [f"{STAFF}/agreements/{w['draft'].pk}/", f"/en/my/agreements/{w['draft'].pk}/"],
    ),
    "working group name (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/groups/new/",
        lambda w: {**GROUP, "name": SCRIPT},
        lambda w: WorkingGroup.objects.get(theme="mobility", name__startswith="<").name,
        lambda w: [
            f"{STAFF}/groups/",
            "/aalborg/groups/",
            f"/aalborg/groups/{WorkingGroup.objects.get(name__startswith='<').pk}/",
        ],
    ),
    "working group description (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/edit/",
        lambda w: {**GROUP, "name": "Grøn mobilitet", "description": SCRIPT},
        lambda w: WorkingGroup.objects.get(pk=w["group"].pk).description,
        lambda w: [
            f"{STAFF}/groups/{w['group'].pk}/",
            "/aalborg/groups/",
            f"/aalborg/groups/{w['group'].pk}/",
            f"/en/my/groups/{w['group'].pk}/",
        ],
    ),
    "meeting agenda (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/meetings/new/",
        lambda w: {"date": "2025-05-01", "agenda": SCRIPT, "minutes": ""},
        lambda w: Meeting.objects.get(group=w["group"]).agenda,
        lambda w: [f"{STAFF}/groups/{w['group'].pk}/", f"/en/my/groups/{w['group'].pk}/"],
    ),
    "meeting minutes (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/meetings/new/",
        lambda w: {"date": "2025-05-01", "agenda": "Opstart", "minutes": SCRIPT},
        lambda w: Meeting.objects.get(group=w["group"]).minutes,
        lambda w: [f"{STAFF}/groups/{w['group'].pk}/", f"/en/my/groups/{w['group'].pk}/"],
    ),
    "inspiration case title (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/groups/cases/new/",
        lambda w: {**CASE, "title": SCRIPT},
        lambda w: InspirationCase.objects.get(what_was_done=CASE["what_was_done"]).title,
        lambda w: [
            f"{STAFF}/groups/cases/",
            "/inspiration/",
            f"/inspiration/{InspirationCase.objects.latest('pk').pk}/",
        ],
    ),
    "inspiration case texts (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/groups/cases/new/",
        lambda w: {**CASE, "what_was_done": SCRIPT, "results": SCRIPT, "contact": SCRIPT},
        lambda w: InspirationCase.objects.get(title=CASE["title"]).what_was_done,
        lambda w: ["/inspiration/", f"/inspiration/{InspirationCase.objects.latest('pk').pk}/"],
    ),
    "internal note (staff)": (
        "staff_x",
        lambda w: company_url(w, "notes/"),
        lambda w: {"text": SCRIPT},
        lambda w: InternalNote.objects.get(company=w["company"]).text,
        lambda w: [company_url(w)],
    ),
    "dialogue summary (staff)": (
        "staff_x",
        lambda w: company_url(w, "dialogues/"),
        lambda w: {"date": "2025-03-01", "kind": "phone", "summary": SCRIPT, "follow_up_on": ""},
        lambda w: w["company"].dialogues.get().summary,
        lambda w: [company_url(w)],
    ),
    "membership level name (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/companies/levels/",
        lambda w: {"name": SCRIPT, "name_en": "", "rank": "1", "description": SCRIPT},
        lambda w: w["alliance"].levels.get().description,
        lambda w: [f"{STAFF}/companies/levels/", company_url(w)],
    ),
    "catalogue pledge title (staff)": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/catalogue/",
        lambda w: {
            "focus_area": "energy",
            "title": SCRIPT,
            "title_en": "",
            "description": "",
            "metric": "t CO2e",
            "reduction_percent": "50",
            "target_year": "2030",
        },
        lambda w: w["alliance"].catalogue_items.get(title=SCRIPT).title,
        lambda w: [
            f"{STAFF}/agreements/catalogue/",
            f"{STAFF}/agreements/{w['draft'].pk}/",
            f"/en/my/agreements/{w['draft'].pk}/",
        ],
    ),
}


@pytest.mark.parametrize("name", list(XSS_CASES))
def test_script_in_a_text_field_is_stored_verbatim_and_shown_escaped(name, w, client, roles):
    role, url, data, stored, pages = XSS_CASES[name]
    client.force_login(roles[role])
    response = client.post(url(w), data(w))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(w) == SCRIPT
    for address in pages(w):
        assert_escaped(page(viewer(address, roles), address))


@pytest.mark.parametrize("field", ["title", "text"])
def test_script_in_a_story_is_escaped_for_staff_the_public_and_the_feed(
    field, w, client, rep_a, staff_x
):
    client.force_login(rep_a)
    story = _story_then_approve(client, w, staff_x, field)
    client.force_login(staff_x)
    if field == "title":  # the review list shows titles only
        assert_escaped(page(client, f"{STAFF}/companies/stories/"))
    client.logout()
    assert_escaped(page(client, "/aalborg/stories/"))
    assert_escaped(page(client, f"/aalborg/stories/{story.pk}/"))
    feed = page(client, "/aalborg/stories/feed/")
    assert "<script>alert(" not in feed
    assert "&lt;script&gt;alert(" in feed


def test_script_in_the_story_review_comment_is_escaped_for_the_company(w, client, rep_a, staff_x):
    story = Story.objects.create(
        alliance=w["alliance"], company=w["company"], title="Cykler", text="Vi cykler."
    )
    client.force_login(staff_x)
    response = client.post(
        f"{STAFF}/companies/stories/{story.pk}/review/", {"decision": "reject", "comment": SCRIPT}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.review_comment == SCRIPT
    client.force_login(rep_a)
    assert_escaped(page(client, f"/en/my/companies/{w['company'].pk}/"))


def test_script_in_a_typed_signature_name_is_escaped_for_the_municipality(
    w, client, rep_a, staff_x
):
    sent = w["sent"]
    client.force_login(rep_a)
    response = client.post(
        f"/en/my/agreements/{sent.pk}/sign/",
        {
            "typed_name": SCRIPT,
            "title": "CEO",
            "confirm": "on",
            "content_sha256": content_sha256(sent),
        },
    )
    assert response.status_code == 302
    assert Signature.objects.get(agreement=sent).typed_name == SCRIPT
    assert_escaped(page(client, f"/en/my/agreements/{sent.pk}/"))
    client.force_login(staff_x)
    assert_escaped(page(client, f"{STAFF}/agreements/{sent.pk}/"))


def test_script_in_a_document_title_is_escaped_on_the_group_pages(w, client, staff_x):
    group = w["group"]
    client.force_login(staff_x)
    response = client.post(
        f"{STAFF}/groups/{group.pk}/documents/new/",
        {"title": SCRIPT, "file": upload("guide.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    document = GroupDocument.objects.get(group=group)
    assert document.title == SCRIPT
    group_services.document_set_published(document=document, published=True)
    assert_escaped(page(client, f"{STAFF}/groups/{group.pk}/"))
    client.logout()
    assert_escaped(page(client, f"/aalborg/groups/{group.pk}/"))


def test_script_in_a_commitment_paper_is_escaped_in_its_preview(w, client, staff_x):
    group = w["group"]
    client.force_login(staff_x)
    response = client.post(
        f"{STAFF}/groups/{group.pk}/papers/new/",
        {"title": SCRIPT, "title_en": "", "text": SCRIPT, "text_en": "", "target_year": "2030"},
    )
    assert response.status_code == 302
    paper = group.papers.get()
    assert (paper.title, paper.text) == (SCRIPT, SCRIPT)
    assert_escaped(page(client, f"{STAFF}/groups/papers/{paper.pk}/"))
    assert_escaped(page(client, f"{STAFF}/groups/{group.pk}/"))


def test_script_in_a_template_clause_is_escaped_in_every_agreement_preview(w, client, staff_x):
    client.force_login(staff_x)
    data = {
        "title": "Klimapartnerskabsaftale",
        "title_en": "",
        "clauses-TOTAL_FORMS": "1",
        "clauses-INITIAL_FORMS": "0",
        "clauses-MIN_NUM_FORMS": "1",
        "clauses-MAX_NUM_FORMS": "1000",
        "clauses-0-heading": SCRIPT,
        "clauses-0-heading_en": "",
        "clauses-0-text": SCRIPT,
        "clauses-0-text_en": "",
    }
    response = client.post(f"{STAFF}/agreements/templates/new/", data)
    assert response.status_code == 302
    template = services.current_template(w["alliance"])
    assert template.clauses.get().text == SCRIPT
    assert_escaped(page(client, response["Location"]))
    agreement = services.agreement_create(
        alliance=w["alliance"], company=w["company"], by=staff_x, focus_areas=["energy"]
    )
    assert_escaped(page(client, f"{STAFF}/agreements/{agreement.pk}/"))


def test_script_in_a_membership_status_note_is_escaped_in_the_history(w, client, staff_x):
    client.force_login(staff_x)
    response = client.post(
        company_url(w, "status/"),
        {"status": "paused", "note": SCRIPT, "reason": "", "ended_on": ""},
    )
    assert response.status_code == 302
    assert w["company"].memberships.get().events.get(to_status="paused").note == SCRIPT
    assert_escaped(page(client, company_url(w)))


SEARCHES = {
    "public partner list": "/aalborg/partners/?q=",
    "public partner list (htmx)": "/aalborg/partners/?q=",
    "inspiration catalogue": "/inspiration/?q=",
    "staff member list": f"{STAFF}/companies/?q=",
    "staff agreement list": f"{STAFF}/agreements/?q=",
}


@pytest.mark.parametrize("name", list(SEARCHES))
def test_script_in_a_search_box_comes_back_escaped(name, w, client, staff_x):
    from urllib.parse import quote

    client.force_login(staff_x)
    headers = {"HX-Request": "true"} if "htmx" in name else {}
    before = db_snapshot()
    response = client.get(SEARCHES[name] + quote(ATTRIBUTE), headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert '"><script>' not in html
    if not headers:  # the full page shows the search term in the search box
        assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert changed_tables(before, db_snapshot()) == []


def test_website_with_a_javascript_address_is_refused(w, client, staff_x):
    client.force_login(staff_x)
    before = db_snapshot()
    response = client.post(
        company_url(w, "edit/"),
        company_form_data(w["company"], website="javascript:alert(document.cookie)"),
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []


# --- 2. SQL-looking strings ----------------------------------------------------------------------


@pytest.mark.parametrize("sql", SQL)
@pytest.mark.parametrize(
    "url",
    [
        "/aalborg/partners/?q=",
        "/inspiration/?q=",
        "/api/v1/partners/?q=",
        f"{STAFF}/companies/?q=",
        f"{STAFF}/agreements/?q=",
    ],
)
def test_sql_in_a_search_finds_nothing_and_breaks_nothing(url, sql, w, client, staff_x):
    from urllib.parse import quote

    client.force_login(staff_x)
    before = db_snapshot()
    response = client.get(url + quote(sql))
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["count"] == 0
    assert Company.objects.filter(pk=w["company"].pk).exists()
    assert changed_tables(before, db_snapshot()) == []


@pytest.mark.parametrize("sql", SQL)
def test_sql_in_a_contact_name_is_stored_verbatim(sql, w, client, staff_x):
    client.force_login(staff_x)
    response = client.post(
        company_url(w, "contacts/new/"),
        {"name": sql, "title": sql[:120], "email": "sql@alfa.dk", "phone": ""},
    )
    assert response.status_code == 302
    contact = ContactPerson.objects.get(email="sql@alfa.dk")
    assert (contact.name, contact.title) == (sql, sql[:120])
    assert Company.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/aalborg/partners/%27%20OR%201=1--/",
        "/api/v1/partners/%27%20OR%201=1--/",
        "/api/v1/alliances/aalborg%27--/",
        "/api/v1/pledges/?alliance=aalborg%27%20OR%20%271%27=%271",
        "/api/v1/pledges/?cvr=1%20OR%201=1",
    ],
)
def test_sql_in_an_address_is_not_found_or_refused(url, w, client):
    response = client.get(url)
    assert response.status_code in (400, 404), response.status_code
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")


def test_sql_as_a_verification_code_verifies_nothing(w, client):
    response = client.get("/en/verify/?code=%27%20OR%201=1--")
    assert response.status_code == 200
    assert "The code is not the code of a known signed agreement." in response.content.decode()


# --- 3. NUL bytes and other control characters ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/aalborg/partners/?q=a%00b",
        "/inspiration/?q=a%00b",
        "/api/v1/partners/?q=a%00b",
        "/api/v1/pledges/?alliance=a%00b",
        "/verify/?code=AB%00CD",
        "/aalborg/partners/1234%005678/",
        "/invitation/abc%00def/",
    ],
)
def test_a_nul_byte_in_a_query_or_address_is_no_500(url, w, client):
    response = client.get(url)
    assert response.status_code in (200, 400, 404), response.status_code


def test_a_nul_byte_in_the_cvr_of_an_existing_company_is_404(w, client, staff_x):
    client.force_login(staff_x)
    before = db_snapshot()
    response = client.post(f"{STAFF}/companies/new/", {"add_existing": "1234\x005678"})
    assert response.status_code == 404
    assert changed_tables(before, db_snapshot()) == []


def test_a_nul_byte_in_the_login_name_is_a_form_error(w, client):
    response = client.post(
        "/en/accounts/login/", {"username": "rep@alfa.example\x00", "password": "x"}
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_nul_byte_in_a_form_is_a_form_error(w, client, staff_x):
    client.force_login(staff_x)
    before = db_snapshot()
    response = client.post(
        company_url(w, "contacts/new/"),
        {"name": "Kim\x00Larsen", "title": "", "email": "kl@alfa.dk", "phone": ""},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []


# --- 4. Very long strings ------------------------------------------------------------------------

LONG_CASES = {
    # name: (role, url, data, the expected error)
    "contact name over 150": (
        "staff_x",
        lambda w: company_url(w, "contacts/new/"),
        lambda w: {"name": "x" * 151, "email": "long@alfa.dk"},
        "Ensure this value has at most 150 characters (it has 151).",
    ),
    "legal name over 200": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: company_form_data(w["company"], legal_name="A" * 5000),
        "Ensure this value has at most 200 characters (it has 5000).",
    ),
    "story text over 4000": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/stories/new/",
        lambda w: {"alliance": w["alliance"].pk, "title": "Lang", "text": "x" * 4001},
        "Ensure this value has at most 4000 characters (it has 4001).",
    ),
    "pledge title over 200": (
        "rep_a",
        lambda w: f"/en/my/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "title": "T" * 201},
        "Ensure this value has at most 200 characters (it has 201).",
    ),
    "working group name over 150": (
        "staff_x",
        lambda w: f"{STAFF}/groups/new/",
        lambda w: {**GROUP, "name": "G" * 100_000},
        "Ensure this value has at most 150 characters (it has 100000).",
    ),
    "case title over 200": (
        "staff_x",
        lambda w: f"{STAFF}/groups/cases/new/",
        lambda w: {**CASE, "title": "C" * 201},
        "Ensure this value has at most 200 characters (it has 201).",
    ),
    "typed signature name over 150": (
        "rep_a",
        lambda w: f"/en/my/agreements/{w['sent'].pk}/sign/",
        lambda w: {
            "typed_name": "N" * 151,
            "title": "CEO",
            "confirm": "on",
            "content_sha256": content_sha256(w["sent"]),
        },
        "Ensure this value has at most 150 characters (it has 151).",
    ),
}


@pytest.mark.parametrize("name", list(LONG_CASES))
def test_a_too_long_string_is_a_clear_error_and_nothing_is_saved(name, w, client, roles):
    role, url, data, message = LONG_CASES[name]
    client.force_login(roles[role])
    before = db_snapshot()
    response = client.post(url(w), data(w))
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []


def test_a_too_long_search_is_ignored_on_the_page_and_a_400_in_the_api(w, client):
    assert client.get("/aalborg/partners/?q=" + "x" * 5000).status_code == 200
    response = client.get("/api/v1/partners/?q=" + "x" * 5000)
    assert response.status_code == 400
    assert response.json() == {"q": ["Search at most 100 characters."]}


# --- 5. Wrong types: letters in numbers, impossible dates, negative numbers -----------------------

WRONG_TYPE_CASES = {
    # name: (role, url, data, the field with the error, the expected error)
    "letters as baseline year": (
        "rep_a",
        lambda w: f"/en/my/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "baseline_year": "twenty"},
        "Enter a whole number.",
    ),
    "negative baseline value": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "baseline_value": "-100"},
        "Ensure this value is greater than or equal to 0.",
    ),
    "a target value beyond 14 digits": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "target_value": "1" + "0" * 30},
        "Ensure that there are no more than 14 digits in total.",
    ),
    "NaN as a target value": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "target_value": "NaN"},
        "Enter a number.",
    ),
    "a year far in the future": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "target_year": "99999"},
        "Ensure this value is less than or equal to",
    ),
    "13th month in a dialogue date": (
        "staff_x",
        lambda w: company_url(w, "dialogues/"),
        lambda w: {"date": "2025-13-45", "kind": "phone", "summary": "Opkald"},
        "Enter a valid date.",
    ),
    "impossible agreement end date": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/edit/",
        lambda w: {
            "language": "da",
            "partnership_form": "joint",
            "start_date": "2025-01-01",
            "end_date": "2028-02-30",
            "focus_areas": ["energy"],
        },
        "Enter a valid date.",
    ),
    "letters as a meeting date": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/meetings/new/",
        lambda w: {"date": "yesterday", "agenda": "Opstart"},
        "Enter a valid date.",
    ),
    "letters as a paper's target year": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/papers/new/",
        lambda w: {"title": "Papir", "text": "Vi lover.", "target_year": "2O3O"},
        "Enter a whole number.",
    ),
    "negative catalogue reduction": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/catalogue/",
        lambda w: {"focus_area": "energy", "title": "Mindre", "reduction_percent": "-20"},
        "Ensure this value is greater than or equal to 0.",
    ),
    "an unknown company id when drafting": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/new/",
        lambda w: {
            "company": "abc",
            "language": "da",
            "partnership_form": "joint",
            "start_date": "2025-01-01",
            "end_date": "2028-01-01",
            "focus_areas": ["energy"],
        },
        "Select a valid choice. That choice is not one of the available choices.",
    ),
    "an unknown focus area": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "focus_area": "'; DROP TABLE x; --"},
        "Select a valid choice.",
    ),
    "scope 4": (
        "staff_x",
        lambda w: f"{STAFF}/agreements/{w['draft'].pk}/pledges/new/",
        lambda w: {**PLEDGE, "scopes": ["4"]},
        "Select a valid choice. 4 is not one of the available choices.",
    ),
}


@pytest.mark.parametrize("name", list(WRONG_TYPE_CASES))
def test_a_value_of_the_wrong_type_is_a_clear_error_and_nothing_is_saved(name, w, client, roles):
    role, url, data, message = WRONG_TYPE_CASES[name]
    client.force_login(roles[role])
    before = db_snapshot()
    response = client.post(url(w), data(w))
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []


@pytest.mark.parametrize(
    "url",
    [
        f"{STAFF}/companies/{10**20}/",
        f"{STAFF}/agreements/{10**20}/",
        f"/en/my/agreements/{2**63}/",
        f"/aalborg/stories/{10**30}/",
        f"/inspiration/{2**64}/",
        f"/aalborg/groups/{10**25}/",
    ],
)
def test_an_id_beyond_the_database_range_is_404(url, w, client, staff_x):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's driver cannot send such an integer at all; production is PostgreSQL")
    client.force_login(staff_x)
    assert client.get(url).status_code == 404


def test_a_date_that_does_not_exist_is_refused_when_a_member_leaves(w, client, staff_x, company_b):
    """The leaving date is optional, but a mistyped one must not be replaced by today."""
    group = w["group"]
    member = group.members.get(company=w["company"])
    client.force_login(staff_x)
    before = db_snapshot()
    response = client.post(
        f"{STAFF}/groups/{group.pk}/members/{member.pk}/leave/", {"on": "2025-02-30"}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert changed_tables(before, db_snapshot()) == []
    member.refresh_from_db()
    assert member.left_on is None


API_CASES = {
    # query: (status, text in the JSON)
    "/api/v1/partners/?industry=ZZ": (400, "Unknown industry."),
    "/api/v1/partners/?focus=1;DROP": (400, "Unknown focus area."),
    "/api/v1/partners/?sort=password": (400, "Unknown sort order."),
    "/api/v1/partners/?lang=xx": (400, "Unknown language."),
    "/api/v1/partners/?alliance=%3Cscript%3E": (404, "No alliance has this slug."),
    "/api/v1/pledges/?cvr=abcdefgh": (400, "A CVR number is 8 digits."),
    "/api/v1/pledges/?cvr=-1234567": (400, "A CVR number is 8 digits."),
    "/api/v1/totals/?alliance=nowhere": (404, "No alliance has this slug."),
    "/api/v1/partners/abc/": (404, "A CVR number is 8 digits."),
    "/api/v1/partners/%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98/": (
        404,
        "A CVR number is 8 digits.",  # full-width digits are not ASCII digits
    ),
    "/api/v1/alliances/aalborg/partners.csv?lang=%00": (400, "Unknown language."),
}


@pytest.mark.parametrize("url", list(API_CASES))
def test_the_api_answers_bad_parameters_with_json_errors(url, w, client):
    status, text = API_CASES[url]
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert text in response.content.decode()


@pytest.mark.parametrize(
    "query", ["limit=abc", "limit=-5", "offset=-1", "offset=abc", "limit=99999999999999999999"]
)
def test_the_api_ignores_an_impossible_page_size(query, w, client):
    response = client.get(f"/api/v1/partners/?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- 6. Files that lie about their type, and oversize files --------------------------------------


def _logo_post(w, logo):
    return company_form_data(w["company"], logo=logo, logo_alt="Logo")


FILE_CASES = {
    # name: (role, url, data with the file, the expected message)
    "logo: a PNG that is really HTML": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: _logo_post(w, upload("logo.png", HTML_FILE, "image/png")),
        "The file is not a PNG, JPEG or WebP image.",
    ),
    "logo: an SVG with a script": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/edit/",
        lambda w: {
            **profile_form_data(w["company"]),
            "logo_alt": "Logo",
            "logo": upload("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
        },
        "The file is not a PNG, JPEG or WebP image.",
    ),
    "logo: a PDF named .jpg": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: _logo_post(w, upload("logo.jpg", PDF, "image/jpeg")),
        "The file is not a PNG, JPEG or WebP image.",
    ),
    "logo: a GIF (a real image of another format)": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: _logo_post(w, upload("logo.png", _gif(), "image/png")),
        "The logo must be a PNG, JPEG or WebP image (not GIF).",
    ),
    "logo: over 2 MB": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: _logo_post(w, upload("logo.png", png_bytes() + b"\0" * OVERSIZE, "image/png")),
        "it may be at most 2 MB.",
    ),
    "logo: a decompression bomb": (
        "staff_x",
        lambda w: company_url(w, "edit/"),
        lambda w: _logo_post(w, upload("logo.png", _bomb(), "image/png")),
        "The file is not a PNG, JPEG or WebP image.",
    ),
    "story image: a PDF named .jpg": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/stories/new/",
        lambda w: {
            "alliance": w["alliance"].pk,
            "title": "Cykler",
            "text": "Vi cykler.",
            "image_alt": "Cykler",
            "image": upload("cykler.jpg", PDF, "image/jpeg"),
        },
        "The file is not a PNG, JPEG or WebP image.",
    ),
    "story image: over 2 MB": (
        "rep_a",
        lambda w: f"/en/my/companies/{w['company'].pk}/stories/new/",
        lambda w: {
            "alliance": w["alliance"].pk,
            "title": "Cykler",
            "text": "Vi cykler.",
            "image_alt": "Cykler",
            "image": upload("cykler.png", png_bytes() + b"\0" * OVERSIZE, "image/png"),
        },
        "it may be at most 2 MB.",
    ),
    "group document: a .pdf that is really HTML": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/documents/new/",
        lambda w: {"title": "Guide", "file": upload("guide.pdf", HTML_FILE, "application/pdf")},
        "The file is not a PDF document, whatever its name says.",
    ),
    "group document: a .pdf that is really a PNG": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/documents/new/",
        lambda w: {"title": "Guide", "file": upload("guide.pdf", png_bytes(), "application/pdf")},
        "The file is not a PDF document, whatever its name says.",
    ),
    "group document: a PDF named .html": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/documents/new/",
        lambda w: {"title": "Guide", "file": upload("guide.html", PDF, "text/html")},
        "Upload a PDF file (the file name must end in .pdf).",
    ),
    "group document: over 10 MB": (
        "staff_x",
        lambda w: f"{STAFF}/groups/{w['group'].pk}/documents/new/",
        lambda w: {
            "title": "Guide",
            "file": upload("guide.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf"),
        },
        "a document may be at most 10 MB.",
    ),
    "company import: an .xlsx that is really HTML": (
        "staff_x",
        lambda w: f"{STAFF}/companies/import/",
        lambda w: {"file": upload("firmaer.xlsx", HTML_FILE)},
        "The XLSX file cannot be read.",
    ),
    "company import: a .csv that is really a PNG": (
        "staff_x",
        lambda w: f"{STAFF}/companies/import/",
        lambda w: {"file": upload("firmaer.csv", png_bytes(), "text/csv")},
        "This is not a CSV file.",
    ),
    "company import: an executable": (
        "staff_x",
        lambda w: f"{STAFF}/companies/import/",
        lambda w: {"file": upload("firmaer.exe", b"MZ\x90\x00")},
        "Upload a CSV or XLSX file",
    ),
    "company import: over 5 MB": (
        "staff_x",
        lambda w: f"{STAFF}/companies/import/",
        lambda w: {
            "file": upload("firmaer.csv", b"cvr;legal_name;industry\n" + b"x" * (5 * 1024 * 1024))
        },
        "The file is larger than 5 MB.",
    ),
}


def _gif():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    return buffer.getvalue()


def _bomb():
    """A small PNG that claims to be 20,000 × 20,000 pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(FILE_CASES))
def test_a_lying_or_oversize_file_is_refused_with_a_message_and_nothing_is_saved(
    name, w, client, roles, settings
):
    role, url, data, message = FILE_CASES[name]
    client.force_login(roles[role])
    before = db_snapshot()
    response = client.post(url(w), data(w))
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []
    assert media_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("aftale.pdf", png_bytes(), "The file is not a PDF."),
        ("aftale.pdf", HTML_FILE, "The file is not a PDF."),
        ("aftale.pdf", PDF + b"0" * (20 * 1024 * 1024), "The file is larger than 20 MB"),
    ],
)
def test_the_verification_page_refuses_a_file_that_is_no_pdf(
    name, content, message, w, client, settings
):
    before = db_snapshot()
    response = client.post("/en/verify/", {"file": upload(name, content, "application/pdf")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []
    assert media_files(settings) == []


def test_a_real_image_as_logo_is_re_encoded_so_only_pixels_survive(w, client, staff_x, settings):
    """The counterpart of the refusals: a PNG with text chunks comes out as a clean PNG."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT)
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 400), "green").save(buffer, format="PNG", pnginfo=info)
    client.force_login(staff_x)
    response = client.post(
        company_url(w, "edit/"),
        _logo_post(w, upload("logo.png", buffer.getvalue(), "image/png")),
    )
    assert response.status_code == 302
    company = Company.objects.get(pk=w["company"].pk)
    stored = Path(settings.MEDIA_ROOT, company.logo.name).read_bytes()
    assert b"<script>" not in stored
    assert Image.open(io.BytesIO(stored)).size == (800, 200)


# --- 7. Stale form versions (optimistic locking on the content hash) ------------------------------


def test_signing_an_agreement_that_changed_since_it_was_opened_signs_nothing(
    w, client, rep_a, staff_x
):
    sent = w["sent"]
    seen = content_sha256(sent)
    # Staff reopen the agreement, change a pledge and send it again meanwhile.
    services.agreement_reopen(agreement=sent, by=staff_x)
    pledge = sent.pledges.get()
    pledge.target_value = Decimal("300")
    pledge.save()
    services.agreement_send(agreement=sent, by=staff_x)
    client.force_login(rep_a)
    before = db_snapshot()
    response = client.post(
        f"/en/my/agreements/{sent.pk}/sign/",
        {"typed_name": "Anna Alfa", "title": "CEO", "confirm": "on", "content_sha256": seen},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The agreement changed after you opened it." in html
    assert content_sha256(sent) in html  # the form now carries the new version
    assert changed_tables(before, db_snapshot()) == []
    assert not Signature.objects.filter(agreement=sent).exists()


def test_countersigning_with_a_forged_content_hash_signs_nothing(w, client, rep_a, staff_x):
    sent = w["sent"]
    services.agreement_sign(
        agreement=sent,
        user=rep_a,
        typed_name="Anna Alfa",
        title="CEO",
        seen_sha256=content_sha256(sent),
    )
    client.force_login(staff_x)
    before = db_snapshot()
    response = client.post(
        f"{STAFF}/agreements/{sent.pk}/countersign/",
        {
            "typed_name": "Lars Leder",
            "title": "Teamleder",
            "confirm": "on",
            "content_sha256": "0" * 64,
        },
    )
    assert response.status_code == 409
    assert "The agreement changed after you opened it." in response.content.decode()
    assert changed_tables(before, db_snapshot()) == []
    assert Agreement.objects.get(pk=sent.pk).status == Agreement.Status.SIGNED


def test_signing_twice_keeps_one_signature(w, client, rep_a):
    sent = w["sent"]
    data = {
        "typed_name": "Anna Alfa",
        "title": "CEO",
        "confirm": "on",
        "content_sha256": content_sha256(sent),
    }
    client.force_login(rep_a)
    first = client.post(f"/en/my/agreements/{sent.pk}/sign/", data, follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    before = db_snapshot()
    response = client.post(f"/en/my/agreements/{sent.pk}/sign/", data, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert changed_tables(before, db_snapshot()) == []
    assert Signature.objects.filter(agreement=sent).count() == 1


# --- 8. Posts without a CSRF token ---------------------------------------------------------------

# Addresses that accept a POST without a token, and why.
CSRF_EXEMPT = {
    "verify": "reads only: checks a code or an uploaded file, stores nothing, sets no cookie",
}


def _role_for(row):
    """The role for which the row's request would succeed, so only CSRF can stop it."""
    for role in ("staff_x", "rep_a", "admin", "anonymous"):
        if row.expected[role] in (200, 302):
            return role
    return "anonymous"


def _csrf_rows():
    return sorted(
        name
        for name in ROWS
        if not name.startswith("api:") and name not in CSRF_EXEMPT and not name.startswith("admin:")
    )


@pytest.mark.parametrize("role", ["staff_x", "rep_a", "admin", "anonymous"])
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
    role,
    roles,
    world,  # noqa: F811 (the fixture imported from the permission matrix)
):
    """Every address of the portal (the permission matrix's rows), posted with the data that
    would change something, by the user who may change it, but without the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    if roles[role] is not None:
        client.force_login(roles[role])
    failures = []
    checked = 0
    # One snapshot around all the posts (not one per post, which took minutes): every post
    # must be refused, so the database must end exactly as it began.
    before = db_snapshot()
    for name in _csrf_rows():
        row = ROWS[name]
        if _role_for(row) != role:
            continue
        url = row.url.format_map(world)
        data = {k: str(v).format_map(world) for k, v in (row.data or {}).items()}
        response = client.post(url, data)
        checked += 1
        if response.status_code != 403:
            failures.append(f"{name} POST {url}: {response.status_code}")
    assert checked > 0
    assert failures == []
    assert changed_tables(before, db_snapshot()) == []


def test_login_and_logout_without_a_csrf_token_are_refused(platform_admin):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": platform_admin.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    client.force_login(platform_admin)
    assert client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in client.session


# --- 9. Nothing marks user text safe ------------------------------------------------------------

# Every place that turns off escaping, and why the text in it is not a user's.
SAFE_ALLOWED = {
    ("partnerships/views/staff.py", "mark_safe("): "the agreement preview: our own autoescaped "
    "template (templates/pdf/agreement.html) rendered to a string",
    ("partnerships/views/representative.py", "mark_safe("): "the same agreement preview",
    ("network/views/papers.py", "mark_safe("): "the commitment paper preview: our own "
    "autoescaped template (templates/pdf/commitment_paper.html)",
    ("klimaalliance/two_factor.py", "mark_safe("): "the QR code SVG generated by the qrcode "
    "library from the device's provisioning address",
    ("templates/email/invitation.txt", "{% autoescape off %}"): "a plain-text e-mail, never "
    "shown as HTML: escaping would put &amp; into names",
    ("klimaalliance/templatetags/portal.py", "mark_safe("): "the constant attribute "
    "' lang=\"da\"' of the lang_of tag, no user text",
    ("emissions/views/dashboard.py", "SafeString("): "the dashboard's member cells, built "
    "from html.escape()d names and labels, escaped reversed URLs, our own msgids and the "
    "number formatter's digits (tests/emissions/test_figures.py escapes a hostile name)",
    ("emissions/views/dashboard.py", "mark_safe("): "the constant dash of an empty cell",
    ("klimaalliance/forms.py", "mark_safe("): "QuickSelect's options with every value and "
    "label passed through conditional_escape, the constant required marker, and help texts, "
    "which are our own strings (unescaped as in Django's and crispy-forms' own markup)",
}
PYTHON_DIRS = [
    "klimaalliance",
    "companies",
    "partnerships",
    "network",
    "api",
    "emissions",
    "portal",
]


def _occurrences():
    found = set()
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            text = path.read_text(errors="replace")
            for marker in ("|safe", "{% autoescape off %}", "|safeseq"):
                if marker in text:
                    found.add((str(path.relative_to(ROOT)), marker))
    for directory in PYTHON_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            for marker in ("mark_safe(", "SafeString(", "SafeText("):
                if re.search(rf"(?<![\w.]){re.escape(marker)}", text):
                    found.add((str(path.relative_to(ROOT)), marker))
    return found


def test_no_template_or_code_marks_user_text_safe():
    unexplained = sorted(_occurrences() - set(SAFE_ALLOWED))
    assert unexplained == [], (
        "Escaping is turned off here. If the text can never come from a user, add it to "
        "SAFE_ALLOWED with the reason; otherwise escape it."
    )


def test_the_allowed_uses_still_exist():
    """A stale allow-list entry would let a new use slip in under an old reason."""
    assert sorted(set(SAFE_ALLOWED) - _occurrences()) == []


@pytest.mark.parametrize(
    "cvr",
    ["1234%005678", "12345678%00", "%00", "１２３４５６７８", "١٢٣٤٥٦٧٨", "1234567", "123456789"],
)
@pytest.mark.parametrize("page", ["", "emissions.svg"])
def test_a_cvr_that_is_not_8_ascii_digits_is_404_on_every_partner_address(cvr, page, w, client):
    """PostgreSQL refuses a NUL byte in a query: checked before any lookup, not a 500."""
    company = w["company"]
    company.publishes_figures = True
    company.save(update_fields=["publishes_figures"])
    assert client.get(f"/aalborg/partners/{company.cvr}/{page}").status_code == 200
    assert client.get(f"/aalborg/partners/{cvr}/{page}").status_code == 404
