"""/data/: the whole catalogue in one zip per catalogue version, as the fixture files' JSON and
as CSV, with a README of the columns and the licence; built once, never per request."""

import csv
import io
import re
import zipfile

import pytest
from django.http import HttpRequest

from cooperation.fixture_files import SPECS


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def archive_of(client, language="en"):
    html = client.get(f"/{language}/data/").content.decode()
    link = re.search(r'<a href="(/data/cooperation-atlas-[\d-]+-v\d+\.zip)" download>', html)
    assert link, "the page links to the current archive"
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return link.group(1), zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_archive_holds_every_model_as_the_curated_files_and_as_csv(client, loaded, data_dir):
    _, archive = archive_of(client)
    names = {name.split("/", 1)[1]: name for name in archive.namelist()}
    for spec in SPECS:
        kept = (loaded / spec.filename).read_text()
        assert archive.read(names[spec.filename]).decode() == kept  # the files, exactly
        rows = list(
            csv.DictReader(io.StringIO(archive.read(names[spec.filename[:-5] + ".csv"]).decode()))
        )
        assert len(rows) == kept.count(f'\n    "{spec.key}": ')
    agreements = list(csv.DictReader(io.StringIO(archive.read(names["agreements.csv"]).decode())))
    extension = next(r for r in agreements if r["slug"] == "cnes-usth-mou-extension-2018")
    assert extension["parties"] == "cnes; usth" and extension["quotes_count"] != "0"
    readme = archive.read(names["README.md"]).decode()
    assert "CC BY 4.0" in readme and "### agreements.csv" in readme and "`title_fr`" in readme
    assert "creativecommons.org/licenses/by/4.0" in archive.read(names["LICENSE.txt"]).decode()


def test_the_archive_is_built_once_per_version_and_named_by_its_date(client, loaded, data_dir):
    link, _ = archive_of(client)
    built = next(data_dir.glob("v*/*.zip"))
    stamp = built.stat().st_mtime_ns
    assert archive_of(client)[0] == link
    assert built.stat().st_mtime_ns == stamp  # served, not rebuilt
    from cooperation.models import Theme

    theme = Theme.objects.get(slug="climate")
    theme.description_fr = "Le climat."
    theme.save()
    newer, _ = archive_of(client)
    assert newer != link and re.search(r"cooperation-atlas-\d{4}-\d\d-\d\d-v\d+\.zip$", newer)
    assert client.get(link).status_code == 404  # only the current version is offered
    theme.description_fr = "Le climat vu de l’espace."
    theme.save()
    newest, _ = archive_of(client)
    kept = sorted(p.name for p in data_dir.glob("v*/*.zip"))
    assert kept == sorted(u.rsplit("/", 1)[1] for u in (newer, newest))  # the two last


def test_a_database_reset_to_the_same_version_number_gets_its_own_archive(client, loaded, data_dir):
    from cooperation import dataset
    from cooperation.caching import catalogue_version

    link, _ = archive_of(client)
    version, changed_at = catalogue_version(HttpRequest())
    number, stamp = version.split(".")
    other = f"{number}.{int(stamp) + 1}"  # the same number, another database's time
    assert dataset.archive_name(other, changed_at) == link.rsplit("/", 1)[1]
    assert dataset.archive_path(other, changed_at) != dataset.archive_path(version, changed_at)


def test_the_page_says_what_the_file_holds_in_both_languages(client, loaded, data_dir):
    english = client.get("/en/data/").content.decode()
    assert "<h1>The whole catalogue</h1>" in english and "agreements.csv" in english
    french = client.get("/fr/data/").content.decode()
    assert '<html lang="fr">' in french and "<h1>Le catalogue entier</h1>" in french
    assert client.get("/data/").status_code == 302  # to the reader's language
    assert 'href="/en/data/"' in client.get("/en/").content.decode()  # in every footer
