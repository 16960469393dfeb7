"""The benchmark: pages from 1,000 to 100,000 agreements on PostgreSQL (or SQLite).

    python bench/run.py [--sizes 1000,10000,100000] [--requests 40] [--wrk-seconds 5] [--rounds 5]
                        [--sqlite FILE] [--reuse] [--only PREFIX]

It creates its own database (cooperation_bench, or the SQLite file), fills it with
`generate_synthetic` at each size and prints, for every page, the server time and the queries
per request (not counting the BEGIN, SET TRANSACTION and COMMIT of the page's read snapshot):
uncached (the rendered page never kept; median, p95), and cold (every cache emptied, the counts
of cooperation.counting too: what the first reader after a write waits). At the largest size
it runs gunicorn (2 sync workers) on loopback and measures with wrk, in turn and several
rounds, the filtered list (cached, revalidated with If-None-Match, uncached, nothing cached)
against a bare constant view and a bare 25-row table view; then the exports' rows per second
(a country's, a theme's, a search's, every agreement's, with a worker's peak memory while it
streams them all), and the plan of the slowest query (EXPLAIN ANALYZE on PostgreSQL). The
table is printed and written as JSON.
"""

import argparse
import csv
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import LOCAL_POSTGRES, ROOT, Gunicorn, recreate_database

