"""The ingest assistant's desk: the releases curators gave it, and what it proposed from each.

Nothing here is shown to readers. A proposal becomes a catalogue record (or a quote on one)
only when a curator accepts it; the release becomes a Source then. A rejected proposal is kept,
so that reading the release again does not bring it back.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .sources import Source


class PressRelease(models.Model):
    """A press release given to the ingest assistant: its text, as read from what was pasted
    or uploaded, and the Source it became once a curator accepted something from it."""

    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(
        _("url"), max_length=500, blank=True, help_text=_("Where it was published.")
    )
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("Its date, when it prints none (years are read from it)."),
    )
    publisher = models.CharField(_("publisher"), max_length=100, default="CNES")
    language = models.CharField(
        _("language"), max_length=2, choices=[("en", "English"), ("fr", "French")]
    )
    text = models.TextField(_("text"))
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    dateline = models.JSONField(_("dateline"), null=True, blank=True, editable=False)
    source = models.OneToOneField(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="press_release",
        help_text=_("The catalogue's Source, made when the first proposal is accepted."),
        verbose_name=_("source"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("press release to review")
        verbose_name_plural = _("press releases to review")
        ordering = ["-added_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("admin:cooperation_pressrelease_change", args=[self.pk])


class ProposalKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    PERSON = "person", _("Person")
    AGREEMENT = "agreement", _("Agreement")
    MISSION = "mission", _("Mission")
    EVENT = "event", _("Event")


class Decision(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Proposal(models.Model):
    """One record the assistant proposed from a release, as its JSON gave it (`data`), and
    what the curator decided."""

    release = models.ForeignKey(
        PressRelease, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("release")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    key = models.CharField(
        _("key"), max_length=120, help_text=_("Names the proposal within its release.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    data = models.JSONField(_("data"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    record_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("record type")
    )
    record_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["release", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "kind", "key"], name="cooperation_proposal_once_per_release"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    @property
    def label(self):
        return self.data.get("title") if self.kind == "agreement" else self.data.get("name", "")
