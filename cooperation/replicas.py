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
_states = {}  # alias -> (monotonic time of the check, lag in seconds or None when unusable)
_lock = threading.Lock()

# How far behind the primary a standby is: nothing while it has replayed all it received from
# a live stream; else the time since the last transaction it replayed (an over-estimate when
# the primary has been quiet, never an under-estimate).
LAG_QUERY = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                 AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
            THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
       END
"""


class ReplicaRouter:
    """Reads go where the request reads from (the primary unless a replica was chosen); every
    write, and every migration, to the primary."""

    def db_for_read(self, model, **hints):
        return _reading_from.get()

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
    """(lag in seconds, or None, what is wrong), asked of the replica now."""
    database = connections[alias]
    try:
        with database.cursor() as cursor:
            if database.vendor != "postgresql":  # a copy of the file, say: never behind
                cursor.execute("SELECT 0")
                return 0.0, "ok (not a standby)"
            cursor.execute(LAG_QUERY)
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        database.close()
        return None, f"unavailable ({type(error).__name__})"
    if not in_recovery:
        return 0.0, "ok (not a standby)"
    if lag is None:
        return None, "has replayed nothing yet"
    return float(lag), "ok"


def _lag(alias):
    now = time.monotonic()
    checked = _states.get(alias)
    if checked is not None:
        when, lag = checked
        if now - when < (CHECK_SECONDS if lag is not None else RETRY_SECONDS):
            return lag
    lag, what = measure(alias)
    with _lock:
        previous = _states.get(alias)
        _states[alias] = (now, lag)
    if lag is None and (previous is None or previous[1] is not None):
        logger.error("Replica %s skipped: %s", alias, what)
    return lag


def mark_unavailable(alias):
    """A replica failed under a request: leave it alone for a while."""
    with _lock:
        _states[alias] = (time.monotonic(), None)
    logger.error("Replica %s failed during a request: read from the primary", alias)


def usable(alias):
    lag = _lag(alias)
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
    """Each replica's state, asked now (for /healthz)."""
    lines = []
    for alias in settings.REPLICA_ALIASES:
        lag, what = measure(alias)
        if lag is not None and lag > settings.REPLICA_MAX_LAG:
            what = f"skipped, {lag:.1f} s behind (more than {settings.REPLICA_MAX_LAG} s)"
        elif lag is not None:
            what = f"{what}, {lag:.1f} s behind"
        lines.append((alias, what))
    return lines
