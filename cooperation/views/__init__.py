"""The public catalogue's pages, by kind: the agreement browser, the other records, home and
about. Exports are in `cooperation.exports`, the Atom feed in `cooperation.feeds`."""

from .agreements import AgreementDetailView, AgreementListView
from .pages import AboutView, HomeView, server_error
from .records import (
    AgencyDetailView,
    AgencyListView,
    CountryDetailView,
    CountryListView,
    EventDetailView,
    EventListView,
    MissionDetailView,
    MissionListView,
    PersonDetailView,
    PersonListView,
    SourceDetailView,
    SourceListView,
    ThemeDetailView,
    ThemeListView,
)

__all__ = [
    "AboutView",
    "AgencyDetailView",
    "AgencyListView",
    "AgreementDetailView",
    "AgreementListView",
    "CountryDetailView",
    "CountryListView",
    "EventDetailView",
    "EventListView",
    "HomeView",
    "MissionDetailView",
    "MissionListView",
    "PersonDetailView",
    "PersonListView",
    "SourceDetailView",
    "SourceListView",
    "ThemeDetailView",
    "ThemeListView",
    "server_error",
]
