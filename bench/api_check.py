"""The API tested by a client nobody here wrote: schemathesis, against the running site.

Loads the curated fixtures into a SQLite file of its own, serves the site with gunicorn on
loopback, and runs `schemathesis run` on /api/v1/schema/ with every check (server errors,
status codes, content types, headers and bodies against the schema, negative data refused,
valid data accepted, undeclared methods) in every phase (the schema's examples, its coverage,
fuzzing, and stateful walks along the schema's links). Exits non-zero on any failure.

    python bench/api_check.py                    # 100 examples per operation (make api-check)
    python bench/api_check.py --max-examples 15  # the smoke size CI runs
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Gunicorn, curated_sqlite


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1, help="the same cases run after run")
    args = parser.parse_args()

    started = time.monotonic()
    # The client makes thousands of requests: no throttle.
    env = curated_sqlite("cooperation-api-check-", API_THROTTLE="1000000/min")
    options = {"--workers": 2, "--log-level": "warning", "--timeout": 60}
    with Gunicorn("config.wsgi:application", options, env, "/api/v1/") as server:
        seconds = time.monotonic() - started
        print(f"Site on {server.url('/')} with the curated fixtures ({seconds:.0f} s)")
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file", str(ROOT / "bench" / "schemathesis.toml"),
            "run",
            server.url("/api/v1/schema/"),
            "--checks", "all",
            "--max-examples", str(args.max_examples),
            "--seed", str(args.seed),
            "--workers", "2",
            "--suppress-health-check", "too_slow",
        ]  # fmt: skip
        print(" ".join(command[1:]))
        result = subprocess.run(command, cwd=ROOT)
    seconds = time.monotonic() - started
    print(f"schemathesis finished in {seconds:.0f} s, exit status {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
