"""Measure the ingest assistant on the seed releases, and print the table.

Each release in the fixtures is read against the catalogue without that release's own records
(the other four loaded), then against an empty catalogue, and its proposals are compared with
the curated records of that release: recall and precision per kind (an agreement counts when
its parties and year match; a person when name and organisation match), dates right (start and
precision) among the agreements found, and the share of quotes found verbatim in the text.
Writes nothing. `--check` exits with 1 when a target of issue #14 is missed.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cooperation.ingest.evaluation import KINDS, evaluate

# The targets: (kind, recall, precision) on the leave-one-out run; recall from empty.
TARGETS = {
    "agencies": (0.9, 0.9),
    "people": (0.9, 0.9),
    "agreements": (0.9, 0.9),
    "missions": (0.85, None),
}
DATES_TARGET = 0.85
EMPTY_RECALL_TARGET = 0.8


class Command(BaseCommand):
    help = "Score the ingest assistant on the seed releases (leave-one-out and from empty)."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures-dir", type=Path, default=None)
        parser.add_argument("--source", action="append", help="Only this source (repeatable).")
        parser.add_argument("--check", action="store_true", help="Fail when a target is missed.")

    def handle(self, *args, fixtures_dir=None, source=None, check=False, verbosity=1, **options):
        directory = fixtures_dir or settings.FIXTURES_DIR
        started = time.perf_counter()
        runs = {
            "leave-one-out": evaluate(directory, sources=source),
            "empty catalogue": evaluate(directory, empty_catalogue=True, sources=source),
        }
        elapsed = time.perf_counter() - started
        failures = []
        for name, scores in runs.items():
            self.stdout.write(self.style.MIGRATE_HEADING(f"\n{name}"))
            self.stdout.write(
                f"  {'kind':<12}{'expected':>9}{'proposed':>9}{'found':>7}{'recall':>8}"
                f"{'precision':>10}"
            )
            for kind in KINDS:
                tally = scores.tallies[kind]
                self.stdout.write(
                    f"  {kind:<12}{tally.expected:>9}{tally.proposed:>9}{tally.found:>7}"
                    f"{tally.recall:>8.0%}{tally.precision:>10.0%}"
                )
                if verbosity > 1:
                    for miss in tally.misses:
                        self.stdout.write(f"      missed: {miss}")
                    for extra in tally.extras:
                        self.stdout.write(f"      extra:  {extra}")
                target = TARGETS.get(kind)
                if target and name == "leave-one-out":
                    if tally.recall < target[0]:
                        failures.append(
                            f"{name}: {kind} recall {tally.recall:.0%} < {target[0]:.0%}"
                        )
                    if target[1] and tally.precision < target[1]:
                        failures.append(
                            f"{name}: {kind} precision {tally.precision:.0%} < {target[1]:.0%}"
                        )
                if (
                    target
                    and name == "empty catalogue"
                    and kind != "missions"
                    and tally.recall < EMPTY_RECALL_TARGET
                ):
                    failures.append(f"{name}: {kind} recall {tally.recall:.0%} < 80%")
            dates = scores.dates_right / scores.dates_checked if scores.dates_checked else 1.0
            quotes = scores.quotes_verbatim / scores.quotes if scores.quotes else 1.0
            self.stdout.write(
                f"  dates right (start and precision): {scores.dates_right}/{scores.dates_checked}"
                f" = {dates:.0%}"
            )
            self.stdout.write(
                f"  quotes verbatim: {scores.quotes_verbatim}/{scores.quotes} = {quotes:.0%}"
            )
            if verbosity > 1:
                for miss in scores.date_misses:
                    self.stdout.write(f"      date: {miss}")
            if name == "leave-one-out" and dates < DATES_TARGET:
                failures.append(f"{name}: dates {dates:.0%} < 85%")
            if quotes < 1:
                failures.append(f"{name}: quotes verbatim {quotes:.0%} < 100%")
        self.stdout.write(f"\n{len(runs)} runs in {elapsed:.2f} s")
        if failures:
            for failure in failures:
                self.stdout.write(self.style.ERROR(f"  missed target: {failure}"))
            if check:
                raise CommandError(f"{len(failures)} target(s) missed.")
        else:
            self.stdout.write(self.style.SUCCESS("Every target of issue #14 is met."))
