"""URLs of the public catalogue, namespaced as "cooperation"."""

from django.urls import path

from . import views
from .models import Agency, Agreement, Country, Event, Mission, Person, Theme

app_name = "cooperation"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "agreements/<slug:slug>/",
        views.RecordDetailView.as_view(model=Agreement),
        name="agreement_detail",
    ),
    path(
        "countries/<str:code>/",
        views.RecordDetailView.as_view(model=Country, slug_field="code", slug_url_kwarg="code"),
        name="country_detail",
    ),
    path(
        "agencies/<slug:slug>/", views.RecordDetailView.as_view(model=Agency), name="agency_detail"
    ),
    path("people/<slug:slug>/", views.RecordDetailView.as_view(model=Person), name="person_detail"),
    path(
        "missions/<slug:slug>/",
        views.RecordDetailView.as_view(model=Mission),
        name="mission_detail",
    ),
    path("events/<slug:slug>/", views.RecordDetailView.as_view(model=Event), name="event_detail"),
    path("themes/<slug:slug>/", views.RecordDetailView.as_view(model=Theme), name="theme_detail"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source_detail"),
]
