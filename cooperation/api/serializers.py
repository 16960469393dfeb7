"""The API's shapes: every record in snake_case, with both languages' fields side by side
(`title`, `title_fr`: null until a curator writes it), dates as
`{start, end, precision, as_written, inferred, reasoning}`, related records as
`{slug, name, url, api_url}` and quotes with their source and the link to the passage.

Readers' pages are in English at `url`; the API itself speaks no language of its own: the
vocabulary comes as codes with an English and a French label."""

from functools import lru_cache
from urllib.parse import quote as url_quote

from django.urls import get_script_prefix, reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dates import iso_dates, partial_date_display
from ..models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Country,
    Event,
    EventKind,
    Mission,
    MissionKind,
    MissionStatus,
    Person,
    Source,
    Theme,
)

# How each model is named in a reference and found in the API's routes.
API_ROUTES = {
    Agreement: "agreement",
    Country: "country",
    Agency: "agency",
    Person: "person",
    Mission: "mission",
    Event: "event",
    Theme: "theme",
    Source: "source",
}


def absolute(request, path):
    """The address of `path` on the host the caller asked (its origin found once a request)."""
    if request is None:
        return path
    origin = getattr(request, "_api_origin", None)
    if origin is None:
        origin = request._api_origin = request.build_absolute_uri("/")[:-1]
    return origin + path


PLACEHOLDER = "QZ"  # a key every route accepts (two letters: a country's code)


@lru_cache(maxsize=64)
def _address(model, api, prefix):
    """A record's path split around its key: `reverse()` once per kind of record, not once
    per record (a page of 200 agreements links a thousand records)."""
    key = model.natural_key_field
    if api:
        path = reverse(f"api:{API_ROUTES[model]}-detail", kwargs={key: PLACEHOLDER})
    else:
        with translation.override("en"):
            name = f"cooperation:{model._meta.model_name}_detail"
            path = reverse(name, kwargs={key: PLACEHOLDER})
    before, _, after = path.rpartition(PLACEHOLDER)
    return before, after


def _path(record, api):
    before, after = _address(type(record), api, get_script_prefix())
    return before + url_quote(str(getattr(record, record.natural_key_field)), safe="") + after


def page_url(record, request):
    """A record's page for readers, in English (`/en/…`), whatever language the caller asks."""
    return absolute(request, _path(record, api=False))


def api_url(record, request):
    return absolute(request, _path(record, api=True))


def name_of(record):
    return record.title if isinstance(record, Agreement | Source) else record.name


class RefSchema(serializers.Serializer):
    slug = serializers.CharField(help_text="The record's stable key (a country's ISO code).")
    name = serializers.CharField(help_text="Its name (an agreement's or a source's title).")
    url = serializers.URLField(help_text="Its page for readers.")
    api_url = serializers.URLField(help_text="Its record in this API.")


@extend_schema_field(RefSchema)
class Ref(serializers.Field):
    """A related record: `{slug, name, url, api_url}`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, record):
        return ref(record, self.context.get("request"))


def ref(record, request):
    return {
        "slug": record.natural_key()[0],
        "name": name_of(record),
        "url": page_url(record, request),
        "api_url": api_url(record, request),
    }


def refs(**kwargs):
    return serializers.ListField(child=Ref(), read_only=True, **kwargs)


class PartySchema(RefSchema):
    acronym = serializers.CharField(help_text="Its acronym, or an empty string.")
    country = serializers.CharField(allow_null=True, help_text="Its country's ISO code.")


@extend_schema_field(PartySchema)
class PartyRef(Ref):
    """An organisation in a list of parties or partners: a reference with its acronym and the
    ISO code of its country (null for an intergovernmental body)."""

    def to_representation(self, agency):
        data = super().to_representation(agency)
        data["acronym"] = agency.acronym
        data["country"] = agency.country_id and agency.country.code
        return data


class DateSchema(serializers.Serializer):
    start = serializers.CharField(
        allow_null=True, help_text='ISO 8601 as precise as known: "2018-11-02", "2019-03", "2016".'
    )
    end = serializers.CharField(allow_null=True, help_text="The end of a range, else null.")
    precision = serializers.ChoiceField(choices=["day", "month", "year", "range", "unknown"])
    as_written = serializers.CharField(help_text='As a reader writes it: "2–4 November 2018".')
    as_written_fr = serializers.CharField(help_text='In French: "2–4 novembre 2018".')
    inferred = serializers.BooleanField(help_text="The documents do not state it in full.")
    reasoning = serializers.CharField(help_text="How it was inferred (empty if it was not).")
    reasoning_fr = serializers.CharField(allow_null=True, help_text="The same, in French.")


@extend_schema_field(DateSchema)
class PartialDateField(serializers.Field):
    """A partial date with its precision, as written in both languages, and its reasoning."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        parts = tuple(getattr(record, name) for name in record.date_part_names)
        start, end, english, french = _written(parts)
        return {
            "start": start or None,
            "end": end or None,
            "precision": record.date_precision,
            "as_written": english,
            "as_written_fr": french,
            "inferred": record.date_is_inferred,
            "reasoning": record.date_inference,
            "reasoning_fr": record.date_inference_fr,
        }


