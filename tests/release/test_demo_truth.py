"""Demo data that tells the truth of the seed cases (issue 14): Aalborg's six partners
signed at the launch, the green-mobility Commitment Paper is readable with its PDF and
signatories, and the demo says it is demo in both languages."""

import datetime
import zoneinfo

import pytest
from django.core.management import call_command

from network.models import CommitmentPaper
from partnerships.models import Agreement, Signature
from portal.management.commands.seed_demo import AALBORG_LAUNCH

pytestmark = pytest.mark.django_db

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


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
