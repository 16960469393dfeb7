"""The soak test: the site under load, during reloads, through a database outage, and a reload
killed halfway.

    python bench/soak.py [--seconds 60] [--connections 64] [--outage-seconds 10]
                         [--kill-points 0.3,0.5,0.7] [--copies 2000] [--scenarios 1,2,3,4]

It creates its own PostgreSQL database (cooperation_soak), migrates it, loads the curated
fixtures, collects the static files and serves the site with gunicorn on loopback with
production settings: DEBUG off, a random SECRET_KEY made for the run, ALLOWED_HOSTS=127.0.0.1,
BEHIND_HTTPS_PROXY=true, and every request says `X-Forwarded-Proto: https`, as a TLS proxy
would. The load generator is the standard library only: one thread per connection, each with
one keep-alive connection (reopened when the server closes it), a 10 s client timeout. It asks
for filtered agreement lists, record pages, CSV/JSON exports, the Atom feed, the home page and a
few unknown addresses on purpose (which must answer 404).

1. Mixed traffic for --seconds at --connections: no transport error, every status as expected.
2. The same while `reload_fixtures --force --fixtures-dir` alternates between the curated
   catalogue ("old") and a changed copy ("new": three agreements and an event fewer, an agency
   more, in a country of its own, so that every count on the home page differs): each home
   page, /agreements/ total and JSON export shows the counts of one catalogue, never a mix.
   --force, because the database only remembers what it loaded from fixtures/ itself: after a
   load from elsewhere it holds "edits" in the command's eyes.
3. PostgreSQL stopped (`pg_ctlcluster ... stop -m fast`) for --outage-seconds mid-traffic: the
   site answers 503 with its own page, /healthz 503, nothing hangs; once PostgreSQL is back,
   /healthz and a page answer 200 within 5 s. PostgreSQL is always started again at the end.
   Only the local cluster that pg_ctlcluster controls is stopped: unless the server of
   SOAK_POSTGRES is that cluster (on loopback, at its port, on its data directory), the scenario
   fails at once and PostgreSQL is left alone.
4. `reload_fixtures` killed with SIGKILL at --kill-points (fractions of one measured reload) on
   its way to a big catalogue (the curated one plus --copies copies of real agreements, quotes
   included): the database still holds exactly the old catalogue (a dry run against it finds
   nothing to do), then full reloads both ways succeed. On PostgreSQL, then on a SQLite file.

Each scenario prints its figures and PASS or FAIL; the exit status is 1 if any criterion failed.
gunicorn's standard error stays in /tmp/cooperation-soak-gunicorn.log after the run.

gunicorn runs gthread workers, 2 processes of 8 threads: the workers keep the 64 keep-alive
connections open in their event loops and hand each request to a free thread, so 64 clients
queue for 16 threads without reconnecting. Sync workers would serve one connection per process
and close it after every response (no keep-alive). Two processes for two cores; the threads
cover the waits on PostgreSQL; 16 threads keep at most 16 persistent connections on a server
that others share. --timeout 30 restarts a worker that stops answering.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    LOCAL_POSTGRES,
    ROOT,
    Client,
    Gunicorn,
    GunicornDidNotStart,
    percentile,
    recreate_database,
    status_of,
)

FIXTURES = ROOT / "fixtures"
SERVER = os.environ.get("SOAK_POSTGRES", LOCAL_POSTGRES)
DATABASE = "cooperation_soak"
CLIENT_TIMEOUT = 10.0  # seconds: a request that takes longer is a failure
RECOVERY_LIMIT = 5.0  # seconds from PostgreSQL's return to the site's
WORKERS, THREADS = 2, 8
GUNICORN_LOG = Path(tempfile.gettempdir()) / "cooperation-soak-gunicorn.log"  # kept after the run
HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "cooperation-soak"}
FILES = ("sources", "themes", "countries", "agencies", "people", "missions", "events", "agreements")
RECORD_PAGES = {  # fixture file -> the address of a record's page
    "agreements": "/en/agreements/{}/",
    "agencies": "/en/agencies/{}/",
    "countries": "/en/countries/{}/",
    "people": "/en/people/{}/",
    "missions": "/en/missions/{}/",
    "events": "/en/events/{}/",
    "themes": "/en/themes/{}/",
    "sources": "/en/sources/{}/",
}
INDEX_PAGES = [
    "/en/countries/",
    "/en/agencies/",
    "/en/people/",
    "/en/missions/",
    "/en/events/",
    "/en/themes/",
    "/en/sources/",
    "/en/about/",
]
NOT_FOUND = [
    "/en/agreements/soak-no-such-agreement/",
    "/en/agencies/soak-no-such-agency/",
    "/en/countries/ZZ/",
    "/en/people/soak-nobody/",
    "/en/events/soak-no-such-event/",
    "/en/sources/soak-no-such-source/",
    "/soak-no-such-page/",
]
COUNTRIES = ["FR", "CN", "VN", "KR", "JP"]
SEARCHES = ["climate", "satellite", "ocean", "Le Gall", "KARI", "launch", "memorandum", "Vietnam"]
# Relative weights of what the readers ask for.
WEIGHTS = {
    "home": 6,
    "list, all": 4,
    "list, filtered": 26,
    "index": 4,
    "record": 34,
    "csv": 6,
    "json, all": 3,
    "json, filtered": 4,
    "atom": 5,
    "404 on purpose": 4,
}


class SoakError(Exception):
    """The soak test could not run (set-up failed): not a finding about the site."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="traffic per scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--outage-seconds", type=float, default=10)
    parser.add_argument("--kill-points", default="0.3,0.5,0.7", help="fractions of a reload")
    parser.add_argument("--copies", type=int, default=2000, help="extra agreements, scenario 4")
    parser.add_argument("--scenarios", default="1,2,3,4")
    args = parser.parse_args()
    args.kill_points = [float(point) for point in args.kill_points.split(",")]
    args.scenarios = {int(number) for number in args.scenarios.split(",")}
    sys.stdout.reconfigure(line_buffering=True)
    # A SIGTERM (a CI timeout) must still run the finally blocks that restart PostgreSQL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="cooperation-soak-") as scratch:
            results = run(args, Path(scratch))
    except (SoakError, GunicornDidNotStart) as error:
        print(f"\n== The soak test could not run: {error}")
    finally:
        postgres_ok = ensure_postgres_running()
    print_summary(results, postgres_ok, time.monotonic() - started)
    sys.exit(0 if results and all(r.passed for r in results) and postgres_ok else 1)


