"""What every catalogue record shares: a natural key, and queries by it and by year."""

from django.db import models
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def count_of(rows, column):
    """How many of `rows` (a queryset: links, agencies) have the outer record in `column`: a
    correlated count that the database runs for the records a page shows only, from the index
    on `column`, instead of joining every link to count them all."""
    counted = rows.filter(**{column: OuterRef("pk")}).order_by().values(column)
    return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n")), 0)


class CatalogueQuerySet(models.QuerySet):
    """Queries shared by every catalogue model: lookup by natural key."""

    def get_by_natural_key(self, key):
        return self.get(**{self.model.natural_key_field: key})


def counts_by(rows, column):
    """{value of `column`: how many of `rows` have it}, in one grouped query (no join)."""
    grouped = rows.order_by().values(column).annotate(n=Count("*"))
    return dict(grouped.values_list(column, "n"))


class DatedQuerySet(CatalogueQuerySet):
    """Queries of records with a partial date."""

    def counts_by_year(self):
        """[(year or None, records)], for a timeline."""
        return list(counts_by(self, "year").items())


def counts_by_year_of(**querysets):
    """{name: [(year or None, records)]} of several dated querysets, in one query."""
    parts = [
        rows.order_by()
        .values("year")
        .annotate(n=Count("*"), of=Value(name, output_field=CharField()))
        .values_list("of", "year", "n")
        for name, rows in querysets.items()
    ]
    counted = {name: [] for name in querysets}
    for name, year, n in parts[0].union(*parts[1:], all=True):
        counted[name].append((year, n))
    return counted


def kept_history(*, m2m_fields=(), excluded=()):
    """Every change to a record kept with its values, when and by whom or by what command
    (django-simple-history): its fields and its curated relations, never what the database or
    the model layer derives (`changed_at`, search text…)."""
    from simple_history.models import HistoricalRecords

    return HistoricalRecords(excluded_fields=["changed_at", *excluded], m2m_fields=m2m_fields)


class CatalogueModel(models.Model):
    """A record identified by a stable natural key (a slug or a code), never by its database id."""

    natural_key_field = "slug"
    # The rows that belong to a record, edited under it and written inline in its fixture file.
    inline = ("quotes",)

    # When the record was last written (the API's `changed_since`). Null only for rows older
    # than the field, until migration 0018 stamps them (a nullable column rebuilds no table on
    # SQLite). Not in the fixture files: it is the database's, as an id is.
    changed_at = models.DateTimeField(
        _("changed at"), auto_now=True, null=True, help_text=_("When it was last written.")
    )

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (getattr(self, self.natural_key_field),)

    @property
    def ref(self):
        """`agreement.cnes-usth-mou-2015`: the record as the site's query strings name it (a
        source page's `?for=`, the report form's `?record=`)."""
        return f"{self._meta.model_name}.{self.natural_key()[0]}"
