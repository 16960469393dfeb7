"""The pages that exist so far: home and one page per record, in a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cooperation.fixture_files import SPECS
from cooperation.models import Agreement

pytestmark = pytest.mark.django_db


def test_home_counts_the_catalogue(client, loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cooperation:home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"<strong>{Agreement.objects.count()}</strong> agreements" in content


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.model._meta.model_name)
def test_every_record_page_shows_the_record_and_its_quotes(
    client, loaded, spec, django_assert_max_num_queries
):
    record = spec.model.objects.first()
    if record is None:
        pytest.skip(f"no {spec.label} in the fixtures yet")
    with django_assert_max_num_queries(6):
        response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert escape(str(record)) in content
    if "quotes" in spec.child_names:
        for quote in record.quotes.all():
            assert escape(quote.text) in content


def test_an_unknown_record_is_a_404(client, loaded):
    response = client.get(reverse("cooperation:agreement_detail", kwargs={"slug": "no-such-thing"}))
    assert response.status_code == 404
