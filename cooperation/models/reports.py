"""Readers' reports of mistakes: what a reader says is wrong with a page, for the curators'
queue in the admin. Never shown to other readers."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    DECLINED = "declined", _("Declined")


class Report(models.Model):
    """A reader's report on a record's page (or on the site as a whole)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("kind")
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    # What the record was called and where, when it was reported: kept if it is deleted.
    record_label = models.CharField(_("record"), max_length=300, blank=True)
    page = models.CharField(_("page"), max_length=300, blank=True)
    problem = models.TextField(_("what is wrong"), max_length=3000)
    correction = models.TextField(_("suggested correction"), max_length=3000, blank=True)
    email = models.EmailField(_("reader's e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    curator_notes = models.TextField(_("curators' notes"), blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reader's report")
        verbose_name_plural = _("readers' reports")
        indexes = [models.Index(fields=["status", "-created_at"], name="report_status_created")]

    def __str__(self):
        return f"{self.record_label or _('The site')}: {self.problem[:60]}"

    def get_absolute_url(self):
        return self.page or "/"
