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
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from .counting import Recent

CACHE_SECONDS = 600

# Pages kept in a cache that several servers share (Redis) are also kept, the most recently
# read of them, in this process as they are: a page read from Redis and unpickled at each
# request was served at 0.73 of the rate of one in the process's own memory.
recent_pages = Recent(64)


def _kept_page(key):
    """(content, content type) of the page kept under `key`, or None."""
    page = recent_pages.get(key)
    if page is None:
        page = cache.get(key)
        if page is not None and _shared():
            recent_pages.keep(key, page)
    return page


def _keep_page(key, page):
    cache.set(key, page, CACHE_SECONDS)
    if _shared():
        recent_pages.keep(key, page)


def _shared():
    """Whether pages are kept apart from this process (not in its memory already, and kept)."""
    return not isinstance(caches["default"], (LocMemCache, DummyCache))


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


def _page_key(request):
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"page:{catalogue_version(request)[0]}:{address}"


def _rendered_once(view):
    """Serve a page from the cache of its address and catalogue version, or render and keep
    it; streamed responses, redirects and errors are never kept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _page_key(request)
        cached = _kept_page(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            _keep_page(key, (response.content, response["Content-Type"]))
        return response

    return wrapper


def validated(view):
    """A view answered against the catalogue's version (ETag, Last-Modified, 304) but rendered
    every time: the API's, whose answers are throttled per caller."""
    checked = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = checked(request, *args, **kwargs)
        if response.status_code in (200, 304):
            # Caches may keep the page but must ask again each time: a write is seen at once.
            patch_cache_control(response, no_cache=True, public=True)
        return response

    return wrapper


def versioned(view):
    """A page of the catalogue: validated by its version, rendered once per version."""
    wrapper = validated(_rendered_once(view))
    wrapper.versioned = True
    return wrapper


class NotKept(Exception):
    """The page must be rendered: it is not kept for this catalogue version."""


@validated
def _kept(request, *args, **kwargs):
    cached = _kept_page(_page_key(request))
    if cached is None:
        raise NotKept
    content, content_type = cached
    return HttpResponse(content, content_type=content_type)


def answer_kept(request):
    """A catalogue page's answer when it needs nothing but the version: 304 when the reader's
    copy is current, or the page as rendered for this version; None when it must be rendered.

    The middleware asks before it opens the page's read snapshot, so that most requests cost
    one query and no transaction. The version read here is forgotten when the page must be
    rendered: the snapshot reads it again, so that what is rendered and the version it is kept
    under come from the same commit.
    """
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if not getattr(match.func, "versioned", False):
        return None
    try:
        return _kept(request, *match.args, **match.kwargs)
    except NotKept:
        del request.catalogue_version
        return None
