"""Readers during a reload: while the catalogue is reloaded again and again, every page a reader
gets shows the old catalogue or the new one, whole, and never an error."""

import json
import re
import shutil
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.conftest import REPO_FIXTURES


def smaller_catalogue(directory):
    """The curated files without three agreements and three events that nothing refers to."""
    shutil.copytree(REPO_FIXTURES, directory)
    agreements = json.loads((directory / "agreements.json").read_text())
    referred = {a["extends"] for a in agreements} | {a["implements"] for a in agreements}
    dropped = [a["slug"] for a in agreements if not a["event"] and a["slug"] not in referred][:3]
    agreements = [a for a in agreements if a["slug"] not in dropped]
    events = json.loads((directory / "events.json").read_text())
    used = {a["event"] for a in agreements}
    dropped_events = [e["slug"] for e in events if e["slug"] not in used][:3]
    events = [e for e in events if e["slug"] not in dropped_events]
    for name, records in (("agreements", agreements), ("events", events)):
        text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        (directory / f"{name}.json").write_text(text, encoding="utf-8")
    assert len(dropped) == 3 and len(dropped_events) == 3
    return directory


def home_counts(client):
    """(agreements, agencies, countries, events) as the home page shows them."""
    response = client.get("/en/")
    assert response.status_code == 200
    shown = re.findall(r"<strong>(\d+)</strong> (\w+)</a>", response.content.decode())
    return tuple(int(n) for n, _ in shown)


def exported_rows(client):
    response = client.get("/en/agreements/?format=json")
    assert response.status_code == 200
    return len(json.loads(b"".join(response.streaming_content)))


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_readers_see_the_old_or_the_new_catalogue_never_a_mix(tmp_path, settings):
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {alias: dummy for alias in settings.CACHES}  # pages and counts alike
    old = tmp_path / "old"
    shutil.copytree(REPO_FIXTURES, old)
    new = smaller_catalogue(tmp_path / "new")
    client = Client()
    call_command("reload_fixtures", fixtures_dir=new, force=True, verbosity=0)
    new_view = (home_counts(client), exported_rows(client))
    call_command("reload_fixtures", fixtures_dir=old, force=True, verbosity=0)
    old_view = (home_counts(client), exported_rows(client))
    assert old_view[0] == (14, 17, 5, 21)
    assert new_view[0] == (11, 17, 5, 18)
    assert (old_view[1], new_view[1]) == (14, 11)

    done = threading.Event()
    seen, errors = [], []

    def read():
        reader = Client()
        try:
            while not done.is_set():
                seen.append(("home", home_counts(reader)))
                seen.append(("export", exported_rows(reader)))
        except Exception as error:  # every failure is reported, not just the first kind
            errors.append(repr(error))
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    reloads = 0
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline or reloads < 4:
            call_command(
                "reload_fixtures",
                fixtures_dir=new if reloads % 2 == 0 else old,
                force=True,
                verbosity=0,
            )
            reloads += 1
    finally:
        done.set()
        for thread in readers:
            thread.join()

    assert errors == []
    homes = {counts for kind, counts in seen if kind == "home"}
    exports = {rows for kind, rows in seen if kind == "export"}
    assert homes <= {old_view[0], new_view[0]}, homes
    assert exports <= {old_view[1], new_view[1]}, exports
    assert len(homes) == 2 and len(exports) == 2, "the readers saw both catalogues"
    assert reloads >= 4
