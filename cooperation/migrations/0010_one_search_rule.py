"""One search rule for both databases: the search text folded the Unicode-aware way (Đ is d,
œ is oe, letters of other scripts kept) and followed by its words' English and French stems,
made again for every agreement as cooperation.search.document does; on PostgreSQL the indexed
tsvector reads that text with the simple configuration only (no stemming of its own)."""

from django.db import migrations

from cooperation.search import indexed_text

OLD_VECTOR = (
    "to_tsvector('english'::regconfig, search_text) || to_tsvector('french'::regconfig, search_text)"
    " || to_tsvector('simple'::regconfig, search_text)"
)
NEW_VECTOR = "to_tsvector('simple'::regconfig, search_text)"


def vector(expression):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("ALTER TABLE cooperation_agreement DROP COLUMN search_vector")
        schema_editor.execute(
            "ALTER TABLE cooperation_agreement ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX cooperation_agreement_search_gin ON cooperation_agreement "
            "USING GIN (search_vector)"
        )

    return operation


def refold(apps, schema_editor):
    Agreement = apps.get_model("cooperation", "Agreement")
    Quote = apps.get_model("cooperation", "Quote")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="cooperation", model="agreement").first()
    quotes = {}
    if content_type:
        for object_id, text in Quote.objects.filter(content_type=content_type).order_by("source", "text").values_list(
            "object_id", "text"
        ):
            quotes.setdefault(object_id, []).append(text)
    changed = []
    for agreement in Agreement.objects.prefetch_related("parties", "signatories"):
        parts = [agreement.title, agreement.summary, agreement.place]
        parts += [f"{party.acronym} {party.name}" for party in agreement.parties.all()]
        parts += [person.name for person in agreement.signatories.all()]
        parts += quotes.get(agreement.pk, [])
        text = indexed_text(" ".join(parts))
        if text != agreement.search_text:
            agreement.search_text = text
            changed.append(agreement)
    Agreement.objects.bulk_update(changed, ["search_text"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0009_quote_anchor")]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
        migrations.RunPython(vector(NEW_VECTOR), vector(OLD_VECTOR)),
    ]
