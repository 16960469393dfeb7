"""Agreements: the instruments of cooperation, and the queries the pages make of them."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..dates import PartialDate, chronological
from ..translated import Translated, in_french
from .activities import Event, Mission
from .actors import Agency, Person, Role
from .base import CatalogueModel, DatedQuerySet, counts_by, kept_history
from .sources import Quote, quotes_with_sources
from .vocabulary import Country, Theme


class AgreementQuerySet(DatedQuerySet):
    """Agreements narrowed by what readers filter on, and prepared for the pages that show them."""

    def for_list(self):
        """What a row of the agreement list shows: parties with their countries, themes."""
        return self.prefetch_related(
            Prefetch("parties", queryset=Agency.objects.select_related("country")), "themes"
        )

    def for_detail(self):
        return self.select_related("event", "extends", "implements").prefetch_related(
            Prefetch("parties", queryset=Agency.objects.select_related("country")),
            Prefetch(
                "signatories",
                queryset=Person.objects.prefetch_related(
                    Prefetch("roles", queryset=Role.objects.select_related("agency"))
                ),
            ),
            "countries_concerned",
            "themes",
            "missions",
            "extensions",
            "implementations",
            quotes_with_sources(),
        )

    def newest_first(self):
        return self.order_by(*Agreement._meta.ordering)

    def refresh_countries(self, chunk=2000):
        """Make `countries` hold, for these agreements, their parties' countries and the
        countries they concern."""
        through = Agreement.countries.through
        ids = list(self.values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            batch = ids[start : start + chunk]
            wanted = set(
                Agreement.parties.through.objects.filter(
                    agreement_id__in=batch, agency__country__isnull=False
                ).values_list("agreement_id", "agency__country_id")
            )
            wanted |= set(
                Agreement.countries_concerned.through.objects.filter(
                    agreement_id__in=batch
                ).values_list("agreement_id", "country_id")
            )
            rows = through.objects.filter(agreement_id__in=batch)
            have = set(rows.values_list("agreement_id", "country_id"))
            through.objects.bulk_create(
                [through(agreement_id=a, country_id=c) for a, c in sorted(wanted - have)]
            )
            for agreement, country in have - wanted:
                rows.filter(agreement_id=agreement, country_id=country).delete()

    def refresh_links(self, chunk=2000):
        """Make `links` hold, for these agreements, the ids of their records of each of
        LINKED_RELATIONS (in id order) and their number of quotes."""
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(Agreement)
        ids = list(self.values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            batch = ids[start : start + chunk]
            links = {pk: {name: [] for name in LINKED_RELATIONS} for pk in batch}
            for name in LINKED_RELATIONS:
                field = Agreement._meta.get_field(name)
                rows = field.remote_field.through.objects.filter(agreement_id__in=batch)
                pairs = rows.order_by(field.m2m_reverse_name()).values_list(
                    "agreement_id", field.m2m_reverse_name()
                )
                for agreement, linked in pairs:
                    links[agreement][name].append(linked)
            quotes = Quote.objects.filter(content_type=content_type, object_id__in=batch)
            counted = counts_by(quotes, "object_id")
            for pk, value in links.items():
                value["quotes"] = counted.get(pk, 0)
            kept = dict(Agreement.objects.filter(pk__in=batch).values_list("pk", "links"))
            changed = [Agreement(pk=pk, links=v) for pk, v in links.items() if kept.get(pk) != v]
            Agreement.objects.bulk_update(changed, ["links"])

    def linked_to(self, relation, ids):
        """Agreements linked through `relation` ("countries", "parties", "themes") to any of
        these records' ids: one semi-join on the link table, whose statistics the planner
        knows by id."""
        field = Agreement._meta.get_field(relation)
        links = field.remote_field.through.objects.filter(
            **{f"{field.m2m_reverse_name()}__in": ids}
        )
        return self.filter(pk__in=links.values("agreement_id"))

    def search(self, text):
        """Every word (or "phrase") must occur in the title, summary, place, a party, a
        signatory or a quote: full-text search on PostgreSQL, word beginnings elsewhere."""
        from ..search import search

        return search(self, text)

    @staticmethod
    def shared_by_parties(agency_ids):
        """[(agency id, agency id, agreements they are both party to)] for pairs of these
        agencies, each pair once (the smaller id first)."""
        links = Agreement.parties.through.objects
        pairs = (
            # One filter() call: both conditions must speak of the same partner (one join).
            links.filter(
                agency_id__in=agency_ids,
                agreement__parties__in=agency_ids,
                agency_id__lt=F("agreement__parties"),
            )
            .values_list("agency_id", "agreement__parties")
            .annotate(n=Count("agreement_id", distinct=True))
            .order_by()
        )
        return list(pairs)


class AgreementKind(models.TextChoices):
    FRAMEWORK = "framework", _("Framework agreement")
    MEMORANDUM = "memorandum", _("Memorandum of understanding")
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    EXTENSION = "extension", _("Extension")
    IMPLEMENTING = "implementing", _("Specific or implementing agreement")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental agreement")
    INTERAGENCY = "interagency", _("Inter-agency agreement")
    ROADMAP = "roadmap", _("Roadmap")
    FOUNDING = "founding", _("Founding document")
    PARTNERSHIP = "partnership", _("Partnership agreement")
    OTHER = "other", _("Other agreement")


class AgreementStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    ADOPTED = "adopted", _("Adopted or released")
    IN_FORCE = "in_force", _("In force")
    PLANNED = "planned", _("Planned")


# The relations whose ids an agreement's `links` keeps.
LINKED_RELATIONS = ("parties", "countries", "countries_concerned", "signatories", "themes")


class Agreement(CatalogueModel, PartialDate):
    """An instrument of cooperation: signed, extended, announced or recalled by a document.

    Its date is the date of signature (or of release, for a roadmap).
    """

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_fr = in_french(_("title in French"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=AgreementStatus.choices)
    place = models.CharField(_("place"), max_length=150, blank=True)
    valid_until_year = models.PositiveSmallIntegerField(
        _("valid until year"),
        null=True,
        blank=True,
        help_text=_("Last year the agreement covers, where a document says."),
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_fr = in_french(_("summary in French"))
    notes = models.TextField(_("notes"), blank=True, help_text=_("What the documents leave open."))
    notes_fr = in_french(_("notes in French"))
    countries_concerned_reasoning = models.TextField(
        _("countries concerned reasoning"),
        blank=True,
        help_text=_("Where the countries concerned are a reading of the text, not stated: why."),
    )
    countries_concerned_reasoning_fr = in_french(_("countries concerned reasoning in French"))
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        help_text=_("The visit or meeting where it was signed."),
        verbose_name=_("event"),
    )
    # Indexed where set only (Meta.indexes): most agreements extend or implement nothing, and
    # a full index told SQLite's planner that every agreement shares the one value, NULL, so
    # an agreement's extensions were looked for by reading the whole catalogue in order.
    extends = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="extensions",
        verbose_name=_("extends"),
    )
    implements = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="implementations",
        verbose_name=_("implements"),
    )
    parties = models.ManyToManyField(
        Agency, blank=True, related_name="agreements", verbose_name=_("parties")
    )
    signatories = models.ManyToManyField(
        Person, blank=True, related_name="agreements", verbose_name=_("signatories")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="agreements", verbose_name=_("themes")
    )
    missions = models.ManyToManyField(
        Mission, blank=True, related_name="agreements", verbose_name=_("missions")
    )
    countries_concerned = models.ManyToManyField(
        Country,
        blank=True,
        related_name="agreements_concerning",
        help_text=_(
            "Countries the documents say it concerns beyond its parties' (a roadmap "
            "between France and Japan whose issuers are not named)."
        ),
        verbose_name=_("countries concerned"),
    )
    # Derived (cooperation.derived): its parties' countries and the countries it concerns; what
    # every country filter, count and page reads.
    countries = models.ManyToManyField(
        Country,
        blank=True,
        editable=False,
        related_name="agreements",
        verbose_name=_("countries"),
    )
    quotes = GenericRelation("Quote", related_query_name="agreement")
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_("What the agreement is found by (cooperation.search)."),
    )
    # Derived (cooperation.derived): the ids of its linked records per relation, and its number
    # of quotes: what an export reads in one column instead of a subquery per relation.
    # Null only until its first refresh (adding a nullable column rebuilds no table on SQLite).
    links = models.JSONField(_("links"), null=True, blank=True, editable=False)
    changed_at = models.DateTimeField(
        _("changed at"),
        auto_now=True,
        help_text=_("When the record was last written (its feed entry's <updated>)."),
    )

    objects = AgreementQuerySet.as_manager()
    # Its curated relations; `countries`, `search_text` and `links` are derived from them.
    history = kept_history(
        m2m_fields=["parties", "signatories", "themes", "missions", "countries_concerned"],
        excluded=["search_text", "links"],
    )

    local_title = Translated("title")
    local_summary = Translated("summary")
    local_notes = Translated("notes")
    local_countries_concerned_reasoning = Translated("countries_concerned_reasoning")

    class Meta(PartialDate.Meta):
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = [*chronological(newest_first=True), "title", "slug"]
        indexes = [
            models.Index(fields=["year"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["status"]),
            models.Index(
                fields=["extends"],
                name="agreement_extends",
                condition=Q(extends__isnull=False),
            ),
            models.Index(
                fields=["implements"],
                name="agreement_implements",
                condition=Q(implements__isnull=False),
            ),
        ]
        constraints = [
            *PartialDate.Meta.constraints,
            models.CheckConstraint(
                name="cooperation_agreement_ends_after_signature",
                condition=Q(valid_until_year__isnull=True)
                | Q(year__isnull=True)
                | Q(valid_until_year__gte=F("year")),
                violation_error_message="An agreement cannot end before the year it was signed.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperation:agreement_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.pk and self.extends_id == self.pk:
            raise ValidationError({"extends": "An agreement cannot extend itself."})
        if self.pk and self.implements_id == self.pk:
            raise ValidationError({"implements": "An agreement cannot implement itself."})
