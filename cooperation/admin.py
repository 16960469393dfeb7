"""The curators' admin: every catalogue model, searchable and filterable, its quotes inline."""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import BaseGenericInlineFormSet, GenericTabularInline
from django.db import models
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .ingest.review import PressReleaseAdmin
from .models import (
    Agency,
    Agreement,
    Country,
    Event,
    FixtureSnapshot,
    Mission,
    Person,
    PressRelease,
    Quote,
    Report,
    ReportStatus,
    Role,
    Source,
    Theme,
)
from .quotes import quote_occurs_in
from .search import fold


class VerbatimTextField(forms.CharField):
    """Text kept as typed: no stripping, and a browser's CRLF line ends stored as LF, so that
    saving a form unchanged changes nothing (sources are kept exactly as published)."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


VERBATIM_TEXT = {models.TextField: {"form_class": VerbatimTextField}}


class NoDuplicateRows:
    """Inline rows (quotes, roles) must differ: the fixture files hold each one once."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            row = tuple(
                str(value.pk if hasattr(value, "pk") else value)
                for name, value in sorted(form.cleaned_data.items())
                if name not in {"id", "DELETE", "person", "content_type", "object_id"}
            )
            if row in seen:
                raise forms.ValidationError("The same row is listed twice: remove one.")
            seen.add(row)


class QuoteFormSet(NoDuplicateRows, BaseGenericInlineFormSet):
    pass


class RoleFormSet(NoDuplicateRows, BaseInlineFormSet):
    pass


DATE_FIELDS = (
    "date_precision",
    ("year", "month", "day"),
    ("end_year", "end_month", "end_day"),
    "date_is_inferred",
    ("date_inference", "date_inference_fr"),
)


@admin.display(description=_("date"), ordering="year")
def date_display(obj):
    return obj.date_display


class RelatedFilter(admin.SimpleListFilter):
    """Records with or without any row of one relation (`relation`), as two choices whose
    values are `without` and `with`."""

    relation = without = with_ = None
    labels = ()

    def lookups(self, request, model_admin):
        return list(zip((self.without, self.with_), self.labels, strict=True))

    def queryset(self, request, queryset):
        if self.value() == self.without:
            return queryset.filter(**{f"{self.relation}__isnull": True})
        if self.value() == self.with_:
            return queryset.filter(**{f"{self.relation}__isnull": False}).distinct()
        return queryset


class HasSourceFilter(RelatedFilter):
    """Records with no quote have nothing to stand on: curators look for them first."""

    title = _("source")
    parameter_name = "sourced"
    relation, without, with_ = "quotes", "no", "yes"
    labels = (_("has no source"), _("has a source"))


class PartiesFilter(RelatedFilter):
    """Agreements whose parties the documents do not name (they may say whom it concerns)."""

    title = _("parties")
    parameter_name = "parties"
    relation, without, with_ = "parties", "none", "some"
    labels = (_("none named"), _("named"))


class QuoteInline(GenericTabularInline):
    model = Quote
    formset = QuoteFormSet
    formfield_overrides = VERBATIM_TEXT
    extra = 0
    autocomplete_fields = ["source"]
    verbose_name = _("quote from a source")
    verbose_name_plural = _("quotes from the sources")


class RoleInline(admin.TabularInline):
    model = Role
    formset = RoleFormSet
    extra = 0
    autocomplete_fields = ["agency", "source"]


class CatalogueAdmin(SimpleHistoryAdmin):
    """Shared by every catalogue model: text kept verbatim, facet counts, 50 rows a page,
    search as the public site's (no case, no accents: "Hanoï" finds "Hanoi"), and the record's
    history with every change's values, who or which command made it, and a revert."""

    formfield_overrides = VERBATIM_TEXT
    show_facets = admin.ShowFacets.ALWAYS
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        needle = fold(search_term).strip()
        if not needle:
            return found, duplicates
        if hasattr(queryset, "search"):  # agreements: the public search, on their search text
            return found | queryset.search(search_term), True
        # The record's own text fields, folded: the other catalogue tables are small.
        own = [name for name in self.search_fields if "__" not in name]
        rows = queryset.model.objects.values_list("pk", *own)
        matching = [
            pk for pk, *values in rows.iterator() if any(needle in fold(v or "") for v in values)
        ]
        return found | queryset.filter(pk__in=matching), True

    class Media:
        css = {"all": ["css/admin-translations.css"]}  # English and French side by side

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A French field left empty stays NULL ("not translated yet"), as in the fixture files:
        # saving a record unchanged must not turn every missing translation into "".
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.null and isinstance(db_field, models.TextField) and formfield is not None:
            formfield.empty_value = None
        return formfield


