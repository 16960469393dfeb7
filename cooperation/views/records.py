"""The indexes and pages of every other record: countries, agencies, people, missions, events,
themes and sources, each linked to its agreements and to everything related."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .. import charts
from ..caching import catalogue_version
from ..counting import once_per_version
from ..models import Agency, Agreement, Country, Event, Mission, Person, Source, Theme
from ..models.base import count_of
from ..quotes import Passage, locate, mark_passages, passages_css
from ..templatetags.atlas import in_english
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


def agreements_timeline(title, view, events=None):
    """A timeline of a record's agreements by year, and of its events where it has some."""
    series = [(_("Agreements"), view.related_counts()["years"])]
    if events is not None:
        record = view.object
        years = once_per_version(
            catalogue_version(view.request)[0],
            "related-events",
            [record._meta.label, record.pk],
            events.counts_by_year,
        )
        if years:
            series.append((_("Events"), years))
    return charts.timeline(title, series)


class CountryListView(CountedListView):
    model = Country
    local_order = "local_name"


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
                gettext("Agreements and events of %(name)s by year") % {"name": country.local_name},
                self,
                events=country.events.all(),
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
                gettext("Agreements and events of %(name)s by year")
                % {"name": agency.acronym or agency.name},
                self,
                events=agency.events.all(),
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
    local_order = "local_name"


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
    """A document in full, every quoted passage marked and listed with the record it supports.
    `?for=agreement.<slug>` (any record: `agency.cnes`…; what a record's "see it in the
    document" gives) marks only that record's passages, each with a note of what it supports;
    `&passages=all` marks every one."""

    model = Source

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        quotes = source.quotes.select_related("content_type").prefetch_related("record")
        located, listed = [], []
        for quote in quotes.order_by("pk"):
            found = locate(quote.text, source.text)
            if found:
                located.append((Passage(found[0], found[1], quote.html_id), quote))
            if quote.record is not None:
                listed.append((found[0] if found else len(source.text), quote))
        listed.sort(key=lambda item: (item[0], item[1].pk))
        items = [
            {
                "quote": quote,
                "record": quote.record,
                "kind": RECORD_KINDS.get(quote.content_type.model, quote.content_type.name),
            }
            for _, quote in listed
        ]
        focus, notice = self.focus(items)
        if focus and self.request.GET.get("passages") != "all":
            shown = [item for item in items if item["record"] == focus["record"]]
        else:
            shown = items
        located_ids = {passage.anchor for passage, _ in located}
        anchors = (
            located_ids
            if shown is items
            else {item["quote"].html_id for item in shown} & located_ids
        )
        labels = {
            item["quote"].html_id: supports_note(
                item, focus is not None and item["record"] == focus["record"]
            )
            for item in shown
        }
        context.update(
            marked_text=mark_passages(
                source.text, [p for p, _ in located if p.anchor in anchors], labels
            ),
            quotes=shown,
            passage_count=len(items),
            focus=focus,
            focus_count=len(anchors) if focus and shown is not items else 0,
            showing_all=shown is items,
            notice=notice,
        )
        return context

    def focus(self, items):
        """The record `?for=` names, as one of the listed items, and a notice if it names none."""
        raw = self.request.GET.get("for")
        if not raw:
            return None, ""
        for item in items:
            if item["record"].ref == raw:
                return {**item, "ref": raw}, ""
        return None, gettext(
            "No record of that name is quoted from this document: every passage is shown."
        )


def supports_note(item, shown):
    """What a passage supports, written where it ends: hidden unless it is the record's the
    reader came from, or the passage a link points at (the source's stylesheet)."""
    return format_html(
        '<span class="supports {}{}" lang="{}"> <a href="{}">{}: {}</a></span>',
        item["quote"].html_id,
        " shown" if shown else "",
        get_language(),
        item["record"].get_absolute_url(),
        capfirst(item["kind"]),
        in_english(str(item["record"])),
    )


def source_passages_css(request, slug):
    """The stylesheet that lights the passage a link points at on a source's page (its rules
    name that source's passages: the site's policy allows no style in the page itself)."""
    source = get_object_or_404(Source, slug=slug)
    anchors = [f"quote-{anchor}" for anchor in source.quotes.values_list("anchor", flat=True)]
    return HttpResponse(passages_css(sorted(anchors)), content_type="text/css; charset=utf-8")
