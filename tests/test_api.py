"""The JSON API as a program meets it: every endpoint's shapes, the agreement browser's query
contract (refused where the page forgives), pages and cursors, validation against the
catalogue's version, CORS, throttling, the schema and the documentation page."""

import re
from urllib.parse import quote

import pytest
from django.core.cache import caches

from cooperation.quotes import quote_occurs_in
from tests.conftest import add_agreements, clear_caches, queries_for

EXTENSION = "/api/v1/agreements/cnes-usth-mou-extension-2018/"


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return response.json()


def slugs(data):
    return [row["slug"] for row in data["results"]]


def page_slugs(client, query):
    html = client.get(f"/en/agreements/?{query}").content.decode()
    return re.findall(r'<h3 class="row-title"><a href="/en/agreements/([^/]+)/', html)


def test_the_root_lists_every_endpoint(client, loaded):
    root = get(client, "/api/v1/")
    assert set(root) == {
        "agreements", "countries", "agencies", "people", "missions", "events", "themes", "sources"
    }  # fmt: skip
    for url in root.values():
        listed = get(client, url)
        assert listed["count"] == len(listed["results"]) > 0


def test_an_agreement_carries_both_languages_its_date_its_links_and_its_quotes(client, loaded):
    data = get(client, EXTENSION)
    assert data["title"].startswith("Extension of the CNES–USTH memorandum")
    assert data["title_fr"].startswith("Prorogation pour trois années")
    assert data["kind"] == {"code": "extension", "label": "Extension", "label_fr": "Prorogation"}
    assert data["date"] == {
        "start": "2018-11-02",
        "end": "2018-11-04",
        "precision": "range",
        "as_written": "2–4 November 2018",
        "as_written_fr": "2–4 novembre 2018",
        "inferred": True,
        "reasoning": data["date"]["reasoning"],
        "reasoning_fr": data["date"]["reasoning_fr"],
    }
    assert data["date"]["reasoning"].startswith("Signed during the French Prime Minister")
    party = next(p for p in data["parties"] if p["slug"] == "usth")
    assert party["country"] == "VN" and party["acronym"] == "USTH"
    assert party["url"] == "http://testserver/en/agencies/usth/"
    assert party["api_url"] == "http://testserver/api/v1/agencies/usth/"
    assert data["extends"]["slug"] == "cnes-usth-mou-2015"
    assert data["event"]["slug"] == "french-pm-official-visit-vietnam-2018"
    quote = data["quotes"][0]
    assert quote["source"]["api_url"].startswith("http://testserver/api/v1/sources/")
    assert re.fullmatch(r"http://testserver/en/sources/[\w-]+/#quote-\w+", quote["passage_url"])
    passage = get(client, quote["source"]["api_url"])
    assert any(
        p["text"] == quote["text"] and p["record"]["slug"] == data["slug"]
        for p in passage["passages"]
    )
    assert quote_occurs_in(quote["text"], passage["text"])  # as the loader matches quotes


def test_the_answer_is_the_same_whatever_language_the_caller_prefers(client, loaded):
    english = client.get(EXTENSION).content
    assert client.get(EXTENSION, HTTP_ACCEPT_LANGUAGE="fr").content == english


