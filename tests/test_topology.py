"""Past one machine: the shared cache (Redis) and read replicas, as readers and curators meet
them, and how the site behaves when either is down or behind.

A replica here is a second connection to the test database (what a caught-up streaming
replica reads like); one that lags, or does not answer, is made so. The Redis tests use the
machine's Redis at 127.0.0.1:6379, in a database number of their own (11).
"""

import json
import logging

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation import replicas
from cooperation.models import Agreement
from tests.conftest import make_agreement, run_django

REDIS_TEST_URL = "redis://127.0.0.1:6379/11"
NOWHERE_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens


def redis_cache(location):
    shared = {
        "BACKEND": "cooperation.shared_cache.SharedRedisCache",
        "LOCATION": location,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
    }
    return {
        alias: {**shared, "KEY_PREFIX": alias} for alias in ("default", "versioned", "throttle")
    }


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


@pytest.fixture
def shared_cache(settings):
    client = redis_or_skip()
    client.flushdb()
    settings.CACHES = redis_cache(REDIS_TEST_URL)
    yield client
    client.flushdb()


@pytest.fixture
def cache_down(settings):
    from cooperation import shared_cache

    settings.CACHES = redis_cache(NOWHERE_URL)
    yield
    shared_cache._down_until.clear()


# The shared cache


