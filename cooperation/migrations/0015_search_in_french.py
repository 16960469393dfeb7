"""The search text of every agreement made again as cooperation.search.document does now: with
the French names of its kind and of its countries, so that "accord-cadre", "Japon" or "Corée"
find what their English equivalents find."""

from django.db import migrations

from cooperation.search import french_names, indexed_text


def remake(apps, schema_editor):
    Agreement = apps.get_model("cooperation", "Agreement")
    Quote = apps.get_model("cooperation", "Quote")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="cooperation", model="agreement").first()
    quotes = {}
    if content_type:
        rows = Quote.objects.filter(content_type=content_type).order_by("source", "text")
        for object_id, text in rows.values_list("object_id", "text"):
            quotes.setdefault(object_id, []).append(text)
    changed = []
    agreements = Agreement.objects.prefetch_related(
        "parties__country", "signatories", "countries_concerned"
    )
    for agreement in agreements.iterator(chunk_size=2000):
        parties = sorted(agreement.parties.all(), key=lambda party: party.name)
        countries = {party.country.code for party in parties if party.country_id}
        countries |= {country.code for country in agreement.countries_concerned.all()}
        parts = [agreement.title, agreement.summary, agreement.place]
        parts += [f"{party.acronym} {party.name}" for party in parties]
        parts += [person.name for person in sorted(agreement.signatories.all(), key=lambda p: p.name)]
        parts += french_names(agreement.kind, countries)
        text = indexed_text(" ".join([*parts, *quotes.get(agreement.pk, [])]))
        if text != agreement.search_text:
            agreement.search_text = text
            changed.append(agreement)
        if len(changed) >= 2000:
            Agreement.objects.bulk_update(changed, ["search_text"])
            changed = []
    Agreement.objects.bulk_update(changed, ["search_text"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0014_press_releases")]

    operations = [migrations.RunPython(remake, migrations.RunPython.noop)]
