"""Demo data for the inspiration catalogue and the networks of municipalities.

Everything here is public fact from ../shared/seeds (KL's inspiration catalogue and
Assens Kommune's news about the DK2020 climate alliance); nothing is invented. The sources
name no date or place for the alliance's annual summit, so its event has a demo date, labelled
as such in its title in both languages.
Running `seed_network_demo()` again updates the same rows (idempotent).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.models import Alliance

from .models import AllianceNetwork, InspirationCase, NetworkEvent, NetworkMember

KL_SOURCE = "KL, Inspirationskatalog"
KL_CATALOGUE_URL = (
    "https://www.kl.dk/kommunale-opgaver/erhvervsudvikling/den-groenne-omstilling/"
    "inspirationskatalog/"
)

CASES = [
    {
        "title": "Klimapartnerskab Vejle Nord",
        "municipality": "Vejle Kommune",
        "partnership_form": PartnershipForm.JOINT,
        "focus_area": FocusArea.ENERGY,
        "companies_involved": "En række virksomheder i Vejle Nord.",
        "what_was_done": (
            "I et samlet byområde i den nordlige del af Vejle er en række virksomheder og Vejle "
            "Kommune gået sammen om et forpligtende partnerskab på energiområdet. Klimapartnerskab "
            "Vejle Nord vil på baggrund af et tæt samarbejde, fælles initiativer og konkrete "
            "løsninger udarbejde en strategisk energiplan, der skal øge andelen og udnyttelsen af "
            "grønne kWh i området og på sigt bidrage til Vejle Kommunes mål om klimaneutralitet "
            "i 2050."
        ),
        "results": "",
        "source_url": KL_CATALOGUE_URL + "klimapartnerskab-vejle-nord/",
    },
    {
        "title": "Ressource City Næstved",
        "municipality": "Næstved Kommune",
        "partnership_form": PartnershipForm.RESOURCES,
        "focus_area": FocusArea.WASTE,
        "companies_involved": "Virksomheder i Næstved.",
        "what_was_done": (
            "I hallerne fra en tidligere papirfabrik på Næstved Havn har Ressource City kontor. "
            "Herfra hjælper de Næstveds virksomheder i den grønne omstilling med et særligt fokus "
            "på, hvordan affald kan genanvendes til gavn for virksomhederne, kommunen, borgerne "
            "og klimaet."
        ),
        "results": "",
    },
    {
        "title": "Klimaalliancen Aarhus",
        "municipality": "Aarhus Kommune",
        "partnership_form": PartnershipForm.NETWORK,
        "focus_area": FocusArea.TRANSPORT,
        "companies_involved": "Erhvervslivet og virksomheder i Aarhus.",
        "what_was_done": (
            "Siden 2008 har Aarhus Kommune haft som mål at blive CO2-neutral i 2030. Af den "
            "resterende udledning står Aarhus' borgere og virksomheder for ca. 90 %. Aarhus "
            "Kommune søger blandt andet at nedsætte denne udledning gennem klimapartnerskaber "
            "med erhvervslivet og virksomheder."
        ),
        "results": "Kommunen har allerede halveret sin udledning siden 2008.",
    },
    {
        "title": "Det grønne akademi",
        "municipality": "Aarhus Kommune",
        "partnership_form": PartnershipForm.SKILLS,
        "focus_area": FocusArea.COMPETENCES,
        "companies_involved": "Lokale virksomheder i Aarhus.",
        "what_was_done": (
            "Siden 2008 har Aarhus Kommune haft som mål at blive CO2-neutral i 2030. Den største "
            "del af kommunens CO2-udledning stammer ikke direkte fra kommunen, men fra Aarhus "
            "bysamfund. Det grønne akademi er et grønt partnerskab mellem Aarhus Kommune og "
            "lokale virksomheder, der skal bidrage til kommunens grønne omstilling."
        ),
        "results": "",
    },
    {
        "title": "Samarbejde med erhvervslivet",
        "municipality": "Fredericia Kommune",
        "partnership_form": PartnershipForm.JOINT,
        "focus_area": FocusArea.PRODUCTION,
        "companies_involved": "Kommunens lokale virksomheder.",
        "what_was_done": (
            "I Fredericia Kommune er der tradition for at samarbejde med det lokale erhvervsliv, "
            "og derfor var det naturligt at inddrage kommunens virksomheder i udarbejdelsen af "
            "DK2020-klimahandleplanerne. I kommunen tænker man klimaarbejdet ind i eksisterende "
            "partnerskaber – til fordel for både klimaet, kommunen og virksomhederne."
        ),
        "results": "",
    },
]

DK2020_MUNICIPALITIES = [
    "Albertslund",
    "Allerød",
    "Assens",
    "Fredericia",
    "Frederiksberg",
    "Frederikshavn",
    "Helsingør",
    "Høje-Taastrup",
    "Jammerbugt",
    "Køge",
    "Lemvig",
    "Lolland",
    "Middelfart",
    "Samsø",
    "Sønderborg",
    "Vejle",
]

DK2020_DESCRIPTION = (
    "16 forgangskommuner i DK2020 har indgået en klimaalliance for at sikre læring, "
    "vidensdeling og handling i kampen mod klimaforandringerne. Alle 16 kommuner har vedtaget "
    "en klimastrategi og udarbejdet et indsatskatalog og er nu i gang med at føre indsatserne "
    "ud i livet.\n\n"
    "Alliancen er etableret i samarbejde med Realdania, CONCITO, KL og C40 og samarbejder tæt "
    "med det globale C40-netværk, som giver kommunerne adgang til C40's ressourcer og mulighed "
    "for at udveksle globale standarder, viden og erfaring."
)

DK2020_DECLARATION = (
    "Kommunerne forpligter sig til at:\n"
    "• gennemføre den strategiske planlægning, der skal til for at efterleve Parisaftalens mål "
    "om at begrænse den globale temperaturstigning til 1,5 grader, og tilpasse sig fremtidens "
    "klimaforandringer;\n"
    "• vedtage en pariskompatibel klimahandlingsplan, der viser, hvordan kommunen tilpasser sig "
    "klimaforandringerne og når netto-nul udledning af drivhusgasser senest i 2050;\n"
    "• sikre forudsætningerne for at gennemføre planen og følge op på, at dens handlinger "
    "implementeres;\n"
    "• indgå i en tæt alliance om de fælles mål og aktivt inspirere og støtte hinanden;\n"
    "• deltage aktivt, herunder i et årligt topmøde mellem alliancens kommuner;\n"
    "• arbejde for, at flest mulige kommuner tilslutter sig alliancen."
)

DK2020_SOURCE = "Assens Kommune: »DK2020 - 16 klima-kommuner indgår alliance«"
DK2020_SOURCE_URL = (
    "https://www.assens.dk/vores-kommune/nyt-fra-assens-kommune/nyheder-pressemeddelelser/"
    "dk2020-16-klima-kommuner-indgaar-alliance/"
)
# The sources name no date or place for the annual summit (årligt topmøde): a demo date.
SUMMIT_TITLE = "Årligt topmøde i DK2020-klimaalliancen (demodato)"
SUMMIT_TITLE_EN = "Annual summit of the DK2020 climate alliance (demo date)"
SUMMIT_PROGRAMME = (
    "Demodata: kommunerne har forpligtet sig til at deltage aktivt i et årligt topmøde mellem "
    "alliancens kommuner. Kilden nævner hverken dato eller sted; datoen her er et eksempel."
)


def summit_demo_date(today=None):
    """1 June next year: always upcoming, the same on every seeding within a year."""
    today = today or timezone.localdate()
    return datetime.date(today.year + 1, 6, 1)


def _case_alliance():
    return Alliance.objects.filter(slug="aarhus").first() or Alliance.objects.order_by("pk").first()


def _member_alliance(municipality):
    """The municipality's alliance, if it is on this portal."""
    return Alliance.objects.filter(municipality__iexact=f"{municipality} Kommune").first()


