"""What each fixture file holds (the model specs) and the canonical form its records take."""

import json
from dataclasses import dataclass

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import CATALOGUE


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
        # Derived links (an agreement's countries) are the database's to keep, not the files'.
        return [f for f in self.model._meta.many_to_many if f.editable]

    @property
    def children(self):
        return [ChildSpec.for_accessor(self.model, name) for name in self.child_names]

    @property
    def keys(self):
        own = [f.name for f in self._ordered_fields()]
        return own + [f.name for f in self.many] + list(self.child_names)


# One file per record model of the catalogue, named by its plural and in the catalogue's
# dependency order (a file refers only to the files above it, and to itself), each record
# carrying its inline rows.
SPECS = [
    ModelSpec(f"{model._meta.verbose_name_plural}.json", model, model.inline) for model in CATALOGUE
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


def sort_key(row):
    return tuple("" if value is None else str(value) for value in row.values())
