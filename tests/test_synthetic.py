"""`manage.py generate_synthetic`: a realistic catalogue of N agreements for the benchmarks."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from cooperation.models import Agency, Agreement, Country, Quote

pytestmark = pytest.mark.django_db


def generate(*args):
    out = StringIO()
    call_command("generate_synthetic", *args, stdout=out)
    return out.getvalue()


def test_it_builds_n_agreements_with_parties_themes_dates_and_quotes(db):
    output = generate("--agreements", "300")
    assert "Done: 300 synthetic agreements" in output
    agreements = Agreement.objects.annotate(
        p=Count("parties", distinct=True), t=Count("themes", distinct=True)
    )
    assert agreements.count() == 300
    assert all(2 <= a.p <= 6 and 1 <= a.t <= 4 for a in agreements)
    assert {a.date_precision for a in agreements} >= {"day", "month", "year"}
    years = [a.year for a in agreements if a.year]
    assert min(years) >= 1960 and max(years) <= 2030
    assert Quote.objects.filter(agreement__isnull=False).count() == 300
    assert Country.objects.filter(name__startswith="Synthetic").count() == 62
    assert not Agreement.objects.filter(search_text="").exists()


def test_a_second_run_replaces_the_first(db):
    generate("--agreements", "120")
    generate("--agreements", "80", "--seed", "7")
    assert Agreement.objects.count() == 80
    assert Agency.objects.count() == 20


def test_it_leaves_curated_records_alone_and_refuses_without_being_told(loaded):
    curated = Agreement.objects.count()
    with pytest.raises(CommandError, match="holds 14 curated agreements"):
        generate("--agreements", "50")
    generate("--agreements", "50", "--with-curated")
    generate("--agreements", "60", "--with-curated")
    assert Agreement.objects.count() == curated + 60
    assert Agreement.objects.filter(slug="cnes-cnsa-sco-implementing-agreement-2018").exists()
    assert Country.objects.filter(code="FR").exists()


def test_its_derived_data_is_what_the_model_layer_would_make(db):
    """The generator writes each agreement's search text, countries and links at once: the
    model layer's own refresh finds nothing to change."""
    from cooperation.search import refresh_search_text

    generate("--agreements", "400")
    countries = set(Agreement.countries.through.objects.values_list("agreement_id", "country_id"))
    links = dict(Agreement.objects.values_list("pk", "links"))
    assert refresh_search_text(Agreement.objects.all()) == 0
    Agreement.objects.all().refresh_countries()
    after = set(Agreement.countries.through.objects.values_list("agreement_id", "country_id"))
    assert after == countries and countries
    Agreement.objects.all().refresh_links()
    assert dict(Agreement.objects.values_list("pk", "links")) == links
    assert all(value["parties"] and value["quotes"] == 1 for value in links.values())


def test_its_catalogue_is_skewed_like_a_real_one(db):
    """One agency is party to about 5% of the agreements, one country concerns about a fifth:
    the large neighbourhoods the benchmark times."""
    generate("--agreements", "2000")
    big_agency = Agency.objects.get(slug="syn-agency-0")
    assert 0.03 * 2000 < big_agency.agreements.count() < 0.09 * 2000
    big_country = Country.objects.get(code="XA")
    assert 0.12 * 2000 < big_country.agreements.count() < 0.3 * 2000
