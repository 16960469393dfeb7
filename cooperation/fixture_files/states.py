"""The database's side: its records in the same canonical form as the files."""

from .specs import SPECS, sort_key


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
            child_pks.setdefault((owner, child.name, sort_key(clean)), []).append(row["pk"])
        for state in states.values():
            state[child.name].sort(key=sort_key)
    return (
        {key: {name: state[name] for name in spec.keys} for key, state in states.items()},
        pks,
        child_pks,
        orphans,
    )


def database_catalogue():
    """Every record of every model in the database, in the files' canonical form."""
    keys_by_pk = natural_keys_by_pk()
    return {spec.model: database_states(spec, keys_by_pk)[0] for spec in SPECS}
