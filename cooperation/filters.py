"""The agreement browser's query string: checked, applied, and counted option by option.

The query string is the public contract: `country` (ISO code, any case), `year`, `year_from`,
`year_to`, `theme`, `kind`, `status`, `agency`, `q`, `sort`; country, theme, kind and agency may
repeat (either value matches). A value that names nothing is dropped with a notice, never an error.
"""

from dataclasses import dataclass, field
from functools import lru_cache

import django_filters
from django import forms
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .counting import once_per_version
from .models import Agency, Agreement, AgreementKind, AgreementStatus, Country, Theme
from .models.base import counts_by
from .models.vocabulary import local_country_name
from .search import terms
from .translated import Text

SORTS = [("newest", _("Newest first")), ("oldest", _("Oldest first")), ("title", _("Title (A–Z)"))]
# How several chosen countries (or parties) combine: an agreement involving any of them, or all.
MATCHES = [
    ("any", _("Agreements of any of them")),
    ("all", _("Agreements between all of them")),
]
DEFAULTS = {("sort", SORTS[0][0]), ("match", MATCHES[0][0])}
MAX_SEARCH_LENGTH = 200
FIRST_YEAR, LAST_YEAR = 1900, 2100


def browser_url(pairs=(), **params):
    """The agreement browser's address for these parameters: (name, value) pairs, then keywords
    (a list repeats the key); empty values are left out."""
    given = [*pairs, *params.items()]
    query = urlencode([(k, v) for k, v in given if v not in (None, "", [])], doseq=True)
    path = _browser_path(get_resolver(get_urlconf()), get_script_prefix(), get_language())
    return path + (f"?{query}" if query else "")


@lru_cache(maxsize=16)
def _browser_path(resolver, prefix, language):
    # What reverse() gives depends on nothing else; a list page builds a dozen such links.
    return reverse("cooperation:agreement_list")


# What a notice says of a value that names nothing in the catalogue, by parameter.
NO_SUCH = {
    "country": _("no country of that name in the catalogue"),
    "theme": _("no theme of that name in the catalogue"),
    "agency": _("no agency of that name in the catalogue"),
    "kind": _("no kind of that name in the catalogue"),
}


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


# Control characters (a NUL, a newline…) as they are shown back to a reader: visible, inert.
_CONTROLS = {code: "\ufffd" for code in [*range(32), 127]}


@dataclass
class Notice:
    """A part of the query string that was ignored, and why. The parameter and its value are
    shown as given, but for control characters, each shown as �."""

    parameter: str
    value: str
    reason: str

    def __post_init__(self):
        self.parameter = str(self.parameter).translate(_CONTROLS)
        self.value = str(self.value).translate(_CONTROLS)


@dataclass
class Option:
    value: str
    label: str
    count: int = 0
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)
    available: int = 0  # options with results, shown or not
    expanded: bool = False

    @property
    def more(self):
        """How many options with results the short list leaves out."""
        return 0 if self.expanded else self.available - sum(1 for o in self.options if o.count)


def catalogue_options(version=None):
    """The options readers may choose from, as (value, label) pairs, under "ids" each option's
    value by its record's id and under "pks" the other way round: one query for all three,
    once per catalogue version; countries named in the reader's language."""
    options = once_per_version(version, "options", [], _catalogue_options)
    language = get_language()
    if language and not language.startswith("en"):
        countries = [
            (code, local_country_name(code, name, language)) for code, name in options["country"]
        ]
        countries.sort(key=lambda option: option[1].casefold())
        options = {**options, "country": countries, "theme": _french_themes(options)}
    return options


def _french_themes(options):
    """The themes by their French names where a curator wrote one, marked as English where not."""
    french = options.get("theme_fr", {})
    themes = [
        (slug, Text(french[slug], "fr") if french.get(slug) else Text(name, "en"))
        for slug, name in options["theme"]
    ]
    return sorted(themes, key=lambda option: option[1].casefold())


