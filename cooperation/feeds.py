"""The Atom feed of a search in the agreement browser: its 100 newest agreements.

The feed is the browser's `?format=atom`: the same query string, checked by the same FilterSet
(a search with an ignored part is refused before it gets here).
"""

from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from .filters import AgreementFilter, browser_url
from .models import Agreement, DatePrecision


class AgreementFeed(Feed):
    feed_type = Atom1Feed
    limit = 100

    # The feed's language is the page's (Feed uses get_language() when it sets none): the
    # feed of /fr/agreements/?format=atom is in French.

    def author_name(self):
        return gettext("Cooperation Atlas")

    def feed_copyright(self):
        return gettext("The curated data: CC BY 4.0, Cooperation Atlas. The press releases: CNES.")

    def get_object(self, request, filterset=None):
        if filterset is None:
            filterset = AgreementFilter(request.GET, queryset=Agreement.objects.for_list())
        return filterset

    def title(self, filterset):
        count = len(filterset.state())
        if not count:
            return gettext("Cooperation Atlas: agreements")
        return ngettext(
            "Cooperation Atlas: agreements (%(count)d filter)",
            "Cooperation Atlas: agreements (%(count)d filters)",
            count,
        ) % {"count": count}

    def link(self, filterset):
        return browser_url(filterset.state())

    def feed_url(self, filterset):
        return browser_url(filterset.state(), format="atom")

    def subtitle(self, filterset):
        return gettext("Space-cooperation agreements matching this search, newest first.")

    def items(self, filterset):
        return filterset.qs.newest_first()[: self.limit]

    def item_title(self, agreement):
        return agreement.local_title

    def item_description(self, agreement):
        """Its date as written ("2016", "March 2019"), its parties, its summary."""
        parties = ", ".join(p.acronym or p.name for p in agreement.parties.all())
        text = " — ".join(part for part in (agreement.date_display, parties) if part)
        # Atom1Feed declares the summary as HTML: the text is escaped to stay text.
        return escape(f"{text}. {agreement.local_summary}".strip())

    def item_pubdate(self, agreement):
        """Its date only when known to the day: a year or a month has no day to make up."""
        if agreement.date_precision != DatePrecision.DAY:
            return None
        return datetime(agreement.year, agreement.month, agreement.day, tzinfo=UTC)

    def item_updateddate(self, agreement):
        return agreement.changed_at

    def item_categories(self, agreement):
        return [theme.local_name for theme in agreement.themes.all()]
