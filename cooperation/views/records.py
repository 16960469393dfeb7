"""The indexes and pages of every other record: countries, agencies, people, missions, events,
themes and sources, each linked to its agreements and to everything related."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import charts
from ..caching import catalogue_version
from ..counting import once_per_version
from ..models import Agency, Agreement, Country, Event, Mission, Person, Source, Theme
from ..models.base import count_of
from ..quotes import Passage, locate, mark_passages, passages_css
from .base import (
    CountedListView,
    RecordDetailView,
    RecordListView,
    RelatedAgreementsMixin,
    countries_counted,
)

# What a quoted passage supports, by kind of record, in the reader's language.
RECORD_KINDS = {
    "agreement": _("agreement"),
    "agency": _("agency"),
    "person": _("person"),
    "mission": _("mission"),
    "event": _("event"),
    "country": _("country"),
    "theme": _("theme"),
    "source": _("source"),
}


def agreements_timeline(title, view):
    """A timeline of a record's agreements by year."""
    return charts.timeline(title, [(_("Agreements"), view.related_counts()["years"])])


class CountryListView(CountedListView):
    model = Country


class CountryDetailView(RelatedAgreementsMixin, RecordDetailView):
    model = Country
    browse_parameter = "country"

    def get(self, request, *args, **kwargs):
        code = self.kwargs["code"]
        if code != code.upper():
            return redirect("cooperation:country_detail", code=code.upper(), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), code=self.kwargs["code"])

    def related_agreements(self):
        return Agreement.objects.linked_to("countries", [self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        context.update(
            agencies=country.agencies.annotate(
                agreement_count=count_of(Agency.agreements.through.objects, "agency_id")
            ).order_by("name"),
            timeline=agreements_timeline(
                gettext("Agreements of %(name)s by year") % {"name": country.local_name}, self
            ),
            timeline_within=[("country", country.code)],
            world_map=self.partners_map(),
            missions=country.missions.all()[:50],
            events=country.events.newest_first()[:25],
        )
        return context

    def partners_map(self):
        """The country's agreements by the other countries they involve: each links to the
        agreements between the two."""
        country = self.object

        def count():
            links = Agreement.countries.through.objects.filter(
                agreement_id__in=self.related_agreements().values("pk")
            )
            return countries_counted(links)

        version = catalogue_version(self.request)[0]
        counts, names = once_per_version(version, "partners", [country.code], count)
        return charts.WorldMap(
            gettext("Agreements of %(name)s by country") % {"name": country.local_name},
            counts,
            names,
            within=[("country", country.code), ("match", "all")],
            chosen=frozenset([country.code]),
        )


class AgencyListView(RecordListView):
    model = Agency


class AgencyDetailView(RelatedAgreementsMixin, RecordDetailView):
    model = Agency
    browse_parameter = "agency"

    def related_agreements(self):
        return Agreement.objects.linked_to("parties", [self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = self.object
        context.update(
            timeline=agreements_timeline(
                gettext("Agreements of %(name)s by year") % {"name": agency.acronym or agency.name},
                self,
            ),
            timeline_within=[("agency", agency.slug)],
            missions=agency.missions.all()[:50],
            events=agency.events.newest_first()[:25],
            roles=agency.roles.select_related("person", "source").order_by("person__name", "title"),
        )
        return context


class PersonListView(RecordListView):
    model = Person


class PersonDetailView(RelatedAgreementsMixin, RecordDetailView):
    model = Person

    def related_agreements(self):
        return Agreement.objects.filter(signatories=self.object)


class MissionListView(RecordListView):
    model = Mission


class MissionDetailView(RelatedAgreementsMixin, RecordDetailView):
    model = Mission

    def related_agreements(self):
        return Agreement.objects.filter(missions=self.object)


class EventListView(RecordListView):
    model = Event


class EventDetailView(RelatedAgreementsMixin, RecordDetailView):
    model = Event

    def related_agreements(self):
        return Agreement.objects.filter(event=self.object)


class ThemeListView(CountedListView):
    model = Theme


class ThemeDetailView(RelatedAgreementsMixin, RecordDetailView):
    model = Theme
    browse_parameter = "theme"

    def related_agreements(self):
        return Agreement.objects.linked_to("themes", [self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missions"] = self.object.missions.all()[:50]
        return context


class SourceListView(CountedListView):
    model = Source


class SourceDetailView(RecordDetailView):
    """A document in full, every quoted passage marked and listed with the record it supports."""

    model = Source

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        quotes = source.quotes.select_related("content_type").prefetch_related("record")
        passages, listed = [], []
        for quote in quotes.order_by("pk"):
            found = locate(quote.text, source.text)
            if found:
                passages.append(Passage(found[0], found[1], quote.html_id))
            listed.append((found[0] if found else len(source.text), quote))
        listed.sort(key=lambda item: (item[0], item[1].pk))
        context["marked_text"] = mark_passages(source.text, passages)
        context["quotes"] = [
            {
                "quote": quote,
                "record": quote.record,
                "kind": RECORD_KINDS.get(quote.content_type.model, quote.content_type.name),
            }
            for _, quote in listed
            if quote.record is not None
        ]
        return context


def source_passages_css(request, slug):
    """The stylesheet that lights the passage a link points at on a source's page (its rules
    name that source's passages: the site's policy allows no style in the page itself)."""
    source = get_object_or_404(Source, slug=slug)
    anchors = [f"quote-{anchor}" for anchor in source.quotes.values_list("anchor", flat=True)]
    return HttpResponse(passages_css(sorted(anchors)), content_type="text/css; charset=utf-8")
