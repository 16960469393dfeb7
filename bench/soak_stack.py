"""The soak test through the local production stack (`make stack`): HTTPS through nginx to two
app servers, with faults.

    python bench/soak_stack.py [--seconds 30] [--connections 16] [--redis-outage 10]
                               [--slow-clients 200] [--slow-seconds 30] [--scenarios 1,2,...]

It uses the running stack, or starts one and stops it at the end. The readers are bench/soak.py's
(the same mix of pages, the same checks of each body: every counted page shows the counts of
one whole catalogue), on keep-alive HTTPS connections that trust the stack's certificate.

1. Traffic through the stack: no error, every status as expected.
2. App server 1 killed (SIGKILL to its master and workers) a third of the way in, started again
   at two thirds: no failed request beyond those in flight on it when it died; nginx sends it
   requests again once it is back (its access log grows).
3. The shared Redis stopped for --redis-outage seconds: pages served (no 5xx, no error),
   /healthz says the cache is down during it and up after.
4. The replica stopped, then started again: no failed request; reads move to the primary
   within 5 s (its committed transactions per half second jump) and back to the replica once
   it is up (its own grow again).
5. reload_fixtures alternating between two catalogues during traffic: each page shows one
   whole catalogue, from the primary or the replica; once the replica has replayed the last
   reload, every page on every app server shows the last catalogue (no page of old rows kept
   under the new version).
6. The replica's replay paused, then a reload: a curator's session sees the new catalogue at
   once (the primary); readers see the old or the new one, never a mix, and the new one once
   the replica is more than REPLICA_MAX_LAG behind (it is skipped); replay resumed.
7. --slow-clients connections sending their headers a byte a second for --slow-seconds: normal
   readers' GETs keep a p99 under 200 ms (nginx buffers; no gunicorn worker waits on them),
   printed beside the same readers' p99 alone just before (which also warms the pages).

Figures per scenario: requests/s, p50/p99, errors. Exit status 1 if any criterion failed.
"""

import argparse
import http.client
import random
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench import stack as stack_module  # noqa: E402
from bench.common import Client, percentile  # noqa: E402
from bench.soak import (  # noqa: E402
    CLIENT_TIMEOUT,
    FIXTURES,
    Catalogue,
    Mix,
    ReloadLoop,
    Result,
    Traffic,
    check_statuses,
    fetch,
    make_new_catalogue,
    manage,
    print_catalogues_seen,
    print_traffic,
    reload_command,
)

SLOW_P99_MS = 200
RECOVERY_LIMIT = 5.0  # seconds for reads to move to the primary


class StackClient(Client):
    """A reader's keep-alive HTTPS connection through nginx, trusting the stack's certificate."""

    def __init__(self, timeout=CLIENT_TIMEOUT, headers=None):
        super().__init__(stack_module.HTTPS_PORT, timeout, {"User-Agent": "cooperation-soak"})
        self.headers.update(headers or {})

    def open(self):
        return stack_module.PublicConnection(timeout=self.timeout)


def readers():
    return StackClient()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="traffic per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--redis-outage", type=float, default=10)
    parser.add_argument("--slow-clients", type=int, default=200)
    parser.add_argument("--slow-seconds", type=float, default=30)
    parser.add_argument("--scenarios", default="1,2,3,4,5,6,7")
    args = parser.parse_args()
    args.scenarios = {int(n) for n in args.scenarios.split(",")}
    stack = stack_module.Stack()
    started_here = not stack.keeper_alive()
    began = time.monotonic()
    if started_here:
        print("== No stack runs: starting one (make stack)")
        if stack_module.start():
            return 1
    try:
        results = run(stack, args)
    finally:
        if started_here:
            print("\n== Stopping the stack this run started")
            stack_module.stop()
    print(f"\n== Summary ({time.monotonic() - began:.0f} s)")
    for result in results:
        print(f"  {'PASS' if result.passed else 'FAIL'}  {result.name}")
    return 0 if all(result.passed for result in results) else 1


