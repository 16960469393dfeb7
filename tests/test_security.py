"""Security: production settings pass Django's deploy checks, every page carries the security
headers and needs no inline script or style, the admin lives where the environment says, and
repeated failed logins are locked out until they expire or an administrator unlocks them."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import run_django

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "atlas.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
}


def manage(*args, **env):
    """Run manage.py in a fresh process with only these environment variables."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], **env},
        cwd=settings.BASE_DIR,
    )


@pytest.mark.subprocess
def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.subprocess
def test_the_deploy_checks_fail_when_production_turns_a_protection_off():
    weakened = {**PRODUCTION, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "3600"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **weakened)
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # no HTTPS redirect
    assert "security.W004" not in result.stderr  # HSTS is on, if short


@pytest.mark.subprocess
def test_the_admin_lives_at_the_address_the_environment_gives():
    show = "from django.urls import reverse; print(reverse('admin:index'))"
    result = run_django(show, **PRODUCTION, ADMIN_URL="desk-7f3/")
    assert result.stdout.strip() == "/desk-7f3/", result.stderr


CSP = {
    "default-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def assert_security_headers(response):
    assert set(response["Content-Security-Policy"].split("; ")) == CSP
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"].startswith("accelerometer=(), camera=(), geolocation=()")
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/en/agreements/?country=VN&theme=climate&year_from=2015",
        "/en/agreements/no-such-agreement/",
    ],
)
def test_public_pages_carry_every_security_header(client, loaded, url):
    response = client.get(url, secure=True)
    assert response.status_code in (200, 404)
    assert_security_headers(response)


@pytest.mark.django_db
def test_admin_pages_carry_every_security_header(client, admin_client):
    assert_security_headers(client.get(reverse("admin:login"), secure=True))
    assert_security_headers(admin_client.get(reverse("admin:index"), secure=True))


def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/en/agreements/?country=VN")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/en/agreements/?country=VN"


