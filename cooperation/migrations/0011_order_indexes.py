"""Indexes in the agreement list's three orders, each holding the id (PostgreSQL: INCLUDE), so
that a page's ids are read from the index alone at any depth (cooperation.views.base,
IdsFirstPaginator). Written per database: PostgreSQL spells the unknown dates' place in the
index (NULLS LAST); SQLite puts NULL lowest, which is already last in a descending order and
first in an ascending one, so it gets the newest-first and title indexes only."""

from django.db import migrations

POSTGRESQL = [
    (
        "cooperation_agreement_newest",
        "(year DESC NULLS LAST, month DESC NULLS LAST, day DESC NULLS LAST, title, slug) "
        "INCLUDE (id)",
    ),
    (
        "cooperation_agreement_oldest",
        "(year ASC NULLS LAST, month ASC NULLS LAST, day ASC NULLS LAST, title, slug) "
        "INCLUDE (id)",
    ),
    ("cooperation_agreement_by_title", "(title, slug) INCLUDE (id)"),
]
SQLITE = [
    ("cooperation_agreement_newest", "(year DESC, month DESC, day DESC, title, slug, id)"),
    ("cooperation_agreement_by_title", "(title, slug, id)"),
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, columns in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(f"CREATE INDEX {name} ON cooperation_agreement {columns}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, _ in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0010_one_search_rule")]

    operations = [migrations.RunPython(create, drop)]