def run(stack, args):
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="cooperation-soak-stack-"))
    env = stack.app_env()
    old = Catalogue.read("old", FIXTURES)
    new = Catalogue.read("new", make_new_catalogue(scratch / "new"))
    mix = Mix(old, new)
    print(f"== Through {stack.public_url} (nginx, app servers 1 and 2, Redis, a replica)")
    print(f"  old catalogue: {old.describe()}")
    print(f"  new catalogue: {new.describe()}")
    manage(env, *reload_command(old.directory, "--verbosity", "0"))
    scenarios = {
        1: baseline,
        2: app_server_killed,
        3: redis_stopped,
        4: replica_stopped,
        5: reloads,
        6: replay_paused,
        7: slow_clients,
    }
    results = []
    for number, scenario in scenarios.items():
        if number in args.scenarios:
            results.append(scenario(stack, mix, args, env, old, new))
    return results


def traffic(mix, args, catalogues, connections=None):
    return Traffic(None, mix, connections or args.connections, catalogues, client=readers)


def heading(result, args, extra=""):
    print(f"\n== {result.name} ({args.seconds:.0f} s, {args.connections} connections{extra})")


def statuses_5xx(outcomes):
    return [o for o in outcomes if o.status is not None and o.status >= 500]


# --- 1 ------------------------------------------------------------------------------------------


def baseline(stack, mix, args, env, old, new):
    result = Result("1. traffic through the stack (HTTPS, nginx, two app servers)")
    heading(result, args)
    with traffic(mix, args, [old]) as running:
        time.sleep(args.seconds)
    outcomes = running.all_outcomes()
    print_traffic(outcomes, running.seconds, args.connections)
    check_statuses(result, outcomes)
    served = access_counts(stack)
    print(f"  requests each app server logged so far: {served}")
    result.require(all(served.values()), "an app server got no request from nginx")
    result.print_verdict()
    return result


def access_counts(stack):
    return {number: access_lines(number) for number in stack_module.APP_PORTS}


def access_lines(number):
    path = stack_module.STATE_DIR / f"app-{number}.access.log"
    try:
        with open(path, "rb") as log:
            return sum(1 for _ in log)
    except FileNotFoundError:
        return 0


# --- 2 ------------------------------------------------------------------------------------------


def app_server_killed(stack, mix, args, env, old, new):
    result = Result("2. app server 1 killed mid-traffic, then started again")
    heading(result, args)
    third = args.seconds / 3
    with traffic(mix, args, [old]) as running:
        time.sleep(third)
        killed_at = time.monotonic()
        pids = stack.kill_app(1)
        print(f"  [{killed_at - running.started:4.1f} s] SIGKILL to app server 1 (pids {pids})")
        time.sleep(third)
        restart_begun = time.monotonic()
        stack.start_app(1)
        restarted_at = time.monotonic()
        logged = access_lines(1)
        print(
            f"  [{restarted_at - running.started:4.1f} s] app server 1 started again "
            f"({restarted_at - restart_begun:.1f} s to answer /healthz)"
        )
        back_at = None
        deadline = restarted_at + max(third, 12)
        while time.monotonic() < deadline:
            if access_lines(1) > logged + 1:  # +1: the start's own /healthz
                back_at = time.monotonic()
                break
            time.sleep(0.1)
        remaining = running.started + args.seconds - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
    outcomes = running.all_outcomes()
    print_traffic(outcomes, running.seconds, args.connections)
    in_flight = [o for o in outcomes if (o.error or o.status == 502) and o.started <= killed_at]
    failed = [o for o in outcomes if (o.error or o.status == 502) and o.started > killed_at]
    print(
        f"  failed requests: {len(in_flight)} in flight when it died (allowed), "
        f"{len(failed)} after (goal 0)"
    )
    check_statuses(result, [o for o in outcomes if o not in in_flight])
    if back_at is None:
        result.require(False, "nginx sent app server 1 no request after it was started again")
    else:
        print(f"  nginx sent it requests again {back_at - restarted_at:.1f} s after it was back")
    result.print_verdict()
    return result


# --- 3 ------------------------------------------------------------------------------------------


