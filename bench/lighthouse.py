"""Lighthouse's accessibility audit of the pages readers meet most, at phone and desktop size.

Loads the curated fixtures into a SQLite file of its own, serves the site with gunicorn on
loopback, and runs Lighthouse (npm, in node_modules/; Debian's Chromium) on each page in each
form factor. Prints each score and every audit that is not passed; exits non-zero unless every
score is 100.

    python bench/lighthouse.py            # every page, phone and desktop (make lighthouse)
    python bench/lighthouse.py --smoke    # three pages on a phone: what CI runs
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Gunicorn, curated_sqlite

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
PAGES = [
    "/en/",
    "/fr/",
    "/en/agreements/?country=VN",
    "/en/agreements/?all=country",
    "/en/agreements/cnes-usth-mou-2015/",
    "/en/countries/VN/",
    "/fr/agencies/cnes/",
    "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/",
    "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/?for=agreement.cnes-usth-mou-2015",
    "/en/data/",
]
SMOKE = [
    "/en/",
    "/en/agreements/?country=VN",
    "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/",
]


def audit(url, form_factor, folder):
    """(score, [audits not passed]) of one page."""
    output = folder / "report.json"
    command = [
        str(LIGHTHOUSE), url,
        "--only-categories=accessibility",
        "--output=json", f"--output-path={output}",
        "--quiet", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, env=env, check=True, timeout=180, capture_output=True)
    report = json.loads(output.read_text())
    failed = [
        f"{name}: {result['title']}"
        for name, result in report["audits"].items()
        if result.get("score") is not None
        and result["score"] < 1
        and result.get("scoreDisplayMode") not in ("notApplicable", "manual", "informative")
    ]
    return report["categories"]["accessibility"]["score"], failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="three pages, phone size only")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(f"no Lighthouse at {LIGHTHOUSE}: make browser-deps", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="cooperation-lighthouse-report-"))
    env = curated_sqlite("cooperation-lighthouse-")
    pages, forms = (SMOKE, ["mobile"]) if args.smoke else (PAGES, ["mobile", "desktop"])
    started, below = time.monotonic(), 0
    options = {"--workers": 2, "--log-level": "warning", "--timeout": 60}
    with Gunicorn("config.wsgi:application", options, env, "/en/") as server:
        for path in pages:
            for form in forms:
                score, failed = audit(server.url(path), form, folder)
                below += score < 1
                print(f"{round(score * 100):>4}  {form:<8} {path}")
                for line in failed:
                    print(f"        {line}")
    seconds = time.monotonic() - started
    print(f"{len(pages) * len(forms)} audits in {seconds:.0f} s; {below} below 100")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
