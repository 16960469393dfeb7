"""The catalogue's history: every change kept with its values, by whom or by which command
(django-simple-history); the admin's history with the diff and a revert; readers' change logs
(fields and dates, never who) for each record and for the catalogue, with an Atom feed."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cooperation.models import CATALOGUE, Agreement, Quote
from tests.conftest import form_data, post_change

pytestmark = pytest.mark.django_db

AGREEMENT = "cnes-usth-mou-2015"


def history_rows():
    return sum(model.history.count() for model in (*CATALOGUE, Quote))


def test_a_reload_that_changes_a_record_names_the_command_and_one_that_does_not_leaves_none(
    loaded, fixtures_dir
):
    before = history_rows()
    call_command("reload_fixtures", stdout=StringIO())
    assert history_rows() == before, "a reload that changes nothing leaves no history"
    path = fixtures_dir / "agreements.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    record = next(r for r in records if r["slug"] == AGREEMENT)
    old_title, record["title"] = record["title"], "CNES–USTH memorandum on higher education"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    call_command("reload_fixtures", "--force", stdout=StringIO())
    latest = Agreement.history.filter(slug=AGREEMENT).latest("history_date")
    assert latest.history_change_reason.startswith("reload_fixtures")
    assert latest.history_user is None
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("title", old_title, "CNES–USTH memorandum on higher education")
    ]
    assert history_rows() == before + 1


def test_an_admin_edit_is_kept_with_its_curator_and_reads_as_old_to_new(curator, loaded):
    agreement = Agreement.objects.get(slug=AGREEMENT)
    old = agreement.title
    response = post_change(curator, agreement, title="A corrected title")
    assert response.status_code == 302
    latest = agreement.history.latest("history_date")
    assert latest.history_user.username == curator_username()
    history = reverse("admin:cooperation_agreement_history", args=[agreement.pk])
    page = curator.get(history).content.decode()
    assert "A corrected title" in page and old in page
    assert re.search(r"<strong>Title:</strong>\s*" + re.escape(old), page)


def test_a_curator_reverts_a_record_to_an_earlier_version(curator, loaded):
    agreement = Agreement.objects.get(slug=AGREEMENT)
    old = agreement.title
    post_change(curator, agreement, title="A title to undo")
    earlier = agreement.history.filter(title=old).latest("history_date")
    url = reverse(
        "admin:cooperation_agreement_simple_history", args=[agreement.pk, earlier.history_id]
    )
    data = form_data(curator.get(url))
    response = curator.post(url, data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == old


def test_a_records_public_log_shows_what_changed_and_when_not_who(client, curator, loaded):
    agreement = Agreement.objects.get(slug=AGREEMENT)
    old = agreement.title
    post_change(curator, agreement, title="A corrected title")
    record_page = client.get(agreement.get_absolute_url()).content.decode()
    log_link = re.search(r'<a href="([^"]+/changes/)">Its change log</a>', record_page)
    assert log_link and "Last changed on" in record_page
    log = client.get(log_link.group(1)).content.decode()
    row = re.search(r"<th scope=\"row\">Title</th><td>([^<]+)</td><td>([^<]+)</td>", log)
    assert row and row.groups() == (old, "A corrected title")
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', log)
    assert "camille" not in log  # never who
    everything = client.get("/en/changes/").content.decode()
    assert "A corrected title" in everything and f'href="{log_link.group(1)}"' in everything
    feed = client.get("/en/changes/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "A corrected title" in feed.content.decode()


def test_change_logs_run_a_fixed_number_of_queries(client, loaded, django_assert_max_num_queries):
    for path in (f"/en/agreements/{AGREEMENT}/changes/", "/en/changes/", "/en/changes/feed/"):
        client.get(path)
        with django_assert_max_num_queries(30):
            assert client.get(path).status_code == 200


def test_a_log_of_nothing_is_a_404(client, loaded):
    assert client.get("/en/agreements/no-such-thing/changes/").status_code == 404


def curator_username():
    from tests.conftest import CURATOR

    return CURATOR["username"]
