"""English and French as a reader meets them: the language in the path, a bare address sent to
the reader's language (the cookie they chose, then their browser's), the switch that keeps the
page, and the alternates that tell search engines of the other language."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        ({}, None, "/en/agreements/?country=VN"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}, None, "/fr/agreements/?country=VN"),
        ({"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}, None, "/en/agreements/?country=VN"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr"}, "en", "/en/agreements/?country=VN"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "fr", "/fr/agreements/?country=VN"),
    ],
    ids=["default", "browser-fr", "browser-de", "cookie-en-wins", "cookie-fr-wins"],
)
def test_a_bare_address_opens_in_the_readers_language(client, loaded, headers, cookie, expected):
    if cookie:
        client.cookies["django_language"] = cookie
    response = client.get("/agreements/?country=VN", **headers)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_each_language_has_its_own_address_and_html_lang(client, loaded):
    english = client.get("/en/agreements/?country=VN")
    french = client.get("/fr/agreements/?country=VN")
    assert english.status_code == french.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="fr">' in french.content.decode()
    assert client.get("/de/agreements/").status_code == 404


def test_every_page_names_its_alternates_in_both_languages(client, loaded):
    html = client.get("/en/agencies/cnes/?page=1").content.decode()
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert links == [
        ("en", "http://testserver/en/agencies/cnes/?page=1"),
        ("fr", "http://testserver/fr/agencies/cnes/?page=1"),
        ("x-default", "http://testserver/agencies/cnes/?page=1"),
    ]


def test_the_switch_keeps_the_record_and_the_query_string_and_remembers_the_choice(client, loaded):
    html = client.get("/en/agreements/?country=VN&theme=climate").content.decode()
    [switch] = re.findall(r'<a href="([^"]+)" hreflang="fr" lang="fr">Français</a>', html)
    response = client.get(switch.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"] == "/fr/agreements/?country=VN&theme=climate"
    assert response.cookies["django_language"].value == "fr"
    assert "no-cache" in response["Cache-Control"]
    # The bare address now opens in French, whatever the browser says.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/fr/"
    back = client.get(reverse("language", args=["en"]) + "?next=/fr/agreements/some-slug/")
    assert back["Location"] == "/en/agreements/some-slug/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_never_sends_a_reader_elsewhere(client, loaded, next_url):
    response = client.get(reverse("language", args=["fr"]), {"next": next_url})
    assert response["Location"] == "/fr/"


def test_an_unknown_language_is_a_404(client, loaded):
    assert client.get("/language/de/?next=/en/").status_code == 404


def test_the_sitemap_lists_each_page_in_both_languages(client, loaded):
    xml = client.get("/sitemap-agreement.xml").content.decode()
    assert "<loc>http://testserver/en/agreements/cnes-jaxa-framework-agreement/</loc>" in xml
    assert "<loc>http://testserver/fr/agreements/cnes-jaxa-framework-agreement/</loc>" in xml
    assert (
        '<xhtml:link rel="alternate" hreflang="fr" '
        'href="http://testserver/fr/agreements/cnes-jaxa-framework-agreement/"/>'
    ) in xml
