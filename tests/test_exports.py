"""The CSV and JSON downloads (cooperation.exports): every row says what its record's page
says, however the rows are read."""

import csv
import io
import json

import pytest

from cooperation.models import Agreement

pytestmark = pytest.mark.django_db


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_each_row_lists_its_linked_records_in_their_order(client, loaded):
    rows = json.loads(download(client, "/en/agreements/?format=json"))
    assert len(rows) == Agreement.objects.count()
    assert_rows_show_their_relations(rows)
    assert any(len(row["parties"]) > 1 for row in rows) and any(row["signatories"] for row in rows)


def assert_rows_show_their_relations(rows):
    for row in rows:
        agreement = Agreement.objects.get(slug=row["slug"])
        assert row["parties"] == [
            party.acronym or party.name for party in agreement.parties.order_by("name", "pk")
        ]
        assert row["countries"] == [c.code for c in agreement.countries.order_by("code")]
        assert row["countries_concerned"] == [
            c.code for c in agreement.countries_concerned.order_by("code")
        ]
        assert row["signatories"] == [p.name for p in agreement.signatories.order_by("name", "pk")]
        assert row["themes"] == [t.name for t in agreement.themes.order_by("name", "pk")]
        assert row["quote_count"] == agreement.quotes.count()


def _add_theme(first, second):
    from tests.conftest import make_theme

    first.themes.add(make_theme(slug="added", name="A theme added"))


def _add_to_theme(first, second):
    from tests.conftest import make_theme

    make_theme(slug="added", name="A theme added").agreements.add(second)


def _delete_theme(first, second):
    from tests.conftest import make_theme

    theme = make_theme(slug="deleted", name="A theme deleted")
    theme.agreements.add(first, second)
    theme.delete()


def _delete_party(first, second):
    from tests.conftest import make_agency

    agency = make_agency("deleted", "DELETED", "An agency deleted", first.parties.first().country)
    first.parties.add(agency)
    agency.delete()


def _move_party(first, second):
    from cooperation.models import Country

    party = second.parties.exclude(country=None).first()
    party.country = Country.objects.exclude(pk=party.country_id).first()
    party.save()


def _concern_a_country(first, second):
    from tests.conftest import make_country

    first.countries_concerned.add(make_country("QX", "A country added"))


def _delete_country(first, second):
    from tests.conftest import make_country

    country = make_country("QX", "A country deleted")
    first.countries_concerned.add(country)
    country.delete()


def _change_signatories(first, second):
    from tests.conftest import make_person

    first.signatories.clear()
    second.signatories.add(make_person("added", "A signatory added"))


def _delete_quote(first, second):
    from cooperation.models import Quote

    Quote.objects.filter(agreement=first).first().delete()


@pytest.mark.parametrize(
    "edit",
    [
        _add_theme,
        _add_to_theme,
        _delete_theme,
        _delete_party,
        _move_party,
        _concern_a_country,
        _delete_country,
        _change_signatories,
        _delete_quote,
    ],
)
def test_an_export_follows_each_kind_of_edit_at_once(client, loaded, edit):
    """What an export lists is derived data (`links`): each kind of write keeps it true."""
    first, second = Agreement.objects.filter(parties__country__isnull=False).distinct()[:2]
    json.loads(download(client, "/en/agreements/?format=json"))  # read before the edit
    edit(first, second)
    assert_rows_show_their_relations(json.loads(download(client, "/en/agreements/?format=json")))


def test_the_csv_and_the_json_hold_the_same_rows_in_the_same_order(client, loaded):
    url = "/en/agreements/?sort=title"
    listed = json.loads(download(client, url + "&format=json"))
    table = list(csv.DictReader(io.StringIO(download(client, url + "&format=csv"))))
    assert [row["slug"] for row in table] == [row["slug"] for row in listed]
    for line, row in zip(table, listed, strict=True):
        assert line["parties"] == "; ".join(row["parties"])
        assert line["themes"] == "; ".join(row["themes"])
    titles = [row["title"] for row in listed]
    assert titles == list(
        Agreement.objects.order_by("title", "slug").values_list("title", flat=True)
    )


def test_a_large_export_comes_in_chunks_of_rows_not_one_per_row(client, small_catalogue):
    from tests.conftest import add_agreements

    add_agreements(small_catalogue, 0, 450)
    response = client.get("/en/agreements/?format=csv")
    chunks = list(response.streaming_content)
    assert sum(chunk.count(b"\n") for chunk in chunks) == 451  # the header and every row
    assert 2 <= len(chunks) <= 5


def test_a_renamed_party_or_theme_is_exported_under_its_new_name_at_once(client, loaded):
    from cooperation.models import Agency, Theme

    before = json.loads(download(client, "/en/agreements/?country=VN&format=json"))
    vast = Agency.objects.get(acronym="VAST")
    assert any("VAST" in row["parties"] for row in before)
    vast.acronym = "VAST-renamed"
    vast.save()
    climate = Theme.objects.get(slug="climate")
    climate.name = "Climate, renamed"
    climate.save()
    after = json.loads(download(client, "/en/agreements/?country=VN&format=json"))
    assert any("VAST-renamed" in row["parties"] for row in after)
    assert not any("VAST" in row["parties"] for row in after)
    assert any("Climate, renamed" in row["themes"] for row in after)


def test_the_garbage_collector_is_as_before_after_an_export_read_to_its_end_or_cut_off(
    client, small_catalogue, monkeypatch
):
    import gc

    from cooperation import exports
    from tests.conftest import add_agreements

    add_agreements(small_catalogue, 0, 30)
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 5)
    before = gc.get_threshold()
    download(client, "/en/agreements/?format=csv")
    assert gc.get_threshold() == before
    response = client.get("/en/agreements/?format=json")
    next(iter(response.streaming_content))  # a reader who stops after the first rows
    assert gc.get_threshold() != before  # rows are still streaming
    response.close()
    assert gc.get_threshold() == before
