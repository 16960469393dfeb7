"""Create the Curators group with its permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_curators(apps, schema_editor):
    from cooperation.curators import ensure_curators_group

    using = schema_editor.connection.alias
    # Permissions are normally created after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    group, permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    ensure_curators_group(group, permission, using=using)


def remove_curators(apps, schema_editor):
    using = schema_editor.connection.alias
    apps.get_model("auth", "Group").objects.using(using).filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cooperation", "0002_fixture_snapshot"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
