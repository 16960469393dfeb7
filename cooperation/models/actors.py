"""Who acts in the documents: organisations, people, and the titles people hold."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..translated import Translated, in_french
from .base import CatalogueModel, CatalogueQuerySet, count_of, kept_history
from .sources import quotes_with_sources
from .vocabulary import Country


class AgencyKind(models.TextChoices):
    SPACE_AGENCY = "space_agency", _("Space agency")
    RESEARCH_INSTITUTE = "research_institute", _("Academy or research institute")
    LABORATORY = "laboratory", _("Research laboratory")
    UNIVERSITY = "university", _("University")
    GOVERNMENT = "government", _("Government")
    GOVERNMENT_OFFICE = "government_office", _("Ministry or government office")
    COMPANY = "company", _("Company")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    OTHER = "other", _("Other organisation")


class AgencyQuerySet(CatalogueQuerySet):
    def for_list(self):
        return (
            self.select_related("country")
            .annotate(agreement_count=count_of(Agency.agreements.through.objects, "agency_id"))
            .order_by("name")
        )

    def for_detail(self):
        return self.select_related("country").prefetch_related(quotes_with_sources())

    def most_agreements(self, limit):
        """(The `limit` agencies party to most agreements, each with its count as `n`; how many
        agencies are party to any)."""
        links = Agency.agreements.through.objects
        # Ranked on the link table alone (no join, no grouping by agency columns), then fetched.
        ranked = links.values("agency_id").annotate(n=Count("agreement_id"))
        rows = list(ranked.order_by("-n", "agency_id").values_list("agency_id", "n"))
        counts = dict(rows[:limit])
        top = list(self.filter(pk__in=counts).select_related("country"))
        for agency in top:
            agency.n = counts[agency.pk]
        return top, len(rows)


class Agency(CatalogueModel):
    """An organisation that acts in the documents: an agency, institute, government, company…"""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The full name as the documents give it.")
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        help_text=_("Empty for intergovernmental bodies."),
        verbose_name=_("country"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind.choices)
    notes = models.TextField(_("notes"), blank=True)
    notes_fr = in_french(_("notes in French"))
    quotes = GenericRelation("Quote", related_query_name="agency")

    objects = AgencyQuerySet.as_manager()
    history = kept_history()

    local_notes = Translated("notes")

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name  # "CNES", not "CNES (CNES)"

    def get_absolute_url(self):
        return reverse("cooperation:agency_detail", kwargs={"slug": self.slug})


class PersonQuerySet(CatalogueQuerySet):
    def for_list(self):
        return self.prefetch_related(
            Prefetch("roles", queryset=Role.objects.select_related("agency"))
        )

    def for_detail(self):
        return self.prefetch_related(
            quotes_with_sources(),
            Prefetch("roles", queryset=Role.objects.select_related("agency", "source")),
            "events",
        )


class Person(CatalogueModel):
    """Someone the documents name: a signatory, an agency head, a head of state, a press contact."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    notes = models.TextField(_("notes"), blank=True)
    notes_fr = in_french(_("notes in French"))
    quotes = GenericRelation("Quote", related_query_name="person")

    inline = ("roles", "quotes")

    objects = PersonQuerySet.as_manager()
    history = kept_history()

    local_notes = Translated("notes")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:person_detail", kwargs={"slug": self.slug})


class Role(models.Model):
    """A title a person holds according to one source (President of CNES, Press Officer…)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person")
    )
    title = models.CharField(_("title"), max_length=200)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("agency"),
    )
    source = models.ForeignKey(
        "Source", on_delete=models.PROTECT, related_name="roles", verbose_name=_("source")
    )

    history = kept_history()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["person", "title"]

    def __str__(self):
        return (
            f"{self.title}, {self.agency.acronym or self.agency.name}"
            if self.agency
            else self.title
        )
