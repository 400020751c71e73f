"""The team leader's workspace: registering companies, the member list and the company page."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from companies.models import Company, Dialogue, InternalNote, Membership, MembershipEvent
from klimaalliance.private_pages import bump_private_version
from tests.factories import CompanyFactory, MembershipFactory, next_valid_cvr

pytestmark = pytest.mark.django_db

BASE = "/aalborg/staff/companies/"


def company_data(**overrides):
    return {"cvr": next_valid_cvr(), "legal_name": "Grøn Fabrik A/S", "industry": "C", **overrides}


def png_bytes(size=(1200, 600), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def leader(client, staff_x):
    client.force_login(staff_x)
    return client


# --- Registering companies -----------------------------------------------------------------


def test_registering_a_company_makes_it_a_prospect_with_a_timeline(leader, alliance, staff_x):
    response = leader.post(f"{BASE}new/", company_data(cvr="29510008"))
    company = Company.objects.get(cvr="29510008")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{company.pk}/"
    membership = Membership.objects.get(company=company, alliance=alliance)
    assert membership.status == "prospect"
    event = MembershipEvent.objects.get(membership=membership)
    assert (event.to_status, event.changed_by) == ("prospect", staff_x)


@pytest.mark.parametrize(
    ("cvr", "message"),
    [
        ("1234567", "præcis 8 cifre"),
        ("02951000", "kan ikke begynde med 0"),
        ("29510009", "kontrolcifferet passer ikke"),
        ("2951000X", "præcis 8 cifre"),
    ],
)
def test_a_bad_cvr_number_is_explained_in_danish_and_nothing_is_saved(leader, cvr, message):
    response = leader.post(f"{BASE}new/", company_data(cvr=cvr))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Company.objects.exists()


def test_a_duplicate_cvr_links_to_the_existing_member(leader, company_a):
    response = leader.post(f"{BASE}new/", company_data(cvr=company_a.cvr))
    html = response.content.decode()
    assert "allerede registreret" in html
    assert f'href="{BASE}{company_a.pk}/"' in html
    assert Company.objects.count() == 1


def test_a_duplicate_cvr_of_another_alliance_offers_to_add_it_without_showing_it(
    leader, alliance, company_b
):
    response = leader.post(f"{BASE}new/", company_data(cvr=company_b.cvr))
    html = response.content.decode()
    assert f'value="{company_b.cvr}"' in html
    assert f"{BASE}{company_b.pk}/" not in html  # no link to a page staff may not see
    response = leader.post(f"{BASE}new/", {"add_existing": company_b.cvr})
    assert response.status_code == 302
    assert Membership.objects.get(company=company_b, alliance=alliance).status == "prospect"
    assert leader.get(f"{BASE}{company_b.pk}/").status_code == 200


def test_a_logo_is_re_encoded_resized_and_needs_a_text_alternative(leader, company_a):
    logo = SimpleUploadedFile("logo.jpg", png_bytes(fmt="JPEG"), content_type="image/jpeg")
    data = {
        "cvr": company_a.cvr,
        "legal_name": company_a.legal_name,
        "industry": "C",
        "logo": logo,
        "logo_alt": "",
    }
    response = leader.post(f"{BASE}{company_a.pk}/edit/", data)
    assert "Beskriv logoet" in response.content.decode()
    company_a.refresh_from_db()
    assert not company_a.logo

    data["logo"] = SimpleUploadedFile("logo.jpg", png_bytes(fmt="JPEG"), content_type="image/jpeg")
    data["logo_alt"] = "Alfa's logo"
    assert leader.post(f"{BASE}{company_a.pk}/edit/", data).status_code == 302
    company_a.refresh_from_db()
    with Image.open(company_a.logo.path) as stored:
        assert stored.format == "PNG"
        assert max(stored.size) == 800


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "ikke et PNG-, JPEG-"),
        ("logo.png", b"MZ\x90\x00 pretending to be a png", "ikke et PNG-, JPEG-"),
        ("logo.gif", None, "skal være et PNG-, JPEG-"),
        ("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10), "højst være 2 MB"),
    ],
)
def test_bad_logos_are_refused_with_a_clear_message(leader, company_a, name, content, message):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        content = buffer.getvalue()
    data = {
        "cvr": company_a.cvr,
        "legal_name": "Changed name",
        "industry": "C",
        "logo": SimpleUploadedFile(name, content, content_type="image/png"),
        "logo_alt": "x",
    }
    response = leader.post(f"{BASE}{company_a.pk}/edit/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    company_a.refresh_from_db()
    assert company_a.legal_name == "Alfa A/S"
    assert not company_a.logo


# --- The member list -----------------------------------------------------------------------


def test_member_list_searches_filters_sorts_and_counts(leader, alliance):
    fabrik = MembershipFactory(
        alliance=alliance,
        status="active",
        company=CompanyFactory(legal_name="Æblemosteriet", industry="C", size_band="10-49"),
    )
    MembershipFactory(
        alliance=alliance,
        status="prospect",
        company=CompanyFactory(legal_name="Bondegården", industry="A"),
    )
    MembershipFactory(
        alliance=alliance,
        status="left",
        company=CompanyFactory(legal_name="Cykelbudet", industry="H"),
    )
    MembershipFactory(company=CompanyFactory(legal_name="Andet Sted"))  # another alliance

    html = leader.get(BASE).content.decode()
    assert "Andet Sted" not in html
    assert "3 virksomheder matcher." in html
    assert "Aktiv</a> (1)" in html and "Emne</a> (1)" in html

    html = leader.get(BASE, {"q": "mosteri"}).content.decode()
    assert "Æblemosteriet" in html and "Bondegården" not in html
    html = leader.get(BASE, {"q": fabrik.company.cvr}).content.decode()
    assert "Æblemosteriet" in html and "Cykelbudet" not in html
    html = leader.get(BASE, {"status": "prospect"}).content.decode()
    assert "Bondegården" in html and "Æblemosteriet" not in html
    html = leader.get(BASE, {"industry": "H"}).content.decode()
    assert "Cykelbudet" in html and "Bondegården" not in html
    html = leader.get(BASE, {"size": "10-49"}).content.decode()
    assert "Æblemosteriet" in html and "Cykelbudet" not in html
    html = leader.get(BASE, {"sort": "-name"}).content.decode()
    assert html.index("Æblemosteriet") < html.index("Bondegården")


def test_member_list_ignores_nonsense_in_the_query_string(leader, alliance, company_a):
    for params in [
        {"status": "nope"},
        {"page": "x"},
        {"page": "999"},
        {"sort": "drop table"},
        {"q": "' OR 1=1 --"},
        {"q": "<script>alert(1)</script>"},
    ]:
        response = leader.get(BASE, params)
        assert response.status_code == 200, params
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_member_list_paginates_and_keeps_the_filters(leader, alliance):
    for n in range(30):
        MembershipFactory(
            alliance=alliance, status="active", company=CompanyFactory(legal_name=f"Firma {n:02d}")
        )
    html = leader.get(BASE, {"status": "active"}).content.decode()
    assert "Side 1 af 2" in html
    assert "status=active&amp;page=2" in html
    second = leader.get(BASE, {"status": "active", "page": 2}).content.decode()
    assert "Firma 29" in second and "Firma 00" not in second


def count_queries(client, url):
    """The queries of a view just after a write: nothing is read from the cache."""
    bump_private_version()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_member_list_costs_the_same_queries_for_10_and_500_companies(
    leader, alliance, django_assert_num_queries
):
    MembershipFactory.create_batch(10, alliance=alliance)
    small = count_queries(leader, BASE)
    MembershipFactory.create_batch(490, alliance=alliance)
    # session, user, second-factor device, staff roles (with their alliances, also for the
    # menu), status counts, page rows, the task count in the menu; the page count is the sum
    # of the status counts
    assert count_queries(leader, BASE) == small == 7
    # Seen again with nothing changed: session, user and device; the roles and the page
    # come from the cache (klimaalliance/private_pages.py).
    with django_assert_num_queries(3):
        leader.get(BASE)
    # searched: one count more
    cvr = Membership.objects.filter(alliance=alliance).first().company.cvr
    bump_private_version()
    with django_assert_num_queries(8):
        assert cvr in leader.get(BASE, {"q": cvr[:6]}).content.decode()
    assert count_queries(leader, f"{BASE}?status=active") == 7


# --- The company page ----------------------------------------------------------------------


def test_company_page_shows_only_this_alliances_notes_and_dialogue(
    leader, alliance, other_alliance, company_a, staff_y
):
    MembershipFactory(alliance=other_alliance, company=company_a)
    InternalNote.objects.create(alliance=alliance, company=company_a, text="Vores note")
    InternalNote.objects.create(alliance=other_alliance, company=company_a, text="Aarhus-note")
    Dialogue.objects.create(
        alliance=other_alliance,
        company=company_a,
        kind="phone",
        date=timezone.localdate(),
        summary="Aarhus ringede",
    )
    html = leader.get(f"{BASE}{company_a.pk}/").content.decode()
    assert "Vores note" in html
    assert "Aarhus-note" not in html and "Aarhus ringede" not in html


def test_company_page_query_count_does_not_grow_with_history(leader, alliance, company_a):
    url = f"{BASE}{company_a.pk}/"

    def add_history(n):
        leader.post(f"{url}notes/", {"text": f"note {n}"})
        leader.post(
            f"{url}dialogues/",
            {"date": timezone.localdate().isoformat(), "kind": "meeting", "summary": f"møde {n}"},
        )
        leader.post(f"{url}contacts/new/", {"name": f"Person {n}", "email": f"p{n}@alfa.dk"})
        leader.post(f"{url}status/", {"status": "paused" if n % 2 == 0 else "active"})
        leader.get(url)  # shows (and so clears) the flash messages

    add_history(0)
    few = count_queries(leader, url)
    for n in range(1, 15):
        add_history(n)
    company_a.legal_name = "Alfa Holding A/S"
    company_a.save()
    assert count_queries(leader, url) == few


def test_staff_add_notes_and_log_dialogue_with_follow_up(leader, alliance, company_a, staff_x):
    url = f"{BASE}{company_a.pk}/"
    leader.post(f"{url}notes/", {"text": "Interesseret i solceller"})
    assert InternalNote.objects.get().author == staff_x
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    response = leader.post(
        f"{url}dialogues/",
        {
            "date": timezone.localdate().isoformat(),
            "kind": "meeting",
            "summary": "Møde om energi",
            "follow_up_on": next_week.isoformat(),
        },
    )
    assert response.status_code == 302
    html = leader.get(url).content.decode()
    assert "Interesseret i solceller" in html and "Møde om energi" in html


def test_a_follow_up_date_in_the_past_is_refused(leader, company_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = leader.post(
        f"{BASE}{company_a.pk}/dialogues/",
        {
            "date": timezone.localdate().isoformat(),
            "kind": "phone",
            "summary": "Opkald",
            "follow_up_on": yesterday.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "kan ikke ligge i fortiden" in response.content.decode()
    assert not Dialogue.objects.exists()


def test_the_dashboard_lists_follow_ups_due_this_week(leader, alliance, company_a):
    today = timezone.localdate()
    end_of_week = today + datetime.timedelta(days=6 - today.weekday())
    due = Dialogue.objects.create(
        alliance=alliance,
        company=company_a,
        kind="phone",
        date=today,
        summary="Ring om status",
        follow_up_on=end_of_week,
    )
    Dialogue.objects.create(
        alliance=alliance,
        company=company_a,
        kind="phone",
        date=today,
        summary="Senere opfølgning",
        follow_up_on=end_of_week + datetime.timedelta(days=1),
    )
    html = leader.get("/aalborg/staff/").content.decode()
    assert "Ring om status" in html and "Senere opfølgning" not in html
    leader.post(f"{BASE}{company_a.pk}/dialogues/{due.pk}/done/", {"next": "dashboard"})
    assert "Ring om status" not in leader.get("/aalborg/staff/").content.decode()


def test_membership_lifecycle_is_kept_as_a_timeline(leader, alliance, company_a):
    membership = Membership.objects.get(company=company_a, alliance=alliance)
    url = f"{BASE}{company_a.pk}/status/"
    leader.post(url, {"status": "paused", "note": "Travl periode"})
    membership.refresh_from_db()
    assert membership.status == "paused"

    response = leader.post(url, {"status": "left"}, follow=True)
    assert "Angiv årsagen" in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == "paused"

    leader.post(url, {"status": "left", "reason": "Flyttet til Odense"})
    membership.refresh_from_db()
    assert membership.status == "left"
    assert membership.ended_on == timezone.localdate()
    response = leader.post(url, {"status": "paused"}, follow=True)
    assert "kan ikke gå fra" in response.content.decode()
    steps = list(
        membership.events.order_by("changed_at", "pk").values_list("from_status", "to_status")
    )
    assert steps == [("active", "paused"), ("paused", "left")]
    html = leader.get(f"{BASE}{company_a.pk}/").content.decode()
    assert "Flyttet til Odense" in html


def test_levels_are_defined_per_alliance_and_assigned_to_members(leader, alliance, company_a):
    leader.post(f"{BASE}levels/", {"name": "Supporter", "rank": 1})
    leader.post(f"{BASE}levels/", {"name": "Ambassadør", "name_en": "Ambassador", "rank": 3})
    response = leader.post(f"{BASE}levels/", {"name": "supporter", "rank": 2})
    assert "har allerede et niveau" in response.content.decode()
    level = alliance.levels.get(name="Ambassadør")
    leader.post(f"{BASE}{company_a.pk}/status/", {"level": level.pk})
    assert Membership.objects.get(company=company_a).level == level


def test_the_change_history_shows_who_changed_what(leader, staff_x, company_a):
    leader.post(
        f"{BASE}{company_a.pk}/edit/",
        {"cvr": company_a.cvr, "legal_name": "Alfa Grøn A/S", "industry": "C"},
    )
    html = leader.get(f"{BASE}{company_a.pk}/").content.decode()
    assert "“Alfa A/S” → “Alfa Grøn A/S”" in html
    assert str(staff_x) in html


# --- The change history: picked in SQL -------------------------------------------------------


def audit_trail_as_before(company, membership, limit=50):
    """The change history as computed before the database picked the rows (every row read,
    diffed and sorted in Python), for the SQL version to match entry for entry."""
    from django.utils.translation import gettext

    from companies.audit import CHANGE_LABELS, AuditEntry, readable
    from companies.models import ContactPerson

    sources = [
        (
            Company.history.filter(id=company.pk),
            "Company",
            lambda r: r.display_name or r.legal_name,
        ),
        (ContactPerson.history.filter(company_id=company.pk), "Contact", lambda r: r.name),
        (Membership.history.filter(id=membership.pk), "Membership", Membership.get_status_display),
    ]
    entries = []
    for queryset, label, describe in sources:
        previous_by_object = {}
        records = queryset.select_related("history_user").order_by("history_date", "history_id")
        for record in records:
            previous, previous_by_object[record.id] = previous_by_object.get(record.id), record
            changes = []
            if previous is not None and record.history_type == "~":
                for change in record.diff_against(previous).changes:
                    field = record.instance_type._meta.get_field(change.field)
                    changes.append((field, change.old, change.new))
            if record.history_type == "~" and not changes:
                continue
            what = f"{gettext(label)}: {describe(record)}"
            action = str(CHANGE_LABELS[record.history_type])
            entries.append(
                AuditEntry(record.history_date, record.history_user, what, action, changes)
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return readable(entries[:limit])


def long_history(company, membership, staff, saves):
    """`saves` saves of the company, every third one changing nothing (not shown), with
    contacts added early and changed or deleted late, and status changes in between."""
    from companies.models import ContactPerson

    first = ContactPerson.history.filter(history_type="+").count()  # ever created
    early = [
        ContactPerson.objects.create(company=company, name=f"Kontakt {n}", email=f"k{n}@alfa.dk")
        for n in range(first, first + 3)
    ]
    for n in range(saves):
        if n % 3:
            company.legal_name = f"Alfa {n} A/S"
        company._history_user = staff
        company.save()
        if n % 25 == 0:
            membership.status = "paused" if membership.status == "active" else "active"
            membership.save()
    early[0].name = "Kontakt nul"
    early[0].save()
    early[1].delete()


@pytest.mark.parametrize("limit", [5, 50, 200])
def test_the_change_history_picked_in_sql_is_the_one_computed_in_python(
    alliance, company_a, staff_x, limit
):
    from companies.audit import company_audit_trail

    membership = Membership.objects.get(alliance=alliance, company=company_a)
    long_history(company_a, membership, staff_x, saves=130)
    expected = audit_trail_as_before(company_a, membership, limit)
    assert len(expected) == min(limit, len(audit_trail_as_before(company_a, membership, 1000)))
    assert company_audit_trail(company_a, membership, limit) == expected


def test_the_change_history_reads_a_batch_per_source_however_long_it_is(
    alliance, company_a, staff_x, django_assert_num_queries
):
    from companies.audit import company_audit_trail

    membership = Membership.objects.get(alliance=alliance, company=company_a)
    long_history(company_a, membership, staff_x, saves=30)
    # company, contacts, membership: each history fits in one batch of 50 rows
    with django_assert_num_queries(3):
        company_audit_trail(company_a, membership)
    long_history(company_a, membership, staff_x, saves=300)
    # The company's newest 50 rows hold 33 changes: two batches of 50 (and the row before
    # each). Contacts and membership still fit in one batch.
    with django_assert_num_queries(2 + 1 + 1) as queries:
        assert len(company_audit_trail(company_a, membership)) == 50
    assert all("LIMIT 51" in query["sql"] for query in queries.captured_queries)


def test_a_contact_changed_long_after_it_was_added_costs_one_query_more(
    alliance, company_a, staff_x, django_assert_num_queries
):
    from companies.audit import company_audit_trail

    membership = Membership.objects.get(alliance=alliance, company=company_a)
    contact = company_a.contacts.create(name="Kim", email="kim@alfa.dk")
    for n in range(60):
        company_a.contacts.create(name=f"Ny {n}", email=f"ny{n}@alfa.dk")
    contact.name = "Kim Larsen"
    contact.save()
    # company, contacts (the newest 51 rows, then the row "Kim Larsen" is compared with),
    # membership
    with django_assert_num_queries(1 + 2 + 1):
        trail = company_audit_trail(company_a, membership)
    assert trail[0].changes == [("navn", "Kim", "Kim Larsen")]
    assert trail == audit_trail_as_before(company_a, membership)


def test_the_company_page_costs_the_same_queries_with_a_long_history(
    leader, alliance, company_a, staff_x, django_assert_num_queries
):
    membership = Membership.objects.get(alliance=alliance, company=company_a)
    long_history(company_a, membership, staff_x, saves=300)
    # session, user, second-factor device, staff roles (also for the menu), membership,
    # contacts, change history (4, see above), invitations, agreements, dialogues, events,
    # notes, levels, the task count in the menu
    with django_assert_num_queries(17):
        assert leader.get(f"{BASE}{company_a.pk}/").status_code == 200


def test_member_list_explains_an_unknown_filter_value_next_to_its_filter(leader, alliance):
    MembershipFactory(
        alliance=alliance, status="active", company=CompanyFactory(legal_name="Æblemosteriet")
    )
    MembershipFactory(
        alliance=alliance, status="prospect", company=CompanyFactory(legal_name="Bondegården")
    )
    response = leader.get(f"/en{BASE}", {"status": "nope", "q": "mosteri"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Æblemosteriet" in html and "Bondegården" not in html  # the search still applies
    message = html[html.index('id="id_status_error"') :]
    assert message.index("Unknown value “nope”: this filter is not applied.") < message.index(
        "</div>"
    )
    # The export reads the same filters and ignores the same value.
    export = leader.get(f"{BASE}export.csv", {"status": "nope", "q": "mosteri"})
    assert export.status_code == 200
    assert "Æblemosteriet" in export.content.decode("utf-8-sig")


def test_member_list_filters_by_focus_area_of_this_alliances_agreements(
    leader, alliance, other_alliance
):
    from tests.factories import AgreementFactory

    company = CompanyFactory(legal_name="Cykelbudet")
    MembershipFactory(alliance=alliance, company=company)
    AgreementFactory(alliance=other_alliance, company=company, focus_areas=["transport"])
    assert "Cykelbudet" not in leader.get(BASE, {"focus": "transport"}).content.decode()
    AgreementFactory(alliance=alliance, company=company, focus_areas=["transport"])
    AgreementFactory(alliance=alliance, company=company, focus_areas=["transport"], status="draft")
    html = leader.get(BASE, {"focus": "transport"}).content.decode()
    assert html.count(">Cykelbudet</a>") == 1  # once, though two agreements match
