"""The public pages, as a reader meets them: what each shows, what it links to, how many queries."""

import json
import math
import re
from html import unescape
from itertools import pairwise

import pytest
from django.urls import reverse
from django.utils.html import escape

from cooperation.derived import refresh_deferred
from cooperation.models import Agreement, CatalogueVersion, Quote, Source
from tests.conftest import (
    add_agreements,
    clear_caches,
    make_agency,
    make_agreement,
    make_country,
    queries_for,
)

pytestmark = pytest.mark.django_db

SCO = "/en/agreements/cnes-cnsa-sco-implementing-agreement-2018/"


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def title_of(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


INDEXES = {
    "/en/countries/": "Countries",
    "/en/agencies/": "Agencies and organisations",
    "/en/people/": "People",
    "/en/missions/": "Missions",
    "/en/events/": "Events",
    "/en/themes/": "Themes",
    "/en/sources/": "Source documents",
    "/en/agreements/": "Agreements",
    "/en/about/": "About the data",
}


@pytest.mark.parametrize(("url", "heading"), INDEXES.items())
def test_every_index_has_its_title_heading_breadcrumbs_and_description(
    client, loaded, url, heading
):
    html = page(client, url)
    assert title_of(html).startswith(heading)
    assert f"<h1>{heading}</h1>" in html
    assert 'aria-label="Breadcrumb"' in html
    assert '<meta name="description" content="' in html
    assert 'href="#main"' in html


def test_home_shows_counts_timeline_network_latest_and_themes(client, loaded):
    html = page(client, reverse("cooperation:home"))
    assert f"<strong>{Agreement.objects.count()}</strong> agreements" in html
    assert '<title id="home-timeline-title">Agreements and events by year</title>' in html
    assert 'aria-labelledby="network-title network-desc"' in html
    assert "Every pair, in a table" in html
    assert (
        '<a href="/en/agencies/cnes/">CNES</a></td><td><a href="/en/agencies/usth/">USTH</a></td><td><a href="/en/agreements/?agency=cnes&amp;agency=usth&amp;match=all">3<'
        in html
    )
    assert "Founding document of the Space Climate Observatory (SCO)" in html
    assert 'href="/en/themes/climate/"' in html


def test_an_agreement_shows_every_fact_linked_and_sourced(client, loaded):
    html = page(client, SCO)
    assert (
        title_of(html)
        == "CNES–CNSA specific agreement on implementing the Space Climate Observatory (SCO) · Cooperation Atlas"
    )
    assert '<dd><span class="date">25 June 2018</span>' in html
    assert "<dd>Beijing</dd>" in html
    assert (
        'href="/en/agencies/cnsa/">China National Space Administration</a> (CNSA) — <a href="/en/countries/CN/">China</a>'
        in html
    )
    assert '<a href="/en/people/zhang-kejian/">Zhang Kejian</a>, Administrator of CNSA' in html
    assert (
        '<a href="/en/people/jean-yves-le-gall/">Jean-Yves Le Gall</a>, President of CNES' in html
    )
    assert 'href="/en/events/sco-implementing-agreement-signing-2018/"' in html
    assert 'href="/en/missions/sco/">SCO</a> (Space Climate Observatory)' in html
    agreement = Agreement.objects.get(slug="cnes-cnsa-sco-implementing-agreement-2018")
    for quote in agreement.quotes.all():
        assert escape(quote.text) in html
        assert (
            f'href="/en/sources/{quote.source.slug}/?for=agreement.{agreement.slug}#{quote.html_id}"'
            in html
        )


def test_an_agreement_cites_itself_with_its_permalink_and_the_catalogues_date(client, loaded):
    html = page(client, SCO)
    citation = re.search(r'<p class="citation" id="citation">(.*?)</p>', html, re.S).group(1)
    assert "Cooperation Atlas. “CNES–CNSA specific agreement on implementing" in citation
    assert f"http://testserver{SCO}" in citation
    # Not the time of the request: the page is cached and revalidated for as long as the
    # catalogue is unchanged, and the date it names must stay true for all that time.
    changed_at = CatalogueVersion.current()[1]
    assert f"(catalogue as of {changed_at.day} {changed_at:%B %Y})." in citation


def test_an_inferred_date_shows_its_reasoning(client, loaded):
    html = page(client, "/en/agreements/cnes-vast-climate-letter-of-intent-2018/")
    assert "2–4 November 2018" in html
    assert (
        '<span class="inferred">inferred</span> Signed during the French Prime Minister’s official visit'
        in html
    )


def test_agreements_link_both_ways_between_an_extension_and_what_it_extends(client, loaded):
    extension = page(client, "/en/agreements/cnes-usth-mou-extension-2018/")
    original = page(client, "/en/agreements/cnes-usth-mou-2015/")
    assert '<dt>Extends</dt><dd><a href="/en/agreements/cnes-usth-mou-2015/">' in extension
    assert (
        '<dt>Extended by</dt><dd><a href="/en/agreements/cnes-usth-mou-extension-2018/">'
        in original
    )


def test_an_agreement_without_named_parties_says_so(client, loaded):
    html = page(client, "/en/agreements/france-china-future-space-cooperation-agreement-2019/")
    assert "The documents name no party." in html
    assert "What the documents leave open" in html


def test_a_source_marks_every_quoted_passage_and_links_it_to_its_record(client, loaded):
    source = Source.objects.get(slug="cnes-2018-06-china-sco-implementing-agreement")
    html = page(client, source.get_absolute_url())
    quotes = Quote.objects.filter(source=source)
    assert quotes.count() > 10
    for quote in quotes:
        assert f'id="quote-{quote.anchor}"' in html
        assert f'href="#quote-{quote.anchor}"' in html
    assert '<mark class="quote' in html
    assert 'href="/en/agreements/cnes-cnsa-sco-implementing-agreement-2018/"' in html
    text = html.split('<div class="source-text" lang="en">')[1].split("</div>")[0]
    text = re.sub(r'<span class="supports[^"]*"[^>]*>.*?</span>', "", text)  # hidden notes
    marked = re.sub(r"<[^>]+>", "", text)
    assert "Zhang Kejian, the new Administrator" in marked
    assert unescape(marked) == source.text  # the document whole, every character kept


def test_a_quote_across_a_hyphenated_line_end_is_marked_in_its_source(client, loaded):
    html = page(client, "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/")
    assert re.search(r'<mark class="quote[^"]*"[^>]*>CNES President Jean-\s*Yves Le Gall', html)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/en/countries/VN/",
            [
                "Vietnam Academy of Science and Technology",
                "Agreements and events of Vietnam by year",
                "Filter and export these agreements",
            ],
        ),
        (
            "/en/agencies/cnes/",
            [
                "Agreements and events of CNES by year",
                "Jean-Yves Le Gall</a>, President",
                'href="/en/missions/sco/"',
            ],
        ),
        (
            "/en/people/jean-yves-le-gall/",
            [
                'President, <a href="/en/agencies/cnes/">CNES</a>',
                "Agreements signed",
                "CNES–VAST letter of intent",
            ],
        ),
        (
            "/en/missions/sco/",
            ["Space Climate Observatory", "12 December 2017", 'href="/en/agencies/kari/"'],
        ),
        (
            "/en/events/french-pm-official-visit-vietnam-2018/",
            ["Signed here", "Extension of the CNES–USTH memorandum", "2–4 November 2018"],
        ),
        (
            "/en/themes/climate/",
            ["Filter and export these agreements", "CNES–VAST letter of intent"],
        ),
        ("/en/missions/svom/", ["not named in the documents", "2021"]),
    ],
)
def test_every_record_page_links_what_is_related(client, loaded, url, expected):
    html = page(client, url)
    for text in expected:
        assert text in html, text


