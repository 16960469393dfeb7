"""The API's pages: numbered pages with a total for the smaller lists, and an opaque cursor for
the agreements (100,000 of them and more), both with `next` and `previous` links. A page that
is not one, or a cursor this API did not give, is a 400, never an empty or a wider answer."""

import base64
import binascii
import re

from django.core.paginator import EmptyPage, PageNotAnInteger
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..views.base import IdsFirstPaginator
from .problems import BadParameters

# A cursor is URL-safe base64 of the offset where its page starts.
CURSOR = re.compile(r"^[A-Za-z0-9_-]+$")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def page_size_of(request):
    raw = request.query_params.get("page_size")
    if raw is None:
        return PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise BadParameters([("page_size", raw, f"a whole number from 1 to {MAX_PAGE_SIZE}")])
    return int(raw)


PAGE_SIZE_PARAMETER = {
    "name": "page_size",
    "in": "query",
    "required": False,
    "description": f"Records per page, 1 to {MAX_PAGE_SIZE} ({PAGE_SIZE} if not given).",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
}


def page_schema(schema, *, description):
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "description": description},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": schema,
        },
    }


class NumberedPages(PageNumberPagination):
    page_size = PAGE_SIZE

    def get_page_size(self, request):
        return page_size_of(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        raw = request.query_params.get(self.page_query_param, "1")
        try:
            self.page = paginator.page(raw)
        except PageNotAnInteger:
            raise BadParameters([("page", raw, "not a page number")]) from None
        except EmptyPage:
            if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
                raise BadParameters([("page", raw, "pages start at 1")]) from None
            last = paginator.num_pages
            raise NotFound(f"There is no page {raw}: pages run from 1 to {last}.") from None
        return list(self.page)

    def get_paginated_response_schema(self, schema):
        return page_schema(schema, description="How many records the list holds.")

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "The page, from 1 (the `next` and `previous` links give them).",
                "schema": {"type": "integer", "minimum": 1},
            },
            PAGE_SIZE_PARAMETER,
        ]


class AgreementCursor(BasePagination):
    """Pages of the agreement browser's results, in its order (`sort`): a page's ids read from
    the index of that order, then its rows (cooperation.views.base.IdsFirstPaginator, as the
    browser's pages); `cursor` is where the page starts, opaque to callers; `count` the total
    of the search (`view.total()`, counted once per catalogue version)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.size = request, page_size_of(request)
        self.count = view.total(queryset)
        self.offset = self.decode(request.query_params.get(self.cursor_query_param))
        if self.offset and self.offset >= self.count:
            raise NotFound("The cursor is past the last result (the catalogue has changed).")
        pages = IdsFirstPaginator(queryset, self.size, fetch=None, count=self.count)
        return view.rows(pages.ids(self.offset, self.offset + self.size))

    def decode(self, raw):
        if raw is None:
            return 0
        try:
            text = base64.urlsafe_b64decode(raw.encode("ascii") + b"==").decode("ascii")
        except (binascii.Error, UnicodeError, ValueError):
            text = ""
        if not CURSOR.fullmatch(raw):
            raise BadParameters([(self.cursor_query_param, raw, "not a cursor this API gave")])
        if not (text.startswith("o=") and text[2:].isdigit()):
            # Well formed but not one of ours: as DRF's own cursors, a page that is not there.
            raise NotFound("No page starts at this cursor: follow a `next` or `previous` link.")
        return int(text[2:])

    def link(self, offset):
        url = self.request.build_absolute_uri()
        if offset <= 0:
            return remove_query_param(url, self.cursor_query_param)
        cursor = base64.urlsafe_b64encode(f"o={offset}".encode()).decode().rstrip("=")
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        after = self.offset + self.size
        return Response(
            {
                "count": self.count,
                "next": self.link(after) if after < self.count else None,
                "previous": self.link(self.offset - self.size) if self.offset > 0 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return page_schema(schema, description="How many agreements match the search.")

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: the `next` or `previous` link's value.",
                "schema": {"type": "string", "pattern": CURSOR.pattern},
            },
            PAGE_SIZE_PARAMETER,
        ]
