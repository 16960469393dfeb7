"""Settings for the benchmark: the project's, plus two bare views to compare pages with.

BENCH_CACHE=pages turns the page cache off (what is made once per catalogue version, counts
and rows, is still kept: cooperation.counting); BENCH_CACHE=dummy turns every cache off.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# Plain HTTP on loopback (production's HTTPS redirect would answer every request with a 301).
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
if os.environ.get("BENCH_CACHE") == "pages":
    CACHES = {**CACHES, "default": DUMMY}  # noqa: F405
elif os.environ.get("BENCH_CACHE") == "dummy":
    CACHES = {"default": DUMMY, "versioned": DUMMY, "throttle": DUMMY}
# The benchmark's requests all come from one address: the API is measured, not throttled.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000000/min"}}  # noqa: F405
