"""A local production stack: nginx (TLS), two gunicorn servers, PostgreSQL and a replica, Redis."""

import argparse
import contextlib
import ctypes
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from bench.common import LOCAL_POSTGRES, ROOT, probe_status, recreate_database

STATE_DIR = ROOT / "var" / "stack"
STATE_FILE = STATE_DIR / "stack.json"
SECRET_KEY_FILE = STATE_DIR / "secret_key"
KEEPER_SOCKET = STATE_DIR / "keeper.sock"
KEEPER_LOG = STATE_DIR / "keeper.log"
MANAGE_LOG = STATE_DIR / "manage.log"
DATA_DIR = STATE_DIR / "data"
TLS_DIR = STATE_DIR / "tls"
CERTIFICATE = TLS_DIR / "cert.pem"  # self-signed: clients take it as their only CA
CERTIFICATE_KEY = TLS_DIR / "key.pem"
NGINX_PREFIX = STATE_DIR / "nginx"  # its configuration, pid file and temporary files
NGINX_CONF = NGINX_PREFIX / "nginx.conf"
NGINX_TEMPLATE = ROOT / "config" / "deploy" / "nginx.conf"
# PostgreSQL runs as its own user only: this folder and all in it belong to postgres.
REPLICA_DIR = STATE_DIR / "replica"
REPLICA_DATA = REPLICA_DIR / "data"
REPLICA_SOCKETS = REPLICA_DIR / "sockets"
REPLICA_LOG = REPLICA_DIR / "postgresql.log"

LOOPBACK = "127.0.0.1"
PUBLIC_HOST = "localhost"
# The standard ports by default, as in production (and as the MDN Observatory's scanner asks
# them: it knows no other); STACK_HTTPS_PORT and STACK_HTTP_PORT where those are taken.
HTTPS_PORT = int(os.environ.get("STACK_HTTPS_PORT") or 443)
HTTP_PORT = int(os.environ.get("STACK_HTTP_PORT") or 80)
PUBLIC_AUTHORITY = PUBLIC_HOST if HTTPS_PORT == 443 else f"{PUBLIC_HOST}:{HTTPS_PORT}"
APP_PORTS = {1: 8101, 2: 8102}
REDIS_PORT, REDIS_DATABASE = 6380, 3
PRIMARY_PORT, REPLICA_PORT = 5432, 5433
DATABASE = "cooperation_stack"
ADMIN_PREFIX = "/admin/"  # Django's default ADMIN_URL, which the stack keeps
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY_HBA = Path("/etc/postgresql/15/main/pg_hba.conf")
HBA_LINE = f"host replication all {LOOPBACK}/32 trust"
HBA_MARKER = "# added by bench/stack.py for its replica; its stop removes the line"
# The settings a hot standby must hold at least as high as its primary, or it refuses to start.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))  # this checkout's
READY_SECONDS = 30  # how long a part may take to answer once started
STOP_SECONDS = 10  # how long a part may take to exit on its polite signal, before SIGKILL
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
PR_SET_NAME, PR_SET_CHILD_SUBREAPER = 15, 36
# What the app servers inherit from the caller's environment: nothing else, so that a variable
# of the caller's shell (CACHE_URL, SECURE_SSL_REDIRECT…) never changes the stack.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")


class StackError(RuntimeError):
    """A part of the stack did not start, stop or answer as it should."""


def primary_url(database=DATABASE):
    return f"{LOCAL_POSTGRES}/{database}"


def replica_url(database=DATABASE):
    return f"postgres://postgres@{LOOPBACK}:{REPLICA_PORT}/{database}"


def app_env():
    """The app's production environment for this stack (its servers and manage.py commands)."""
    try:
        secret_key = SECRET_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        raise StackError("No stack: start one with `make stack`.") from None
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env.update(
        DEBUG="false",
        SECRET_KEY=secret_key,
        DATABASE_URL=primary_url(),
        DATABASE_REPLICA_URLS=replica_url(),
        REDIS_URL=f"redis://{LOOPBACK}:{REDIS_PORT}/{REDIS_DATABASE}",
        ALLOWED_HOSTS=PUBLIC_HOST,
        BEHIND_HTTPS_PROXY="true",
        TRUSTED_PROXIES="1",
        # A replica further behind than this is skipped: readers read the primary.
        REPLICA_MAX_LAG="5",
        DATA_DIR=str(DATA_DIR),
    )
    return env


# Processes, known by pid and start time: a pid that the kernel gave to another process since
# is never signalled.


