"""Shared test fixtures: small record builders, the curated catalogue, a logged-in curator,
a copy of the fixture files, table snapshots.

The loaded catalogue is built once per session, not once per test. A `reload_fixtures` costs
about a second and most page tests need one, so the first test that asks for `loaded` has the
catalogue loaded and committed into the test database (from the repository's files, so that its
FixtureSnapshot rows are saved too); that test and every later one runs in its own transaction
as usual, which rolls its writes back and leaves the catalogue as loaded.

Tests that need an empty database (they use `db` and build their own records with the make_*
helpers) must not see it. They are not told apart by a second database, which would be more
machinery than the problem: the tests are ordered instead (`pytest_collection_modifyitems`),
as pytest-django already orders them (plain `db` tests, then transactional ones, then the rest),
so that within the plain `db` tests those without `loaded` run first, on the empty database,
and those with it after. The order only makes this fast; correctness never depends on it
(a plugin or `--failed-first` may reorder): a test without `loaded` that finds the committed
catalogue empties it inside its own transaction, and a `loaded` test that finds it gone (a
transactional test's flush removes it) reloads it inside its own. Transactional tests
(`transactional_db`, `live_server`) flush the database afterwards, so the first of them empties
the committed catalogue first: they start empty, as before, and load what they need themselves.
"""

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.forms import ModelMultipleChoiceField
from django.test.utils import override_settings
from django.urls import reverse

from cooperation.derived import refresh_deferred
from cooperation.models import Agency, Agreement, Country, Person, Source, Theme

REPO_FIXTURES = Path(settings.BASE_DIR) / "fixtures"
CURATOR = {"username": "camille", "password": "a-long-curator-passphrase"}


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


# The catalogue loaded once per session (see the module docstring)


def uses_database(item):
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def is_transactional(item):
    marker = item.get_closest_marker("django_db")
    flagged = marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(flagged) or bool({"transactional_db", "live_server"} & fixtures)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's order, the plain `db` tests with `loaded` go last among them."""

    def order(item):
        if not uses_database(item):
            return 3
        if is_transactional(item):
            return 2
        return 1 if "loaded" in item.fixturenames else 0

    items.sort(key=order)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """`item.test_passed`, for fixtures that check something after the test only if it passed."""
    report = yield
    if report.when == "call":
        item.test_passed = report.passed
    return report


class CommittedCatalogue:
    """Whether the test database holds the committed, session-loaded catalogue right now."""

    present = False


def catalogue_tables():
    models = apps.get_app_config("cooperation").get_models(include_auto_created=True)
    return [model._meta.db_table for model in models]


def empty_catalogue():
    """Delete every row of the catalogue's tables (snapshots and version included)."""
    statements = connection.ops.sql_flush(no_style(), catalogue_tables(), allow_cascade=True)
    with transaction.atomic():
        connection.ops.execute_sql_flush(statements)


@pytest.fixture(scope="session")
def committed_catalogue(django_db_setup, django_db_blocker):
    """The curated fixtures, loaded once from the repository's files and committed."""
    with django_db_blocker.unblock(), override_settings(FIXTURES_DIR=REPO_FIXTURES):
        call_command("reload_fixtures", verbosity=0)
    CommittedCatalogue.present = True
    yield
    if CommittedCatalogue.present:  # a reused test database (--reuse-db) starts empty
        with django_db_blocker.unblock():
            empty_catalogue()
        CommittedCatalogue.present = False


@pytest.fixture(autouse=True)
def catalogue_only_when_asked(request):
    """A test without `loaded` never sees the session's catalogue: there is one to remove only
    in the first transactional test, or when a plugin has changed the order."""
    item = request.node
    wanted = "loaded" in item.fixturenames
    if CommittedCatalogue.present and not wanted and uses_database(item):
        request.getfixturevalue("db")  # inside the test's transaction, if it has one
        empty_catalogue()
    yield
    if is_transactional(item):  # pytest-django has flushed the database
        CommittedCatalogue.present = False


