"""Where a request comes from, for django-axes' lock-outs and the site's own limits, and the
limits against password spraying that axes cannot express."""

import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied


def client_address(request):
    """The address a request came from. Behind BEHIND_HTTPS_PROXY, the one the outermost of the
    TRUSTED_PROXIES proxies appended to X-Forwarded-For (each proxy appends the address it was
    reached from; anything before those is the client's to write, and to forge); without
    enough entries, or without a proxy, the connection's own."""
    direct = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_HTTPS_PROXY:
        return direct
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    trusted = max(1, settings.TRUSTED_PROXIES)
    return addresses[-trusted] if len(addresses) >= trusted else direct


# Password spraying: django-axes locks one username at one address; these two limits are ours,
# counted in the `throttle` cache per hour. An address that fails LOGIN_FAILURES_PER_ADDRESS
# times, whatever the usernames, is refused until the hour ends; a username that fails
# LOGIN_FAILURES_PER_ACCOUNT times from anywhere is slowed to one attempt per address every
# LOGIN_ACCOUNT_DELAY seconds (slowed, not locked: else anyone could keep a curator out).
WINDOW = 3600


def _counter(kind, value):
    return f"logins:{kind}:{value}:{int(time.time() // WINDOW)}"


def _count(key):
    store = caches["throttle"]
    store.add(key, 0, timeout=WINDOW)
    try:
        return store.incr(key)
    except ValueError:  # evicted between add and incr
        store.set(key, 1, timeout=WINDOW)
        return 1


def failed_login(sender, credentials, request=None, **kwargs):
    """Count a failure against the address and the username (Django's user_login_failed)."""
    if request is None:
        return
    address = client_address(request)
    _count(_counter("address", address))
    username = str(credentials.get("username", "")).casefold()
    if username:
        _count(_counter("account", username))
        caches["throttle"].set(f"logins:last:{username}:{address}", time.time(), timeout=WINDOW)


class SprayingBackend:
    """First of the authentication backends: refuses (PermissionDenied: Django stops there,
    and no password is checked) a login from an address past its limit, or to an account past
    its own within its delay."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username:
            return None
        store, address = caches["throttle"], client_address(request)
        if store.get(_counter("address", address), 0) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            raise PermissionDenied("Too many failed logins from this address.")
        account = username.casefold()
        if store.get(_counter("account", account), 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT:
            # Each address may try once per delay: an attacker elsewhere cannot lock out the
            # curator, whose own address keeps its turn.
            last = store.get(f"logins:last:{account}:{address}", 0)
            if time.time() - last < settings.LOGIN_ACCOUNT_DELAY:
                raise PermissionDenied("This account's logins are slowed for a while.")
        return None  # no get_user(): it never logs anyone in, so no session names it
