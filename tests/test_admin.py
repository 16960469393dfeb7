"""The curators' admin: every catalogue model can be listed, searched, opened and added."""

import pytest
from django.urls import reverse

from cooperation.fixture_files import SPECS
from cooperation.models import Agreement, Person
from tests.conftest import make_agency, make_agreement, make_country

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.model._meta.model_name)
def test_every_model_has_a_changelist_a_change_form_and_an_add_form(admin_client, loaded, spec):
    opts = spec.model._meta
    record = spec.model.objects.first()
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    assert str(record) in changelist.content.decode()

    change = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    )
    assert change.status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == 200


def test_agreements_are_found_by_a_party_acronym(admin_client, loaded):
    url = reverse("admin:cooperation_agreement_changelist")
    found = admin_client.get(url, {"q": "CNSA"}).content.decode()
    missed = admin_client.get(url, {"q": "JAXA"}).content.decode()
    assert "specific agreement on implementing the Space Climate Observatory" in found
    assert "specific agreement on implementing the Space Climate Observatory" not in missed


def test_a_person_s_roles_and_quotes_are_edited_under_them(admin_client, loaded):
    person = Person.objects.get(slug="zhang-kejian")
    page = admin_client.get(reverse("admin:cooperation_person_change", args=[person.pk]))
    content = page.content.decode()
    assert "Administrator" in content
    assert "the new Administrator of the China National Space Administration" in content


def test_the_agreement_changelist_runs_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    france = make_country()
    cnes = make_agency(country=france)
    for number in range(60):
        make_agreement(slug=f"agreement-{number}", title=f"Agreement {number}").parties.add(cnes)
    assert Agreement.objects.count() == 60
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:cooperation_agreement_changelist"))
    assert response.status_code == 200
    assert "Agreement 59" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:cooperation_agreement_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