def _catalogue_options():
    rows = (
        Country.objects.order_by()
        .annotate(facet=Value("country"), short=Value(""))
        .values_list("facet", "pk", "code", "name", "short")
        .union(
            Theme.objects.order_by()
            .annotate(facet=Value("theme"), short=Coalesce("name_fr", Value("")))
            .values_list("facet", "pk", "slug", "name", "short"),
            Agency.objects.order_by()
            .annotate(facet=Value("agency"))
            .values_list("facet", "pk", "slug", "name", "acronym"),
            all=True,
        )
    )
    options = {"country": [], "theme": [], "agency": []}
    ids, pks = {name: {} for name in options}, {name: {} for name in options}
    french_themes = {}
    for facet, pk, value, name, short in rows:
        if facet == "theme":
            french_themes[value] = short
            short = ""
        options[facet].append((value, short or name))
        ids[facet][pk], pks[facet][value] = value, pk
    for values in options.values():
        values.sort(key=lambda option: option[1].casefold())
    options["kind"] = list(AgreementKind.choices)
    options["ids"], options["pks"] = ids, pks
    options["theme_fr"] = french_themes
    return options


# The facets beside the list, and for those that are relations the link table they count and
# its column.
FACETS = (
    ("country", _("Country")),
    ("theme", _("Theme")),
    ("kind", _("Kind")),
    ("agency", _("Party")),
)
LINKS = {"country": "countries", "theme": "themes", "agency": "parties"}
FACET_NAMES = {name for name, _ in FACETS}


