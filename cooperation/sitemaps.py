"""The sitemap (django.contrib.sitemaps): every record's page and every index, in each language,
each address with its alternates in the others (hreflang) and an x-default."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import CATALOGUE

INDEXES = [
    "home",
    "about",
    "agreement_list",
    "country_list",
    "agency_list",
    "person_list",
    "mission_list",
    "event_list",
    "theme_list",
    "source_list",
]


class LanguagesSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class IndexSitemap(LanguagesSitemap):
    def items(self):
        return INDEXES

    def location(self, item):
        return reverse(f"cooperation:{item}")


class RecordSitemap(LanguagesSitemap):
    """Every record of one model, by its page."""

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.order_by(self.model.natural_key_field)

    def lastmod(self, record):
        return getattr(record, "changed_at", None)


SITEMAPS = {
    "pages": IndexSitemap(),
    **{model._meta.model_name: RecordSitemap(model) for model in CATALOGUE},
}