@pytest.mark.django_db
def test_behind_a_proxy_its_https_header_is_trusted(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/en/about/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.django_db
def test_the_health_check_answers_a_balancer_asking_by_address_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", headers={"host": "10.0.0.5"})
    assert response.status_code == 200
    assert response.content.splitlines()[0] == b"ok"


def test_cookies_are_secure_and_hidden_from_scripts_in_production():
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block: inline scripts, styles and
    event handlers, and javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style":
            self.found.append("<style> element")
        # A data block (JSON, JSON-LD) is not run, and no policy blocks it.
        data = attrs.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and "src" not in attrs and not data:
            self.in_script = True
            self.found.append(f"inline <script {attrs}>")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_inline_code_detector_finds_what_the_policy_would_block():
    html = (
        '<p style="color:red">x</p><style>p{}</style><script>alert(1)</script>'
        '<a href="javascript:go()" onclick="go()">y</a>'
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
    )
    assert len(inline_code(html)) == 5


PUBLIC_PAGES = [
    "/en/",
    "/en/about/",
    "/en/agreements/",
    "/en/agreements/?country=VN&theme=climate&sort=oldest",
    "/en/agreements/?country=ZZ&year=abc",
    "/en/agreements/?q=nothing-matches-this",
    "/en/agreements/cnes-cnsa-sco-implementing-agreement-2018/",
    "/en/countries/",
    "/en/countries/VN/",
    "/en/agencies/",
    "/en/agencies/cnes/",
    "/en/people/",
    "/en/people/chau-van-minh/",
    "/en/events/cfosat-launch-2018/",
    "/en/missions/",
    "/en/missions/cfosat/",
    "/en/events/",
    "/en/themes/",
    "/en/themes/climate/",
    "/en/sources/",
    "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/",
    "/no-such-page/",
]


@pytest.mark.django_db
def test_no_public_page_has_inline_script_or_style(client, loaded):
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == (404 if "no-such" in url else 200), url
        assert inline_code(response.content.decode()) == [], url


@pytest.mark.django_db
def test_no_admin_page_has_inline_script_or_style(admin_client, loaded):
    from cooperation.models import Agreement, Person

    agreement = Agreement.objects.first()
    person = Person.objects.first()
    urls = [
        reverse("admin:index"),
        reverse("admin:cooperation_agreement_changelist"),
        reverse("admin:cooperation_agreement_changelist") + "?q=climate",
        reverse("admin:cooperation_agreement_change", args=[agreement.pk]),
        reverse("admin:cooperation_agreement_add"),
        reverse("admin:cooperation_person_change", args=[person.pk]),
        reverse("admin:cooperation_source_changelist"),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


# Curator logins


def log_in(client, password, username="camille"):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def test_failed_logins_lock_the_account_out_until_an_administrator_unlocks_it(
    client, curator_account
):
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(4):
        response = log_in(client, f"wrong-guess-{attempt}")
        assert response.status_code == 200  # the login form again, with its error
        assert "correct username and password" in response.content.decode()

    locked = log_in(client, "wrong-guess-5")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "Cooperation Atlas" in page

    # Locked: even the right password is refused.
    assert log_in(client, "a-long-curator-passphrase").status_code == 429

    output = StringIO()
    call_command("axes_reset_username", "camille", stdout=output)
    assert log_in(client, "a-long-curator-passphrase").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_lock_on_one_account_leaves_the_others_alone(client, curator_account):
    get_user_model().objects.create_user(
        "dominique", password="another-long-passphrase", is_staff=True
    )
    for attempt in range(5):
        log_in(client, f"wrong-guess-{attempt}")
    assert log_in(client, "a-long-curator-passphrase").status_code == 429
    assert log_in(client, "another-long-passphrase", username="dominique").status_code == 302


def test_a_successful_login_forgives_earlier_failures(client, curator_account):
    for attempt in range(4):
        log_in(client, f"wrong-guess-{attempt}")
    assert log_in(client, "a-long-curator-passphrase").status_code == 302
    client.logout()
    for attempt in range(4):
        log_in(client, f"wrong-again-{attempt}")
    assert log_in(client, "a-long-curator-passphrase").status_code == 302


def test_behind_a_proxy_logins_are_throttled_by_the_address_the_proxy_saw(
    client, curator_account, settings
):
    settings.BEHIND_HTTPS_PROXY = True

    def log_in_from(address, password, forged=""):
        forwarded = f"{forged}, {address}" if forged else address
        return client.post(
            reverse("admin:login"),
            {"username": "camille", "password": password},
            headers={"x-forwarded-for": forwarded},
        )

    for attempt in range(5):
        # A client cannot escape the count by adding addresses of its own.
        log_in_from("203.0.113.7", f"wrong-guess-{attempt}", forged=f"10.0.0.{attempt}")
    assert log_in_from("203.0.113.7", "a-long-curator-passphrase").status_code == 429
    assert log_in_from("198.51.100.2", "a-long-curator-passphrase").status_code == 302


def test_weak_passwords_are_refused_and_no_account_exists_by_default(db, monkeypatch):
    assert not get_user_model().objects.exists()
    monkeypatch.setenv("CURATOR_PASSWORD", "password")
    with pytest.raises(Exception, match=r"too common|too short"):
        call_command("createcurator", "camille", "--no-input", stdout=StringIO())
    assert not get_user_model().objects.exists()


@pytest.mark.subprocess
def test_behind_a_proxy_is_opt_in_from_the_environment():
    show = (
        "from django.conf import settings as s; "
        "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None)); "
        "print(s.BEHIND_HTTPS_PROXY)"
    )

    def start(**env):
        return run_django(show, **{**PRODUCTION, **env}).stdout.splitlines()

    assert start() == ["None", "False"]
    assert start(BEHIND_HTTPS_PROXY="true") == ["('HTTP_X_FORWARDED_PROTO', 'https')", "True"]


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
)


def assert_secured(response):
    missing = [name for name in SECURITY_HEADERS if name not in response]
    assert not missing, f"{response.status_code} lacks {missing}"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.collected_static
@pytest.mark.django_db
def test_static_files_carry_the_security_headers_and_the_manifest_is_not_served(
    client, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    call_command("collectstatic", interactive=False, verbosity=0)
    page = client.get(reverse("cooperation:home")).content.decode()
    import re

    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert_secured(response)
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
    manifest = client.get("/static/staticfiles.json")
    assert manifest.status_code == 404
    assert_secured(manifest)


@pytest.mark.django_db
def test_the_health_check_and_the_redirect_to_https_carry_the_security_headers(client, settings):
    assert_secured(client.get("/healthz"))
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True  # read when the middleware is made: a new client
    redirect = Client().get("/en/about/")
    assert redirect.status_code == 301 and redirect["Location"].startswith("https://")
    assert_secured(redirect)


@pytest.mark.django_db
def test_head_answers_carry_no_body_and_the_pages_length(client, loaded):
    for _ in range(2):  # rendered, then kept
        head = client.head("/en/about/")
        body = client.get("/en/about/").content
        assert head.status_code == 200 and head.content == b""
        assert int(head["Content-Length"]) == len(body)


@pytest.mark.django_db
def test_a_body_no_page_expects_is_refused_before_it_is_read(client, loaded):
    # A multipart body that would not even parse: a 405, so nothing read it.
    garbage = (
        b'--x\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n' + b"z" * 500_000
    )
    for path in ("/en/", "/en/agreements/", "/en/sources/", "/robots.txt"):
        response = client.generic(
            "POST", path, garbage, content_type="multipart/form-data; boundary=x"
        )
        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert_secured(response)
    too_long = client.generic(
        "POST", "/en/report/", b"problem=" + b"a" * 100_000, "application/x-www-form-urlencoded"
    )
    assert too_long.status_code == 413
    api = client.post("/api/v1/themes/", {})
    assert api.status_code == 405 and api["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_control_characters_of_a_query_string_are_shown_inert(client, loaded):
    html = client.get("/en/agreements/?year=%00x&mystery=a%0Db").content.decode()
    assert "\x00" not in html and "\r" not in html.split("<main")[1]
    assert "year=\ufffdx" in html and "mystery=a\ufffdb" in html


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_a_forged_forwarded_for_gives_no_new_guesses(
    client, curator_account, settings, behind_proxy
):
    """Rotating X-Forwarded-For does not reset the lock: behind the proxy the address it
    appended counts, without one the connection's."""
    settings.BEHIND_HTTPS_PROXY = behind_proxy
    for attempt in range(5):
        forged = f"198.51.100.{attempt}, 203.0.113.7"
        client.post(
            reverse("admin:login"),
            {"username": "camille", "password": f"wrong-{attempt}"},
            HTTP_X_FORWARDED_FOR=forged,
        )
    right = client.post(
        reverse("admin:login"),
        {"username": "camille", "password": "a-long-curator-passphrase"},
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
    )
    assert right.status_code == 429


def test_the_client_address_is_the_one_the_trusted_proxies_appended(rf, settings):
    from cooperation.logins import client_address

    request = rf.get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1, 10.0.0.2", REMOTE_ADDR="10.0.0.3"
    )
    settings.BEHIND_HTTPS_PROXY = False
    assert client_address(request) == "10.0.0.3"
    settings.BEHIND_HTTPS_PROXY = True
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 2  # a CDN before our proxy: the address the CDN appended
    assert client_address(request) == "198.51.100.1"
    settings.TRUSTED_PROXIES = 5  # fewer entries than proxies: the connection's own
    assert client_address(request) == "10.0.0.3"


@pytest.mark.django_db
def test_a_forged_port_in_host_never_reaches_another_readers_page(client, loaded, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    page = "/en/agreements/cnes-usth-mou-2015/"
    poisoned = client.get(page, HTTP_HOST="127.0.0.1:1337").content.decode()
    assert "127.0.0.1:1337" in poisoned  # the page names the address it was asked by…
    honest = client.get(page, HTTP_HOST="127.0.0.1").content.decode()
    assert ":1337" not in honest  # …and that page is kept apart from everyone else's


@pytest.fixture
def fresh_login_counts():
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def test_password_spraying_from_one_address_is_stopped(
    client, curator_account, settings, fresh_login_counts
):
    """26 failures over 8 usernames from one address: stopped at the per-address limit, even
    for the right password; another address is not."""
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
    for attempt in range(26):
        log_in(client, f"guess-{attempt}", username=f"user{attempt % 8}")
    assert log_in(client, "a-long-curator-passphrase").status_code == 200  # refused: the form
    other = client.post(
        reverse("admin:login"),
        {"username": "camille", "password": "a-long-curator-passphrase"},
        REMOTE_ADDR="198.51.100.44",
    )
    assert other.status_code == 302


def test_an_account_attacked_from_everywhere_is_slowed_not_locked(
    client, curator_account, settings, fresh_login_counts, monkeypatch
):
    import time

    settings.LOGIN_FAILURES_PER_ACCOUNT, settings.LOGIN_ACCOUNT_DELAY = 6, 60
    settings.AXES_FAILURE_LIMIT = 1000  # axes' own lock out of the way: this limit is ours
    for attempt in range(6):  # from six addresses, each below every other limit
        client.post(
            reverse("admin:login"),
            {"username": "camille", "password": f"wrong-{attempt}"},
            REMOTE_ADDR=f"203.0.113.{attempt}",
        )
    again = {"username": "camille", "password": "a-long-curator-passphrase"}
    assert client.post(reverse("admin:login"), again, REMOTE_ADDR="203.0.113.1").status_code == 200
    # The curator's own address has its turn at once: the account is slowed, not locked.
    assert client.post(reverse("admin:login"), again, REMOTE_ADDR="192.0.2.10").status_code == 302
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    client.logout()
    assert client.post(reverse("admin:login"), again, REMOTE_ADDR="203.0.113.1").status_code == 302
