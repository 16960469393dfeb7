"""The agreement browser (one GET form whose query string is also its exports') and an
agreement's page."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from .. import charts, exports
from ..caching import catalogue_version
from ..counting import agreement_rows, digest, once_per_version
from ..feeds import AgreementFeed
from ..filters import MATCHES, SORTS, AgreementFilter, Notice, browser_url, catalogue_options
from ..models import Agreement
from .base import ForgivingPaginationMixin, IdsFirstPaginator, RecordDetailView

VIEW_PARAMETERS = ("page", "format")
EXPORTS = {"csv": exports.csv_response, "json": exports.json_response}
FORMATS = ("html", *EXPORTS, "atom")


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
        return browser_url(self.filterset.state(), page=number)

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
            facets=SimpleLazyObject(self.filterset.facets),
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

    def world_map(self):
        """The results by country. A country's count is what choosing it would give: with
        match=all, within the current results; otherwise instead of the chosen countries."""
        state = self.filterset.state()
        if not self.filterset.matches_all():
            state = [pair for pair in state if pair[0] != "country"]
        return charts.WorldMap(
            _("Matching agreements by country"),
            self.filterset.summary()["counts"]["country"],
            names=dict(catalogue_options(self.filterset.version)["country"]),
            within=state,
            chosen=frozenset(self.filterset.selected("country")),
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
