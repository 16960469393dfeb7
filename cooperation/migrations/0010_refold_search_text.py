"""Search text folded the Unicode-aware way (Đ is d, œ is oe, letters of other scripts kept):
every agreement's text made again, as cooperation.search.document does."""

from django.db import migrations

from cooperation.search import fold


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
        text = fold(" ".join(parts))
        if text != agreement.search_text:
            agreement.search_text = text
            changed.append(agreement)
    Agreement.objects.bulk_update(changed, ["search_text"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0009_quote_anchor")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
