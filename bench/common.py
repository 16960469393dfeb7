"""What the benchmark and the soak test share: gunicorn on loopback, an HTTP client, PostgreSQL,
a SQLite file of the curated catalogue."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"
START_SECONDS = 30  # how long gunicorn may take to answer its first request

# Reused keep-alive connections that the server closed meanwhile fail in one of these ways,
# before any byte of a response: the request is asked again on a new connection.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(server, name, force=False):
    """An empty database `name` on the PostgreSQL server at the URL `server`; with `force`, the
    connections still open to the old one are closed first."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}{' WITH (FORCE)' if force else ''}")
        connection.execute(f"CREATE DATABASE {name}")


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


class Client:
    """One keep-alive connection to the server on loopback, opened again whenever it is closed."""

    def __init__(self, port, timeout, headers=None):
        self.port, self.timeout, self.headers = port, timeout, headers or {}
        self.connection = None

    def get(self, path):
        """(status, body, whether it was asked again on a new connection)."""
        reused = self.connection is not None
        try:
            return (*self._get(path), False)
        except STALE_CONNECTION:
            if not reused:
                raise
        return (*self._get(path), True)

    def open(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def _get(self, path):
        if self.connection is None:
            self.connection = self.open()
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            body = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, body

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def status_of(client, path):
    """The status the client gets for `path`, or None when no response came."""
    try:
        return client.get(path)[0]
    except (OSError, http.client.HTTPException):
        return None


def probe_status(port, path, headers=None):
    client = Client(port, timeout=2, headers=headers)
    try:
        return status_of(client, path)
    finally:
        client.close()


class GunicornDidNotStart(RuntimeError):
    """gunicorn exited, or did not answer its ready address with a 200 in time."""


class Gunicorn:
    """gunicorn on loopback for the duration of a `with` block, ready once `ready_path` answers
    200; its output goes to `log_path` if given, else to this process's."""

    def __init__(self, application, options, env, ready_path, log_path=None, headers=None):
        self.application, self.options, self.env = application, options, env
        self.ready_path, self.log_path, self.headers = ready_path, log_path, headers
        self.port = free_port()

    def __enter__(self):
        self.log = open(self.log_path, "wb") if self.log_path else None
        options = {**self.options, "--bind": f"127.0.0.1:{self.port}"}
        command = [sys.executable, "-m", "gunicorn", self.application]
        command += [str(part) for option in options.items() for part in option]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT if self.log else None,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            if probe_status(self.port, self.ready_path, self.headers) == 200:
                return self
            time.sleep(0.2)
        self.__exit__()
        log = f":\n{self.log_path.read_text(errors='replace')}" if self.log_path else ""
        raise GunicornDidNotStart(f"gunicorn did not start{log}")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log:
            self.log.close()

    def log_position(self):
        self.log.flush()
        return self.log_path.stat().st_size

    def log_since(self, position):
        with open(self.log_path, "rb") as log:
            log.seek(position)
            return log.read().decode("utf-8", "replace")


def curated_sqlite(prefix, **extra):
    """The environment of a site on a new SQLite file holding the curated fixtures (migrated
    and loaded here): DEBUG on, plus `extra` variables."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    env.update(extra)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (("migrate", "--noinput"), ("reload_fixtures",)):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    return env
