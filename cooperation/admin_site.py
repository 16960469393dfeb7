"""The curators' admin site: named for the atlas, its "View site" in the curator's language, and
a page of what needs their attention."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _


class AtlasAdminSite(admin.AdminSite):
    site_header = _("Cooperation Atlas · curators")
    site_title = _("Cooperation Atlas")
    index_title = _("The catalogue")
    # The sidebar repeats the index and took a quarter of 1280 px: changelists' last columns
    # and the quotes' Delete box were cut off.
    enable_nav_sidebar = False

    def each_context(self, request):
        context = super().each_context(request)
        context["site_url"] = reverse("cooperation:home")  # /fr/ for a curator reading French
        return context

    def get_urls(self):
        return [
            path("attention/", self.admin_view(self.attention), name="attention"),
            *super().get_urls(),
        ]

    def attention(self, request):
        """What needs the curators: each a count and a link to the filtered changelist."""
        from .models import (
            CATALOGUE,
            Agreement,
            Decision,
            Proposal,
            Report,
            ReportStatus,
        )

        rows = []

        def add(label, count, url_name, query):
            rows.append({"label": label, "count": count, "url": f"{reverse(url_name)}?{query}"})

        if request.user.has_perm("cooperation.view_report"):
            open_reports = Report.objects.filter(
                status__in=[ReportStatus.NEW, ReportStatus.IN_PROGRESS]
            ).aggregate(
                new=Count("pk", filter=Q(status=ReportStatus.NEW)),
                working=Count("pk", filter=Q(status=ReportStatus.IN_PROGRESS)),
            )
            add(
                _("Readers' reports, new"),
                open_reports["new"],
                "admin:cooperation_report_changelist",
                "status__exact=new",
            )
            add(
                _("Readers' reports, in progress"),
                open_reports["working"],
                "admin:cooperation_report_changelist",
                "status__exact=in_progress",
            )
        if request.user.has_perm("cooperation.view_proposal"):
            waiting = Proposal.objects.filter(decision=Decision.PENDING)
            add(
                _("Proposals of the ingest assistant waiting for review"),
                waiting.count(),
                "admin:cooperation_pressrelease_changelist",
                "",
            )
        add(
            _("Agreements whose parties the documents do not name"),
            Agreement.objects.filter(parties__isnull=True).count(),
            "admin:cooperation_agreement_changelist",
            "parties=none",
        )
        for model in CATALOGUE:
            meta = model._meta
            if not request.user.has_perm(f"cooperation.view_{meta.model_name}"):
                continue
            if "date_is_inferred" in {f.name for f in meta.get_fields()}:
                add(
                    _("%(records)s with an inferred date") % {"records": meta.verbose_name_plural},
                    model.objects.filter(date_is_inferred=True).count(),
                    f"admin:cooperation_{meta.model_name}_changelist",
                    "date_is_inferred__exact=1",
                )
            if (
                "quotes" in {f.name for f in meta.get_fields()}
                and model._meta.model_name != "source"
            ):
                add(
                    _("%(records)s with no source") % {"records": meta.verbose_name_plural},
                    model.objects.filter(quotes__isnull=True).count(),
                    f"admin:cooperation_{meta.model_name}_changelist",
                    "sourced=no",
                )
        context = {
            **self.each_context(request),
            "title": _("Needs attention"),
            "rows": rows,
        }
        return TemplateResponse(request, "admin/attention.html", context)


class AtlasAdminConfig(AdminConfig):
    default_site = "cooperation.admin_site.AtlasAdminSite"
