"""The home page, the about page and the 500 page."""

from django.db.models import Count
from django.http import HttpResponseServerError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .. import charts
from ..caching import catalogue_version
from ..context_processors import navigation
from ..counting import once_per_version
from ..models import Agency, Agreement, Event, Source, Theme
from ..models.base import counts_by, counts_by_year_of
from .base import countries_counted


class HomeView(TemplateView):
    template_name = "cooperation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = catalogue_version(self.request)[0]
        context.update(
            once_per_version(version, "home", [], home_figures),
            latest=Agreement.objects.for_list()[:6],
            canonical=self.request.build_absolute_uri(self.request.path),
        )
        return context


def home_figures():
    """What the home page counts and draws: the same for every reader of a catalogue version."""
    years = counts_by_year_of(agreements=Agreement.objects.all(), events=Event.objects.all())
    agreements_by_year, events_by_year = years["agreements"], years["events"]
    themes = list(Theme.objects.for_list())
    counted = counts_by(Theme.agreements.through.objects, "theme_id")
    for theme in themes:
        theme.agreement_count = counted.get(theme.pk, 0)
    return {
        "agreement_count": sum(n for _, n in agreements_by_year),
        "event_count": sum(n for _, n in events_by_year),
        "counts": Agency.objects.aggregate(
            agencies=Count("pk", distinct=True),
            countries=Count("country", distinct=True),
        ),
        # Lazy: kept once per catalogue version, and written in each page's language.
        "timeline": charts.timeline(
            _("Agreements and events by year"),
            [(_("Agreements"), agreements_by_year), (_("Events"), events_by_year)],
        ),
        "network": cooperation_network(),
        "world_map": charts.WorldMap(
            _("Agreements by country"), *countries_counted(Agreement.countries.through.objects)
        ),
        "themes": themes,
    }


def cooperation_network(limit=24):
    """The agencies that are party to most agreements, and how many agreements each pair shares."""
    top, ranked = Agency.objects.most_agreements(limit)
    pairs = Agreement.objects.shared_by_parties([agency.pk for agency in top])
    top.sort(key=lambda a: (a.country.name if a.country else "~", a.acronym or a.name))
    return charts.network(
        [(a.pk, a.slug, a.acronym or a.name, a.name, a.n) for a in top], pairs, ranked=ranked
    )


class AboutView(TemplateView):
    template_name = "cooperation/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sources"] = Source.objects.all()
        context["canonical"] = self.request.build_absolute_uri(self.request.path)
        return context


def server_error(request):
    """The 500 page, with the site's sections but nothing that could fail again: no request
    context, no database."""
    return HttpResponseServerError(render_to_string("500.html", navigation(None)))
