"""The whole-page cache for anonymous visitors (`klimaalliance.caching`): one copy per
variant of a page, retired only by committed changes that can alter a public page, and
revalidated with ETags."""

import contextlib
import runpy
import uuid

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from companies.models import Membership, Story
from emissions import reporting
from emissions.models import Report, ReportingRound
from klimaalliance.caching import PUBLIC_MODELS, VERSION_KEY, bump_public_version
from network.models import CommitmentPaper
from partnerships.models import Agreement
from tests.factories import AgreementFactory, CompanyFactory

pytestmark = pytest.mark.django_db

URL = "/aalborg/partners/?q=a"


@pytest.fixture(autouse=True)
def page_cache(settings):
    """A cache of this test's own, so no other test (or test run) can bump its version."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"page-cache-{uuid.uuid4()}",
        }
    }
    bump_public_version()


def version():
    return cache.get(VERSION_KEY)


class Rollback(Exception):
    pass


@pytest.fixture
def partner(alliance, company_a):
    AgreementFactory(alliance=alliance, company=company_a)  # "Alfa A/S" matches ?q=a
    return company_a


def is_fragment(response):
    html = response.content.decode()
    return 'id="partner-results"' in html and "<html" not in html


def is_whole_page(response):
    html = response.content.decode()
    return 'id="partner-results"' in html and "<html" in html and "<main" in html


@pytest.mark.parametrize("htmx_first", [True, False])
def test_the_htmx_fragment_and_the_whole_page_are_cached_apart(client, partner, htmx_first):
    def whole_page():
        return client.get(URL)

    def fragment():
        return client.get(URL, HTTP_HX_REQUEST="true")

    first, second = (fragment, whole_page) if htmx_first else (whole_page, fragment)
    first(), second()  # both variants are now in the cache
    for request, looks_right in [(whole_page, is_whole_page), (fragment, is_fragment)]:
        with CaptureQueriesContext(connection) as queries:
            response = request()
        assert response.status_code == 200
        assert looks_right(response), response.content.decode()[:300]
        assert "Alfa A/S" in response.content.decode()
        assert "HX-Request" in response["Vary"]
        assert not queries.captured_queries  # served from the cache, not rendered again


@pytest.mark.django_db(transaction=True)
def test_a_transaction_bumps_the_version_once_and_only_after_it_commits():
    start = version()
    with transaction.atomic():
        for _ in range(5):
            CompanyFactory()
        # A request now would still read the old data: it must not find a new version.
        assert version() == start
    assert version() == start + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_bumps_nothing():
    start = version()
    with contextlib.suppress(Rollback), transaction.atomic():
        CompanyFactory()
        raise Rollback
    assert version() == start


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_keeps_the_bump_of_what_stays():
    start = version()
    with transaction.atomic():
        with contextlib.suppress(Rollback), transaction.atomic():
            CompanyFactory()  # the transaction's first public change, then undone
            raise Rollback
        CompanyFactory()
    assert version() == start + 1


@pytest.mark.django_db(transaction=True)
def test_a_draft_report_does_not_bump_but_approving_it_does(alliance, company_a):
    reporting_round = ReportingRound.objects.create(alliance=alliance, year=2025)
    start = version()
    report = Report.objects.create(round=reporting_round, company=company_a)
    reporting.report_save(report=report, narrative="Vi skiftede til varmepumper.", statuses={})
    report.refresh_from_db()
    report.status = Report.Status.SUBMITTED
    report.save()
    assert version() == start
    report.status = Report.Status.APPROVED  # as reporting.report_approve does
    report.save()
    assert version() == start + 1


@pytest.mark.parametrize(
    ("model", "public_or_once_public"),
    [
        (Report, {"approved"}),
        (Story, {"approved"}),
        (Agreement, {"active", "expired", "terminated", "superseded"}),
        (CommitmentPaper, {"open", "closed"}),
        (Membership, {"invited", "active", "paused", "left"}),
    ],
)
def test_a_change_bumps_only_in_states_a_public_page_shows_or_showed(model, public_or_once_public):
    changes_public_page = PUBLIC_MODELS[model._meta.label]
    bumping = {status for status in model.Status if changes_public_page(model(status=status))}
    assert bumping == public_or_once_public


def test_an_unchanged_page_is_answered_with_304(
    client, alliance, partner, django_capture_on_commit_callbacks
):
    first = client.get(URL)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "public, max-age=60"

    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag and "HX-Request" in again["Vary"]
    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    fragment = client.get(URL, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert fragment.status_code == 200 and fragment["ETag"] != etag

    with django_capture_on_commit_callbacks(execute=True):  # the version is bumped on commit
        AgreementFactory(alliance=alliance, company=CompanyFactory(legal_name="Anden A/S"))
    changed = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "Anden A/S" in changed.content.decode()
    assert changed["ETag"] != etag


def test_signed_in_users_get_fresh_pages_without_an_etag(client, partner, staff_x):
    client.get(URL)  # cached for anonymous visitors
    client.force_login(staff_x)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200 and queries.captured_queries
    assert "ETag" not in response and "public" not in response.get("Cache-Control", "")


def test_visitors_without_a_session_are_answered_before_the_session_middleware(
    client, partner, monkeypatch
):
    """The front cache answers with the finished response (security headers included),
    without reading a session or a user, and keeps every variant apart."""
    first = client.get(URL)

    def no_session(*args, **kwargs):
        raise AssertionError("the session middleware ran for a cached page")

    monkeypatch.setattr(SessionMiddleware, "process_request", no_session)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(URL)
    assert not queries.captured_queries
    assert again.content == first.content and again["ETag"] == first["ETag"]
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
        assert again[header] == first[header]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    monkeypatch.undo()

    english = client.get("/en" + URL)
    assert english["Content-Language"] == "en" and english["ETag"] != first["ETag"]
    assert is_fragment(client.get(URL, HTTP_HX_REQUEST="true"))
    assert "Alfa A/S" not in client.get("/aalborg/partners/?q=zzz").content.decode()


def test_a_signed_in_visitor_never_gets_the_anonymous_copy(client, partner, staff_x):
    anonymous = client.get(URL)
    client.force_login(staff_x)
    signed_in = client.get(URL)
    assert "ETag" not in signed_in and signed_in.content != anonymous.content


def test_the_open_data_api_is_cached_per_version_and_answers_304(
    client, alliance, partner, django_capture_on_commit_callbacks
):
    url = "/api/v1/partners/?alliance=aalborg"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["count"] == 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert not queries.captured_queries
    html = client.get(url, HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")  # its own copy: Accept is in the key
    with django_capture_on_commit_callbacks(execute=True):
        AgreementFactory(alliance=alliance, company=CompanyFactory(legal_name="Anden A/S"))
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["count"] == 2


def test_a_copy_kept_in_the_process_is_an_answer_of_its_own(client, alliance):
    """The process keeps its last pages beside the cache; headers that the middleware adds
    to one answer (CORS for a request from another site) must not reach the next."""
    url = f"/api/v1/partners/?alliance={alliance.slug}"
    first = client.get(url, HTTP_ORIGIN="https://data.example")
    assert first["Access-Control-Allow-Origin"] == "*"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert len(queries) == 0  # answered from a copy
    assert second.content == first.content
    assert "Access-Control-Allow-Origin" not in second.headers


def test_a_restarted_server_renders_every_cached_page_afresh(settings):
    """A new release may render pages differently: gunicorn retires the public and the
    signed-in copies once, as it starts (gunicorn.conf.py)."""
    from klimaalliance.private_pages import VERSION_KEY as PRIVATE_VERSION_KEY

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    public, private = version(), cache.get(PRIVATE_VERSION_KEY)
    config["when_ready"](server=None)
    assert version() == public + 1
    assert cache.get(PRIVATE_VERSION_KEY) != private
