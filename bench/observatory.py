"""The MDN HTTP Observatory's grade of the local production stack, over its real TLS, and by
hand what its scanner does not look at.

    python bench/observatory.py

It uses the running stack (`make stack`), or starts one and stops it at the end. The scanner
(npm @mdn/mdn-http-observatory, `make observatory-deps`) scans https://localhost on the standard
ports, as it scans any site, trusting the stack's certificate: grade A+ or the script fails.
Its scan starts from the home page, which sets no cookie; so the pages that do (the report
form, the admin's login) are checked by hand against the scanner's cookie rule (Secure,
HttpOnly for the session and CSRF cookies, SameSite), and so are a static file, the 404 page
and the redirect from plain HTTP (the same host first, then HTTPS), for every security header;
and the proxy's own refusals: a forged Host (421 over TLS, no answer over HTTP) and a body
larger than any public page takes (413, before the app sees it).
"""

import http.client
import json
import os
import re
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import stack as stack_module  # noqa: E402

SCANNER = ROOT / "var/observatory/node_modules/@mdn/mdn-http-observatory/src/scan.js"
HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
)


def scan():
    """The scanner's JSON answer for localhost. Run without its wrapper, which would replace
    NODE_EXTRA_CA_CERTS with Mozilla's bundle: the stack's certificate is the one to trust."""
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(stack_module.CERTIFICATE)}
    done = subprocess.run(
        ["node", str(SCANNER), stack_module.PUBLIC_HOST],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    try:
        return json.loads(done.stdout)
    except ValueError:
        return {"error": (done.stdout + done.stderr).strip() or f"exit status {done.returncode}"}


def plain_http(path, host=stack_module.PUBLIC_HOST):
    """(status, headers) of a GET on the stack's plain HTTP port."""
    port = stack_module.HTTP_PORT
    connection = http.client.HTTPConnection(stack_module.LOOPBACK, port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def static_file():
    """The address of the stylesheet the home page links to."""
    _, _, body = stack_module.public_request("GET", "/en/")
    found = re.search(rb'href="(/static/[^"]+\.css)"', body)
    return found.group(1).decode() if found else None


def main():
    if not SCANNER.exists():
        print(f"The scanner is not installed ({SCANNER.relative_to(ROOT)}): make observatory-deps")
        return 1
    stack = stack_module.Stack()
    started_here = not stack.keeper_alive()
    if started_here:
        print("== No stack runs: starting one (make stack)")
        if stack_module.start():
            return 1
    try:
        failures = check()
    finally:
        if started_here:
            print("\n== Stopping the stack this run started")
            stack_module.stop()
    print("\nPASS" if not failures else "\nFAIL:\n" + "\n".join(f"  - {f}" for f in failures))
    return 1 if failures else 0


def check():
    failures = []
    print(f"== The MDN HTTP Observatory's scan of https://{stack_module.PUBLIC_AUTHORITY}/")
    result = scan()
    if "scan" not in result:
        return [f"the scanner did not scan: {result.get('error')}"]
    summary = result["scan"]
    print(
        f"  grade {summary['grade']}, score {summary['score']}, "
        f"{summary['testsPassed']}/{summary['testsQuantity']} tests passed"
    )
    for name, test in result["tests"].items():
        modifier = test.get("scoreModifier", 0)
        print(f"  {'pass' if test['pass'] else 'FAIL'} {name:<32} {test['result']} ({modifier:+d})")
    if summary["grade"] != "A+":
        failures.append(f"grade {summary['grade']} ({summary['score']}), not A+")

    print("\n== By hand: cookies (Secure, HttpOnly, SameSite) where pages set them")
    report_form = "/en/report/?record=country.FR"
    admin_login = "/admin/login/"
    for path in (report_form, admin_login):
        status, headers, _ = stack_module.public_request("GET", path)
        cookies = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        if not cookies:
            failures.append(f"{path} ({status}) set no cookie: nothing checked")
        for name, morsel in cookies.items():
            flags = {"Secure": morsel["secure"], "HttpOnly": morsel["httponly"],
                     "SameSite": morsel["samesite"]}  # fmt: skip
            print(f"  {path}: {name}: {', '.join(f'{k}={v or False}' for k, v in flags.items())}")
            missing = [flag for flag, value in flags.items() if not value]
            if missing:
                failures.append(f"{path}: cookie {name} without {', '.join(missing)}")

    print("\n== By hand: every security header on a static file, the 404 page and /healthz")
    for path in (static_file() or "/static/missing.css", "/en/no-such-page/", "/healthz"):
        status, headers, _ = stack_module.public_request("GET", path)
        missing = [name for name in HEADERS if name not in headers]
        hsts = headers.get_all("Strict-Transport-Security") or []
        print(f"  {status} {path}: missing {missing or 'none'}; HSTS sent {len(hsts)} time(s)")
        if missing:
            failures.append(f"{path}: no {', '.join(missing)}")
        if len(hsts) != 1:
            failures.append(f"{path}: Strict-Transport-Security sent {len(hsts)} times")

    print("\n== By hand: plain HTTP goes to HTTPS on the same host first, without HSTS")
    status, headers = plain_http("/en/agreements/?country=FR")
    location = headers.get("Location", "")
    expected = f"https://{stack_module.PUBLIC_AUTHORITY}/en/agreements/?country=FR"
    hsts = "Strict-Transport-Security" in headers
    print(f"  {status} → {location}; HSTS over plain HTTP: {hsts}")
    if status != 301 or location != expected:
        failures.append(f"plain HTTP answered {status} → {location!r}, not 301 → {expected}")
    if hsts:
        failures.append("Strict-Transport-Security sent over plain HTTP")

    print("\n== By hand: the proxy's own refusals (a forged Host, a body no page takes)")
    status, _, _ = stack_module.public_request("GET", "/en/", headers={"Host": "evil:1337"})
    print(f"  Host: evil:1337 over TLS: {status}")
    if status != 421:
        failures.append(f"a forged Host over TLS answered {status}, not 421 Misdirected Request")
    try:
        answer = plain_http("/en/", host="evil:1337")[0]
    except (OSError, http.client.HTTPException) as error:
        answer = f"closed without an answer ({type(error).__name__})"
    print(f"  Host: evil:1337 over plain HTTP: {answer}")
    if not str(answer).startswith("closed"):
        failures.append(f"a forged Host over plain HTTP was answered ({answer})")
    body = b"x" * (1024 * 1024)
    status, _, _ = stack_module.public_request("POST", "/en/", body=body)
    print(f"  a 1 MB POST to a public page: {status}")
    if status != 413:
        failures.append(f"a 1 MB POST to /en/ answered {status}, not the proxy's 413")
    return failures


if __name__ == "__main__":
    sys.exit(main())
