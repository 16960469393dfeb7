"""Anonymous callers of the API, throttled by address (API_THROTTLE requests per period); past
the limit a 429 with Retry-After. Counted in a cache of their own, apart from the pages."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

from ..logins import client_address


class AnonymousThrottle(AnonRateThrottle):
    cache = caches["throttle"]

    def get_ident(self, request):
        """The caller's address: behind the trusted proxy, the one it appended; else the
        connection's. Never the whole X-Forwarded-For, which a client can rewrite at each call."""
        if settings.BEHIND_HTTPS_PROXY:
            return client_address(request)
        return request.META.get("REMOTE_ADDR", "")
