"""What changed in the catalogue, for readers: each record's change log (every field, old and
new value, its relations and its quotes; when, never who) and the catalogue's newest changes,
read from the history django-simple-history keeps (cooperation.models.base.kept_history)."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import CATALOGUE, Quote

KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
BEGINS = "the history begins"  # what migration 0021 wrote of the records already there


@dataclass
class Change:
    when: datetime
    kind: str  # "+", "~" or "-"
    label: str  # the record as it was then
    fields: list = field(default_factory=list)  # (field's name, old, new) as text
    model: type = None
    key: str = ""  # the record's natural key
    reason: str = ""  # which command, if not a curator (not shown to readers)

    @property
    def kind_label(self):
        if self.reason == BEGINS:
            return _("as first recorded")
        return KINDS[self.kind]

    @property
    def record_kind(self):
        return self.model._meta.verbose_name

    @property
    def log_url(self):
        """The record's change log (kept for a deleted record too)."""
        from django.urls import NoReverseMatch, reverse

        meta = self.model._meta
        try:
            return reverse(f"cooperation:{meta.model_name}_changes", args=[self.key])
        except NoReverseMatch:
            return ""

    @property
    def record_url(self):
        """The record's page, if it still exists (a deleted record's log stays)."""
        from django.urls import NoReverseMatch

        try:
            return self.model(**{self.model.natural_key_field: self.key}).get_absolute_url()
        except (NoReverseMatch, TypeError, ValueError):
            return ""


def text_of(model_field, value):
    if value is None or value == "":
        return "—"
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _delta(model, new, old):
    """(name, old, new) of each field that differs between two historical records."""
    if old is None:
        return []
    found = []
    for change in new.diff_against(old, foreign_keys_are_objs=True).changes:
        model_field = model._meta.get_field(change.field)
        name = str(model_field.verbose_name)
        if model_field.many_to_many:
            side = model_field.m2m_reverse_field_name()
            before = {str(row[side]) for row in change.old or []}
            after = {str(row[side]) for row in change.new or []}
            found.append(
                (
                    name,
                    ", ".join(sorted(before - after)) or "—",
                    ", ".join(sorted(after - before)) or "—",
                )
            )
        else:
            found.append((name, text_of(model_field, change.old), text_of(model_field, change.new)))
    return found


def record_changes(record):
    """Every change to the record and to its quotes, newest first."""
    model = type(record)
    history = list(
        model.history.filter(id=record.pk)
        ._select_related_history_tracked_objs()
        .order_by("history_date", "history_id")
    )
    key = record.natural_key()[0]
    changes = []
    for old, new in pairwise([None, *history]):
        changes.append(
            Change(
                new.history_date,
                new.history_type,
                str(new.instance),
                _delta(model, new, old),
                model,
                key,
                new.history_change_reason or "",
            )
        )
    quotes = list(
        Quote.history.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=record.pk
        )
        .select_related("source")
        .order_by("history_date", "history_id")
    )
    texts = {}  # each quote's text as it last was
    for quote in quotes:
        before, after = texts.get(quote.id, "—"), quote.text
        if quote.history_type == "-":
            after = "—"
        texts[quote.id] = quote.text
        if before != after:
            change = Change(
                quote.history_date,
                quote.history_type,
                str(record),
                [],
                model,
                key,
                quote.history_change_reason or "",
            )
            change.fields = [(str(_("quote")), before, after)]
            changes.append(change)
    return sorted(changes, key=lambda change: change.when, reverse=True)


def recent_changes(limit=50):
    """The catalogue's `limit` newest changes, any record (one query per kind of record)."""
    found = []
    for model in CATALOGUE:
        key_field = model.natural_key_field
        for row in model.history.order_by("-history_date", "-history_id")[:limit]:
            found.append(
                Change(
                    row.history_date,
                    row.history_type,
                    str(row.instance),
                    [],
                    model,
                    getattr(row, key_field),
                )
            )
    return sorted(found, key=lambda change: change.when, reverse=True)[:limit]
