"""Pages are cached and validated against the catalogue's version: fast, and never stale."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import Agreement, CatalogueVersion
from tests.conftest import make_agreement, post_change

pytestmark = pytest.mark.django_db

SCO = "/en/agreements/cnes-cnsa-sco-implementing-agreement-2018/"


def test_a_page_carries_a_validator_and_asks_caches_to_revalidate(client, loaded):
    response = client.get(SCO)
    assert response["ETag"].startswith('"v')
    assert response["Last-Modified"].endswith("GMT")
    assert "no-cache" in response["Cache-Control"]
    again = client.get(SCO, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_cached_page_costs_one_query(client, loaded):
    client.get("/en/agreements/?country=VN&theme=climate")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/agreements/?country=VN&theme=climate")
    assert response.status_code == 200
    assert "2 agreements match" in response.content.decode()
    assert len(queries) == 1  # the catalogue version


def test_an_admin_edit_is_seen_at_once_and_old_validators_no_longer_match(
    client, admin_client, loaded
):
    first = client.get(SCO)
    before = CatalogueVersion.current()[0]
    post_change(
        admin_client,
        Agreement.objects.get(slug=SCO.rstrip("/").split("/")[-1]),
        title="A corrected title",
    )
    assert CatalogueVersion.current()[0] > before
    revalidated = client.get(SCO, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 200
    assert "A corrected title" in revalidated.content.decode()
    assert "A corrected title" in client.get("/en/agreements/").content.decode()


def test_a_reload_that_changes_the_catalogue_changes_the_version_and_one_that_does_not_does_not(
    client, loaded
):
    import json

    page = client.get("/en/agreements/").content.decode()
    version = CatalogueVersion.current()
    call_command("reload_fixtures", stdout=StringIO())
    assert CatalogueVersion.current() == version

    path = loaded / "agreements.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0]["title"] = "Retitled in the files"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    call_command("reload_fixtures", stdout=StringIO())
    assert CatalogueVersion.current()[0] > version[0]
    fresh = client.get("/en/agreements/").content.decode()
    assert "Retitled in the files" in fresh and fresh != page


def test_exports_stream_are_never_kept_in_the_cache_and_revalidate(client, loaded):
    response = client.get("/en/agreements/?format=csv")
    assert response.streaming
    b"".join(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/agreements/?format=csv")
        b"".join(again.streaming_content)
    assert len(queries) > 1  # read again from the database, not from the page cache
    assert (
        client.get("/en/agreements/?format=csv", HTTP_IF_NONE_MATCH=again["ETag"]).status_code
        == 304
    )


def test_a_page_requested_on_two_hosts_carries_each_hosts_own_links(client, loaded, settings):
    settings.ALLOWED_HOSTS = ["atlas.example.org", "mirror.example.net"]
    first = client.get(SCO, HTTP_HOST="atlas.example.org").content.decode()
    second = client.get(SCO, HTTP_HOST="mirror.example.net").content.decode()
    assert f"http://atlas.example.org{SCO}" in first
    assert f"http://mirror.example.net{SCO}" in second
    assert "atlas.example.org" not in second
    feed = client.get(
        "/en/agreements/?format=atom", HTTP_HOST="mirror.example.net"
    ).content.decode()
    assert "http://mirror.example.net/en/agreements/" in feed
    assert "atlas.example.org" not in feed
    https = client.get(SCO, HTTP_HOST="atlas.example.org", secure=True).content.decode()
    assert f"https://atlas.example.org{SCO}" in https


def test_if_modified_since_with_the_sent_last_modified_answers_304(client, loaded):
    response = client.get(SCO)
    again = client.get(SCO, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert again.content == b""
    feed = client.get("/en/agreements/?format=atom")
    assert feed["Last-Modified"] == response["Last-Modified"]  # the catalogue's, not an entry's
    assert (
        client.get(
            "/en/agreements/?format=atom", HTTP_IF_MODIFIED_SINCE=feed["Last-Modified"]
        ).status_code
        == 304
    )


def test_an_older_if_modified_since_gets_the_page(client, loaded):
    assert (
        client.get(SCO, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2018 00:00:00 GMT").status_code == 200
    )


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_opens_no_transaction_and_a_page_to_render_reads_the_version_in_its_own(
    client,
):
    make_agreement(slug="one", title="One")
    client.get("/en/agreements/")
    with CaptureQueriesContext(connection) as kept:
        assert client.get("/en/agreements/").status_code == 200
    assert [q["sql"].split()[0] for q in kept] == ["SELECT"]  # the version, no BEGIN
    cache.clear()
    with CaptureQueriesContext(connection) as rendered:
        assert "1 agreement" in client.get("/en/agreements/").text
    statements = [q["sql"] for q in rendered]
    begin = next(i for i, sql in enumerate(statements) if sql.startswith("BEGIN"))
    assert "cooperation_catalogueversion" in statements[0]  # before the snapshot
    assert "cooperation_catalogueversion" in statements[begin + 1]  # and again in it


def test_a_page_rendered_after_a_write_is_kept_and_validated_under_the_version_it_shows(
    client, loaded, monkeypatch
):
    """A write may commit between the version read before the page's snapshot and the
    snapshot itself: the page names the version its snapshot read, not the earlier one."""
    from cooperation import caching

    def written_meanwhile(request, *args, **kwargs):
        caching.catalogue_version(request)  # read, as the middleware does, before the snapshot
        CatalogueVersion.bump()
        raise caching.NotKept

    monkeypatch.setattr(caching, "_kept", written_meanwhile)
    before = CatalogueVersion.current()[0]
    response = client.get(SCO)
    after = CatalogueVersion.current()[0]
    assert after > before
    assert response["ETag"].startswith(f'"v{after}.')
