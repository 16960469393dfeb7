"""The catalogue's vocabularies: the themes curators maintain, and countries by ISO code."""

from functools import lru_cache

from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..translated import Translated, in_french
from .base import CatalogueModel, CatalogueQuerySet, counts_by, kept_history
from .sources import quotes_with_sources


class ThemeQuerySet(CatalogueQuerySet):
    def for_list(self):
        return self.order_by("name")

    @staticmethod
    def related_counts():
        """{"agreement_count", "mission_count"}: {theme id: n}, from the link tables alone."""
        return {
            "agreement_count": counts_by(Theme.agreements.through.objects, "theme_id"),
            "mission_count": counts_by(Theme.missions.through.objects, "theme_id"),
        }

    def for_detail(self):
        return self.prefetch_related(quotes_with_sources())


class Theme(CatalogueModel):
    """A subject of cooperation, from a small vocabulary that curators maintain."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_fr = in_french(_("name in French"), max_length=100)
    description = models.TextField(
        _("description"), help_text=_("One line: what the theme covers.")
    )
    description_fr = in_french(_("description in French"))
    quotes = GenericRelation("Quote", related_query_name="theme")

    objects = ThemeQuerySet.as_manager()
    history = kept_history()

    local_name = Translated("name")
    local_description = Translated("description")

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:theme_detail", kwargs={"slug": self.slug})


class CountryQuerySet(CatalogueQuerySet):
    def for_list(self):
        return self.order_by("name")

    @staticmethod
    def related_counts():
        """{"agency_count", "agreement_count"}: {country id: n}, from the agencies and the
        agreement–country links alone."""
        return {
            "agency_count": counts_by(Country.agencies.field.model.objects, "country_id"),
            "agreement_count": counts_by(Country.agreements.through.objects, "country_id"),
        }

    def for_detail(self):
        return self.prefetch_related(quotes_with_sources())


class Country(CatalogueModel):
    """A country, identified by its ISO 3166-1 alpha-2 code."""

    natural_key_field = "code"

    code = models.CharField(
        _("code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two capital letters of ISO 3166-1.")],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. FR."),
    )
    name = models.CharField(_("name"), max_length=100)
    quotes = GenericRelation("Quote", related_query_name="country")

    objects = CountryQuerySet.as_manager()
    history = kept_history()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="cooperation_country_code_is_iso_alpha2",
                condition=Q(code__regex=r"^[A-Z]{2}$"),
            ),
        ]

    @property
    def local_name(self):
        """Its name in the reader's language: the curated name in English, CLDR's elsewhere
        ("Corée du Sud", "Viêt Nam": the forms of the French administration's list of states),
        the curated one for a code CLDR does not know."""
        return local_country_name(self.code, self.name, get_language())

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:country_detail", kwargs={"code": self.code})


@lru_cache(maxsize=1024)
def local_country_name(code, name, language):
    if not language or language.split("-")[0] == "en":
        return name
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_")).territories.get(code, name)
    except (UnknownLocaleError, ValueError):
        return name