@lru_cache(maxsize=4096)
def _written(parts):
    """(start, end, as written in English, in French) of a date's parts: dates repeat."""
    written = []
    for language in ("en", "fr"):
        with translation.override(language):
            written.append(partial_date_display(*parts))
    return (*iso_dates(*parts), *written)


class LabelSchema(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    label_fr = serializers.CharField()


@extend_schema_field(LabelSchema)
class ChoiceLabel(serializers.Field):
    """A choice of a vocabulary (kind, status): `{code, label, label_fr}`."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        english, french = _labels(self.choices)
        return {
            "code": value,
            "label": english.get(value, value),
            "label_fr": french.get(value, value),
        }


@lru_cache(maxsize=16)
def _labels(choices):
    """A vocabulary's labels in English and in French, once per process."""
    labels = []
    for language in ("en", "fr"):
        with translation.override(language):
            labels.append({code: str(label) for code, label in choices.choices})
    return tuple(labels)


class QuoteSchema(serializers.Serializer):
    text = serializers.CharField(help_text="Verbatim, in the language of its source.")
    language = serializers.CharField(help_text="The source's language (ISO 639-1).")
    source = RefSchema()
    passage_url = serializers.URLField(help_text="The passage, highlighted in its source.")


@extend_schema_field(QuoteSchema(many=True))
class Quotes(serializers.Field):
    """A record's quotes (prefetched with their sources), each linked to its passage."""

    def __init__(self, **kwargs):
        super().__init__(source="quotes.all", read_only=True, **kwargs)

    def to_representation(self, quotes):
        request = self.context.get("request")
        shown = []
        for quote in quotes:
            source = ref(quote.source, request)
            shown.append(
                {
                    "text": quote.text,
                    "language": quote.source.language,
                    "source": source,
                    "passage_url": absolute(
                        request, f"{page_url(quote.source, None)}#{quote.html_id}"
                    ),
                }
            )
        return shown


class RecordSerializer(serializers.Serializer):
    """What every record carries: its page and its API address, and when it last changed."""

    url = serializers.SerializerMethodField(help_text="Its page for readers.")
    api_url = serializers.SerializerMethodField(help_text="Its record in this API.")
    changed_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was last written (see `changed_since`)."
    )

    def get_fields(self):
        """The record's own fields first, its addresses and its date of change last."""
        fields = super().get_fields()
        for name in ("url", "api_url", "changed_at"):
            fields[name] = fields.pop(name)
        return fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, record):
        return page_url(record, self.context.get("request"))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, record):
        return api_url(record, self.context.get("request"))


