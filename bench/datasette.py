"""Side by side with Datasette: the same synthetic agreements in one SQLite file, served by both.

    python bench/datasette.py [--agreements 100000] [--seconds 5] [--rounds 2]

Datasette (the tool a reader would pick instead for faceted browsing) is installed into an
environment of its own (DATASETTE_VENV, by default ~/.cache/cooperation-bench/datasette), never
into the project's. The file is made by the project's own `migrate` and `generate_synthetic`,
then given an FTS5 table over the agreements' search text (sqlite-utils) for Datasette's search.
Each view is measured with wrk -c4 on both, interleaved (atlas, Datasette, atlas, …) so that
the machine's noise falls on both alike: Datasette's table page with `_facet=` on kind, status
and year, `_nosuggest=1`, 25 rows and no search-text column (as the atlas's page), against the
atlas's list with its four facets and its year counts, uncached (the rendered page never kept;
what the atlas makes once per catalogue version kept, as every reader after the first meets
it) and with nothing cached at all; then the full CSV export of both, timed end to end. It
prints req/s, p50 and p99 of both and the ratio atlas / Datasette.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Gunicorn, free_port, probe_status
from bench.run import wrk

VENV = Path(
    os.environ.get("DATASETTE_VENV", Path.home() / ".cache" / "cooperation-bench" / "datasette")
)
# Its page as close to the atlas's as it offers: 25 rows (the atlas's page), without the
# search text column (the atlas never shows it; it is most of a row's bytes).
FACETS = "_facet=kind&_facet=status&_facet=year&_nosuggest=1&_size=25&_nocol=search_text"
TABLE = "/atlas/cooperation_agreement"
# Every row, streamed, without the atlas's own derived `links` (the ids its export reads).
CSV = "_stream=on&_size=max&_nocol=links"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved runs of each")
    parser.add_argument("--file", default=None, help="the SQLite file (made if missing)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "datasette-results.json"))
    args = parser.parse_args()
    path = Path(args.file or Path("/tmp") / f"cooperation-bench-{args.agreements}.sqlite3")

    datasette = install_datasette()
    build_file(path, args.agreements)
    country_id, country = first_country(path)
    views = [
        ("faceted list", f"{TABLE}?{FACETS}", "/en/agreements/"),
        (
            "one country",
            f"{TABLE}?{FACETS}&_where=id+in+(select+agreement_id+from+"
            f"cooperation_agreement_countries+where+country_id={country_id})",
            f"/en/agreements/?country={country}",
        ),
        ("free text", f"{TABLE}?{FACETS}&_search=satellite", "/en/agreements/?q=satellite"),
    ]
    results = {"agreements": args.agreements, "views": {}, "csv": {}}
    env = {**os.environ, **settings_env(path)}
    for mode, cache in (("uncached", "pages"), ("nothing cached", "dummy")):
        with (
            atlas_server(env, cache) as atlas,
            DatasetteServer(datasette, path) as other,
        ):
            for name, datasette_path, atlas_path in views:
                row = compare(atlas.url(atlas_path), other_url(other, datasette_path), args)
                results["views"][f"{name} ({mode})"] = row
                print_row(f"{name} ({mode})", row)
            if mode == "uncached":
                results["csv"] = compare_csv(
                    atlas.url("/en/agreements/?format=csv"),
                    other_url(other, f"{TABLE}.csv?{CSV}"),
                    args.rounds,
                )
                print_csv(results["csv"])
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.output}")


def install_datasette():
    datasette = VENV / "bin" / "datasette"
    if not datasette.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "datasette", "sqlite-utils"], check=True)
    return datasette


def settings_env(path):
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40),
    }


def build_file(path, agreements):
    """The project's own tables and synthetic data in `path`, plus an FTS5 table for Datasette.
    A file that holds that many agreements already is kept, its tables migrated to the code's."""
    env = {**os.environ, **settings_env(path)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    kept = path.exists() and count(path) == agreements
    if not kept:
        path.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, cwd=ROOT)
    if kept:
        return
    subprocess.run(
        [*manage, "generate_synthetic", "--agreements", str(agreements), "--verbosity", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    sqlite_utils = VENV / "bin" / "sqlite-utils"
    subprocess.run(
        [str(sqlite_utils), "enable-fts", str(path), "cooperation_agreement", "search_text"],
        check=True,
    )
    print(f"{path}: {agreements:,} agreements in {time.perf_counter() - started:.0f} s")


def count(path):
    try:
        with sqlite3.connect(path) as connection:
            return connection.execute("SELECT COUNT(*) FROM cooperation_agreement").fetchone()[0]
    except sqlite3.Error:
        return None


def first_country(path):
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT id, code FROM cooperation_country WHERE code = 'XB'"
        ).fetchone()


def atlas_server(env, cache):
    return Gunicorn(
        "bench.wsgi:application",
        {"--workers": 2, "--log-level": "warning", "--timeout": 300},
        env={**env, "BENCH_CACHE": cache},
        ready_path="/bench/constant/",
    )


class DatasetteServer:
    """Datasette on loopback for the duration of a `with` block, serving the file as "atlas"."""

    def __init__(self, datasette, path):
        self.command = [
            str(datasette),
            "serve",
            str(path),
            "--port",
            str(free_port()),
            "--setting",
            "sql_time_limit_ms",
            "20000",
            "--setting",
            "facet_time_limit_ms",
            "20000",
            "--setting",
            "max_csv_mb",
            "0",
        ]
        self.port = int(self.command[4])
        # Datasette names the database after the file: serve it as "atlas" whatever the file.
        self.link = path.with_name("atlas.sqlite3")

    def __enter__(self):
        self.link.unlink(missing_ok=True)
        self.link.symlink_to(Path(self.command[2]).name)
        self.command[2] = str(self.link)
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if probe_status(self.port, "/-/versions.json") == 200:
                return self
            time.sleep(0.3)
        raise RuntimeError("Datasette did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.link.unlink(missing_ok=True)


def other_url(server, path):
    return f"http://127.0.0.1:{server.port}{path}"


def compare(atlas_url, datasette_url, args):
    for url in (atlas_url, datasette_url):  # both answer, and warm up
        with urllib.request.urlopen(url, timeout=120) as response:
            assert response.status == 200, url
    runs = {"atlas": [], "datasette": []}
    for _ in range(args.rounds):
        runs["atlas"].append(wrk(atlas_url, args.seconds, connections=4))
        runs["datasette"].append(wrk(datasette_url, args.seconds, connections=4))
    row = {}
    for name, measured in runs.items():
        row[name] = {
            "requests_per_second": round(
                sum(m["requests_per_second"] for m in measured) / len(measured), 1
            ),
            "p50": measured[-1]["p50"],
            "p99": measured[-1]["p99"],
            "errors": sum(m["non_2xx_3xx"] for m in measured),
        }
    row["ratio"] = round(
        row["atlas"]["requests_per_second"] / max(row["datasette"]["requests_per_second"], 0.01),
        2,
    )
    return row


def compare_csv(atlas_url, datasette_url, rounds):
    timings = {"atlas": [], "datasette": []}
    sizes = {}
    for _ in range(rounds):
        for name, url in (("atlas", atlas_url), ("datasette", datasette_url)):
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=900) as response:
                body = response.read()
            timings[name].append(time.perf_counter() - started)
            sizes[name] = (len(body), body.count(b"\n"))
    result = {}
    for name, seconds in timings.items():
        best = min(seconds)
        result[name] = {
            "seconds": round(best, 2),
            "bytes": sizes[name][0],
            "lines": sizes[name][1],
            "rows_per_second": round(sizes[name][1] / best),
        }
    result["time_ratio"] = round(result["atlas"]["seconds"] / result["datasette"]["seconds"], 2)
    return result


def print_row(name, row):
    a, d = row["atlas"], row["datasette"]
    print(
        f"  {name:<28} atlas {a['requests_per_second']:>7} req/s (p50 {a['p50']}, "
        f"p99 {a['p99']})  Datasette {d['requests_per_second']:>7} req/s (p50 {d['p50']}, "
        f"p99 {d['p99']})  ratio {row['ratio']}"
    )


def print_csv(csv):
    a, d = csv["atlas"], csv["datasette"]
    print(
        f"  full CSV: atlas {a['seconds']} s ({a['rows_per_second']:,} rows/s), Datasette "
        f"{d['seconds']} s ({d['rows_per_second']:,} rows/s); atlas time / Datasette time "
        f"{csv['time_ratio']}"
    )


if __name__ == "__main__":
    main()
