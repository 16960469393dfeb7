"""Record content in French: what curators wrote beside the English, shown on French pages,
carried by the fixture files, the exports, the feed and the search; English where it is missing,
and marked as such."""

import csv
import io
import json
import re

from django.core.management import call_command

from cooperation.models import CATALOGUE, Agreement, Theme
from tests.conftest import change_url, form_data

EXTENSION = "/{}/agreements/cnes-usth-mou-extension-2018/"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_french_page_shows_the_french_a_curator_wrote_and_an_english_page_the_english(
    client, loaded
):
    french = page(client, EXTENSION.format("fr"))
    assert "<h1>Prorogation pour trois années supplémentaires du protocole" in french
    assert '<p class="lead">Document signé par le président du CNES' in french
    assert "<title>Prorogation pour trois années supplémentaires" in french
    english = page(client, EXTENSION.format("en"))
    assert "<h1>Extension of the CNES–USTH memorandum" in english
    assert "Prorogation pour trois" not in english


def test_a_record_with_no_french_shows_its_english_marked_and_said_to_be(client, loaded):
    Agreement.objects.filter(slug="cnes-usth-mou-extension-2018").update(
        title_fr=None, summary_fr=""
    )
    french = page(client, EXTENSION.format("fr"))
    assert '<h1><span lang="en">Extension of the CNES–USTH memorandum' in french
    assert re.search(
        r'<p class="lead"><span lang="en">Document signed by [^<]+</span> '
        r'<span class="untranslated">\(en anglais\)</span></p>',
        french,
    )


def test_themes_are_named_in_french_in_lists_facets_and_chips(client, loaded):
    themes = page(client, "/fr/themes/")
    assert (
        ">Climat</a>" in themes and ">Observation de la Terre et sciences de la Terre</a>" in themes
    )
    listing = page(client, "/fr/agreements/?theme=climate")
    assert re.search(r'<label for="f-theme-climate">Climat <span class="count">', listing)
    assert re.search(r'class="chip"[^>]*>Climat <span aria-hidden="true">', listing)
    assert ">Climate <span" not in listing


def test_an_untranslated_theme_is_offered_in_english_marked_as_such(client, loaded):
    Theme.objects.filter(slug="climate").update(name_fr=None)
    listing = page(client, "/fr/agreements/")
    assert re.search(r'<label for="f-theme-climate"><span lang="en">Climate</span>', listing)


def test_the_french_search_finds_records_by_their_french_titles_and_summaries(client, loaded):
    html = page(client, "/fr/agreements/?q=enseignement+supérieur")
    found = set(re.findall(r'<h3 class="row-title"><a href="/fr/agreements/([^/]+)/', html))
    assert {"cnes-usth-mou-2015", "cnes-usth-mou-extension-2018"} <= found
    html = page(client, "/en/agreements/?q=enseignement+superieur")  # accents optional
    assert "cnes-usth-mou-2015" in html


def test_exports_carry_the_french_content_under_stable_names(client, loaded):
    response = client.get("/en/agreements/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = ("title_fr", "summary_fr", "notes_fr", "date_inference_fr")
    assert set(names) <= set(rows[0])
    extension = {row["slug"]: row for row in rows}["cnes-usth-mou-extension-2018"]
    assert extension["title"].startswith("Extension of the CNES–USTH")
    assert extension["title_fr"].startswith("Prorogation pour trois années")
    assert extension["date_inference_fr"].startswith("Signé lors de la visite officielle")
    response = client.get("/fr/agreements/?format=json")
    records = {r["slug"]: r for r in json.loads(b"".join(response.streaming_content))}
    assert records["cnes-usth-mou-extension-2018"]["title_fr"] == extension["title_fr"]
    assert records["cnes-usth-mou-extension-2018"]["countries_concerned_reasoning_fr"] is None


def test_the_french_feed_titles_its_entries_in_french(client, loaded):
    feed = page(client, "/fr/agreements/?country=VN&format=atom")
    assert "<title>Prorogation pour trois années supplémentaires" in feed
    english = page(client, "/en/agreements/?country=VN&format=atom")
    assert "<title>Extension of the CNES–USTH memorandum" in english


def test_every_curated_record_has_its_title_and_summary_in_french(loaded):
    """The catalogue's own records: agreements' titles and summaries, themes' names and
    descriptions, events' names and summaries, missions' summaries (notes may wait)."""
    wanted = {
        "agreement": ("title", "summary"),
        "theme": ("name", "description"),
        "event": ("name", "summary"),
        "mission": ("summary",),
    }
    for model in CATALOGUE:
        for field in wanted.get(model._meta.model_name, ()):
            missing = model.objects.exclude(**{f"{field}": ""}).filter(
                **{f"{field}_fr__isnull": True}
            )
            assert not missing.exists(), (model._meta.model_name, field, list(missing[:3]))


def test_the_fixture_files_round_trip_the_french_unchanged(loaded):
    before = {p.name: p.read_text() for p in loaded.glob("*.json")}
    call_command("export_fixtures", verbosity=0)
    after = {p.name: p.read_text() for p in loaded.glob("*.json")}
    assert after == before
    assert '"title_fr": "Prorogation pour trois années' in after["agreements.json"]


def test_the_admin_edits_the_english_and_the_french_side_by_side(curator, loaded):
    agreement = Agreement.objects.get(slug="cnes-usth-mou-extension-2018")
    html = curator.get(change_url(agreement)).content.decode()
    for english, french in [
        ("title", "title_fr"),
        ("summary", "summary_fr"),
        ("notes", "notes_fr"),
    ]:
        start = html.index(f'class="form-row field-{english} field-{french}"')
        row = html[start : html.index('<div class="form-row', start + 1)]
        assert f'name="{english}"' in row and f'name="{french}"' in row
    french_admin = curator.get(change_url(agreement), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in french_admin
    assert "Titre en français" in french_admin and "Résumé en français" in french_admin


def test_a_french_field_left_empty_in_the_admin_stays_untranslated(curator, loaded):
    agreement = Agreement.objects.get(slug="cnes-usth-mou-2015")
    Agreement.objects.filter(pk=agreement.pk).update(notes_fr=None)
    url = change_url(agreement)
    data = form_data(curator.get(url))
    assert data["notes_fr"] == ""
    assert curator.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.notes_fr is None  # not "": the files keep `null`, nothing to diff
    assert agreement.title_fr.startswith("Protocole d’accord CNES–USTH")