def test_a_lower_case_country_code_redirects_to_the_canonical_page(client, loaded):
    response = client.get("/en/countries/vn/")
    assert response.status_code == 301
    assert response["Location"] == "/en/countries/VN/"


@pytest.mark.parametrize(
    "url",
    ["/en/agreements/nothing-here/", "/en/countries/ZZ/", "/en/people/nobody/", "/no-such-page/"],
)
def test_an_unknown_record_is_a_404_in_the_site_s_style(client, loaded, url):
    html = page(client, url, status=404)
    assert "Page not found" in html
    assert "Cooperation Atlas" in title_of(html)
    assert 'href="/en/agreements/"' in html


# Query counts: the same for 5 and for 60 agreements.


PAGES = [
    "/en/",
    "/en/agreements/",
    "/en/agreements/?country=FR&theme=climate&year_from=1991&q=Agreement&sort=title",
    "/en/agreements/?page=2",
    "/en/agreements/agreement-3/",
    "/en/countries/",
    "/en/countries/FR/",
    "/en/agencies/",
    "/en/agencies/cnes/",
    "/en/themes/",
    "/en/themes/climate/",
    "/en/agreements/?format=csv",
    "/en/agreements/?format=json",
    "/en/agreements/?format=atom",
    "/en/people/p/",
    "/en/missions/m/",
    "/en/events/e/",
    "/en/sources/s/",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_runs_the_same_few_queries_for_5_and_for_60_agreements(
    client, small_catalogue, url, django_assert_max_num_queries
):
    add_agreements(small_catalogue, 0, 30 if "page=2" in url else 5)
    queries_for(client, url)  # warm the per-process caches (content types) once
    clear_caches()
    few = queries_for(client, url)
    add_agreements(small_catalogue, 30 if "page=2" in url else 5, 30 if "page=2" in url else 55)
    assert Agreement.objects.count() == 60
    clear_caches()
    with django_assert_max_num_queries(13):  # the home page's figures, map and network
        many = queries_for(client, url)
    assert many == few, f"{url}: {few} queries for few agreements, {many} for 60"


@pytest.mark.parametrize(
    "url",
    [
        "/en/people/jean-yves-le-gall/",
        "/en/missions/sco/",
        "/en/events/french-pm-official-visit-vietnam-2018/",
        "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/",
        "/en/missions/",
        "/en/events/",
        "/en/people/",
        "/en/sources/",
        "/en/about/",
    ],
)
def test_the_other_pages_stay_within_twelve_queries(
    client, loaded, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_the_network_keeps_to_the_agencies_it_shows(client, db):
    france = make_country("FR", "France")
    agencies = [make_agency(f"a{n:02}", f"A{n:02}", f"Agency {n:02}", france) for n in range(30)]
    with refresh_deferred():  # one refresh of the derived data for all of them
        for n in range(24):
            for m in range(n + 1, min(n + 4, 24)):
                make_agreement(slug=f"p-{n}-{m}", title=f"P {n} {m}").parties.add(
                    agencies[n], agencies[m]
                )
    make_agreement(slug="outsider", title="Outsider").parties.add(agencies[0], agencies[29])
    html = page(client, "/en/")
    assert 'aria-labelledby="network-title network-desc"' in html
    table = html.split("Every pair, in a table")[1].split("</table>")[0]
    assert "A00" in table
    assert "A29" not in table


def test_a_country_code_that_is_not_two_letters_is_a_404(client, db):
    for url in (
        "/en/countries/%00/",
        "/en/countries/A%00/",
        "/en/countries/FRA/",
        "/en/countries/1/",
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("page, notice", [("VN", "not a page number"), ("99", "only 1 page")])
def test_every_index_answers_any_page_number_with_a_notice(client, loaded, page, notice):
    for url in [
        "/en/countries/",
        "/en/agencies/",
        "/en/people/",
        "/en/missions/",
        "/en/events/",
        "/en/themes/",
    ]:
        response = client.get(url, {"page": page})
        assert response.status_code == 200, url
        assert notice in response.content.decode(), url


def test_an_agreement_without_named_parties_says_which_countries_it_concerns(client, loaded):
    html = page(client, "/en/agreements/france-japan-roadmap-2013-2018/")
    assert "The documents name no party." in html
    assert (
        '<p class="concerns">Concerns <a href="/en/countries/FR/">France</a> and '
        '<a href="/en/countries/JP/">Japan</a>.</p>'
    ) in html
    sco = page(client, "/en/agreements/sco-founding-document-2019/")
    assert '<span class="inferred">a reading</span> A reading: the release says' in sco


def test_each_pair_of_the_network_links_to_the_agreements_it_shares(client, loaded):
    html = page(client, "/en/")
    link = re.search(
        r'<a href="(/en/agreements/\?agency=cnes&amp;agency=usth&amp;match=all)">3<', html
    )
    assert link, "the CNES–USTH pair links to their shared agreements"
    shared = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "3 agreements match" in shared


def test_every_page_names_its_canonical_address_and_what_a_shared_link_shows(client, loaded):
    html = page(client, "/en/agreements/?country=VN&sort=title")
    assert '<link rel="canonical" href="http://testserver/en/agreements/?country=VN">' in html
    record = page(client, SCO)
    assert f'<link rel="canonical" href="http://testserver{SCO}">' in record
    assert (
        '<meta property="og:title" content="CNES–CNSA specific agreement on implementing' in record
    )
    assert '<meta property="og:type" content="article">' in record
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', record).group(1)
    )
    assert data["@type"] == "Legislation"
    assert data["legislationDate"] == "2018-06-25"
    assert {p["name"] for p in data["legislationPassedBy"]} >= {
        "China National Space Administration"
    }
    assert data["isBasedOn"][0]["url"].startswith("http://testserver/en/sources/")
    person = page(client, "/en/people/jean-yves-le-gall/")
    assert '"@type": "Person"' in person


def test_page_two_of_a_list_has_a_title_and_address_of_its_own(client, db):
    from cooperation.derived import refresh_deferred

    with refresh_deferred():
        for number in range(30):
            make_agreement(slug=f"a-{number:02}", title=f"Agreement {number:02}")
    html = page(client, "/en/agreements/?page=2")
    assert title_of(html) == "Agreements — page 2 · Cooperation Atlas"
    assert '<link rel="canonical" href="http://testserver/en/agreements/?page=2">' in html
    assert title_of(page(client, "/en/agreements/")) == "Agreements · Cooperation Atlas"


def test_robots_sitemap_security_txt_and_favicon(client, loaded):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.content.decode()
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>(.*?)</loc>", index)
    urls = set()
    for section in sections:
        urls |= set(re.findall(r"<loc>(.*?)</loc>", client.get(section).content.decode()))
    assert f"http://testserver{SCO}" in urls
    assert (
        "http://testserver/en/countries/JP/" in urls and "http://testserver/en/agreements/" in urls
    )
    assert len(urls) > Agreement.objects.count() + 10
    security = client.get("/.well-known/security.txt").content.decode()
    assert "Contact: http://testserver/en/about/#report" in security
    assert re.search(r"^Expires: \d{4}-\d\d-\d\dT", security, re.M)
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon["Location"].endswith("favicon.svg")


def test_the_about_page_and_the_exports_state_the_licence_and_the_catalogues_date(client, loaded):
    about = page(client, "/en/about/")
    assert "CC BY 4.0" in about and "as of <strong>" in about
    export = client.get("/en/agreements/?format=csv")
    assert (
        'rel="license"' in export["Link"]
        and "creativecommons.org/licenses/by/4.0" in export["Link"]
    )
    assert export["Last-Modified"]
    assert "<rights>" in client.get("/en/agreements/?format=atom").content.decode()


@pytest.mark.parametrize("span", [1, 2, 3, 4, 7, 12, 13, 25, 37, 60])
def test_no_two_timeline_labels_can_touch_whatever_the_span(span):
    from cooperation.charts import LABEL_GAP, LABEL_WIDTH, timeline

    drawn = timeline("T", [("A", [(1990, 1), (1990 + span - 1, 2)])])
    centres = [x for x, _ in drawn.labels]
    assert drawn.labels, "at least one year is written"
    assert all(b - a >= LABEL_WIDTH + LABEL_GAP for a, b in pairwise(centres))
    assert centres[0] - LABEL_WIDTH / 2 >= drawn.left - 4  # clear of the value axis
    assert centres[-1] + LABEL_WIDTH / 2 <= drawn.width
    assert [value for _, value, _ in drawn.ticks] == [0, 2]  # the value axis: 0 and the peak


def test_a_timeline_bar_leads_to_that_years_agreements_within_the_page(client, loaded):
    html = page(client, "/en/countries/VN/")
    bars = re.findall(
        r'<a href="(/en/agreements/\?country=VN&amp;year=(\d{4}))" tabindex="-1" [^>]*><rect [^>]+>'
        r"<title>\d{4}: (\d+)</title>",
        html,
    )
    assert bars
    for url, year, count in bars:
        listing = page(client, url.replace("&amp;", "&"))
        assert result_count(listing) == int(count), (year, count)
    results = page(client, "/en/agreements/?country=VN&theme=climate&year_from=2015")
    assert 'href="/en/agreements/?country=VN&amp;theme=climate&amp;year=2018"' in results
    home = page(client, "/en/")
    assert 'href="/en/agreements/?year=1987"' not in home  # events only that year


def test_the_small_repetitions_are_gone(client, loaded):
    """A person once under an agency's people, with each title and when the sources give it;
    a place not repeated by its country; an agency named by its acronym not written twice."""
    agency = page(client, "/en/agencies/cnes/")
    assert agency.count(">Jean-Yves Le Gall</a>") == 1
    assert "Jean-Yves Le Gall</a>, President <span" in agency
    visit = page(client, "/en/events/french-pm-official-visit-vietnam-2018/")
    assert re.search(r"<dt>Place</dt><dd><a href=\"/en/countries/VN/\">Vietnam</a></dd>", visit)
    source = page(client, "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/")
    assert "CNES (CNES)" not in source and "LEGOS (LEGOS)" not in source


def test_an_inferred_mark_leads_to_its_reasoning_in_visible_text(client, loaded):
    listing = page(client, "/en/agreements/?country=VN")
    link = re.search(r'<a class="inferred" href="(/en/agreements/[^"#]+)#date-reasoning"', listing)
    assert link, "the mark is a link, not only a tooltip"
    record = page(client, link.group(1))
    reasoning = re.search(
        r'<span class="inferred-note" id="date-reasoning">(.*?)</span>\s*</', record
    )
    slug = link.group(1).rstrip("/").rsplit("/", 1)[1]
    written = Agreement.objects.get(slug=slug).date_inference
    assert written and reasoning and escape(written) in reasoning.group(1)


MAP_LINK = re.compile(
    r'<a href="([^"]+)" tabindex="-1" class="country( chosen)?" data-code="(\w\w)">'
    r"<title>[^<]+?(\d+) (?:agreements?|accords?)</title>"
)


def result_count(html):
    return int(re.search(r'<h2 id="results-heading"[^>]*>\s*(\d+) ', html).group(1))


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/fr/",
        "/en/countries/VN/",
        "/en/agreements/?country=CN&theme=climate",
        "/en/agreements/?country=VN",
        "/en/agreements/?country=CN&country=FR&match=all",
        "/en/agreements/?country=CN&country=VN",
        "/en/agreements/?country=VN&agency=usth&agency=vast",
        "/en/agreements/?country=VN&sort=title",
    ],
)
def test_each_country_of_the_map_leads_to_as_many_agreements_as_it_says(client, loaded, path):
    html = page(client, path)
    links = MAP_LINK.findall(html)
    only_chosen = "CN&country=VN" in path or "agency=usth&agency=vast" in path
    assert len(links) >= (1 if only_chosen else 2), "several countries are shaded and linked"
    for url, _, code, count in links:
        assert f"country={code}" in url
        assert result_count(page(client, url.replace("&amp;", "&"))) == int(count), (path, code)
    chosen = {code for _, chosen, code, _ in links if chosen}
    assert chosen == set(re.findall(r"country=(\w\w)", path)) | ({"VN"} if "VN" in path else set())
    if only_chosen:
        # Either may match: only the chosen countries lead to an address.
        assert {code for _, _, code, _ in links} == set(re.findall(r"country=(\w\w)", path))
    else:  # every country with agreements among the results leads to them
        unlinked = r'<g class="country[^"]*" data-code="\w\w"><title>[^<]*\d'
        assert not re.search(unlinked, html)


