"""The API's endpoints: a list and a record for every public model, read-only, validated
against the catalogue's version (ETag, Last-Modified, 304), answered in English whatever the
caller's language (French comes in the `…_fr` fields), and strict about their parameters."""

from datetime import UTC, datetime

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..caching import catalogue_version
from ..counting import once_per_version, records_once
from ..filters import (
    FACETS,
    FIRST_YEAR,
    LAST_YEAR,
    MATCHES,
    MAX_SEARCH_LENGTH,
    SORTS,
    AgreementFilter,
    catalogue_options,
)
from ..models import (
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
)
from ..models.sources import quotes_with_sources
from ..search import terms
from . import serializers as shapes
from .pagination import AgreementCursor, NumberedPages
from .problems import BadParameters


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """A kind of record: its list (numbered pages) and each record by its key."""

    pagination_class = NumberedPages
    list_parameters = ("page", "page_size", "changed_since")
    # Any path segment reaches the view, so that a key that names nothing is the API's 404
    # (a problem in JSON), not the site's HTML page.
    lookup_value_regex = "[^/]+"
    lookup_field = "slug"  # a record's key; countries' is their ISO code
    detail_serializer_class = None

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):  # the API speaks English, and leaves the thread as it was
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return  # a 405 follows, with Allow
        known = set(self.list_parameters) if self.action == "list" else set()
        known |= set(getattr(self, f"{self.action}_parameters", ()))
        self.refused = [
            (name, value, "not a parameter of this endpoint")
            for name, value in request.query_params.items()
            if name not in known
        ]
        if self.refused and not self.reads_filters():
            raise BadParameters(self.refused)

    def reads_filters(self):
        """Whether the action reads the agreement browser's filters, which say what else is
        wrong with the query before anything is refused (all of it at once)."""
        return False

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    def get_queryset(self):
        if self.action == "retrieve":
            return self.detail_queryset
        return self.since(self.queryset)

    def since(self, queryset):
        """Only the records written since `changed_since`, when it is given (a harvest)."""
        raw = self.request.query_params.get("changed_since")
        if raw is None:
            return queryset
        moment = moment_of(raw)
        if moment is None:
            reason = "an ISO 8601 date and time, e.g. 2026-01-31T00:00:00Z"
            raise BadParameters([("changed_since", raw, reason)])
        return queryset.filter(changed_at__gte=moment)

    def get_object(self):
        key = self.lookup_field
        return get_object_or_404(self.get_queryset(), **{key: self.kwargs[key]})


