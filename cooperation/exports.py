"""The agreement browser's downloads: every matching agreement as CSV or JSON, streamed.

Rows are plain values read in chunks, with one query per relation per chunk, so that 100,000
rows stream in seconds and a worker's memory stays flat. The first rows are read before the
response is returned: a database that is down is then a 503 page, not a cut-off download.
"""

import csv
import itertools
import json

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse

from .dates import partial_date_display
from .models import Agreement, AgreementKind, AgreementStatus

CHUNK = 2000
CSV_COLUMNS = [
    "slug",
    "title",
    "kind",
    "status",
    "date",
    "date_precision",
    "year",
    "date_is_inferred",
    "place",
    "parties",
    "countries",
    "signatories",
    "themes",
    "url",
]
_ROW_COLUMNS = ["pk", "slug", "title", "kind", "status", "place", "date_is_inferred"]


def export_rows(agreements, record_url, chunk=CHUNK):
    """Every agreement of the queryset as a plain row, newest first. `record_url` is an
    agreement's absolute address with SLUG standing for its slug."""
    columns = [*_ROW_COLUMNS, *Agreement.date_part_names]
    rows = agreements.newest_first().values_list(*columns)
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
    related = {"parties": {}, "countries": {}, "signatories": {}, "themes": {}}
    parties = Agreement.parties.through.objects.filter(agreement_id__in=ids).values_list(
        "agreement_id", "agency__acronym", "agency__name", "agency__country__code"
    )
    for agreement, acronym, name, country in parties.order_by("agency__name"):
        related["parties"].setdefault(agreement, []).append(acronym or name)
        if country:
            related["countries"].setdefault(agreement, set()).add(country)
    for name, through, column in (
        ("signatories", Agreement.signatories.through, "person__name"),
        ("themes", Agreement.themes.through, "theme__name"),
    ):
        links = through.objects.filter(agreement_id__in=ids).values_list("agreement_id", column)
        for agreement, value in links.order_by(column):
            related[name].setdefault(agreement, []).append(value)
    for row in batch:
        pk = row["pk"]
        yield {
            "slug": row["slug"],
            "title": row["title"],
            "kind": kinds.get(row["kind"], row["kind"]),
            "status": statuses.get(row["status"], row["status"]),
            "date": partial_date_display(*(row[f] for f in Agreement.date_part_names)),
            "date_precision": row["date_precision"],
            "year": row["year"],
            "date_is_inferred": row["date_is_inferred"],
            "place": row["place"],
            "parties": related["parties"].get(pk, []),
            "countries": sorted(related["countries"].get(pk, ())),
            "signatories": related["signatories"].get(pk, []),
            "themes": related["themes"].get(pk, []),
            "url": record_url.replace("SLUG", row["slug"]),
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


def csv_response(request, agreements):
    writer = csv.writer(_Echo())
    rows = _read_rows(request, agreements)

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for row in rows:
            yield writer.writerow(
                ["; ".join(row[c]) if isinstance(row[c], list) else row[c] for c in CSV_COLUMNS]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="agreements.csv"'
    return response


def json_response(request, agreements):
    rows = _read_rows(request, agreements)

    def chunks():
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False)
        yield "\n]\n"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


def refused(notices):
    """A download cannot show a notice: it says what is wrong instead of exporting more rows."""
    lines = [f"{n.parameter}={n.value[:60]}: {n.reason}" for n in notices]
    return HttpResponseBadRequest(
        "Part of this search is not valid, so nothing was exported:\n" + "\n".join(lines),
        content_type="text/plain; charset=utf-8",
    )