def test_the_map_counts_parties_countries_and_countries_concerned_and_has_a_table(client, loaded):
    from cooperation.models import Country

    html = page(client, "/en/")
    links = {code: int(count) for _, _, code, count in MAP_LINK.findall(html)}
    expected = {
        country.code: country.agreements.count()
        for country in Country.objects.all()
        if country.agreements.exists()
    }
    assert links == expected
    table = html.split("<summary>The numbers, by country</summary>")[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td><a href="([^"]+)">(\d+)<', table)
    assert len(rows) == len(expected) and int(rows[0][2]) == max(expected.values())
    assert '<path d="M' in html and 'class="land"' in html  # every country drawn, Kosovo too
    assert "Brazil: no agreement" in html  # a country outside the catalogue, named by CLDR
    assert "Brésil : aucun accord" in page(client, "/fr/")


def test_the_map_legend_classes_cover_every_count():
    from cooperation.charts import WorldMap, class_bounds

    assert class_bounds(0) == [1] and class_bounds(3) == [1, 2, 3]
    assert class_bounds(14) == [1, 2, 3, 5]
    assert class_bounds(20000) == [1, 5, 50, 300, 2000]
    drawn = WorldMap("T", {"FR": 14, "VN": 5, "JP": 2, "KR": 1})
    assert [label for _, label in drawn.legend] == ["none", "1", "2", "3–4", "5–14"]
    assert [drawn.level(n) for n in (0, 1, 2, 4, 5, 14)] == [0, 1, 2, 3, 4, 4]


