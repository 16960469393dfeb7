"""Make the database equal to the curated fixture files in fixtures/.

Every file is read and checked before anything is written; the writing happens in one
transaction, so a bad file or a refused record leaves the database exactly as it was.
Records are matched by natural key and updated in place (their ids, and so the admin's
history, survive); records no longer in the files are deleted. A second run changes nothing.

Edits made in the database since the files were last loaded or exported (in the admin, say)
would be lost: the command lists them and refuses, unless --force is given. Run
`manage.py export_fixtures` first to keep them.
"""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cooperation.derived import refresh_deferred
from cooperation.fixture_files import (
    FixtureError,
    apply_reload,
    is_fixtures_dir,
    listing,
    lock_catalogue,
    plan_reload,
    read_fixtures,
    refuse,
    save_snapshot,
    unexported_changes,
)
from cooperation.history import changes_made_by
from cooperation.models import analyze_catalogue


def reload_reason(directory):
    """What the records' history says of a reload: the command and the files' commit."""
    try:
        found = subprocess.run(
            ["git", "-C", str(directory), "log", "-1", "--format=%h", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
        )
        commit = found.stdout.strip() if found.returncode == 0 else ""
        if commit:
            status = ["git", "-C", str(directory), "status", "--porcelain", "--", "."]
            edited = subprocess.run(status, capture_output=True, text=True, timeout=10)
            if edited.stdout.strip():
                commit += " with uncommitted edits"
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"reload_fixtures, fixtures at {commit}" if commit else "reload_fixtures"


class Command(BaseCommand):
    help = (
        "Make the database equal to the fixture files: create, update in place and delete "
        "records, all in one transaction. Refuses to overwrite edits not yet exported unless "
        "--force; --dry-run shows what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and show what would change, without writing anything.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite edits made in the database since the last load or export.",
        )
        parser.add_argument(
            "--fixtures-dir",
            type=Path,
            default=None,
            help="Where the fixture files are (default: the FIXTURES_DIR setting).",
        )

    def handle(self, *args, dry_run=False, force=False, fixtures_dir=None, verbosity=1, **options):
        directory = fixtures_dir or settings.FIXTURES_DIR
        try:
            desired = read_fixtures(directory)
            with transaction.atomic():
                if not dry_run:
                    lock_catalogue()
                changes = unexported_changes()
                plans = plan_reload(desired)
                if changes and not force and not dry_run:
                    self._refuse(changes)
                if not dry_run:
                    # Derived data (search text, countries) is refreshed, and the version
                    # bumped, once after every write (not at all if nothing was written).
                    with refresh_deferred(), changes_made_by(reload_reason(directory)):
                        apply_reload(plans)
                    if is_fixtures_dir(directory):
                        save_snapshot(desired)
            if not dry_run and any(p.created or p.updated or p.deleted for p in plans):
                analyze_catalogue()
        except FixtureError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            count = len(error.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in the fixtures; "
                "the database was not changed."
            ) from error

        if changes and (dry_run or verbosity >= 1):
            verb = (
                "would be overwritten (a reload refuses them without --force)"
                if dry_run
                else "were overwritten (--force)"
            )
            self.stdout.write(self.style.WARNING(f"Edits not exported {verb}:"))
            for line in listing(changes, limit=20 if verbosity < 2 else len(changes)):
                self.stdout.write(line)
        if verbosity >= 1:
            self._report(plans, dry_run=dry_run, verbosity=verbosity, directory=directory)

    def _refuse(self, changes):
        refuse(
            self,
            "The database holds edits that are not in the fixture files:",
            changes,
            f"{len(changes)} edit{'s' if len(changes) != 1 else ''} would be lost; nothing was "
            "changed. Run `manage.py export_fixtures` to keep them, or reload with --force.",
        )

    def _report(self, plans, *, dry_run, verbosity, directory):
        heading = "Dry run: nothing was written. A reload would do this" if dry_run else "Reloaded"
        self.stdout.write(f"{heading} ({directory}):")
        self.stdout.write(
            f"  {'model':<12} {'created':>8} {'updated':>8} {'deleted':>8} {'unchanged':>10}"
        )
        totals = [0, 0, 0, 0]
        for plan in plans:
            row = [len(plan.created), len(plan.updated), len(plan.deleted), plan.unchanged]
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            self.stdout.write(
                f"  {plan.spec.label:<12} {row[0]:>8} {row[1]:>8} {row[2]:>8} {row[3]:>10}"
            )
            if verbosity >= 2:
                for key in plan.created:
                    self.stdout.write(self.style.SUCCESS(f"    + {key}"))
                for key, changed in plan.updated.items():
                    self.stdout.write(self.style.WARNING(f"    ~ {key}: {', '.join(changed)}"))
                for key in plan.deleted:
                    self.stdout.write(self.style.ERROR(f"    - {key}"))
        created, updated, deleted, unchanged = totals
        summary = f"{created} created, {updated} updated, {deleted} deleted, {unchanged} unchanged."
        self.stdout.write(self.style.SUCCESS(f"  total: {summary}"))
