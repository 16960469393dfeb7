"""`manage.py reload_fixtures`: loads the files, changes nothing twice, refuses bad files whole."""

import json
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cooperation.fixture_files import SPECS
from cooperation.models import Agency, Agreement, Country, Person, Quote
from tests.conftest import snapshot_tables

pytestmark = pytest.mark.django_db

SCO_AGREEMENT = "cnes-cnsa-sco-implementing-agreement-2018"
CHINA_2018 = "cnes-2018-06-china-sco-implementing-agreement"


def reload(*args):
    out, err = StringIO(), StringIO()
    call_command("reload_fixtures", *args, stdout=out, stderr=err)
    return out.getvalue()


def totals(output):
    found = re.search(r"(\d+) created, (\d+) updated, (\d+) deleted, (\d+) unchanged", output)
    return tuple(int(number) for number in found.groups())


def records_in_files(directory):
    return sum(len(json.loads((directory / spec.filename).read_text())) for spec in SPECS)


def by_key(records, value, key="slug"):
    return next(record for record in records if record[key] == value)


def where(directory, filename, value, key="slug"):
    """How the command names a record: its file, its position and its natural key."""
    records = json.loads((directory / filename).read_text(encoding="utf-8"))
    position = [record[key] for record in records].index(value) + 1
    return f"{filename}, record {position} ({key} {value!r})"


def edit(directory, filename, change):
    path = directory / filename
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_reload_loads_every_record_of_the_files(fixtures_dir):
    output = reload()
    count = records_in_files(fixtures_dir)
    assert count > 0
    assert totals(output) == (count, 0, 0, 0)
    agreement = Agreement.objects.get(slug=SCO_AGREEMENT)
    assert {party.slug for party in agreement.parties.all()} == {"cnes", "cnsa"}
    assert {quote.source.slug for quote in agreement.quotes.all()} == {CHINA_2018}
    assert agreement.event.slug == "sco-implementing-agreement-signing-2018"
    extension = Agreement.objects.get(slug="cnes-usth-mou-extension-2018")
    assert extension.extends.slug == "cnes-usth-mou-2015"
    roles = Person.objects.get(slug="zhang-kejian").roles.all()
    assert {(role.title, role.agency.slug) for role in roles} == {("Administrator", "cnsa")}


def test_a_second_reload_changes_nothing(loaded):
    before = snapshot_tables()
    output = reload()
    assert totals(output) == (0, 0, 0, records_in_files(loaded))
    assert snapshot_tables() == before


def test_dry_run_reports_the_changes_and_writes_nothing(fixtures_dir):
    before = snapshot_tables()
    output = reload("--dry-run")
    assert "Dry run: nothing was written" in output
    assert totals(output) == (records_in_files(fixtures_dir), 0, 0, 0)
    assert snapshot_tables() == before


def test_an_edited_record_is_updated_in_place_and_keeps_its_id(loaded):
    ids = {
        model: dict(model.objects.values_list("slug" if model is not Country else "code", "pk"))
        for model in (Agency, Country, Agreement)
    }
    quote_ids = set(Quote.objects.values_list("pk", flat=True))

    def retitle(records):
        by_key(records, SCO_AGREEMENT)["title"] = "A corrected title"
        by_key(records, SCO_AGREEMENT)["parties"] = ["cnsa"]

    edit(loaded, "agreements.json", retitle)
    output = reload("--verbosity", "2")
    assert totals(output)[:3] == (0, 1, 0)
    assert f"~ {SCO_AGREEMENT}: title, parties" in output
    agreement = Agreement.objects.get(slug=SCO_AGREEMENT)
    assert agreement.title == "A corrected title"
    assert [party.slug for party in agreement.parties.all()] == ["cnsa"]
    for model, before in ids.items():
        key = "slug" if model is not Country else "code"
        assert dict(model.objects.values_list(key, "pk")) == before
    assert set(Quote.objects.values_list("pk", flat=True)) == quote_ids


def test_a_record_gone_from_the_files_is_deleted_with_its_quotes(loaded):
    count = Agreement.objects.count()
    edit(loaded, "agreements.json", lambda records: records.clear())
    output = reload()
    assert totals(output)[2] == count
    assert not Agreement.objects.exists()
    assert not Quote.objects.filter(agreement__isnull=False).exists()
    assert Agency.objects.filter(slug="cnes").exists()


def test_a_new_quote_is_added_and_the_others_keep_their_ids(loaded):
    cnes = Agency.objects.get(slug="cnes")
    kept = set(cnes.quotes.values_list("pk", flat=True))

    def add_quote(records):
        new = {"source": CHINA_2018, "text": "CNES and CNSA pursued their ties"}
        by_key(records, "cnes")["quotes"].append(new)

    edit(loaded, "agencies.json", add_quote)
    reload()
    now = set(cnes.quotes.values_list("pk", flat=True))
    assert kept < now
    assert len(now) == len(kept) + 1


