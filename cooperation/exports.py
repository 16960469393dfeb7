"""The agreement browser's downloads: every matching agreement as CSV or JSON, streamed.

Rows are plain values streamed by one query through a server-side cursor, each with the ids of
its linked records (the agreement's derived `links`; their names read once per catalogue
version), so that 100,000 rows stream in seconds and a worker's memory stays flat. The first
rows are read before the response is returned: a database that is down is then a 503 page, not
a cut-off download.
"""

import csv
import gc
import io
import itertools
import json
import threading
from contextlib import contextmanager

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify

from .caching import catalogue_version
from .counting import once_per_version
from .dates import iso_dates, partial_date_display
from .models import Agency, Agreement, AgreementKind, AgreementStatus, Country, Person, Theme

CHUNK = 2000
FRENCH_COLUMNS = [
    "title_fr",
    "summary_fr",
    "notes_fr",
    "date_inference_fr",
    "countries_concerned_reasoning_fr",
]
CSV_COLUMNS = [
    "slug",
    "title",
    "kind",
    "kind_code",
    "status",
    "status_code",
    "date",
    "start",
    "end",
    "date_precision",
    "year",
    "date_is_inferred",
    "date_inference",
    "place",
    "parties",
    "countries",
    "countries_concerned",
    "countries_concerned_reasoning",
    "signatories",
    "themes",
    "summary",
    "notes",
    "quote_count",
    "quotes_url",
    "url",
    # The vocabulary in French (the columns above are in English, whatever the page's
    # language, so that a file's values do not depend on where it was downloaded).
    "kind_fr",
    "status_fr",
    "date_fr",
    # The curators' French of the record's content: empty where none is written yet.
    *FRENCH_COLUMNS,
]
_ROW_COLUMNS = [
    "pk",
    "slug",
    "title",
    "kind",
    "status",
    "place",
    "summary",
    "notes",
    "date_is_inferred",
    "date_inference",
    "countries_concerned_reasoning",
]


def export_rows(agreements, record_url, version=None, chunk=CHUNK):
    """Every agreement of the queryset as a plain row (its values in CSV_COLUMNS' order), in
    the queryset's order (the search's sort). `record_url` is an agreement's absolute address
    with SLUG standing for its slug.

    One query streams them all: each row carries the ids of its linked records per relation
    and its number of quotes (its `links`, derived data: no subquery per relation); the names
    of the linked records, and their order, are read once per catalogue `version` (each
    export, without one)."""
    columns = [*_ROW_COLUMNS, *Agreement.date_part_names, "links", *FRENCH_COLUMNS]
    written = _Written(record_url, once_per_version(version, "export-names", [], _linked_names))
    with _few_collections():
        for values in agreements.values_list(*columns).iterator(chunk_size=chunk):
            yield written.row(values)


# While rows stream, Python's cyclic garbage collector runs once per 100,000 new containers
# instead of 700: a row is a dozen lists and dicts, freed as soon as it is written (none is in
# a cycle), and the collector's passes over the process's long-lived objects took a fifth of
# an export's time. Counted, so that exports streaming at once in threads restore it once.
GC_THRESHOLD = 100_000
_collections = {"exports": 0, "threshold": None}
_collections_lock = threading.Lock()


@contextmanager
def _few_collections():
    with _collections_lock:
        if _collections["exports"] == 0:
            _collections["threshold"] = gc.get_threshold()
            gc.set_threshold(GC_THRESHOLD, *_collections["threshold"][1:])
        _collections["exports"] += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections["exports"] -= 1
            if _collections["exports"] == 0:
                gc.set_threshold(*_collections["threshold"])


# What each relation lists: the linked model, the fields it is ordered by and shown with, and
# how a record is shown.
RELATIONS = {
    "parties": (Agency, ("name", "acronym"), lambda name, acronym: acronym or name),
    "countries": (Country, ("code",), lambda code: code),
    "countries_concerned": (Country, ("code",), lambda code: code),
    "signatories": (Person, ("name",), lambda name: name),
    "themes": (Theme, ("name",), lambda name: name),
}


def _linked_names():
    """(names by id, ranks by id) of the records of each relation, in RELATIONS' order."""
    by_model = {}
    for model, fields, show in RELATIONS.values():
        if model not in by_model:
            rows = model.objects.order_by(fields[0], "pk").values_list("pk", *fields)
            shown, rank = {}, {}
            for position, (pk, *values) in enumerate(rows):
                shown[pk], rank[pk] = show(*values), position
            by_model[model] = (shown, rank)
    return [by_model[model] for model, _, _ in RELATIONS.values()]


