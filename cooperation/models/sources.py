"""Provenance: the documents the catalogue is built from, and the quotes that support records."""

import hashlib

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..dates import PartialDate, chronological
from ..quotes import quote_occurs_in
from ..translated import Translated, in_french
from .base import CatalogueModel, CatalogueQuerySet, counts_by, kept_history


class SourceQuerySet(CatalogueQuerySet):
    def for_list(self):
        return self.order_by(*Source._meta.ordering)

    @staticmethod
    def related_counts():
        """{"quote_count": {source id: quoted passages}}."""
        return {"quote_count": counts_by(Quote.objects, "source_id")}


class Source(CatalogueModel, PartialDate):
    """A document the catalogue is built from (a press release), with its full text."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=100)
    reference = models.CharField(
        _("reference"),
        max_length=50,
        blank=True,
        help_text=_("The publisher's reference code, where given."),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    place = models.CharField(_("place"), max_length=100, blank=True)
    file_name = models.CharField(
        _("file name"),
        max_length=100,
        blank=True,
        help_text=_("The document's file name in the seed collection."),
    )
    text = models.TextField(_("text"), help_text=_("The full text, exactly as published."))
    notes = models.TextField(_("notes"), blank=True)
    notes_fr = in_french(_("notes in French"))

    inline = ()

    objects = SourceQuerySet.as_manager()
    history = kept_history()

    local_notes = Translated("notes")

    class Meta(PartialDate.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = [*chronological(newest_first=False), "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperation:source_detail", kwargs={"slug": self.slug})


def quote_anchor(model_name, record_key, source_slug, text):
    """A new quote's anchor (`#quote-<anchor>` on its source's page): made once from what the
    quote first was, then kept, so that links to it survive an edit of its text."""
    digest = hashlib.sha1(f"{model_name}:{record_key}:{source_slug}:{text}".encode()).hexdigest()
    return digest[:12]


class Quote(models.Model):
    """A verbatim passage of a source that supports a record."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    record = GenericForeignKey("content_type", "object_id")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("source")
    )
    text = models.TextField(_("text"), help_text=_("Copied verbatim from the source's text."))
    anchor = models.SlugField(
        _("anchor"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_(
            "Its stable name on the source's page (#quote-…), kept when the text changes.",
        ),
    )

    history = kept_history()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["source", "text"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(name="cooperation_quote_not_empty", condition=~Q(text=""))
        ]

    def __str__(self):
        return f"“{self.text[:60]}…” ({self.source})" if len(self.text) > 60 else f"“{self.text}”"

    def save(self, *args, **kwargs):
        if not self.anchor:
            record = self.record
            self.anchor = quote_anchor(
                self.content_type.model,
                record.natural_key()[0] if record else self.object_id,
                self.source.slug,
                self.text,
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#{self.html_id}"

    @property
    def html_id(self):
        """The passage's id on its source's page, and the class of each of its fragments."""
        return f"quote-{self.anchor}"

    def clean(self):
        super().clean()
        if self.source_id and self.text and not quote_occurs_in(self.text, self.source.text):
            raise ValidationError(
                {"text": f"This passage is not in the text of “{self.source}”: copy it verbatim."}
            )


def quotes_with_sources():
    """A record's quotes as its page shows them, each with its source."""
    return Prefetch("quotes", queryset=Quote.objects.select_related("source"))
