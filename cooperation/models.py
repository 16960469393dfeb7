"""The catalogue's data model: who cooperates with whom, on what, when, and on whose word."""

import calendar

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.dates import MONTHS

from .quotes import quote_occurs_in


class CatalogueQuerySet(models.QuerySet):
    """Queries shared by every catalogue model: lookup by natural key."""

    def get_by_natural_key(self, key):
        return self.get(**{self.model.natural_key_field: key})


class CatalogueModel(models.Model):
    """A record identified by a stable natural key (a slug or a code), never by its database id."""

    natural_key_field = "slug"

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (getattr(self, self.natural_key_field),)


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    RANGE = "range", "Range"
    UNKNOWN = "unknown", "Unknown"


def _parts_present(prefix, *, month, day):
    """Q for a date whose month and day parts are present or absent as asked."""
    return Q(
        **{
            f"{prefix}year__isnull": False,
            f"{prefix}month__isnull": not month,
            f"{prefix}day__isnull": not day,
        }
    )


_NO_END = Q(end_year__isnull=True, end_month__isnull=True, end_day__isnull=True)
_NO_START = Q(year__isnull=True, month__isnull=True, day__isnull=True)
_RANGE_GRANULARITY = (
    (_parts_present("", month=True, day=True) & _parts_present("end_", month=True, day=True))
    | (_parts_present("", month=True, day=False) & _parts_present("end_", month=True, day=False))
    | (_parts_present("", month=False, day=False) & _parts_present("end_", month=False, day=False))
)
# A range ends strictly after it starts ("2018–2018" is the year 2018, not a range). Each
# comparison first asks that its parts exist: a CHECK constraint lets NULL (unknown) pass.
_RANGE_ORDERED = (
    Q(end_year__gt=F("year"))
    | Q(end_year=F("year"), month__isnull=False, end_month__gt=F("month"))
    | Q(
        end_year=F("year"),
        month__isnull=False,
        end_month=F("month"),
        day__isnull=False,
        end_day__gt=F("day"),
    )
)


class PartialDate(models.Model):
    """A date as precise as the documents allow: a day, a month, a year, a range, or unknown.

    A range has an end at the same granularity as its start (2–4 November 2018, 2023–2024).
    """

    # The parts a date is shown from, and with them every field of a partial date.
    date_part_names = ("date_precision", "year", "month", "day", "end_year", "end_month", "end_day")
    date_field_names = (*date_part_names, "date_is_inferred", "date_inference")

    date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    end_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    date_is_inferred = models.BooleanField(
        default=False, help_text="The documents do not state this date in full; it was inferred."
    )
    date_inference = models.TextField(
        blank=True, help_text="One sentence: how the date was inferred, and from what."
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_date_parts_match_precision",
                condition=(
                    Q(date_precision=DatePrecision.DAY)
                    & _parts_present("", month=True, day=True)
                    & _NO_END
                )
                | (
                    Q(date_precision=DatePrecision.MONTH)
                    & _parts_present("", month=True, day=False)
                    & _NO_END
                )
                | (
                    Q(date_precision=DatePrecision.YEAR)
                    & _parts_present("", month=False, day=False)
                    & _NO_END
                )
                | (Q(date_precision=DatePrecision.RANGE) & _RANGE_GRANULARITY & _RANGE_ORDERED)
                | (Q(date_precision=DatePrecision.UNKNOWN) & _NO_START & _NO_END),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_inferred_date_has_reasoning",
                condition=(Q(date_is_inferred=False) & Q(date_inference=""))
                | (Q(date_is_inferred=True) & ~Q(date_inference="")),
            ),
        ]

    def clean(self):
        super().clean()
        for prefix in ("", "end_"):
            year, month, day = (
                getattr(self, f"{prefix}{part}") for part in ("year", "month", "day")
            )
            valid_month = isinstance(month, int) and 1 <= month <= 12
            if (
                isinstance(year, int)
                and valid_month
                and isinstance(day, int)
                and day > calendar.monthrange(year, month)[1]
            ):
                raise ValidationError({f"{prefix}day": f"{MONTHS[month]} {year} has no day {day}."})
        if not self._date_parts_match_precision():
            needs = _DATE_NEEDS.get(self.date_precision, "a valid precision")
            raise ValidationError(
                {"date_precision": f"A {self.date_precision} date needs {needs}."}
            )
        if self.date_is_inferred and not self.date_inference.strip():
            raise ValidationError({"date_inference": "Say how an inferred date was inferred."})
        if self.date_inference.strip() and not self.date_is_inferred:
            raise ValidationError({"date_is_inferred": "Tick this box: the date has a reasoning."})

    def _date_parts_match_precision(self):
        start = (self.year, self.month, self.day)
        end = (self.end_year, self.end_month, self.end_day)
        shape = tuple(part is not None for part in start)
        end_shape = tuple(part is not None for part in end)
        if shape not in _DATE_SHAPES.get(self.date_precision, ()):
            return False
        if self.date_precision == DatePrecision.RANGE:
            present = sum(shape)
            return end_shape == shape and end[:present] > start[:present]
        return end_shape == (False, False, False)

    @property
    def date_display(self):
        """The date as a reader writes it: "9 January 2018", "March 2019", "2–4 November 2018"."""
        return partial_date_display(*(getattr(self, name) for name in self.date_part_names))


