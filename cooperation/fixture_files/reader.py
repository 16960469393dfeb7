"""Reading the fixture files and checking every record before anything is written."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models

from ..models import Quote, Source
from ..models.sources import quote_anchor
from ..quotes import quote_occurs_in
from .specs import SPEC_FOR_MODEL, SPECS, FixtureError, sort_key


@dataclass
class _Reader:
    directory: Path
    problems: list = field(default_factory=list)
    keys: dict = field(default_factory=dict)  # model -> set of natural keys in the files
    states: dict = field(default_factory=dict)  # model -> {natural key: state}
    anchors: dict = field(default_factory=dict)  # quote anchor -> where it was read

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
            rows = record.get(child.name, [])
            owner = (spec.model._meta.model_name, key)
            ok = self._read_children(child, where, rows, state, owner) and ok
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
        # The database's CHECK constraints are asked here, not its uniqueness: the records
        # already in the database are the ones this load updates.
        checks = [c for c in spec.model._meta.constraints if isinstance(c, models.CheckConstraint)]
        refusals = []
        try:
            try:
                instance.full_clean(
                    exclude=relation_names, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                refusals.append(error)
            refusals += _refusals(checks, spec.model, instance, set(relation_names))
        except (DatabaseError, TypeError, ValueError) as error:
            self.problem(where, f"invalid value: {error}")
            return False
        for refusal in refusals:
            named = refusal.message_dict if hasattr(refusal, "error_dict") else {}
            for name, messages in named.items() or [("record", refusal.messages)]:
                label = "record" if name == "__all__" else name
                self.problem(where, f"{label}: {' '.join(messages)}")
        if refusals:
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

    def _read_children(self, child, where, rows, state, owner):
        if not isinstance(rows, list):
            self.problem(where, f"{child.name}: must be a list")
            return False
        result = []
        for number, row in enumerate(rows, start=1):
            clean = self._read_child(child, f"{where}, {child.name} {number}", row, owner)
            if clean is not None and clean in result:
                self.problem(where, f"{child.name} {number}: listed twice")
                clean = None
            result.append(clean)
        state[child.name] = sorted(filter(None, result), key=sort_key)
        return None not in result

    def _read_child(self, child, where, row, owner):
        if not isinstance(row, dict) or set(row) - set(child.keys):
            self.problem(where, f"must be an object with the fields {', '.join(child.keys)}")
            return None
        clean = {f.name: row.get(f.name) for f in child.fields}
        if child.model is Quote and clean["anchor"] is None:
            # A quote new to the files gets its anchor here; the export writes it back.
            source, text = clean["source"], clean["text"]
            if isinstance(source, str) and isinstance(text, str):
                clean["anchor"] = quote_anchor(*owner, source, text)
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
        if ok and child.model is Quote:
            other = self.anchors.setdefault(clean["anchor"], where)
            if other != where:
                self.problem(where, f"anchor {clean['anchor']!r}: {other} has it too")
                ok = False
        return clean if ok else None

    def _quote_is_in_source(self, row):
        source = self.states[Source].get(row["source"])
        return source is not None and quote_occurs_in(row["text"], source["text"])


def _refusals(checks, model, instance, exclude):
    """What these CHECK constraints say of the record. All of them are asked at once first (a
    query each is the costly part of reading the files), each one only if that fails."""
    together = models.CheckConstraint(
        condition=models.Q(*(c.condition for c in checks)), name="all_checks"
    )
    try:
        together.validate(model, instance, exclude=exclude)
        return []
    except ValidationError:
        pass
    refusals = []
    for constraint in checks:
        try:
            constraint.validate(model, instance, exclude=exclude)
        except ValidationError as error:
            refusals.append(error)
    return refusals


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
