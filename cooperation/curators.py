"""The Curators group: who may edit the catalogue in the admin, and how far."""

CURATORS = "Curators"

# Curators add, change and view every catalogue record; they delete only what a record holds
# inline (a wrong quote, a wrong title), never the records themselves, users or groups.
CATALOGUE_MODELS = (
    "agency",
    "agreement",
    "country",
    "event",
    "mission",
    "person",
    "quote",
    "role",
    "source",
    "theme",
)
DELETABLE_MODELS = ("quote", "role")


def curator_codenames():
    codenames = [
        f"{action}_{model}" for model in CATALOGUE_MODELS for action in ("add", "change", "view")
    ]
    return codenames + [f"delete_{model}" for model in DELETABLE_MODELS] + ["view_fixturesnapshot"]


def ensure_curators_group(group_model, permission_model):
    """Create or update the group with exactly the curators' permissions (used by a migration,
    with historical models, and by `createcurator`, with the real ones)."""
    group, _ = group_model.objects.get_or_create(name=CURATORS)
    permissions = permission_model.objects.filter(
        content_type__app_label="cooperation", codename__in=curator_codenames()
    )
    group.permissions.set(permissions)
    return group
