"""Demo data: the Aalborg and Aarhus alliances from the seed texts and one user per role.

Idempotent: running it again updates the same rows instead of adding new ones.
"""

import contextlib
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from companies.models import (
    Company,
    ContactPerson,
    Dialogue,
    Membership,
    MembershipEvent,
    MembershipLevel,
    Representation,
)
from companies.validators import validate_cvr
from emissions.seed import seed_emissions_demo
from klimaalliance import outbox, two_factor
from klimaalliance.choices import FocusArea
from klimaalliance.models import Alliance, AllianceTarget, StaffRole, User
from network.models import ChairTerm, CommitmentPaper, GroupMember, WorkingGroup
from network.papers import paper_content_sha256, paper_create, paper_publish, paper_sign
from network.seed import seed_network_demo
from partnerships.documents import content_sha256
from partnerships.models import Pledge, Signature
from partnerships.seed import ensure_starting_content
from partnerships.services import (
    agreement_amend,
    agreement_countersign,
    agreement_create,
    agreement_send,
    agreement_sign,
)

DEMO_PASSWORD = "klima-demo-2026"  # noqa: S105 (printed for the quick start; demo only)

# Public facts from the seed texts (Aalborg press release of June 2022, Aarhus alliance page).
# The CVR numbers are demo numbers that pass the modulus-11 check, not the real registrations.
AALBORG_PARTNERS = [
    (
        "29510008",
        "Rokkedahl Koncernen",
        "Rokkedahl",
        "A",
        "Landbrug med opdræt af velfærdskyllinger",
        "Landbrug med opdræt af velfærdskyllinger. "
        "Arbejder med produktionen, markdriften og energien.",
    ),
    (
        "29510016",
        "BK Nord",
        "BK Nord",
        "M",
        "Arkitekter og rådgivende ingeniører",
        "Arkitekter og rådgivende ingeniører.",
    ),
    (
        "29510024",
        "Aalborg Kongres & Kultur Center",
        "AKKC",
        "R",
        "Kongres- og kulturcenter",
        "Kongres- og kulturcenter i Aalborg.",
    ),
    (
        "29510032",
        "Klovsborg",
        "Klovsborg",
        "A",
        "Konventionelt landbrug med malkekøer",
        "Konventionelt landbrug med malkekøer.",
    ),
    (
        "29510040",
        "Fibertex Nonwovens",
        "Fibertex",
        "C",
        "Producent af fibertekstiler",
        "Producent af fibertekstiler.",
    ),
    (
        "29510059",
        "Kunsten Museum of Modern Art Aalborg",
        "Kunsten",
        "R",
        "Kunstmuseum",
        "Kunstmuseum i Aalborg.",
    ),
]
AALBORG_LAUNCH = datetime.date(2022, 6, 14)
# Everything demo says so, in both languages: the alliances, partners and groups are real
# (from the seed texts); the figures, signatures and people are invented.
DEMO_NOTE_DA = (
    "Demodata: alliancen, partnerne og arbejdsgrupperne er virkelige, men tilsagn, "
    "klimaregnskaber, underskrifter og personer er opdigtede eksempler."
)
DEMO_NOTE_EN = (
    "Demo data: the alliance, its partners and working groups are real, but the pledges, "
    "climate accounts, signatures and people are invented examples."
)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# Example pledges for the demo: (focus area, title, scopes, (metric, 2021 value, 2030
# value) or a milestone year). Illustrative figures, not the companies' real commitments.
DEMO_PLEDGES = {
    "29510008": [
        ("agriculture", "Reducér udledningen fra stalde og marker", [1], ("t CO2e", 4200, 2940)),
        ("energy", "100 % vedvarende el senest 2027", [2], 2027),
    ],
    "29510016": [
        ("energy", "Halvér udledningen fra scope 1 og 2", [1, 2], ("t CO2e", 120, 60)),
        ("transport", "Emissionsfri personbilsflåde i 2030", [1], 2030),
    ],
    "29510024": [
        ("energy", "Halvér udledningen fra energiforbrug", [1, 2], ("t CO2e", 800, 400)),
        ("waste", "Halvér restaffaldet", [3], ("t restaffald", 90, 45)),
    ],
    "29510032": [
        ("agriculture", "Reducér udledningen fra malkekøer og marker", [1], ("t CO2e", 3100, 2170)),
        ("energy", "Solceller på staldtagene i 2026", [2], 2026),
    ],
    "29510040": [
        ("production", "Halvér udledningen fra produktionen", [1, 2], ("t CO2e", 15000, 7500)),
        ("procurement", "Klimakrav i alle større indkøb", [3], 2026),
    ],
    "29510059": [
        ("buildings", "Halvér udledningen fra museets bygninger", [1, 2], ("t CO2e", 350, 175)),
        ("competences", "Klimakompetencer for alle ledere", [], 2026),
    ],
}

