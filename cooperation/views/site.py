"""The files every site has: robots.txt, security.txt, the favicon."""

from datetime import timedelta

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.generic import RedirectView, TemplateView


class TextFileView(TemplateView):
    content_type = "text/plain; charset=utf-8"


class RobotsView(TextFileView):
    template_name = "robots.txt"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context


class SecurityView(TextFileView):
    """RFC 9116: where to report a vulnerability; valid for a year from each request."""

    template_name = "security.txt"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contact=self.request.build_absolute_uri(reverse("cooperation:about") + "#report"),
            expires=(timezone.now() + timedelta(days=365)).replace(microsecond=0),
            canonical=self.request.build_absolute_uri(),
        )
        return context


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says: send them the icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")