EDGE = re.compile(r'<a href="(/en/agreements/\?agency=([\w-]+)&amp;agency=([\w-]+)&amp;match=all)"')


def test_each_line_of_the_network_leads_to_exactly_the_agreements_the_pair_shares(client, loaded):
    html = page(client, "/en/")
    chart = html.split('class="network"')[1].split("</svg>")[0]
    edges = EDGE.findall(chart)
    assert len(edges) >= 10
    for url, first, second in edges:
        shared = set(
            Agreement.objects.filter(parties__slug=first)
            .filter(parties__slug=second)
            .values_list("slug", flat=True)
        )
        listing = page(client, url.replace("&amp;", "&"))
        shown = set(
            re.findall(r'<h3 class="row-title"><a href="/en/agreements/([\w-]+)/"', listing)
        )
        assert shown == shared and result_count(listing) == len(shared), (first, second)
    nodes = re.findall(r'<a href="(/en/agencies/[\w-]+/)" tabindex="-1" class="node"', chart)
    assert "/en/agencies/cnes/" in nodes
    assert "<tspan" in chart and "Government of the" in chart  # whole names, wrapped, not cut
    assert "…" not in chart
    french = page(client, "/fr/").split('class="network"')[1].split("</details>")[0]
    assert "/en/" not in french, "a French page's links stay in French"