# Klimaalliancen Aarhus's working groups (its web page): name, theme, status, chair mode,
# chair organisation, description.
AARHUS_GROUPS_START = datetime.date(2022, 1, 1)
AARHUS_GROUPS = [
    (
        "Samordnet levering af kontorartikler",
        "deliveries",
        "active",
        "fixed",
        None,
        "Offentlige institutioner får leveret kontorartikler ca. 23.000 gange om året. Gruppen "
        "samordner leveringerne i ugentlige ruter for at sænke CO2-aftrykket.",
    ),
    (
        "Grøn mobilitet",
        "mobility",
        "active",
        "fixed",
        "Vestas Wind Systems",
        "Gruppen har skrevet et Commitment Paper om emissionsfri personbilsflåde i 2030 og "
        "indsatser for medarbejdernes transport.",
    ),
    (
        "Cirkulære indkøb",
        "procurement",
        "active",
        "fixed",
        "Aarhus Universitet",
        "Formandskab ved Aarhus Universitet.",
    ),
    (
        "Klimaneutral logistik",
        "logistics",
        "active",
        "fixed",
        "Danske Fragtmænd",
        "Gruppen har afsøgt klimavenlige drivmidler og tager nu større strategiske temaer op.",
    ),
    (
        "Kompetencer",
        "competences",
        "active",
        "rotating",
        None,
        "Gruppen har udarbejdet en guide til kompetenceløft for den klimavenlige medarbejder.",
    ),
    (
        "Energi",
        "energy",
        "starting",
        "fixed",
        None,
        "Gruppen er i sin opstart og fastlægger sit fokus.",
    ),
]

AARHUS_CHAIRS = [
    (
        "29510067",
        "Aarhus Universitet",
        "",
        "P",
        "Universitet",
        "Formand for arbejdsgruppen for cirkulære indkøb.",
    ),
    (
        "29510075",
        "Vestas Wind Systems",
        "Vestas",
        "C",
        "Vindmøller",
        "Formand for arbejdsgruppen for grøn mobilitet.",
    ),
    (
        "29510083",
        "Danske Fragtmænd",
        "",
        "H",
        "Fragt og logistik",
        "Formand for arbejdsgruppen for klimaneutral logistik.",
    ),
]


