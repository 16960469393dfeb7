"""The agreement browser (one GET form whose query string is also its exports') and an
agreement's page."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from .. import charts, exports
from ..caching import catalogue_version
from ..counting import agreement_rows, digest, once_per_version
from ..feeds import AgreementFeed
from ..filters import (
    FACET_NAMES,
    FACETS,
    MATCHES,
    SORTS,
    AgreementFilter,
    Notice,
    browser_url,
    catalogue_options,
)
from ..models import Agreement
from .base import ForgivingPaginationMixin, IdsFirstPaginator, RecordDetailView

VIEW_PARAMETERS = ("page", "format", "all")
EXPORTS = {"csv": exports.csv_response, "json": exports.json_response}
FORMATS = ("html", *EXPORTS, "atom")
# The link under a facet that lists only its most frequent options.
SHOW_ALL = {
    "country": lambda n: ngettext("Show all %(count)s country", "Show all %(count)s countries", n),
    "theme": lambda n: ngettext("Show all %(count)s theme", "Show all %(count)s themes", n),
    "kind": lambda n: ngettext("Show all %(count)s kind", "Show all %(count)s kinds", n),
    "agency": lambda n: ngettext("Show all %(count)s party", "Show all %(count)s parties", n),
}


class AgreementListView(ForgivingPaginationMixin, FilterView):
    filterset_class = AgreementFilter
    template_name = "cooperation/agreement_filter.html"
    context_object_name = "agreement_list"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        return Agreement.objects.for_list()

    def get_template_names(self):
        return [self.template_name]  # not guessed from the list, which may never be built

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["version"] = catalogue_version(self.request)[0]
        kwargs["options"] = catalogue_options(kwargs["version"])
        return kwargs

    def get_paginator(self, queryset, per_page, **kwargs):
        """Pages of rendered rows: each agreement's row is rendered once per catalogue version
        (cooperation.counting), and only the rows not yet rendered are read; the first pages'
        ids are read once per version and filter state (with its sort)."""
        version, state = self.filterset.version, self.filterset.state()
        return IdsFirstPaginator(
            queryset,
            per_page,
            count=self.filterset.summary()["total"],
            keep=lambda read: once_per_version(version, "first-ids", state, read),
            fetch=lambda ids: agreement_rows(
                version, ids, lambda missing: Agreement.objects.for_list().filter(pk__in=missing)
            ),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        known = set(self.filterset_class.base_filters) | set(VIEW_PARAMETERS)
        for name in request.GET:
            if name not in known:
                self.notices.append(Notice(name, request.GET[name], "not a parameter of this page"))
        self.expanded = []  # the facets listed whole (`all=country`)
        for value in request.GET.getlist("all"):
            if value not in FACET_NAMES:
                names = ", ".join(name for name, _ in FACETS)
                self.notices.append(Notice("all", value, f"lists one of {names}"))
            elif value not in self.expanded:
                self.expanded.append(value)
        output = request.GET.get("format", "html")
        if output not in FORMATS:
            self.notices.append(Notice("format", output, "use csv, json or atom; showing the page"))
            output = "html"
        self.filterset = self.get_filterset(self.get_filterset_class())
        # Built only if something reads it: the first pages of a kept search do not.
        self.object_list = SimpleLazyObject(lambda: self.filterset.qs)
        notices = self.notices + self.filterset.all_notices
        if not notices:
            canonical = self.filterset.state() + [
                (k, v) for k in VIEW_PARAMETERS for v in request.GET.getlist(k)
            ]
            given = [(k, v) for k, values in request.GET.lists() for v in values]
            if sorted(given) != sorted(canonical):
                # Only empty fields or defaults were dropped: send the reader to the short address.
                return redirect(browser_url(canonical))
        if output != "html" and notices:
            return exports.refused(notices)
        if output == "atom":
            response = AgreementFeed()(request, filterset=self.filterset)
            # The feed's validator is the catalogue's version, as every page's, not its newest
            # agreement's date (which `Feed` would send).
            del response["Last-Modified"]
            return response
        if output in EXPORTS:
            return EXPORTS[output](request, self.filterset.qs, self.filterset.state())
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def page_url(self, number):
        return browser_url(self.filterset.state(), page=number, all=self.expanded)

    def canonical_path(self, number):
        # Sorted variants of a search show its rows too: they name the unsorted one.
        pairs = [pair for pair in self.filterset.state() if pair[0] != "sort"]
        return browser_url(pairs, page=number if number > 1 else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state, chips = self.filterset.state(), self.filterset.chips()
        # The facets, years and timeline are one fragment per catalogue version and filter
        # state (the template keeps it, under `facets_key`): made only when it is not kept.
        context.update(
            notices=self.notices + self.filterset.all_notices,
            facets_key=digest([pair for pair in state if pair[0] != "sort"]),
            expanded_key=",".join(sorted(self.expanded)),
            facets=SimpleLazyObject(lambda: self.facets(state)),
            expanded=self.expanded,
            year_options=SimpleLazyObject(self.year_options),
            timeline=SimpleLazyObject(self.timeline),
            world_map=SimpleLazyObject(self.world_map),
            chosen=dict(state),
            chips=chips,
            clear_url=browser_url() if chips else "",
            undo_url=chips[-1]["remove_url"] if chips else "",
            total=context["paginator"].count,
            sorts=SORTS,
            matches=MATCHES,
            export_urls={fmt: browser_url(state, format=fmt) for fmt in FORMATS[1:]},
            timeline_within=state,
            api_url=self.request.build_absolute_uri(
                reverse("api:agreement-list") + (f"?{urlencode(state)}" if state else "")
            ),
        )
        return context

    def timeline(self):
        chosen = self.filterset.selected("year")
        counts = [
            (y, n) for y, n in self.filterset.year_counts() if not chosen or str(y) == chosen[0]
        ]
        return charts.timeline(_("Matching agreements by year"), [(_("Agreements"), counts)])

    def facets(self, state):
        """The facets, each with the address that lists it whole, or short again (without the
        sort: the facets are kept once for every sort of a search)."""
        state = [pair for pair in state if pair[0] != "sort"]
        facets = self.filterset.facets(expanded=self.expanded)
        for facet in facets:
            others = [name for name in self.expanded if name != facet.name]
            toggled = others if facet.expanded else [*others, facet.name]
            facet.toggle_url = browser_url(state, all=toggled) + f"#facet-{facet.name}"
            facet.toggle_label = (
                gettext("Show the most frequent only")
                if facet.expanded
                else SHOW_ALL[facet.name](facet.available) % {"count": facet.available}
            )
        return facets

    def world_map(self):
        """The results by country, each country a link to the results it has: the results
        and that country (match=all once a country is chosen). With several countries or
        parties of which either may match, that is no one address: only the chosen countries
        are links, to theirs."""
        filterset = self.filterset
        # Without the sort: the map is kept once for every sort of a search.
        state = [pair for pair in filterset.state() if pair[0] != "sort"]
        chosen = filterset.selected("country")
        linked = None
        if chosen and not filterset.matches_all():
            if len(chosen) > 1 or len(filterset.selected("agency")) > 1:
                # "Either of these and that one" has no address: match=all would ask for every
                # chosen country and party at once.
                state = [pair for pair in state if pair[0] != "country"]
                linked = frozenset(chosen)
            else:
                state = [*state, ("match", "all")]
        return charts.WorldMap(
            _("Matching agreements by country"),
            filterset.summary()["countries"],
            names=dict(catalogue_options(filterset.version)["country"]),
            within=state,
            chosen=frozenset(chosen),
            linked=linked,
        )

    def year_options(self):
        """Years with results under the other filters, and the chosen year even at zero."""
        chosen = self.filterset.selected("year")
        options = {y: count for y, count in self.filterset.year_counts() if y is not None}
        for year in chosen:
            options.setdefault(int(year), 0)
        return sorted(options.items())


class AgreementDetailView(RecordDetailView):
    model = Agreement

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.object
        sources = {quote.source_id for quote in agreement.quotes.all()}
        context["signatories"] = [
            (person, role_in(person, sources, agreement)) for person in agreement.signatories.all()
        ]
        context["permalink"] = self.request.build_absolute_uri(agreement.get_absolute_url())
        return context


def role_in(person, source_ids, agreement):
    """The title a person held according to the agreement's own sources (else any source)."""
    roles = list(person.roles.all())
    parties = {party.pk for party in agreement.parties.all()}
    ranked = sorted(
        roles, key=lambda r: (r.source_id not in source_ids, r.agency_id not in parties)
    )
    return ranked[0] if ranked else None
