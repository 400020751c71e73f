import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.django_db
def test_pages_are_danish_by_default_whatever_the_browser_asks_for(client, alliance):
    response = client.get("/aalborg/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Spring til hovedindholdet" in html
    assert "Tilgængelighedserklæring" in html


@pytest.mark.django_db
def test_english_lives_under_en_and_the_switch_links_there(client, alliance):
    danish = client.get("/aalborg/").content.decode()
    assert 'href="/en/aalborg/"' in danish
    english = client.get("/en/aalborg/").content.decode()
    assert '<html lang="en">' in english
    assert "Skip to main content" in english
    assert "Accessibility statement" in english
    assert 'href="/aalborg/"' in english


@pytest.mark.django_db
def test_anonymous_visitors_get_no_cookie(client, alliance):
    for url in ["/", "/aalborg/", "/en/aalborg/", "/accessibility/", "/privacy/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, response.cookies)


@pytest.mark.django_db
def test_every_public_page_has_one_h1_a_skip_link_and_landmarks(client, alliance):
    for url in ["/", "/aalborg/", "/accessibility/", "/privacy/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert 'href="#main"' in html
        for landmark in ["<header", "<main", "<footer", "<nav"]:
            assert landmark in html, (url, landmark)


def test_numbers_and_dates_follow_the_language():
    import datetime
    from decimal import Decimal

    template = Template('{% load humanize %}{{ n|floatformat:"1g" }} {{ d|date:"DATE_FORMAT" }}')
    context = Context({"n": Decimal("12345.6"), "d": datetime.date(2022, 6, 14)})
    with translation.override("da"):
        assert template.render(context) == "12.345,6 14. juni 2022"
    with translation.override("en"):
        assert template.render(context) == "12,345.6 14 June 2022"


@pytest.mark.django_db
def test_alliance_targets_are_shown_in_the_active_language(client, alliance):
    alliance.targets.create(reduction_percent=74, target_year=2030, baseline_year=1990)
    alliance.targets.create(reduction_percent=100, target_year=2050)
    danish = client.get("/aalborg/").content.decode()
    assert "−74 % i 2030 i forhold til 1990" in danish
    assert "Netto-nul i 2050" in danish
    english = client.get("/en/aalborg/").content.decode()
    assert "−74 % by 2030 against 1990" in english
    assert "Net zero by 2050" in english


@pytest.mark.django_db
def test_unknown_alliance_is_a_friendly_404(client):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Siden blev ikke fundet" in response.content.decode()
