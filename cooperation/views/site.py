"""The files every site has: robots.txt, security.txt, the favicon; and the language switch."""

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
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


class LanguageView(View):
    """/language/fr/?next=/en/agreements/?country=FR: the same page in the language chosen
    (its record and query string kept), and the choice remembered in the language cookie, so
    that a bare address (/agreements/) opens in it next time. A link, not a form: the pages that
    offer it are cached and shared, and hold no CSRF token."""

    def get(self, request, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language.")
        wanted = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ) or not wanted.startswith("/"):
            wanted = "/"
        # The address is read in the language of its own prefix, and written in the one chosen.
        prefix = wanted.split("/")[1] if wanted.count("/") > 1 else ""
        with translation.override(prefix if prefix in dict(settings.LANGUAGES) else None):
            target = translate_url(wanted, language)
        admin = wanted.startswith(f"/{settings.ADMIN_URL}")
        if not admin and not target.startswith(f"/{language}/"):
            with translation.override(language):
                target = reverse("cooperation:home")
        response = HttpResponseRedirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=request.is_secure(),
        )
        add_never_cache_headers(response)
        return response
