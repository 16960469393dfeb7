"""Pages validated and cached against the catalogue's version.

Every write to the catalogue (admin, reload, synthetic data) bumps `CatalogueVersion`. A page
answers with an ETag made from that version and a Last-Modified of its time, through Django's
`condition` decorator, so a browser or a proxy can revalidate it either way (304 Not
Modified). Its rendered HTML is kept in the cache under its absolute address (scheme and host
included: its links are absolute) and the version: after a write, the next request renders
afresh in every process.
"""

import hashlib
from functools import wraps

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

CACHE_SECONDS = 600


def bump_version(sender, **kwargs):
    from . import derived

    if derived.deferring():  # a command writing many records bumps the version once, at its end
        derived.note_write()
    else:
        apps.get_model("cooperation", "CatalogueVersion").bump()


def connect_signals():
    from .models import catalogue_models

    for model in catalogue_models(links=True):
        label = model._meta.label
        post_save.connect(bump_version, sender=model, dispatch_uid=f"version-save-{label}")
        post_delete.connect(bump_version, sender=model, dispatch_uid=f"version-delete-{label}")
        if model._meta.auto_created:
            m2m_changed.connect(bump_version, sender=model, dispatch_uid=f"version-m2m-{label}")


def catalogue_version(request):
    """(version string, time of the last change or None), read once per request."""
    if not hasattr(request, "catalogue_version"):
        number, changed_at = apps.get_model("cooperation", "CatalogueVersion").current()
        # The time of the change makes the version unique even if a database is reset.
        stamp = int(changed_at.timestamp() * 1e6) if changed_at else 0
        request.catalogue_version = (f"{number}.{stamp}", changed_at)
    return request.catalogue_version


def _etag(request, *args, **kwargs):
    return f'"v{catalogue_version(request)[0]}"'


def _last_modified(request, *args, **kwargs):
    return catalogue_version(request)[1]


def _rendered_once(view):
    """Serve a page from the cache of its address and catalogue version, or render and keep
    it; streamed responses, redirects and errors are never kept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = catalogue_version(request)[0]
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"page:{version}:{address}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
        return response

    return wrapper


def versioned(view):
    """A page of the catalogue: validated by its version, rendered once per version."""
    validated = condition(etag_func=_etag, last_modified_func=_last_modified)(_rendered_once(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = validated(request, *args, **kwargs)
        if response.status_code in (200, 304):
            # Caches may keep the page but must ask again each time: a write is seen at once.
            patch_cache_control(response, no_cache=True, public=True)
        return response

    return wrapper
