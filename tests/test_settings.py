"""Settings: the environment picks the database, a missing secret stops start-up; static files."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE']); print(s.DATABASES['default']['NAME']); print(s.DEBUG)"
)


def start_django(**env):
    """Start Django in a fresh process with only these environment variables."""
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=settings.BASE_DIR,
    )


@pytest.mark.subprocess
def test_sqlite_in_the_project_folder_is_the_default():
    result = start_django(DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, name, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(settings.BASE_DIR / "db.sqlite3")
    assert debug == "True"


@pytest.mark.subprocess
def test_database_url_selects_postgresql_through_psycopg():
    result = start_django(
        SECRET_KEY="k" * 50, DATABASE_URL="postgres://postgres@127.0.0.1:5432/cooperation"
    )
    assert result.returncode == 0, result.stderr
    engine, name, debug = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert name == "cooperation"
    assert debug == "False"


@pytest.mark.subprocess
def test_without_debug_a_missing_secret_key_stops_start_up_with_a_clear_message():
    result = start_django()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.subprocess
def test_debug_is_off_unless_asked_for():
    result = start_django(SECRET_KEY="k" * 50, DEBUG="")
    assert result.stdout.split()[2] == "False"


@pytest.mark.django_db
def test_the_tests_run_on_the_database_that_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    with connection.cursor() as cursor:
        if url.startswith(("postgres://", "postgresql://")):
            assert connection.vendor == "postgresql"
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL")
            import psycopg

            assert isinstance(connection.connection, psycopg.Connection)
        else:
            assert connection.vendor == "sqlite"
            cursor.execute("SELECT sqlite_version()")
            assert cursor.fetchone()[0]


@pytest.mark.collected_static
@pytest.mark.django_db
def test_whitenoise_serves_hashed_compressed_static_files(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    call_command("collectstatic", interactive=False, verbosity=0)

    page = client.get(reverse("cooperation:home")).content.decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links the hashed stylesheet"

    response = client.get(stylesheet.group(1), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]


@pytest.mark.django_db
def test_sqlite_runs_in_write_ahead_logging_mode(settings):
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
