"""Anonymous callers of the API, throttled by address (API_THROTTLE requests per period); past
the limit a 429 with Retry-After. Counted in a cache of their own, apart from the pages."""

from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    cache = caches["throttle"]