class ThemeSerializer(RecordSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    name_fr = serializers.CharField(allow_null=True)
    description = serializers.CharField()
    description_fr = serializers.CharField(allow_null=True)


class ThemeDetailSerializer(ThemeSerializer):
    quotes = Quotes()


class CountrySerializer(RecordSerializer):
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2.")
    name = serializers.CharField()
    name_fr = serializers.SerializerMethodField(help_text="CLDR's French name.")

    def get_name_fr(self, country) -> str:
        from ..models.vocabulary import local_country_name

        return local_country_name(country.code, country.name, "fr")


class CountryDetailSerializer(CountrySerializer):
    quotes = Quotes()


class AgencySerializer(RecordSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    kind = ChoiceLabel(AgencyKind)
    country = Ref(allow_null=True)
    notes = serializers.CharField()
    notes_fr = serializers.CharField(allow_null=True)


class AgencyDetailSerializer(AgencySerializer):
    quotes = Quotes()


class RoleSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="As the source gives it.")
    agency = Ref(allow_null=True)
    source = Ref()


class PersonSerializer(RecordSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    roles = RoleSerializer(many=True, source="roles.all")
    notes = serializers.CharField()
    notes_fr = serializers.CharField(allow_null=True)


class PersonDetailSerializer(PersonSerializer):
    quotes = Quotes()


class MissionSerializer(RecordSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    full_name = serializers.CharField()
    kind = ChoiceLabel(MissionKind)
    status = ChoiceLabel(MissionStatus)
    date = PartialDateField(help_text="Its launch or start, as the documents give it.")
    summary = serializers.CharField()
    summary_fr = serializers.CharField(allow_null=True)
    partners = serializers.ListField(child=PartyRef(), source="partners.all", read_only=True)
    countries = refs(source="countries.all")
    themes = refs(source="themes.all")


class MissionDetailSerializer(MissionSerializer):
    notes = serializers.CharField()
    notes_fr = serializers.CharField(allow_null=True)
    quotes = Quotes()


class EventSerializer(RecordSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    name_fr = serializers.CharField(allow_null=True)
    kind = ChoiceLabel(EventKind)
    date = PartialDateField()
    place = serializers.CharField()
    country = Ref(allow_null=True)
    summary = serializers.CharField()
    summary_fr = serializers.CharField(allow_null=True)


class EventDetailSerializer(EventSerializer):
    notes = serializers.CharField()
    notes_fr = serializers.CharField(allow_null=True)
    participants = refs(source="participants.all")
    agencies = serializers.ListField(child=PartyRef(), source="agencies.all", read_only=True)
    missions = refs(source="missions.all")
    quotes = Quotes()


class AgreementSerializer(RecordSerializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    title_fr = serializers.CharField(allow_null=True)
    kind = ChoiceLabel(AgreementKind)
    status = ChoiceLabel(AgreementStatus)
    date = PartialDateField(help_text="Its signature (a roadmap's release).")
    place = serializers.CharField()
    parties = serializers.ListField(child=PartyRef(), source="parties.all", read_only=True)
    themes = refs(source="themes.all")
    summary = serializers.CharField()
    summary_fr = serializers.CharField(allow_null=True)


class AgreementDetailSerializer(AgreementSerializer):
    valid_until_year = serializers.IntegerField(allow_null=True)
    notes = serializers.CharField()
    notes_fr = serializers.CharField(allow_null=True)
    countries = refs(source="countries.all", help_text="Its parties' and those it concerns.")
    countries_concerned = refs(source="countries_concerned.all")
    countries_concerned_reasoning = serializers.CharField()
    countries_concerned_reasoning_fr = serializers.CharField(allow_null=True)
    signatories = refs(source="signatories.all")
    missions = refs(source="missions.all")
    event = Ref(allow_null=True)
    extends = Ref(allow_null=True)
    implements = Ref(allow_null=True)
    extended_by = refs(help_text="The agreements that extend it.")
    implemented_by = refs(help_text="The agreements that implement it.")
    quotes = Quotes()


class PassageSchema(serializers.Serializer):
    anchor = serializers.CharField()
    text = serializers.CharField()
    url = serializers.URLField(help_text="The passage, highlighted on the source's page.")
    record_type = serializers.CharField(help_text="agreement, agency, person, mission, …")
    record = RefSchema()


class SourceSerializer(RecordSerializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    reference = serializers.CharField()
    language = serializers.CharField()
    place = serializers.CharField()
    date = PartialDateField(help_text="Its publication.")


class SourceDetailSerializer(SourceSerializer):
    text = serializers.CharField(help_text="The full text, exactly as published.")
    notes = serializers.CharField()
    notes_fr = serializers.CharField(allow_null=True)
    passages = serializers.SerializerMethodField(help_text="Every quoted passage, in order.")

    @extend_schema_field(PassageSchema(many=True))
    def get_passages(self, source):
        request = self.context.get("request")
        page = page_url(source, request)
        passages = []
        for quote in source.quotes.all():
            record = quote.record
            if record is None:
                continue
            passages.append(
                {
                    "anchor": quote.anchor,
                    "text": quote.text,
                    "url": f"{page}#{quote.html_id}",
                    "record_type": record._meta.model_name,
                    "record": ref(record, request),
                }
            )
        return passages


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The parameter's value: a code or a slug.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Agreements it would give, the rest as asked.")
    chosen = serializers.BooleanField()


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True, help_text="Null: no known year.")
    count = serializers.IntegerField()


class FacetListsSerializer(serializers.Serializer):
    country = FacetOptionSerializer(many=True)
    theme = FacetOptionSerializer(many=True)
    kind = FacetOptionSerializer(many=True)
    agency = FacetOptionSerializer(many=True)


class FacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Agreements that match the search.")
    facets = FacetListsSerializer()
    years = YearCountSerializer(many=True)
