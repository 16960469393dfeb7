"""Settings for Cooperation Atlas, one module driven by the environment.

DATABASE_URL  database to use (default: SQLite file db.sqlite3 in the project folder)
SECRET_KEY    required unless DEBUG is on
DEBUG         "true" to turn on debug mode (off by default)
ALLOWED_HOSTS comma-separated host names (default: localhost names only)
ADMIN_URL     where the curators' admin lives (default "admin/")
REDIS_URL     a cache that several app servers share (default: each process's own memory)
DATABASE_REPLICA_URLS  comma-separated read replicas of DATABASE_URL (default: none)
With DEBUG off the site is served over HTTPS only; the README's deployment section lists the
variables that tune it (SECURE_SSL_REDIRECT, BEHIND_HTTPS_PROXY, SECURE_HSTS_*, AXES_*).
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


DEBUG = env_flag("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # Django's admin, as the atlas's site (its name, "View site" in the curator's language).
    "cooperation.admin_site.AtlasAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "axes",
    "simple_history",
    "cooperation",
]

MIDDLEWARE = [
    # First: the security headers on every response, static files and /healthz included.
    "cooperation.middleware.SecurityHeadersMiddleware",
    # Before anything reads a body (the CSRF check would spool an upload to a temporary file).
    "cooperation.middleware.RequestBodyMiddleware",
    "cooperation.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: the API's answers to any origin.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made an admin change, for the record's history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cooperation.middleware.DatabaseMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cooperation.context_processors.navigation",
                "cooperation.context_processors.languages",
                "cooperation.context_processors.catalogue",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: readers keep reading the last committed catalogue while a reload
    # writes, instead of waiting for it. The file is read through memory mapping (up to
    # 256 MiB) rather than a read() per page: the CSV of 100,000 agreements read 12% faster.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA mmap_size=268435456",
        **DATABASES["default"].get("OPTIONS", {}),
    }
else:
    # A database host that stops answering must not hold requests until the worker is killed.
    # Exports read through a server-side cursor, which PostgreSQL plans by default for its
    # first tenth of rows (walking the newest-first index and checking every agreement):
    # an export reads all of them, so the cursor is planned for all. JIT compilation spent
    # 16 ms compiling a country's export query, which then ran 110 ms: off, as for most
    # web applications, whose queries are many and short.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": 3,
        "options": "-c cursor_tuple_fraction=1 -c jit=off",
        **DATABASES["default"].get("OPTIONS", {}),
    }

# Read replicas (DATABASE_REPLICA_URLS, comma-separated; PostgreSQL streaming replicas of the
# primary, DATABASE_URL): readers' pages are read from one of them, writes, the admin and
# curators' sessions from the primary (cooperation.replicas). A replica more than
# REPLICA_MAX_LAG seconds behind, or not answering, is skipped.
REPLICA_ALIASES = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    replica = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must name databases like DATABASE_URL's.")
    # The primary's options, the URL's own (sslmode…), and: a replica whose host vanishes
    # without a word (a crashed machine, a partition) is given up on in seconds, not after the
    # kernel's quarter of an hour of retransmissions.
    replica["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        **({"connect_timeout": 1, "keepalives_idle": 5, "keepalives_interval": 2,
            "keepalives_count": 2, "tcp_user_timeout": 3000}
           if replica["ENGINE"] != "django.db.backends.sqlite3" else {}),
        **replica.get("OPTIONS", {}),
    }  # fmt: skip
    # Tests read the replica as the primary itself (Django's test mirror).
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{number}"] = replica
    REPLICA_ALIASES.append(f"replica{number}")
if REPLICA_ALIASES:
    DATABASE_ROUTERS = ["cooperation.replicas.ReplicaRouter"]
REPLICA_MAX_LAG = env_int("REPLICA_MAX_LAG", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process's memory: rendered pages (cooperation.caching), and apart from them what is
# made once per catalogue version and shared by many pages (cooperation.counting: counts, and
# rendered agreement rows), so that many pages do not evict it. Keys carry the catalogue's
# version: nothing is ever stale, old versions simply age out.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
    "versioned": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "versioned",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # The API's request counts per caller (cooperation.api.throttling), apart from the pages,
    # whose churn would otherwise evict them.
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
        "OPTIONS": {"MAX_ENTRIES": 50000},
    },
}


# Several app servers share one cache (REDIS_URL, or CACHE_URL: redis://host:port/db), so that
# a page or a count made by one serves all; each cache above keeps its own prefix in that one
# Redis database. While Redis does not answer, pages are rendered from the database
# (cooperation.shared_cache) and /healthz says so.
def code_version():
    """A name for the code that renders pages: BUILD_ID if the deployment sets one, else a
    digest of the files that make a page (a few milliseconds at start-up)."""
    build = os.environ.get("BUILD_ID", "").strip()
    if build:
        return build
    digest = hashlib.sha256()
    for folder in ("config", "cooperation", "templates", "static", "locale"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix not in (".pyc", ".mo"):
                digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


SHARED_CACHE_URL = (os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "").strip()
if SHARED_CACHE_URL:
    if not SHARED_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must be a redis://, rediss:// or unix:// address, not {SHARED_CACHE_URL!r}."
        )
    CACHES = {
        alias: {
            "BACKEND": "cooperation.shared_cache.SharedRedisCache",
            "LOCATION": SHARED_CACHE_URL,
            # The code's version too: Redis outlives a deployment, whose servers must not serve
            # pages that the code before rendered (their links to static files that are gone).
            "KEY_PREFIX": f"{alias}:{code_version()}",
            **({"TIMEOUT": cache["TIMEOUT"]} if "TIMEOUT" in cache else {}),
            # Redis answers in a millisecond: one that takes longer is treated as down.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
        for alias, cache in CACHES.items()
    }

# The read-only JSON API (cooperation.api): JSON only (no browsable pages: their forms and
# inline scripts are not the site's), no sessions or logins, anonymous callers throttled
# (API_THROTTLE, e.g. "600/min"), errors as RFC 9457 problems, the schema by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["cooperation.api.throttling.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_THROTTLE", "600/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cooperation.api.problems.problem_details",
    "URL_FORMAT_OVERRIDE": None,
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cooperation Atlas API",
    "DESCRIPTION": "International space-cooperation agreements, curated from CNES press "
    "releases, every fact with the sentence that supports it. Read-only; see /api/.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {},
    "SERVE_PUBLIC": True,
    "PREPROCESSING_HOOKS": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cooperation.api.schema.document_problems",
        "cooperation.api.schema.catalogue_values",
        "cooperation.api.schema.record_links",
        "cooperation.api.schema.harvest_parameter",
    ],
}
# Cross-origin reads of the API, and of nothing else.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Link"]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before any password is checked: a sprayer's
    # address, or an account under attack (cooperation.logins), then axes' lock.
    "cooperation.logins.SprayingBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The site in English and in French, the language in the path (/en/…, /fr/…): a bare path is
# redirected by the reader's cookie (set when they choose a language), then Accept-Language.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The curated data: one JSON file per model, read by `manage.py reload_fixtures`.
FIXTURES_DIR = Path(os.environ.get("FIXTURES_DIR", BASE_DIR / "fixtures"))
# Where the whole-catalogue download (/data/) is built, once per catalogue version.
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var" / "data"))

ADMIN_URL = os.environ.get("ADMIN_URL", "").strip().strip("/") + "/"
if ADMIN_URL == "/":
    ADMIN_URL = "admin/"

# HTTPS and security headers. With DEBUG off every request is redirected to HTTPS, cookies are
# sent over HTTPS only and browsers are told to use nothing else for a year.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=not DEBUG)
BEHIND_HTTPS_PROXY = env_flag("BEHIND_HTTPS_PROXY")
# How many proxies of ours stand before the app (each appends to X-Forwarded-For): the client's
# address is the one the outermost appended (cooperation.logins.client_address).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 1)
if BEHIND_HTTPS_PROXY:
    # Only behind a proxy that sets this header itself (and drops the client's own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django has no setting for it; cooperation.middleware sends it. The site uses none of these.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb", "browsing-topics",
    )
)  # fmt: skip
# Pages need no inline script or style, and nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The largest request body the admin takes (a press release's PDF for the ingest assistant).
ADMIN_UPLOAD_LIMIT = env_int("ADMIN_UPLOAD_LIMIT", 20 * 1024 * 1024)

# Readers' reports of mistakes (cooperation.views.reports): how many one address may send in an
# hour; past that a 429, and nothing is stored.
READER_REPORTS_PER_HOUR = env_int("READER_REPORTS_PER_HOUR", 10)

# Curator logins: after AXES_FAILURE_LIMIT failed attempts for one username from one address,
# that pair is locked out for AXES_COOLOFF_HOURS; `manage.py axes_reset_username NAME` unlocks.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_RESET_ON_SUCCESS = True
# Failures during a lock-out do not prolong it: else anyone could keep a curator out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Against password spraying (cooperation.logins): failures per address per hour, whatever the
# usernames, before the address is refused; failures per account per hour, from anywhere,
# before its logins are slowed to one per LOGIN_ACCOUNT_DELAY seconds.
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 30)
LOGIN_ACCOUNT_DELAY = env_int("LOGIN_ACCOUNT_DELAY", 60)
# The address as the site reads it everywhere: never an X-Forwarded-For the client wrote.
AXES_CLIENT_IP_CALLABLE = "cooperation.logins.client_address"

# Errors go to standard error with the request's path ("Internal Server Error: /agreements/").
# Refused requests ("django.security.DisallowedHost", "…TooManyFieldsSent") keep one line each.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"without_traceback": {"()": "cooperation.logs.WithoutTraceback"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "stderr_brief": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["without_traceback"],
        },
    },
    "loggers": {"django.security": {"handlers": ["stderr_brief"], "propagate": False}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
