import datetime
import itertools

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from companies.models import Company, Membership, Representation
from klimaalliance.models import Alliance, AllianceTarget, StaffRole, User

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
_cvr_counter = itertools.count(3_000_000)


def next_valid_cvr() -> str:
    """A fresh 8-digit number that passes the modulus-11 check."""
    while True:
        prefix = str(next(_cvr_counter))
        check = -sum(int(d) * w for d, w in zip(prefix, CVR_WEIGHTS, strict=False)) % 11
        if check < 10:
            return f"{prefix}{check}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class AllianceFactory(DjangoModelFactory):
    class Meta:
        model = Alliance

    municipality = factory.Sequence(lambda n: f"Testby {n} Kommune")
    municipality_code = factory.Sequence(lambda n: f"{(n % 9000) + 1000:04d}")
    name = factory.Sequence(lambda n: f"Klimaalliancen Testby {n}")
    slug = factory.Sequence(lambda n: f"testby-{n}")


class AllianceTargetFactory(DjangoModelFactory):
    class Meta:
        model = AllianceTarget

    alliance = factory.SubFactory(AllianceFactory)
    reduction_percent = 70
    target_year = 2030
    baseline_year = 1990


class TOTPDeviceFactory(DjangoModelFactory):
    """A confirmed authenticator app (the second factor); `totp_code(device)` in
    tests/conftest.py gives its current code."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class StaffRoleFactory(DjangoModelFactory):
    """Staff must use a second factor, so the user gets a confirmed authenticator app unless
    `second_factor=False` (staff who have not set it up yet)."""

    class Meta:
        model = StaffRole
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    alliance = factory.SubFactory(AllianceFactory)
    role = StaffRole.Role.TEAM_LEADER
    may_countersign = True

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        if create and extracted is not False and not self.user.totpdevice_set.exists():
            TOTPDeviceFactory(user=self.user)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    cvr = factory.LazyFunction(next_valid_cvr)
    legal_name = factory.Sequence(lambda n: f"Virksomhed {n} ApS")
    industry = "C"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    alliance = factory.SubFactory(AllianceFactory)
    company = factory.SubFactory(CompanyFactory)
    status = Membership.Status.ACTIVE
    # Registered by this alliance (or accepted its invitation): the company shares its data.
    access_granted_at = factory.LazyFunction(timezone.now)


class RepresentationFactory(DjangoModelFactory):
    class Meta:
        model = Representation

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    may_sign = True


class AgreementTemplateFactory(DjangoModelFactory):
    class Meta:
        model = "partnerships.AgreementTemplate"
        django_get_or_create = ("alliance", "version")

    alliance = factory.SubFactory(AllianceFactory)
    version = 1
    title = "Klimapartnerskabsaftale"


class AgreementFactory(DjangoModelFactory):
    """An agreement created straight in a status (default: active), without the workflow."""

    class Meta:
        model = "partnerships.Agreement"
        skip_postgeneration_save = True

    alliance = factory.SubFactory(AllianceFactory)
    company = factory.SubFactory(CompanyFactory)
    template = factory.LazyAttribute(lambda o: AgreementTemplateFactory(alliance=o.alliance))
    start_date = datetime.date(2025, 1, 1)
    end_date = datetime.date(2028, 1, 1)
    status = "active"

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        from partnerships.models import AgreementFocusArea

        for area in extracted or []:
            AgreementFocusArea.objects.create(agreement=self, area=area)


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = "partnerships.Pledge"

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Tilsagn {n}")
    metric = "t CO2e"
    baseline_year = 2021
    baseline_value = 1000
    target_year = 2030
    target_value = 500
    is_public = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Pledge.save() refuses once an agreement is signed; factories set up signed states.
        (pledge,) = model_class.objects.bulk_create([model_class(*args, **kwargs)])
        return pledge


def active_partner(alliance, **company_fields):
    """A company with an active agreement in `alliance` (member too), for public pages."""
    company = CompanyFactory(**company_fields)
    MembershipFactory(alliance=alliance, company=company)
    return company
