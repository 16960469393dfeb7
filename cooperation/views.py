"""Pages of the public catalogue: browse and filter agreements, read every record, cite, export."""

import csv
import itertools
import json
from datetime import UTC, datetime

from django.db.models import Count, F, Prefetch
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from . import charts
from .context_processors import navigation
from .filters import SORTS, AgreementFilter, Notice, catalogue_options
from .models import (
    Agency,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Country,
    Event,
    Mission,
    Person,
    Quote,
    Role,
    Source,
    Theme,
    partial_date_display,
)
from .quotes import Passage, locate, mark_passages

EXPORT_FORMATS = ("csv", "json", "atom")
VIEW_PARAMETERS = ("page", "format")


def agreement_list_url(**params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)
    return reverse("cooperation:agreement_list") + (f"?{query}" if query else "")


def quotes_prefetch():
    return Prefetch("quotes", queryset=Quote.objects.select_related("source"))


def agreements_timeline(title, agreements):
    """A timeline of these agreements by year."""
    counts = agreements.order_by().values("year").annotate(n=Count("pk")).values_list("year", "n")
    return charts.timeline(title, [("Agreements", list(counts))])


class RelatedAgreementsMixin:
    """A record's agreements: the newest few on its page, the rest one click away in the browser."""

    shown_agreements = 25
    browse_parameter = None  # the browser's filter for this record, if it has one

    def related_agreements(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreements = self.related_agreements()
        context["agreements"] = agreements.for_list()[: self.shown_agreements]
        context["agreement_count"] = agreements.count()
        if self.browse_parameter:
            value = getattr(self.object, self.object.natural_key_field)
            context["browse_url"] = agreement_list_url(**{self.browse_parameter: value})
        return context


class ForgivingPaginationMixin:
    """Any page number is answered: one that is not a page shows the nearest, with a notice."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.notices = []

    def paginate_queryset(self, queryset, page_size):
        """Never a 404 for a page number."""
        paginator = self.get_paginator(queryset, page_size)
        raw = self.request.GET.get("page", "1")
        try:
            number = int(raw)
        except ValueError:
            number = 1
            self.notices.append(Notice("page", raw, "not a page number; showing page 1"))
        if number < 1:
            self.notices.append(Notice("page", raw, "pages start at 1; showing page 1"))
            number = 1
        elif number > paginator.num_pages:
            pages = paginator.num_pages
            self.notices.append(
                Notice(
                    "page",
                    raw,
                    f"there {'is' if pages == 1 else 'are'} only {pages} "
                    f"page{'s' if pages != 1 else ''}; showing the last",
                )
            )
            number = pages
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notices", self.notices)
        return super().get_context_data(**kwargs)


class AgreementListView(ForgivingPaginationMixin, FilterView):
    """The agreement browser: one GET form whose query string is also the export's."""

    filterset_class = AgreementFilter
    template_name = "cooperation/agreement_filter.html"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        return Agreement.objects.for_list()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["options"] = catalogue_options()
        return kwargs

    def get(self, request, *args, **kwargs):
        known = set(self.filterset_class.base_filters) | set(VIEW_PARAMETERS)
        for name in request.GET:
            if name not in known:
                self.notices.append(Notice(name, request.GET[name], "not a parameter of this page"))
        output = request.GET.get("format", "html")
        if output not in ("html", *EXPORT_FORMATS):
            self.notices.append(Notice("format", output, "use csv, json or atom; showing the page"))
            output = "html"
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.object_list = self.filterset.qs
        canonical = self.state() + [(k, v) for k in VIEW_PARAMETERS for v in request.GET.getlist(k)]
        if not self.notices and not self.filterset.all_notices:
            given = [(k, v) for k, values in request.GET.lists() for v in values]
            if sorted(given) != sorted(canonical):
                # Only empty fields or defaults were dropped: send the reader to the short address.
                return redirect(self.url_with(canonical))
        notices = self.notices + self.filterset.all_notices
        if output in EXPORT_FORMATS and notices:
            # A download cannot show a notice: say what is wrong instead of exporting more rows.
            lines = [f"{n.parameter}={n.value[:60]}: {n.reason}" for n in notices]
            return HttpResponseBadRequest(
                "Part of this search is not valid, so nothing was exported:\n" + "\n".join(lines),
                content_type="text/plain; charset=utf-8",
            )
        if output == "csv":
            return self.csv_response()
        if output == "json":
            return self.json_response()
        if output == "atom":
            return self.atom_response()
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    # The current search, as the reader sees it and as links repeat it.

    def state(self):
        """The valid parameters in a stable order: what every link and export repeats."""
        pairs = []
        for name in self.filterset_class.base_filters:
            pairs += [(name, value) for value in self.filterset.selected(name)]
        return [pair for pair in pairs if pair != ("sort", SORTS[0][0])]

    def url_with(self, pairs, **extra):
        query = urlencode(pairs + [(k, v) for k, v in extra.items() if v], doseq=True)
        return reverse("cooperation:agreement_list") + (f"?{query}" if query else "")

    def chips(self, state):
        labels = {name: dict(options) for name, options in self.filterset.options.items()}
        labels["status"] = dict(AgreementStatus.choices)
        words = {"year": "Year", "year_from": "From", "year_to": "Until", "q": "Search"}
        chips = []
        for index, (name, value) in enumerate(state):
            if name == "sort":
                continue
            if name in words:
                text = f"{words[name]}: “{value}”" if name == "q" else f"{words[name]} {value}"
            else:
                text = labels.get(name, {}).get(value, value)
            rest = state[:index] + state[index + 1 :]
            chips.append({"name": name, "label": text, "remove_url": self.url_with(rest)})
        return chips

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.state()
        chips = self.chips(state)
        page = context["page_obj"]
        year_counts = self.filterset.year_counts()
        chosen_year = self.filterset.selected("year")
        timeline_counts = [
            (y, n) for y, n in year_counts if not chosen_year or str(y) == chosen_year[0]
        ]
        context.update(
            notices=self.notices + self.filterset.all_notices,
            facets=self.filterset.facets(),
            year_options=self.year_options(year_counts, chosen_year),
            chosen=dict(state),
            chips=chips,
            clear_url=reverse("cooperation:agreement_list") if chips else "",
            undo_url=chips[-1]["remove_url"] if chips else "",
            total=context["paginator"].count,
            sorts=SORTS,
            export_urls={fmt: self.url_with(state, format=fmt) for fmt in EXPORT_FORMATS},
            page_links=[
                {
                    "number": n,
                    "url": "" if n == page.paginator.ELLIPSIS else self.url_with(state, page=n),
                    "current": n == page.number,
                }
                for n in page.paginator.get_elided_page_range(
                    page.number, on_each_side=2, on_ends=1
                )
            ],
            previous_url=self.url_with(state, page=page.previous_page_number())
            if page.has_previous()
            else "",
            next_url=self.url_with(state, page=page.next_page_number()) if page.has_next() else "",
            timeline=charts.timeline(
                "Matching agreements by year", [("Agreements", timeline_counts)]
            ),
        )
        return context

    def year_options(self, year_counts, chosen):
        """Years with results under the other filters, and the chosen year even at zero."""
        options = {year: count for year, count in year_counts if year is not None}
        for year in chosen:
            options.setdefault(int(year), 0)
        return sorted(options.items())

    # Exports: every matching row, not one page.

    def export_rows(self, chunk=2000):
        """Every matching agreement as a plain row: plain values and one query per relation per
        chunk of rows, so that 100,000 rows stream in seconds and memory stays flat."""
        columns = [
            "pk",
            "slug",
            "title",
            "kind",
            "status",
            "place",
            "date_is_inferred",
            *Agreement.date_part_names,
        ]
        kinds, statuses = dict(AgreementKind.choices), dict(AgreementStatus.choices)
        url = self.request.build_absolute_uri(
            reverse("cooperation:agreement_detail", kwargs={"slug": "SLUG"})
        )
        rows = self.object_list.order_by(*Agreement._meta.ordering).values_list(*columns)
        batch = []
        for row in rows.iterator(chunk_size=chunk):
            batch.append(dict(zip(columns, row, strict=True)))
            if len(batch) == chunk:
                yield from self._export_batch(batch, kinds, statuses, url)
                batch = []
        if batch:
            yield from self._export_batch(batch, kinds, statuses, url)

    def read_export_rows(self):
        """The export's rows, the first already read: its queries run before the headers go
        out, so a database that is down is a 503 page and not a cut-off download."""
        rows = self.export_rows()
        first = next(rows, None)
        return rows if first is None else itertools.chain([first], rows)

    def _export_batch(self, batch, kinds, statuses, url):
        ids = [row["pk"] for row in batch]
        links = {"parties": [], "countries": [], "signatories": [], "themes": []}
        related = {name: {} for name in links}
        parties = Agreement.parties.through.objects.filter(agreement_id__in=ids).values_list(
            "agreement_id", "agency__acronym", "agency__name", "agency__country__code"
        )
        for agreement, acronym, name, country in parties.order_by("agency__name"):
            related["parties"].setdefault(agreement, []).append(acronym or name)
            if country:
                related["countries"].setdefault(agreement, set()).add(country)
        people = Agreement.signatories.through.objects.filter(agreement_id__in=ids)
        for agreement, name in people.values_list("agreement_id", "person__name").order_by(
            "person__name"
        ):
            related["signatories"].setdefault(agreement, []).append(name)
        themes = Agreement.themes.through.objects.filter(agreement_id__in=ids)
        for agreement, name in themes.values_list("agreement_id", "theme__name").order_by(
            "theme__name"
        ):
            related["themes"].setdefault(agreement, []).append(name)
        for row in batch:
            pk = row["pk"]
            yield {
                "slug": row["slug"],
                "title": row["title"],
                "kind": kinds.get(row["kind"], row["kind"]),
                "status": statuses.get(row["status"], row["status"]),
                "date": partial_date_display(*(row[f] for f in Agreement.date_part_names)),
                "date_precision": row["date_precision"],
                "year": row["year"],
                "date_is_inferred": row["date_is_inferred"],
                "place": row["place"],
                "parties": related["parties"].get(pk, []),
                "countries": sorted(related["countries"].get(pk, ())),
                "signatories": related["signatories"].get(pk, []),
                "themes": related["themes"].get(pk, []),
                "url": url.replace("SLUG", row["slug"]),
            }

    def csv_response(self):
        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        columns = [
            "slug",
            "title",
            "kind",
            "status",
            "date",
            "date_precision",
            "year",
            "date_is_inferred",
            "place",
            "parties",
            "countries",
            "signatories",
            "themes",
            "url",
        ]

        rows = self.read_export_rows()

        def lines():
            yield writer.writerow(columns)
            for row in rows:
                yield writer.writerow(
                    ["; ".join(row[c]) if isinstance(row[c], list) else row[c] for c in columns]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="agreements.csv"'
        return response

    def json_response(self):
        rows = self.read_export_rows()

        def chunks():
            yield "["
            for index, row in enumerate(rows):
                yield ("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False)
            yield "\n]\n"

        return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")

    def atom_response(self, limit=100):
        request = self.request
        state = self.state()
        feed = Atom1Feed(
            title="Cooperation Atlas: agreements" + (f" ({len(state)} filters)" if state else ""),
            link=request.build_absolute_uri(self.url_with(state)),
            description="Space-cooperation agreements matching this search, newest first.",
            feed_url=request.build_absolute_uri(self.url_with(state, format="atom")),
            language="en",
        )
        newest = self.object_list.order_by(*Agreement._meta.ordering)[:limit]
        for agreement in newest:
            when = None
            if agreement.year:
                when = datetime(
                    agreement.year, agreement.month or 1, agreement.day or 1, tzinfo=UTC
                )
            url = request.build_absolute_uri(agreement.get_absolute_url())
            parties = ", ".join(p.acronym or p.name for p in agreement.parties.all())
            feed.add_item(
                title=agreement.title,
                link=url,
                unique_id=url,
                # Atom1Feed declares the summary as HTML: the text is escaped to stay text.
                description=escape(f"{agreement.date_display} — {parties}. {agreement.summary}"),
                pubdate=when,
                updateddate=when,
                categories=[theme.name for theme in agreement.themes.all()],
            )
        response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response


class AgreementDetailView(DetailView):
    model = Agreement

    def get_queryset(self):
        return Agreement.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.object
        sources = {quote.source_id for quote in agreement.quotes.all()}
        context["signatories"] = [
            (person, _role_in(person, sources, agreement)) for person in agreement.signatories.all()
        ]
        context["permalink"] = self.request.build_absolute_uri(agreement.get_absolute_url())
        context["accessed"] = timezone.now().date()
        return context


def _role_in(person, source_ids, agreement):
    """The title a person held according to the agreement's own sources (else any source)."""
    roles = list(person.roles.all())
    parties = {party.pk for party in agreement.parties.all()}
    ranked = sorted(
        roles, key=lambda r: (r.source_id not in source_ids, r.agency_id not in parties)
    )
    return ranked[0] if ranked else None


class CountryListView(ForgivingPaginationMixin, ListView):
    model = Country
    paginate_by = 50

    queryset = Country.objects.annotate(
        agency_count=Count("agencies", distinct=True),
        agreement_count=Count("agencies__agreements", distinct=True),
    )
    ordering = ["name"]


class CountryDetailView(RelatedAgreementsMixin, DetailView):
    model = Country
    browse_parameter = "country"

    def get(self, request, *args, **kwargs):
        code = self.kwargs["code"]
        if code != code.upper():
            return redirect("cooperation:country_detail", code=code.upper(), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return get_object_or_404(
            Country.objects.prefetch_related(quotes_prefetch()), code=self.kwargs["code"]
        )

    def related_agreements(self):
        return Agreement.objects.with_parties_in([self.object.code])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        context.update(
            agencies=country.agencies.annotate(agreement_count=Count("agreements")).order_by(
                "name"
            ),
            timeline=agreements_timeline(
                f"Agreements of {country.name} by year", self.related_agreements()
            ),
            missions=country.missions.all()[:50],
            events=country.events.order_by(*Event._meta.ordering).reverse()[:25],
        )
        return context


class AgencyListView(ForgivingPaginationMixin, ListView):
    model = Agency
    paginate_by = 50

    queryset = Agency.objects.select_related("country").annotate(
        agreement_count=Count("agreements")
    )
    ordering = ["name"]


class AgencyDetailView(RelatedAgreementsMixin, DetailView):
    model = Agency
    browse_parameter = "agency"

    def get_queryset(self):
        return Agency.objects.select_related("country").prefetch_related(quotes_prefetch())

    def related_agreements(self):
        return Agreement.objects.with_parties([self.object.slug])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = self.object
        context.update(
            timeline=agreements_timeline(
                f"Agreements of {agency.acronym or agency.name} by year", self.related_agreements()
            ),
            missions=agency.missions.all()[:50],
            events=agency.events.order_by(*Event._meta.ordering).reverse()[:25],
            roles=agency.roles.select_related("person", "source").order_by("person__name", "title"),
        )
        return context


class PersonListView(ForgivingPaginationMixin, ListView):
    model = Person
    paginate_by = 50

    def get_queryset(self):
        return Person.objects.prefetch_related(
            Prefetch("roles", queryset=Role.objects.select_related("agency"))
        )


class PersonDetailView(RelatedAgreementsMixin, DetailView):
    model = Person

    def get_queryset(self):
        return Person.objects.prefetch_related(
            quotes_prefetch(),
            Prefetch("roles", queryset=Role.objects.select_related("agency", "source")),
            "events",
        )

    def related_agreements(self):
        return Agreement.objects.filter(signatories=self.object)


class MissionListView(ForgivingPaginationMixin, ListView):
    model = Mission
    paginate_by = 50

    def get_queryset(self):
        return Mission.objects.prefetch_related("partners", "countries")


class MissionDetailView(RelatedAgreementsMixin, DetailView):
    model = Mission

    def get_queryset(self):
        return Mission.objects.prefetch_related(
            quotes_prefetch(),
            Prefetch("partners", queryset=Agency.objects.select_related("country")),
            "countries",
            "themes",
            "events",
        )

    def related_agreements(self):
        return Agreement.objects.filter(missions=self.object)


class EventListView(ForgivingPaginationMixin, ListView):
    model = Event
    paginate_by = 50

    def get_queryset(self):
        return Event.objects.select_related("country")


class EventDetailView(RelatedAgreementsMixin, DetailView):
    model = Event

    def get_queryset(self):
        return Event.objects.select_related("country").prefetch_related(
            quotes_prefetch(),
            "participants",
            Prefetch("agencies", queryset=Agency.objects.select_related("country")),
            "missions",
        )

    def related_agreements(self):
        return Agreement.objects.filter(event=self.object)


class ThemeListView(ForgivingPaginationMixin, ListView):
    model = Theme
    paginate_by = 50

    queryset = Theme.objects.annotate(
        agreement_count=Count("agreements", distinct=True),
        mission_count=Count("missions", distinct=True),
    )
    ordering = ["name"]


class ThemeDetailView(RelatedAgreementsMixin, DetailView):
    model = Theme
    browse_parameter = "theme"

    def get_queryset(self):
        return Theme.objects.prefetch_related(quotes_prefetch())

    def related_agreements(self):
        return Agreement.objects.with_themes([self.object.slug])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missions"] = self.object.missions.all()[:50]
        return context


class SourceListView(ForgivingPaginationMixin, ListView):
    model = Source
    paginate_by = 50

    queryset = Source.objects.annotate(quote_count=Count("quotes"))
    ordering = Source._meta.ordering


class SourceDetailView(DetailView):
    """A document in full, every quoted passage marked and listed with the record it supports."""

    model = Source

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        quotes = list(
            source.quotes.select_related("content_type").prefetch_related("record").order_by("pk")
        )
        passages, listed = [], []
        for quote in quotes:
            found = locate(quote.text, source.text)
            if found:
                passages.append(Passage(found[0], found[1], f"quote-{quote.pk}"))
            listed.append((found[0] if found else len(source.text), quote))
        listed.sort(key=lambda item: (item[0], item[1].pk))
        context["marked_text"] = mark_passages(source.text, passages)
        context["quotes"] = [
            {"quote": quote, "record": quote.record, "kind": quote.content_type.name}
            for _, quote in listed
            if quote.record is not None
        ]
        return context


class HomeView(TemplateView):
    template_name = "cooperation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreements_by_year = list(
            Agreement.objects.order_by()
            .values("year")
            .annotate(n=Count("pk"))
            .values_list("year", "n")
        )
        events_by_year = list(
            Event.objects.order_by().values("year").annotate(n=Count("pk")).values_list("year", "n")
        )
        themes = list(Theme.objects.annotate(agreement_count=Count("agreements")).order_by("name"))
        context.update(
            agreement_count=sum(n for _, n in agreements_by_year),
            event_count=sum(n for _, n in events_by_year),
            counts=Agency.objects.aggregate(
                agencies=Count("pk", distinct=True),
                countries=Count("country", distinct=True),
            ),
            timeline=charts.timeline(
                "Agreements and events by year",
                [("Agreements", agreements_by_year), ("Events", events_by_year)],
            ),
            network=cooperation_network(),
            latest=Agreement.objects.for_list()[:6],
            themes=themes,
        )
        return context


def cooperation_network(limit=24):
    """The agencies that are party to most agreements, and how many agreements each pair shares."""
    links = Agreement.parties.through.objects
    # Ranked on the link table alone (no join, no grouping by agency columns), then fetched.
    ranked = links.values("agency_id").annotate(n=Count("agreement_id")).order_by("-n", "agency_id")
    counts = dict(ranked.values_list("agency_id", "n")[:limit])
    top = list(Agency.objects.filter(pk__in=counts).select_related("country"))
    for agency in top:
        agency.n = counts[agency.pk]
    ids = [agency.pk for agency in top]
    pairs = (
        # One filter() call: both conditions must speak of the same partner (one join).
        links.filter(
            agency_id__in=ids, agreement__parties__in=ids, agency_id__lt=F("agreement__parties")
        )
        .values_list("agency_id", "agreement__parties")
        .annotate(n=Count("agreement_id", distinct=True))
        .order_by()
    )
    top.sort(key=lambda a: (a.country.name if a.country else "~", a.acronym or a.name))
    by_id = {agency.pk: agency for agency in top}
    result = charts.network(
        [(a.pk, short_name(a), a.name, a.get_absolute_url(), a.n) for a in top],
        list(pairs),
    )
    if result:
        result.table = sorted(
            ((by_id[a], by_id[b], n) for a, b, n in pairs if a in by_id and b in by_id),
            key=lambda row: (-row[2], row[0].name, row[1].name),
        )
    return result


def short_name(agency, limit=16):
    name = agency.acronym or agency.name
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


class AboutView(TemplateView):
    template_name = "cooperation/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sources"] = Source.objects.all()
        return context


def server_error(request):
    """The 500 page, with the site's sections but nothing that could fail again: no request
    context, no database."""
    return HttpResponseServerError(render_to_string("500.html", navigation(None)))