def run(args, scratch):
    env = production_env(f"{SERVER}/{DATABASE}")
    old = Catalogue.read("old", FIXTURES)
    new = Catalogue.read("new", make_new_catalogue(scratch / "new"))
    print(f"== Set-up: database {DATABASE}; code {code_version()}")
    print(f"  old catalogue: {old.describe()}")
    print(f"  new catalogue: {new.describe()}")
    set_up_database(env)
    results = []
    if args.scenarios & {1, 2, 3}:
        mix = Mix(old, new)
        with soak_server(env) as server:
            check_production_settings(server)
            if 1 in args.scenarios:
                results.append(mixed_traffic(server, mix, args, old))
            if 2 in args.scenarios:
                results.append(traffic_during_reloads(server, mix, args, env, old, new))
            if 3 in args.scenarios:
                results.append(database_outage(server, mix, args, old))
    if 4 in args.scenarios:
        big = Catalogue.read("big", make_big_catalogue(scratch / "big", args.copies))
        results.append(killed_reloads(args, env, scratch, old, big))
    return results


def code_version():
    """The commit the site runs from, and its files changed since, if any."""
    git = ["git", "-C", str(ROOT)]
    try:
        commit = subprocess.run(
            [*git, "log", "-1", "--format=%h %cI"], capture_output=True, text=True
        )
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", "config", "cooperation", "templates", "static"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown (no git)"
    files = [line[3:] for line in changed.stdout.splitlines()]
    return commit.stdout.strip() + (
        f" + uncommitted changes in {', '.join(files)}" if files else ""
    )


# --- Settings, database, server --------------------------------------------------------------


def production_env(database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        # Whatever the calling shell set for development, the site runs as in production.
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "FIXTURES_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters, new every run
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        BEHIND_HTTPS_PROXY="true",
    )
    return env


@dataclass
class Run:
    """One finished (or killed) `manage.py` command."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self):
        return (self.stdout + self.stderr).strip()


def manage(env, *arguments, check=True):
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *map(str, arguments)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    run = Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)
    if check and run.returncode:
        command = " ".join(map(str, arguments))
        raise SoakError(f"manage.py {command} failed ({run.returncode}):\n{run.output}")
    return run


def reload_command(directory, *options):
    return ("reload_fixtures", "--force", "--fixtures-dir", directory, *options)


def set_up_database(env):
    started = time.monotonic()
    # force: a soak run that was itself killed may have left connections behind.
    recreate_database(SERVER, DATABASE, force=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "reload_fixtures", "--verbosity", "0")
    # The static storage is a manifest: without collected files, every page fails.
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    print(f"  database created, migrated, loaded, static files collected ({elapsed(started)})")


def soak_server(env):
    """gunicorn as the module's docstring says (gthread workers), its log in GUNICORN_LOG."""
    options = {
        "--worker-class": "gthread",
        "--workers": WORKERS,
        "--threads": THREADS,
        "--timeout": 30,
        "--graceful-timeout": 10,
        "--keep-alive": 5,
        "--log-level": "warning",
    }
    return Gunicorn(
        "config.wsgi:application",
        options,
        env,
        ready_path="/healthz",
        log_path=GUNICORN_LOG,
        headers=HEADERS,
    )


def check_production_settings(server):
    """Plain HTTP must be redirected to HTTPS: the site really runs with DEBUG off."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    location = response.getheader("Location", "")
    if response.status != 301 or not location.startswith("https://"):
        raise SoakError(f"plain HTTP got {response.status} {location!r}, not a redirect to HTTPS")
    print(
        f"  gunicorn on 127.0.0.1:{server.port}, {WORKERS} gthread workers × {THREADS} threads; "
        f"plain HTTP is redirected to {location}"
    )


# --- PostgreSQL --------------------------------------------------------------------------------


def controlled_cluster():
    """(version, name) of the local cluster that the outage stops and starts."""
    return sorted(os.listdir("/etc/postgresql"))[-1], "main"


def postgres_cluster(action, *options):
    version, name = controlled_cluster()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *options]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class ServerFacts:
    """Where the soak's connection to PostgreSQL went, and what the server there says."""

    host: str
    port: int  # the port connected to
    reported_port: int  # SHOW port
    data_directory: str  # SHOW data_directory


@dataclass(frozen=True)
class Cluster:
    """A local cluster as pg_lsclusters lists it."""

    version: str
    name: str
    port: int
    data_directory: str


