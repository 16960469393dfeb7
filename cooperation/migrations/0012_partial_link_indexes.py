"""An agreement's extends and implements indexed where set only: most agreements extend or
implement nothing, and a full index told SQLite's planner that every agreement shares the one
value, NULL (see Agreement).

On SQLite, altering a field rebuilds the table with the indexes Django knows of: the list's
order indexes (0011, written per database) are made again after it."""

import django.db.models.deletion
from django.db import migrations, models

# As 0011 made them on SQLite.
SQLITE_ORDER_INDEXES = [
    ("cooperation_agreement_newest", "(year DESC, month DESC, day DESC, title, slug, id)"),
    ("cooperation_agreement_by_title", "(title, slug, id)"),
]


def restore_order_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name, columns in SQLITE_ORDER_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON cooperation_agreement {columns}"
            )


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0011_order_indexes")]

    operations = [
        migrations.AlterField(
            model_name="agreement",
            name="extends",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="extensions",
                to="cooperation.agreement",
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="implements",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="implementations",
                to="cooperation.agreement",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("extends__isnull", False)),
                fields=["extends"],
                name="agreement_extends",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("implements__isnull", False)),
                fields=["implements"],
                name="agreement_implements",
            ),
        ),
        migrations.RunPython(restore_order_indexes, migrations.RunPython.noop),
    ]