# Who takes part in each Aarhus working group, as its web page names them (the chair first
# for a fixed chair). The organisations are real; their CVR numbers here are demo numbers.
AARHUS_GROUP_MEMBERS = {
    "Samordnet levering af kontorartikler": ["Lyreco", "Aarhus Kommune"],
    "Grøn mobilitet": [
        "Vestas Wind Systems",
        "OK a.m.b.a.",
        "Bestseller",
        "VIA University College",
        "Aarhus Universitetshospital",
        "Aarhus Kommune",
    ],
    "Cirkulære indkøb": [
        "Aarhus Universitet",
        "VIA University College",
        "Erhvervsakademiet Aarhus",
        "Aarhus Kommune",
    ],
    "Klimaneutral logistik": [
        "Danske Fragtmænd",
        "OK a.m.b.a.",
        "JP/Politikens Hus",
        "AAK",
        "VIA University College",
        "Aarhus Havn",
        "Ole Larsen",
        "STARK",
        "Marius Pedersen",
        "Arla",
        "DAO",
        "Dania Connect",
        "Johs. Sørensen",
        "Lynix",
        "Verdo",
        "Aarhus Kommune",
    ],
    "Kompetencer": [
        "Arla",
        "Erhvervsakademiet Aarhus",
        "Business Region Aarhus",
        "Danske Commodities",
        "NIRAS",
        "EG",
        "Østjyllands Politi",
        "Salling Group",
        "Aarhus Vand",
        "Ecopark",
        "Danske Bank",
        "VIA University College",
        "Aarhus Universitet",
        "Systematic",
        "Aarhus Kommune",
    ],
    "Energi": [],  # starting: the page names no members yet
}
# The organisations not among AARHUS_CHAIRS, in a fixed order: append only, so every
# organisation keeps its demo CVR number from one seeding to the next.
AARHUS_GROUP_ORGANISATIONS = [
    "Lyreco",
    "Aarhus Kommune",
    "OK a.m.b.a.",
    "Bestseller",
    "VIA University College",
    "Aarhus Universitetshospital",
    "Erhvervsakademiet Aarhus",
    "JP/Politikens Hus",
    "AAK",
    "Aarhus Havn",
    "Ole Larsen",
    "STARK",
    "Marius Pedersen",
    "Arla",
    "DAO",
    "Dania Connect",
    "Johs. Sørensen",
    "Lynix",
    "Verdo",
    "Business Region Aarhus",
    "Danske Commodities",
    "NIRAS",
    "EG",
    "Østjyllands Politi",
    "Salling Group",
    "Aarhus Vand",
    "Ecopark",
    "Danske Bank",
    "Systematic",
]
# DB07 sections of the group organisations (others: N, administrative and support services).
GROUP_ORGANISATION_INDUSTRIES = {
    "Lyreco": "G",
    "Aarhus Kommune": "O",
    "Østjyllands Politi": "O",
    "Business Region Aarhus": "O",
    "OK a.m.b.a.": "G",
    "Bestseller": "G",
    "Salling Group": "G",
    "STARK": "G",
    "VIA University College": "P",
    "Erhvervsakademiet Aarhus": "P",
    "Aarhus Universitetshospital": "Q",
    "JP/Politikens Hus": "J",
    "EG": "J",
    "Systematic": "J",
    "AAK": "C",
    "Arla": "C",
    "Aarhus Havn": "H",
    "Ole Larsen": "H",
    "DAO": "H",
    "Dania Connect": "H",
    "Johs. Sørensen": "H",
    "Lynix": "H",
    "Marius Pedersen": "E",
    "Aarhus Vand": "E",
    "Verdo": "D",
    "Danske Commodities": "D",
    "NIRAS": "M",
    "Danske Bank": "K",
}
GROUP_MEMBER_NOTE_DA = (
    "Deltager i en arbejdsgruppe i Klimaalliancen Aarhus. Demodata: CVR-nummeret er et "
    "eksempel, ikke organisationens rigtige registrering."
)
GROUP_MEMBER_NOTE_EN = (
    "Takes part in a working group of Klimaalliancen Aarhus. Demo data: the CVR number is an "
    "example, not the organisation's real registration."
)
# The competences group's results (its web page); the guide itself is not reproduced here.
COMPETENCES_RESULT_DA = (
    "Gruppen har skiftende formandskab. Den har udarbejdet »Guide til kompetenceløft for den "
    "klimavenlige medarbejder« med forslag til efter- og videreuddannelse og input til "
    "virksomhedsledelse i den grønne omstilling, og arbejder nu på at udbrede guiden. Gruppen "
    "har desuden udarbejdet et grønt branding statement om Aarhus, som alle arbejdspladser kan "
    "bruge i egen markedsføring og employer branding."
)
COMPETENCES_RESULT_EN = (
    "The group has a rotating chair. It has written the “Guide to upskilling the "
    "climate-friendly employee” (Guide til kompetenceløft for den klimavenlige medarbejder), "
    "with suggestions for further education and input for management in the green "
    "transition, and now works to spread the guide. It has also written a green branding "
    "statement about Aarhus that every workplace may use in its own marketing and employer "
    "branding."
)


def demo_cvr(index):
    """The index-th demo CVR number of the group organisations: 2952 followed by three
    digits and a modulus-11 check digit (prefixes whose check digit would be 10 skipped)."""
    found = -1
    for prefix in range(2952000, 2953000):
        digits = [int(d) for d in str(prefix)]
        total = sum(w * d for w, d in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True))
        check = (-total) % 11
        if check == 10:
            continue
        found += 1
        if found == index:
            number = f"{prefix}{check}"
            validate_cvr(number)
            return number
    raise ValueError(index)


