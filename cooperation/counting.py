"""What is made once per catalogue version and kept in the cache: facet counts, totals,
timelines and the home page's network, which a page would otherwise count again on every
request, and each agreement's rendered row (`_agreement_row.html`), which many lists share.

A value is kept under the catalogue's version (cooperation.caching) and what it is of (a
filter state without its sort or page, a record): a write makes a new version, so a value is
never stale and never needs deleting. They live in a cache of their own ("versioned"), apart
from the rendered pages, so that a busy page cache does not evict what every page of a search
shares.
"""

import hashlib
import json

from django.core.cache import caches

ALIAS = "versioned"


def digest(parts):
    """A short stable name for what a value is of (a list of pairs, ids…)."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def once_per_version(version, name, parts, compute):
    """`compute()`'s value for this version and these parts, computed at most once per version
    (while the cache keeps it); `version` None computes it every time."""
    if version is None:
        return compute()
    key = f"counts:{version}:{name}:{digest(parts)}"
    store = caches[ALIAS]
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value)
    return value