def redis_stopped(stack, mix, args, env, old, new):
    result = Result(f"3. Redis stopped for {args.redis_outage:.0f} s")
    heading(result, args)
    probe = HealthProbe()
    with traffic(mix, args, [old]) as running:
        probe.start()
        time.sleep(max(1.0, (args.seconds - args.redis_outage) / 2))
        stopped_at = time.monotonic()
        stack.stop_redis()
        print(f"  [{stopped_at - running.started:4.1f} s] Redis stopped")
        time.sleep(args.redis_outage)
        stack.start_redis()
        started_at = time.monotonic()
        print(f"  [{started_at - running.started:4.1f} s] Redis started again (empty)")
        remaining = running.started + args.seconds - time.monotonic()
        time.sleep(max(remaining, 3.0))
    probe.stop()
    outcomes = running.all_outcomes()
    print_traffic(outcomes, running.seconds, args.connections)
    during = [o for o in outcomes if stopped_at <= o.started <= started_at]
    times = sorted(o.seconds * 1000 for o in during if o.status is not None)
    print(
        f"  while Redis was down: {len(during):,} requests, p50 {percentile(times, 0.5):.0f} ms, "
        f"p99 {percentile(times, 0.99):.0f} ms, 5xx {len(statuses_5xx(during))}"
    )
    check_statuses(result, outcomes)
    down = probe.seen("cache: unavailable", stopped_at + 1.5, started_at)
    up = probe.seen("cache: ok", started_at, float("inf"))
    print(f"  /healthz said 'cache: unavailable' during it: {down}; 'cache: ok' after: {up}")
    result.require(down, "/healthz never said the cache was unavailable while Redis was down")
    result.require(up, "/healthz did not say the cache was ok once Redis was back")
    result.print_verdict()
    return result


class HealthProbe(threading.Thread):
    """/healthz through nginx every 0.2 s: what it said, when."""

    def __init__(self):
        super().__init__(daemon=True)
        self.answers = []  # (monotonic time, status, body)
        self.stopping = threading.Event()

    def run(self):
        client = StackClient(timeout=5)
        while not self.stopping.wait(0.2):
            try:
                status, body, _ = client.get("/healthz")
            except (OSError, http.client.HTTPException) as error:
                status, body = None, str(error).encode()
            self.answers.append((time.monotonic(), status, body.decode("utf-8", "replace")))
        client.close()

    def stop(self):
        self.stopping.set()
        self.join()

    def seen(self, text, start, end):
        return any(start <= when <= end and text in body for when, _, body in self.answers)


# --- 4 ------------------------------------------------------------------------------------------


class Commits(threading.Thread):
    """Transactions committed per half second in the stack's database, on the primary and on
    the replica (PostgreSQL's statistics): where the reads go."""

    QUERY = "SELECT xact_commit FROM pg_stat_database WHERE datname = %s"

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = []  # (monotonic time, primary's commits, replica's commits or None)
        self.stopping = threading.Event()

    def read(self, url):
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=1) as connection:
                return connection.execute(self.QUERY, (stack_module.DATABASE,)).fetchone()[0]
        except psycopg.Error:
            return None

    def run(self):
        postgres = "postgres"
        primary = stack_module.primary_url(postgres)
        replica = stack_module.replica_url(postgres)
        while not self.stopping.wait(0.5):
            self.samples.append((time.monotonic(), self.read(primary), self.read(replica)))

    def stop(self):
        self.stopping.set()
        self.join()

    def rates(self):
        """(time, primary's commits per second, replica's or None) between samples."""
        rates = []
        for (t0, p0, r0), (t1, p1, r1) in zip(self.samples, self.samples[1:], strict=False):
            seconds = t1 - t0
            primary = (p1 - p0) / seconds if p0 is not None and p1 is not None else None
            replica = (r1 - r0) / seconds if r0 is not None and r1 is not None else None
            rates.append((t1, primary, replica))
        return rates


