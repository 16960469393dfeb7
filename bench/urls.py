"""The site's URLs, and two bare views that show what Django itself costs on this machine."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import handler500  # noqa: F401  (the site's own 500 page)
from config.urls import urlpatterns as site_urlpatterns
from cooperation.models import Agreement

TABLE = engines["django"].from_string(
    "<!doctype html><title>Table</title><table>{% for a in rows %}"
    "<tr><td>{{ a.title }}</td><td>{{ a.year }}</td><td>{{ a.kind }}</td></tr>{% endfor %}</table>"
)


def constant(request):
    return HttpResponse("ok", content_type="text/plain")


def table(request):
    """25 rows from one query on an indexed column, rendered by a template."""
    rows = (
        Agreement.objects.filter(year__gte=2000)
        .order_by("year", "pk")
        .only("title", "year", "kind")[:25]
    )
    return HttpResponse(TABLE.render({"rows": rows}))


# The site's patterns themselves, not include()d: Django refuses i18n_patterns in an included
# URLconf.
urlpatterns = [
    path("bench/constant/", constant),
    path("bench/table/", table),
    *site_urlpatterns,
]
