"""Planning a reload (what would change) and applying it to the database."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models

from .specs import SPECS, FixtureError, ModelSpec, sort_key
from .states import database_states, natural_keys_by_pk


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
        row_pk = plan.child_pks[(key, child.name, sort_key(row))].pop()
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