def test_redis_url_makes_every_cache_the_shared_one():
    script = "from django.conf import settings; import json; print(json.dumps(settings.CACHES))"
    result = run_django(script, DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/4")
    caches = json.loads(result.stdout)
    assert set(caches) == {"default", "versioned", "throttle"}
    for alias, cache in caches.items():
        assert cache["BACKEND"] == "cooperation.shared_cache.SharedRedisCache"
        assert cache["LOCATION"] == "redis://127.0.0.1:6379/4"
        # Each cache's prefix, and the code's version: a deployment's pages are its own.
        assert cache["KEY_PREFIX"].startswith(f"{alias}:")
    assert caches["default"]["TIMEOUT"] == 600


def test_a_new_build_keeps_its_pages_apart_from_the_last_ones():
    script = "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])"
    env = {"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/4"}
    first = run_django(script, **env, BUILD_ID="build-1").stdout.strip()
    second = run_django(script, **env, BUILD_ID="build-2").stdout.strip()
    assert (first, second) == ("default:build-1", "default:build-2")
    digest = run_django(script, **env).stdout.strip()  # no BUILD_ID: the files' digest
    assert digest.startswith("default:") and len(digest) == len("default:") + 12


def test_a_redis_url_that_is_not_one_stops_startup():
    result = run_django("", DEBUG="true", REDIS_URL="127.0.0.1:6379")
    assert result.returncode == 1
    assert "REDIS_URL must be a redis://, rediss:// or unix:// address" in result.stderr


@pytest.mark.django_db
def test_a_page_rendered_once_is_kept_in_redis_for_every_app_server(
    client, shared_cache, django_assert_max_num_queries
):
    make_agreement(slug="kept", title="A kept agreement")
    url = reverse("cooperation:agreement_detail", args=["kept"])
    assert client.get(url).status_code == 200
    kept = [key.decode() for key in shared_cache.keys("default:*")]
    assert any(":page:" in key for key in kept), kept
    # Another app server has nothing of its own: what it serves comes from Redis.
    from cooperation.caching import recent_pages
    from cooperation.counting import _recent

    _recent.clear()
    recent_pages.clear()
    with django_assert_max_num_queries(1):  # the catalogue's version
        response = client.get(url)
    assert response.status_code == 200
    assert "A kept agreement" in response.content.decode()


@pytest.mark.django_db
def test_a_page_read_from_redis_is_kept_in_the_process_too(client, shared_cache):
    from cooperation.caching import recent_pages

    make_agreement(slug="kept", title="A kept agreement")
    url = reverse("cooperation:agreement_detail", args=["kept"])
    assert client.get(url).status_code == 200
    assert len(recent_pages.values) == 1
    shared_cache.flushdb()  # gone from Redis: this process still has it, for this version
    response = client.get(url)
    assert "A kept agreement" in response.content.decode()
    Agreement.objects.filter(slug="kept").update(title="Retitled")
    from cooperation.models import CatalogueVersion

    CatalogueVersion.bump()  # a new version: the process's copy is never served for it
    assert "Retitled" in client.get(url).content.decode()


@pytest.mark.django_db
def test_healthz_says_the_shared_cache_is_ok(client, shared_cache):
    lines = client.get("/healthz").content.decode().splitlines()
    assert lines[:3] == ["ok", "database: ok", "cache: ok"]


@pytest.mark.django_db
def test_pages_are_served_from_the_database_while_redis_is_down(client, cache_down, caplog):
    make_agreement(slug="uncached", title="Read from the database")
    url = reverse("cooperation:agreement_detail", args=["uncached"])
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        assert "Read from the database" in response.content.decode()
    assert client.get(reverse("cooperation:agreement_list")).status_code == 200
    outage = [r.getMessage() for r in caplog.records if r.name == "cooperation.shared_cache"]
    assert len(outage) == 1  # once per outage, not per request
    assert outage[0].startswith("Shared cache unavailable, pages are rendered afresh: ")


@pytest.mark.django_db
def test_healthz_says_the_cache_is_down_and_still_answers_200(client, cache_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "ok"
    assert lines[2].startswith("cache: unavailable (")


@pytest.mark.django_db
def test_the_report_limit_still_answers_while_redis_is_down(client, cache_down):
    make_agreement(slug="reported")
    url = reverse("cooperation:report") + "?record=agreement.reported"
    response = client.post(url, {"problem": "The date is wrong.", "website": ""})
    # Its limit cannot be counted meanwhile: the report is taken, not refused or lost.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cooperation:report_thanks"))
    from cooperation.models.reports import Report

    assert Report.objects.get().problem == "The date is wrong."


@pytest.mark.django_db
def test_the_cache_is_asked_again_once_redis_is_back(client, settings, caplog):
    from cooperation import shared_cache
    from cooperation.caching import recent_pages

    redis_or_skip()
    settings.CACHES = redis_cache(NOWHERE_URL)
    make_agreement(slug="back")
    url = reverse("cooperation:agreement_detail", args=["back"])
    assert client.get(url).status_code == 200
    assert shared_cache._down_until  # noted as down
    settings.CACHES = redis_cache(REDIS_TEST_URL)
    shared_cache._down_until[REDIS_TEST_URL] = 0  # its pause is over
    recent_pages.clear()  # the page this process kept meanwhile is not asked of Redis
    assert client.get(url).status_code == 200
    assert REDIS_TEST_URL not in shared_cache._down_until
    assert "Shared cache available again." in [r.getMessage() for r in caplog.records]
    shared_cache._down_until.clear()


# Read replicas


@pytest.fixture
def replica(transactional_db, settings):
    """A replica: a second connection to the test database, routed to as a real one would be."""
    from django.db.utils import load_backend

    alias = "replica1"
    database = {**connections["default"].settings_dict}
    # Made as Django makes a connection, and kept where it keeps them, but not in the
    # settings' list: a test's database guard allows a connection that it does not list.
    setattr(
        connections._connections,
        alias,
        load_backend(database["ENGINE"]).DatabaseWrapper(database, alias),
    )
    settings.REPLICA_ALIASES = [alias]
    settings.DATABASE_ROUTERS = ["cooperation.replicas.ReplicaRouter"]
    replicas._states.clear()
    yield alias
    connections[alias].close()
    delattr(connections._connections, alias)
    replicas._states.clear()


def queries_on(alias, client, url, method="get", **kwargs):
    """(response, queries on the primary, those on the replica) of one request; the replica's
    state is asked first, as a process has it most of the time (once a second)."""
    replicas.usable(alias)
    primary = CaptureQueriesContext(connections["default"])
    replica = CaptureQueriesContext(connections[alias])
    with primary, replica:
        response = getattr(client, method)(url, **kwargs)
    return response, len(primary), [q["sql"] for q in replica]


PAGES = [
    "/en/",
    "/en/agreements/",
    "/en/agreements/?country=FR",
    "/en/agreements/replicated/",
    "/en/agreements/?format=csv",
    "/api/v1/agreements/",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_readers_page_is_read_from_the_replica(client, replica, url):
    make_agreement(slug="replicated", title="Read from a replica")
    response, on_primary, on_replica = queries_on(replica, client, url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    assert on_primary == 0
    # The version the page is kept under is read where its rows are.
    assert any("cooperation_catalogueversion" in sql for sql in on_replica)


def test_a_head_request_is_read_from_the_replica(client, replica):
    make_agreement(slug="replicated")
    response, on_primary, on_replica = queries_on(
        replica, client, "/en/agreements/replicated/", method="head"
    )
    assert response.status_code == 200
    assert on_primary == 0
    assert on_replica


def test_an_export_streams_its_rows_from_the_replica(client, replica, monkeypatch):
    from cooperation import exports

    seen = []
    row = exports._Written.row

    def noted(self, values):
        seen.append(replicas.reading_from())
        return row(self, values)

    monkeypatch.setattr(exports._Written, "row", noted)
    for number in range(3):
        make_agreement(slug=f"exported-{number}", title=f"Exported {number}")
    response = client.get("/en/agreements/?format=csv")
    assert seen == ["replica1"]  # the first row, read before the headers are sent
    assert b"".join(response.streaming_content).count(b"Exported") == 3
    assert seen == ["replica1"] * 3  # the others as the server sends them, on the same replica
    response.close()


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="a replica that holds other rows than the primary is a copy of a SQLite file here; "
    "on PostgreSQL the stack's soak test has a real one (make soak-stack)",
)
def test_readers_see_what_the_replica_holds_and_curators_what_the_primary_does(
    client, replica, curator_account, tmp_path, settings
):
    import sqlite3

    from tests.conftest import CURATOR

    make_agreement(slug="replicated", title="As the replica has it")
    copy = tmp_path / "replica.sqlite3"
    primary_file = sqlite3.connect(connections["default"].settings_dict["NAME"])
    replica_file = sqlite3.connect(copy)
    primary_file.backup(replica_file)
    primary_file.close()
    replica_file.close()
    connections[replica].close()
    connections[replica].settings_dict["NAME"] = str(copy)
    Agreement.objects.filter(slug="replicated").update(title="As the primary has it now")
    from cooperation.models import CatalogueVersion

    CatalogueVersion.bump()
    url = "/en/agreements/replicated/"
    assert "As the replica has it" in client.get(url).content.decode()
    assert client.post(reverse("admin:login"), CURATOR).status_code == 302
    assert "As the primary has it now" in client.get(url).content.decode()
    client.logout()
    # The reader's page is still the replica's: kept under the replica's version, not the new.
    assert "As the replica has it" in client.get(url).content.decode()


def test_a_curators_session_reads_the_primary(client, replica, curator_account):
    from tests.conftest import CURATOR

    make_agreement(slug="replicated")
    assert client.post(reverse("admin:login"), CURATOR).status_code == 302
    for url in ["/en/agreements/replicated/", "/en/agreements/", "/admin/"]:
        response, on_primary, on_replica = queries_on(replica, client, url)
        assert response.status_code == 200
        assert on_replica == [], url
        assert on_primary > 0


def test_which_requests_may_read_a_replica(replica, rf, settings):
    assert replicas.for_request(rf.get("/en/agreements/")) == replica
    assert replicas.for_request(rf.head("/en/")) == replica
    assert replicas.for_request(rf.get(f"/{settings.ADMIN_URL}login/")) is None
    assert replicas.for_request(rf.post("/en/report/")) is None
    curator = rf.get("/en/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc")
    assert replicas.for_request(curator) is None


def test_writes_go_to_the_primary(client, replica):
    make_agreement(slug="reported")
    url = reverse("cooperation:report") + "?record=agreement.reported"
    primary = CaptureQueriesContext(connections["default"])
    with primary, CaptureQueriesContext(connections[replica]) as on_replica:
        client.post(url, {"problem": "The title is misspelt.", "website": ""})
    assert any(q["sql"].startswith("INSERT") for q in primary.captured_queries)
    assert len(on_replica) == 0


def test_a_replica_that_lags_too_far_is_skipped(client, replica, monkeypatch, settings):
    settings.REPLICA_MAX_LAG = 5
    monkeypatch.setattr(replicas, "measure", lambda alias: (12.0, "ok"))
    make_agreement(slug="replicated")
    response, on_primary, on_replica = queries_on(replica, client, "/en/agreements/replicated/")
    assert response.status_code == 200
    assert on_replica == []
    assert on_primary > 0
    lines = client.get("/healthz").content.decode().splitlines()
    assert "replica1: skipped, 12.0 s behind (more than 5 s)" in lines


def test_a_replica_within_the_bound_is_used(client, replica, monkeypatch, settings):
    settings.REPLICA_MAX_LAG = 5
    monkeypatch.setattr(replicas, "measure", lambda alias: (4.0, "ok"))
    make_agreement(slug="replicated")
    response, on_primary, on_replica = queries_on(replica, client, "/en/agreements/replicated/")
    assert response.status_code == 200
    assert on_primary == 0
    assert on_replica


def break_replica(alias, monkeypatch):
    database = connections[alias]
    database.close()
    broken = (
        {"HOST": "127.0.0.1", "PORT": "9"}
        if database.vendor == "postgresql"
        else {"NAME": "/nonexistent-directory/db.sqlite3"}
    )
    for key, value in broken.items():
        monkeypatch.setitem(database.settings_dict, key, value)


def test_a_replica_that_does_not_answer_is_skipped(client, replica, monkeypatch, caplog):
    make_agreement(slug="replicated", title="From the primary")
    break_replica(replica, monkeypatch)
    response = client.get("/en/agreements/replicated/")
    assert response.status_code == 200
    assert "From the primary" in response.content.decode()
    lines = client.get("/healthz").content.decode().splitlines()
    assert lines[0] == "ok"
    assert any(line.startswith("replica1: unavailable (") for line in lines)
    assert any(r.getMessage().startswith("Replica replica1 skipped: ") for r in caplog.records)


def test_a_replica_failing_under_a_request_is_read_again_from_the_primary(
    client, replica, monkeypatch, caplog
):
    make_agreement(slug="replicated", title="From the primary")
    monkeypatch.setattr(replicas, "usable", lambda alias: True)  # it answered a second ago
    break_replica(replica, monkeypatch)
    response = client.get("/en/agreements/replicated/")
    assert response.status_code == 200
    assert "From the primary" in response.content.decode()
    messages = [r.getMessage() for r in caplog.records]
    assert "Replica replica1 failed during a request: read from the primary" in messages
    assert not any(r.levelno >= logging.ERROR and "Service Unavailable" in r.getMessage()
                   for r in caplog.records)  # fmt: skip


def test_a_replica_failing_halfway_through_a_page_is_read_again_from_the_primary(
    client, replica, caplog
):
    from django.db import OperationalError

    make_agreement(slug="replicated", title="From the primary")
    replicas.usable(replica)

    def fails_after_the_version(execute, sql, params, many, context):
        if "cooperation_catalogueversion" not in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connections[replica].execute_wrapper(fails_after_the_version):
        response = client.get("/en/agreements/replicated/")
    assert response.status_code == 200
    assert "From the primary" in response.content.decode()
    messages = [r.getMessage() for r in caplog.records]
    assert "Replica replica1 failed during a request: read from the primary" in messages


def test_commands_and_shells_read_the_primary(replica):
    make_agreement(slug="replicated")
    with CaptureQueriesContext(connections[replica]) as on_replica:
        assert Agreement.objects.filter(slug="replicated").exists()
    assert len(on_replica) == 0
