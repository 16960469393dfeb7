"""The Curators group: who may edit the catalogue in the admin, and how far."""

CURATORS = "Curators"


def curator_codenames():
    """Curators add, change and view every catalogue record; they delete only the rows a record
    holds inline (a wrong quote, a wrong title), never the records themselves, users or groups."""
    from .models import CATALOGUE, catalogue_models, inline_models

    inline = {child for model in CATALOGUE for child in inline_models(model)}
    # They give the ingest assistant press releases and decide on its proposals.
    codenames = [
        "add_pressrelease",
        "change_pressrelease",
        "view_pressrelease",
        "change_proposal",
        "view_proposal",
        # They work through the readers' reports (which only readers write).
        "change_report",
        "view_report",
    ]
    for model in catalogue_models():
        actions = ("add", "change", "view", *(("delete",) if model in inline else ()))
        codenames += [f"{action}_{model._meta.model_name}" for action in actions]
    return codenames


def ensure_curators_group(group_model, permission_model, using="default"):
    """Make sure the group exists and holds the curators' permissions: the one place the group
    is made, after every migrate (and so after a test database's flush) and by `createcurator`.
    Permissions are only added, never removed, so that whatever an administrator granted on top
    stays."""
    group, _ = group_model.objects.using(using).get_or_create(name=CURATORS)
    permissions = permission_model.objects.using(using).filter(
        content_type__app_label="cooperation", codename__in=curator_codenames()
    )
    group.permissions.add(*permissions)
    return group