class QuotedAdmin(CatalogueAdmin):
    """Shared by every record that cites its sources: quotes inline, a count of its sources."""

    inlines = [QuoteInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        counted = queryset.annotate(source_count=Count("quotes__source", distinct=True))
        # The count groups rows, and a grouped query drops the model's ordering: restore it.
        return counted.order_by(*self.model._meta.ordering)

    @admin.display(description=_("sources"), ordering="source_count")
    def source_count(self, obj):
        return obj.source_count


@admin.register(Theme)
class ThemeAdmin(QuotedAdmin):
    list_display = ["name", "slug", "description", "source_count"]
    list_filter = [HasSourceFilter]
    search_fields = ["name", "name_fr", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["slug", ("name", "name_fr"), ("description", "description_fr")]})
    ]


@admin.register(Country)
class CountryAdmin(QuotedAdmin):
    list_display = ["name", "code", "source_count"]
    list_filter = [HasSourceFilter]
    search_fields = ["name", "code"]


class SourceForm(forms.ModelForm):
    """A source's text may be corrected, but not so that a passage quoted from it disappears."""

    def clean_text(self):
        text = self.cleaned_data["text"]
        if self.instance.pk:
            lost = [q for q in self.instance.quotes.all() if not quote_occurs_in(q.text, text)]
            if lost:
                shown = "; ".join(f"“{q.text[:60]}”" for q in lost[:5])
                message = ngettext(
                    "%(count)d quoted passage would no longer be in the text: %(shown)s. "
                    "Change the quotes first.",
                    "%(count)d quoted passages would no longer be in the text: %(shown)s. "
                    "Change the quotes first.",
                    len(lost),
                )
                raise forms.ValidationError(message % {"count": len(lost), "shown": shown})
        return text


@admin.register(Source)
class SourceAdmin(CatalogueAdmin):
    form = SourceForm
    list_display = ["title", date_display, "publisher", "reference", "file_name"]
    list_filter = ["publisher", "year", "date_is_inferred"]
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
        (_("Date of publication"), {"fields": DATE_FIELDS}),
        (_("Text"), {"fields": ["text", ("notes", "notes_fr")]}),
    ]


@admin.register(Agency)
class AgencyAdmin(QuotedAdmin):
    list_display = ["name", "acronym", "kind", "country", "source_count"]
    list_filter = ["kind", "country", HasSourceFilter]
    list_select_related = ["country"]
    search_fields = ["name", "acronym", "slug", "quotes__text"]
    autocomplete_fields = ["country"]
    fieldsets = [
        (None, {"fields": ["slug", "acronym", "name", "country", "kind", ("notes", "notes_fr")]})
    ]


@admin.register(Person)
class PersonAdmin(QuotedAdmin):
    list_display = ["name", "titles", "source_count"]
    list_filter = [HasSourceFilter]
    search_fields = ["name", "slug", "roles__title", "quotes__text"]
    inlines = [RoleInline, QuoteInline]
    fieldsets = [(None, {"fields": ["slug", "name", ("notes", "notes_fr")]})]

    def get_queryset(self, request):
        roles = Role.objects.select_related("agency")
        return super().get_queryset(request).prefetch_related(Prefetch("roles", queryset=roles))

    @admin.display(description=_("titles"))
    def titles(self, obj):
        return "; ".join(sorted({str(role) for role in obj.roles.all()}))


@admin.register(Mission)
class MissionAdmin(QuotedAdmin):
    list_display = ["name", "kind", "status", date_display, "partner_list", "source_count"]
    list_filter = ["kind", "status", "themes", "countries", "date_is_inferred", HasSourceFilter]
    search_fields = ["name", "full_name", "slug", "partners__acronym", "quotes__text"]
    autocomplete_fields = ["partners", "countries", "themes"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "name",
                    "full_name",
                    "kind",
                    "status",
                    ("summary", "summary_fr"),
                    ("notes", "notes_fr"),
                ]
            },
        ),
        (_("Launch or start date"), {"fields": DATE_FIELDS}),
        (_("Links"), {"fields": ["partners", "countries", "themes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("partners")

    @admin.display(description=_("partners"))
    def partner_list(self, obj):
        return ", ".join(p.acronym or p.name for p in obj.partners.all())


@admin.register(Event)
class EventAdmin(QuotedAdmin):
    list_display = ["name", "kind", date_display, "place", "country", "source_count"]
    list_filter = ["kind", "country", "year", "date_is_inferred", HasSourceFilter]
    list_select_related = ["country"]
    search_fields = ["name", "place", "slug", "quotes__text"]
    autocomplete_fields = ["country", "participants", "agencies", "missions"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    ("name", "name_fr"),
                    "kind",
                    "place",
                    "country",
                    ("summary", "summary_fr"),
                    ("notes", "notes_fr"),
                ]
            },
        ),
        (_("Date"), {"fields": DATE_FIELDS}),
        (_("Who and what"), {"fields": ["participants", "agencies", "missions"]}),
    ]


