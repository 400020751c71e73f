"""The shared-register migration applies to a database with data from before it.

A database is migrated back to the schema before `0004_shared_company_register`, filled the
way the old code filled it (one company in two alliances: registered by Aalborg, "added
existing" by Aarhus; another company whose person accepted Aarhus's invitation), then
migrated forward: every row is still there, and only the alliances the company agreed to
get access to its data.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("companies", "0003_company_publishes_figures"),
    ("partnerships", "0002_signature_trigger"),
]
AFTER = [("companies", "0004_shared_company_register")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_memberships_keep_their_data_and_get_access_only_where_agreed():
    old = migrate(BEFORE)
    # The core is not migrated back, so its current model fits its table. Made without
    # signals: emissions' receivers would write to tables the migration back removed.
    from klimaalliance.models import Alliance

    Company = old.get_model("companies", "Company")
    Membership = old.get_model("companies", "Membership")
    ContactPerson = old.get_model("companies", "ContactPerson")
    Invitation = old.get_model("companies", "Invitation")
    aalborg, aarhus = (
        alliance.pk
        for alliance in Alliance.objects.bulk_create(
            [
                Alliance(
                    municipality="Aalborg",
                    municipality_code="0851",
                    name="KA Aalborg",
                    slug="aalborg",
                ),
                Alliance(
                    municipality="Aarhus", municipality_code="0751", name="KA Aarhus", slug="aarhus"
                ),
            ]
        )
    )
    shared = Company.objects.create(cvr="68439752", legal_name="Delt A/S", industry="C")
    first = Membership.objects.create(alliance_id=aalborg, company=shared, status="active")
    taken = Membership.objects.create(alliance_id=aarhus, company=shared, status="prospect")
    agreed = Company.objects.create(cvr="29403473", legal_name="Enig ApS", industry="M")
    Membership.objects.create(alliance_id=aalborg, company=agreed, status="active")
    joined = Membership.objects.create(alliance_id=aarhus, company=agreed, status="invited")
    contact = ContactPerson.objects.create(
        company=agreed, name="Ida", email="ida@enig.dk", may_sign=True
    )
    Invitation.objects.create(
        alliance_id=aarhus,
        company=agreed,
        contact=contact,
        email=contact.email,
        accepted_at=timezone.now(),
    )

    new = migrate(AFTER)
    Membership = new.get_model("companies", "Membership")
    Invitation = new.get_model("companies", "Invitation")
    assert new.get_model("companies", "Company").objects.count() == 2
    assert new.get_model("companies", "ContactPerson").objects.get().email == "ida@enig.dk"
    access = dict(Membership.objects.values_list("pk", "access_granted_at"))
    assert access[first.pk] is not None  # registered there first
    assert access[taken.pk] is None  # added by CVR only: nothing shared
    assert access[joined.pk] is not None  # the company's person accepted Aarhus's invitation
    assert Invitation.objects.get().may_sign is True
    assert len(access) == 4


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
