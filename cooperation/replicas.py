"""Read replicas: which database a request reads from, and the router that sends its reads there.

A reader's GET or HEAD reads, for the whole request, from one replica that answers and is at
most REPLICA_MAX_LAG seconds behind the primary; the catalogue's version is read there too,
in the same snapshot as the page's rows, so a reload reaches readers only once their replica
has replayed it, and a page is never kept under a version its rows do not belong to. Writes,
the admin, and every request of a curator's session (a session cookie) read the primary: a
curator sees their own edit at once. Outside a request (commands, shells) everything is the
primary's.
"""

import logging
import random
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
# How long a replica's state is trusted before it is asked again, in each process, and how
# long one that failed is left alone.
CHECK_SECONDS = 1.0
RETRY_SECONDS = 2.0

_reading_from = ContextVar("reading_from", default=None)
# alias -> (monotonic time the check ended, lag in seconds or None when unusable, in words)
_states = {}
_measuring = set()  # the aliases a thread of this process is asking now
_lock = threading.Lock()

# How far behind the primary a standby is: nothing once it has replayed all the primary had
# written when asked just before (so at most the time between checks); else the time since the
# last transaction it replayed, an over-estimate after a quiet spell (a replica skipped until
# the next check finds it caught up), never an under-estimate. It needs no statistics
# privilege, and holds when the standby's stream has silently stopped.
LAG_QUERY = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
       END
"""


class ReplicaRouter:
    """Reads go where the request reads from (the primary unless a replica was chosen); every
    write, and every migration, to the primary."""

    def db_for_read(self, model, **hints):
        # Never None: Django would then read where a record came from, a replica even in a
        # curator's request for a record kept in the cache.
        return _reading_from.get() or PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reading_from():
    """The database this request reads from."""
    return _reading_from.get() or PRIMARY


class reads_from:
    """Within the block, reads go to `alias` (None: the primary)."""

    def __init__(self, alias):
        self.alias = alias

    def __enter__(self):
        self.token = _reading_from.set(self.alias)
        return self.alias

    def __exit__(self, *exc):
        _reading_from.reset(self.token)


def measure(alias):
    """(lag in seconds, or None, what is wrong), asked of the primary and the replica now."""
    database = connections[alias]
    try:
        if database.vendor != "postgresql":  # a copy of the file, say: never behind
            with database.cursor() as cursor:
                cursor.execute("SELECT 0")
            return 0.0, "ok (not a standby)"
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (written,) = cursor.fetchone()
    except DatabaseError as error:
        return None, f"unavailable ({type(error).__name__})"
    try:
        with database.cursor() as cursor:
            cursor.execute(LAG_QUERY, [written])
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        database.close()
        return None, f"unavailable ({type(error).__name__})"
    if not in_recovery:
        return 0.0, "ok (not a standby)"
    if lag is None:
        return None, "has replayed nothing yet"
    return float(lag), "ok"


def _state(alias):
    """(lag or None, in words): this process's last answer while it is fresh; else asked now,
    by one thread at a time (the others keep the last answer meanwhile)."""
    checked = _states.get(alias)
    if checked is not None:
        when, lag, what = checked
        fresh = CHECK_SECONDS if lag is not None else RETRY_SECONDS
        if time.monotonic() - when < fresh:
            return lag, what
    with _lock:
        if alias in _measuring and checked is not None:
            return checked[1], checked[2]
        _measuring.add(alias)
    try:
        lag, what = measure(alias)
    finally:
        with _lock:
            _measuring.discard(alias)
            previous = _states.get(alias)
            # Stamped when the answer came: a slow answer is not asked again at once.
            _states[alias] = (time.monotonic(), lag, what)
    if lag is None and (previous is None or previous[1] is not None):
        logger.error("Replica %s skipped: %s", alias, what)
    return lag, what


def mark_unavailable(alias):
    """A replica failed under a request: leave it alone for a while."""
    with _lock:
        _states[alias] = (time.monotonic(), None, "unavailable (failed under a request)")
    logger.error("Replica %s failed during a request: read from the primary", alias)


def usable(alias):
    lag, _ = _state(alias)
    return lag is not None and lag <= settings.REPLICA_MAX_LAG


def for_request(request):
    """The replica this request reads from, or None for the primary."""
    aliases = settings.REPLICA_ALIASES
    if not aliases or request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # a curator's session: their own edits, at once
    if request.path.startswith("/" + settings.ADMIN_URL):
        return None
    start = random.randrange(len(aliases))
    for alias in aliases[start:] + aliases[:start]:
        if usable(alias):
            return alias
    return None


def describe():
    """Each replica's state as this process last knew it (asked now if that is old), for
    /healthz."""
    lines = []
    for alias in settings.REPLICA_ALIASES:
        lag, what = _state(alias)
        if lag is not None and lag > settings.REPLICA_MAX_LAG:
            what = f"skipped, {lag:.1f} s behind (more than {settings.REPLICA_MAX_LAG} s)"
        elif lag is not None:
            what = f"{what}, {lag:.1f} s behind"
        lines.append((alias, what))
    return lines