class _Written:
    """How an export writes what its rows hold: choice labels, dates as written (each made
    once per export), and the linked records' names in their order (`names`, from
    _linked_names())."""

    def __init__(self, record_url, names):
        self.record_url, self.dates, self.names = record_url, {}, names
        self.kinds, self.statuses = {}, {}
        for language in ("en", "fr"):
            with translation.override(language):
                self.kinds[language] = {code: str(label) for code, label in AgreementKind.choices}
                self.statuses[language] = {
                    code: str(label) for code, label in AgreementStatus.choices
                }

    def listed(self, links):
        """The names of the linked records of each relation, in their order, from the row's
        `links` (ids per relation)."""
        listed = []
        for name, (shown, rank) in zip(RELATIONS, self.names, strict=True):
            ids = links.get(name)
            if not ids:
                listed.append([])
                continue
            if len(ids) > 1:
                ids.sort(key=rank.__getitem__)
            listed.append([shown[pk] for pk in ids])
        return listed

    def row(self, values):
        """The values of export_rows()' query, in CSV_COLUMNS' order (a list for a relation's
        names). The query's columns, in order: _ROW_COLUMNS, the date's parts, its links, its
        French (FRENCH_COLUMNS)."""
        (_, slug, title, kind, status, place, summary, notes, inferred, inference, reasoning,
         *rest) = values  # fmt: skip
        date_parts, links, content_fr = tuple(rest[:7]), rest[7] or {}, rest[8:]
        quote_count = links.get("quotes", 0)
        if date_parts not in self.dates:  # dates repeat: each is written once per export
            with translation.override("en"):
                english = partial_date_display(*date_parts)
            with translation.override("fr"):
                french = partial_date_display(*date_parts)
            self.dates[date_parts] = (english, *iso_dates(*date_parts), french)
        written, start, end, written_fr = self.dates[date_parts]
        url = self.record_url.replace("SLUG", slug)
        parties, countries, concerned, signatories, themes = self.listed(links)
        return [
            slug,
            title,
            self.kinds["en"].get(kind, kind),
            kind,
            self.statuses["en"].get(status, status),
            status,
            written,
            start,
            end,
            date_parts[0],  # the precision
            date_parts[1],  # the year
            inferred,
            inference,
            place,
            parties,
            countries,
            concerned,
            reasoning,
            signatories,
            themes,
            summary,
            notes,
            quote_count,
            f"{url}#quotes",
            url,
            self.kinds["fr"].get(kind, kind),
            self.statuses["fr"].get(status, status),
            written_fr,
            *content_fr,
        ]


def _read_rows(request, agreements):
    """The export's rows, the first already read (see the module's docstring)."""
    record_url = request.build_absolute_uri(
        reverse("cooperation:agreement_detail", kwargs={"slug": "SLUG"})
    )
    rows = export_rows(agreements, record_url, catalogue_version(request)[0])
    first = next(rows, None)
    return rows if first is None else itertools.chain([first], rows)


def file_name(state, extension, limit=120):
    """What a download is called: what was asked, "agreements-country-VN-theme-climate.csv"."""
    parts = ["agreements", *(f"{name}-{slugify(value)}" for name, value in state)]
    stem = "-".join(part for part in parts if part)[:limit].rstrip("-")
    return f"{stem}.{extension}"


LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def _download(response, state, extension):
    """A download says what it holds (its file name) and under what terms (its licence; the
    date of the catalogue it comes from is its Last-Modified)."""
    response["Content-Disposition"] = f'attachment; filename="{file_name(state, extension)}"'
    terms = reverse("cooperation:about") + "#terms"
    response["Link"] = f'<{LICENCE}>; rel="license", <{terms}>; rel="describedby"'
    return response


# Rows are sent a few hundred at a time: one chunk per row would cost more than the row.
ROWS_PER_CHUNK = 200


def csv_response(request, agreements, state=()):
    rows = _read_rows(request, agreements)

    # The columns that hold a relation's names: one cell, joined.
    joined = [CSV_COLUMNS.index(name) for name in RELATIONS]

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        batch = []
        for row in rows:
            for column in joined:
                row[column] = "; ".join(row[column])
            batch.append(row)
            if len(batch) == ROWS_PER_CHUNK:
                writer.writerows(batch)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                batch = []
        writer.writerows(batch)
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    return _download(response, state, "csv")


def json_response(request, agreements, state=()):
    rows = _read_rows(request, agreements)

    def chunks():
        part = ["["]
        for index, row in enumerate(rows):
            record = dict(zip(CSV_COLUMNS, row, strict=True))
            part.append(("," if index else "") + "\n  " + json.dumps(record, ensure_ascii=False))
            if len(part) >= ROWS_PER_CHUNK:
                yield "".join(part)
                part = []
        part.append("\n]\n")
        yield "".join(part)

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    return _download(response, state, "json")


def refused(notices):
    """A download cannot show a notice: it says what is wrong instead of exporting more rows."""
    lines = [f"{n.parameter}={n.value[:60]}: {n.reason}" for n in notices]
    return HttpResponseBadRequest(
        "Part of this search is not valid, so nothing was exported:\n" + "\n".join(lines),
        content_type="text/plain; charset=utf-8",
    )