def test_no_line_of_the_network_runs_through_a_node_it_does_not_join():
    """A dense network (every organisation joined to its six neighbours on the circle, and a
    hub to all): each line keeps clear of every other node, bending round it where needed."""
    from cooperation.charts import GAP, network

    agencies = [(n, f"a{n}", f"A{n}", f"Agency {n}", 10 + n % 7) for n in range(24)]
    pairs = [(n, (n + k) % 24, 1 + (n + k) % 5) for n in range(1, 24) for k in (1, 2, 3)]
    pairs += [(0, n, 9) for n in range(1, 24)]
    drawn = network(agencies, pairs, most_links=200)
    assert (drawn.nodes[0].x, drawn.nodes[0].y) == (drawn.size / 2, drawn.size / 2)  # the hub
    assert any(link.bend for link in drawn.links), "some lines had to bend"
    for link in drawn.links:
        for node in drawn.nodes:
            if node is link.source or node is link.target:
                continue
            closest = min(math.hypot(x - node.x, y - node.y) for x, y in link.points(64))
            assert closest >= node.r + GAP - 1, (link.source.label, link.target.label, node.label)


def test_at_scale_the_network_shows_the_top_organisations_and_says_so(client, db):
    france = make_country("FR", "France")
    agencies = [make_agency(f"a{n:02}", f"A{n:02}", f"Agency {n:02}", france) for n in range(30)]
    with refresh_deferred():
        for n in range(30):
            for m in range(n + 1, 30):
                if (n + m) % 3 == 0 or m == n + 1:
                    make_agreement(slug=f"p-{n}-{m}", title=f"P {n} {m}").parties.add(
                        agencies[n], agencies[m]
                    )
    html = page(client, "/en/")
    caption = re.search(r"<figcaption>(The 24 organisations[^<]*)</figcaption>", html)
    assert caption and "of 30" in caption.group(1) and "strongest of their" in caption.group(1)
    chart = html.split('class="network"')[1].split("</svg>")[0]
    assert len(EDGE.findall(chart)) == 60
    widths = [float(w) for w in re.findall(r'class="edge-line" stroke-width="([\d.]+)"', chart)]
    assert max(widths) <= 5 and min(widths) >= 1