def process_stat(pid):
    """(state, parent, process group, start time in ticks since boot) of a process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (command) "
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def live_processes():
    """(pid, stat) of every process that runs (zombies left out)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := process_stat(entry.name)) and stat[0] != "Z":
            yield int(entry.name), stat


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def is_alive(record):
    """Whether the process a record names still runs (a zombie does not)."""
    if not record:
        return False
    stat = process_stat(record["pid"])
    return stat is not None and stat[0] != "Z" and stat[3] == record["ticks"]


def record_of(pid):
    stat = process_stat(pid)
    return {"pid": pid, "ticks": stat[3] if stat else None}


def group_members(group, name):
    """The live processes of a process group whose command line holds `name`, leader first."""
    members = [
        pid for pid, stat in live_processes() if stat[2] == group and name in command_line(pid)
    ]
    return sorted(members, key=lambda pid: (pid != group, pid))


def children_of(parent):
    return sorted(pid for pid, stat in live_processes() if stat[1] == parent)


def reap(pid=-1):
    """Collects exited children (one, or all): the stack's keeper is their parent, or adopts them
    as their subreaper, and the machine's init here collects no one's."""
    while True:
        try:
            reaped, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if reaped == 0 or pid != -1:
            return


def wait_gone(pids, seconds):
    deadline = time.monotonic() + seconds
    while True:
        for pid in pids:
            reap(pid)
        left = [pid for pid in pids if (stat := process_stat(pid)) and stat[0] != "Z"]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def end_processes(pids, polite=signal.SIGTERM, seconds=STOP_SECONDS):
    """Sends `polite`, then SIGKILL to whatever still runs after `seconds`."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, polite)
    for pid in wait_gone(pids, seconds):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_gone(pids, 5)


def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def tail(path, lines=25):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def run(command, log=None, env=None, user=None):
    """Runs a command to its end; its output goes to `log` (or is kept for the error)."""
    if user:
        command = ["runuser", "-u", user, "--", *command]
    command = [str(part) for part in command]
    if log:
        with open(log, "ab") as out:
            out.write(f"$ {' '.join(command)}\n".encode())
            out.flush()
            result = subprocess.run(
                command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
            )
    else:
        result = subprocess.run(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
    if result.returncode != 0:
        output = tail(log) if log else (result.stdout + result.stderr).strip()
        raise StackError(f"{' '.join(command)} failed ({result.returncode}):\n{output}")
    return result


class PublicConnection(http.client.HTTPConnection):
    """HTTPS to nginx on 127.0.0.1, the certificate checked for the site's name: the way a
    browser that resolves localhost to 127.0.0.1 would connect."""

    def __init__(self, timeout=5):
        super().__init__(PUBLIC_HOST, HTTPS_PORT, timeout=timeout)

    def connect(self):
        self.sock = socket.create_connection((LOOPBACK, self.port), self.timeout)
        self.sock = ssl_context().wrap_socket(self.sock, server_hostname=PUBLIC_HOST)


def ssl_context():
    """A client's TLS context that trusts the stack's certificate, and nothing else."""
    return ssl.create_default_context(cafile=str(CERTIFICATE))


def public_request(method, path, body=None, headers=None, timeout=5):
    """(status, headers, body) of a request through nginx, as a reader's browser would make it."""
    connection = PublicConnection(timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def public_status(path):
    try:
        return public_request("GET", path, timeout=2)[0]
    except (OSError, http.client.HTTPException):
        return None


def redis_answers():
    try:
        with socket.create_connection((LOOPBACK, REDIS_PORT), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def postgres_user():
    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def owned_by_postgres(path, mode):
    os.chmod(path, mode)
    os.chown(path, *postgres_user())


def render_nginx_conf(values):
    """config/deploy/nginx.conf with its placeholders filled in; every one must be."""
    template = NGINX_TEMPLATE.read_text()
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise StackError(f"{NGINX_TEMPLATE} has placeholders the stack does not fill: {missing}")
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), template)


