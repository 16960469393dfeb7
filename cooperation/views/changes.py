"""Readers' change logs: a record's (every field, old → new, with the date; never who) and the
catalogue's newest changes, with an Atom feed."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.views.generic import TemplateView

from ..changes import recent_changes, record_changes


class RecordChangesView(TemplateView):
    """`/agreements/<slug>/changes/`: what the record said, and when it said it."""

    template_name = "cooperation/record_changes.html"
    model = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        key = self.kwargs.get("slug") or self.kwargs.get("code")
        record = get_object_or_404(self.model.objects, **{self.model.natural_key_field: key})
        changes = Paginator(record_changes(record), 50).get_page(self.request.GET.get("page"))
        context.update(
            record=record,
            changes=changes,
            canonical=self.request.build_absolute_uri(self.request.path),
        )
        return context


class CatalogueChangesView(TemplateView):
    """`/changes/`: the catalogue's newest changes, each linked to its record's log."""

    template_name = "cooperation/changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            changes=recent_changes(),
            canonical=self.request.build_absolute_uri(self.request.path),
        )
        return context


class ChangesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return gettext("Cooperation Atlas: what changed")

    def subtitle(self):
        return gettext("The catalogue's newest changes, each linked to its record's change log.")

    def link(self):
        return reverse("cooperation:changes")

    def author_name(self):
        return gettext("Cooperation Atlas")

    def items(self):
        return recent_changes()

    def item_title(self, change):
        return f"{change.label} ({change.model._meta.verbose_name}): {change.kind_label}"

    def item_description(self, change):
        return gettext("%(record)s was %(what)s.") % {
            "record": change.label,
            "what": change.kind_label,
        }

    def item_link(self, change):
        return change.log_url or reverse("cooperation:changes")

    def item_guid(self, change):
        return f"{change.model._meta.model_name}:{change.key}:{change.when.isoformat()}"

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.when

    def item_updateddate(self, change):
        return change.when
