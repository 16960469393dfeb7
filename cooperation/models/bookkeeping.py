"""The catalogue's own bookkeeping: what the fixture files last held, and its version number."""

import datetime

from django.db import connections, models, router
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FixtureSnapshot(models.Model):
    """The catalogue as the fixture files last held it (after a reload or an export), one row per
    model: what `reload_fixtures` compares the database with to find edits not yet exported."""

    model = models.CharField(_("model"), max_length=100, unique=True)
    states = models.JSONField(
        _("states"), help_text=_("Every record in the files' canonical form, by natural key.")
    )
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)

    class Meta:
        verbose_name = _("fixture snapshot")
        verbose_name_plural = _("fixture snapshots")
        ordering = ["model"]

    def __str__(self):
        return f"{self.model} as of {self.taken_at:%Y-%m-%d %H:%M}"


class CatalogueVersion(models.Model):
    """A number that every write to the catalogue increases: pages are cached and validated
    against it, so that no change can leave a stale page behind."""

    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        ordering = ["pk"]

    def __str__(self):
        return f"catalogue version {self.number}"

    @classmethod
    def current(cls):
        """(number, time of the last change); (0, None) before the first write.

        Every request reads it, a cached page's the only query: in SQL of its own, because the
        ORM took longer to compose this query than the database took to answer it.
        """
        # Where the request reads its pages from (a replica's version is its rows' version).
        connection = connections[router.db_for_read(cls)]
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number, changed_at FROM {table} ORDER BY id LIMIT 1")
            row = cursor.fetchone()
        if row is None:
            return (0, None)
        number, changed_at = row
        if timezone.is_naive(changed_at):  # SQLite keeps UTC without saying so
            changed_at = changed_at.replace(tzinfo=datetime.UTC)
        return number, changed_at

    @classmethod
    def bump(cls):
        updated = cls.objects.filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now())
        if not updated:
            cls.objects.create(pk=1, number=1)