def refusal_to_stop(server, clusters, target):
    """Why the outage must not stop the cluster `target` (version, name), or "" when the soak's
    server is that cluster: on loopback, at its port, serving its data directory."""
    if server.host not in LOOPBACK:
        return f"the soak's PostgreSQL is at {server.host}, not on loopback"
    if server.port != server.reported_port:
        # A tunnel or a proxy on loopback can lead to a server elsewhere.
        return (
            f"the connection to port {server.port} reached a server that listens on "
            f"port {server.reported_port}"
        )
    cluster = next((c for c in clusters if (c.version, c.name) == target), None)
    label = "/".join(target)
    if cluster is None:
        return f"pg_lsclusters lists no cluster {label}"
    if cluster.port != server.port:
        return f"the soak's PostgreSQL is at port {server.port}, cluster {label} at {cluster.port}"
    if os.path.normpath(cluster.data_directory) != os.path.normpath(server.data_directory):
        return (
            f"the soak's PostgreSQL serves {server.data_directory}, "
            f"cluster {label} {cluster.data_directory}"
        )
    return ""


def why_not_stop_postgres():
    """Why the outage must leave PostgreSQL alone, or "" when the server of SOAK_POSTGRES is the
    local cluster that pg_ctlcluster would stop. Asks, changes nothing."""
    import psycopg

    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=5) as connection:
            server = ServerFacts(
                connection.info.host,
                connection.info.port,
                int(connection.execute("SHOW port").fetchone()[0]),
                connection.execute("SHOW data_directory").fetchone()[0],
            )
        listed = subprocess.run(
            ["pg_lsclusters", "--json"], capture_output=True, text=True, check=True, timeout=30
        )
        clusters = [
            Cluster(str(c["version"]), c["cluster"], int(c["port"]), c["pgdata"])
            for c in json.loads(listed.stdout)
        ]
        target = controlled_cluster()
    except (psycopg.Error, OSError, subprocess.SubprocessError, LookupError, ValueError) as error:
        return f"could not compare the soak's PostgreSQL with the local cluster: {error}"
    return refusal_to_stop(server, clusters, target)


def postgres_ready():
    command = ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]
    return subprocess.run(command, timeout=30).returncode == 0


def wait_for_postgres(seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if postgres_ready():
            return True
        time.sleep(0.1)
    return False


def ensure_postgres_running():
    """Start PostgreSQL if it is down, whatever happened before; True once it accepts."""
    if not postgres_ready():
        print("\n== PostgreSQL is down: starting it")
        try:
            postgres_cluster("start")
        except (subprocess.SubprocessError, OSError) as error:
            print(f"  could not start PostgreSQL: {error}")
    ready = wait_for_postgres()
    status = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True, text=True
    )
    print(f"\n== pg_isready: {status.stdout.strip() or status.stderr.strip()}")
    return ready


# --- Catalogues --------------------------------------------------------------------------------


def read_files(directory):
    return {name: json.loads((directory / f"{name}.json").read_text("utf-8")) for name in FILES}


def write_files(directory, files):
    directory.mkdir(parents=True)
    for name, records in files.items():
        text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        (directory / f"{name}.json").write_text(text, "utf-8")
    return directory


def copy_of(record, **changes):
    """Another record like this one: its quotes come along (they are in their sources verbatim)
    but not their anchors, which name one quote each; the reload gives the copies their own."""
    quotes = [{k: v for k, v in quote.items() if k != "anchor"} for quote in record["quotes"]]
    return {**record, "quotes": quotes, **changes}


def make_new_catalogue(directory):
    """The curated files, changed so that each count on the home page differs: three agreements
    and one event fewer (records nothing refers to), one agency more, in a country of its own."""
    files = read_files(FIXTURES)
    agreements = files["agreements"]
    referenced = {a[link] for a in agreements for link in ("extends", "implements") if a[link]}
    dropped = [a["slug"] for a in agreements if a["slug"] not in referenced][-3:]
    files["agreements"] = [a for a in agreements if a["slug"] not in dropped]
    events_in_use = {a["event"] for a in files["agreements"]}
    unused_event = next(e["slug"] for e in files["events"] if e["slug"] not in events_in_use)
    files["events"] = [e for e in files["events"] if e["slug"] != unused_event]
    files["countries"].append({"code": "XS", "name": "Soakland", "quotes": []})
    files["agencies"].append(
        copy_of(
            files["agencies"][0],
            slug="soak-agency",
            acronym="SOAK",
            name="Soak agency",
            country="XS",
        )
    )
    return write_files(directory, files)


def make_big_catalogue(directory, copies):
    """The curated files plus `copies` agreements copied from the real ones, quotes included."""
    files = read_files(FIXTURES)
    originals = files["agreements"]
    extra = []
    for number in range(1, copies + 1):
        original = originals[number % len(originals)]
        extra.append(
            copy_of(
                original,
                slug=f"soak-copy-{number}-{original['slug']}",
                title=f"{original['title']} (soak copy {number})",
            )
        )
    files["agreements"] = sorted(originals + extra, key=lambda a: a["slug"])
    return write_files(directory, files)


