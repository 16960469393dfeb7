"""Template context shared by every page: the site's sections (the current one marked), and
the date of the catalogue a page shows."""

from django.urls import reverse

SECTIONS = [
    ("agreement", "Agreements"),
    ("country", "Countries"),
    ("agency", "Agencies"),
    ("person", "People"),
    ("mission", "Missions"),
    ("event", "Events"),
    ("theme", "Themes"),
    ("source", "Sources"),
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
