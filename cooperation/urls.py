"""URLs of the public catalogue, namespaced as "cooperation"; every page is cached and validated
against the catalogue's version (cooperation.caching)."""

from django.urls import path, re_path

from . import views
from .caching import versioned

app_name = "cooperation"


def page(view_class):
    return versioned(view_class.as_view())


urlpatterns = [
    path("", page(views.HomeView), name="home"),
    path("about/", page(views.AboutView), name="about"),
    path("agreements/", page(views.AgreementListView), name="agreement_list"),
    path("agreements/<slug:slug>/", page(views.AgreementDetailView), name="agreement_detail"),
    path("countries/", page(views.CountryListView), name="country_list"),
    re_path(
        r"^countries/(?P<code>[A-Za-z]{2})/$",
        page(views.CountryDetailView),
        name="country_detail",
    ),
    path("agencies/", page(views.AgencyListView), name="agency_list"),
    path("agencies/<slug:slug>/", page(views.AgencyDetailView), name="agency_detail"),
    path("people/", page(views.PersonListView), name="person_list"),
    path("people/<slug:slug>/", page(views.PersonDetailView), name="person_detail"),
    path("missions/", page(views.MissionListView), name="mission_list"),
    path("missions/<slug:slug>/", page(views.MissionDetailView), name="mission_detail"),
    path("events/", page(views.EventListView), name="event_list"),
    path("events/<slug:slug>/", page(views.EventDetailView), name="event_detail"),
    path("themes/", page(views.ThemeListView), name="theme_list"),
    path("themes/<slug:slug>/", page(views.ThemeDetailView), name="theme_detail"),
    path("sources/", page(views.SourceListView), name="source_list"),
    path("sources/<slug:slug>/", page(views.SourceDetailView), name="source_detail"),
]