@dataclass(frozen=True)
class Catalogue:
    """What a set of fixture files holds, as the site and `reload_fixtures` count it."""

    name: str
    directory: Path
    keys: dict  # file name -> natural keys
    countries_with_agencies: int
    agreement_years: tuple

    @classmethod
    def read(cls, name, directory):
        files = read_files(directory)
        keys = {
            file: [r.get("slug") or r.get("code") for r in records]
            for file, records in files.items()
        }
        countries = {a["country"] for a in files["agencies"] if a["country"]}
        years = sorted({a["year"] for a in files["agreements"] if a["year"]})
        return cls(name, directory, keys, len(countries), tuple(years))

    @property
    def records(self):
        """Every record of every file: what a dry run on an equal database finds unchanged."""
        return sum(len(keys) for keys in self.keys.values())

    @property
    def agreements(self):
        return len(self.keys["agreements"])

    @property
    def home_counts(self):
        """(agreements, agencies, countries, events), as the home page shows them."""
        keys = self.keys
        return (
            self.agreements,
            len(keys["agencies"]),
            self.countries_with_agencies,
            len(keys["events"]),
        )

    def counts_for(self, kind):
        return self.home_counts if kind == "home" else (self.agreements,)

    def describe(self):
        counts = ", ".join(f"{len(keys)} {file}" for file, keys in self.keys.items())
        return f"{counts} ({self.directory})"


# --- The traffic -------------------------------------------------------------------------------


class Mix:
    """What the simulated readers ask for, made of records that both catalogues hold, so that
    every address answers the same status whichever catalogue is loaded."""

    def __init__(self, old, new):
        def shared(file):
            return sorted(set(old.keys[file]) & set(new.keys[file]))

        self.records = [
            page.format(key) for file, page in RECORD_PAGES.items() for key in shared(file)
        ]
        self.themes = shared("themes")
        self.years = sorted(set(old.agreement_years) & set(new.agreement_years))
        self.kinds, self.weights = zip(*WEIGHTS.items(), strict=True)

    def pick(self, rng):
        """(kind, path, expected status)."""
        kind = rng.choices(self.kinds, self.weights)[0]
        if kind == "home":
            return kind, "/en/", 200
        if kind == "list, all":
            return kind, "/en/agreements/", 200
        if kind == "list, filtered":
            page = [("page", rng.choice("12"))] if rng.random() < 0.2 else []
            return kind, list_path(self.filters(rng) + page), 200
        if kind == "index":
            return kind, rng.choice(INDEX_PAGES), 200
        if kind == "record":
            return kind, rng.choice(self.records), 200
        if kind == "json, all":
            return kind, "/en/agreements/?format=json", 200
        if kind == "404 on purpose":
            return kind, rng.choice(NOT_FOUND), 404
        export_format = kind.split(",")[0]  # csv, json or atom, with filters
        return kind, list_path([*self.filters(rng), ("format", export_format)]), 200

    def filters(self, rng):
        """A valid combination of the browser's filters, in the canonical form (no redirect)."""
        pairs = []
        if rng.random() < 0.5:
            pairs += [("country", c) for c in rng.sample(COUNTRIES, rng.choice((1, 1, 2)))]
        if rng.random() < 0.4:
            pairs.append(("theme", rng.choice(self.themes)))
        years = rng.random()
        if years < 0.2:
            pairs.append(("year", rng.choice(self.years)))
        elif years < 0.4:
            start, end = sorted(rng.sample(self.years, 2))
            pairs += [("year_from", start), ("year_to", end)]
        if rng.random() < 0.25:
            pairs.append(("q", rng.choice(SEARCHES)))
        if rng.random() < 0.3:
            pairs.append(("sort", rng.choice(("oldest", "title"))))  # "newest" is the default
        return pairs


def list_path(pairs):
    from urllib.parse import urlencode

    return "/en/agreements/" + (f"?{urlencode(pairs)}" if pairs else "")


@dataclass
class Outcome:
    """One request as the client saw it; bodies are checked at once and not kept."""

    kind: str
    path: str
    expected: int
    started: float
    seconds: float = 0.0
    status: int | None = None  # None: no response, see error
    error: str = ""
    retried: bool = False
    catalogue: str = ""  # for the responses whose counts are checked: whose counts they are
    problem: str = ""  # what is wrong with the body
    excerpt: str = ""

    @property
    def ended(self):
        return self.started + self.seconds

    def describe(self):
        what = self.error or f"{self.status} (expected {self.expected})"
        text = f"{what} {self.path}"
        if self.problem:
            text += f": {self.problem}"
        if self.excerpt:
            text += f"\n        body: {self.excerpt}"
        return text


def fetch(client, kind, path, expected, catalogues):
    outcome = Outcome(kind, path, expected, started=time.monotonic())
    try:
        outcome.status, body, outcome.retried = client.get(path)
    except TimeoutError:
        outcome.error = f"timeout after {CLIENT_TIMEOUT:.0f} s"
    except (OSError, http.client.HTTPException) as error:
        outcome.error = f"{type(error).__name__}: {error}"
    outcome.seconds = time.monotonic() - outcome.started
    if outcome.status is not None:
        if outcome.seconds > CLIENT_TIMEOUT:
            outcome.error = f"slow: {outcome.seconds:.1f} s"
        inspect_body(outcome, body.decode("utf-8", "replace"), catalogues)
    return outcome


def inspect_body(outcome, text, catalogues):
    if "Traceback" in text:
        outcome.problem = "the body holds a Traceback"
    elif outcome.status == 503 and outcome.path == "/healthz":
        if not text.startswith("database unavailable\n"):
            outcome.problem = "a 503 from /healthz that is not its own answer"
    elif outcome.status == 503 and "Temporarily unavailable" not in text:
        outcome.problem = "a 503 that is not the site's own page"
    elif outcome.status == 200 and outcome.kind in COUNTED:
        counts = COUNTED[outcome.kind](text)
        matching = [c.name for c in catalogues if c.counts_for(outcome.kind) == counts]
        if matching:
            outcome.catalogue = matching[0]
        else:
            expected = " or ".join(f"{c.name} {c.counts_for(outcome.kind)}" for c in catalogues)
            outcome.problem = f"counts {counts} are no catalogue's (expected {expected})"
    if outcome.problem:
        outcome.excerpt = excerpt(text)