# The green-mobility Commitment Paper of Klimaalliancen Aarhus, in the words of its web page.
MOBILITY_PAPER = {
    "title": "Commitment Paper om grøn mobilitet",
    "title_en": "Commitment Paper on green mobility",
    "text": "Transport og mobilitet er den største udfordring for at nå Aarhus Byråds mål om "
    "CO2-neutralitet i 2030 for Aarhus som bysamfund: cirka halvdelen af bysamfundets "
    "resterende udledninger kommer fra transporten, en stor del fra persontransport.\n\n"
    "De underskrivende virksomheder forpligter sig til at igangsætte klimahandlinger inden "
    "for mobilitet og medvirke til at reducere den samlede CO2-udledning fra mobilitet og "
    "transport i Aarhus:\n\n"
    "1. De omstiller deres personbilsflåde til emissionsfrie køretøjer inden 2030.\n"
    "2. De sætter ind over for medarbejdernes transport til og fra arbejde og i "
    "arbejdstiden.\n"
    "3. De deler deres erfaringer, så andre virksomheder får inspiration til at igangsætte "
    "indsatser for at reducere udledningen fra transport og mobilitet.",
    "text_en": "Transport and mobility are the largest challenge in reaching Aarhus City "
    "Council's goal of a carbon-neutral Aarhus by 2030: about half of the city's remaining "
    "emissions come from transport, a large part of it from passenger transport.\n\n"
    "The signing companies commit to climate action on mobility and to help reduce the total "
    "CO2 emissions from mobility and transport in Aarhus:\n\n"
    "1. They convert their passenger car fleet to zero-emission vehicles by 2030.\n"
    "2. They act on their employees' commuting and business travel.\n"
    "3. They share their experience, to inspire other companies to start reducing their "
    "emissions from transport and mobility.",
    "focus_area": FocusArea.TRANSPORT,
    "target_year": 2030,
}


