"""Template context shared by every page: the site's sections, the current one marked."""

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