def stray_file(directory):
    (directory / "treaties.json").write_text("[]\n", encoding="utf-8")
    return "treaties.json", "not a fixture file this project knows"


def break_json(directory):
    path = directory / "agencies.json"
    path.write_text(path.read_text()[:-20], encoding="utf-8")
    return "agencies.json", "invalid JSON at line"


def dangling_key(directory):
    edit(
        directory, "agreements.json", lambda rs: by_key(rs, SCO_AGREEMENT)["parties"].append("nasa")
    )
    return where(
        directory, "agreements.json", SCO_AGREEMENT
    ), "parties: no record 'nasa' in agencies.json"


def invalid_choice(directory):
    edit(directory, "agencies.json", lambda rs: by_key(rs, "cnes").update(kind="space_club"))
    return where(
        directory, "agencies.json", "cnes"
    ), "kind: Value 'space_club' is not a valid choice"


def quote_not_in_source(directory):
    def misquote(records):
        by_key(records, "cnes")["quotes"][0]["text"] = "CNES and NASA signed a treaty on Mars"

    edit(directory, "agencies.json", misquote)
    return where(directory, "agencies.json", "cnes"), "the quote is not in the text of source"


def duplicate_record(directory):
    edit(directory, "countries.json", lambda rs: rs.append(dict(by_key(rs, "FR", key="code"))))
    count = len(json.loads((directory / "countries.json").read_text()))
    return f"countries.json, record {count} (code 'FR')", "duplicate code"


def date_without_day(directory):
    edit(directory, "agreements.json", lambda rs: by_key(rs, SCO_AGREEMENT).update(day=None))
    return where(directory, "agreements.json", SCO_AGREEMENT), "A day date needs a year, a month"


def missing_file(directory):
    (directory / "people.json").unlink()
    return "people.json", "the file is missing"


def unknown_field(directory):
    edit(directory, "people.json", lambda rs: by_key(rs, "jean-yves-le-gall").update(nickname="J"))
    return where(directory, "people.json", "jean-yves-le-gall"), "unknown field(s) nickname"


@pytest.mark.parametrize(
    "breakage",
    [
        stray_file,
        break_json,
        dangling_key,
        invalid_choice,
        quote_not_in_source,
        duplicate_record,
        date_without_day,
        missing_file,
        unknown_field,
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["reload", "dry-run"])
def test_a_broken_fixture_is_refused_whole_and_named(loaded, breakage, dry_run):
    edit(loaded, "agreements.json", lambda rs: by_key(rs, SCO_AGREEMENT).update(title="New"))
    place, reason = breakage(loaded)
    before = snapshot_tables()

    err = StringIO()
    with pytest.raises(CommandError, match="the database was not changed"):
        args = ["--dry-run"] if dry_run else []
        call_command("reload_fixtures", *args, stdout=StringIO(), stderr=err)

    message = err.getvalue()
    assert place in message
    assert reason in message
    assert snapshot_tables() == before
    assert Agreement.objects.get(slug=SCO_AGREEMENT).title != "New"


def test_a_broken_fixture_on_an_empty_database_leaves_it_empty(fixtures_dir):
    dangling_key(fixtures_dir)
    with pytest.raises(CommandError):
        call_command("reload_fixtures", stdout=StringIO(), stderr=StringIO())
    assert all(rows == [] for rows in snapshot_tables().values())


@pytest.mark.subprocess
def test_the_command_exits_non_zero_on_a_broken_fixture(fixtures_dir, tmp_path):
    invalid_choice(fixtures_dir)
    env = {
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'operator.sqlite3'}",
        "FIXTURES_DIR": str(fixtures_dir),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=settings.BASE_DIR,
        )

    assert manage("migrate", "--verbosity", "0").returncode == 0
    result = manage("reload_fixtures")
    assert result.returncode == 1
    assert f"{where(fixtures_dir, 'agencies.json', 'cnes')}: kind" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_record_the_database_refuses_midway_rolls_everything_back(loaded, monkeypatch):
    """Validation cannot see everything: a refusal while writing must undo the earlier writes."""
    from django.db import IntegrityError

    from cooperation.models import Mission

    edit(loaded, "agreements.json", lambda rs: by_key(rs, SCO_AGREEMENT).update(title="New"))
    edit(loaded, "agencies.json", lambda rs: by_key(rs, "cnes").update(notes="Edited."))
    edit(loaded, "missions.json", lambda rs: by_key(rs, "sco").update(summary="Edited."))
    before = snapshot_tables()
    original_save = Mission.save

    def refuse_sco(self, *args, **kwargs):
        if self.slug == "sco":
            raise IntegrityError("refused by the database")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Mission, "save", refuse_sco)
    err = StringIO()
    with pytest.raises(CommandError, match="the database was not changed"):
        call_command("reload_fixtures", stdout=StringIO(), stderr=err)
    assert "missions.json (slug 'sco'): the database refused the change" in err.getvalue()
    assert snapshot_tables() == before
    assert Agency.objects.get(slug="cnes").notes != "Edited."