SERVER = os.environ.get("BENCH_POSTGRES", LOCAL_POSTGRES)
DATABASE = os.environ.get("BENCH_DATABASE", "cooperation_bench")
PAGES = [
    ("list", "/en/agreements/"),
    ("list, one country", "/en/agreements/?country=XB"),
    (
        "list, country+years+theme",
        "/en/agreements/?country=XA&year_from=1990&year_to=2010&theme=syn-climate",
    ),
    (
        "list, 5 countries+3 themes+years+word",
        "/en/agreements/?country=XA&country=XB&country=XC&country=XD&country=XE"
        "&theme=syn-climate&theme=syn-launchers&theme=syn-navigation"
        "&year_from=1980&year_to=2020&q=satellite",
    ),
    (
        "list, 10 countries+3 themes+3 kinds",
        "/en/agreements/?"
        + "&".join(f"country=X{c}" for c in "ABCDEFGHIJ")
        + "&theme=syn-climate&theme=syn-launchers&theme=syn-navigation"
        "&kind=framework&kind=memorandum&kind=roadmap",
    ),
    ("list, free text", "/en/agreements/?q=orbit+probe"),
    ("list, common word", "/en/agreements/?q=agreement"),
    ("list, one letter", "/en/agreements/?q=s"),
    ("list, many terms", "/en/agreements/?q=satellite+orbit+data+ground+station"),
    ("list, page 200", "/en/agreements/?page=200"),
    ("list, page 4000", "/en/agreements/?page=4000"),
    ("list, by title, page 4000", "/en/agreements/?sort=title&page=4000"),
    ("agreement", "/en/agreements/syn-agreement-7/"),
    ("country, large", "/en/countries/XA/"),
    ("country", "/en/countries/XB/"),
    ("agency, large", "/en/agencies/syn-agency-0/"),
    ("agency", "/en/agencies/syn-agency-7/"),
    ("theme", "/en/themes/syn-climate/"),
    ("person", "/en/people/syn-person-3/"),
    ("mission", "/en/missions/syn-mission-3/"),
    ("event", "/en/events/syn-event-3/"),
    ("source", "/en/sources/syn-source-3/"),
    ("home", "/en/"),
    ("themes", "/en/themes/"),
    ("countries", "/en/countries/"),
    ("agencies", "/en/agencies/"),
    ("people", "/en/people/"),
    ("missions", "/en/missions/"),
    ("events", "/en/events/"),
    ("sources", "/en/sources/"),
    ("CSV of a country", "/en/agreements/?country=XB&format=csv"),
    # The JSON API (issue #16: the agreement list at p95 <= 100 ms at 100,000 agreements).
    ("API list", "/api/v1/agreements/"),
    ("API list, one country", "/api/v1/agreements/?country=XB"),
    (
        "API list, country+years+theme",
        "/api/v1/agreements/?country=XA&year_from=1990&year_to=2010&theme=syn-climate",
    ),
    ("API list, free text", "/api/v1/agreements/?q=orbit+probe"),
    ("API list, by title", "/api/v1/agreements/?sort=title&page_size=200"),
    ("API list, 80% in", "/api/v1/agreements/?cursor={cursor80}"),
    ("API agreement", "/api/v1/agreements/syn-agreement-7/"),
    ("API facets, one country", "/api/v1/agreements/facets/?country=XB"),
    ("API agencies", "/api/v1/agencies/"),
]
# What a page's read snapshot adds around its queries (cooperation.middleware): not counted.
TRANSACTION = re.compile(
    r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)\b", re.I
)
FILTERED = "/en/agreements/?country=XA&year_from=1990&year_to=2010&theme=syn-climate"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument(
        "--cold-requests", type=int, default=5, help="timed requests per page, nothing cached"
    )
    parser.add_argument("--wrk-seconds", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument(
        "--rounds", type=int, default=5, help="times each view is measured, in turn with the others"
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database if it holds the largest size already",
    )
    parser.add_argument(
        "--sqlite",
        metavar="FILE",
        help="measure this SQLite file instead of PostgreSQL (made afresh unless --reuse)",
    )
    parser.add_argument(
        "--only",
        metavar="PREFIX",
        help="time only the pages whose name begins so (e.g. API), and skip the load test, "
        "the exports and the slowest query",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.only:
        PAGES[:] = [(name, url) for name, url in PAGES if name.startswith(args.only)]

    if args.sqlite:
        url = f"sqlite:///{Path(args.sqlite).resolve()}"
        if not args.reuse:
            Path(args.sqlite).unlink(missing_ok=True)
    else:
        url = f"{SERVER}/{DATABASE}"
        if not args.reuse:
            recreate_database(SERVER, DATABASE)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        SECRET_KEY=os.environ.get("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # served as in production
    results = {"sizes": {}, "load": None, "exports": None, "explain": None}
    from cooperation.models import Agreement

    for size in sizes:
        started = time.perf_counter()
        if not (args.reuse and Agreement.objects.count() == size):
            call_command("generate_synthetic", agreements=size, verbosity=0)
        generated = time.perf_counter() - started
        print(f"\n== {size:,} agreements (generated in {generated:.1f} s)")
        results["sizes"][size] = {
            "generate_seconds": round(generated, 1),
            "pages": time_pages(args.requests, args.cold_requests),
        }
        print_pages(results["sizes"][size]["pages"])
    if args.only:
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nWritten to {args.output}")
        return
    results["load"] = load_test(args.wrk_seconds, args.rounds)
    print_load(results["load"])
    results["exports"] = export_speed()
    print_exports(results["exports"])
    results["explain"] = slowest_query_plan()
    print_explain(results["explain"])
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.output}")


def pages():
    """PAGES, a cursor 80% of the way through the agreements made for this size."""
    import base64

    from cooperation.models import Agreement

    offset = int(Agreement.objects.count() * 0.8)
    cursor = base64.urlsafe_b64encode(f"o={offset}".encode()).decode().rstrip("=")
    return [(name, url.replace("{cursor80}", cursor)) for name, url in PAGES]


def time_pages(requests, cold_requests):
    """Server time of each page through the Django test client, its rendered page never
    cached: "warm", the counts of this catalogue version kept (what every reader after the
    first sees, whatever the sort or page), and "cold", every cache emptied first (what the
    first reader after a write sees)."""
    from django.core.cache import caches

    from cooperation.counting import empty_caches

    measured = {}
    for name, url in pages():
        warm, queries = timed(url, requests, caches["default"].clear)
        cold, cold_queries = timed(url, cold_requests, empty_caches)
        measured[name] = {
            "url": url,
            "median_ms": round(statistics.median(warm), 1),
            "p95_ms": round(warm[max(0, int(len(warm) * 0.95) - 1)], 1),
            "queries": queries,
            "cold_median_ms": round(statistics.median(cold), 1),
            "cold_queries": cold_queries,
        }
    return measured


def timed(url, requests, empty):
    """(sorted server times in ms, queries of a request) of `requests` requests, `empty()`
    called before each; two more first, to warm the connection and the templates. The
    queries are counted on one more request: recording them (with their parameters) would
    slow the timed ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, timings = Client(), []

    def get():
        empty()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, (url, response.status_code)

    for attempt in range(requests + 2):
        started = time.perf_counter()
        get()
        if attempt >= 2:  # the first two warm the connection and the template cache
            timings.append((time.perf_counter() - started) * 1000)
    connection.queries_log.clear()  # the log keeps 9,000 queries: a CSV can fill it
    with CaptureQueriesContext(connection) as captured:
        get()
    return sorted(timings), sum(not TRANSACTION.match(q["sql"]) for q in captured)


def bench_server(workers=2, **env):
    """gunicorn with the benchmark's settings: sync workers, a timeout long enough for the CSV
    of every agreement."""
    return Gunicorn(
        "bench.wsgi:application",
        {"--workers": workers, "--log-level": "warning", "--timeout": 300},
        env={**os.environ, **env},
        ready_path="/bench/constant/",
    )


def wrk(url, seconds, headers=(), connections=16):
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        *[a for h in headers for a in ("-H", h)],
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_second": rate,
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def load_test(seconds, rounds):
    """Requests per second under gunicorn, each page beside the bare views: three servers (the
    site's caches, the page cache off, every cache off) run at once, and each view is measured
    in turn, `rounds` times, so that a ratio compares measurements taken seconds apart. Each
    view shows its median round; each ratio is the median of the rounds' own ratios."""
    with (
        bench_server() as cached,
        bench_server(BENCH_CACHE="pages") as uncached,
        bench_server(BENCH_CACHE="dummy") as nothing_cached,
    ):
        etag = urllib.request.urlopen(cached.url(FILTERED)).headers["ETag"]
        views = {
            "bare constant view": (cached.url("/bench/constant/"), ()),
            "bare 25-row table view": (cached.url("/bench/table/"), ()),
            "filtered list, cached": (cached.url(FILTERED), ()),
            "filtered list, revalidated (304)": (cached.url(FILTERED), [f"If-None-Match: {etag}"]),
            "filtered list, uncached": (uncached.url(FILTERED), ()),
        }
        measured = {name: [] for name in views}
        for _ in range(rounds):
            for name, (url, headers) in views.items():
                measured[name].append(wrk(url, seconds, headers))
        # Last and with one connection per worker: its requests take long enough that 16
        # connections would leave a queue behind them and wrk's two-second timeout would
        # drop the slowest.
        measured["filtered list, nothing cached"] = [
            wrk(nothing_cached.url(FILTERED), seconds * rounds, connections=2)
        ] * rounds
    results = {}
    for name, runs in measured.items():
        results[name] = sorted(runs, key=lambda run: run["requests_per_second"])[len(runs) // 2]
        results[name]["rounds"] = [run["requests_per_second"] for run in runs]
    against = {
        "filtered list, cached": ("bare constant view", "ratio_to_constant_view"),
        "filtered list, revalidated (304)": ("bare constant view", "ratio_to_constant_view"),
        "filtered list, uncached": ("bare 25-row table view", "ratio_to_table_view"),
        "filtered list, nothing cached": ("bare 25-row table view", "ratio_to_table_view"),
    }
    for name, (bare, key) in against.items():
        ratios = sorted(
            run["requests_per_second"] / base["requests_per_second"]
            for run, base in zip(measured[name], measured[bare], strict=True)
        )
        results[name][key] = round(ratios[len(ratios) // 2], 2)
    return results


EXPORTS = [
    ("CSV of a country", "/en/agreements/?country=XB&format=csv"),
    ("CSV of another country", "/en/agreements/?country=XC&format=csv"),
    ("JSON of a country", "/en/agreements/?country=XB&format=json"),
    ("CSV of a theme", "/en/agreements/?theme=syn-climate&format=csv"),
    ("CSV of a search", "/en/agreements/?q=satellite&format=csv"),
]


def export_speed(attempts=3):
    """Rows per second of the exports through gunicorn (the best of `attempts`), then the peak
    memory of its one worker before and after it streams the CSV of every agreement."""
    results = {}
    with bench_server(workers=1) as server:
        urllib.request.urlopen(
            server.url("/en/agreements/?country=XA&format=csv")
        ).read()  # warm up
        for name, path in EXPORTS:
            results[name] = {"url": path, **timed_export(server.url(path), attempts)}
        worker = int(
            subprocess.run(
                ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
            ).stdout.split()[0]
        )
        before = peak_kib(worker)
        everything = timed_export(server.url("/en/agreements/?format=csv"), 1)
        after = peak_kib(worker)
    results["CSV of every agreement"] = {
        "url": "/en/agreements/?format=csv",
        **everything,
        "peak_before_mib": round(before / 1024, 1),
        "peak_after_mib": round(after / 1024, 1),
        "growth_mib": round((after - before) / 1024, 1),
    }
    return results


def timed_export(url, attempts):
    best, body = None, b""
    for _ in range(attempts):
        started = time.perf_counter()
        body = urllib.request.urlopen(url, timeout=600).read()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    text = body.decode()
    if "format=json" in url:
        rows = len(json.loads(text))
    else:
        rows = len(list(csv.reader(io.StringIO(text)))) - 1  # and the header
    return {
        "rows": rows,
        "bytes": len(body),
        "seconds": round(best, 3),
        "rows_per_second": round(rows / best),
    }


def peak_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def slowest_query_plan():
    """EXPLAIN ANALYZE of the slowest query of any page, nothing cached, at the largest size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cooperation.counting import empty_caches

    client, slowest = Client(), (0.0, "", "")
    for _, url in pages():
        empty_caches()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        for query in captured.captured_queries:
            if TRANSACTION.match(query["sql"]):
                continue  # the snapshot's own statements: nothing to explain
            if float(query["time"]) > slowest[0]:
                slowest = (float(query["time"]), url, query["sql"])
    explain = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(explain + slowest[2])
        plan = "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
    return {"page": slowest[1], "seconds": slowest[0], "sql": slowest[2], "plan": plan}


def print_pages(pages):
    print(
        f"  {'page (uncached; cold = no count cached either)':<48} {'median ms':>9} "
        f"{'p95 ms':>7} {'queries':>7} {'cold ms':>8} {'queries':>7}"
    )
    for name, row in pages.items():
        print(
            f"  {name:<48} {row['median_ms']:>9} {row['p95_ms']:>7} {row['queries']:>7} "
            f"{row['cold_median_ms']:>8} {row['cold_queries']:>7}"
        )


def print_load(load):
    rounds = len(next(iter(load.values()))["rounds"])
    print(
        f"\n== Throughput (gunicorn, 2 sync workers, wrk -t2 -c16, loopback; median of {rounds}"
        " rounds, ratios the median of each round's)"
    )
    print(f"  {'':<36} {'req/s':>9} {'p50':>9} {'p99':>9} {'errors':>7}  ratio")
    for name, row in load.items():
        ratio = row.get("ratio_to_constant_view", row.get("ratio_to_table_view", ""))
        against = (
            " of constant"
            if "ratio_to_constant_view" in row
            else " of table"
            if "ratio_to_table_view" in row
            else ""
        )
        rate, p50, p99 = row["requests_per_second"], row["p50"] or "", row["p99"] or ""
        print(
            f"  {name:<36} {rate:>9.0f} {p50:>9} {p99:>9} {row['non_2xx_3xx']:>7}  {ratio}{against}"
        )


def print_exports(exports):
    print("\n== Exports (gunicorn, 1 sync worker, the best of 3)")
    print(f"  {'':<28} {'rows':>8} {'seconds':>8} {'rows/s':>8}")
    for name, row in exports.items():
        print(f"  {name:<28} {row['rows']:>8,} {row['seconds']:>8} {row['rows_per_second']:>8,}")
    whole = exports["CSV of every agreement"]
    print(
        f"  worker peak while streaming every agreement: {whole['peak_before_mib']} -> "
        f"{whole['peak_after_mib']} MiB (growth {whole['growth_mib']} MiB)"
    )


def print_explain(explain):
    print(f"\n== Slowest query ({explain['seconds']} s, {explain['page']}):\n{explain['sql']}\n")
    print(explain["plan"])


if __name__ == "__main__":
    main()
