"""The curated fixture files: read and check them, compare them with the database, apply them.

One JSON file per model holds a list of records. A record names its relations by natural key
(a slug, or a country code), carries its quotes (and a person their roles) inline, and writes
multi-line text as a list of lines. Records are compared in one canonical form, the "state":
a dict in the file's key order, relations as natural keys, lists sorted.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models

from .models import Agency, Agreement, Country, Event, Mission, Person, Quote, Source, Theme
from .quotes import quote_occurs_in


class FixtureError(Exception):
    """The fixture files cannot be loaded; `problems` names each file, record and reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ChildSpec:
    """Rows that belong to one record and are written inline under it (quotes, roles)."""

    name: str
    model: type[models.Model]
    link: dict  # the filter that selects every row of this kind, whatever its parent
    parent_column: str
    fields: tuple[models.Field, ...]

    @classmethod
    def for_accessor(cls, parent, name):
        relation = parent._meta.get_field(name)
        child = relation.related_model
        if isinstance(relation, GenericRelation):
            link_names = {relation.content_type_field_name, relation.object_id_field_name}
            link = {"content_type": ContentType.objects.get_for_model(parent)}
            parent_column = relation.object_id_field_name
        else:
            link_names = {relation.field.name}
            link = {}
            parent_column = relation.field.attname
        fields = tuple(
            f for f in child._meta.concrete_fields if not f.primary_key and f.name not in link_names
        )
        return cls(name, child, link, parent_column, fields)

    @property
    def keys(self):
        return [f.name for f in self.fields]


@dataclass
class ModelSpec:
    """How one model is written to, and read from, its fixture file."""

    filename: str
    model: type[models.Model]
    child_names: tuple[str, ...] = ()

    @property
    def key(self):
        return self.model.natural_key_field

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def date_names(self):
        return getattr(self.model, "date_field_names", ())

    @property
    def scalars(self):
        return [f for f in self._ordered_fields() if not f.is_relation]

    @property
    def foreign_keys(self):
        return [f for f in self._ordered_fields() if f.is_relation]

    def _ordered_fields(self):
        # The natural key first, the record's own fields as declared, its date fields last.
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key and f.editable]
        return sorted(fields, key=lambda f: (f.name != self.key, f.name in self.date_names))

    @property
    def many(self):
        return list(self.model._meta.many_to_many)

    @property
    def children(self):
        return [ChildSpec.for_accessor(self.model, name) for name in self.child_names]

    @property
    def keys(self):
        own = [f.name for f in self._ordered_fields()]
        return own + [f.name for f in self.many] + list(self.child_names)


# In dependency order: a file refers only to the files above it (and to itself). Sources come
# first because every other record quotes them.
SPECS = [
    ModelSpec("sources.json", Source),
    ModelSpec("themes.json", Theme, ("quotes",)),
    ModelSpec("countries.json", Country, ("quotes",)),
    ModelSpec("agencies.json", Agency, ("quotes",)),
    ModelSpec("people.json", Person, ("roles", "quotes")),
    ModelSpec("missions.json", Mission, ("quotes",)),
    ModelSpec("events.json", Event, ("quotes",)),
    ModelSpec("agreements.json", Agreement, ("quotes",)),
]
SPEC_FOR_MODEL = {spec.model: spec for spec in SPECS}


# --- Canonical values ---------------------------------------------------------------------------


def to_json_value(model_field, value):
    """A state value as the file writes it: multi-line text becomes a list of lines."""
    if isinstance(model_field, models.TextField) and isinstance(value, str) and "\n" in value:
        return value.split("\n")
    return value


def render(spec, states):
    """The text of a fixture file holding these records: stable order, stable keys, UTF-8."""
    fields = {f.name: f for f in spec.scalars}
    records = [
        {name: to_json_value(fields.get(name), value) for name, value in state.items()}
        for _, state in sorted(states.items())
    ]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def _sort_key(row):
    return tuple("" if value is None else str(value) for value in row.values())