@contextlib.contextmanager
def signed_on(day):
    """Signatures written inside carry `day` (noon in Copenhagen) as their time: the demo
    agreements were signed at the launch. Signatures are insert-only, so the time is given
    when the row is written (the default of `signed_at`), never changed afterwards."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=COPENHAGEN)
    field = Signature._meta.get_field("signed_at")
    original = field.default
    field.__dict__.pop("_get_default", None)  # Django caches the default's callable
    field.default = lambda: moment
    try:
        yield
    finally:
        field.default = original
        field.__dict__.pop("_get_default", None)


class Command(BaseCommand):
    help = "Create or update the demo alliances, companies and one user per role."

    def handle(self, *args, **options):
        # Demo signatures must not mail anyone (nor flood the console with PDF attachments);
        # the mails go out when the transaction commits, so the override wraps it.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            self._seed()

    def _seed(self):
        aalborg = self._alliance(
            slug="aalborg",
            municipality="Aalborg Kommune",
            code="0851",
            name="Klimaalliancen Aalborg",
            launched_on=AALBORG_LAUNCH,
            description=(
                "Via Klimaalliancen Aalborg kan både små og store virksomheder indgå "
                "klimapartnerskabsaftaler med Aalborg Kommune og derved reducere deres "
                "udledning af CO2. Alliancen er en del af kommunens arbejde med DK2020."
            ),
            description_en=(
                "Through Klimaalliancen Aalborg, small and large companies sign climate "
                "partnership agreements with Aalborg Municipality and cut their CO2 "
                "emissions. The alliance is part of the municipality's DK2020 work."
            ),
            contact_name="Center for Grøn Omstilling",
            # Aalborg: −74 % by 2030 against 1990 (press release, 2022); net zero by 2050 (DK2020).
            targets=[(74, 2030, 1990), (100, 2050, None)],
        )
        aarhus = self._alliance(
            slug="aarhus",
            municipality="Aarhus Kommune",
            code="0751",
            name="Klimaalliancen Aarhus",
            launched_on=None,
            description=(
                "I Klimaalliancen Aarhus arbejdes med målsætningen om at blive et CO2-neutralt "
                "bysamfund i 2030. Partnerne arbejder sammen i arbejdsgrupper om mobilitet, "
                "cirkulære indkøb, logistik, kompetencer og energi."
            ),
            description_en=(
                "Klimaalliancen Aarhus works towards a CO2-neutral city by 2030. Its partners "
                "work together in working groups on mobility, circular procurement, logistics, "
                "competences and energy."
            ),
            contact_name="Aarhus Kommune",
            targets=[(100, 2030, None)],  # CO2-neutral city in 2030 (Aarhus City Council)
        )
        rokkedahl = None
        for row in AALBORG_PARTNERS:
            company = self._member(aalborg, row, joined_on=AALBORG_LAUNCH)
            rokkedahl = rokkedahl or company
        for row in AARHUS_CHAIRS:
            self._member(aarhus, row, joined_on=None)

        admin = self._user(
            "admin@klimaalliance.example",
            "Platform",
            "Administrator",
            is_staff=True,
            is_superuser=True,
        )
        leader = self._user("teamleder@aalborg.example", "Tea", "Teamleder")
        StaffRole.objects.update_or_create(
            user=leader,
            alliance=aalborg,
            defaults={"role": StaffRole.Role.TEAM_LEADER, "may_countersign": True},
        )
        staff = self._user("medarbejder@aarhus.example", "Mads", "Medarbejder")
        StaffRole.objects.update_or_create(
            user=staff, alliance=aarhus, defaults={"role": StaffRole.Role.STAFF}
        )
        representative = self._user("kontakt@rokkedahl.example", "Karen", "Kontaktperson")
        Representation.objects.update_or_create(
            user=representative,
            company=rokkedahl,
            defaults={"title": "Marketingansvarlig", "may_sign": True},
        )

        ContactPerson.objects.update_or_create(
            company=rokkedahl,
            email=representative.email,
            defaults={
                "name": "Karen Kontaktperson",
                "title": "Marketingansvarlig",
                "may_sign": True,
                "user": representative,
            },
        )
        levels = [("Støtte", "Supporter"), ("Partner", "Partner"), ("Ambassadør", "Ambassador")]
        for rank, (name, name_en) in enumerate(levels, 1):
            MembershipLevel.objects.update_or_create(
                alliance=aalborg, name=name, defaults={"name_en": name_en, "rank": rank}
            )
        Dialogue.objects.get_or_create(
            alliance=aalborg,
            company=rokkedahl,
            summary="Opstartsmøde om klimaregnskab for markdrift og stalde.",
            defaults={
                "date": timezone.localdate(),
                "kind": Dialogue.Kind.MEETING,
                "author": leader,
                "follow_up_on": timezone.localdate() + datetime.timedelta(days=3),
            },
        )
        ensure_starting_content(aalborg, by=leader)
        ensure_starting_content(aarhus, by=staff)
        if settings.DEBUG:  # the demo seal, before the demo agreements' PDFs are made
            call_command("seal_demo_certificate", stdout=self.stdout)
        self._demo_agreements(aalborg, leader, representative)
        seed_emissions_demo(aalborg, leader)
        self._aarhus_groups(aarhus)
        seed_network_demo()

        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for user, role in [
            (admin, "platform administrator (/admin/)"),
            (leader, "team leader, Klimaalliancen Aalborg"),
            (staff, "staff member, Klimaalliancen Aarhus"),
            (representative, "representative of Rokkedahl, may sign"),
        ]:
            self.stdout.write(f"  {user.email:32} {role}")
        self._second_factor(admin, leader, staff)

    def _second_factor(self, *staff_users):
        """Staff and the administrator sign in with a code from an authenticator app. In
        development (DEBUG) they share a fixed, published demo secret so `make run` works at
        once; anywhere else they set up their own app at first sign-in."""
        if not settings.DEBUG:
            self.stdout.write(
                "Staff and the administrator set up an authenticator app at first sign-in."
            )
            return
        for user in staff_users:
            two_factor.demo_device(user=user)
        secret = two_factor.secret_text(two_factor.confirmed_device(staff_users[0]))
        self.stdout.write(
            f"Two-factor code for staff and the administrator (development only): add the key\n"
            f"  {secret}\n"
            "to an authenticator app as a time-based key, or print the current code with\n"
            "  DEBUG=1 .venv/bin/python manage.py demo_code"
        )

    def _demo_agreements(self, alliance, leader, representative):
        """Signed agreements for the six Aalborg partners, and an amendment of Rokkedahl's
        awaiting the demo representative's signature. The pledge figures are examples."""
        for cvr, pledges in DEMO_PLEDGES.items():
            company = Company.objects.get(cvr=cvr)
            if company.agreements.exists():
                continue
            signer = (
                representative
                if company.display_name == "Rokkedahl"
                else self._user(f"underskriver@{cvr}.example", "Demo", "Underskriver")
            )
            Representation.objects.get_or_create(
                user=signer, company=company, defaults={"may_sign": True, "title": "Direktør"}
            )
            agreement = agreement_create(
                alliance=alliance,
                company=company,
                by=leader,
                focus_areas=sorted({pledge[0] for pledge in pledges}),
                start_date=AALBORG_LAUNCH,
                end_date=AALBORG_LAUNCH.replace(year=2027),
                municipality_commitments="Rådgivning om klimaregnskab, adgang til alliancens "
                "netværk og synlighed på kommunens kanaler.",
            )
            for order, (area, title, scopes, values) in enumerate(pledges, 1):
                if isinstance(values, int):
                    figures = {"is_milestone": True, "target_year": values}
                else:
                    figures = {
                        "metric": values[0],
                        "baseline_year": 2021,
                        "baseline_value": values[1],
                        "target_year": 2030,
                        "target_value": values[2],
                    }
                Pledge.objects.create(
                    agreement=agreement,
                    order=order,
                    title=title,
                    focus_area=area,
                    scopes=scopes,
                    description="Eksempel (demodata · demo data).",
                    **figures,
                )
            agreement = agreement_send(agreement=agreement, by=leader)
            with signed_on(AALBORG_LAUNCH):
                self._sign_at_launch(agreement, signer, leader)
            if company.display_name == "Rokkedahl":
                amendment = agreement_amend(agreement=agreement, by=leader)
                Pledge.objects.create(
                    agreement=amendment,
                    order=3,
                    title="Plan for grøn pendling",
                    focus_area=FocusArea.TRANSPORT,
                    is_milestone=True,
                    target_year=2027,
                )
                agreement_send(agreement=amendment, by=leader)

    def _sign_at_launch(self, agreement, signer, leader):
        """Both parties sign: the six partners signed at the alliance's launch."""
        agreement_sign(
            agreement=agreement,
            user=signer,
            typed_name=signer.get_full_name(),
            title="Direktør",
            seen_sha256=content_sha256(agreement),
        )
        agreement_countersign(
            agreement=agreement,
            user=leader,
            typed_name=leader.get_full_name(),
            title="Teamleder",
            seen_sha256=content_sha256(agreement),
        )

    def _aarhus_groups(self, aarhus):
        """Klimaalliancen Aarhus's working groups and chairs, as its web page lists them."""
        by_name = {c.legal_name: c for c in Company.objects.filter(memberships__alliance=aarhus)}
        for name, theme, status, chair_mode, chair, description in AARHUS_GROUPS:
            group, _ = WorkingGroup.objects.update_or_create(
                alliance=aarhus,
                name=name,
                defaults={
                    "theme": theme,
                    "status": status,
                    "chair_mode": chair_mode,
                    "description": description,
                },
            )
            company = by_name.get(chair)
            if company and not group.chair_terms.exists():
                GroupMember.objects.get_or_create(
                    group=group, company=company, defaults={"joined_on": AARHUS_GROUPS_START}
                )
                ChairTerm.objects.create(
                    group=group, company=company, started_on=AARHUS_GROUPS_START
                )
        self._aarhus_group_members(aarhus)
        mobility = WorkingGroup.objects.get(alliance=aarhus, name=AARHUS_GROUPS[1][0])
        self._mobility_paper(mobility)

    def _aarhus_group_members(self, aarhus):
        """The organisations the Aarhus page names in each group, as members; the
        competences group's guide and branding statement as its result text."""
        by_name = {c.legal_name: c for c in Company.objects.filter(memberships__alliance=aarhus)}
        for index, name in enumerate(AARHUS_GROUP_ORGANISATIONS):
            if name not in by_name:
                cvr = demo_cvr(index)
                industry = GROUP_ORGANISATION_INDUSTRIES.get(name, "N")
                row = (cvr, name, "", industry, "", GROUP_MEMBER_NOTE_DA)
                by_name[name] = self._member(aarhus, row, joined_on=None)
                Company.objects.filter(pk=by_name[name].pk, description_en="").update(
                    description_en=GROUP_MEMBER_NOTE_EN
                )
        for group_name, members in AARHUS_GROUP_MEMBERS.items():
            group = WorkingGroup.objects.get(alliance=aarhus, name=group_name)
            for name in members:
                GroupMember.objects.get_or_create(
                    group=group, company=by_name[name], defaults={"joined_on": AARHUS_GROUPS_START}
                )
        WorkingGroup.objects.filter(alliance=aarhus, name="Kompetencer").update(
            description=COMPETENCES_RESULT_DA, description_en=COMPETENCES_RESULT_EN
        )

    def _mobility_paper(self, group):
        """The green-mobility Commitment Paper (the Aarhus seed text), published the way staff
        publish it (so its PDF is made) and signed by the group's chair, Vestas."""
        paper = CommitmentPaper.objects.filter(group=group, title=MOBILITY_PAPER["title"]).first()
        if paper is None:
            paper = paper_create(group=group, **MOBILITY_PAPER)
            paper = paper_publish(paper=paper)
        elif not paper.pdf:  # seeded before it was published properly: make its PDF now
            outbox.enqueue("network.tasks.render_paper_pdf_task", paper.pk, unique=True)
        vestas = Company.objects.get(cvr="29510075")
        if paper.status == CommitmentPaper.Status.OPEN and not paper.signatures.exists():
            signer = self._user("underskriver@29510075.example", "Demo", "Underskriver")
            Representation.objects.get_or_create(
                user=signer, company=vestas, defaults={"may_sign": True, "title": "Direktør"}
            )
            paper_sign(
                paper=paper,
                company=vestas,
                user=signer,
                typed_name=signer.get_full_name(),
                title="Direktør",
                seen_sha256=paper_content_sha256(paper, "da"),
            )

    def _alliance(
        self,
        *,
        slug,
        municipality,
        code,
        name,
        launched_on,
        description,
        description_en,
        contact_name,
        targets,
    ):
        alliance, _ = Alliance.objects.update_or_create(
            slug=slug,
            defaults={
                "municipality": municipality,
                "municipality_code": code,
                "name": name,
                "launched_on": launched_on,
                "description": f"{description}\n\n{DEMO_NOTE_DA}",
                "description_en": f"{description_en}\n\n{DEMO_NOTE_EN}",
                "contact_name": contact_name,
            },
        )
        for percent, year, baseline in targets:
            AllianceTarget.objects.update_or_create(
                alliance=alliance,
                target_year=year,
                defaults={"reduction_percent": percent, "baseline_year": baseline},
            )
        return alliance

    def _member(self, alliance, row, *, joined_on):
        cvr, legal_name, display_name, industry, sub_industry, description = row
        company, _ = Company.objects.update_or_create(
            cvr=cvr,
            defaults={
                "legal_name": legal_name,
                "display_name": display_name,
                "industry": industry,
                "sub_industry": sub_industry,
                "description": description,
            },
        )
        # Each demo alliance registered its own partners, so they share their data with it.
        membership, created = Membership.objects.update_or_create(
            alliance=alliance,
            company=company,
            defaults={"status": Membership.Status.ACTIVE, "joined_on": joined_on},
            create_defaults={
                "status": Membership.Status.ACTIVE,
                "joined_on": joined_on,
                "access_granted_at": timezone.now(),
            },
        )
        if created:
            MembershipEvent.objects.create(
                membership=membership,
                to_status=Membership.Status.ACTIVE,
                note="Demodata · demo data",
            )
        return company

    def _user(self, email, first_name, last_name, **flags):
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name, **flags}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user