@pytest.fixture
def loaded(committed_catalogue, db, fixtures_dir):
    """The database holding the curated fixtures; settings.FIXTURES_DIR is a private copy of
    the files (`fixtures_dir`) that the test may edit and reload."""
    if not CommittedCatalogue.present:  # flushed by a transactional test: load it again
        call_command("reload_fixtures", verbosity=0)
    return fixtures_dir


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Logins and new accounts hash with MD5 in tests: PBKDF2 takes a good part of a second each."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# Curators and the admin's forms


@pytest.fixture
def curator_account(db, monkeypatch):
    """A curator's account, made as the operators make one (`createcurator`); not logged in."""
    from io import StringIO

    monkeypatch.setenv("CURATOR_PASSWORD", CURATOR["password"])
    call_command("createcurator", CURATOR["username"], "--no-input", stdout=StringIO())
    return CURATOR["username"]


@pytest.fixture
def curator(client, curator_account):
    """The test client, logged in to the admin as a curator."""
    assert client.post(reverse("admin:login"), CURATOR).status_code == 302
    return client


def change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def form_data(response):
    """What the admin form on this page would post as it stands, inline rows included."""
    data = {}

    def put(form, name):
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple) or isinstance(
            form.fields[name], ModelMultipleChoiceField
        ):
            data[key] = [str(item) for item in value or []]
        else:
            data[key] = "" if value is None else str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context.get("inline_admin_formsets", ()):
        formset = inline.formset
        for name in formset.management_form.fields:
            put(formset.management_form, name)
        for subform in formset.forms:
            for name in subform.fields:
                put(subform, name)
    return data


def post_change(client, record, **changes):
    """Post a record's admin change form as it stands, with these changes."""
    url = change_url(record)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


@pytest.fixture(autouse=True)
def plain_static_files(request, settings):
    """Pages render without a prior collectstatic; tests marked `collected_static` use the real
    hashed, compressed storage that production serves through whitenoise."""
    if "collected_static" not in request.keywords:
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


def clear_caches():
    """Forget every cached page and count (cooperation.caching, cooperation.counting)."""
    from cooperation.counting import empty_caches

    empty_caches()


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with no cached page or count (versions restart when a test's writes
    roll back)."""
    clear_caches()


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


@pytest.fixture
def small_catalogue(db):
    """Two countries, agencies and themes, a person, a mission, an event and a source; every
    agreement added by `add_agreements` is linked to all of them, so that their pages grow too."""
    from cooperation.models import Event, Mission, Person, Source

    france, japan = make_country("FR", "France"), make_country("JP", "Japan")
    return {
        "parties": [
            make_agency("cnes", country=france),
            make_agency("jaxa", "JAXA", "JAXA", japan),
        ],
        "themes": [make_theme("climate", "Climate"), make_theme("space", "Space science")],
        "person": Person.objects.create(slug="p", name="A signatory"),
        "mission": Mission.objects.create(
            slug="m", name="A mission", kind="satellite", status="planned"
        ),
        "event": Event.objects.create(slug="e", name="A meeting", kind="meeting", country=france),
        "source": Source.objects.create(
            slug="s",
            title="A source",
            publisher="CNES",
            text="Agreement 0 to Agreement 99 were signed.",
        ),
    }


def add_agreements(catalogue, first, count):
    from cooperation.models import Quote

    with refresh_deferred():  # one refresh of the derived data for all of them
        for number in range(first, first + count):
            agreement = make_agreement(
                slug=f"agreement-{number}",
                title=f"Agreement {number}",
                year=1990 + number % 30,
                event=catalogue["event"],
            )
            agreement.parties.set(catalogue["parties"])
            agreement.themes.add(catalogue["themes"][number % 2])
            agreement.signatories.add(catalogue["person"])
            agreement.missions.add(catalogue["mission"])
            Quote.objects.create(
                record=agreement, source=catalogue["source"], text=f"Agreement {number % 10}"
            )


def queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)
