"""Property-based test of the open data API: schemathesis reads /api/v1/schema/ and throws
generated requests (valid and invalid parameters) at every operation. No request may
end in a server error, and the responses must match what the schema documents."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerships.models import Signature
from tests.factories import (
    AgreementFactory,
    AllianceTargetFactory,
    CompanyFactory,
    MembershipFactory,
    PledgeFactory,
    UserFactory,
)


@pytest.fixture
def api_data(alliance):
    AllianceTargetFactory(alliance=alliance)
    for name, industry, focus in (
        ("Grønt Bryggeri A/S", "C", "energy"),
        ("Bondegården", "A", "agriculture"),
    ):
        company = CompanyFactory(legal_name=name, industry=industry, city="Aalborg")
        MembershipFactory(alliance=alliance, company=company)
        agreement = AgreementFactory(alliance=alliance, company=company, focus_areas=[focus])
        PledgeFactory(agreement=agreement, focus_area=focus)
        Signature.objects.create(
            agreement=agreement,
            party=Signature.Party.MUNICIPALITY,
            user=UserFactory(),
            typed_name="Borgmester",
            title="Borgmester",
            content_sha256="0" * 64,
            signed_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC),
        )
    return alliance


def load_schema():
    """The schema as the API serves it. pytest-django has configured Django by the time this
    module is collected; the schema view touches no database."""
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        return schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


schema = load_schema()


@pytest.fixture(autouse=True)
def _wsgi_inside_the_test_transaction(settings):
    """Call the plain WSGI app the way Django's test client does: without closing the
    database connection (and with it the test's transaction) after each request."""
    # schemathesis' WSGI client calls the app as host "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FAST = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example database written into the source tree
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.mark.django_db
@schema.parametrize()
@FAST
def test_no_server_error(case, api_data):
    case.call_and_validate(checks=[not_a_server_error])


@pytest.mark.django_db
@schema.parametrize()
@FAST
def test_responses_match_the_schema(case, api_data):
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
