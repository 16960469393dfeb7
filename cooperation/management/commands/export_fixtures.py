"""Write the database back to the curated fixture files in fixtures/.

The files come out in their canonical form (records sorted by natural key, keys in a fixed
order, UTF-8, two-space indentation, a trailing newline), so exporting an untouched database
rewrites them byte for byte and a curator's edit shows as a small `git diff`. After an export,
`reload_fixtures` runs without complaint.

If the files changed since they were last loaded (a `git pull`, a hand edit), an export would
overwrite those changes: the command lists them and refuses, unless --force is given.
Exporting to another folder (--fixtures-dir) previews the files and marks nothing as exported.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cooperation.fixture_files import (
    FixtureError,
    database_catalogue,
    differences,
    is_fixtures_dir,
    lock_catalogue,
    read_fixtures,
    refuse,
    save_snapshot,
    write_fixtures,
)


class Command(BaseCommand):
    help = (
        "Write the database to the fixture files, in their canonical form. Refuses to overwrite "
        "file changes that were never loaded, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures-dir",
            type=Path,
            default=None,
            help="Where to write the files (default: the FIXTURES_DIR setting).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite changes in the files that were never loaded.",
        )

    def handle(self, *args, fixtures_dir=None, force=False, verbosity=1, **options):
        directory = fixtures_dir or settings.FIXTURES_DIR
        remembered = is_fixtures_dir(directory)
        with transaction.atomic():
            lock_catalogue()
            if remembered and not force:
                self._refuse_unloaded_changes(directory)
            states = database_catalogue()
            written = write_fixtures(directory, states)
            if remembered:
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
            if not remembered:
                self.stdout.write("A preview: the database is not marked as exported.")

    def _refuse_unloaded_changes(self, directory):
        try:
            changes = differences(read_fixtures(directory))
        except FixtureError as error:
            problems = error.problems
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                "The fixture files cannot be read, so an export could overwrite changes in them; "
                "nothing was written. Fix them, or export with --force."
            ) from error
        if changes:
            refuse(
                self,
                "The fixture files hold changes that were never loaded:",
                changes,
                f"{len(changes)} change{'s' if len(changes) != 1 else ''} in the files would be "
                "overwritten; nothing was written. Reload them first (merging your edits), or "
                "export with --force.",
            )
