"""Free-text search: the folded text of each agreement, and on PostgreSQL a generated tsvector
column (English, French and simple configurations) with a GIN index."""

from django.db import migrations, models

VECTOR = (
    "to_tsvector('english'::regconfig, search_text) || to_tsvector('french'::regconfig, search_text)"
    " || to_tsvector('simple'::regconfig, search_text)"
)


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE cooperation_agreement ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX cooperation_agreement_search_gin ON cooperation_agreement USING GIN (search_vector)"
    )


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE cooperation_agreement DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0003_curators_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="search_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="What the agreement is found by (cooperation.search).",
            ),
        ),
        migrations.RunPython(add_search_vector, drop_search_vector),
    ]
