"""Root URLs: the public catalogue and the curators' admin (at ADMIN_URL). The health check,
/healthz, is answered by cooperation.middleware.HealthCheckMiddleware."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cooperation.views import server_error

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("cooperation.urls")),
]

handler500 = server_error
