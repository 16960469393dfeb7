"""Every record already in the database gets a first history entry ("the history begins"),
with its curated relations, so that its first change reads as old → new, not as new only."""

from django.db import migrations
from django.utils import timezone

KEPT = {
    "Source": [],
    "Theme": [],
    "Country": [],
    "Agency": [],
    "Person": [],
    "Role": [],
    "Quote": [],
    "Mission": ["partners", "countries", "themes"],
    "Event": ["participants", "agencies", "missions"],
    "Agreement": ["parties", "signatories", "themes", "missions", "countries_concerned"],
}
OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
BATCH = 2000


def begin(apps, schema_editor):
    now = timezone.now()
    for name, relations in KEPT.items():
        model = apps.get_model("cooperation", name)
        history = apps.get_model("cooperation", f"Historical{name}")
        if history.objects.exists():
            continue
        fields = [f.attname for f in history._meta.concrete_fields if f.name not in OWN]
        records = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(records), BATCH):
            batch = model.objects.filter(pk__in=records[start : start + BATCH])
            rows = history.objects.bulk_create(
                [
                    history(
                        history_date=now,
                        history_type="+",
                        history_change_reason="the history begins",
                        **{attname: getattr(obj, attname) for attname in fields},
                    )
                    for obj in batch
                ]
            )
            entry = {row.id: row.history_id for row in rows}
            for relation in relations:
                field = model._meta.get_field(relation)
                through = field.remote_field.through
                own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
                m2m_history = apps.get_model("cooperation", f"Historical{name}_{relation}")
                links = through.objects.filter(**{f"{own}_id__in": list(entry)})
                m2m_history.objects.bulk_create(
                    [
                        m2m_history(
                            id=link_id,
                            history_id=entry[record],
                            **{f"{own}_id": record, f"{other}_id": target},
                        )
                        for link_id, record, target in links.values_list(
                            "pk", f"{own}_id", f"{other}_id"
                        )
                    ]
                )


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0020_history")]

    operations = [migrations.RunPython(begin, migrations.RunPython.noop)]
