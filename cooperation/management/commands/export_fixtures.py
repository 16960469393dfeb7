"""Write the database back to the curated fixture files in fixtures/.

The files come out in their canonical form (records sorted by natural key, keys in a fixed
order, UTF-8, two-space indentation, a trailing newline), so exporting an untouched database
rewrites them byte for byte and a curator's edit shows as a small `git diff`. After an export,
`reload_fixtures` runs without complaint.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cooperation.fixture_files import database_catalogue, save_snapshot, write_fixtures


class Command(BaseCommand):
    help = "Write the database to the fixture files, in their canonical form."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures-dir",
            type=Path,
            default=None,
            help="Where to write the files (default: the FIXTURES_DIR setting).",
        )

    def handle(self, *args, fixtures_dir=None, verbosity=1, **options):
        directory = fixtures_dir or settings.FIXTURES_DIR
        with transaction.atomic():
            states = database_catalogue()
            written = write_fixtures(directory, states)
            save_snapshot(states)
        if verbosity >= 1:
            count = sum(len(records) for records in states.values())
            if written:
                self.stdout.write(self.style.SUCCESS(f"Exported {count} records to {directory}:"))
                for filename in written:
                    self.stdout.write(f"  rewrote {filename}")
            else:
                self.stdout.write(
                    f"Exported {count} records to {directory}: every file was already up to date."
                )
