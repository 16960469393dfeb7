"""Pages of the public catalogue."""

from django.views.generic import DetailView, TemplateView

from .models import Agency, Agreement, Country, Event, Mission, Person, Source, Theme


class HomeView(TemplateView):
    template_name = "cooperation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = [
            (model._meta.verbose_name_plural, model.objects.count())
            for model in (Agreement, Agency, Person, Mission, Event, Country, Theme, Source)
        ]
        return context


class RecordDetailView(DetailView):
    """A record and the quotes that support it (the full pages come with the public site)."""

    template_name = "cooperation/record_detail.html"
    context_object_name = "record"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("quotes__source")


class SourceDetailView(DetailView):
    model = Source
    template_name = "cooperation/record_detail.html"
    context_object_name = "record"