def test_a_records_passage_link_shows_only_its_passages_each_saying_what_it_supports(
    client, loaded
):
    record = page(client, "/en/agreements/cnes-usth-mou-2015/")
    links = re.findall(r'<a class="in-context" href="([^"#]+)#(quote-\w+)">', record)
    sources = {url.split("?")[0] for url, _ in links}
    assert links and all(url.endswith("?for=agreement.cnes-usth-mou-2015") for url, _ in links)
    assert len(sources) >= 1
    url, anchor = links[0]
    assert url.endswith("?for=agreement.cnes-usth-mou-2015")
    source = page(client, unescape_url(url))
    theirs = {a for u, a in links if u == url}
    marked = set(re.findall(r'<mark class="quote[^"]*" id="(quote-\w+)"', source))
    assert marked == theirs and anchor in marked
    notes = re.findall(
        r'<span class="supports (quote-\w+) shown" lang="en"> <a href="([^"]+)">', source
    )
    assert {a for a, _ in notes} == theirs
    assert {href for _, href in notes} == {"/en/agreements/cnes-usth-mou-2015/"}
    assert "<dt>Quoted passages</dt><dd>52</dd>" in source  # the document's, not the record's
    everything = re.search(r'<a href="([^"]+&amp;passages=all)">show all passages</a>', source)
    assert everything
    full = page(client, unescape_url(everything.group(1)))
    assert len(re.findall(r'<mark class="quote[^"]*" id="quote-', full)) > len(marked)
    assert "only this record’s</a>" in full
    # Hidden beside every other passage, until a link points at it (the source's stylesheet).
    assert re.search(r'<span class="supports quote-\w+" lang="en">', full)