def partial_date_display(precision, year, month, day, end_year, end_month, end_day):
    """A partial date as written, from its parts (see PartialDate.date_display)."""
    if precision == DatePrecision.UNKNOWN or year is None:
        return "Date unknown"
    start = _format_date(year, month, day)
    if precision != DatePrecision.RANGE:
        return start
    end = _format_date(end_year, end_month, end_day)
    if end_year != year:
        return f"{start}–{end}" if month is None else f"{start} – {end}"
    # Within one year, the end carries the year (and, within one month, the month).
    if month is None:
        return start
    if day is None:
        return f"{MONTHS[month]}–{end}"
    if end_month != month:
        return f"{day} {MONTHS[month]} – {end}"
    return f"{day}–{end}"


# Which of (year, month, day) a date of each precision has; a range's end has its start's parts.
_DATE_SHAPES = {
    DatePrecision.DAY: {(True, True, True)},
    DatePrecision.MONTH: {(True, True, False)},
    DatePrecision.YEAR: {(True, False, False)},
    DatePrecision.RANGE: {(True, True, True), (True, True, False), (True, False, False)},
    DatePrecision.UNKNOWN: {(False, False, False)},
}
_DATE_NEEDS = {
    DatePrecision.DAY: "a year, a month and a day, and no end",
    DatePrecision.MONTH: "a year and a month, no day and no end",
    DatePrecision.YEAR: "a year only",
    DatePrecision.RANGE: "a start and an end with the same parts, the end after the start",
    DatePrecision.UNKNOWN: "no date parts at all",
}


def _format_date(year, month=None, day=None):
    if month is None:
        return str(year)
    if day is None:
        return f"{MONTHS[month]} {year}"
    return f"{day} {MONTHS[month]} {year}"


def _chronological(*, newest_first):
    """Ordering by the partial date, unknown dates last whichever the direction."""
    parts = ("year", "month", "day")
    if newest_first:
        return [F(part).desc(nulls_last=True) for part in parts]
    return [F(part).asc(nulls_last=True) for part in parts]


class Theme(CatalogueModel):
    """A subject of cooperation, from a small vocabulary that curators maintain."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(help_text="One line: what the theme covers.")
    quotes = GenericRelation("Quote", related_query_name="theme")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:theme_detail", kwargs={"slug": self.slug})


class Country(CatalogueModel):
    """A country, identified by its ISO 3166-1 alpha-2 code."""

    natural_key_field = "code"

    code = models.CharField(
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two capital letters of ISO 3166-1.")],
        help_text="ISO 3166-1 alpha-2 code, e.g. FR.",
    )
    name = models.CharField(max_length=100)
    quotes = GenericRelation("Quote", related_query_name="country")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                name="cooperation_country_code_is_iso_alpha2",
                condition=Q(code__regex=r"^[A-Z]{2}$"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:country_detail", kwargs={"code": self.code})


class Source(CatalogueModel, PartialDate):
    """A document the catalogue is built from (a press release), with its full text."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=100)
    reference = models.CharField(
        max_length=50, blank=True, help_text="The publisher's reference code, where given."
    )
    language = models.CharField(max_length=10, default="en")
    place = models.CharField(max_length=100, blank=True)
    file_name = models.CharField(
        max_length=100, blank=True, help_text="The document's file name in the seed collection."
    )
    text = models.TextField(help_text="The full text, exactly as published.")
    notes = models.TextField(blank=True)

    class Meta(PartialDate.Meta):
        ordering = [*_chronological(newest_first=False), "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperation:source_detail", kwargs={"slug": self.slug})


