"""URLs of the public catalogue, namespaced as "cooperation"; every page is validated and cached
against the catalogue's version (cooperation.caching)."""

from django.urls import path, register_converter

from . import views
from .caching import versioned
from .views import reports
from .views.changes import CatalogueChangesView, ChangesFeed, RecordChangesView
from .views.data import DataView
from .views.records import source_passages_css

app_name = "cooperation"


class CountryCodeConverter:
    """Two letters in any case: /countries/vn/ redirects to /countries/VN/."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CountryCodeConverter, "country_code")


def page(view_class):
    return versioned(view_class.as_view())


def record_pages(section, name, index, record, key="<slug:slug>"):
    """A kind of record's index, its records' pages and their change logs: /agencies/,
    /agencies/<slug>/ and /agencies/<slug>/changes/."""
    changes = versioned(RecordChangesView.as_view(model=record.model))
    return [
        path(f"{section}/", page(index), name=f"{name}_list"),
        path(f"{section}/{key}/", page(record), name=f"{name}_detail"),
        path(f"{section}/{key}/changes/", changes, name=f"{name}_changes"),
    ]


urlpatterns = [
    path("", page(views.HomeView), name="home"),
    path("about/", page(views.AboutView), name="about"),
    path("data/", page(DataView), name="data"),
    *record_pages("agreements", "agreement", views.AgreementListView, views.AgreementDetailView),
    *record_pages(
        "countries",
        "country",
        views.CountryListView,
        views.CountryDetailView,
        key="<country_code:code>",
    ),
    *record_pages("agencies", "agency", views.AgencyListView, views.AgencyDetailView),
    *record_pages("people", "person", views.PersonListView, views.PersonDetailView),
    *record_pages("missions", "mission", views.MissionListView, views.MissionDetailView),
    *record_pages("events", "event", views.EventListView, views.EventDetailView),
    *record_pages("themes", "theme", views.ThemeListView, views.ThemeDetailView),
    *record_pages("sources", "source", views.SourceListView, views.SourceDetailView),
    path(
        "sources/<slug:slug>/passages.css",
        versioned(source_passages_css),
        name="source_passages_css",
    ),
    # What changed in the catalogue, newest first, and its feed.
    path("changes/", page(CatalogueChangesView), name="changes"),
    path("changes/feed/", versioned(ChangesFeed()), name="changes_feed"),
    # A reader's report of a mistake: a form, never cached, never shown to other readers.
    path("report/", reports.report, name="report"),
    path("report/thanks/", reports.thanks, name="report_thanks"),
]
