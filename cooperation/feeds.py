"""The Atom feed of a search in the agreement browser: its 100 newest agreements.

The feed is the browser's `?format=atom`: the same query string, checked by the same FilterSet
(a search with an ignored part is refused before it gets here).
"""

from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .filters import AgreementFilter, browser_url
from .models import Agreement


class AgreementFeed(Feed):
    feed_type = Atom1Feed
    language = "en"
    limit = 100

    def get_object(self, request, filterset=None):
        if filterset is None:
            filterset = AgreementFilter(request.GET, queryset=Agreement.objects.for_list())
        return filterset

    def title(self, filterset):
        count = len(filterset.state())
        return "Cooperation Atlas: agreements" + (f" ({count} filters)" if count else "")

    def link(self, filterset):
        return browser_url(filterset.state())

    def feed_url(self, filterset):
        return browser_url(filterset.state(), format="atom")

    def subtitle(self, filterset):
        return "Space-cooperation agreements matching this search, newest first."

    def items(self, filterset):
        return filterset.qs.newest_first()[: self.limit]

    def item_title(self, agreement):
        return agreement.title

    def item_description(self, agreement):
        parties = ", ".join(p.acronym or p.name for p in agreement.parties.all())
        # Atom1Feed declares the summary as HTML: the text is escaped to stay text.
        return escape(f"{agreement.date_display} — {parties}. {agreement.summary}")

    def item_pubdate(self, agreement):
        if not agreement.year:
            return None
        return datetime(agreement.year, agreement.month or 1, agreement.day or 1, tzinfo=UTC)

    item_updateddate = item_pubdate

    def item_categories(self, agreement):
        return [theme.name for theme in agreement.themes.all()]
