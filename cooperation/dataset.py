"""The whole catalogue in one download: a zip per catalogue version, named by its date, holding
every public model as JSON (the curated fixture files' own form, documented in
fixtures/README.md) and as CSV (one row per record, relations as natural keys joined by "; "),
with the licence and a README of the columns. Built once per version, into DATA_DIR, and
served as a file after that; never rebuilt per request."""

import csv
import fcntl
import io
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from .exports import LICENCE
from .fixture_files import SPECS, database_catalogue, render

KEPT = 2  # versions whose archives stay on disk: the current one, and the one a reader may
# still be downloading as it changes


def archive_name(version, changed_at):
    """`cooperation-atlas-2026-12-02-v57.zip`: the catalogue's date, and its version number
    (the catalogue may change more than once a day)."""
    day = changed_at.date().isoformat() if changed_at else "undated"
    return f"cooperation-atlas-{day}-v{version.split('.')[0]}.zip"


def archive_path(version, changed_at):
    """Where this version's archive is kept: in a folder named by the whole version, whose
    time stamp tells two databases apart even when their version numbers are the same."""
    return Path(settings.DATA_DIR) / f"v{version}" / archive_name(version, changed_at)


def open_archive(version, changed_at):
    """This catalogue version's archive, open for reading; built if no process has built it
    yet (one process at a time, under a lock file; written under a temporary name and renamed,
    so that no reader sees half a file)."""
    path = archive_path(version, changed_at)
    if not path.exists():
        with _lock(Path(settings.DATA_DIR)):
            if not path.exists():
                _build(path)
    return path.open("rb")


@contextmanager
def _lock(folder):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # across processes, and the threads of each
        yield


def _build(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            write_archive(file, path.stem)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    versions = sorted(path.parent.parent.glob("v*/"), key=lambda p: p.stat().st_mtime)
    for old in versions[:-KEPT]:
        if old != path.parent:
            shutil.rmtree(old, ignore_errors=True)


def write_archive(file, stem):
    catalogue = database_catalogue()
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in SPECS:
            states = catalogue[spec.model]
            archive.writestr(f"{stem}/{spec.filename}", render(spec, states))
            archive.writestr(f"{stem}/{Path(spec.filename).stem}.csv", csv_of(spec, states))
        archive.writestr(f"{stem}/README.md", readme(stem))
        archive.writestr(f"{stem}/LICENSE.txt", LICENCE_TEXT)


def csv_of(spec, states):
    """One row per record: its own fields, then each relation's natural keys joined by "; ",
    then how many quotes (and roles) it carries (they are in the JSON file in full)."""
    scalars = [f.name for f in spec.scalars] + [f.name for f in spec.foreign_keys]
    many = [f.name for f in spec.many]
    counts = [f"{name}_count" for name in spec.child_names]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*scalars, *many, *counts])
    for _key, state in sorted(states.items()):
        row = [state[name] for name in scalars]
        row += ["; ".join(state[name]) for name in many]
        row += [len(state[name]) for name in spec.child_names]
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def columns():
    """[(file, [(column, what it holds)])] of the CSV files, from the models themselves."""
    described = []
    for spec in SPECS:
        rows = []
        for f in [*spec.scalars, *spec.foreign_keys, *spec.many]:
            meaning = str(f.help_text or f.verbose_name)
            if f.is_relation:
                meaning = gettext("%(meaning)s (keys of %(records)s)") % {
                    "meaning": meaning,
                    "records": f.related_model._meta.verbose_name_plural,
                }
            rows.append((f.name, meaning))
        rows += [
            (f"{name}_count", gettext("how many, in full in the JSON file"))
            for name in spec.child_names
        ]
        described.append((f"{Path(spec.filename).stem}.csv", rows))
    return described


def readme(stem):
    lines = [
        f"# {stem}",
        "",
        "The Cooperation Atlas: international space-cooperation agreements curated from CNES",
        "press releases, every fact with the verbatim quote that supports it.",
        "",
        "Each kind of record is here twice: `<kind>.json`, the curated records in full (the",
        "format of the atlas's fixture files: relations by natural key, quotes inline, French",
        "beside the English in the `…_fr` fields), and `<kind>.csv`, one row per record.",
        "Partial dates are `date_precision` and the parts the documents give (`year`, `month`,",
        "`day`, and `end_…` for a range); `date_inference` says how an inferred date was",
        "inferred.",
        "",
        f"Licence: CC BY 4.0 ({LICENCE}). Cite as: Cooperation Atlas, {stem}.",
        "",
        "## Columns of the CSV files",
    ]
    with translation.override("en"):
        described = columns()
    for name, rows in described:
        lines += ["", f"### {name}", ""]
        lines += [f"- `{column}`: {meaning}" for column, meaning in rows]
    return "\n".join(lines) + "\n"


LICENCE_TEXT = f"""The Cooperation Atlas data are licensed under the Creative Commons
Attribution 4.0 International licence (CC BY 4.0): {LICENCE}

You may share and adapt them for any purpose, provided you credit "Cooperation Atlas" and
link to the licence. The quotes are short extracts of CNES press releases, each credited to
its source document.
"""


def members():
    """The files every archive holds, in order."""
    names = []
    for spec in SPECS:
        names += [spec.filename, f"{Path(spec.filename).stem}.csv"]
    return [*names, "README.md", "LICENSE.txt"]
