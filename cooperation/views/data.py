"""/data/: the whole catalogue in one download, and the download itself (cooperation.dataset)."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import dataset
from ..caching import catalogue_version
from ..exports import LICENCE


class DataView(TemplateView):
    template_name = "cooperation/data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version, changed_at = catalogue_version(self.request)
        context.update(
            archive=dataset.archive_name(version, changed_at),
            members=dataset.members(),
            columns=dataset.columns(),
            catalogue_date=changed_at,
            licence=LICENCE,
            canonical=self.request.build_absolute_uri(self.request.path),
        )
        return context


def download(request, name):
    """The current catalogue's archive, built on its first download; an earlier version's
    name is a 404 that says which is current."""
    version, changed_at = catalogue_version(request)
    if name != dataset.archive_name(version, changed_at):
        raise Http404(_("Only the current catalogue's archive is kept."))
    response = FileResponse(
        dataset.open_archive(version, changed_at), as_attachment=True, filename=name
    )
    response["Link"] = f'<{LICENCE}>; rel="license"'
    return response
