"""Shared test fixtures: small record builders, a copy of the fixture files, table snapshots."""

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from cooperation.models import Agency, Agreement, Country, Person, Source, Theme

REPO_FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def make_country(code="FR", name="France", **fields):
    return Country.objects.create(code=code, name=name, **fields)


def make_agency(
    slug="cnes", acronym="CNES", name="CNES", country=None, kind="space_agency", **fields
):
    return Agency.objects.create(
        slug=slug, acronym=acronym, name=name, country=country, kind=kind, **fields
    )


def make_person(slug="jean-yves-le-gall", name="Jean-Yves Le Gall", **fields):
    return Person.objects.create(slug=slug, name=name, **fields)


def make_theme(slug="climate", name="Climate", description="Climate from space.", **fields):
    return Theme.objects.create(slug=slug, name=name, description=description, **fields)


def make_source(
    slug="press-release", title="A press release", text="CNES signed an agreement.", **fields
):
    fields.setdefault("publisher", "CNES")
    return Source.objects.create(slug=slug, title=title, text=text, **fields)


def make_agreement(slug="an-agreement", title="An agreement", **fields):
    fields.setdefault("kind", "framework")
    fields.setdefault("status", "signed")
    fields.setdefault("date_precision", "year")
    fields.setdefault("year", 2018)
    return Agreement.objects.create(slug=slug, title=title, **fields)


def snapshot_tables():
    """Every row of every catalogue table (links included), to prove that nothing changed."""
    models = apps.get_app_config("cooperation").get_models(include_auto_created=True)
    return {model._meta.db_table: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, as the site's is: WAL mode, readers in other
    threads and a connection that closes behave as they do there (in memory they do not)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


@pytest.fixture
def fixtures_dir(tmp_path, settings):
    """A private copy of the repository's fixture files that a test may break."""
    directory = tmp_path / "fixtures"
    shutil.copytree(REPO_FIXTURES, directory)
    settings.FIXTURES_DIR = directory
    return directory


@pytest.fixture
def loaded(db, fixtures_dir):
    """The database holding the curated fixtures."""
    call_command("reload_fixtures", verbosity=0)
    return fixtures_dir


@pytest.fixture(autouse=True)
def plain_static_files(request, settings):
    """Pages render without a prior collectstatic; tests marked `collected_static` use the real
    hashed, compressed storage that production serves through whitenoise."""
    if "collected_static" not in request.keywords:
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached page (versions restart when a test's writes roll back)."""
    from django.core.cache import cache

    cache.clear()


def changed_lines(before, after):
    """The lines a diff removes (-) and adds (+), without its headers and context."""
    diff = difflib.unified_diff(before, after, lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def run_django(script, **env):
    """Run Python code in a fresh process on the project's settings, with only these
    environment variables: how a setting reads the environment, or where a log goes."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=settings.BASE_DIR,
    )
