"""Root URLs: the public catalogue and the curators' admin (at ADMIN_URL). The health check,
/healthz, is answered by cooperation.middleware.HealthCheckMiddleware."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from cooperation.caching import validated, versioned
from cooperation.sitemaps import SITEMAPS
from cooperation.views import data, server_error
from cooperation.views.site import FaviconView, LanguageView, RobotsView, SecurityView

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path(".well-known/security.txt", SecurityView.as_view(), name="security"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path(
        "sitemap.xml",
        versioned(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        versioned(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("language/<str:language>/", LanguageView.as_view(), name="language"),
    # The whole catalogue in one file, per catalogue version (linked from /en/data/).
    path("data/<str:name>", validated(data.download), name="data_download"),
    # The JSON API and its documentation (/api/, /api/v1/…), in no language of their own.
    path("", include("cooperation.api.urls")),
]
# The catalogue in each language, /en/… and /fr/…; a bare path redirects to the reader's.
urlpatterns += i18n_patterns(path("", include("cooperation.urls")), prefix_default_language=True)

handler500 = server_error
