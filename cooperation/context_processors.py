"""Template context shared by every page: the site's sections (the current one marked), the
page in the other language, and the date of the catalogue a page shows."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("agreement", _("Agreements")),
    ("country", _("Countries")),
    ("agency", _("Agencies")),
    ("person", _("People")),
    ("mission", _("Missions")),
    ("event", _("Events")),
    ("theme", _("Themes")),
    ("source", _("Sources")),
]


def navigation(request):
    match = getattr(request, "resolver_match", None)
    current = match.url_name.rsplit("_", 1)[0] if match and match.namespace == "cooperation" else ""
    return {
        "sections": [
            {"label": label, "url": reverse(f"cooperation:{name}_list"), "current": name == current}
            for name, label in SECTIONS
        ]
    }


def catalogue(request):
    """`catalogue_as_of`: when the catalogue last changed, as the page's own validator says (a
    date that stays true for as long as the page is cached), and `catalogue_version`, what
    fragments made once per version are kept under; both None outside the catalogue's pages."""
    version = getattr(request, "catalogue_version", None)
    return {
        "catalogue_as_of": version[1] if version else None,
        "catalogue_version": version[0] if version else None,
    }


def languages(request):
    """`languages`: for each language, its name (in itself), the link that switches to it on
    this page (keeping the record and the query string) and this page's address in it (for
    `hreflang` alternates); the current one marked."""
    try:
        request.get_host()
    except DisallowedHost:  # the 400 page of a request for another host: no addresses
        return {"languages": [], "x_default": None}
    here = request.get_full_path()
    current = translation.get_language()
    found = []
    for code, name in settings.LANGUAGES:
        address = translate_url(here, code)
        found.append(
            {
                "code": code,
                "name": name,
                "current": code == current,
                "switch": f"{reverse('language', args=[code])}?{urlencode({'next': here})}",
                "href": request.build_absolute_uri(address)
                if address != here or code == current
                else None,
            }
        )
    # x-default: the address without a language, which opens in the reader's.
    prefix = f"/{current}/"
    bare = "/" + here[len(prefix) :] if here.startswith(prefix) else None
    return {"languages": found, "x_default": request.build_absolute_uri(bare) if bare else None}
