"""What the pages share: forgiving pagination, the record index and record page bases, and a
record's agreements."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView

from ..api.serializers import api_url
from ..caching import catalogue_version
from ..counting import once_per_version
from ..filters import Notice, browser_url
from ..search import fold
from ..structured_data import describe


class IdsFirstPaginator(Paginator):
    """Pages of a long ordered list: a page's ids first, from the index of its order alone,
    then its rows by id (`fetch(ids)` gives them, in that order), so that page 4,000 costs
    about what page 1 costs. `count`, when known (counted once per catalogue version), is not
    counted again; `keep`, when given, keeps the first ids (`keep(read)` returns what `read()`
    returns, read once per catalogue version), so that the first pages read no ids at all."""

    FEW = 500
    FIRST = 100

    def __init__(self, object_list, per_page, *, fetch, count=None, keep=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.fetch, self.keep = fetch, keep
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.keep is not None and top <= self.FIRST:
            ids = self.keep(lambda: self.ids(0, self.FIRST))[bottom:top]
        else:
            ids = self.ids(bottom, top)
        return self._get_page(self.fetch(ids), number, self)

    def _check_object_list_is_ordered(self):
        """Checked when ids are read (`ids()`), not before: kept ids need no list at all."""

    def ids(self, bottom, top):
        super()._check_object_list_is_ordered()
        ordered = self.object_list.values_list("pk", flat=True)
        # Few results: all their ids in order, then the page's. With LIMIT the planner may walk
        # the whole ordered index looking for rows it wrongly expects to be many.
        return list(ordered)[bottom:top] if self.count <= self.FEW else list(ordered[bottom:top])


class ForgivingPaginationMixin:
    """Any page number is answered: one that is not a page shows the nearest, with a notice."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.notices = []

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        raw = self.request.GET.get(self.page_kwarg, "1")
        try:
            asked = int(raw)
        except ValueError:
            asked = None
        # get_page() answers any number; below 1 it would give the last page, not the first.
        page = paginator.get_page(1 if asked is not None and asked < 1 else raw)
        if asked is None:
            self.notices.append(Notice("page", raw, "not a page number; showing page 1"))
        elif asked < 1:
            self.notices.append(Notice("page", raw, "pages start at 1; showing page 1"))
        elif asked != page.number:
            pages = paginator.num_pages
            there = f"there is only {pages} page" if pages == 1 else f"there are only {pages} pages"
            self.notices.append(Notice("page", raw, f"{there}; showing the last"))
        return paginator, page, page.object_list, page.has_other_pages()

    def page_url(self, number):
        return f"?{self.page_kwarg}={number}"

    def page_links(self, page):
        """What _pagination.html shows: previous, next, and the numbers around this page."""
        numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return {
            "numbers": [
                {
                    "number": n,
                    "url": "" if n == page.paginator.ELLIPSIS else self.page_url(n),
                    "current": n == page.number,
                }
                for n in numbers
            ],
            "previous": self.page_url(page.previous_page_number()) if page.has_previous() else "",
            "next": self.page_url(page.next_page_number()) if page.has_next() else "",
        }

    def canonical_path(self, number):
        """The address of this page of the list, as search engines should know it."""
        return self.request.path + (self.page_url(number) if number > 1 else "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("notices", self.notices)
        if context.get("is_paginated"):
            context["pages"] = self.page_links(context["page_obj"])
        if context.get("page_obj"):
            number = context["page_obj"].number
            context["canonical"] = self.request.build_absolute_uri(self.canonical_path(number))
        return context


class RecordListView(ForgivingPaginationMixin, ListView):
    """An index of one kind of record, 50 a page, prepared by its QuerySet's `for_list()`."""

    paginate_by = 50
    # An index in the alphabetical order of a name that the reader's language gives (a
    # country's from CLDR, a theme's from its curator): on a page in another language than
    # English, sorted here by that name, without case or accents ("Corée du Sud" before
    # "France", "Débris spatiaux" before "Enseignement"). Only for short lists: all are read.
    local_order = None

    def get_queryset(self):
        records = self.model.objects.for_list()
        if self.local_order and (get_language() or "en")[:2] != "en":
            return sorted(records, key=lambda r: (fold(getattr(r, self.local_order)), r.pk))
        return records

    def get_template_names(self):
        # Django names the template from the queryset's model, which a sorted list has not.
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}{self.template_name_suffix}.html"]


class CountedListView(RecordListView):
    """An index whose rows say how many related records each has: counted for every record at
    once, once per catalogue version (its QuerySet's `related_counts()`), never per page."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attach_counts(self.request, self.model, context["object_list"])
        return context


def attach_counts(request, model, records):
    """Give each record its counts of related records (see CountedListView)."""
    counts = once_per_version(
        catalogue_version(request)[0],
        "related-counts",
        [model._meta.label],
        model.objects.related_counts,
    )
    for record in records:
        for name, by_record in counts.items():
            setattr(record, name, by_record.get(record.pk, 0))
    return records


class RecordDetailView(DetailView):
    """A record's page, prepared by its QuerySet's `for_detail()` where it has one, with its
    canonical address, what a shared link shows, and its schema.org description."""

    def get_queryset(self):
        records = self.model.objects.all()
        return records.for_detail() if hasattr(records, "for_detail") else records

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        absolute = self.request.build_absolute_uri
        context.update(
            canonical=absolute(self.object.get_absolute_url()),
            og_title=str(self.object),
            og_description=getattr(self.object, "summary", "") or None,
            json_ld=describe(self.object, absolute),
            api_url=api_url(self.object, self.request),
            report_url=report_url(self.object),
            last_changed=self.object.changed_at,
            changes_url=reverse(
                f"cooperation:{self.object._meta.model_name}_changes",
                args=[self.object.natural_key()[0]],
            ),
        )
        return context


def report_url(record=None):
    """The address of the form that reports a mistake on this record's page."""
    url = reverse("cooperation:report")
    if record is None:
        return url
    return f"{url}?{urlencode({'record': record.ref})}"


class RelatedAgreementsMixin:
    """A record's agreements: the newest few on its page, the rest one click away in the browser."""

    shown_agreements = 25
    browse_parameter = None  # the browser's filter for this record, if it has one

    def related_agreements(self):
        raise NotImplementedError

    def related_counts(self):
        """{"total", "years"} of the record's agreements, counted once per catalogue version
        (the total is the years' sum: no count of its own)."""
        agreements = self.related_agreements()

        def count():
            years = agreements.counts_by_year()
            return {"total": sum(n for _, n in years), "years": years}

        return once_per_version(
            catalogue_version(self.request)[0],
            "related",
            [self.object._meta.label, self.object.pk],
            count,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreements = self.related_agreements()
        context["agreements"] = agreements.for_list()[: self.shown_agreements]
        context["agreement_count"] = self.related_counts()["total"]
        if self.browse_parameter:
            value = getattr(self.object, self.object.natural_key_field)
            context["browse_url"] = browser_url(**{self.browse_parameter: value})
        return context


def countries_counted(links):
    """({ISO code: agreements}, {ISO code: name}) of agreement–country links (a party's
    country or a country concerned: each agreement once per country), in one query."""
    rows = links.order_by().values_list("country__code", "country__name").annotate(n=Count("*"))
    return {code: n for code, _, n in rows}, {code: name for code, name, _ in rows}
