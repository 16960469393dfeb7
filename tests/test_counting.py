"""Counts kept once per catalogue version (cooperation.counting), and deep pages read by id:
what a reader sees stays right while the work is done once."""

import re

import pytest
from django.core.cache import cache

from tests.conftest import (
    add_agreements,
    clear_caches,
    make_agency,
    make_agreement,
    make_country,
    make_theme,
    queries_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(small_catalogue):
    add_agreements(small_catalogue, 0, 60)
    return small_catalogue


def result_count(response):
    return int(re.search(r'id="results-heading"[^>]*>(\d+) agreement', response.text).group(1))


def facet_count(response, facet, value):
    match = re.search(
        rf'id="f-{facet}-{value}".*?<span class="count">(\d+)</span>', response.text, re.S
    )
    return int(match.group(1)) if match else 0


def titles(response):
    return re.findall(r'<h3 class="row-title"><a href="[^"]+">([^<]+)</a>', response.text)


def test_another_sort_or_page_of_a_search_does_not_count_it_again(client, catalogue):
    first = queries_for(client, "/en/agreements/?theme=climate")
    cache.clear()  # the rendered pages only: the counts stay
    again = queries_for(client, "/en/agreements/?theme=climate&sort=title")
    page_two = queries_for(client, "/en/agreements/?theme=climate&page=2")
    assert again < first and page_two < first
    response = client.get("/en/agreements/?theme=climate&sort=oldest")
    assert result_count(response) == 30
    assert facet_count(response, "theme", "climate") == 30
    assert facet_count(response, "theme", "space") == 30  # what choosing it as well would add


def test_a_write_is_counted_at_once(client, catalogue):
    before = client.get("/en/agreements/?country=FR")
    assert result_count(before) == 60
    korea = make_country("KR", "South Korea")
    kari = make_agency("kari", "KARI", "Korea Aerospace Research Institute", korea)
    agreement = make_agreement(slug="new", title="A new one", year=2020)
    agreement.parties.set([catalogue["parties"][0], kari])
    agreement.themes.add(make_theme("launchers", "Launchers"))
    after = client.get("/en/agreements/?country=FR")
    assert result_count(after) == 61
    assert facet_count(after, "country", "KR") == 1
    assert facet_count(after, "theme", "launchers") == 1
    france = client.get("/en/countries/FR/")
    assert '<span class="count">61</span>' in france.text


# A page's ids read with LIMIT or all of them; the first pages' ids kept or not.
@pytest.mark.parametrize("few, first", [(10, 0), (500, 0), (10, 50), (500, 100)])
def test_deep_pages_show_the_rows_of_their_order(client, catalogue, few, first, monkeypatch):
    from cooperation.views.base import IdsFirstPaginator

    monkeypatch.setattr(IdsFirstPaginator, "FEW", few)
    monkeypatch.setattr(IdsFirstPaginator, "FIRST", first)
    expected = sorted(f"Agreement {n}" for n in range(60))  # title, then slug: the same order
    shown = []
    for page in (1, 2, 3):
        shown += titles(client.get(f"/en/agreements/?sort=title&page={page}"))
    assert shown == expected
    newest = titles(client.get("/en/agreements/?page=3"))
    years = {f"Agreement {n}": 1990 + n % 30 for n in range(60)}
    assert [years[t] for t in newest] == sorted((years[t] for t in newest), reverse=True)
    assert len(newest) == 10


def test_counts_of_one_version_are_not_read_under_another(client, catalogue):
    """A test database restarts its version numbers; the version string carries the time of
    the change too, so that counts of an older catalogue are never read."""
    clear_caches()
    assert result_count(client.get("/en/agreements/?theme=space")) == 30
    catalogue["themes"][1].agreements.clear()
    assert result_count(client.get("/en/agreements/?theme=space")) == 0


def test_the_first_pages_ids_are_read_once_per_version(client, catalogue, monkeypatch):
    from cooperation.views.base import IdsFirstPaginator

    monkeypatch.setattr(IdsFirstPaginator, "FIRST", 50)  # pages 1 and 2 of 25 rows, not 3
    for page in (1, 2, 3):
        client.get(f"/en/agreements/?page={page}")
    cache.clear()  # the rendered pages only: the counts, kept ids and rows stay
    kept = [queries_for(client, f"/en/agreements/?page={page}") for page in (1, 2)]
    assert kept == [2, 2]  # the catalogue's version (before the page's snapshot and in it)
    assert queries_for(client, "/en/agreements/?page=3") == 3  # and the page's ids
    newest = make_agreement(slug="newest", title="The newest one", year=2030)
    assert titles(client.get("/en/agreements/"))[0] == newest.title
