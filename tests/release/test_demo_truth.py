"""Demo data that tells the truth of the seed cases (issue 14): Aalborg's six partners
signed at the launch, the green-mobility Commitment Paper is readable with its PDF and
signatories, and the demo says it is demo in both languages."""

import datetime
import zoneinfo

import pytest
from django.core.management import call_command

from klimaalliance.celery import app as celery_app
from network.models import CommitmentPaper
from partnerships.models import Agreement, Signature
from portal.management.commands.seed_demo import AALBORG_LAUNCH

pytestmark = pytest.mark.django_db

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (every test here only reads it) and committed,
    so its after-commit work (PDFs, summaries) runs; flushed afterwards, so the tests that
    follow in this process find the empty database they expect."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # as in `make run`; before the per-test default
    try:
        with django_db_blocker.unblock():
            call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
            yield
            call_command("flush", "--noinput")
    finally:
        celery_app.conf.task_always_eager = eager


def test_aalborgs_six_partners_signed_at_the_launch(client, demo):
    active = Agreement.objects.filter(alliance__slug="aalborg", status=Agreement.Status.ACTIVE)
    assert active.count() == 6
    days = {
        s.signed_at.astimezone(COPENHAGEN).date()
        for s in Signature.objects.filter(agreement__in=active)
    }
    assert days == {AALBORG_LAUNCH}
    assert {a.start_date for a in active} == {AALBORG_LAUNCH}
    # A signature made later (now) is still dated now: the launch date was only for the seed.
    assert Signature._meta.get_field("signed_at").get_default().date() != datetime.date(2022, 6, 14)
    page = client.get("/en/aalborg/partners/?sort=-signed").content.decode()
    assert "Rokkedahl" in page


@pytest.mark.parametrize(
    ("prefix", "title", "words"),
    [
        ("", "Commitment Paper om grøn mobilitet", "emissionsfrie køretøjer inden 2030"),
        ("/en", "Commitment Paper on green mobility", "zero-emission vehicles by 2030"),
    ],
)
def test_the_mobility_paper_is_readable_with_its_pdf_and_signatories(
    client, demo, prefix, title, words
):
    paper = CommitmentPaper.objects.get(title="Commitment Paper om grøn mobilitet")
    assert paper.status == CommitmentPaper.Status.OPEN
    assert paper.pdf, "the PDF was made when the paper was published"
    page = client.get(f"{prefix}/aarhus/groups/{paper.group_id}/").content.decode()
    assert title in page and words in page
    signed_by = page[page.index(title) :]
    assert "<li>Vestas" in signed_by[: signed_by.index("</article>")]
    pdf = client.get(f"/aarhus/groups/papers/{paper.pk}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("prefix", "label"), [("", "Demodata: alliancen"), ("/en", "Demo data: the alliance")]
)
def test_the_demo_says_it_is_demo_in_both_languages(client, demo, prefix, label):
    for slug in ("aalborg", "aarhus"):
        assert label in client.get(f"{prefix}/{slug}/").content.decode()


# --- Aarhus's working groups, DK2020 and KL's partnership forms --------------------------


def test_the_aarhus_working_groups_have_their_chairs_and_members(client, demo):
    from companies.validators import validate_cvr
    from network.models import WorkingGroup

    logistics = WorkingGroup.objects.get(alliance__slug="aarhus", name="Klimaneutral logistik")
    chair = logistics.chair_terms.get(ended_on__isnull=True)
    assert chair.company.legal_name == "Danske Fragtmænd"
    assert logistics.members.filter(left_on__isnull=True).count() == 16
    for member in logistics.members.select_related("company"):
        validate_cvr(member.company.cvr)
    competences = WorkingGroup.objects.get(alliance__slug="aarhus", name="Kompetencer")
    assert competences.chair_mode == WorkingGroup.ChairMode.ROTATING
    assert "Guide til kompetenceløft" in competences.description
    assert "Guide to upskilling" in competences.description_en
    mobility = WorkingGroup.objects.get(alliance__slug="aarhus", name="Grøn mobilitet")
    assert mobility.chair_terms.get().company.legal_name == "Vestas Wind Systems"
    procurement = WorkingGroup.objects.get(alliance__slug="aarhus", name="Cirkulære indkøb")
    assert procurement.chair_terms.get().company.legal_name == "Aarhus Universitet"
    page = client.get(f"/en/aarhus/groups/{competences.pk}/").content.decode()
    assert "rotating chair" in page and "Guide to upskilling" in page
    page = client.get(f"/aarhus/groups/{logistics.pk}/").content.decode()
    assert "Danske Fragtmænd" in page and "Johs. Sørensen" in page


@pytest.mark.parametrize(
    ("prefix", "name", "summit"),
    [
        ("", "DK2020-klimaalliancen", "Årligt topmøde i DK2020-klimaalliancen (demodato)"),
        ("/en", "The DK2020 climate alliance", "Annual summit of the DK2020 climate alliance"),
    ],
)
def test_dk2020_has_16_municipalities_and_an_upcoming_summit(client, demo, prefix, name, summit):
    from django.utils import timezone

    from network.models import AllianceNetwork

    network = AllianceNetwork.objects.get(slug="dk2020")
    assert network.members.count() == 16
    assert network.events.filter(date__gte=timezone.localdate()).exists()
    page = client.get(f"{prefix}/networks/dk2020/").content.decode()
    assert f"<h1>{name}</h1>" in page
    upcoming = page[page.index("network-members") :]
    for municipality in ("Albertslund", "Høje-Taastrup", "Samsø", "Vejle"):
        assert municipality in upcoming
    assert summit in page
    assert "https://www.assens.dk/" in page
    assert "årligt topmøde" in page  # the joint declaration


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", None), ("/en", "Joint agreement")],
)
def test_each_partnership_form_page_lists_its_cases(client, demo, prefix, words):
    from klimaalliance.choices import PartnershipForm
    from network.models import InspirationCase

    catalogue = client.get(f"{prefix}/inspiration/").content.decode()
    for form in PartnershipForm.values:
        page = client.get(f"{prefix}/inspiration/forms/{form}/")
        assert page.status_code == 200
        assert f"/inspiration/forms/{form}/" in catalogue
        html = page.content.decode()
        for case in InspirationCase.objects.filter(partnership_form=form):
            assert case.title in html and case.municipality in html
            assert case.source_url in html
    joint = client.get(f"{prefix}/inspiration/forms/joint/").content.decode()
    assert "Vejle Kommune" in joint and "Fredericia Kommune" in joint
    assert "Næstved Kommune" not in joint
    assert "klimapartnerskab-vejle-nord/" in joint
    if words:
        assert words in joint
    assert client.get(f"{prefix}/inspiration/forms/no-such-form/").status_code == 404


def test_aalborgs_approved_example_reports_have_their_pdfs(client, demo):
    from emissions.models import Report
    from klimaalliance.models import User

    approved = Report.objects.filter(round__alliance__slug="aalborg", status="approved")
    assert approved.count() >= 3
    assert all(report.pdf for report in approved), "each approved report has its PDF"
    # The company's representative downloads its own report from the company pages.
    report = approved.get(company__display_name="Rokkedahl")
    client.force_login(User.objects.get(email="kontakt@rokkedahl.example"))
    response = client.get(f"/en/my/emissions/reports/{report.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_aalborgs_results_are_published_with_the_pages_figures(client, demo):
    page = client.get("/en/aalborg/").content.decode()
    assert 'href="/en/aalborg/results.pdf"' in page
    response = client.get("/en/aalborg/results.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
