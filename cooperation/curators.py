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


def ensure_curators_group(group_model, permission_model, using="default"):
    """Make sure the group exists and holds the curators' permissions. Permissions are only
    added, never removed, so that whatever an administrator granted on top stays. Used by the
    migration (with historical models), after every migrate, and by `createcurator`."""
    group, _ = group_model.objects.using(using).get_or_create(name=CURATORS)
    permissions = permission_model.objects.using(using).filter(
        content_type__app_label="cooperation", codename__in=curator_codenames()
    )
    group.permissions.add(*permissions)
    return group


def client_address(request):
    """The address a login came from, behind the one proxy BEHIND_HTTPS_PROXY trusts: the last
    address of X-Forwarded-For, the one the proxy itself appended (clients can forge the rest)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    return addresses[-1] if addresses else request.META.get("REMOTE_ADDR")
