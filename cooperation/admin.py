"""The curators' admin: every catalogue model, with its quotes edited inline."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Count

from .models import (
    Agency,
    Agreement,
    Country,
    Event,
    Mission,
    Person,
    Quote,
    Role,
    Source,
    Theme,
)

DATE_FIELDS = (
    "date_precision",
    ("year", "month", "day"),
    ("end_year", "end_month", "end_day"),
    "date_is_inferred",
    "date_inference",
)


@admin.display(description="date", ordering="year")
def date_display(obj):
    return obj.date_display


class QuoteInline(GenericTabularInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["source"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["agency", "source"]


class QuotedAdmin(admin.ModelAdmin):
    """Shared by every record that cites its sources: quotes inline, a count column."""

    inlines = [QuoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_count=Count("quotes", distinct=True))

    @admin.display(description="quotes", ordering="quote_count")
    def quote_count(self, obj):
        return obj.quote_count


@admin.register(Theme)
class ThemeAdmin(QuotedAdmin):
    list_display = ["name", "slug", "description", "quote_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Country)
class CountryAdmin(QuotedAdmin):
    list_display = ["name", "code", "quote_count"]
    search_fields = ["name", "code"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", date_display, "publisher", "reference", "file_name"]
    list_filter = ["publisher", "year"]
    search_fields = ["title", "reference", "text"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "title",
                    "publisher",
                    "reference",
                    "language",
                    "place",
                    "file_name",
                ]
            },
        ),
        ("Date of publication", {"fields": DATE_FIELDS}),
        ("Text", {"fields": ["text", "notes"]}),
    ]


@admin.register(Agency)
class AgencyAdmin(QuotedAdmin):
    list_display = ["name", "acronym", "kind", "country", "quote_count"]
    list_filter = ["kind", "country"]
    list_select_related = ["country"]
    search_fields = ["name", "acronym", "slug"]
    autocomplete_fields = ["country"]


@admin.register(Person)
class PersonAdmin(QuotedAdmin):
    list_display = ["name", "slug", "quote_count"]
    search_fields = ["name", "slug", "roles__title"]
    inlines = [RoleInline, QuoteInline]


@admin.register(Mission)
class MissionAdmin(QuotedAdmin):
    list_display = ["name", "kind", "status", date_display, "quote_count"]
    list_filter = ["kind", "status", "themes"]
    search_fields = ["name", "full_name", "slug"]
    autocomplete_fields = ["partners", "countries", "themes"]
    fieldsets = [
        (None, {"fields": ["slug", "name", "full_name", "kind", "status", "summary", "notes"]}),
        ("Launch or start date", {"fields": DATE_FIELDS}),
        ("Links", {"fields": ["partners", "countries", "themes"]}),
    ]


@admin.register(Event)
class EventAdmin(QuotedAdmin):
    list_display = ["name", "kind", date_display, "place", "country", "quote_count"]
    list_filter = ["kind", "country", "year"]
    list_select_related = ["country"]
    search_fields = ["name", "place", "slug"]
    autocomplete_fields = ["country", "participants", "agencies", "missions"]
    fieldsets = [
        (None, {"fields": ["slug", "name", "kind", "place", "country", "summary", "notes"]}),
        ("Date", {"fields": DATE_FIELDS}),
        ("Who and what", {"fields": ["participants", "agencies", "missions"]}),
    ]


@admin.register(Agreement)
class AgreementAdmin(QuotedAdmin):
    list_display = ["title", "kind", "status", date_display, "quote_count"]
    list_filter = ["kind", "status", "year", "themes", "parties__country"]
    search_fields = ["title", "slug", "summary", "parties__acronym", "parties__name"]
    autocomplete_fields = [
        "parties",
        "signatories",
        "themes",
        "missions",
        "event",
        "extends",
        "implements",
    ]
    fieldsets = [
        (None, {"fields": ["slug", "title", "kind", "status", "place", "summary", "notes"]}),
        ("Date of signature", {"fields": [*DATE_FIELDS, "valid_until_year"]}),
        (
            "Who and what",
            {
                "fields": [
                    "parties",
                    "signatories",
                    "themes",
                    "missions",
                    "event",
                    "extends",
                    "implements",
                ]
            },
        ),
    ]