class Stack:
    """The running stack as var/stack/stack.json describes it. Whatever starts a process goes
    through the stack's keeper (its parent, which collects it when it exits); stopping, killing
    and database calls are made from here directly."""

    def __init__(self, in_keeper=False):
        self.in_keeper = in_keeper

    # State.

    @property
    def state(self):
        try:
            return json.loads(STATE_FILE.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _update(self, **changes):
        state = {**self.state, **changes}
        STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
        temporary = STATE_FILE.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
        temporary.replace(STATE_FILE)

    def _record(self, name, record):
        self._update(processes={**self.state.get("processes", {}), name: record})

    def _process(self, name):
        return self.state.get("processes", {}).get(name)

    def keeper_alive(self):
        return is_alive(self._process("keeper"))

    def _ask(self, call, *args, timeout=180):
        """Has the keeper make the call, and returns its result."""
        if self.in_keeper:
            return getattr(self, f"_{call}")(*args)
        try:
            with socket.socket(socket.AF_UNIX) as connection:
                connection.settimeout(timeout)
                connection.connect(str(KEEPER_SOCKET))
                connection.sendall(json.dumps({"call": call, "args": args}).encode() + b"\n")
                answer = json.loads(connection.makefile().readline() or "{}")
        except (OSError, json.JSONDecodeError) as error:
            raise StackError(f"The stack's keeper did not answer: {error}") from None
        if not answer.get("ok"):
            raise StackError(answer.get("error", "the keeper gave no answer"))
        return answer.get("result")

    # What a test does with the running stack.

    app_env = staticmethod(app_env)
    public_request = staticmethod(public_request)
    ssl_context = staticmethod(ssl_context)
    certificate = CERTIFICATE
    public_url = f"https://{PUBLIC_AUTHORITY}"

    def app_pids(self, number):
        """The live processes of app server `number` (1 or 2), its gunicorn master first."""
        record = self._process(f"app-{number}")
        return group_members(record["pid"], GUNICORN) if record else []

    def kill_app(self, number):
        """SIGKILL to app server `number`'s whole process group, master and workers at once, as
        when its machine dies; returns once none of them runs."""
        pids = self.app_pids(number)
        if pids:
            os.killpg(self._process(f"app-{number}")["pid"], signal.SIGKILL)
            if wait_gone(pids, 5):
                raise StackError(f"app server {number} survived SIGKILL: {pids}")
        return pids

    def start_app(self, number):
        """Starts app server `number` again (if it is not running); returns once its /healthz
        answers 200. Its pids."""
        return self._ask("start_app", number)

    def stop_redis(self):
        """Stops the stack's Redis (SIGTERM): the app's shared cache is gone until start_redis."""
        record = self._process("redis")
        if is_alive(record):
            end_processes([record["pid"]])

    def start_redis(self):
        """Starts the stack's Redis again, empty; returns once it answers PING."""
        return self._ask("start_redis")

    def stop_replica(self):
        """Stops the replica (pg_ctl stop -m fast): its connections are cut at once."""
        if replica_running():
            pg_ctl = [POSTGRES_BIN / "pg_ctl", "-D", REPLICA_DATA, "stop", "-m", "fast", "-w"]
            run(pg_ctl, user="postgres")

    def start_replica(self):
        """Starts the replica again; returns once it accepts connections. It catches up with
        the primary on its own."""
        return self._ask("start_replica")

    def pause_replica_replay(self):
        """The replica keeps its connections but stops applying the primary's changes: it
        falls behind, as a lagging replica does."""
        self._on_replica("SELECT pg_wal_replay_pause()")

    def resume_replica_replay(self):
        self._on_replica("SELECT pg_wal_replay_resume()")

    def replica_lag_bytes(self):
        """How far (bytes of WAL) the replica's replay is behind the primary's current WAL."""
        with psycopg.connect(primary_url(), autocommit=True, connect_timeout=3) as primary:
            current = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        lag = "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())::bigint"
        return self._on_replica(lag, (current,))

    def _on_replica(self, query, parameters=None):
        with psycopg.connect(replica_url(), autocommit=True, connect_timeout=3) as replica:
            return replica.execute(query, parameters).fetchone()[0]

    # Starting, in the keeper.

    def _bring_up(self, report):
        """Starts every part; the figures of the start."""
        begun = time.monotonic()
        self._prepare()
        report("Redis")
        self._start_redis()
        report("PostgreSQL: replication allowed, database recreated")
        self._allow_replication()
        recreate_database(LOCAL_POSTGRES, DATABASE, force=True)
        # The catalogue is loaded while the replica is copied and nginx prepared: the replica
        # then has to stream what was written after its copy, which the check below proves.
        with ThreadPoolExecutor(max_workers=2) as pool:
            loading = pool.submit(self._load_catalogue)
            collecting = pool.submit(self._collect_static)
            report("TLS certificate, nginx")
            self._make_certificate()
            self._start_nginx()
            report("replica: pg_basebackup")
            self._make_replica()
            self._start_replica()
            report("catalogue: migrate, reload_fixtures, collectstatic")
            loading.result()
            collecting.result()
        report("app servers")
        for number in APP_PORTS:
            self._spawn_app(number)
        for number in APP_PORTS:
            self._wait_app(number)
        report("replica caught up, nginx answering")
        agreements = self._check_replica()
        self._wait(lambda: public_status("/healthz") == 200, "nginx's /healthz")
        seconds = round(time.monotonic() - begun, 1)
        self._update(started_seconds=seconds, agreements=agreements, started_at=time.time())
        return {"seconds": seconds, "agreements": agreements}

    def _prepare(self):
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        # postgres reaches its replica's folder through this one.
        os.chmod(STATE_DIR, 0o755)
        for folder in (STATE_DIR.parent, STATE_DIR):
            if not os.stat(folder).st_mode & 0o001:
                raise StackError(f"{folder} must be searchable by postgres (chmod o+x).")
        DATA_DIR.mkdir(exist_ok=True)
        if not SECRET_KEY_FILE.exists():
            descriptor = os.open(SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(50) + "\n")
        self._update(
            database=primary_url(),
            replica=replica_url(),
            redis=app_env()["REDIS_URL"],
            public_url=self.public_url,
            certificate=str(CERTIFICATE),
            ports={
                "https": HTTPS_PORT,
                "http": HTTP_PORT,
                "redis": REDIS_PORT,
                "replica": REPLICA_PORT,
                **{f"app-{number}": port for number, port in APP_PORTS.items()},
            },
        )

    def _spawn(self, name, command, log, env=None):
        """Starts a long-running part in a session of its own (its own process group, out of
        reach of the terminal's Ctrl-C) and records it."""
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [str(part) for part in command],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        record = {**record_of(process.pid), "log": str(log)}
        self._record(name, record)
        return record

    def _wait(self, ready, what, seconds=READY_SECONDS, alive=None):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            if alive is not None and not is_alive(alive):
                raise StackError(f"{what}: the process exited")
            time.sleep(0.1)
        raise StackError(f"{what} did not answer within {seconds} s")

    def _start_redis(self):
        if is_alive(self._process("redis")):
            return self._process("redis")["pid"]
        command = ["redis-server", "--port", REDIS_PORT, "--bind", LOOPBACK, "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no", "--dir", STATE_DIR]
        record = self._spawn("redis", command, STATE_DIR / "redis.log")
        self._wait(redis_answers, "Redis", alive=record)
        return record["pid"]

    def _allow_replication(self):
        """The primary lets the replica stream from it: the pg_hba.conf line, if none has it."""
        text = PRIMARY_HBA.read_text()
        present = any(line.split("#")[0].split() == HBA_LINE.split() for line in text.splitlines())
        if not present:
            # Appended in place, so that the file keeps its owner and mode.
            with PRIMARY_HBA.open("a") as out:
                out.write(("\n" if text and not text.endswith("\n") else "") + HBA_LINE)
                out.write(f"  {HBA_MARKER}\n")
            reload_primary()

        def replication_allowed():
            conninfo = f"host={LOOPBACK} port={PRIMARY_PORT} user=postgres replication=true"
            try:
                psycopg.connect(conninfo, connect_timeout=2).close()
            except psycopg.OperationalError:
                return False
            return True

        # The primary reads pg_hba.conf again after its reload signal, not at once.
        self._wait(replication_allowed, "a replication connection to the primary", seconds=10)

    def _manage(self, *arguments, log=MANAGE_LOG):
        run([sys.executable, "manage.py", *arguments], log=log, env=app_env())

    def _load_catalogue(self):
        self._manage("migrate", "--noinput")
        self._manage("reload_fixtures")

    def _collect_static(self):
        self._manage("collectstatic", "--noinput", log=STATE_DIR / "collectstatic.log")

    def _make_certificate(self):
        TLS_DIR.mkdir(exist_ok=True)
        if CERTIFICATE.exists() and CERTIFICATE_KEY.exists():
            return
        command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"]
        command += ["-subj", f"/CN={PUBLIC_HOST}"]
        command += ["-addext", f"subjectAltName=DNS:{PUBLIC_HOST},IP:{LOOPBACK}"]
        command += ["-keyout", CERTIFICATE_KEY, "-out", CERTIFICATE]
        run(command)
        os.chmod(CERTIFICATE_KEY, 0o600)

    def _start_nginx(self):
        NGINX_PREFIX.mkdir(exist_ok=True)
        values = {
            "listen_address": LOOPBACK,
            "https_port": HTTPS_PORT,
            "http_port": HTTP_PORT,
            "server_name": PUBLIC_HOST,
            "public_authority": PUBLIC_AUTHORITY,
            "tls_certificate": CERTIFICATE,
            "tls_certificate_key": CERTIFICATE_KEY,
            "app_server_1": f"{LOOPBACK}:{APP_PORTS[1]}",
            "app_server_2": f"{LOOPBACK}:{APP_PORTS[2]}",
            "admin_prefix": ADMIN_PREFIX,
            "run_dir": NGINX_PREFIX,
            "log_dir": STATE_DIR,
        }
        NGINX_CONF.write_text(render_nginx_conf(values))
        nginx = ["nginx", "-p", f"{NGINX_PREFIX}/", "-c", NGINX_CONF, "-g", "daemon off;"]
        run([*nginx, "-t", "-q"])
        record = self._spawn("nginx", nginx, STATE_DIR / "nginx.error.log")

        def listening():
            try:
                socket.create_connection((LOOPBACK, HTTPS_PORT), timeout=1).close()
            except OSError:
                return False
            return True

        self._wait(listening, "nginx", alive=record)

    def _make_replica(self):
        if REPLICA_DIR.exists():
            self.stop_replica()
            shutil.rmtree(REPLICA_DIR)
        for folder in (REPLICA_DIR, REPLICA_SOCKETS):
            folder.mkdir()
            owned_by_postgres(folder, 0o700)
        # A fast checkpoint (not a spread one, which can take minutes), and no fsync of a copy
        # that lives as long as the stack. pg_basebackup's slot is a temporary one: it goes
        # with the connection, so the primary keeps no WAL for a replica that is gone.
        basebackup = [POSTGRES_BIN / "pg_basebackup", "-h", LOOPBACK, "-p", PRIMARY_PORT]
        basebackup += ["-U", "postgres", "-D", REPLICA_DATA, "-R", "-X", "stream"]
        basebackup += ["--checkpoint=fast", "--no-sync"]
        run(basebackup, user="postgres")
        # Debian keeps a cluster's configuration in /etc/postgresql, out of the copy: the
        # replica gets files of its own.
        with psycopg.connect(primary_url("postgres"), autocommit=True) as primary:
            minimums = {
                name: primary.execute(f"SHOW {name}").fetchone()[0] for name in STANDBY_MINIMUMS
            }
        settings = [
            "# The stack's replica (bench/stack.py); its port, address and socket: pg_ctl -o.",
            "cluster_name = 'stack-replica'",
            # The primary keeps the rows that a reader's snapshot here still needs (a long
            # export), rather than the replica holding its replay back for them or cancelling
            # the reader's query.
            "hot_standby_feedback = on",
            *(f"{name} = {value}" for name, value in minimums.items()),
        ]
        files = {
            "postgresql.conf": "\n".join(settings) + "\n",
            "pg_hba.conf": f"local all all trust\nhost all all {LOOPBACK}/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            (REPLICA_DATA / name).write_text(text)
            owned_by_postgres(REPLICA_DATA / name, 0o600)

    def _start_replica(self):
        if replica_running() and self._replica_answers():
            return self._replica_pid()
        options = f"-p {REPLICA_PORT} -c listen_addresses={LOOPBACK}"
        options += f" -c unix_socket_directories={REPLICA_SOCKETS} -c hot_standby=on"
        pg_ctl = [POSTGRES_BIN / "pg_ctl", "-D", REPLICA_DATA, "-o", options, "-l", REPLICA_LOG]
        try:
            run([*pg_ctl, "start", "-w", "-t", READY_SECONDS], user="postgres")
        except StackError as error:
            raise StackError(f"{error}\n{tail(REPLICA_LOG)}") from None
        self._record("replica", {**record_of(self._replica_pid()), "log": str(REPLICA_LOG)})
        return self._replica_pid()

    def _replica_pid(self):
        try:
            return int((REPLICA_DATA / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def _replica_answers(self):
        try:
            return self._on_replica("SELECT pg_is_in_recovery()")
        except psycopg.Error:
            return False

    def _check_replica(self):
        """The replica is a hot standby and holds the catalogue the primary just loaded; the
        number of agreements."""
        if not self._on_replica("SELECT pg_is_in_recovery()"):
            raise StackError("The replica is not in recovery: it is no replica.")
        count = "SELECT count(*) FROM cooperation_agreement"
        with psycopg.connect(primary_url(), autocommit=True) as primary:
            expected = primary.execute(count).fetchone()[0]

        def caught_up():
            try:
                return self._on_replica(count) == expected
            except psycopg.Error:  # the table's creation not replayed yet
                return False

        self._wait(caught_up, f"the replica's {expected} agreements")
        return expected

    def _spawn_app(self, number):
        log = STATE_DIR / f"app-{number}.log"
        command = [GUNICORN, "config.wsgi"]
        command += ["--workers", "2", "--worker-class", "sync"]
        command += ["--bind", f"{LOOPBACK}:{APP_PORTS[number]}", "--no-control-socket"]
        command += ["--access-logfile", STATE_DIR / f"app-{number}.access.log"]
        command += ["--error-logfile", log, "--timeout", "30", "--graceful-timeout", "5"]
        return self._spawn(f"app-{number}", command, log, env=app_env())

    def _wait_app(self, number):
        def healthy():
            return probe_status(APP_PORTS[number], "/healthz", {"Host": PUBLIC_HOST}) == 200

        record = self._process(f"app-{number}")
        try:
            self._wait(healthy, f"app server {number}'s /healthz", alive=record)
        except StackError as error:
            raise StackError(f"{error}:\n{tail(record['log'])}") from None

    def _start_app(self, number):
        if number not in APP_PORTS:
            raise StackError(f"There is no app server {number}: {sorted(APP_PORTS)}.")
        if not self.app_pids(number):
            self._spawn_app(number)
            self._wait_app(number)
        return self.app_pids(number)

    # Stopping: from the keeper, or from any process when the keeper is gone.

    def _stop(self):
        return self._tear_down()

    def _tear_down(self, keep_logs=False):
        """Ends every part and removes what the stack added (idempotent, and whatever state a
        failed start left); what was done, in a few words each."""
        done = []
        processes = self.state.get("processes", {})
        keeper = processes.get("keeper")
        if keeper and not self.in_keeper:
            # The keeper's own process group holds it and the commands it was running (a
            # migrate, a pg_basebackup: the parts it starts have sessions of their own); ended
            # first, so that nothing starts again meanwhile.
            # Only processes of this checkout's (its Python, its var/stack/): after a reboot the
            # group's number may belong to anything.
            group = group_members(keeper["pid"], str(ROOT))
            if group:
                end_processes(group, polite=signal.SIGKILL)
                done.append(f"keeper ended (pids {' '.join(map(str, group))})")
        nginx = processes.get("nginx")
        nginx_pid = nginx_pid_file()
        if nginx_pid and not is_alive(nginx) and "nginx" in command_line(nginx_pid):
            nginx = record_of(nginx_pid)  # a stack.json older than its nginx
        # nginx first, so that no request reaches an app server on its way out.
        if is_alive(nginx):
            end_processes([nginx["pid"]], polite=signal.SIGQUIT)
            done.append(f"nginx stopped (pid {nginx['pid']})")
        for number in APP_PORTS:
            pids = self.app_pids(number)
            if pids:
                # SIGTERM to the master, which stops its workers; SIGKILL to any that outlast it.
                end_processes(pids[:1], seconds=STOP_SECONDS)
                group = self._process(f"app-{number}")["pid"]
                end_processes(group_members(group, GUNICORN), polite=signal.SIGKILL)
                done.append(f"app server {number} stopped (pids {' '.join(map(str, pids))})")
        redis = processes.get("redis")
        if is_alive(redis):
            end_processes([redis["pid"]])
            done.append(f"Redis stopped (pid {redis['pid']})")
        if replica_running():
            replica_pid = self._replica_pid()
            try:
                self.stop_replica()
                done.append(f"replica stopped (pid {replica_pid})")
            except StackError as error:
                done.append(f"replica: {error}")
        # The pg_hba.conf line first: removing it needs no database, which may be down.
        for step in (disallow_replication, drop_database):
            try:
                done += step()
            except (OSError, psycopg.Error) as error:
                done.append(f"{step.__name__.replace('_', ' ')}: failed ({error})")
        if keep_logs:
            shutil.rmtree(REPLICA_DIR, ignore_errors=True)
            STATE_FILE.unlink(missing_ok=True)
        elif STATE_DIR.exists():
            shutil.rmtree(STATE_DIR)
            done.append(f"{STATE_DIR.relative_to(ROOT)}/ removed")
        return done

    # What runs.

    def status(self):
        """One row per part: (part, address, pids, how it answers)."""
        processes = self.state.get("processes", {})
        rows = []
        keeper = processes.get("keeper")
        rows.append(("keeper", str(KEEPER_SOCKET.relative_to(ROOT)), pids_of(keeper), up(keeper)))
        nginx = processes.get("nginx")
        nginx_pids = [nginx["pid"], *children_of(nginx["pid"])] if is_alive(nginx) else []
        public = public_status("/healthz") if is_alive(nginx) else None
        rows.append(
            (
                "nginx",
                f"{self.public_url}, http://{PUBLIC_HOST}:{HTTP_PORT} → 301",
                " ".join(map(str, nginx_pids)) or "-",
                f"/healthz {public}" if public else "down",
            )
        )
        for number, port in APP_PORTS.items():
            pids = self.app_pids(number)
            answer = probe_status(port, "/healthz", {"Host": PUBLIC_HOST}) if pids else None
            rows.append(
                (
                    f"app {number}",
                    f"http://{LOOPBACK}:{port}",
                    " ".join(map(str, pids)) or "-",
                    f"/healthz {answer}" if answer else "down",
                )
            )
        redis = processes.get("redis")
        rows.append(
            (
                "redis",
                f"redis://{LOOPBACK}:{REDIS_PORT}/{REDIS_DATABASE}",
                pids_of(redis),
                "PONG" if is_alive(redis) and redis_answers() else "down",
            )
        )
        rows.append(("primary", primary_url(), "-", self._primary_answer()))
        replica_pid = str(self._replica_pid() or "-")
        rows.append(("replica", replica_url(), replica_pid, self._replica_answer()))
        return rows

    def _primary_answer(self):
        try:
            with psycopg.connect(primary_url(), autocommit=True, connect_timeout=2) as primary:
                count = primary.execute("SELECT count(*) FROM cooperation_agreement").fetchone()
            return f"{count[0]} agreements"
        except psycopg.Error:
            return "no database"

    def _replica_answer(self):
        try:
            if not self._on_replica("SELECT pg_is_in_recovery()"):
                return "not in recovery!"
            paused = self._on_replica("SELECT pg_get_wal_replay_pause_state()")
            lag = self.replica_lag_bytes()
        except psycopg.Error:
            return "down"
        return f"standby, replay {'paused' if paused != 'not paused' else 'on'}, {lag} B behind"


def replica_running():
    if not (REPLICA_DATA / "postmaster.pid").exists():
        return False
    pg_ctl = ["runuser", "-u", "postgres", "--", POSTGRES_BIN / "pg_ctl", "-D", REPLICA_DATA]
    return subprocess.run([*pg_ctl, "status"], capture_output=True).returncode == 0


def reap_children(seconds):
    """Waits for the keeper's last children to exit (the replica's postmaster outlives the
    removal of its pid file by a moment), so that none is left a zombie."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.05)
        except ChildProcessError:
            return


def pids_of(record):
    return str(record["pid"]) if is_alive(record) else "-"


def up(record):
    return "running" if is_alive(record) else "down"


def nginx_pid_file():
    try:
        return int((NGINX_PREFIX / "nginx.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def reload_primary():
    with psycopg.connect(primary_url("postgres"), autocommit=True) as primary:
        primary.execute("SELECT pg_reload_conf()")
        errors = primary.execute(
            "SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL"
        ).fetchall()
    if errors:
        raise StackError(f"{PRIMARY_HBA} has errors: {errors}")


def disallow_replication():
    """The lines the stack added to the primary's pg_hba.conf removed, and the primary told."""
    lines = PRIMARY_HBA.read_text().splitlines(keepends=True)
    kept = [line for line in lines if HBA_MARKER not in line]
    if len(kept) == len(lines):
        return []
    with PRIMARY_HBA.open("r+") as out:  # in place: the file keeps its owner and mode
        out.write("".join(kept))
        out.truncate()
    reload_primary()
    return [f"replication line removed from {PRIMARY_HBA}"]


def drop_database():
    with psycopg.connect(primary_url("postgres"), autocommit=True) as primary:
        exists = primary.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        if exists.fetchone() is None:
            return []
        primary.execute(f"DROP DATABASE {DATABASE} WITH (FORCE)")
    return [f"database {DATABASE} dropped"]


def print_table(rows, header=("part", "address", "pids", "state")):
    rows = [header, *rows]
    widths = [max(len(str(row[column])) for row in rows) for column in range(len(header))]
    for row in rows:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


# The keeper: the parent of every long-running part, for as long as the stack runs.


def keep(report_descriptor):
    """Starts the stack, reports to the `start` that launched it, then serves the calls that
    start parts again and collects every part that exits, until `stop`."""
    # Orphans of the parts (the replica's postmaster, left by pg_ctl; gunicorn workers whose
    # master was killed) come here instead of to init, which collects no one here.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # Its name in ps, and as the one zombie a stack leaves where init collects no one.
    libc.prctl(PR_SET_NAME, b"stack-keeper", 0, 0, 0)
    stack = Stack(in_keeper=True)
    stack._record("keeper", {**record_of(os.getpid()), "log": str(KEEPER_LOG)})
    report_file = os.fdopen(report_descriptor, "w", buffering=1)

    def report(message=None, **fields):
        print(message or json.dumps(fields), flush=True)  # into keeper.log
        # If the `start` that waits for this was interrupted, the stack starts regardless.
        with contextlib.suppress(OSError):
            report_file.write(json.dumps({"progress": message} if message else fields) + "\n")

    try:
        summary = stack._bring_up(report)
    except Exception as error:
        traceback.print_exc()
        report(failed=str(error))
        stack._tear_down(keep_logs=True)
        reap_children(5)
        return 1
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    KEEPER_SOCKET.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(KEEPER_SOCKET))
    os.chmod(KEEPER_SOCKET, 0o600)
    server.listen()
    server.settimeout(0.2)
    report(ready=summary)
    report_file.close()
    while not stopping:
        reap()
        try:
            connection, _ = server.accept()
        except TimeoutError:
            continue
        with connection:
            connection.settimeout(5)
            request = json.loads(connection.makefile().readline() or "{}")
            call = request.get("call")
            try:
                if call not in ("start_app", "start_redis", "start_replica", "stop", "ping"):
                    raise StackError(f"the keeper makes no call {call!r}")
                result = "pong" if call == "ping" else stack._ask(call, *request.get("args", []))
                answer = {"ok": True, "result": result}
            except Exception as error:
                traceback.print_exc()
                answer = {"ok": False, "error": str(error)}
            print(f"{call}: {answer}", flush=True)
            connection.sendall(json.dumps(answer).encode() + b"\n")
            if call == "stop" and answer["ok"]:
                break
    else:
        stack._tear_down()
    reap_children(5)
    return 0


# The commands.


def require_root():
    if os.geteuid() != 0:
        raise SystemExit("bench/stack.py runs as root (runuser, pg_hba.conf, nginx's ports).")


def leftovers():
    """What a stack that is not running left behind."""
    found = []
    if STATE_DIR.exists():
        found.append(f"{STATE_DIR.relative_to(ROOT)}/")
    if HBA_MARKER in PRIMARY_HBA.read_text():
        found.append("a replication line in pg_hba.conf")
    return found


def start():
    """Starts the stack (unless one runs) and prints what runs where; the exit status."""
    require_root()
    stack = Stack()
    if stack.keeper_alive():
        print("A stack is running already (make stack-stop stops it):")
        print_table(stack.status())
        return 0
    if found := leftovers():
        print(f"Clearing what an earlier stack left ({', '.join(found)}):")
        for line in stack._tear_down():
            print(f"  {line}")
    for port in (HTTPS_PORT, HTTP_PORT, *APP_PORTS.values(), REDIS_PORT, REPLICA_PORT):
        if not port_is_free(port):
            print(f"Port {port} on {LOOPBACK} is taken by something else than a stack.")
            return 1
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    begun = time.monotonic()
    read_end, write_end = os.pipe()
    with open(KEEPER_LOG, "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "bench.stack", "keep", "--report-fd", str(write_end)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_end,),
            start_new_session=True,
        )
    os.close(write_end)
    outcome = None
    with os.fdopen(read_end) as reports:
        for line in reports:
            message = json.loads(line)
            if "progress" in message:
                print(f"[{time.monotonic() - begun:5.1f} s] {message['progress']}", flush=True)
            else:
                outcome = message
    reap()
    if not outcome or "failed" in outcome:
        if outcome:
            print(f"The stack did not start, and was stopped: {outcome['failed']}")
        else:
            print(f"The stack's keeper died while starting it:\n{tail(KEEPER_LOG)}")
        print(f"Logs in {STATE_DIR.relative_to(ROOT)}/: `make stack-stop` removes what is left.")
        return 1
    seconds = time.monotonic() - begun
    print_table(stack.status())
    print(
        f"Started in {seconds:.1f} s; {outcome['ready']['agreements']} "
        f"agreements. Clients trust {CERTIFICATE.relative_to(ROOT)}. "
        f"State: {STATE_FILE.relative_to(ROOT)}. Stop: make stack-stop."
    )
    return 0


def stop():
    """Stops the stack and removes what it made, whatever is left of it; the exit status."""
    require_root()
    stack = Stack()
    done = []
    if stack.keeper_alive():
        try:
            done += stack._ask("stop")
        except StackError as error:
            print(f"The keeper did not stop the stack ({error}); stopping what is left.")
    done += stack._tear_down()
    for line in done or ["No stack was running, and none left anything behind."]:
        print(line)
    return 0


def status():
    if not STATE_FILE.exists():
        found = leftovers()
        print("No stack runs" + (f" (left behind: {', '.join(found)})." if found else "."))
        return 1
    rows = Stack().status()
    print_table(rows)
    return 0 if all(row[3] not in ("down", "no database") for row in rows) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="start the stack (make stack)")
    commands.add_parser("stop", help="stop it and remove what it made (make stack-stop)")
    commands.add_parser("status", help="what runs, and how it answers")
    keeper = commands.add_parser("keep", help=argparse.SUPPRESS)
    keeper.add_argument("--report-fd", type=int, required=True)
    arguments = parser.parse_args()
    if arguments.command == "keep":
        return keep(arguments.report_fd)
    return {"start": start, "stop": stop, "status": status}[arguments.command]()


if __name__ == "__main__":
    sys.exit(main())
