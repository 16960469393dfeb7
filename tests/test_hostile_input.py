"""Hostile input: thousands of generated query strings and paths against every public URL that
takes them. Never a server error, never a traceback, every reflected value escaped."""

import json
from urllib.parse import quote, unquote

import pytest
from django.core.signals import request_started
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "country",
    "year",
    "year_from",
    "year_to",
    "theme",
    "kind",
    "status",
    "agency",
    "q",
    "sort",
    "page",
    "format",
]
REAL_VALUES = [
    "VN", "vn", "FR", "CN", "KR", "JP", "ZZ", "climate", "earth-observation", "cnes", "cnsa",
    "framework", "signed", "newest", "oldest", "title", "csv", "json", "atom", "html", "2018",
    "1997", "2019",
]  # fmt: skip
ATTACKS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE cooperation_agreement; --",
    "1; SELECT pg_sleep(5)",
    "%00",
    "\x00",
    "\u202e\u0000\ufeff",
    "../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "$(rm -rf /)",
    "9" * 400,
    "-2147483649",
    "1e309",
    "NaN",
    "0x10",
    "٣",  # an Arabic-Indic digit: int() reads it as 3
]
# Raw fragments that an encoder would never produce: bad escapes and invalid UTF-8.
RAW_FRAGMENTS = ["%", "%ZZ", "%ff%fe", "%c0%80", "&&&", "==", "a=b=c", "%26%3D", ";", "+++"]

# A value that HTML must escape, easy to find in a page: reflected, it must appear escaped only.
MARKER = "zq\"'<b>&zq"
ESCAPED_MARKER = "zq&quot;&#x27;&lt;b&gt;&amp;zq"

values = st.one_of(
    st.sampled_from(REAL_VALUES),
    st.just(MARKER),
    st.sampled_from(ATTACKS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.just(""),
    st.builds(lambda c, n: c * n, st.sampled_from("xé<'%\x00"), st.integers(1000, 10_000)),
)
keys = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=12), st.sampled_from(ATTACKS))


def encode(key, value):
    return f"{quote(key, safe='')}={quote(value, safe='')}"


query_strings = st.one_of(
    st.lists(st.tuples(keys, values), max_size=8).map(
        lambda pairs: "&".join(encode(k, v) for k, v in pairs)
    ),
    # Repeated keys and raw, unencoded fragments.
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(PARAMETERS), values).map(lambda kv: encode(*kv)),
            st.sampled_from(RAW_FRAGMENTS),
            st.sampled_from(PARAMETERS).map(lambda k: f"{k}={k}={k}"),
        ),
        max_size=10,
    ).map("&".join),
)


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def assert_safe(response, query_string):
    assert response.status_code < 500, (response.status_code, query_string)
    body = body_of(response)
    # A word the query itself carries may come back in a notice ("Traceback=…: not a parameter
    # of this page"): only what the query did not bring counts as a leak.
    asked = unquote(query_string)
    for leak in ("Traceback (most recent call last)", "django.db", "psycopg"):
        assert leak in asked or leak not in body, query_string
    if response.get("Content-Type", "").startswith("text/html"):
        for attack in ("<script>alert(1)</script>", "<img src=x onerror", "<b>&zq"):
            assert attack not in body, query_string
    return body


REQUESTS = {"browser": 900, "exports": 200, "pages": 550, "paths": 350}  # 2,000 in all


def fuzz(part):
    """Hypothesis settings and the `fuzz` marker for one part of the fuzz, which must make
    REQUESTS[part] requests."""

    def configure(test):
        test = settings(
            max_examples=REQUESTS[part],
            deadline=None,
            database=None,  # nothing written into the project folder
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )(test)
        test.requests_asked = REQUESTS[part]
        return pytest.mark.fuzz(test)

    return configure