HOME_COUNT = re.compile(r"<strong>(\d+)</strong> (agreements|agencies|countries|events)")


def home_counts(text):
    found = {label: int(number) for number, label in HOME_COUNT.findall(text)}
    return tuple(found.get(label) for label in ("agreements", "agencies", "countries", "events"))


def list_total(text):
    found = re.search(r'class="result-count">(\d+) agreement', text)
    return (int(found.group(1)) if found else None,)


def json_rows(text):
    try:
        return (len(json.loads(text)),)
    except ValueError:
        return (None,)


# The responses whose record counts are checked against the catalogues.
COUNTED = {"home": home_counts, "list, all": list_total, "json, all": json_rows}


def excerpt(text, length=300):
    for marker in ("Traceback", "<h1", "<main"):
        start = text.find(marker)
        if start >= 0:
            break
    snippet = text[max(start, 0) : max(start, 0) + length]
    return " ".join(re.sub(r"<[^>]+>", " ", snippet).split())


class Traffic:
    """`connections` threads, each with its own keep-alive connection, asking for the mix until
    the `with` block ends."""

    def __init__(self, port, mix, connections, catalogues, client=None):
        self.port, self.mix, self.catalogues = port, mix, catalogues
        self.client = client or (lambda: Client(port, CLIENT_TIMEOUT, HEADERS))
        self.outcomes = [[] for _ in range(connections)]
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._read, args=(index,), daemon=True)
            for index in range(connections)
        ]

    def __enter__(self):
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        self.seconds = time.monotonic() - self.started

    def _read(self, index):
        rng = random.Random(index)
        client = self.client()
        while not self.stopping.is_set():
            kind, path, expected = self.mix.pick(rng)
            self.outcomes[index].append(fetch(client, kind, path, expected, self.catalogues))
        client.close()

    def all_outcomes(self):
        return [outcome for outcomes in self.outcomes for outcome in outcomes]


class Prober(threading.Thread):
    """Asks for one address every `interval` seconds on its own connection."""

    def __init__(self, port, path, kind, catalogues, interval=0.2, client=None):
        super().__init__(daemon=True)
        self.port, self.path, self.kind, self.catalogues = port, path, kind, catalogues
        self.client = client or (lambda: Client(port, CLIENT_TIMEOUT, HEADERS))
        self.interval = interval
        self.outcomes = []
        self.stopping = threading.Event()

    def run(self):
        client = self.client()
        while not self.stopping.wait(self.interval):
            self.outcomes.append(fetch(client, self.kind, self.path, 200, self.catalogues))
        client.close()

    def stop(self):
        self.stopping.set()
        self.join()
        return self.outcomes


# --- Reporting ---------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    failures: list = field(default_factory=list)

    def require(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition

    @property
    def passed(self):
        return not self.failures

    def print_verdict(self):
        if self.passed:
            print("  PASS")
            return
        print("  FAIL:")
        for failure in self.failures:
            print(f"    - {failure}")


def elapsed(started):
    return f"{time.monotonic() - started:.1f} s"


def print_traffic(outcomes, seconds, connections):
    answered = sorted(o.seconds * 1000 for o in outcomes if o.status is not None)
    rate = len(outcomes) / seconds if seconds else 0
    print(
        f"  {len(outcomes):,} requests in {seconds:.1f} s over {connections} connections: "
        f"{rate:.0f} requests/s, p50 {percentile(answered, 0.5):.0f} ms, "
        f"p99 {percentile(answered, 0.99):.0f} ms"
    )
    print(f"  {'kind':<16} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind in WEIGHTS:
        of_kind = [o for o in outcomes if o.kind == kind]
        times = sorted(o.seconds * 1000 for o in of_kind if o.status is not None)
        statuses = Counter(o.status or "error" for o in of_kind)
        shown = ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items(), key=str))
        print(
            f"  {kind:<16} {len(of_kind):>9,} {percentile(times, 0.5):>8.0f} "
            f"{percentile(times, 0.99):>8.0f}  {shown}"
        )
    errors = [o for o in outcomes if o.error]
    retried = sum(o.retried for o in outcomes)
    print(
        f"  transport errors and timeouts: {len(errors)}; asked again after the server closed "
        f"an idle keep-alive connection: {retried}"
    )


def print_server_log(server, position, result):
    """What gunicorn wrote to standard error during the scenario."""
    lines = server.log_since(position).splitlines()
    tracebacks = sum("Traceback" in line for line in lines)
    errors_500 = sum("Internal Server Error" in line for line in lines)
    unavailable = sum("Database unavailable" in line for line in lines)
    print(
        f"  gunicorn stderr: {len(lines):,} lines, {tracebacks} with 'Traceback', "
        f"{errors_500} 'Internal Server Error', {unavailable} 'Database unavailable'"
    )
    if tracebacks:
        print("  its first traceback (the log line before it, the project's frames, the error):")
        for line in first_traceback(lines):
            print(f"    | {line}")
    result.require(tracebacks == 0, f"{tracebacks} Traceback line(s) in gunicorn's stderr")


