"""The agreement browser's downloads: every matching agreement as CSV or JSON, streamed.

Rows are plain values read in chunks, with one query per relation per chunk, so that 100,000
rows stream in seconds and a worker's memory stays flat. The first rows are read before the
response is returned: a database that is down is then a 503 page, not a cut-off download.
"""

import csv
import itertools
import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.text import slugify

from .dates import iso_dates, partial_date_display
from .models import Agreement, AgreementKind, AgreementStatus, Quote

CHUNK = 2000
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


def export_rows(agreements, record_url, chunk=CHUNK):
    """Every agreement of the queryset as a plain row, in the queryset's order (the search's
    sort). `record_url` is an agreement's absolute address with SLUG standing for its slug."""
    columns = [*_ROW_COLUMNS, *Agreement.date_part_names]
    rows = agreements.values_list(*columns)
    batch = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) == chunk:
            yield from _export_batch(batch, record_url)
            batch = []
    if batch:
        yield from _export_batch(batch, record_url)


def _export_batch(batch, record_url):
    kinds, statuses = dict(AgreementKind.choices), dict(AgreementStatus.choices)
    ids = [row["pk"] for row in batch]
    related = {
        "parties": {},
        "countries": {},
        "countries_concerned": {},
        "signatories": {},
        "themes": {},
    }
    parties = Agreement.parties.through.objects.filter(agreement_id__in=ids).values_list(
        "agreement_id", "agency__acronym", "agency__name"
    )
    for agreement, acronym, name in parties.order_by("agency__name"):
        related["parties"].setdefault(agreement, []).append(acronym or name)
    for name, through, column in (
        ("countries", Agreement.countries.through, "country__code"),
        ("countries_concerned", Agreement.countries_concerned.through, "country__code"),
        ("signatories", Agreement.signatories.through, "person__name"),
        ("themes", Agreement.themes.through, "theme__name"),
    ):
        links = through.objects.filter(agreement_id__in=ids).values_list("agreement_id", column)
        for agreement, value in links.order_by(column):
            related[name].setdefault(agreement, []).append(value)
    quotes = Quote.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement), object_id__in=ids
    )
    quote_counts = dict(
        quotes.order_by().values("object_id").annotate(n=Count("pk")).values_list("object_id", "n")
    )
    for row in batch:
        pk = row["pk"]
        date_parts = [row[f] for f in Agreement.date_part_names]
        start, end = iso_dates(*date_parts)
        url = record_url.replace("SLUG", row["slug"])
        yield {
            "slug": row["slug"],
            "title": row["title"],
            "kind": kinds.get(row["kind"], row["kind"]),
            "kind_code": row["kind"],
            "status": statuses.get(row["status"], row["status"]),
            "status_code": row["status"],
            "date": partial_date_display(*date_parts),
            "start": start,
            "end": end,
            "date_precision": row["date_precision"],
            "year": row["year"],
            "date_is_inferred": row["date_is_inferred"],
            "date_inference": row["date_inference"],
            "place": row["place"],
            "parties": related["parties"].get(pk, []),
            "countries": related["countries"].get(pk, []),
            "countries_concerned": related["countries_concerned"].get(pk, []),
            "countries_concerned_reasoning": row["countries_concerned_reasoning"],
            "signatories": related["signatories"].get(pk, []),
            "themes": related["themes"].get(pk, []),
            "summary": row["summary"],
            "notes": row["notes"],
            "quote_count": quote_counts.get(pk, 0),
            "quotes_url": f"{url}#quotes",
            "url": url,
        }


def _read_rows(request, agreements):
    """The export's rows, the first already read (see the module's docstring)."""
    record_url = request.build_absolute_uri(
        reverse("cooperation:agreement_detail", kwargs={"slug": "SLUG"})
    )
    rows = export_rows(agreements, record_url)
    first = next(rows, None)
    return rows if first is None else itertools.chain([first], rows)


class _Echo:
    """A file that hands back what is written to it: csv.writer then yields lines."""

    def write(self, value):
        return value


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


def csv_response(request, agreements, state=()):
    writer = csv.writer(_Echo())
    rows = _read_rows(request, agreements)

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for row in rows:
            yield writer.writerow(
                ["; ".join(row[c]) if isinstance(row[c], list) else row[c] for c in CSV_COLUMNS]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _download(response, state, "csv")


def json_response(request, agreements, state=()):
    rows = _read_rows(request, agreements)

    def chunks():
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False)
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    return _download(response, state, "json")


def refused(notices):
    """A download cannot show a notice: it says what is wrong instead of exporting more rows."""
    lines = [f"{n.parameter}={n.value[:60]}: {n.reason}" for n in notices]
    return HttpResponseBadRequest(
        "Part of this search is not valid, so nothing was exported:\n" + "\n".join(lines),
        content_type="text/plain; charset=utf-8",
    )