# --- Reading and checking the files ---------------------------------------------------------------


@dataclass
class _Reader:
    directory: Path
    problems: list = field(default_factory=list)
    keys: dict = field(default_factory=dict)  # model -> set of natural keys in the files
    states: dict = field(default_factory=dict)  # model -> {natural key: state}

    def problem(self, where, reason):
        self.problems.append(f"{where}: {reason}")

    def read(self):
        known = {spec.filename for spec in SPECS}
        for path in sorted(self.directory.glob("*.json")):
            if path.name not in known:
                self.problem(
                    str(path), f"not a fixture file this project knows ({', '.join(sorted(known))})"
                )
        raw = {spec.model: self._load(spec) for spec in SPECS}
        for spec in SPECS:
            self.keys[spec.model] = {
                record.get(spec.key)
                for record in raw[spec.model]
                if isinstance(record, dict) and isinstance(record.get(spec.key), str)
            }
        for spec in SPECS:
            self.states[spec.model] = {}
            for index, record in enumerate(raw[spec.model], start=1):
                self._read_record(spec, index, record)
        if self.problems:
            raise FixtureError(self.problems)
        return self.states

    def _load(self, spec):
        path = self.directory / spec.filename
        where = str(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.problem(where, "the file is missing")
            return []
        except UnicodeDecodeError as error:
            self.problem(where, f"not UTF-8 text ({error.reason} at byte {error.start})")
            return []
        except json.JSONDecodeError as error:
            self.problem(
                where, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            )
            return []
        if not isinstance(data, list):
            self.problem(where, "the file must hold a list of records")
            return []
        return data

    def _read_record(self, spec, index, record):
        path = self.directory / spec.filename
        if not isinstance(record, dict):
            self.problem(f"{path}, record {index}", "a record must be a JSON object")
            return
        key = record.get(spec.key)
        where = f"{path}, record {index} ({spec.key} {key!r})"
        if not isinstance(key, str) or not key:
            self.problem(f"{path}, record {index}", f"no {spec.key!r}, the record's natural key")
            return
        if key in self.states[spec.model]:
            self.problem(where, f"duplicate {spec.key}: another record of this file has it")
            return
        unknown = sorted(set(record) - set(spec.keys))
        if unknown:
            self.problem(where, f"unknown field(s) {', '.join(unknown)}")
            return
        state = {}
        ok = self._read_scalars(spec, where, record, state)
        ok = self._read_foreign_keys(spec, where, record, state) and ok
        ok = self._read_many(spec, where, record, state) and ok
        for child in spec.children:
            ok = self._read_children(child, where, record.get(child.name, []), state) and ok
        if ok:
            self.states[spec.model][key] = {name: state[name] for name in spec.keys}

    def _read_scalars(self, spec, where, record, state):
        values = {}
        for f in spec.scalars:
            value = record.get(f.name, f.get_default())
            if isinstance(f, models.TextField) and isinstance(value, list):
                if not all(isinstance(line, str) for line in value):
                    self.problem(where, f"{f.name}: a list of lines must hold only strings")
                    return False
                value = "\n".join(value)
            expected = _json_type(f)
            if value is not None and expected and not isinstance(value, expected[0]):
                self.problem(where, f"{f.name}: {value!r} is not {expected[1]}")
                return False
            values[f.name] = value
        instance = spec.model(**values)
        relation_names = [f.name for f in spec.foreign_keys + spec.many]
        try:
            instance.full_clean(
                exclude=relation_names, validate_unique=False, validate_constraints=False
            )
            for constraint in spec.model._meta.constraints:
                if isinstance(constraint, models.CheckConstraint):
                    constraint.validate(spec.model, instance, exclude=set(relation_names))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = "record" if name == "__all__" else name
                self.problem(where, f"{label}: {' '.join(messages)}")
            return False
        except (DatabaseError, TypeError, ValueError) as error:
            self.problem(where, f"invalid value: {error}")
            return False
        state.update({f.name: getattr(instance, f.attname) for f in spec.scalars})
        return True

    def _resolve(self, where, name, target, value, *, required):
        """A natural key that must name a record of the target model's file."""
        if value is None:
            if required:
                self.problem(where, f"{name}: required")
                return False
            return True
        if not isinstance(value, str):
            self.problem(where, f"{name}: {value!r} is not a natural key (a string)")
            return False
        if value not in self.keys[target]:
            filename = SPEC_FOR_MODEL[target].filename
            self.problem(where, f"{name}: no record {value!r} in {filename}")
            return False
        return True

    def _read_foreign_keys(self, spec, where, record, state):
        ok = True
        for f in spec.foreign_keys:
            value = record.get(f.name)
            ok = self._resolve(where, f.name, f.related_model, value, required=not f.null) and ok
            if f.related_model is spec.model and value is not None and value == record[spec.key]:
                self.problem(where, f"{f.name}: a record cannot refer to itself")
                ok = False
            state[f.name] = value
        return ok

    def _read_many(self, spec, where, record, state):
        ok = True
        for f in spec.many:
            values = record.get(f.name, [])
            if not isinstance(values, list):
                self.problem(where, f"{f.name}: must be a list of natural keys")
                ok = False
                continue
            if len(set(map(str, values))) != len(values):
                self.problem(where, f"{f.name}: a key is listed twice")
                ok = False
            for value in values:
                ok = self._resolve(where, f.name, f.related_model, value, required=True) and ok
            state[f.name] = sorted(values) if ok else values
        return ok

    def _read_children(self, child, where, rows, state):
        if not isinstance(rows, list):
            self.problem(where, f"{child.name}: must be a list")
            return False
        result = []
        for number, row in enumerate(rows, start=1):
            clean = self._read_child(child, f"{where}, {child.name} {number}", row)
            if clean is not None and clean in result:
                self.problem(where, f"{child.name} {number}: listed twice")
                clean = None
            result.append(clean)
        state[child.name] = sorted(filter(None, result), key=_sort_key)
        return None not in result

    def _read_child(self, child, where, row):
        if not isinstance(row, dict) or set(row) - set(child.keys):
            self.problem(where, f"must be an object with the fields {', '.join(child.keys)}")
            return None
        clean = {f.name: row.get(f.name) for f in child.fields}
        ok = True
        for f in child.fields:
            value = clean[f.name]
            if f.is_relation:
                resolved = self._resolve(where, f.name, f.related_model, value, required=not f.null)
                ok = resolved and ok
            elif not isinstance(value, str) or not value.strip():
                self.problem(where, f"{f.name} must be non-empty text")
                ok = False
            else:
                try:
                    f.clean(value, None)
                except ValidationError as error:
                    self.problem(where, f"{f.name}: {' '.join(error.messages)}")
                    ok = False
        if ok and child.model is Quote and not self._quote_is_in_source(clean):
            source, text = clean["source"], clean["text"]
            self.problem(where, f"the quote is not in the text of source {source!r}: {text!r}")
            ok = False
        return clean if ok else None

    def _quote_is_in_source(self, row):
        source = self.states[Source].get(row["source"])
        return source is not None and quote_occurs_in(row["text"], source["text"])


def _json_type(model_field):
    """The JSON type a field's value must have, and how to name it, or None for any."""
    if isinstance(model_field, models.BooleanField):
        return bool, "true or false"
    if isinstance(model_field, models.IntegerField):
        return int, "a whole number"
    if isinstance(model_field, models.CharField | models.TextField):
        return str, "text"
    return None


def read_fixtures(directory):
    """Every record of the fixture files as {model: {natural key: state}}; raises FixtureError."""
    return _Reader(Path(directory)).read()


# --- The database's side ------------------------------------------------------------------------


def natural_keys_by_pk():
    """{model: {pk: natural key}} for every model that fixtures refer to."""
    return {spec.model: dict(spec.model.objects.values_list("pk", spec.key)) for spec in SPECS}


def database_states(spec, keys_by_pk):
    """Every record of the model in the database, in the same canonical form as the files.

    Returns ({natural key: state}, {natural key: pk}, {(natural key, child name, child row):
    [pk, …]}, [(child model, pk) of inline rows whose record no longer exists]).
    """
    model = spec.model
    own_keys = keys_by_pk[model]
    columns = [f.attname for f in spec.scalars + spec.foreign_keys]
    states, pks, child_pks, orphans = {}, {}, {}, []
    for row in model.objects.values("pk", *columns):
        key = row[spec.key]
        state = {f.name: row[f.attname] for f in spec.scalars}
        for f in spec.foreign_keys:
            state[f.name] = keys_by_pk[f.related_model].get(row[f.attname])
        for f in spec.many:
            state[f.name] = []
        for child in spec.children:
            state[child.name] = []
        states[key] = state
        pks[key] = row["pk"]
    for f in spec.many:
        through = f.remote_field.through
        source_column = f"{f.m2m_field_name()}_id"
        target_column = f"{f.m2m_reverse_field_name()}_id"
        for owner, target in through.objects.values_list(source_column, target_column):
            states[own_keys[owner]][f.name].append(keys_by_pk[f.related_model][target])
        for state in states.values():
            state[f.name].sort()
    for child in spec.children:
        columns = [f.attname for f in child.fields]
        for row in child.model.objects.filter(**child.link).values(
            "pk", child.parent_column, *columns
        ):
            owner = own_keys.get(row[child.parent_column])
            if owner is None:
                orphans.append((child.model, row["pk"]))
                continue
            clean = {}
            for f in child.fields:
                value = row[f.attname]
                clean[f.name] = keys_by_pk[f.related_model].get(value) if f.is_relation else value
            states[owner][child.name].append(clean)
            child_pks.setdefault((owner, child.name, _sort_key(clean)), []).append(row["pk"])
        for state in states.values():
            state[child.name].sort(key=_sort_key)
    return (
        {key: {name: state[name] for name in spec.keys} for key, state in states.items()},
        pks,
        child_pks,
        orphans,
    )


# --- Planning and applying ----------------------------------------------------------------------


@dataclass
class ModelPlan:
    """What a reload would do to one model's records."""

    spec: ModelSpec
    desired: dict
    current: dict
    pks: dict
    child_pks: dict
    orphans: list = field(default_factory=list)  # inline rows whose record is gone
    created: list = field(default_factory=list)
    updated: dict = field(default_factory=dict)  # natural key -> names of the fields that change
    deleted: list = field(default_factory=list)
    unchanged: int = 0


def plan_reload(desired_states):
    """Compare the files with the database, model by model; writes nothing."""
    keys_by_pk = natural_keys_by_pk()
    plans = []
    for spec in SPECS:
        current, pks, child_pks, orphans = database_states(spec, keys_by_pk)
        desired = desired_states[spec.model]
        plan = ModelPlan(spec, desired, current, pks, child_pks, orphans)
        for key, state in desired.items():
            if key not in current:
                plan.created.append(key)
                continue
            changed = [name for name in spec.keys if state[name] != current[key][name]]
            if changed:
                plan.updated[key] = changed
            else:
                plan.unchanged += 1
        plan.deleted = sorted(set(current) - set(desired))
        plan.created.sort()
        plans.append(plan)
    return plans


@contextmanager
def _writing(spec, what):
    """Turn the database's refusal into an error that names the file and the record."""
    try:
        yield
    except (DatabaseError, ValidationError, models.ProtectedError) as error:
        where = f"{spec.filename} ({spec.key} {what})"
        raise FixtureError([f"{where}: the database refused the change: {error}"]) from error


def apply_reload(plans):
    """Make the database equal to the files. Call inside a transaction: a failure must roll back."""
    pks = {plan.spec.model: dict(plan.pks) for plan in plans}

    def assign(instance, plan, key, *, self_references):
        state = plan.desired[key]
        for f in plan.spec.scalars:
            setattr(instance, f.attname, state[f.name])
        for f in plan.spec.foreign_keys:
            if (f.related_model is plan.spec.model) == self_references:
                value = state[f.name]
                setattr(instance, f.attname, None if value is None else pks[f.related_model][value])

    # 1. Records with their fields and the relations to records of earlier files.
    for plan in plans:
        model = plan.spec.model
        existing = model.objects.in_bulk([plan.pks[key] for key in plan.updated])
        for key in plan.created:
            instance = model()
            assign(instance, plan, key, self_references=False)
            with _writing(plan.spec, repr(key)):
                instance.save()
            pks[model][key] = instance.pk
        for key in plan.updated:
            instance = existing[plan.pks[key]]
            assign(instance, plan, key, self_references=False)
            with _writing(plan.spec, repr(key)):
                instance.save()

    # 2. References within a file, many-to-many links and inline rows, now that all exist.
    for plan in plans:
        spec = plan.spec
        touched = [(key, spec.keys) for key in plan.created] + list(plan.updated.items())
        instances = spec.model.objects.in_bulk([pks[spec.model][key] for key, _ in touched])
        for key, changed in touched:
            instance = instances[pks[spec.model][key]]
            state = plan.desired[key]
            with _writing(spec, repr(key)):
                if any(
                    f.related_model is spec.model and f.name in changed for f in spec.foreign_keys
                ):
                    assign(instance, plan, key, self_references=True)
                    instance.save()
                for f in spec.many:
                    if f.name in changed:
                        targets = [pks[f.related_model][value] for value in state[f.name]]
                        getattr(instance, f.name).set(targets)
                for child in spec.children:
                    if child.name in changed:
                        _replace_children(plan, key, instance, child, pks)

    # 3. Inline rows left without their record, then records no longer in the files.
    for plan in plans:
        for model, pk in plan.orphans:
            model.objects.filter(pk=pk).delete()
    for plan in reversed(plans):
        if plan.deleted:
            with _writing(plan.spec, ", ".join(map(repr, plan.deleted))):
                plan.spec.model.objects.filter(
                    pk__in=[plan.pks[key] for key in plan.deleted]
                ).delete()


def _replace_children(plan, key, instance, child, pks):
    """Keep the rows the files still hold (with their ids), delete the others, add the new."""
    old = plan.current.get(key, {}).get(child.name, [])
    missing = list(plan.desired[key][child.name])
    gone = []
    for row in old:
        row_pk = plan.child_pks[(key, child.name, _sort_key(row))].pop()
        if row in missing:
            missing.remove(row)
        else:
            gone.append(row_pk)
    child.model.objects.filter(pk__in=gone).delete()
    manager = getattr(instance, child.name)
    for row in missing:
        values = {}
        for f in child.fields:
            value = row[f.name]
            if f.is_relation:
                values[f.attname] = None if value is None else pks[f.related_model][value]
            else:
                values[f.attname] = value
        manager.create(**values)


# --- The round trip: what the files last held, and writing the database back ------------------


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
    models_ = apps.get_app_config("cooperation").get_models(include_auto_created=True)
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def database_catalogue():
    """Every record of every model in the database, in the files' canonical form."""
    keys_by_pk = natural_keys_by_pk()
    return {spec.model: database_states(spec, keys_by_pk)[0] for spec in SPECS}


def save_snapshot(states_by_model):
    """Remember the catalogue as the files now hold it; rows that would not change are left be."""
    from .models import FixtureSnapshot

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
    from .models import FixtureSnapshot

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