LOG_RECORD = re.compile(r"^\[?\d{4}-\d\d-\d\d")  # gunicorn's and Django's log lines


def first_traceback(lines):
    """The log line before the first traceback, the project's frames (without their source
    lines: Python reads those from the files when it prints, and they may have changed since
    the server started) and the error."""
    start = next(i for i, line in enumerate(lines) if "Traceback" in line)
    end = next((i for i in range(start, len(lines)) if LOG_RECORD.match(lines[i])), len(lines))
    block = [line for line in lines[start:end] if line.strip()]
    error = max(i for i, line in enumerate(block) if not line[0].isspace())
    frames = [
        line
        for line in block[:error]
        if line.strip().startswith("File") and str(ROOT) in line and "/.venv/" not in line
    ]
    return lines[max(0, start - 1) : start] + frames + block[error:]


def require_examples(result, bad, what):
    """One failure for a group of bad outcomes, with a few of them as examples."""
    if bad:
        examples = "".join(f"\n      {o.describe()}" for o in bad[:5])
        result.require(False, f"{len(bad):,} {what}; for example:{examples}")


def check_statuses(result, outcomes):
    require_examples(result, [o for o in outcomes if o.error], "transport errors or timeouts")
    require_examples(result, [o for o in outcomes if o.problem], "responses with a wrong body")
    unexpected = [o for o in outcomes if o.status is not None and o.status != o.expected]
    require_examples(result, unexpected, "responses with an unexpected status")


def print_catalogues_seen(outcomes):
    seen = Counter((o.kind, o.catalogue) for o in outcomes if o.catalogue)
    for kind in COUNTED:
        counts = ", ".join(f"{name} {n:,}" for (k, name), n in sorted(seen.items()) if k == kind)
        print(f"  checked counts, {kind:<10}: {counts or 'none'}")
    return Counter(o.catalogue for o in outcomes if o.catalogue)


def print_summary(results, postgres_ok, seconds):
    print(f"\n== Summary ({seconds:.0f} s)")
    for result in results:
        print(f"  {'PASS' if result.passed else 'FAIL'}  {result.name}")
    print(f"  {'PASS' if postgres_ok else 'FAIL'}  PostgreSQL accepts connections at the end")


# --- Scenario 1: mixed traffic -----------------------------------------------------------------


def mixed_traffic(server, mix, args, old):
    result = Result("1. mixed traffic")
    print(f"\n== {result.name} ({args.seconds:.0f} s, {args.connections} connections)")
    position = server.log_position()
    with Traffic(server.port, mix, args.connections, [old]) as traffic:
        time.sleep(args.seconds)
    outcomes = traffic.all_outcomes()
    print_traffic(outcomes, traffic.seconds, args.connections)
    print_catalogues_seen(outcomes)
    check_statuses(result, outcomes)
    print_server_log(server, position, result)
    result.print_verdict()
    return result


# --- Scenario 2: traffic while the catalogue is reloaded ---------------------------------------


class ReloadLoop(threading.Thread):
    """reload_fixtures again and again, alternating between two catalogues, until stopped and
    at least one reload each way has completed."""

    def __init__(self, env, catalogues):
        super().__init__(daemon=True)
        self.env, self.catalogues = env, catalogues
        self.stopping = threading.Event()
        self.completed = []  # (catalogue name, seconds)
        self.failed = []  # Run
        self.loaded = catalogues[-1]  # what the database holds when the loop starts

    def run(self):
        while len(self.completed) < len(self.catalogues) or not self.stopping.is_set():
            target = self.catalogues[len(self.completed) % len(self.catalogues)]
            run = manage(self.env, *reload_command(target.directory), check=False)
            if run.returncode:
                self.failed.append(run)
                return
            self.completed.append((target.name, run.seconds))
            self.loaded = target

    def stop(self, timeout=300):
        self.stopping.set()
        self.join(timeout)


def traffic_during_reloads(server, mix, args, env, old, new):
    result = Result("2. traffic while reload_fixtures alternates between two catalogues")
    print(f"\n== {result.name} ({args.seconds:.0f} s, {args.connections} connections)")
    position = server.log_position()
    reloads = ReloadLoop(env, [new, old])
    with Traffic(server.port, mix, args.connections, [old, new]) as traffic:
        reloads.start()
        time.sleep(args.seconds)
        reloads.stop()
    if reloads.loaded is not old:
        manage(env, *reload_command(old.directory, "--verbosity", "0"))
    outcomes = traffic.all_outcomes()
    print_traffic(outcomes, traffic.seconds, args.connections)
    durations = sorted(seconds for _, seconds in reloads.completed) or [0.0]
    directions = Counter(name for name, _ in reloads.completed)
    print(
        f"  reloads completed: {len(reloads.completed)} ({directions['new']} to new, "
        f"{directions['old']} to old), {durations[0]:.1f}–{durations[-1]:.1f} s each, "
        f"median {statistics.median(durations):.1f} s"
    )
    for run in reloads.failed:
        result.require(False, f"a reload failed ({run.returncode}):\n{run.output}")
    seen = print_catalogues_seen(outcomes)
    check_statuses(result, outcomes)
    result.require(len(reloads.completed) >= 2, "fewer than two reloads completed")
    for catalogue in (old, new):
        result.require(seen[catalogue.name] > 0, f"no response checked from the {catalogue.name}")
    print_server_log(server, position, result)
    result.print_verdict()
    return result


# --- Scenario 3: PostgreSQL stopped mid-traffic ------------------------------------------------


