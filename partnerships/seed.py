"""A sensible starting template and pledge catalogue for a new alliance (demo data too)."""

from klimaalliance.choices import FocusArea

from .models import CatalogueItem
from .services import current_template, template_new_version

TITLE = "Klimapartnerskabsaftale"
TITLE_EN = "Climate partnership agreement"

CLAUSES = [
    {
        "heading": "Formål",
        "heading_en": "Purpose",
        "text": (
            "{company} og {municipality} indgår denne klimapartnerskabsaftale som en del af "
            "{alliance}. Formålet er at nedbringe udledningen af drivhusgasser fra "
            "virksomhedens aktiviteter og bidrage til kommunens klimamål under DK2020."
        ),
        "text_en": (
            "{company} and {municipality} enter into this climate partnership agreement as "
            "part of {alliance}. Its purpose is to cut the greenhouse gas emissions of the "
            "company's activities and contribute to the municipality's DK2020 climate targets."
        ),
    },
    {
        "heading": "Virksomhedens forpligtelser",
        "heading_en": "The company's commitments",
        "text": (
            "Virksomheden arbejder inden for fokusområderne {focus_areas} og forpligter sig til "
            "de tilsagn, der er listet i aftalen: {pledges}. Virksomheden opgør sit klimaregnskab "
            "for et basisår og rapporterer sine fremskridt én gang om året."
        ),
        "text_en": (
            "The company works within the focus areas {focus_areas} and commits to the pledges "
            "listed in this agreement: {pledges}. The company keeps a greenhouse gas inventory "
            "for a baseline year and reports its progress once a year."
        ),
    },
    {
        "heading": "Kommunens forpligtelser",
        "heading_en": "The municipality's commitments",
        "text": (
            "{municipality} stiller rådgivning, netværk og synlighed til rådighed for "
            "virksomheden og inviterer til alliancens arrangementer og arbejdsgrupper."
        ),
        "text_en": (
            "{municipality} offers the company advice, a network and visibility, and invites "
            "it to the alliance's events and working groups."
        ),
    },
    {
        "heading": "Varighed",
        "heading_en": "Duration",
        "text": (
            "Aftalen gælder fra {start_date} til {end_date} og kan fornyes efter fælles aftale."
        ),
        "text_en": (
            "The agreement runs from {start_date} to {end_date} and may be renewed by mutual "
            "agreement."
        ),
    },
    {
        "heading": "Kommunikation og brug af logoer",
        "heading_en": "Communication and use of logos",
        "text": (
            "Parterne må omtale partnerskabet og bruge hinandens logoer i forbindelse med "
            "partnerskabet. Kommunen offentliggør virksomhedens navn og de tilsagn, virksomheden "
            "har valgt at gøre offentlige."
        ),
        "text_en": (
            "The parties may mention the partnership and use each other's logos in connection "
            "with it. The municipality publishes the company's name and the pledges the company "
            "has chosen to make public."
        ),
    },
    {
        "heading": "Opsigelse",
        "heading_en": "Termination",
        "text": (
            "Hver part kan opsige aftalen skriftligt med en måneds varsel. Opsigelsen og dens "
            "begrundelse noteres i portalen."
        ),
        "text_en": (
            "Either party may terminate the agreement in writing with one month's notice. The "
            "termination and its reason are recorded in the portal."
        ),
    },
]

# Standard pledges by focus area, in the spirit of Uppsala's challenges and Aarhus's
# zero-emission fleet commitment.
CATALOGUE = [
    (
        FocusArea.ENERGY,
        "Reducér udledningen fra scope 1 og 2 med 50 % i 2030",
        "Cut scope 1 and 2 emissions by 50 % by 2030",
        False,
        "t CO2e, scope 1+2",
        50,
        2030,
        [1, 2],
    ),
    (
        FocusArea.ENERGY,
        "100 % vedvarende el senest 2027",
        "100 % renewable electricity by 2027",
        True,
        "",
        None,
        2027,
        [2],
    ),
    (
        FocusArea.TRANSPORT,
        "Emissionsfri personbilsflåde i 2030",
        "Zero-emission passenger car fleet by 2030",
        True,
        "",
        None,
        2030,
        [1],
    ),
    (
        FocusArea.TRANSPORT,
        "Plan for grøn pendling",
        "A green commuting plan",
        True,
        "",
        None,
        2026,
        [3],
    ),
    (
        FocusArea.AGRICULTURE,
        "Reducér udledningen fra husdyr og marker med 30 % i 2030",
        "Cut livestock and field emissions by 30 % by 2030",
        False,
        "t CO2e",
        30,
        2030,
        [1],
    ),
    (
        FocusArea.WASTE,
        "Halvér restaffaldet i 2030",
        "Halve residual waste by 2030",
        False,
        "t restaffald",
        50,
        2030,
        [3],
    ),
    (
        FocusArea.PROCUREMENT,
        "Klimakrav i alle større indkøb",
        "Climate criteria in all major purchases",
        True,
        "",
        None,
        2026,
        [3],
    ),
    (
        FocusArea.COMPETENCES,
        "Klimakompetencer for alle ledere",
        "Climate competences for every manager",
        True,
        "",
        None,
        2026,
        [],
    ),
]


def ensure_starting_content(alliance, by=None):
    """Give `alliance` the default template and catalogue unless it has them already."""
    if current_template(alliance) is None:
        template_new_version(
            alliance=alliance, by=by, title=TITLE, title_en=TITLE_EN, clauses=CLAUSES
        )
    if not alliance.catalogue_items.exists():
        CatalogueItem.objects.bulk_create(
            CatalogueItem(
                alliance=alliance,
                focus_area=area,
                title=title,
                title_en=title_en,
                is_milestone=milestone,
                metric=metric,
                reduction_percent=percent,
                target_year=year,
                scopes=scopes,
            )
            for area, title, title_en, milestone, metric, percent, year, scopes in CATALOGUE
        )
