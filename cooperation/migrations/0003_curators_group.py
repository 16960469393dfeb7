"""Once created the Curators group; the group is now made in one place, after every migrate
(`cooperation.apps.grant_curators`), so this migration does nothing and stays for the chain."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cooperation", "0002_fixture_snapshot"),
    ]

    operations = []
