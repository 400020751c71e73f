"""A CVR number is accepted the way people copy it: with spaces, dashes or a DK prefix."""

import pytest
from django.utils import translation

from companies.forms import CompanyForm
from companies.models import Company
from companies.validators import compact_cvr

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["68 43 97 52", "68439752", "DK68439752", " 6843-9752 "])
def test_compact_cvr(typed):
    assert compact_cvr(typed) == "68439752"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_cvr_typed_with_spaces_is_accepted(client, staff_x, alliance, prefix):
    client.force_login(staff_x)
    response = client.post(
        f"{prefix}/aalborg/staff/companies/new/",
        {"cvr": "68 43 97 52", "legal_name": "Grøn Øl ApS", "industry": "C"},
        follow=True,
    )
    assert Company.objects.get(cvr="68439752").legal_name == "Grøn Øl ApS"
    assert response.status_code == 200
    assert "Grøn Øl ApS" in response.content.decode()


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_wrong_cvr_gets_one_error_about_its_digits(language):
    with translation.override(language):
        form = CompanyForm({"cvr": "68 43 97 53", "legal_name": "X", "industry": "C"})
        assert not form.is_valid()
    assert len(form.errors["cvr"]) == 1
    assert "68439753" in form.errors["cvr"][0]


def test_the_cvr_input_lets_people_type_the_spaces():
    html = str(CompanyForm()["cvr"])
    assert "maxlength" not in html and 'inputmode="numeric"' in html