def test_dry_run_with_updates_and_deletions_writes_nothing(loaded):
    edit(loaded, "agreements.json", lambda rs: by_key(rs, SCO_AGREEMENT).update(title="New"))
    edit(loaded, "events.json", lambda rs: rs.pop())
    before = snapshot_tables()
    output = reload("--dry-run", "--verbosity", "2")
    assert totals(output)[:3] == (0, 1, 1)
    assert f"~ {SCO_AGREEMENT}: title" in output
    assert snapshot_tables() == before


def test_duplicate_and_orphaned_quotes_in_the_database_are_put_right(loaded):
    from django.contrib.contenttypes.models import ContentType

    cnes = Agency.objects.get(slug="cnes")
    first = cnes.quotes.first()
    # The same passage twice (under another anchor: the database refuses the same one twice).
    Quote.objects.create(
        content_type=first.content_type,
        object_id=cnes.pk,
        source=first.source,
        text=first.text,
        anchor="a-duplicate",
    )
    gone = Agreement.objects.get(slug=SCO_AGREEMENT)
    Quote.objects.create(
        content_type=ContentType.objects.get_for_model(Agreement),
        object_id=gone.pk + 10_000,
        source=first.source,
        text="An orphan",
    )
    reload("--force")
    assert cnes.quotes.filter(text=first.text, source=first.source).count() == 1
    assert not Quote.objects.filter(text="An orphan").exists()
    assert totals(reload()) == (0, 0, 0, records_in_files(loaded))


@pytest.mark.parametrize(
    ("filename", "slug", "change", "reason"),
    [
        ("agencies.json", "cnes", {"name": ["A", "B"]}, "name: ['A', 'B'] is not text"),
        ("agencies.json", "cnes", {"acronym": 42}, "acronym: 42 is not text"),
        ("agreements.json", SCO_AGREEMENT, {"year": "2018"}, "year: '2018' is not a whole number"),
        (
            "agreements.json",
            SCO_AGREEMENT,
            {"date_is_inferred": "no"},
            "date_is_inferred: 'no' is not true or false",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(fixtures_dir, filename, slug, change, reason):
    edit(fixtures_dir, filename, lambda rs: by_key(rs, slug).update(change))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("reload_fixtures", stdout=StringIO(), stderr=err)
    assert f"{where(fixtures_dir, filename, slug)}: {reason}" in err.getvalue()


def test_an_inline_row_is_checked_like_a_field(fixtures_dir):
    def long_title(records):
        by_key(records, "zhang-kejian")["roles"][0]["title"] = "A" * 300

    edit(fixtures_dir, "people.json", long_title)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("reload_fixtures", stdout=StringIO(), stderr=err)
    assert "roles 1: title: Ensure this value has at most 200 characters" in err.getvalue()


def test_a_quote_keeps_its_anchor_when_its_text_is_corrected(client, loaded, curator):
    """Links to a passage (#quote-…) survive an edit of the quote, in the files or the admin."""

    path = loaded / "agreements.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    record = next(
        r for r in records if r["slug"] == "france-china-future-space-cooperation-agreement-2019"
    )
    quote = next(q for q in record["quotes"] if q["text"].startswith("was further boosted"))
    anchor = quote["anchor"]
    quote["text"] = (
        "was further boosted in March with the signature of an agreement on future space cooperation"
    )
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    call_command("reload_fixtures", stdout=StringIO())
    kept = Quote.objects.get(anchor=anchor)
    assert kept.text == quote["text"]
    source = client.get(kept.source.get_absolute_url()).content.decode()
    assert f'id="quote-{anchor}"' in source
    agreement = Agreement.objects.get(slug=record["slug"])
    assert (
        f'href="/en/sources/{kept.source.slug}/?for={agreement.ref}#quote-{anchor}"'
        in client.get(agreement.get_absolute_url()).content.decode()
    )


def test_quote_anchors_are_unique_in_the_files(fixtures_dir):
    path = fixtures_dir / "agreements.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0]["quotes"][0]["anchor"] = records[1]["quotes"][0]["anchor"]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    from cooperation.fixture_files import FixtureError, read_fixtures

    with pytest.raises(FixtureError, match="has it too"):
        read_fixtures(fixtures_dir)


@pytest.mark.django_db(transaction=True)
def test_a_reload_that_writes_leaves_fresh_planner_statistics(fixtures_dir):
    """Autovacuum is off on our servers: a bulk write must analyze the tables it filled."""
    from django.db import connection

    call_command("reload_fixtures", stdout=StringIO())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'cooperation_agreement'"
                " AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
            )
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cooperation_agreement'")
        assert cursor.fetchone()[0] > 0
