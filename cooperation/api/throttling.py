"""Anonymous callers of the API, throttled by address (API_THROTTLE requests per period); past
the limit a 429 with Retry-After. Counted in a cache of their own, apart from the pages."""

from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

from ..logins import client_address


class AnonymousThrottle(AnonRateThrottle):
    cache = caches["throttle"]

    def get_ident(self, request):
        """The caller's address: behind the trusted proxies, the one they appended; else the
        connection's. Never the whole X-Forwarded-For, which a client can rewrite at each call."""
        return client_address(request)
