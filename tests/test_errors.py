"""Errors: 400, 403, 404, 500 and 503 pages in the site's style that reveal nothing internal,
errors logged to standard error with the request's path, and the health check."""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from cooperation import exports, views
from cooperation.models import Agreement
from tests.conftest import run_django


def assert_site_page(response, status, heading):
    assert response.status_code == status
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert "Cooperation Atlas" in page
    assert 'href="/en/agreements/"' in page  # a way on
    assert "Traceback" not in page
    return page


@pytest.mark.django_db
def test_an_unknown_record_is_a_404_in_the_site_style(client):
    page = assert_site_page(client.get("/en/agreements/no-such-agreement/"), 404, "Page not found")
    assert "<title>Page not found · Cooperation Atlas</title>" in page
    assert 'aria-label="Sections"' in page  # the site's navigation


def test_a_request_for_an_unknown_host_is_a_400_in_the_site_style(client):
    response = client.get("/en/", headers={"host": "evil.example.com"})
    page = assert_site_page(response, 400, "Bad request")
    assert "evil.example.com" not in page
    assert "ALLOWED_HOSTS" not in page


@pytest.mark.django_db
def test_a_curator_asking_for_the_user_accounts_gets_a_403_in_the_site_style(curator):
    assert_site_page(curator.get(reverse("admin:auth_user_changelist")), 403, "Access denied")


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_a_403_in_the_site_style():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    page = assert_site_page(response, 403, "Form expired")
    assert "CSRF_COOKIE" not in page


@pytest.fixture
def broken_about_page(monkeypatch):
    def explode(self, **kwargs):
        raise RuntimeError("internal detail: /etc/secret-path")

    monkeypatch.setattr(views.AboutView, "get_context_data", explode)


@pytest.mark.django_db
def test_a_crash_is_a_500_in_the_site_style_and_is_logged_with_its_path(broken_about_page, caplog):
    response = Client(raise_request_exception=False).get("/en/about/?from=test")
    page = assert_site_page(response, 500, "Something went wrong")
    assert "secret-path" not in page
    assert "RuntimeError" not in page
    assert 'aria-label="Sections"' in page  # the site's navigation, even here

    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.name == "django.request"
    assert record.getMessage() == "Internal Server Error: /en/about/"
    assert "internal detail" in str(record.exc_info[1])  # the details go to the log only


@pytest.mark.django_db
def test_not_found_pages_are_logged_as_warnings_with_their_path(client, caplog):
    client.get("/en/agreements/no-such-agreement/")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "Not Found: /en/agreements/no-such-agreement/")
    ]


@pytest.mark.subprocess
def test_a_forged_host_is_logged_in_one_line_without_a_traceback():
    script = (
        "from django.test import Client; "
        "from django.test.utils import override_settings; "
        # The page links the stylesheet: without collected static files, the plain storage.
        "plain = {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}; "
        "override_settings(STORAGES={'staticfiles': plain}).enable(); "
        "print(Client().get('/', headers={'host': 'evil.example.com'}).status_code)"
    )
    result = run_django(script, SECRET_KEY="k" * 50)
    assert result.stdout == "400\n"
    assert "ERROR django.security.DisallowedHost: Invalid HTTP_HOST header" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.subprocess
def test_the_log_goes_to_standard_error():
    script = "import logging; logging.getLogger('django.request').error('Internal Server Error: %s', '/en/about/')"
    result = run_django(script, SECRET_KEY="k" * 50)
    assert result.stdout == ""
    assert result.stderr.endswith("ERROR django.request: Internal Server Error: /en/about/\n")


# The health check, and the site with its database down


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "ok",
        "database: ok",
        "cache: ok (LocMemCache, this process's own)",
    ]
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def database_down(django_db_blocker, monkeypatch):
    """The default database, configured to a server or file that is not there."""
    broken = (
        {"HOST": "127.0.0.1", "PORT": "9"}  # the discard port: nothing listens
        if connection.vendor == "postgresql"
        else {"NAME": "/nonexistent-directory/db.sqlite3"}
    )
    with django_db_blocker.unblock():
        connection.close()
        for key, value in broken.items():
            monkeypatch.setitem(connection.settings_dict, key, value)
        yield
        connection.close()
        monkeypatch.undo()


def test_healthz_answers_503_when_the_database_does_not(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"Traceback" not in response.content


@pytest.mark.parametrize(
    "url", ["/en/", "/en/agreements/?country=VN", "/en/agreements/some-agreement/", "/en/sources/"]
)
def test_pages_answer_503_with_the_site_page_when_the_database_is_down(
    client, database_down, url, caplog
):
    response = client.get(url)
    assert_site_page(response, 503, "Temporarily unavailable")
    assert response["Retry-After"] == "10"
    logged = [r.getMessage() for r in caplog.records]
    assert logged[0].startswith(f"Database unavailable on '{url.split('?')[0]}': ")
    assert logged[1] == f"Service Unavailable: {url.split('?')[0]}"


def test_a_form_sent_while_the_database_is_down_answers_503(client, database_down):
    response = client.post("/en/report/?record=agreement.an-agreement", {"problem": "Wrong."})
    assert_site_page(response, 503, "Temporarily unavailable")


@pytest.mark.django_db(transaction=True)
def test_the_site_recovers_by_itself_when_the_database_comes_back(client, monkeypatch):
    Agreement.objects.create(
        slug="an-agreement", title="An agreement", kind="framework", date_precision="unknown"
    )
    assert client.get("/en/agreements/an-agreement/").status_code == 200
    port = connection.settings_dict["PORT"]
    name = connection.settings_dict["NAME"]
    # The connection breaks under the running site (the server restarts, the file moves).
    connection.close()
    if connection.vendor == "postgresql":
        monkeypatch.setitem(connection.settings_dict, "PORT", "9")
    else:
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent-directory/db.sqlite3")
    assert client.get("/en/agreements/an-agreement/").status_code == 503
    assert client.get("/healthz").status_code == 503
    monkeypatch.setitem(connection.settings_dict, "PORT", port)
    monkeypatch.setitem(connection.settings_dict, "NAME", name)
    connection.close()
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/agreements/an-agreement/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("export", ["csv", "json"])
@pytest.mark.parametrize("raised_by", ["django", "driver"])
def test_an_export_whose_database_fails_is_a_503_not_a_cut_off_download(
    client, monkeypatch, export, raised_by
):
    # Closing a server-side cursor lets the driver's own error through, unwrapped by Django.
    error = OperationalError if raised_by == "django" else connection.Database.OperationalError

    def rows_from_a_dead_database(agreements, record_url, version=None, chunk=2000):
        raise error("server closed the connection unexpectedly")
        yield  # a generator, like the real one

    monkeypatch.setattr(exports, "export_rows", rows_from_a_dead_database)
    response = client.get("/en/agreements/", {"format": export})
    assert not response.streaming
    assert_site_page(response, 503, "Temporarily unavailable")


@pytest.mark.django_db
def test_a_session_cookie_the_database_cannot_hold_is_not_a_server_error(client):
    client.cookies["sessionid"] = "\x00" + "a" * 31
    response = client.get(reverse("admin:login"))
    # SQLite looks the odd key up and finds nothing; PostgreSQL refuses a NUL byte: a 400.
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert_site_page(response, 400, "Bad request")
