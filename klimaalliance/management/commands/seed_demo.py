"""Demo data: the Aalborg and Aarhus alliances from the seed texts and one user per role.

Idempotent: running it again updates the same rows instead of adding new ones.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from companies.models import (
    Company,
    Membership,
    MembershipEvent,
    Representation,
)
from klimaalliance.models import Alliance, AllianceTarget, StaffRole, User

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


class Command(BaseCommand):
    help = "Create or update the demo alliances, companies and one user per role."

    @transaction.atomic
    def handle(self, *args, **options):
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
                "description": description,
                "description_en": description_en,
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
        membership, created = Membership.objects.update_or_create(
            alliance=alliance,
            company=company,
            defaults={"status": Membership.Status.ACTIVE, "joined_on": joined_on},
        )
        if created:
            MembershipEvent.objects.create(
                membership=membership,
                to_status=Membership.Status.ACTIVE,
                note="Demodata",
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
