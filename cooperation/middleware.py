"""Middleware: the security headers on every response, request bodies refused unread where no
page takes one, the health check, one consistent snapshot per page, and clear pages when the
database does not answer or refuses what a request carried."""

import logging
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.core.cache import caches
from django.db import (
    DatabaseError,
    DataError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.backends.postgresql.psycopg_any import IsolationLevel
from django.http import HttpResponse
from django.shortcuts import render

from . import replicas
from .caching import answer_kept

logger = logging.getLogger(__name__)


def database_unavailable(error):
    """Whether an error says the database has gone away (refused, terminated or closed
    connections): Django's errors, or the driver's own, which a few paths let through
    unwrapped (closing a server-side cursor, for one)."""
    driver = connection.Database
    return isinstance(
        error, (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    )


class HealthCheckMiddleware:
    """`GET /healthz` for load balancers: 200 when the primary database answers a query on one
    of its tables, 503 when it does not; the lines after the first say how the shared cache
    and each replica are (a cache or replica down is not a reason to take the server out: pages
    are still served). Before the host check and the HTTPS redirect, so that a balancer asking
    by IP address, over plain HTTP, is answered rather than refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        from .models import CatalogueVersion

        try:
            CatalogueVersion.objects.using(replicas.PRIMARY).values_list("pk").first()
        except DatabaseError as error:
            logger.error("Health check failed: %s", error)
            status, lines = 503, ["database unavailable"]
        else:
            status, lines = 200, ["ok", "database: ok"]
        lines.append(f"cache: {cache_state()}")
        lines.extend(f"{alias}: {state}" for alias, state in replicas.describe())
        response = HttpResponse(
            "".join(f"{line}\n" for line in lines), status=status, content_type="text/plain"
        )
        response["Cache-Control"] = "no-store"
        return response


def cache_state():
    """How the page cache is: the shared one's answer, or that it is this process's own."""
    store = caches["default"]
    if hasattr(store, "state"):
        return store.state()
    return f"ok ({type(store).__name__}, this process's own)"


class SecurityHeadersMiddleware:
    """First in the chain, so that every response carries the site's security headers: pages,
    static files (answered by WhiteNoise before the CSP middleware), `/healthz`, the redirect to
    HTTPS. Django's and django-csp's own headers stand where they set them; this fills in what
    they never see. Also: HEAD answers carry no body (the page's length stays in
    Content-Length), and the static files' manifest is not served."""

    def __init__(self, get_response):
        self.get_response = get_response
        directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        self.headers = {
            "Content-Security-Policy": "; ".join(
                f"{name} {' '.join(values)}" for name, values in directives.items()
            ),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": settings.X_FRAME_OPTIONS,
            "Referrer-Policy": settings.SECURE_REFERRER_POLICY,
            "Cross-Origin-Opener-Policy": settings.SECURE_CROSS_ORIGIN_OPENER_POLICY,
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
        }
        self.manifest = f"/{settings.STATIC_URL.strip('/')}/staticfiles.json"

    def __call__(self, request):
        if request.path == self.manifest:
            response = HttpResponse("Not found\n", status=404, content_type="text/plain")
        else:
            response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        if request.method == "HEAD" and not response.streaming and response.content:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response


# Where a request may carry a body, and how large: a reader's report (a few kilobytes of text)
# and the curators' admin (a press release to ingest). Anywhere else a body is refused unread.
REPORT_BODY_LIMIT = 64 * 1024


class RequestBodyMiddleware:
    """Refuse a body a page does not expect before anything reads it (the CSRF check would
    read a 200 MB upload into a temporary file to find its token): a method other than GET,
    HEAD or OPTIONS is a 405 on public pages, and a body over the limit a 413 where bodies are
    taken. The proxy caps bodies too (README, Deployment)."""

    SAFE = ("GET", "HEAD", "OPTIONS")

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = "/" + settings.ADMIN_URL.strip("/") + "/"

    def __call__(self, request):
        if request.method in self.SAFE:
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.path.startswith("/api/"):
            return self.get_response(request)  # read-only: its views answer 405, unread
        if request.path.startswith(self.admin):
            limit = settings.ADMIN_UPLOAD_LIMIT
        elif request.path.rstrip("/").endswith("/report"):
            limit = REPORT_BODY_LIMIT
        else:
            response = HttpResponse(
                "This address takes no request body.\n", status=405, content_type="text/plain"
            )
            response["Allow"] = ", ".join(self.SAFE)
            return response
        if length > limit:
            return HttpResponse(
                f"A request body here is at most {limit:,} bytes.\n",
                status=413,
                content_type="text/plain",
            )
        return self.get_response(request)


@contextmanager
def read_snapshot(using="default"):
    """Read the catalogue as one commit left it, whatever commits meanwhile.

    A transaction is a snapshot on SQLite (in WAL mode) and, with REPEATABLE READ, on
    PostgreSQL; PostgreSQL's default, READ COMMITTED, would let each query see a different
    commit. Inside a transaction already (a test's), there is nothing to add.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            yield
        return
    # The transaction's own BEGIN names the level (psycopg's `isolation_level`): no statement
    # of its own, one round trip fewer on every page. Writes keep the default. A connection
    # that fails its health check is replaced first: atomic() would replace it after the level
    # was set, and the new one would read at READ COMMITTED.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    driver = connection.connection
    driver.isolation_level = IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        if connection.connection is driver and not driver.closed:
            driver.isolation_level = connection.isolation_level


def unavailable(request, error):
    logger.error("Database unavailable on %r: %s", request.path, error)
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "10"
    return response


class SnapshotStream:
    """A streamed response's content, read in the snapshot of the request that made it, from
    the database it chose: the snapshot ends when the server closes the response, after the
    last row."""

    def __init__(self, content, snapshot, alias=None):
        self.content = content
        self.snapshot = snapshot
        self.alias = alias
        self.reading = None

    def __iter__(self):
        self.reading = self._read()
        return self.reading

    def _read(self):
        with replicas.reads_from(self.alias):
            yield from self.content

    def close(self):
        # A reader who stopped halfway: the rows' cursor is closed before the snapshot ends.
        if self.reading is not None:
            self.reading.close()
        try:
            self.snapshot.close()
        except Exception as error:
            if not database_unavailable(error):
                raise
            # The rows are sent (or the stream has failed already); only the end of a read did.
            logger.error("Database unavailable at the end of a stream: %s", error)


class DatabaseMiddleware:
    """Read each GET or HEAD in one snapshot, so that a page (or an export, to its last row)
    shows one catalogue even while a reload commits another, and answer 503 with the site's
    page when the database is down. A reader's request reads from a replica when there is a
    usable one (cooperation.replicas); if that replica fails before the answer is made, the
    request is read again from the primary. Writes (POST) keep Django's defaults. A catalogue
    page kept for the current version (or current in the reader's cache) is answered first,
    with no snapshot to open (cooperation.caching.answer_kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        alias = replicas.for_request(request)
        if alias is not None:
            response = self._read(request, alias)
            if not getattr(request, "replica_failed", False):
                return response
            replicas.mark_unavailable(alias)
            request.__dict__.pop("catalogue_version", None)
        return self._read(request, None)

    def _read(self, request, alias):
        request.reading_from = alias
        with replicas.reads_from(alias):
            try:
                kept = answer_kept(request)
                if kept is not None:
                    return kept
                with ExitStack() as snapshot:
                    snapshot.enter_context(read_snapshot(alias or replicas.PRIMARY))
                    response = self.get_response(request)
                    if response.streaming:
                        response.streaming_content = SnapshotStream(
                            response.streaming_content, snapshot.pop_all(), alias
                        )
                    return response
            except Exception as error:
                if not database_unavailable(error):
                    raise
                return self.unavailable(request, error)

    def unavailable(self, request, error):
        if getattr(request, "reading_from", None) is not None:
            request.replica_failed = True  # read again from the primary
            return HttpResponse(status=503)
        return unavailable(request, error)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return self.unavailable(request, exception)
        if isinstance(exception, DataError):
            # A value the database cannot hold (a NUL byte in a cookie reaching PostgreSQL).
            logger.warning("Refused by the database on %r: %s", request.path, exception)
            return render(request, "400.html", status=400)
        return None
