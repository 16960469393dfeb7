"""Pages cached and validated against the catalogue's version.

Every write to the catalogue (admin, reload, synthetic data) bumps `CatalogueVersion`. A page
answers with an ETag and Last-Modified made from that version, so a browser or a proxy can
revalidate it (304 Not Modified), and its rendered HTML is kept in the cache under a key that
holds the version: after a write, the next request renders afresh in every process.
"""

import hashlib
from functools import wraps

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags

CACHE_SECONDS = 600


def catalogue_models():
    """Every model whose rows a page shows (the snapshot and the version itself excepted)."""
    config = apps.get_app_config("cooperation")
    skip = {"fixturesnapshot", "catalogueversion"}
    return [
        m for m in config.get_models(include_auto_created=True) if m._meta.model_name not in skip
    ]


def bump_version(sender, **kwargs):
    apps.get_model("cooperation", "CatalogueVersion").bump()


def connect_signals():
    for model in catalogue_models():
        post_save.connect(
            bump_version, sender=model, dispatch_uid=f"version-save-{model._meta.label}"
        )
        post_delete.connect(
            bump_version, sender=model, dispatch_uid=f"version-delete-{model._meta.label}"
        )
        if model._meta.auto_created:
            m2m_changed.connect(
                bump_version, sender=model, dispatch_uid=f"version-m2m-{model._meta.label}"
            )


def versioned(view):
    """Serve a page from the cache of its catalogue version, and answer revalidations with 304."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        number, changed_at = apps.get_model("cooperation", "CatalogueVersion").current()
        # The time of the change makes the version unique even if a database is reset.
        version = f"{number}.{int(changed_at.timestamp() * 1e6) if changed_at else 0}"
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]
        etag = f'"v{version}-{digest}"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return finish(HttpResponseNotModified(), etag, changed_at)
        key = f"page:{version}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return finish(HttpResponse(content, content_type=content_type), etag, changed_at)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming or response.has_header("Location"):
            return response
        if hasattr(response, "render"):
            response.render()
        cache.set(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
        return finish(response, etag, changed_at)

    return wrapper


def finish(response, etag, changed_at):
    response["ETag"] = etag
    if changed_at:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    # Caches may keep the page but must ask again each time: a write is seen at once.
    patch_cache_control(response, no_cache=True, public=True)
    return response