@dataclass
class Outage:
    """When things happened, on the monotonic clock."""

    stop_begun: float = 0.0
    down: float = 0.0  # the stop command returned: PostgreSQL is gone
    start_begun: float = 0.0
    back: float = 0.0  # pg_isready answers again
    healthz_ok: float = 0.0
    page_ok: float = 0.0

    @property
    def recovered(self):
        if not (self.healthz_ok and self.page_ok):
            return float("inf")  # never: every 503 is then put down to the outage
        return max(self.healthz_ok, self.page_ok)

    def fully_down(self, outcome):
        return outcome.started >= self.down and outcome.ended <= self.start_begun

    def may_be_unavailable(self, outcome):
        return outcome.ended >= self.stop_begun and outcome.started <= self.recovered


def database_outage(server, mix, args, old):
    result = Result("3. PostgreSQL stopped in the middle of traffic")
    print(
        f"\n== {result.name} ({args.seconds:.0f} s, {args.connections} connections, "
        f"{args.outage_seconds:.0f} s outage)"
    )
    refusal = why_not_stop_postgres()
    if refusal:
        result.require(False, f"not run, PostgreSQL left alone: {refusal}")
        result.print_verdict()
        return result
    position = server.log_position()
    lead = max(1.0, (args.seconds - args.outage_seconds) / 2)
    healthz = Prober(server.port, "/healthz", "healthz", [old])
    outage = Outage()
    with Traffic(server.port, mix, args.connections, [old]) as traffic:
        healthz.start()
        time.sleep(lead)
        try:
            stop_postgres_for(args.outage_seconds, outage)
        finally:
            # The server is shared: it comes back after the outage whatever went wrong.
            outage.start_begun = outage.start_begun or time.monotonic()
            postgres_cluster("start")
        result.require(wait_for_postgres(), "PostgreSQL did not come back within 30 s")
        outage.back = time.monotonic()
        measure_recovery(server.port, outage)
        time.sleep(max(1.0, traffic.started + args.seconds - time.monotonic()))
        probes = healthz.stop()
    outcomes = traffic.all_outcomes()
    print_traffic(outcomes, traffic.seconds, args.connections)
    print_catalogues_seen(outcomes)
    check_outage(result, outage, outcomes, probes)
    print_server_log(server, position, result)
    result.print_verdict()
    return result


def stop_postgres_for(seconds, outage):
    outage.stop_begun = time.monotonic()
    postgres_cluster("stop", "-m", "fast")
    outage.down = time.monotonic()
    time.sleep(max(0.0, outage.stop_begun + seconds - outage.down))
    outage.start_begun = time.monotonic()


def measure_recovery(port, outage, limit=30.0):
    """Ask /healthz and a page until each answers 200, from the moment PostgreSQL is back."""
    healthz = Client(port, CLIENT_TIMEOUT, HEADERS)
    page = Client(port, CLIENT_TIMEOUT, HEADERS)
    deadline = outage.back + limit
    while time.monotonic() < deadline and not (outage.healthz_ok and outage.page_ok):
        for client, path, attribute in (
            (healthz, "/healthz", "healthz_ok"),
            (page, "/en/agreements/?country=FR", "page_ok"),
        ):
            if not getattr(outage, attribute) and status_of(client, path) == 200:
                setattr(outage, attribute, time.monotonic())
        time.sleep(0.05)
    healthz.close()
    page.close()


def check_outage(result, outage, outcomes, probes):
    stopping = outage.down - outage.stop_begun
    down = outage.start_begun - outage.down
    starting = outage.back - outage.start_begun
    print(
        f"  PostgreSQL: stopping took {stopping:.1f} s, down {down:.1f} s, "
        f"starting took {starting:.1f} s"
    )
    unavailable = [o for o in outcomes if o.status == 503]
    during = [o for o in outcomes if outage.fully_down(o)]
    print(
        f"  while down: {len(during):,} requests, "
        f"{sum(o.status == 503 for o in during):,} answered 503; "
        f"503 in the whole run: {len(unavailable):,}"
    )
    probes_down = [p for p in probes if outage.fully_down(p)]
    print(
        f"  /healthz while down: {len(probes_down)} probes, "
        f"statuses {dict(Counter(p.status or p.error for p in probes_down))}"
    )
    for label, moment in (("/healthz", outage.healthz_ok), ("a page", outage.page_ok)):
        if moment:
            print(f"  {label} answered 200 {moment - outage.back:.2f} s after PostgreSQL was back")
        result.require(
            moment and moment - outage.back <= RECOVERY_LIMIT,
            f"{label} did not answer 200 within {RECOVERY_LIMIT:.0f} s of PostgreSQL's return",
        )
    everything = outcomes + probes
    require_examples(result, [o for o in everything if o.error], "transport errors or timeouts")
    require_examples(result, [o for o in everything if o.problem], "responses with a wrong body")
    require_examples(
        result,
        [o for o in everything if o.status not in (None, o.expected, 503)],
        "responses with an unexpected status",
    )
    require_examples(
        result,
        [o for o in everything if o.status == 503 and not outage.may_be_unavailable(o)],
        "503 responses outside the outage and its recovery",
    )
    require_examples(
        result,
        [o for o in during + probes_down if o.status not in (None, 503)],
        "responses other than 503 while PostgreSQL was down",
    )
    result.require(len(during) > 0, "no request was answered while PostgreSQL was down")
    result.require(len(probes_down) > 0, "/healthz was not asked while PostgreSQL was down")


# --- Scenario 4: reload_fixtures killed halfway ------------------------------------------------


