"""Root URLs: the public catalogue, the curators' admin (at ADMIN_URL) and the health check."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cooperation.views import healthz, server_error

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("cooperation.urls")),
]

handler500 = server_error