class Quote(models.Model):
    """A verbatim passage of a source that supports a record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(help_text="Copied verbatim from the source's text.")

    class Meta:
        ordering = ["source", "text"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(name="cooperation_quote_not_empty", condition=~Q(text=""))
        ]

    def __str__(self):
        return f"“{self.text[:60]}…” ({self.source})" if len(self.text) > 60 else f"“{self.text}”"

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#quote-{self.pk}"

    def clean(self):
        super().clean()
        if self.source_id and self.text and not quote_occurs_in(self.text, self.source.text):
            raise ValidationError(
                {"text": f"This passage is not in the text of “{self.source}”: copy it verbatim."}
            )


class AgencyKind(models.TextChoices):
    SPACE_AGENCY = "space_agency", "Space agency"
    RESEARCH_INSTITUTE = "research_institute", "Academy or research institute"
    LABORATORY = "laboratory", "Research laboratory"
    UNIVERSITY = "university", "University"
    GOVERNMENT = "government", "Government"
    GOVERNMENT_OFFICE = "government_office", "Ministry or government office"
    COMPANY = "company", "Company"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
    OTHER = "other", "Other organisation"


class Agency(CatalogueModel):
    """An organisation that acts in the documents: an agency, institute, government, company…"""

    slug = models.SlugField(max_length=60, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=200, help_text="The full name as the documents give it.")
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        help_text="Empty for intergovernmental bodies.",
    )
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    notes = models.TextField(blank=True)
    quotes = GenericRelation("Quote", related_query_name="agency")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("cooperation:agency_detail", kwargs={"slug": self.slug})


class Person(CatalogueModel):
    """Someone the documents name: a signatory, an agency head, a head of state, a press contact."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    notes = models.TextField(blank=True)
    quotes = GenericRelation("Quote", related_query_name="person")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:person_detail", kwargs={"slug": self.slug})