def replica_stopped(stack, mix, args, env, old, new):
    result = Result("4. the replica stopped, then started again")
    heading(result, args)
    commits = Commits()
    commits.start()
    with traffic(mix, args, [old]) as running:
        quarter = args.seconds / 4
        time.sleep(quarter)
        stopped_at = time.monotonic()
        stack.stop_replica()
        print(f"  [{stopped_at - running.started:4.1f} s] replica stopped (pg_ctl stop -m fast)")
        time.sleep(2 * quarter)
        stack.start_replica()
        started_at = time.monotonic()
        print(f"  [{started_at - running.started:4.1f} s] replica started again")
        time.sleep(max(quarter, 4.0))
    commits.stop()
    outcomes = running.all_outcomes()
    print_traffic(outcomes, running.seconds, args.connections)
    check_statuses(result, outcomes)
    rates = commits.rates()
    before = [p for t, p, r in rates if t < stopped_at and p is not None]
    base = max(before or [0.0])
    moved = next(
        (t for t, p, r in rates if t > stopped_at and p is not None and p > 2 * base + 5), None
    )
    back = next((t for t, p, r in rates if t > started_at and r and r > 5), None)

    def shown(values):
        return ", ".join(f"{v:.0f}" if v is not None else "-" for v in values)

    print(f"  primary's commits/s: {shown(p for _, p, _ in rates)}")
    print(f"  replica's commits/s: {shown(r for _, _, r in rates)}")
    if moved is None:
        result.require(False, "the primary's reads did not grow once the replica was stopped")
    else:
        print(f"  reads moved to the primary within {moved - stopped_at:.1f} s")
        result.require(
            moved - stopped_at <= RECOVERY_LIMIT, f"reads took more than {RECOVERY_LIMIT:.0f} s"
        )
    if back is None:
        result.require(False, "no reads reached the replica once it was back")
    else:
        print(f"  reads back on the replica {back - started_at:.1f} s after it started")
    result.print_verdict()
    return result


# --- 5 ------------------------------------------------------------------------------------------


def reloads(stack, mix, args, env, old, new):
    result = Result("5. reload_fixtures alternating between two catalogues during traffic")
    heading(result, args)
    loop = ReloadLoop(env, [new, old])
    with traffic(mix, args, [old, new]) as running:
        loop.start()
        time.sleep(args.seconds)
        loop.stop()
    outcomes = running.all_outcomes()
    print_traffic(outcomes, running.seconds, args.connections)
    for failed in loop.failed:
        result.require(False, f"a reload failed ({failed.returncode}):\n{failed.output}")
    print(f"  reloads completed: {Counter(name for name, _ in loop.completed)}")
    seen = print_catalogues_seen(outcomes)
    check_statuses(result, outcomes)
    for catalogue in (old, new):
        result.require(seen[catalogue.name] > 0, f"no page showed the {catalogue.name} catalogue")
    last = loop.loaded
    caught_up = wait_for_replay(stack)
    print(f"  the replica replayed the last reload ({caught_up})")
    stale = last_catalogue_everywhere(mix, last, [old, new])
    result.require(not stale, f"pages still showed another catalogue than the last: {stale[:3]}")
    if last is not old:
        manage(env, *reload_command(old.directory, "--verbosity", "0"))
    result.print_verdict()
    return result


def wait_for_replay(stack, seconds=30):
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            if stack.replica_lag_bytes() == 0:
                return f"in {time.monotonic() - began:.1f} s"
        except psycopg.Error:
            pass
        time.sleep(0.1)
    return f"not within {seconds} s"


def last_catalogue_everywhere(mix, last, catalogues, rounds=12):
    """Every counted page, asked on new connections (both app servers, all their workers):
    those that do not show the last catalogue."""
    stale = []
    for _ in range(rounds):
        for kind, path in (("home", "/en/"), ("list, all", "/en/agreements/"),
                           ("json, all", "/en/agreements/?format=json")):  # fmt: skip
            client = StackClient()
            outcome = fetch(client, kind, path, 200, catalogues)
            client.close()
            if outcome.catalogue != last.name:
                stale.append(outcome.describe() + f" (showed {outcome.catalogue or 'none'})")
    return stale


# --- 6 ------------------------------------------------------------------------------------------


