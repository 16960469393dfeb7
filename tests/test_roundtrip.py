"""The curators' round trip: export writes the files back byte for byte, and a reload never
overwrites an edit that was not exported unless told to."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cooperation.models import Agreement, Country, Quote
from tests.conftest import REPO_FIXTURES, changed_lines, snapshot_tables

pytestmark = pytest.mark.django_db

SCO = "cnes-cnsa-sco-implementing-agreement-2018"


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue()


def refused(*args):
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("reload_fixtures", *args, stdout=StringIO(), stderr=err)
    return f"{err.getvalue()}\n{error.value}"


def files(directory):
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.json"))}


def test_export_after_a_reload_rewrites_the_files_byte_for_byte(loaded):
    assert files(loaded) == files(REPO_FIXTURES)
    output = run("export_fixtures")
    assert "every file was already up to date" in output
    assert files(loaded) == files(REPO_FIXTURES)


def test_export_writes_every_file_again_from_the_database_alone(loaded, tmp_path):
    target = tmp_path / "exported"
    target.mkdir()
    run("export_fixtures", "--fixtures-dir", str(target))
    assert files(target) == files(REPO_FIXTURES)


def test_an_edit_followed_by_export_changes_exactly_the_edited_lines(loaded):
    before = (loaded / "agreements.json").read_text(encoding="utf-8").splitlines()
    agreement = Agreement.objects.get(slug=SCO)
    agreement.title = "A corrected title"
    agreement.save()
    output = run("export_fixtures")
    assert "rewrote agreements.json" in output
    after = (loaded / "agreements.json").read_text(encoding="utf-8").splitlines()
    changed = changed_lines(before, after)
    assert changed == [
        '-    "title": "CNES–CNSA specific agreement on implementing the Space Climate Observatory (SCO)",',
        '+    "title": "A corrected title",',
    ]
    assert files(loaded).keys() == files(REPO_FIXTURES).keys()
    assert {name for name, data in files(loaded).items() if data != files(REPO_FIXTURES)[name]} == {
        "agreements.json"
    }


def test_a_reload_refuses_to_overwrite_an_edit_and_names_it(loaded):
    agreement = Agreement.objects.get(slug=SCO)
    agreement.title = "Edited in the admin"
    agreement.save()
    agreement.parties.remove(agreement.parties.get(slug="cnsa"))
    Country.objects.create(code="DE", name="Germany")
    Quote.objects.filter(
        source__slug="cnes-2013-10-japan-jaxa-annual-meeting", agency__slug="jaxa"
    ).delete()
    before = snapshot_tables()

    message = refused()
    assert f"agreement '{SCO}': changed title, parties" in message
    assert "country 'DE': new record" in message
    assert "agency 'jaxa': changed quotes" in message
    assert "would be lost; nothing was changed" in message
    assert snapshot_tables() == before
    assert Agreement.objects.get(slug=SCO).title == "Edited in the admin"


def test_dry_run_lists_the_edits_a_reload_would_overwrite_and_changes_nothing(loaded):
    Agreement.objects.filter(slug=SCO).update(title="Edited in the admin")
    before = snapshot_tables()
    output = run("reload_fixtures", "--dry-run")
    assert "would be overwritten" in output
    assert f"agreement '{SCO}': changed title" in output
    assert "1 updated" in output
    assert snapshot_tables() == before


def test_force_overwrites_the_edit(loaded):
    Agreement.objects.filter(slug=SCO).update(title="Edited in the admin")
    output = run("reload_fixtures", "--force")
    assert "were overwritten (--force)" in output
    assert Agreement.objects.get(slug=SCO).title.startswith("CNES–CNSA specific agreement")
    assert "0 created, 0 updated, 0 deleted" in run("reload_fixtures")


def test_after_an_export_the_reload_runs_clean_and_keeps_the_edit(loaded):
    Agreement.objects.filter(slug=SCO).update(title="Edited in the admin")
    run("export_fixtures")
    output = run("reload_fixtures")
    assert "0 created, 0 updated, 0 deleted" in output
    assert Agreement.objects.get(slug=SCO).title == "Edited in the admin"


def test_a_database_filled_by_other_means_is_not_overwritten_without_force(db, fixtures_dir):
    Country.objects.create(code="DE", name="Germany")
    assert "country 'DE': not from a loaded or exported file" in refused()
    run("reload_fixtures", "--force")
    assert not Country.objects.filter(code="DE").exists()


def test_export_refuses_to_overwrite_file_changes_that_were_never_loaded(loaded):
    path = loaded / "themes.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Satellite navigation", "Navigation by satellite"),
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="would be overwritten; nothing was written"):
        call_command("export_fixtures", stdout=StringIO(), stderr=err)
    assert "theme 'navigation': changed name" in err.getvalue()
    assert "Navigation by satellite" in path.read_text(encoding="utf-8")
    run("export_fixtures", "--force")
    assert "Navigation by satellite" not in path.read_text(encoding="utf-8")


def test_a_preview_export_elsewhere_does_not_mark_the_edits_as_exported(loaded, tmp_path):
    Agreement.objects.filter(slug=SCO).update(title="Edited in the admin")
    preview = tmp_path / "preview"
    preview.mkdir()
    assert "A preview" in run("export_fixtures", "--fixtures-dir", str(preview))
    assert f"agreement '{SCO}': changed title" in refused()