class Role(models.Model):
    """A title a person holds according to one source (President of CNES, Press Officer…)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="roles")

    class Meta:
        ordering = ["person", "title"]

    def __str__(self):
        return (
            f"{self.title}, {self.agency.acronym or self.agency.name}"
            if self.agency
            else self.title
        )


class MissionKind(models.TextChoices):
    SATELLITE = "satellite", "Satellite"
    PROBE = "probe", "Space probe"
    LAUNCHER = "launcher", "Launch vehicle"
    GROUND_SYSTEM = "ground_system", "Ground system or launch facility"
    NAVIGATION_SYSTEM = "navigation_system", "Satellite navigation system"
    STATION = "station", "Space station"
    LABORATORY = "laboratory", "Research laboratory"
    PROGRAMME = "programme", "Programme or initiative"


class MissionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_DEVELOPMENT = "in_development", "In development"
    OPERATIONAL = "operational", "Operational"
    COMPLETED = "completed", "Completed"
    UNKNOWN = "unknown", "Not stated"


class Mission(CatalogueModel, PartialDate):
    """A satellite, probe, launcher, ground system, laboratory or programme the documents name.

    Its date is the launch or start date the documents give (planned or achieved).
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    full_name = models.CharField(max_length=250, blank=True)
    kind = models.CharField(max_length=30, choices=MissionKind.choices)
    status = models.CharField(max_length=20, choices=MissionStatus.choices)
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    partners = models.ManyToManyField(Agency, blank=True, related_name="missions")
    countries = models.ManyToManyField(Country, blank=True, related_name="missions")
    themes = models.ManyToManyField(Theme, blank=True, related_name="missions")
    quotes = GenericRelation("Quote", related_query_name="mission")

    class Meta(PartialDate.Meta):
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["year"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:mission_detail", kwargs={"slug": self.slug})


class EventKind(models.TextChoices):
    STATE_VISIT = "state_visit", "State visit"
    OFFICIAL_VISIT = "official_visit", "Official visit"
    MEETING = "meeting", "Meeting"
    COMMITTEE = "committee", "Committee meeting"
    FORUM = "forum", "Forum or conference"
    SUMMIT = "summit", "Summit"
    SHOW = "show", "Trade show"
    LAUNCH = "launch", "Launch"
    CEREMONY = "ceremony", "Signing ceremony"


class Event(CatalogueModel, PartialDate):
    """A visit, meeting, committee session, forum, summit or launch the documents describe."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=250)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    place = models.CharField(max_length=150, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    participants = models.ManyToManyField(Person, blank=True, related_name="events")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="events")
    missions = models.ManyToManyField(Mission, blank=True, related_name="events")
    quotes = GenericRelation("Quote", related_query_name="event")

    class Meta(PartialDate.Meta):
        ordering = [*_chronological(newest_first=False), "name"]
        indexes = [models.Index(fields=["year"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:event_detail", kwargs={"slug": self.slug})


class AgreementQuerySet(CatalogueQuerySet):
    """Agreements narrowed by what readers filter on, and prepared for the pages that show them."""

    def for_list(self):
        """What a row of the agreement list shows: parties with their countries, themes."""
        return self.prefetch_related(
            Prefetch("parties", queryset=Agency.objects.select_related("country")), "themes"
        )

    def for_detail(self):
        return self.select_related("event", "extends", "implements").prefetch_related(
            Prefetch("parties", queryset=Agency.objects.select_related("country")),
            Prefetch("signatories", queryset=Person.objects.prefetch_related("roles__agency")),
            "themes",
            "missions",
            "extensions",
            "implementations",
            Prefetch("quotes", queryset=Quote.objects.select_related("source")),
        )

    def with_parties_in(self, country_codes):
        links = Agreement.parties.through.objects.filter(agency__country__code__in=country_codes)
        return self.filter(pk__in=links.values("agreement_id"))

    def with_parties(self, agency_slugs):
        links = Agreement.parties.through.objects.filter(agency__slug__in=agency_slugs)
        return self.filter(pk__in=links.values("agreement_id"))

    def with_themes(self, theme_slugs):
        links = Agreement.themes.through.objects.filter(theme__slug__in=theme_slugs)
        return self.filter(pk__in=links.values("agreement_id"))

    def search(self, text):
        """Every word (or "phrase") must occur in the title, summary, place, a party, a
        signatory or a quote: full-text search on PostgreSQL, word beginnings elsewhere."""
        from .search import search

        return search(self, text)


class AgreementKind(models.TextChoices):
    FRAMEWORK = "framework", "Framework agreement"
    MEMORANDUM = "memorandum", "Memorandum of understanding"
    LETTER_OF_INTENT = "letter_of_intent", "Letter of intent"
    EXTENSION = "extension", "Extension"
    IMPLEMENTING = "implementing", "Specific or implementing agreement"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental agreement"
    INTERAGENCY = "interagency", "Inter-agency agreement"
    ROADMAP = "roadmap", "Roadmap"
    FOUNDING = "founding", "Founding document"
    PARTNERSHIP = "partnership", "Partnership agreement"
    OTHER = "other", "Other agreement"


class AgreementStatus(models.TextChoices):
    SIGNED = "signed", "Signed"
    ADOPTED = "adopted", "Adopted or released"
    IN_FORCE = "in_force", "In force"
    PLANNED = "planned", "Planned"


class Agreement(CatalogueModel, PartialDate):
    """An instrument of cooperation: signed, extended, announced or recalled by a document.

    Its date is the date of signature (or of release, for a roadmap).
    """

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=AgreementKind.choices)
    status = models.CharField(max_length=20, choices=AgreementStatus.choices)
    place = models.CharField(max_length=150, blank=True)
    valid_until_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year the agreement covers, where a document says."
    )
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="What the documents leave open.")
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        help_text="The visit or meeting where it was signed.",
    )
    extends = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="extensions"
    )
    implements = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="implementations"
    )
    parties = models.ManyToManyField(Agency, blank=True, related_name="agreements")
    signatories = models.ManyToManyField(Person, blank=True, related_name="agreements")
    themes = models.ManyToManyField(Theme, blank=True, related_name="agreements")
    missions = models.ManyToManyField(Mission, blank=True, related_name="agreements")
    quotes = GenericRelation("Quote", related_query_name="agreement")
    search_text = models.TextField(
        blank=True, editable=False, help_text="What the agreement is found by (cooperation.search)."
    )

    objects = AgreementQuerySet.as_manager()

    class Meta(PartialDate.Meta):
        ordering = [*_chronological(newest_first=True), "title", "slug"]
        indexes = [
            models.Index(fields=["year"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            *PartialDate.Meta.constraints,
            models.CheckConstraint(
                name="cooperation_agreement_ends_after_signature",
                condition=Q(valid_until_year__isnull=True)
                | Q(year__isnull=True)
                | Q(valid_until_year__gte=F("year")),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperation:agreement_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.valid_until_year and self.year and self.valid_until_year < self.year:
            raise ValidationError(
                {"valid_until_year": "An agreement cannot end before the year it was signed."}
            )
        if self.pk and self.extends_id == self.pk:
            raise ValidationError({"extends": "An agreement cannot extend itself."})
        if self.pk and self.implements_id == self.pk:
            raise ValidationError({"implements": "An agreement cannot implement itself."})


class FixtureSnapshot(models.Model):
    """The catalogue as the fixture files last held it (after a reload or an export), one row per
    model: what `reload_fixtures` compares the database with to find edits not yet exported."""

    model = models.CharField(max_length=100, unique=True)
    states = models.JSONField(
        help_text="Every record in the files' canonical form, by natural key."
    )
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self):
        return f"{self.model} as of {self.taken_at:%Y-%m-%d %H:%M}"


class CatalogueVersion(models.Model):
    """A number that every write to the catalogue increases: pages are cached and validated
    against it, so that no change can leave a stale page behind."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"catalogue version {self.number}"

    @classmethod
    def current(cls):
        """(number, time of the last change); (0, None) before the first write."""
        row = cls.objects.values_list("number", "changed_at").first()
        return row or (0, None)

    @classmethod
    def bump(cls):
        from django.utils import timezone

        updated = cls.objects.filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now())
        if not updated:
            cls.objects.create(pk=1, number=1)
