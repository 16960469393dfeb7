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


def reload(*args):
    out, err = StringIO(), StringIO()
    call_command("reload_fixtures", *args, stdout=out, stderr=err)
    return out.getvalue()


def totals(output):
    found = re.search(r"(\d+) created, (\d+) updated, (\d+) deleted, (\d+) unchanged", output)
    return tuple(int(number) for number in found.groups())


def records_in_files(directory):
    return sum(len(json.loads((directory / spec.filename).read_text())) for spec in SPECS)


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
    agreement = Agreement.objects.get(slug="cnes-cnsa-sco-implementing-agreement-2018")
    assert {party.slug for party in agreement.parties.all()} == {"cnes", "cnsa"}
    assert agreement.quotes.get().source.slug == "cnes-2018-06-china-sco-agreement"
    assert Person.objects.get(slug="zhang-kejian").roles.get().title == "Administrator"


def test_a_second_reload_changes_nothing(fixtures_dir):
    reload()
    before = snapshot_tables()
    output = reload()
    assert totals(output) == (0, 0, 0, records_in_files(fixtures_dir))
    assert snapshot_tables() == before


def test_dry_run_reports_the_changes_and_writes_nothing(fixtures_dir):
    before = snapshot_tables()
    output = reload("--dry-run")
    assert "Dry run: nothing was written" in output
    assert totals(output) == (records_in_files(fixtures_dir), 0, 0, 0)
    assert snapshot_tables() == before


def test_an_edited_record_is_updated_in_place_and_keeps_its_id(fixtures_dir):
    reload()
    ids = {
        model: dict(model.objects.values_list("pk", "pk")) for model in (Agency, Country, Agreement)
    }
    quote_ids = set(Quote.objects.values_list("pk", flat=True))

    def retitle(records):
        records[0]["title"] = "A corrected title"
        records[0]["parties"] = ["cnsa"]

    edit(fixtures_dir, "agreements.json", retitle)
    output = reload("--verbosity", "2")
    assert totals(output)[:3] == (0, 1, 0)
    assert "~ cnes-cnsa-sco-implementing-agreement-2018: title, parties" in output
    agreement = Agreement.objects.get(slug="cnes-cnsa-sco-implementing-agreement-2018")
    assert agreement.title == "A corrected title"
    assert [party.slug for party in agreement.parties.all()] == ["cnsa"]
    for model, before in ids.items():
        assert dict(model.objects.values_list("pk", "pk")) == before
    assert set(Quote.objects.values_list("pk", flat=True)) == quote_ids


def test_a_record_gone_from_the_files_is_deleted_with_its_quotes(fixtures_dir):
    reload()
    edit(fixtures_dir, "agreements.json", lambda records: records.clear())
    output = reload()
    assert totals(output)[2] == 1
    assert not Agreement.objects.exists()
    assert not Quote.objects.filter(agreement__isnull=False).exists()
    assert Agency.objects.filter(slug="cnes").exists()


def test_a_new_quote_is_added_and_the_others_keep_their_ids(fixtures_dir):
    reload()
    cnes = Agency.objects.get(slug="cnes")
    kept = cnes.quotes.get().pk

    def add_quote(records):
        cnes_record = next(record for record in records if record["slug"] == "cnes")
        cnes_record["quotes"].append(
            {
                "source": "cnes-2018-06-china-sco-agreement",
                "text": "CNES and CNSA pursued their ties",
            }
        )

    edit(fixtures_dir, "agencies.json", add_quote)
    reload()
    assert kept in set(cnes.quotes.values_list("pk", flat=True))
    assert cnes.quotes.count() == 2


def break_json(directory):
    path = directory / "agencies.json"
    path.write_text(path.read_text()[:-20], encoding="utf-8")
    return "agencies.json", "invalid JSON at line"


def dangling_key(directory):
    edit(directory, "agreements.json", lambda records: records[0]["parties"].append("nasa"))
    return "agreements.json, record 1 (slug 'cnes-cnsa-sco-implementing-agreement-2018')", (
        "parties: no record 'nasa' in agencies.json"
    )


def invalid_choice(directory):
    edit(directory, "agencies.json", lambda records: records[0].update(kind="space_club"))
    return "agencies.json, record 1 (slug 'cnes')", "kind: Value 'space_club' is not a valid choice"


def quote_not_in_source(directory):
    def misquote(records):
        records[0]["quotes"][0]["text"] = "CNES and NASA signed a treaty on Mars"

    edit(directory, "agencies.json", misquote)
    return "agencies.json, record 1 (slug 'cnes')", "the quote is not in the text of source"


def duplicate_record(directory):
    edit(directory, "countries.json", lambda records: records.append(dict(records[0])))
    return "countries.json, record 3 (code 'CN')", "duplicate code"


def date_without_day(directory):
    edit(directory, "agreements.json", lambda records: records[0].update(day=None))
    return "agreements.json, record 1", "A day date needs a year, a month and a day"


def missing_file(directory):
    (directory / "people.json").unlink()
    return "people.json", "the file is missing"


def unknown_field(directory):
    edit(directory, "people.json", lambda records: records[0].update(nickname="JYLG"))
    return "people.json, record 1 (slug 'jean-yves-le-gall')", "unknown field(s) nickname"


def stray_file(directory):
    (directory / "treaties.json").write_text("[]\n", encoding="utf-8")
    return "treaties.json", "not a fixture file this project knows"


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
def test_a_broken_fixture_is_refused_whole_and_named(fixtures_dir, breakage, dry_run):
    reload()
    edit(fixtures_dir, "agreements.json", lambda records: records[0].update(title="New title"))
    place, reason = breakage(fixtures_dir)
    before = snapshot_tables()

    err = StringIO()
    with pytest.raises(CommandError, match="the database was not changed"):
        call_command(
            "reload_fixtures", *(["--dry-run"] if dry_run else []), stdout=StringIO(), stderr=err
        )

    message = err.getvalue()
    assert place in message
    assert reason in message
    assert snapshot_tables() == before
    assert Agreement.objects.get().title != "New title"


def test_a_broken_fixture_on_an_empty_database_leaves_it_empty(fixtures_dir):
    dangling_key(fixtures_dir)
    with pytest.raises(CommandError):
        call_command("reload_fixtures", stdout=StringIO(), stderr=StringIO())
    assert all(rows == [] for rows in snapshot_tables().values())


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
    assert "agencies.json, record 1 (slug 'cnes'): kind" in result.stderr
    assert "Traceback" not in result.stderr