def replay_paused(stack, mix, args, env, old, new):
    result = Result("6. replay paused on the replica, then a reload")
    print(f"\n== {result.name}")
    limit = float(env.get("REPLICA_MAX_LAG", 5))
    wait_for_replay(stack)
    stack.pause_replica_replay()
    try:
        reload = manage(env, *reload_command(new.directory, "--verbosity", "0"))
        committed = time.monotonic()
        print(f"  reload to the new catalogue committed on the primary ({reload.seconds:.1f} s)")
        curator = StackClient(headers={"Cookie": "sessionid=curator-session"})
        seen_by_curator = fetch(curator, "home", "/en/", 200, [old, new]).catalogue
        curator.close()
        print(f"  a curator's session (the primary) saw: {seen_by_curator}")
        result.require(seen_by_curator == "new", "a curator's session did not see the reload")
        timeline = []
        while time.monotonic() - committed < limit + 4:
            client = StackClient()
            outcome = fetch(client, "home", "/en/", 200, [old, new])
            client.close()
            timeline.append((time.monotonic() - committed, outcome))
            time.sleep(0.1)
        mixed = [o for _, o in timeline if o.problem or o.error]
        seen = Counter(o.catalogue for _, o in timeline)
        late_old = [t for t, o in timeline if o.catalogue == "old" and t > limit + 2]
        first_new = next((t for t, o in timeline if o.catalogue == "new"), None)
        when = f"{first_new:.1f} s after the commit" if first_new is not None else "never"
        print(f"  readers over {limit + 4:.0f} s: {dict(seen)}; the new catalogue first: {when}")
        result.require(not mixed, f"{len(mixed)} pages that were no whole catalogue or failed")
        result.require(first_new is not None, "readers never saw the new catalogue")
        if late_old:
            result.require(
                False,
                f"readers saw the old catalogue {late_old[-1]:.1f} s after the reload, past the "
                f"bound of {limit:.0f} s",
            )
    finally:
        stack.resume_replica_replay()
    print(f"  replay resumed; the replica caught up {wait_for_replay(stack)}")
    manage(env, *reload_command(old.directory, "--verbosity", "0"))
    result.print_verdict()
    return result


# --- 7 ------------------------------------------------------------------------------------------


class SlowClient(threading.Thread):
    """A connection that sends its request's headers a byte a second, opened again whenever
    the server closes it, until stopped."""

    def __init__(self, stopping, counts):
        super().__init__(daemon=True)
        self.stopping, self.counts = stopping, counts

    def run(self):
        context = stack_module.ssl_context()
        while not self.stopping.is_set():
            try:
                raw = socket.create_connection((stack_module.LOOPBACK, stack_module.HTTPS_PORT), 5)
                connection = context.wrap_socket(raw, server_hostname=stack_module.PUBLIC_HOST)
            except OSError:
                self.counts["refused"] += 1
                self.stopping.wait(0.5)
                continue
            self.counts["opened"] += 1
            try:
                connection.sendall(b"GET /en/ HTTP/1.1\r\nHost: localhost\r\n")
                while not self.stopping.wait(1.0):
                    connection.sendall(b"X")
            except OSError:
                self.counts["closed by the server"] += 1
            finally:
                connection.close()


PAGE_KINDS = ("home", "list, all", "list, filtered", "record", "index")


def page_p99(outcomes):
    pages = [o for o in outcomes if o.status is not None and o.kind in PAGE_KINDS]
    gets = sorted(o.seconds * 1000 for o in pages)
    return len(gets), percentile(gets, 0.99)


def slow_clients(stack, mix, args, env, old, new):
    result = Result(f"7. {args.slow_clients} slow clients for {args.slow_seconds:.0f} s")
    readers_ = 4
    print(f"\n== {result.name} ({readers_} normal readers, first alone, then during them)")
    # The same readers alone first, as long: the pages warm (the last scenario's reload made a
    # new version) and their p99 without slow clients is the figure to compare with.
    with traffic(mix, args, [old], connections=readers_) as alone:
        time.sleep(args.slow_seconds)
    stopping, counts = threading.Event(), Counter()
    attackers = [SlowClient(stopping, counts) for _ in range(args.slow_clients)]
    for attacker in attackers:
        attacker.start()
    time.sleep(1.0)
    with traffic(mix, args, [old], connections=readers_) as running:
        time.sleep(args.slow_seconds)
    stopping.set()
    for attacker in attackers:
        attacker.join(5)
    outcomes = running.all_outcomes()
    print_traffic(outcomes, running.seconds, readers_)
    print(f"  slow connections: {dict(counts)}")
    check_statuses(result, outcomes)
    _, before = page_p99(alone.all_outcomes())
    count, p99 = page_p99(outcomes)
    print(
        f"  readers' page GETs: {count:,}, p99 {p99:.0f} ms (goal under {SLOW_P99_MS} ms); "
        f"alone just before: p99 {before:.0f} ms (ratio {p99 / before if before else 0:.2f})"
    )
    result.require(p99 < SLOW_P99_MS, f"p99 {p99:.0f} ms during the slow clients")
    result.print_verdict()
    return result


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