@pytest.mark.parametrize(
    "query",
    ["country=VN", "country=VN&theme=climate", "year_from=2015&year_to=2018&sort=oldest",
     "q=climate", "agency=cnes&agency=kari&match=all", "kind=memorandum&kind=extension",
     "status=signed&sort=title", "q=Corée"],
)  # fmt: skip
def test_the_list_answers_the_browsers_query_with_the_browsers_rows(client, loaded, query):
    assert slugs(get(client, f"/api/v1/agreements/?{query}&page_size=200")) == page_slugs(
        client, query
    )


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("country=ZZ", ["country"]),
        ("year=abc", ["year"]),
        ("colour=blue", ["colour"]),
        ("country=ZZ&theme=nothing&colour=blue", ["country", "theme", "colour"]),
        ("sort=sideways", ["sort"]),
        ("kind=&status=", ["kind", "status"]),
        ("page_size=0", ["page_size"]),
        ("page_size=500", ["page_size"]),
        ("page_size=%C2%B3", ["page_size"]),  # "³" is a digit to str.isdigit(), not to int()
        ("cursor=not+a+cursor", ["cursor"]),
        ("cursor=", ["cursor"]),
        ("q=", ["q"]),
    ],
)
def test_what_the_page_forgives_the_api_refuses_naming_each_part(client, loaded, query, refused):
    response = client.get(f"/api/v1/agreements/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] == "Invalid query parameters"
    assert sorted(e["parameter"] for e in problem["errors"]) == sorted(refused)
    assert all(e["reason"] for e in problem["errors"])


@pytest.mark.parametrize("query", ["year_from=2019&year_to=2015", "q=%21%21", "q=%22%22"])
def test_a_question_with_no_answer_is_answered_with_nothing(client, loaded, query):
    """What a page refuses because it must show something: an empty range, a search for no
    word. The API says that nothing matches, never that everything does."""
    assert get(client, f"/api/v1/agreements/?{query}")["count"] == 0
    facets = get(client, f"/api/v1/agreements/facets/?{query}")
    assert facets["total"] == 0 and not any(facets["facets"].values())


def test_other_lists_and_records_refuse_what_they_do_not_take(client, loaded):
    for url in ("/api/v1/agencies/?country=VN", "/api/v1/themes/climate/?x=1"):
        assert client.get(url).status_code == 400
    assert get(client, "/api/v1/agencies/?page=0", 400)["errors"][0]["parameter"] == "page"
    assert get(client, "/api/v1/people/?page=%C2%B3", 400)["errors"][0]["parameter"] == "page"
    assert get(client, "/api/v1/people/?page_size=%C2%B3", 400)["errors"][0]["reason"]
    assert get(client, "/api/v1/agencies/?page=99", 404)["status"] == 404  # no such page
    missing = client.get("/api/v1/agencies/nobody/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/countries/vn/").status_code == 404  # codes are upper case


def test_the_cursor_walks_every_agreement_once_in_the_searchs_order(client, loaded):
    seen, url = [], "/api/v1/agreements/?page_size=4&sort=oldest"
    while url:
        data = get(client, url)
        assert data["count"] == 14
        seen += slugs(data)
        url = data["next"]
    assert seen == slugs(get(client, "/api/v1/agreements/?page_size=200&sort=oldest"))
    assert len(set(seen)) == 14
    last = get(client, "/api/v1/agreements/?page_size=4&sort=oldest")
    back = get(client, get(client, last["next"])["previous"])
    assert slugs(back) == slugs(last)


def test_the_numbered_lists_page_with_links(client, loaded):
    first = get(client, "/api/v1/people/?page_size=5")
    assert first["count"] == 18 and len(first["results"]) == 5
    second = get(client, first["next"])
    assert second["previous"] and not set(slugs(second)) & set(slugs(first))


def test_facet_counts_are_the_browsers(client, loaded):
    data = get(client, "/api/v1/agreements/facets/?country=VN")
    assert data["total"] == len(page_slugs(client, "country=VN"))
    html = client.get("/en/agreements/?country=VN").content.decode()
    for option in data["facets"]["theme"]:
        shown = re.search(
            rf'for="f-theme-{option["value"]}">[^<]*<span class="count">(\d+)</span>', html
        )
        assert shown, option
        assert int(shown.group(1)) == option["count"]
    assert {"value": "VN", "label": "Vietnam", "count": 5, "chosen": True} in data["facets"][
        "country"
    ]
    assert sum(y["count"] for y in data["years"]) == data["total"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agreements/",
        "/api/v1/agreements/agreement-3/",
        "/api/v1/agencies/",
        "/api/v1/agencies/cnes/",
        "/api/v1/people/p/",
        "/api/v1/missions/",
        "/api/v1/missions/m/",
        "/api/v1/events/e/",
        "/api/v1/themes/climate/",
        "/api/v1/sources/s/",
        "/api/v1/countries/FR/",
        "/api/v1/agreements/facets/",
    ],
)
def test_an_endpoint_runs_the_same_few_queries_for_5_and_for_60_agreements(
    client, small_catalogue, url, django_assert_max_num_queries
):
    add_agreements(small_catalogue, 0, 5)
    queries_for(client, url)
    clear_caches()
    few = queries_for(client, url)
    add_agreements(small_catalogue, 5, 55)
    clear_caches()
    with django_assert_max_num_queries(10):
        many = queries_for(client, url)
    assert many == few, f"{url}: {few} queries for few agreements, {many} for 60"