class AgreementForm(forms.ModelForm):
    """The admin builds the form's Meta from the fieldsets; this adds the cross-field rules."""

    def clean(self):
        cleaned = super().clean()
        if "themes" in cleaned and not cleaned["themes"]:
            self.add_error("themes", _("Give the agreement at least one theme."))
        if "parties" in cleaned and not cleaned["parties"] and not cleaned.get("notes", "").strip():
            self.add_error(
                "parties",
                _("Name at least one party, or say in the notes why the documents name none."),
            )
        return cleaned


AGREEMENT_LINKS = [
    "parties",
    "countries_concerned",
    "signatories",
    "themes",
    "missions",
    "event",
    "extends",
    "implements",
]


@admin.register(Agreement)
class AgreementAdmin(QuotedAdmin):
    form = AgreementForm
    list_display = [
        "title",
        date_display,
        "party_list",
        "kind",
        "status",
        "theme_list",
        "source_count",
    ]
    list_filter = [
        "countries",
        "year",
        "themes",
        "kind",
        "status",
        HasSourceFilter,
        PartiesFilter,
        "date_is_inferred",
    ]
    search_fields = [
        "title",
        "slug",
        "summary",
        "title_fr",
        "summary_fr",
        "parties__acronym",
        "parties__name",
        "signatories__name",
        "quotes__text",
    ]
    autocomplete_fields = AGREEMENT_LINKS
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    ("title", "title_fr"),
                    "kind",
                    "status",
                    "place",
                    ("summary", "summary_fr"),
                    ("notes", "notes_fr"),
                ]
            },
        ),
        (_("Date of signature"), {"fields": [*DATE_FIELDS, "valid_until_year"]}),
        (
            _("Who and what"),
            {
                "fields": [
                    *AGREEMENT_LINKS,
                    ("countries_concerned_reasoning", "countries_concerned_reasoning_fr"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parties", "themes")

    @admin.display(description=_("parties"))
    def party_list(self, obj):
        return ", ".join(p.acronym or p.name for p in obj.parties.all())

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(t.name for t in obj.themes.all())


@admin.register(FixtureSnapshot)
class FixtureSnapshotAdmin(admin.ModelAdmin):
    """Read-only: when the files were last loaded or exported. The reload's bookkeeping, shown
    to administrators only: curators never see it."""

    list_display = ["model", "taken_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The readers' reports, a queue: new, in progress, fixed or declined. What a reader wrote
    is read-only; curators set the status and keep notes."""

    list_display = ["created_at", "status", "about", "problem_excerpt", "answer_to"]
    list_filter = ["status", ("content_type", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["problem", "correction", "record_label", "email", "curator_notes"]
    list_select_related = ["content_type"]
    date_hierarchy = "created_at"
    fields = [
        "status",
        "about",
        "problem",
        "correction",
        "email",
        "language",
        "curator_notes",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "about",
        "problem",
        "correction",
        "email",
        "language",
        "created_at",
        "updated_at",
    ]
    actions = ["mark_in_progress", "mark_fixed", "mark_declined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    def has_add_permission(self, request):
        return False  # readers write them, on the site

    @admin.display(description=_("about"), ordering="record_label")
    def about(self, obj):
        """The record, with links to its page and to its change form."""
        if obj.record is None:
            return obj.record_label or _("The site as a whole")
        meta = obj.record._meta
        try:
            change = reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.record.pk]
            )
        except NoReverseMatch:
            change = ""
        return format_html(
            '{} <a href="{}">{}</a>{}',
            obj.record,
            obj.record.get_absolute_url(),
            _("page"),
            format_html(' · <a href="{}">{}</a>', change, _("edit")) if change else "",
        )

    @admin.display(description=_("what is wrong"))
    def problem_excerpt(self, obj):
        return Truncator(obj.problem).chars(90)

    @admin.display(description=_("e-mail"), boolean=True)
    def answer_to(self, obj):
        return bool(obj.email)

    def mark(self, request, queryset, status):
        changed = queryset.update(status=status)
        self.message_user(
            request,
            ngettext(
                "%(count)d report marked %(status)s.",
                "%(count)d reports marked %(status)s.",
                changed,
            )
            % {"count": changed, "status": ReportStatus(status).label.lower()},
        )

    @admin.action(description=_("Mark as in progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self.mark(request, queryset, ReportStatus.IN_PROGRESS)

    @admin.action(description=_("Mark as fixed"), permissions=["change"])
    def mark_fixed(self, request, queryset):
        self.mark(request, queryset, ReportStatus.FIXED)

    @admin.action(description=_("Mark as declined"), permissions=["change"])
    def mark_declined(self, request, queryset):
        self.mark(request, queryset, ReportStatus.DECLINED)


# "Add a press release": the ingest assistant's review desk (cooperation/ingest/review.py).
admin.site.register(PressRelease, PressReleaseAdmin)