@pytest.fixture(autouse=True)
def requests_made(request):
    """A fuzz test fails if fewer requests reached the site than it asked hypothesis for (which
    stops early when it runs out of distinct inputs, or when its settings are overridden)."""
    started = []

    def count(sender, **kwargs):
        started.append(sender)

    request_started.connect(count)
    yield
    request_started.disconnect(count)
    made, asked = len(started), getattr(request.function, "requests_asked", 0)
    if getattr(
        request.node, "test_passed", False
    ):  # a failing example stops hypothesis early: that is reported
        assert made >= asked, f"{made} requests made, {asked} asked for"


@fuzz("browser")
@given(query_string=query_strings)
def test_the_agreement_browser_survives_any_query_string(client, loaded, query_string):
    response = client.get("/en/agreements/", QUERY_STRING=query_string)
    assert_safe(response, query_string)


# Exports: valid filters (so that rows are exported), an adversarial search, a format.
export_queries = st.tuples(
    st.lists(st.sampled_from(["country=VN", "theme=climate", "year_from=2015", "sort=title"])),
    st.one_of(st.none(), st.sampled_from(ATTACKS), st.text(max_size=30)),
    st.sampled_from(["csv", "json", "atom"]),
).map(
    lambda parts: "&".join(
        [
            *parts[0],
            *([encode("q", parts[1])] if parts[1] is not None else []),
            f"format={parts[2]}",
        ]
    )
)


@fuzz("exports")
@given(query_string=export_queries)
def test_exports_survive_any_search(client, loaded, query_string):
    response = client.get("/en/agreements/", QUERY_STRING=query_string)
    body = assert_safe(response, query_string)
    assert response.status_code in (200, 302, 400), query_string  # 302: to its short address
    if response.status_code == 200 and "format=json" in query_string:
        json.loads(body)  # a whole document, whatever was asked


@pytest.mark.parametrize(
    "url",
    [
        "/en/agreements/?{name}={marker}",
        "/en/agreements/?{name}={marker}&country=VN",
        "/en/countries/?{name}={marker}",
    ],
)
def test_reflected_values_are_escaped_wherever_they_appear(client, loaded, url):
    for name in [*PARAMETERS, "unknown", MARKER]:
        response = client.get(url.format(name=quote(name), marker=quote(MARKER)))
        body = assert_safe(response, name)
        assert MARKER not in body, name
        if response.status_code == 200 and name not in ("sort", "format"):
            assert ESCAPED_MARKER in body or "/en/countries/" in url, name


PAGES = [
    "/en/",
    "/en/about/",
    "/en/countries/",
    "/en/countries/VN/",
    "/en/agencies/",
    "/en/agencies/cnes/",
    "/en/people/",
    "/en/missions/",
    "/en/events/",
    "/en/themes/",
    "/en/themes/climate/",
    "/en/sources/",
    "/en/agreements/cnes-cnsa-sco-implementing-agreement-2018/",
    "/healthz",
]


@fuzz("pages")
@given(page=st.sampled_from(PAGES), query_string=query_strings)
def test_every_other_page_survives_any_query_string(client, loaded, page, query_string):
    response = client.get(page, QUERY_STRING=query_string)
    assert_safe(response, query_string)
    assert response.status_code == 200, (page, query_string)


SECTIONS = [
    "agreements", "countries", "agencies", "people", "missions", "events", "themes", "sources",
]  # fmt: skip
slugs = st.one_of(
    st.text(min_size=1, max_size=60),
    st.sampled_from(ATTACKS),
    st.from_regex(r"[a-z0-9-]{1,80}", fullmatch=True),
    st.builds(lambda n: "a" * n, st.integers(100, 10_000)),
)


@fuzz("paths")
@given(section=st.sampled_from(SECTIONS), slug=slugs)
def test_unknown_records_are_404s_whatever_their_address(client, loaded, section, slug):
    path = f"/en/{section}/{quote(slug, safe='')}/"
    response = client.get(path)
    assert_safe(response, path)
    # An unknown record is a 404; a lower-case country code is sent to its canonical page.
    assert response.status_code in (404, 301), path