def test_answers_are_validated_against_the_catalogues_version(client, loaded):
    first = client.get(EXTENSION)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(EXTENSION, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    from cooperation.models import Agreement

    agreement = Agreement.objects.get(slug="cnes-usth-mou-extension-2018")
    agreement.notes_fr = "Changé."
    agreement.save()
    again = client.get(EXTENSION, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again.json()["notes_fr"] == "Changé."


def test_any_origin_may_read_the_api_and_only_the_api(client, loaded):
    response = client.get("/api/v1/themes/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    page = client.get("/en/themes/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_an_anonymous_caller_past_the_limit_is_told_when_to_come_back(
    client, loaded, settings, monkeypatch, behind_proxy
):
    """Past the limit a 429, however the caller rewrites X-Forwarded-For: behind the proxy the
    address it appended counts, and without one the connection's."""
    from cooperation.api.throttling import AnonymousThrottle

    settings.BEHIND_HTTPS_PROXY = behind_proxy
    caches["throttle"].clear()
    monkeypatch.setattr(
        AnonymousThrottle, "THROTTLE_RATES", {**AnonymousThrottle.THROTTLE_RATES, "anon": "3/min"}
    )
    proxy = "203.0.113.7"  # what the proxy appends, after whatever the client wrote
    for number in range(3):
        forged = f"198.51.100.{number}, {proxy}"
        assert client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR=forged).status_code == 200
    refused = client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR=f"192.0.2.99, {proxy}")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/problem+json"
    if behind_proxy:  # another caller, behind the same proxy, is not refused
        other = client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR="203.0.113.8")
        assert other.status_code == 200
    caches["throttle"].clear()


def test_the_schema_is_openapi_3_1_and_documents_every_answer(client, loaded):
    schema = get(client, "/api/v1/schema/")
    assert schema["openapi"] == "3.1.0"
    paths = schema["paths"]
    for name in ("agreements", "countries", "agencies", "people", "missions", "events",
                 "themes", "sources"):  # fmt: skip
        assert f"/api/v1/{name}/" in paths
        assert any(p.startswith(f"/api/v1/{name}/{{") for p in paths)
    listing = paths["/api/v1/agreements/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"country", "year", "year_from", "year_to", "theme", "kind", "status", "agency", "q",
            "sort", "match", "cursor", "page_size"} <= names  # fmt: skip
    assert {"200", "400", "429"} <= set(listing["responses"])


def test_the_documentation_page_is_the_sites_and_shows_working_examples(client, loaded):
    html = client.get("/api/").content.decode()
    assert '<html lang="en">' in html and "<title>API · Cooperation Atlas</title>" in html
    examples = re.findall(r"curl '(http://testserver/api/v1/[^']+)'", html.replace("&amp;", "&"))
    assert len(examples) == 3
    for example in examples:
        assert client.get(example).status_code == 200
    assert 'id="invalid-parameters"' in html
    assert "GET /api/v1/agreements/{slug}/" in html
    assert "<script" not in html
    assert "Anonymous callers may make 1,000,000 requests a minute;" in html  # the pytest env


def test_every_page_links_to_the_api_and_a_record_to_its_own(client, loaded):
    html = client.get("/fr/agencies/cnes/").content.decode()
    assert 'href="/api/"' in html
    alternate = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html)
    assert alternate and get(client, alternate.group(1))["slug"] == "cnes"


def test_a_harvest_lists_what_changed_since_a_time(client, loaded):
    from django.utils import timezone

    from cooperation.models import Agency, Agreement

    before = timezone.now()
    agency = Agency.objects.get(slug="cnes")
    agency.notes_fr = "Le Centre national d’études spatiales."
    agency.save()
    agreement = Agreement.objects.get(slug="cnes-usth-mou-2015")
    agreement.save()
    since = before.isoformat().replace("+00:00", "Z")
    agencies = get(client, f"/api/v1/agencies/?changed_since={since}")
    assert slugs(agencies) == ["cnes"] and agencies["results"][0]["changed_at"]
    agreements = get(client, f"/api/v1/agreements/?changed_since={since}")
    assert slugs(agreements) == ["cnes-usth-mou-2015"] and agreements["count"] == 1
    assert get(client, "/api/v1/agencies/?changed_since=2000-01-01")["count"] == 17
    for wrong in ("yesterday", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"):
        problem = get(client, f"/api/v1/themes/?changed_since={quote(wrong)}", 400)
        assert problem["errors"][0]["parameter"] == "changed_since", wrong


def test_a_harvest_sees_links_changed_from_either_side_without_a_save(client, loaded):
    from django.utils import timezone

    from cooperation.models import Agency, Agreement

    before = timezone.now()
    since = before.isoformat().replace("+00:00", "Z")
    agreement = Agreement.objects.get(slug="cnes-usth-mou-2015")
    agreement.themes.clear()  # from the agreement's side
    kari = Agency.objects.get(slug="kari")
    kari.agreements.add(Agreement.objects.get(slug="cnes-vast-framework-agreement-2016"))
    changed = get(client, f"/api/v1/agreements/?changed_since={since}")
    assert set(slugs(changed)) == {"cnes-usth-mou-2015", "cnes-vast-framework-agreement-2016"}
    agreement.refresh_from_db()
    assert agreement.changed_at >= before