class AgreementFilter(django_filters.FilterSet):
    country = django_filters.MultipleChoiceFilter(method="filter_country", label=_("Country"))
    year = YearFilter(field_name="year", min_value=FIRST_YEAR, max_value=LAST_YEAR, label=_("Year"))
    year_from = YearFilter(
        field_name="year",
        lookup_expr="gte",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        label=_("From"),
    )
    year_to = YearFilter(
        field_name="year",
        lookup_expr="lte",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        label=_("To"),
    )
    theme = django_filters.MultipleChoiceFilter(method="filter_theme", label=_("Theme"))
    kind = django_filters.MultipleChoiceFilter(
        field_name="kind", choices=AgreementKind.choices, distinct=False, label=_("Kind")
    )
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label=_("Status"))
    agency = django_filters.MultipleChoiceFilter(method="filter_agency", label=_("Agency"))
    q = django_filters.CharFilter(
        method="filter_search", max_length=MAX_SEARCH_LENGTH, label=_("Search")
    )
    sort = django_filters.ChoiceFilter(method="sort_by", choices=SORTS, label=_("Sort"))
    match = django_filters.ChoiceFilter(method="combine", choices=MATCHES, label=_("Match"))

    # The options of these parameters come from the catalogue; values outside them are dropped.
    CHOSEN_FROM_CATALOGUE = ("country", "theme", "agency", "kind")
    # These take one value: given twice, the last non-empty one counts, with a notice.
    SINGLE_VALUED = ("year", "year_from", "year_to", "status", "q", "sort", "match")
    # With match=all, every chosen value of these must hold (agreements between A and B).
    COMBINED = ("country", "agency")

    class Meta:
        model = Agreement
        fields = []

    def __init__(self, data=None, *args, options=None, version=None, **kwargs):
        """`version`, the catalogue's, keeps the counts of this filter state once per version
        (cooperation.counting); without it they are counted on each call."""
        self.version = version
        self.options = options if options is not None else catalogue_options(version)
        self.notices = []
        self._state = self._summary_value = None
        if data is not None:
            data = self._drop_unknown_values(data)
        super().__init__(data, *args, **kwargs)
        # The form checks only what was given, already checked against the catalogue above:
        # thousands of agencies as its choices would be copied into every form.
        for name in ("country", "theme", "agency"):
            given = set(data.getlist(name)) if data is not None else set()
            chosen = [(v, label) for v, label in self.options[name] if v in given] if given else []
            self.filters[name].extra["choices"] = chosen

    def _drop_unknown_values(self, data):
        data = data.copy()
        known_kinds = dict(self.options["kind"])
        for name in self.CHOSEN_FROM_CATALOGUE:
            known = known_kinds if name == "kind" else self.options["pks"][name]
            kept = []
            for raw in data.getlist(name):
                value = raw.strip().upper() if name == "country" else raw.strip().lower()
                if not value or value in kept:
                    continue
                if value in known:
                    kept.append(value)
                else:
                    self.notices.append(Notice(name, raw, NO_SUCH[name]))
            data.setlist(name, kept)
        for name in self.SINGLE_VALUED:
            values = data.getlist(name)
            given = [value for value in values if value.strip()]
            if len(given) > 1:
                self.notices.append(
                    Notice(
                        name,
                        ", ".join(given),
                        gettext("takes one value; using %(value)r") % {"value": given[-1]},
                    )
                )
            if len(values) > 1:
                data.setlist(name, given[-1:])
        query = data.get("q", "")
        if query.strip() and not terms(query):
            # Searching for nothing would show every agreement as if it matched.
            self.notices.append(
                Notice("q", query, gettext("nothing to search for: no letter or digit"))
            )
            data.setlist("q", [])
        return data

    def form_notices(self):
        """Notices for the parameters the form refused (a year that is not a number…)."""
        if not self.is_bound:
            return []
        return [
            Notice(name, self.data.get(name, ""), " ".join(messages))
            for name, messages in self.form.errors.items()
        ]

    @property
    def all_notices(self):
        notices = self.notices + self.form_notices()
        start, end = self.selected("year_from"), self.selected("year_to")
        if start and end and int(start[0]) > int(end[0]):
            notices.append(
                Notice(
                    "year_to",
                    end[0],
                    gettext("ends before year_from=%(start)s; no year is in that range")
                    % {"start": start[0]},
                )
            )
        return notices

    def matches_all(self):
        return self.selected("match") == ["all"]

    def _linked(self, queryset, name, values):
        """Agreements linked to any of these options (codes or slugs) of a facet, or with
        match=all, for the combined facets, to each of them."""
        if not values:
            return queryset
        ids = self.options["pks"][name]
        chosen = (
            [[ids[value]] for value in values]
            if self._combined(name)
            else [[ids[value] for value in values]]
        )
        for group in chosen:
            queryset = queryset.linked_to(LINKS[name], group)
        return queryset

    def _combined(self, name):
        return name in self.COMBINED and self.matches_all()

    def filter_country(self, queryset, name, value):
        return self._linked(queryset, "country", value)

    def filter_theme(self, queryset, name, value):
        return self._linked(queryset, "theme", value)

    def filter_agency(self, queryset, name, value):
        return self._linked(queryset, "agency", value)

    def combine(self, queryset, name, value):
        return queryset  # read by filter_country and filter_agency

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def sort_by(self, queryset, name, value):
        if value == "oldest":
            parts = [F(part).asc(nulls_last=True) for part in ("year", "month", "day")]
            return queryset.order_by(*parts, "title", "slug")
        if value == "title":
            return queryset.order_by("title", "slug")
        return queryset

    def queryset_without(self, *names):
        """The results with every filter applied except these: what a facet counts against."""
        queryset = self.queryset.all()
        if not self.is_bound:
            return queryset
        self.errors  # noqa: B018 -- validates the form, so that cleaned_data exists
        for name, value in self.form.cleaned_data.items():
            if name not in names and name not in ("sort", "match"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def state(self):
        """The valid parameters in a stable order: what every link and export repeats."""
        if self._state is None:
            pairs = []
            for name in self.base_filters:
                pairs += [(name, value) for value in self.selected(name)]
            self._state = [pair for pair in pairs if pair not in DEFAULTS]
        return list(self._state)

    def chips(self):
        """Each chosen filter as a reader reads it, with the address that removes it."""
        state, chips = self.state(), []
        # Only the chosen facets' labels: the catalogue has thousands of agencies.
        labels = {name: dict(self.options[name]) for name in {n for n, _ in state} & FACET_NAMES}
        labels["status"] = dict(AgreementStatus.choices)
        words = {
            "year": gettext("Year"),
            "year_from": gettext("From"),
            "year_to": pgettext_lazy("the last year of a range", "Until"),
            "q": gettext("Search"),
        }
        for index, (name, value) in enumerate(state):
            if name == "sort":
                continue
            if name == "match":
                text = gettext("All of the chosen countries and parties")
            elif name in words:
                text = f"{words[name]}: “{value}”" if name == "q" else f"{words[name]} {value}"
            else:
                text = labels.get(name, {}).get(value, value)
            rest = state[:index] + state[index + 1 :]
            chips.append(
                {
                    "name": name,
                    "label": text,
                    "remove_url": browser_url(rest),
                    # a theme's or a party's name: the catalogue's content, in English
                    "content": name in ("theme", "agency"),
                }
            )
        return chips

    def selected(self, name):
        if not self.is_bound or name in self.form.errors:
            return []
        value = self.form.cleaned_data.get(name)
        if value in (None, "", []):
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def summary(self):
        """{"total", "counts" per facet, "years"} of the results: counted once per catalogue
        version and filter state, whatever the sort or the page."""
        if self._summary_value is None:
            state = [pair for pair in self.state() if pair[0] != "sort"]
            self._summary_value = once_per_version(self.version, "agreements", state, self._summary)
        return self._summary_value

    def _summary(self):
        counts = {name: self._counts(name) for name, _ in FACETS}
        # Every agreement has one kind, and the kind facet counts the results under every other
        # filter: the total is its sum (over the chosen kinds, if any), with no count of its own.
        kinds = counts["kind"]
        chosen = self.selected("kind")
        return {
            "total": sum(kinds.get(kind, 0) for kind in chosen) if chosen else sum(kinds.values()),
            "counts": counts,
            # Each facet's options with results, most first: sorted here, once per version.
            "ranked": {name: self._ranked(name, counts[name]) for name, _ in FACETS},
            "years": self._year_counts(),
            # The results by country, for the map: the country facet's own counts, unless
            # countries are chosen and either may match.
            "countries": (
                self._counts("country", within=True)
                if self.selected("country") and not self.matches_all()
                else counts["country"]
            ),
        }

    def _ranked(self, name, counts):
        """The options with results, most first: values only, since the summary is kept for
        every language (ties are ordered by name in the reader's, in `facets`)."""
        return sorted((value for value, n in counts.items() if n), key=lambda v: -counts[v])

    def facets(self, *, limit=15, expanded=()):
        """Each option with how many agreements it would give, the other filters applied: the
        `limit` with most results, and every chosen one; every option with results, by name,
        for the facets `expanded`."""
        summary = self.summary()
        facets = []
        for name, label in FACETS:
            counts, chosen = summary["counts"][name], self.selected(name)
            ranked, labels = summary["ranked"][name], dict(self.options[name])
            named = [(value, labels.get(value, value)) for value in ranked]
            if name in expanded:
                shown = sorted(named, key=lambda option: option[1].casefold())
            else:
                # Most first, and among equals by name in the reader's language.
                named.sort(key=lambda option: (-counts[option[0]], option[1].casefold()))
                shown = named[:limit]
            listed = {value for value, _ in shown}
            missing = [value for value in chosen if value not in listed]
            shown += [(value, labels.get(value, value)) for value in missing]
            options = [
                Option(value, text, counts.get(value, 0), value in chosen) for value, text in shown
            ]
            facets.append(Facet(name, label, options, len(ranked), name in expanded))
        return facets

    def _counts(self, name, *, within=False):
        """{option: agreements} for one facet; with no other filter, straight from the table.
        An option counts what choosing it would give: with the others of its facet (either
        may match), or, with match=all, within the current results (each must). `within`:
        the current results that have each option, whatever the facet's filter."""
        within = within or self._combined(name)
        matching = self.queryset_without() if within else self.queryset_without(name)
        everything = not matching.query.where
        if name in LINKS:
            field = Agreement._meta.get_field(LINKS[name])
            rows = field.remote_field.through.objects.all()
            if not everything:
                rows = rows.filter(agreement_id__in=matching.values("pk"))
            # A link is one (agreement, country, party or theme) pair: no agreement counts twice.
            # Grouped by the id alone (no join), then named from the options.
            named = self.options["ids"][name]
            counted = counts_by(rows, field.m2m_reverse_name())
            return {named[pk]: n for pk, n in counted.items() if pk in named}
        rows = (
            Agreement.objects.all()
            if everything
            else Agreement.objects.filter(pk__in=matching.values("pk"))
        )
        return counts_by(rows, name)

    def year_counts(self):
        """Agreements per year for the results with every filter but `year` applied."""
        return self.summary()["years"]

    def _year_counts(self):
        matching = self.queryset_without("year")
        rows = Agreement.objects.all()
        if matching.query.where:
            rows = rows.filter(pk__in=matching.values("pk"))
        rows = rows.order_by("year").values("year").annotate(n=Count("*"))
        return [(row["year"], row["n"]) for row in rows]
