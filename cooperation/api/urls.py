"""The API's routes under /api/v1/ (namespace "api"), its OpenAPI schema and its
documentation page, /api/. Every answer is validated against the catalogue's version."""

from django.urls import URLPattern, include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from ..caching import validated
from . import views
from .docs import ApiDocumentationView

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("countries", views.CountryViewSet, basename="country")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("people", views.PersonViewSet, basename="person")
router.register("missions", views.MissionViewSet, basename="mission")
router.register("events", views.EventViewSet, basename="event")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("sources", views.SourceViewSet, basename="source")


def _validated(patterns):
    return [URLPattern(p.pattern, validated(p.callback), p.default_args, p.name) for p in patterns]


urlpatterns = [
    path("api/", validated(ApiDocumentationView.as_view()), name="documentation"),
    path("api/v1/schema/", validated(SpectacularJSONAPIView.as_view()), name="schema"),
    path("api/v1/", include(_validated(router.urls))),
]
