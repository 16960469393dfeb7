"""Each agreement's `links`: the ids of its linked records per relation and its number of
quotes (derived data, kept by cooperation.derived), filled here for the agreements there are."""

from django.db import migrations, models

RELATIONS = ("parties", "countries", "countries_concerned", "signatories", "themes")
CHUNK = 2000


def fill(apps, schema_editor):
    Agreement = apps.get_model("cooperation", "Agreement")
    Quote = apps.get_model("cooperation", "Quote")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="cooperation", model="agreement").first()
    ids = list(Agreement.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        batch = ids[start : start + CHUNK]
        links = {pk: {name: [] for name in RELATIONS} for pk in batch}
        for name in RELATIONS:
            field = Agreement._meta.get_field(name)
            column = field.m2m_reverse_name()
            rows = field.remote_field.through.objects.filter(agreement_id__in=batch)
            for agreement, linked in rows.order_by(column).values_list("agreement_id", column):
                links[agreement][name].append(linked)
        counted = {}
        if content_type is not None:
            quotes = Quote.objects.filter(content_type=content_type, object_id__in=batch)
            counted = dict(
                quotes.order_by()
                .values("object_id")
                .annotate(n=models.Count("*"))
                .values_list("object_id", "n")
            )
        for pk, value in links.items():
            value["quotes"] = counted.get(pk, 0)
        Agreement.objects.bulk_update(
            [Agreement(pk=pk, links=value) for pk, value in links.items()], ["links"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("cooperation", "0012_partial_link_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="links",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
