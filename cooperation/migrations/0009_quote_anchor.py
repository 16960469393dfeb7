"""Quotes get a stable anchor (#quote-<anchor>), made once from what each quote is now, so that
links to a passage survive an edit of its text. The fixture snapshot learns the anchors too, so
that a reload of files written before them finds nothing changed."""

import hashlib

from django.db import migrations, models


def anchor(model_name, record_key, source_slug, text):
    # As cooperation.models.sources.quote_anchor, frozen here as it was when this ran.
    digest = hashlib.sha1(f"{model_name}:{record_key}:{source_slug}:{text}".encode()).hexdigest()
    return digest[:12]


def natural_key_field(model_name):
    return "code" if model_name == "country" else "slug"


def name_quotes(apps, schema_editor):
    Quote = apps.get_model("cooperation", "Quote")
    keys = {}
    for quote in Quote.objects.select_related("content_type", "source"):
        model_name = quote.content_type.model
        if model_name not in keys:
            model = apps.get_model(quote.content_type.app_label, model_name)
            keys[model_name] = dict(
                model.objects.values_list("pk", natural_key_field(model_name))
            )
        record_key = keys[model_name].get(quote.object_id, quote.object_id)
        quote.anchor = anchor(model_name, record_key, quote.source.slug, quote.text)
        quote.save(update_fields=["anchor"])
    FixtureSnapshot = apps.get_model("cooperation", "FixtureSnapshot")
    for snapshot in FixtureSnapshot.objects.all():
        model_name = snapshot.model.rsplit(".", 1)[-1]
        for record_key, state in snapshot.states.items():
            for row in state.get("quotes", []):
                row.setdefault("anchor", anchor(model_name, record_key, row["source"], row["text"]))
        snapshot.save(update_fields=["states"])


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0008_changed_at")]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="anchor",
            field=models.SlugField(db_index=False, default="", editable=False, max_length=20),
            preserve_default=False,
        ),
        migrations.RunPython(name_quotes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="quote",
            name="anchor",
            field=models.SlugField(
                editable=False,
                help_text="Its stable name on the source's page (#quote-…), kept when the text changes.",
                max_length=20,
                unique=True,
            ),
        ),
    ]