def test_a_passage_filter_that_names_nothing_says_so_and_shows_everything(client, loaded):
    url = "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/"
    html = page(client, f"{url}?for=agreement.no-such-thing")
    assert "No record of that name is quoted from this document" in html
    assert len(re.findall(r'<mark class="quote[^"]*" id="quote-', html)) > 40
    odd = page(client, f"{url}?for=nonsense")  # no dot, no kind: the same, not an error
    assert "No record of that name is quoted from this document" in odd
    assert len(re.findall(r'<mark class="quote[^"]*" id="quote-', odd)) > 40


def unescape_url(url):
    return url.replace("&amp;", "&")


@pytest.mark.parametrize("path", ["/en/agencies/cnes/", "/en/countries/VN/"])
def test_a_country_or_agency_timeline_shows_its_events_too(client, loaded, path):
    from cooperation.models import Agency, Country

    html = page(client, path)
    chart = html.split('class="chart timeline-chart"')[1].split("</details>")[0]
    assert 'class="bar series-1"' in chart, "events drawn beside the agreements"
    head = re.search(r"<thead><tr><th scope=\"col\">Year</th>(.*?)</tr></thead>", chart).group(1)
    assert ">Agreements<" in head and ">Events<" in head
    record = (
        Agency.objects.get(slug="cnes") if "agencies" in path else Country.objects.get(code="VN")
    )
    events = sum(int(n) for n in re.findall(r"<td>\d+</td><td>(\d+)</td>", chart))
    assert events == record.events.exclude(year=None).count()


def test_a_wrapped_label_in_the_centre_of_the_network_is_written_line_under_line():
    from cooperation.charts import network

    agencies = [(0, "gov", "Government of the Socialist Republic", "Government", 9)]
    agencies += [(n, f"a{n}", f"A{n}", f"Agency {n}", 1) for n in range(1, 6)]
    drawn = network(agencies, [(0, n, 1) for n in range(1, 6)])
    hub = drawn.nodes[0]
    assert (hub.x, hub.y) == (drawn.size / 2, drawn.size / 2)
    assert len(hub.lines) > 1 and all(dy > 0 for dy, _ in hub.lines[1:])


def test_facet_names_follow_the_readers_language_whoever_counted_first(client, loaded):
    page(client, "/fr/agreements/?all=country")
    english = page(client, "/en/agreements/?all=country")
    assert ">South Korea <" in english and "Corée du Sud" not in english
    french = page(client, "/fr/agreements/")
    assert "Corée du Sud" in french


def test_a_show_all_link_keeps_no_sort_of_another_reader(client, loaded):
    from tests.conftest import make_agency

    sorted_page = page(client, "/en/agreements/?sort=title")
    plain = page(client, "/en/agreements/")
    for html in (sorted_page, plain):
        for link in re.findall(r'<p class="facet-more"><a href="([^"]+)"', html):
            assert "sort=" not in link
    assert make_agency  # the helper exists for tests that need more options
