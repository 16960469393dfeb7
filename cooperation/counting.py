"""What is made once per catalogue version and kept in the cache: facet counts, totals,
timelines and the home page's network, which a page would otherwise count again on every
request, and each agreement's rendered row (`agreement_rows()`, `_agreement_row.html`), which
many lists share.

A value is kept under the catalogue's version (cooperation.caching) and what it is of (a
filter state without its sort or page, a record): a write makes a new version, so a value is
never stale and never needs deleting. They live in a cache of their own ("versioned"), apart
from the rendered pages, so that a busy page cache does not evict what every page of a search
shares.
"""

import hashlib
import json
import threading
from collections import OrderedDict

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.utils import make_template_fragment_key
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

ALIAS = "versioned"


class Recent:
    """The values a process read most recently, kept in its memory as they are (not pickled),
    up to `size`, under keys that carry the catalogue's version (so never stale). What a caller
    gets is shared with other requests: it must not change it."""

    def __init__(self, size):
        self.size = size
        self.values = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def keep(self, key, value):
        with self.lock:
            self.values[key] = value
            if len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self):
        with self.lock:
            self.values.clear()


# The catalogue's options and a search's counts are read by every request of a list, and
# unpickling them again each time cost as much as the rest of the page's work.
_recent = Recent(32)


def digest(parts):
    """A short stable name for what a value is of (a list of pairs, ids…)."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def once_per_version(version, name, parts, compute):
    """`compute()`'s value for this version and these parts, computed at most once per version
    (while the cache keeps it); `version` None computes it every time."""
    if version is None:
        return compute()
    key = f"counts:{version}:{name}:{digest(parts)}"
    value = _recent.get(key)
    if value is not None:
        return value
    store = caches[ALIAS]
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value)
    if not isinstance(store, DummyCache):  # a cache configured to keep nothing: nor does this
        _recent.keep(key, value)
    return value


def empty_caches():
    """Forget every cached page, count and row, this process's copies too: what a test or a
    cold benchmark starts from."""
    from .caching import recent_pages

    for alias in caches:
        caches[alias].clear()
    _recent.clear()
    recent_pages.clear()


ROW_TEMPLATE = "cooperation/_agreement_row_content.html"
ROW_SECONDS = 3600


def agreement_rows(version, ids, fetch):
    """The rendered rows of these agreements, in their order: those this version already
    rendered from the cache, the others fetched (`fetch(missing ids)`, prepared for a list),
    rendered and kept. The keys are those of `_agreement_row.html`'s fragment, which record
    pages use: a row rendered for one page serves every other."""
    language = get_language()
    keys = {pk: make_template_fragment_key("agreement-row", [version, language, pk]) for pk in ids}
    store = caches[ALIAS]
    kept = store.get_many(list(keys.values()))
    rows = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        fresh = {a.pk: render_to_string(ROW_TEMPLATE, {"agreement": a}) for a in fetch(missing)}
        store.set_many({keys[pk]: row for pk, row in fresh.items()}, ROW_SECONDS)
        rows.update(fresh)
    return [mark_safe(rows[pk]) for pk in ids if pk in rows]


def records_once(version, name, ids, make):
    """Each record's value (an API row: a dict) in the order of `ids`, made once per catalogue
    version: those this version already made from the cache, the others by `make(missing
    ids)` ({id: value}) and kept. `name` says what the values are and for whom (the API's rows
    carry absolute addresses: their host is part of it)."""
    store = caches[ALIAS]
    keys = {pk: f"records:{version}:{name}:{pk}" for pk in ids}
    kept = store.get_many(list(keys.values())) if version is not None else {}
    values = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in ids if pk not in values]
    if missing:
        fresh = make(missing)
        if version is not None:
            store.set_many({keys[pk]: value for pk, value in fresh.items()}, ROW_SECONDS)
        values.update(fresh)
    return [values[pk] for pk in ids if pk in values]
