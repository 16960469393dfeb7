"""The round trip: what the files last held, the edits since, and writing the files back."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from .specs import SPECS, render
from .states import database_catalogue


@dataclass(frozen=True)
class Change:
    """A record that differs from the files' last loaded or exported state."""

    model: str
    key: str
    what: str  # the fields that differ, "new record" or "deleted record"

    def __str__(self):
        return f"{self.model} {self.key!r}: {self.what}"


def is_fixtures_dir(directory):
    """Only the project's own fixture files are remembered; a preview elsewhere is not."""
    return Path(directory).resolve() == Path(settings.FIXTURES_DIR).resolve()


def lock_catalogue():
    """Hold off other writers (an admin save) until this transaction ends, so that nothing is
    written between reading the catalogue and writing it. SQLite has one writer at a time."""
    if connection.vendor != "postgresql":
        return
    from ..models import FixtureSnapshot, catalogue_models

    models_ = [*catalogue_models(links=True), FixtureSnapshot]
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def save_snapshot(states_by_model):
    """Remember the catalogue as the files now hold it; rows that would not change are left be."""
    from ..models import FixtureSnapshot

    for spec in SPECS:
        label = spec.model._meta.label_lower
        states = states_by_model[spec.model]
        snapshot = FixtureSnapshot.objects.filter(model=label).first()
        if snapshot is None:
            FixtureSnapshot.objects.create(model=label, states=states)
        elif snapshot.states != states:
            snapshot.states = states
            snapshot.save()


def differences(states_by_model):
    """What these records (the database's, or the files') hold that the files, as last loaded
    or exported, did not."""
    from ..models import FixtureSnapshot

    snapshots = {s.model: s.states for s in FixtureSnapshot.objects.all()}
    changes = []
    for spec in SPECS:
        label = spec.model._meta.label_lower
        records = states_by_model[spec.model]
        if label not in snapshots:
            never = "not from a loaded or exported file"
            changes += [Change(spec.label, key, never) for key in records]
            continue
        known = snapshots[label]
        for key, state in records.items():
            if key not in known:
                changes.append(Change(spec.label, key, "new record"))
            elif state != known[key]:
                fields = [name for name in spec.keys if state[name] != known[key].get(name)]
                changes.append(Change(spec.label, key, "changed " + ", ".join(fields)))
        gone = [key for key in known if key not in records]
        changes += [Change(spec.label, key, "deleted record") for key in gone]
    return changes


def listing(changes, limit=20):
    """The changes as lines to print, a long list cut short with a count of the rest."""
    lines = [f"  {change}" for change in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"  … and {len(changes) - limit} more")
    return lines


def unexported_changes():
    """Edits made in the database since the files were last loaded or exported."""
    return differences(database_catalogue())


def write_fixtures(directory, states_by_model):
    """Write each model's file in canonical form; returns the names of the files that changed."""
    directory = Path(directory)
    written = []
    for spec in SPECS:
        path = directory / spec.filename
        text = render(spec, states_by_model[spec.model])
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(spec.filename)
    return written


def refuse(command, heading, changes, message):
    """Stop a command that would overwrite these changes: list them, then say what to do."""
    command.stderr.write(heading)
    for line in listing(changes):
        command.stderr.write(line)
    raise CommandError(message)