def moment_of(text):
    """A date and time in ISO 8601 ("2026-01-31T09:00:00Z", "2026-01-31"), UTC if it names no
    zone; None if it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip().upper().replace("Z", "+00:00"))
        # In UTC now: 9999-12-31T23:00-05:00 is past the last moment a database can hold.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


class AgencyViewSet(CatalogueViewSet):
    """Organisations the documents name as actors: agencies, institutes, governments,
    companies, intergovernmental bodies; by name."""

    queryset = Agency.objects.select_related("country").order_by("name", "slug")
    detail_queryset = Agency.objects.select_related("country").prefetch_related(
        quotes_with_sources()
    )
    serializer_class = shapes.AgencySerializer
    detail_serializer_class = shapes.AgencyDetailSerializer


class CountryViewSet(CatalogueViewSet):
    """Countries, by ISO 3166-1 code, with their French names (CLDR); by name."""

    queryset = Country.objects.order_by("name", "code")
    detail_queryset = Country.objects.prefetch_related(quotes_with_sources())
    serializer_class = shapes.CountrySerializer
    detail_serializer_class = shapes.CountryDetailSerializer
    lookup_field = "code"


ROLES = Prefetch("roles", queryset=Role.objects.select_related("agency", "source"))


class PersonViewSet(CatalogueViewSet):
    """Everyone the documents name, with each title a source gives them; by name."""

    queryset = Person.objects.prefetch_related(ROLES).order_by("name", "slug")
    detail_queryset = Person.objects.prefetch_related(ROLES, quotes_with_sources())
    serializer_class = shapes.PersonSerializer
    detail_serializer_class = shapes.PersonDetailSerializer


PARTNERS = Prefetch("partners", queryset=Agency.objects.select_related("country"))


class MissionViewSet(CatalogueViewSet):
    """Satellites, probes, launchers, ground systems, laboratories and programmes; by name."""

    queryset = Mission.objects.prefetch_related(PARTNERS, "countries", "themes").order_by(
        "name", "slug"
    )
    detail_queryset = Mission.objects.prefetch_related(
        PARTNERS, "countries", "themes", quotes_with_sources()
    )
    serializer_class = shapes.MissionSerializer
    detail_serializer_class = shapes.MissionDetailSerializer


class EventViewSet(CatalogueViewSet):
    """Visits, meetings, committees, forums, summits and launches; oldest first."""

    queryset = Event.objects.select_related("country").order_by(*Event._meta.ordering, "slug")
    detail_queryset = Event.objects.select_related("country").prefetch_related(
        "participants",
        Prefetch("agencies", queryset=Agency.objects.select_related("country")),
        "missions",
        quotes_with_sources(),
    )
    serializer_class = shapes.EventSerializer
    detail_serializer_class = shapes.EventDetailSerializer


class ThemeViewSet(CatalogueViewSet):
    """The themes of cooperation, a vocabulary the curators keep; by name."""

    queryset = Theme.objects.order_by("name", "slug")
    detail_queryset = Theme.objects.prefetch_related(quotes_with_sources())
    serializer_class = shapes.ThemeSerializer
    detail_serializer_class = shapes.ThemeDetailSerializer


class SourceViewSet(CatalogueViewSet):
    """The press releases the catalogue is built from; a source has its full text and every
    passage quoted from it, with the record it supports; oldest first."""

    queryset = Source.objects.order_by(*Source._meta.ordering, "slug")
    detail_queryset = Source.objects.prefetch_related(
        Prefetch("quotes", queryset=Quote.objects.order_by("pk").prefetch_related("record"))
    )
    serializer_class = shapes.SourceSerializer
    detail_serializer_class = shapes.SourceDetailSerializer


PARTIES = Prefetch("parties", queryset=Agency.objects.select_related("country"))

# The agreement browser's parameters, described for the schema as the browser reads them.
FILTER_PARAMETERS = [
    OpenApiParameter(
        "country",
        str,
        many=True,
        description="ISO code of a party's country or a country "
        "concerned; repeat for either (or, with match=all, each).",
    ),
    *(
        OpenApiParameter(
            name,
            {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
            description=description,
        )
        for name, description in (
            ("year", "Signed in that year."),
            ("year_from", "Signed in that year or later."),
            ("year_to", "Signed in that year or earlier."),
        )
    ),
    OpenApiParameter("theme", str, many=True, description="A theme's slug; repeat for either."),
    OpenApiParameter(
        "kind", str, many=True, enum=AgreementKind.values, description="Repeat for either."
    ),
    OpenApiParameter("status", str, enum=AgreementStatus.values),
    OpenApiParameter(
        "agency",
        str,
        many=True,
        description="A party's slug; repeat for either (or, with match=all, each).",
    ),
    OpenApiParameter(
        "q",
        {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_SEARCH_LENGTH,
            "pattern": r"^[^\x00]*$",
        },
        description="Words in titles, summaries, parties, signatories "
        "and quotes (English or French, accents optional).",
    ),
    OpenApiParameter("sort", str, enum=[value for value, _ in SORTS]),
    OpenApiParameter("match", str, enum=[value for value, _ in MATCHES]),
]


# The parameters whose values the schema constrains (an enumeration, a type, a pattern):
# given empty, they are refused.
VALUED = ("country", "theme", "agency", "kind", "status", "sort", "match", "year", "year_from",
          "year_to", "q")  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: shapes.AgreementSerializer(many=True)},
        description="The agreement browser's results, in its order, with its filters.",
    ),
)
class AgreementViewSet(CatalogueViewSet):
    """Agreements: every instrument the documents mention as signed, extended or announced,
    with its parties, signatories, themes, missions, dates and quotes."""

    queryset = Agreement.objects.all()
    detail_queryset = Agreement.objects.select_related(
        "event", "extends", "implements"
    ).prefetch_related(
        PARTIES,
        "themes",
        "countries",
        "countries_concerned",
        "signatories",
        "missions",
        quotes_with_sources(),
    )
    serializer_class = shapes.AgreementSerializer
    detail_serializer_class = shapes.AgreementDetailSerializer
    pagination_class = AgreementCursor
    list_parameters = ("cursor", "page_size", "changed_since", *AgreementFilter.base_filters)
    facets_parameters = tuple(AgreementFilter.base_filters)

    def filtered(self):
        """The browser's FilterSet over the query; what the page would ignore with a notice
        is refused here."""
        version = catalogue_version(self.request)[0]
        data = self.request.query_params.copy()
        for name in ("cursor", "page_size", "changed_since", *(n for n, _, _ in self.refused)):
            data.pop(name, None)
        self.filterset = AgreementFilter(
            data,
            queryset=Agreement.objects.all(),
            version=version,
            options=catalogue_options(version),
        )
        # The page's notices, less two it makes because a page must show something: a range
        # that ends before it starts, and a search with no word in it ("!!"), are questions
        # the API answers (no agreement), not wrong ones.
        query = self.request.query_params.get("q", "")
        self.searches_nothing = bool(query.strip()) and not terms(query)
        notices = self.filterset.notices + self.filterset.form_notices()
        if self.searches_nothing:
            notices = [n for n in notices if n.parameter != "q"]
        refused = self.refused + [(n.parameter, n.value, n.reason) for n in notices]
        refused += [
            (name, "", "empty: give a value or leave the parameter out")
            for name in VALUED
            if any(not value.strip() for value in self.request.query_params.getlist(name))
        ]
        if refused:
            raise BadParameters(refused)
        return self.filterset

    def reads_filters(self):
        return self.action in ("list", "facets")

    def list(self, request, *args, **kwargs):
        queryset = self.since(self.filtered().qs)
        if self.searches_nothing:
            queryset = queryset.none()
        return self.get_paginated_response(self.paginate_queryset(queryset))

    def get_object(self):
        agreement = super().get_object()
        # What extends or implements it, in one query rather than one per relation.
        later = list(
            Agreement.objects.filter(Q(extends=agreement) | Q(implements=agreement)).order_by(
                *Agreement._meta.ordering
            )
        )
        agreement.extended_by = [a for a in later if a.extends_id == agreement.pk]
        agreement.implemented_by = [a for a in later if a.implements_id == agreement.pk]
        return agreement

    def total(self, queryset):
        """How many agreements the search gives, counted once per catalogue version (the
        browser's own count, when it has counted this search's facets, is the same)."""
        if self.searches_nothing:
            return 0
        state = [pair for pair in self.filterset.state() if pair[0] != "sort"]
        state += [("changed_since", self.request.query_params.get("changed_since", ""))]
        return once_per_version(self.filterset.version, "api-total", state, queryset.count)

    def rows(self, ids):
        """The agreements of a page as the list shows them, in order: each serialized once per
        catalogue version (and host: its addresses are absolute), as the browser renders each
        row once; only those not yet made are read."""

        def serialized(missing):
            found = Agreement.objects.prefetch_related(PARTIES, "themes").in_bulk(missing)
            present = [pk for pk in missing if pk in found]
            shown = self.get_serializer([found[pk] for pk in present], many=True).data
            return dict(zip(present, shown, strict=True))

        version = self.filterset.version
        origin = self.request.build_absolute_uri("/")
        return records_once(version, f"api-agreement:{origin}", ids, serialized)

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: shapes.FacetsSerializer},
        description="How many agreements each option of each facet would give under the "
        "other filters (as the browser's counts), and the results by year.",
    )
    @action(detail=False, pagination_class=None)
    def facets(self, request):
        filterset = self.filtered()
        if self.searches_nothing:
            nothing = {name: [] for name, _label in FACETS}
            return Response({"total": 0, "facets": nothing, "years": []})
        summary = filterset.summary()
        facets = {}
        for name, _label in FACETS:
            counts, chosen = summary["counts"][name], filterset.selected(name)
            labels = dict(filterset.options[name])
            ranked = sorted(
                summary["ranked"][name], key=lambda v: (-counts[v], str(labels.get(v, v)))
            )
            facets[name] = [
                {
                    "value": value,
                    "label": str(labels.get(value, value)),
                    "count": counts[value],
                    "chosen": value in chosen,
                }
                for value in ranked
            ]
        years = [{"year": year, "count": n} for year, n in summary["years"]]
        return Response({"total": summary["total"], "facets": facets, "years": years})
