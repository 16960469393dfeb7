"""What agencies do together: missions and programmes, and the events where they meet."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..dates import PartialDate, chronological
from ..translated import Translated, in_french
from .actors import Agency, Person
from .base import CatalogueModel, DatedQuerySet, kept_history
from .sources import quotes_with_sources
from .vocabulary import Country, Theme


class MissionKind(models.TextChoices):
    SATELLITE = "satellite", _("Satellite")
    PROBE = "probe", _("Space probe")
    LAUNCHER = "launcher", _("Launch vehicle")
    GROUND_SYSTEM = "ground_system", _("Ground system or launch facility")
    NAVIGATION_SYSTEM = "navigation_system", _("Satellite navigation system")
    STATION = "station", _("Space station")
    LABORATORY = "laboratory", _("Research laboratory")
    PROGRAMME = "programme", _("Programme or initiative")


class MissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_DEVELOPMENT = "in_development", _("In development")
    OPERATIONAL = "operational", _("Operational")
    COMPLETED = "completed", _("Completed")
    UNKNOWN = "unknown", _("Not stated")


class MissionQuerySet(DatedQuerySet):
    def for_list(self):
        return self.prefetch_related("partners", "countries")

    def for_detail(self):
        return self.prefetch_related(
            quotes_with_sources(),
            Prefetch("partners", queryset=Agency.objects.select_related("country")),
            "countries",
            "themes",
            "events",
        )


class Mission(CatalogueModel, PartialDate):
    """A satellite, probe, launcher, ground system, laboratory or programme the documents name.

    Its date is the launch or start date the documents give (planned or achieved).
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    full_name = models.CharField(_("full name"), max_length=250, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=MissionKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=MissionStatus.choices)
    summary = models.TextField(_("summary"), blank=True)
    summary_fr = in_french(_("summary in French"))
    notes = models.TextField(_("notes"), blank=True)
    notes_fr = in_french(_("notes in French"))
    partners = models.ManyToManyField(
        Agency, blank=True, related_name="missions", verbose_name=_("partners")
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="missions", verbose_name=_("countries")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="missions", verbose_name=_("themes")
    )
    quotes = GenericRelation("Quote", related_query_name="mission")

    objects = MissionQuerySet.as_manager()
    history = kept_history(m2m_fields=["partners", "countries", "themes"])

    local_summary = Translated("summary")
    local_notes = Translated("notes")

    class Meta(PartialDate.Meta):
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["year"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:mission_detail", kwargs={"slug": self.slug})


class EventKind(models.TextChoices):
    STATE_VISIT = "state_visit", _("State visit")
    OFFICIAL_VISIT = "official_visit", _("Official visit")
    MEETING = "meeting", _("Meeting")
    COMMITTEE = "committee", _("Committee meeting")
    FORUM = "forum", _("Forum or conference")
    SUMMIT = "summit", _("Summit")
    SHOW = "show", _("Trade show")
    LAUNCH = "launch", _("Launch")
    CEREMONY = "ceremony", _("Signing ceremony")


class EventQuerySet(DatedQuerySet):
    def for_list(self):
        return self.select_related("country")

    def for_detail(self):
        return self.select_related("country").prefetch_related(
            quotes_with_sources(),
            "participants",
            Prefetch("agencies", queryset=Agency.objects.select_related("country")),
            "missions",
        )

    def newest_first(self):
        return self.order_by(*Event._meta.ordering).reverse()


class Event(CatalogueModel, PartialDate):
    """A visit, meeting, committee session, forum, summit or launch the documents describe."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=250)
    name_fr = in_french(_("name in French"), max_length=250)
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    place = models.CharField(_("place"), max_length=150, blank=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("country"),
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_fr = in_french(_("summary in French"))
    notes = models.TextField(_("notes"), blank=True)
    notes_fr = in_french(_("notes in French"))
    participants = models.ManyToManyField(
        Person, blank=True, related_name="events", verbose_name=_("participants")
    )
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="events", verbose_name=_("agencies")
    )
    missions = models.ManyToManyField(
        Mission, blank=True, related_name="events", verbose_name=_("missions")
    )
    quotes = GenericRelation("Quote", related_query_name="event")

    objects = EventQuerySet.as_manager()
    history = kept_history(m2m_fields=["participants", "agencies", "missions"])

    local_name = Translated("name")
    local_summary = Translated("summary")
    local_notes = Translated("notes")

    class Meta(PartialDate.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = [*chronological(newest_first=False), "name"]
        indexes = [models.Index(fields=["year"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:event_detail", kwargs={"slug": self.slug})
