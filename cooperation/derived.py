"""Data derived from other records, kept true by the model layer: each agreement's search text,
the countries it concerns (its parties' countries and those the documents name) and the ids of
its linked records (`links`, what exports read).

Signals refresh an agreement's derived data whenever it, its parties (or their names and
countries), its signatories, its countries concerned, its themes or its quotes are written, or a
record it links to is deleted, whoever
writes them: the admin, a reload, `manage.py shell`. A command that writes many records at
once defers the refresh to its end (`refresh_deferred()`); bulk inserts, which send no
signal, call `refresh_agreements()` themselves.
"""

import threading
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from .search import refresh_search_text

_deferred = threading.local()


def refresh_agreements(agreements):
    """Recompute the derived data of these agreements (a queryset)."""
    refresh_search_text(agreements)
    agreements.refresh_countries()
    agreements.refresh_links()  # after the countries: it lists them


@contextmanager
def refresh_deferred():
    """Refresh derived data, and bump the catalogue's version, once at the end of the block
    instead of after each write: for commands that write many records (a reload). Nothing is
    refreshed if the block fails."""
    if getattr(_deferred, "active", False):
        yield
        return
    from .models import Agreement, CatalogueVersion

    _deferred.active, _deferred.dirty, _deferred.wrote = True, False, False
    try:
        yield
        dirty, wrote = _deferred.dirty, _deferred.wrote
    finally:
        _deferred.active = False
    if dirty:
        refresh_agreements(Agreement.objects.all())
    if wrote:
        CatalogueVersion.bump()


def note_write():
    """A write to the catalogue inside `refresh_deferred()`: its version is bumped at the end."""
    _deferred.wrote = True


def deferring():
    """Whether writes are inside `refresh_deferred()`."""
    return getattr(_deferred, "active", False)


def _refresh(find_ids):
    """Refresh the agreements whose ids `find_ids()` gives, now or at the end of a deferral."""
    if getattr(_deferred, "active", False):
        _deferred.dirty = True
        return
    from .models import Agreement

    ids = list(find_ids())
    if ids:
        refresh_agreements(Agreement.objects.filter(pk__in=ids))


def _agreement_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(lambda: [instance.pk])


def _linked_agreements(instance):
    """The agreements an agency is party to, a person signatory of, a theme or a country is
    of (a country's `agreements` are its derived ones: those it concerns among them)."""
    return instance.agreements.values_list("pk", flat=True)


def _name_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(lambda: _linked_agreements(instance))


def _name_deleting(sender, instance, **kwargs):
    # Deleting the record deletes its links without a signal of their own: note them first.
    instance._derived_agreements = list(_linked_agreements(instance))


def _name_deleted(sender, instance, **kwargs):
    _refresh(lambda: getattr(instance, "_derived_agreements", []))


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        instance._derived_agreements = list(_reverse_agreements(sender, instance))
    elif action in ("post_add", "post_remove"):
        _refresh(lambda: pk_set if reverse else [instance.pk])
    elif action == "post_clear":
        _refresh(lambda: getattr(instance, "_derived_agreements", []) if reverse else [instance.pk])


def _reverse_agreements(through, instance):
    """The agreements linked to `instance` (an agency, person or country) by this table."""
    target = next(f for f in through._meta.fields if f.related_model is type(instance))
    return through.objects.filter(**{target.name: instance}).values_list("agreement_id", flat=True)


def _quote_written(sender, instance, raw=False, **kwargs):
    from django.contrib.contenttypes.models import ContentType

    from .models import Agreement

    if not raw and instance.content_type_id == ContentType.objects.get_for_model(Agreement).pk:
        _refresh(lambda: [instance.object_id])


def _LINK_FIELDS():
    from .models import CATALOGUE

    return [(m, f.name) for m in CATALOGUE for f in m._meta.many_to_many]


def _stamp_linked(sender, instance, action, reverse, model, pk_set, **kwargs):
    """`changed_at` of the records whose links changed (the API's `changed_since`, a page's
    "Last changed on"): the record itself, or from the other side the records of `pk_set`."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        type(instance).objects.filter(pk=instance.pk).update(changed_at=timezone.now())
    elif pk_set:
        model.objects.filter(pk__in=pk_set).update(changed_at=timezone.now())


def connect_signals():
    from .models import Agency, Agreement, Country, Person, Quote, Theme

    uid = "derived"
    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid=f"{uid}-agreement")
    for model in (Agency, Person):
        name = model._meta.model_name
        post_save.connect(_name_saved, sender=model, dispatch_uid=f"{uid}-save-{name}")
    # Deleting a record deletes its links to agreements without a signal of their own.
    for model in (Agency, Person, Theme, Country):
        name = model._meta.model_name
        pre_delete.connect(_name_deleting, sender=model, dispatch_uid=f"{uid}-deleting-{name}")
        post_delete.connect(_name_deleted, sender=model, dispatch_uid=f"{uid}-delete-{name}")
    for field in ("parties", "signatories", "countries_concerned", "themes"):
        through = getattr(Agreement, field).through
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"{uid}-{field}")
    # A record's links written without a save of it (a shell, either side) still change it.
    for through in [m._meta.get_field(f).remote_field.through for m, f in _LINK_FIELDS()]:
        m2m_changed.connect(_stamp_linked, sender=through, dispatch_uid=f"{uid}-stamp-{through}")
    post_save.connect(_quote_written, sender=Quote, dispatch_uid=f"{uid}-quote-save")
    post_delete.connect(_quote_written, sender=Quote, dispatch_uid=f"{uid}-quote-delete")