@transaction.atomic
def seed_network_demo():
    """KL's five inspiration cases and the DK2020 climate alliance of 16 municipalities."""
    alliance = _case_alliance()
    cases = []
    if alliance is not None:
        for case in CASES:
            lookup = {"title": case["title"], "municipality": case["municipality"]}
            defaults = {
                **{key: value for key, value in case.items() if key not in lookup},
                "alliance": alliance,
                "source": KL_SOURCE,
                "source_url": case.get("source_url", KL_CATALOGUE_URL),
                "is_published": True,
            }
            obj, _created = InspirationCase.objects.update_or_create(**lookup, defaults=defaults)
            cases.append(obj)

    network, _created = AllianceNetwork.objects.update_or_create(
        slug="dk2020",
        defaults={
            "name": "DK2020-klimaalliancen",
            "name_en": "The DK2020 climate alliance",
            "source_url": DK2020_SOURCE_URL,
            "description": DK2020_DESCRIPTION,
            "joint_declaration": DK2020_DECLARATION,
            "source": DK2020_SOURCE,
        },
    )
    for municipality in DK2020_MUNICIPALITIES:
        NetworkMember.objects.update_or_create(
            network=network,
            municipality=municipality,
            defaults={"alliance": _member_alliance(municipality)},
        )
    NetworkEvent.objects.update_or_create(
        network=network,
        title=SUMMIT_TITLE,
        defaults={
            "title_en": SUMMIT_TITLE_EN,
            "date": summit_demo_date(),
            "programme": SUMMIT_PROGRAMME,
        },
    )
    return {"cases": cases, "network": network}
