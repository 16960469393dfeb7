"""Read a press release and print the records it proposes, each with its verbatim quote.

    python manage.py propose_records FILE [--source-date YYYY-MM-DD] [--language en|fr|auto]
                                          [--format json|text]

FILE is plain text, HTML (its main text) or PDF (its text layer); `-` reads standard input.
Nothing is written to the database: the proposals are matched against the catalogue and printed
(the shape is documented in the README, "The ingest assistant"). A file that cannot be read as a
press release in English or French is refused with the reason, and the command exits with 1.
"""

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.ingest import UnreadableDocument, read_release


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--source-date must be a date as YYYY-MM-DD, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Propose the agencies, people, agreements, missions and events a press release (text, "
        "HTML or PDF) names, each with its verbatim quote. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The release: a text, HTML or PDF file, or - for stdin.")
        parser.add_argument(
            "--source-date",
            help="The release's date (YYYY-MM-DD), when it prints none: years are read from it.",
        )
        parser.add_argument("--language", choices=["en", "fr", "auto"], default="auto")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, file, source_date=None, language="auto", format="json", **options):
        if file == "-":
            data, name = sys.stdin.buffer.read(), ""
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"{file}: no such file.")
            data, name = path.read_bytes(), path.name
        try:
            result = read_release(
                data,
                name=name,
                language=language,
                source_date=_date(source_date) if source_date else None,
            )
        except UnreadableDocument as error:
            raise CommandError(f"{file}: {error}") from error
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(result))


def as_text(result):
    """The proposals for a person to read: one line each, its quote beneath."""
    lines = [f"Language: {result['language']}"]
    if result["dateline"]:
        lines.append(f"Dateline: {result['dateline']['text']} ({result['dateline']['date']})")
    if result["reference_date"]:
        lines.append(f"Dates read from: {result['reference_date']['reasoning']}")
    for kind in ("agencies", "people", "agreements", "missions", "events"):
        lines.append("")
        lines.append(f"{kind.capitalize()} ({len(result[kind])})")
        for proposal in result[kind]:
            label = proposal["title"] if kind == "agreements" else proposal["name"]
            status = f"matches {proposal['existing']}" if proposal["existing"] else "new"
            extra = ""
            if kind == "agreements":
                date = proposal["date"]
                extra = f" — {proposal['kind']}, {date['precision']} {date['start'] or ''}".rstrip()
                extra += f", parties: {', '.join(proposal['parties']) or 'none named'}"
                if proposal["recalled"]:
                    extra += ", recalled"
            elif kind == "people":
                extra = f" — {proposal['title'] or 'no title'}, {proposal['organisation'] or '?'}"
            lines.append(f"  [{proposal['confidence']:.2f}] {label}{extra} ({status})")
            lines.append(f"      “{proposal['quote']}”")
            reasoning = (proposal.get("date") or {}).get("reasoning")
            if reasoning:
                lines.append(f"      date: {reasoning}")
    return "\n".join(lines)