def killed_reloads(args, env, scratch, old, big):
    result = Result("4. reload_fixtures killed with SIGKILL halfway")
    print(f"\n== {result.name} (big catalogue: {big.agreements:,} agreements)")
    kill_and_check(result, "PostgreSQL", env, postgres_writer_active, args.kill_points, old, big)
    database = scratch / "soak.sqlite3"
    sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{database}"}
    started = time.monotonic()
    manage(sqlite_env, "migrate", "--noinput", "--verbosity", "0")
    manage(sqlite_env, "reload_fixtures", "--verbosity", "0")
    print(f"  SQLite file {database} (WAL mode) created and loaded in {elapsed(started)}")

    def sqlite_writer():
        return sqlite_writer_active(database)

    kill_and_check(result, "SQLite", sqlite_env, sqlite_writer, args.kill_points, old, big)
    integrity = sqlite_integrity(database)
    print(f"  SQLite integrity_check: {integrity}")
    result.require(integrity == "ok", f"SQLite integrity_check says {integrity!r}")
    result.print_verdict()
    return result


def kill_and_check(result, label, env, writer_active, kill_points, old, big):
    """Measure a reload to the big catalogue, kill later ones at fractions of that time, and
    check after each kill that the old catalogue is still whole; then reload both ways."""
    print(f"  {label}:")
    full = manage(env, *reload_command(big.directory), check=False)
    back = manage(env, *reload_command(old.directory), check=False)
    if not result.require(
        full.returncode == 0 and back.returncode == 0,
        f"{label}: the measuring reloads failed:\n{full.output}\n{back.output}",
    ):
        return
    print(
        f"    a full reload to the big catalogue: {full.seconds:.1f} s; back: {back.seconds:.1f} s"
    )
    hits = 0
    for fraction in kill_points:
        delay = fraction * full.seconds
        hits += kill_once(result, label, env, writer_active, delay, full.seconds, old, big)
    result.require(
        hits > 0, f"{label}: no kill landed inside the write transaction (raise --copies)"
    )
    for catalogue in (big, old):
        run = manage(env, *reload_command(catalogue.directory), check=False)
        matches = run.returncode == 0 and holds_exactly(result, label, env, catalogue)
        print(
            f"    then a full reload to the {catalogue.name} catalogue: "
            f"{'succeeded' if run.returncode == 0 else 'FAILED'} in {run.seconds:.1f} s"
            f"{', the database holds it exactly' if matches else ''}"
        )
        result.require(run.returncode == 0, f"{label}: reload to {catalogue.name}:\n{run.output}")


def kill_once(result, label, env, writer_active, delay, latest, old, big):
    """Start a reload to the big catalogue, SIGKILL it after `delay` seconds or, if it is not
    writing yet by then, as soon as it is (up to `latest` seconds: how long a whole reload took,
    reading the files included); True if it was then inside its write transaction."""
    command = [sys.executable, "manage.py", *map(str, reload_command(big.directory))]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    started = time.monotonic()
    time.sleep(delay)
    writing = writer_active()
    while not writing and process.poll() is None and time.monotonic() - started < latest:
        time.sleep(0.05)
        writing = writer_active()
    delay = time.monotonic() - started
    process.send_signal(signal.SIGKILL)
    stdout, _ = process.communicate(timeout=60)
    lived = time.monotonic() - started
    killed = process.returncode == -signal.SIGKILL and "Reloaded" not in stdout
    fate = "killed by SIGKILL" if killed else f"NOT killed (exit {process.returncode})"
    intact = holds_exactly(result, label, env, old)
    state = "holds the old catalogue exactly" if intact else "does NOT hold the old catalogue"
    print(
        f"    kill at {delay:.1f} s: {'inside' if writing else 'before'} the write transaction, "
        f"{fate} after {lived:.1f} s; the database {state}"
    )
    result.require(killed, f"{label}: the reload finished before the kill at {delay:.1f} s")
    return writing and killed


DRY_RUN_TOTAL = re.compile(r"total: (\d+) created, (\d+) updated, (\d+) deleted, (\d+) unchanged")


def holds_exactly(result, label, env, catalogue):
    """A dry run against the catalogue's files finds every record unchanged, nothing else."""
    run = manage(
        env, "reload_fixtures", "--dry-run", "--fixtures-dir", catalogue.directory, check=False
    )
    found = DRY_RUN_TOTAL.search(run.stdout)
    counts = tuple(map(int, found.groups())) if found else None
    expected = (0, 0, 0, catalogue.records)
    return result.require(
        counts == expected,
        f"{label}: a dry run against the {catalogue.name} catalogue found "
        f"(created, updated, deleted, unchanged) = {counts}, not {expected}:\n{run.output}",
    )


def postgres_writer_active():
    """Whether a reload holds its lock on the catalogue's tables (taken as it starts writing)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True, connect_timeout=5) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_locks WHERE granted AND mode = 'ShareRowExclusiveLock' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()
    return row[0] > 0


def sqlite_writer_active(path):
    """Whether another connection holds SQLite's write lock, i.e. has begun writing."""
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # "database is locked"
        return True
    else:
        db.execute("ROLLBACK")
        return False
    finally:
        db.close()


def sqlite_integrity(path):
    db = sqlite3.connect(path)
    # The country code's CHECK constraint calls REGEXP, which Django defines on its connections.
    db.create_function("REGEXP", 2, lambda pattern, text: bool(re.search(pattern, text or "")))
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


if __name__ == "__main__":
    main()
