"""The agreement browser's query string: each parameter keeps and drops, counts, pages, exports."""

import csv
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from cooperation.derived import refresh_deferred
from cooperation.models import Agreement

pytestmark = pytest.mark.django_db

VIETNAM = {
    "cnes-usth-mou-2015",
    "cnes-usth-mou-extension-2018",
    "cnes-vast-climate-letter-of-intent-2018",
    "cnes-vast-framework-agreement-2016",
    "lotus-laboratory-agreement-2018",
}
CHINA = {
    "cnes-cnsa-mou-2018",
    "cnes-cnsa-sco-implementing-agreement-2018",
    "france-china-intergovernmental-agreement-1997",
    # No party named, but the documents say they concern China (countries_concerned).
    "france-china-future-space-cooperation-agreement-2019",
    "sco-founding-document-2019",
}


def shown(client, query):
    """The slugs of the agreements the page lists (every page of them), and the page's HTML."""
    html = client.get(f"/en/agreements/?{query}", follow=True).content.decode()
    slugs = set(re.findall(r'<h3 class="row-title"><a href="/en/agreements/([\w-]+)/">', html))
    return slugs, html


def exported(client, query):
    """The slugs of the JSON export, checked to hold no row twice."""
    response = client.get(f"/en/agreements/?{query}&format=json")
    assert response["Content-Type"].startswith("application/json")
    slugs = [row["slug"] for row in json.loads(b"".join(response.streaming_content))]
    assert len(slugs) == len(set(slugs))
    return set(slugs)


def every(**conditions):
    return set(Agreement.objects.filter(**conditions).values_list("slug", flat=True))


def test_without_filters_every_agreement_is_listed_newest_first(client, loaded):
    slugs, html = shown(client, "")
    assert slugs == every()
    assert f"{Agreement.objects.count()} agreements" in html
    order = re.findall(r'<h3 class="row-title"><a href="/en/agreements/([\w-]+)/">', html)
    assert order[0] == "sco-founding-document-2019"
    assert order.index("cnes-cnsa-mou-2018") < order.index(
        "france-china-intergovernmental-agreement-1997"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=VN", VIETNAM),
        ("country=vn", VIETNAM),
        ("country=VN&country=CN", VIETNAM | CHINA),
        ("country=KR", {"cnes-kari-interagency-agreement-2015"}),
        (
            "year=2018",
            {
                "cnes-cnsa-mou-2018",
                "cnes-cnsa-sco-implementing-agreement-2018",
                "cnes-usth-mou-extension-2018",
                "cnes-vast-climate-letter-of-intent-2018",
                "lotus-laboratory-agreement-2018",
            },
        ),
        (
            "year_from=2019",
            {"sco-founding-document-2019", "france-china-future-space-cooperation-agreement-2019"},
        ),
        (
            "year_to=2013",
            {"france-china-intergovernmental-agreement-1997", "france-japan-roadmap-2013-2018"},
        ),
        (
            "year_from=2015&year_to=2016",
            {
                "cnes-usth-mou-2015",
                "cnes-kari-interagency-agreement-2015",
                "cnes-vast-framework-agreement-2016",
            },
        ),
        ("theme=education", {"cnes-usth-mou-2015", "cnes-usth-mou-extension-2018"}),
        (
            "theme=education&theme=telecommunications",
            {
                "cnes-usth-mou-2015",
                "cnes-usth-mou-extension-2018",
                "cnes-nict-framework-agreement",
                "cnes-jaxa-framework-agreement",
            },
        ),
        (
            "kind=framework",
            {
                "cnes-jaxa-framework-agreement",
                "cnes-nict-framework-agreement",
                "cnes-vast-framework-agreement-2016",
            },
        ),
        (
            "kind=roadmap&kind=founding",
            {"france-japan-roadmap-2013-2018", "sco-founding-document-2019"},
        ),
        ("status=planned", {"sco-founding-document-2019"}),
        ("agency=kari", {"cnes-kari-interagency-agreement-2015"}),
        (
            "agency=usth&agency=vast",
            {
                "cnes-usth-mou-2015",
                "cnes-usth-mou-extension-2018",
                "lotus-laboratory-agreement-2018",
                "cnes-vast-climate-letter-of-intent-2018",
                "cnes-vast-framework-agreement-2016",
            },
        ),
        ("q=roadmap", {"france-japan-roadmap-2013-2018"}),
        ("q=cnsa", {"cnes-cnsa-mou-2018", "cnes-cnsa-sco-implementing-agreement-2018"}),
        ("q=Dinh+Thi", {"cnes-usth-mou-extension-2018"}),
        ("q=peaceful+uses", {"france-china-intergovernmental-agreement-1997"}),
        ("q=Macron+Xi", {"france-china-future-space-cooperation-agreement-2019"}),
        ("q=Macron+Hollande", set()),
        (
            "country=VN&theme=climate",
            {"cnes-vast-climate-letter-of-intent-2018", "lotus-laboratory-agreement-2018"},
        ),
        (
            "country=VN&theme=climate&kind=letter_of_intent",
            {"cnes-vast-climate-letter-of-intent-2018"},
        ),
        (
            "country=CN&year_from=2000&q=climate",
            {
                "cnes-cnsa-mou-2018",
                "cnes-cnsa-sco-implementing-agreement-2018",
                "sco-founding-document-2019",
            },
        ),
    ],
)
def test_each_parameter_keeps_what_matches_and_drops_the_rest(client, loaded, query, expected):
    slugs, html = shown(client, query)
    assert slugs == expected
    assert "Part of the address was ignored" not in html


def test_a_submitted_form_is_sent_to_its_short_address(client, loaded):
    response = client.get(
        "/en/agreements/?q=&country=vn&year=&year_from=&status=&sort=newest&theme=climate"
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/agreements/?country=VN&theme=climate"
    assert client.get("/en/agreements/?country=VN&theme=climate").status_code == 200


def test_sorting_oldest_first_and_by_title(client, loaded):
    _, html = shown(client, "sort=oldest")
    oldest = re.findall(r'<h3 class="row-title"><a href="/en/agreements/([\w-]+)/">', html)
    assert oldest[0] == "france-china-intergovernmental-agreement-1997"
    assert oldest[-1] in {"cnes-jaxa-framework-agreement", "cnes-nict-framework-agreement"}
    _, html = shown(client, "sort=title")
    titles = [
        unescape(t) for t in re.findall(r'<h3 class="row-title"><a href="[^"]+">([^<]+)</a>', html)
    ]
    assert titles == sorted(titles)


def facet(html, name):
    """{value: count} of one facet as the page shows it, and the values that are ticked."""
    options = re.findall(
        rf'<input type="checkbox" name="{name}" value="([^"]+)" id="[^"]+"( checked)?>\s*<label[^>]*>[^<]*<span class="count">(\d+)</span>',
        html,
    )
    return {value: int(count) for value, _, count in options}, {
        v for v, checked, _ in options if checked
    }


def test_facet_counts_without_a_selection(client, loaded):
    _, html = shown(client, "")
    countries, ticked = facet(html, "country")
    assert countries["VN"] == 5
    assert countries["CN"] == len(CHINA)
    assert countries["FR"] == Agreement.objects.filter(countries__code="FR").distinct().count()
    assert ticked == set()
    themes, _ = facet(html, "theme")
    assert themes["climate"] == Agreement.objects.filter(themes__slug="climate").count()


def test_a_facet_leaves_its_own_selection_out_and_applies_the_others(client, loaded):
    _, html = shown(client, "country=VN&theme=climate")
    countries, ticked = facet(html, "country")
    assert ticked == {"VN"}
    assert countries["VN"] == 2
    assert countries["CN"] == 3  # ticking China too would add its three climate agreements
    themes, ticked_themes = facet(html, "theme")
    assert ticked_themes == {"climate"}
    assert themes["education"] == 2  # Vietnam's agreements on education, the theme filter left out
    kinds, _ = facet(html, "kind")
    assert kinds == {"letter_of_intent": 1, "partnership": 1}


def test_a_selected_option_stays_visible_at_zero(client, loaded):
    _, html = shown(client, "country=KR&theme=education")
    countries, ticked = facet(html, "country")
    themes, ticked_themes = facet(html, "theme")
    assert ticked == {"KR"} and countries["KR"] == 0
    assert ticked_themes == {"education"} and themes["education"] == 0


def test_the_year_options_count_the_other_filters(client, loaded):
    _, html = shown(client, "country=VN")
    years = dict(re.findall(r'<option value="(\d{4})"[^>]*>\d{4} \((\d+)\)</option>', html))
    assert years == {"2015": "1", "2016": "1", "2018": "3"}


def test_you_selected_lists_each_choice_with_a_link_that_removes_it(client, loaded):
    _, html = shown(client, "country=VN&country=CN&theme=climate&q=SCO")
    chips = dict(re.findall(r'<a href="([^"]+)" class="chip" aria-label="Remove ([^"]+)">', html))
    assert set(chips.values()) == {"Vietnam", "China", "Climate", "Search: “SCO”"}
    remove_china = unescape(next(url for url, label in chips.items() if label == "China"))
    assert parse_qs(urlsplit(remove_china).query) == {
        "country": ["VN"],
        "theme": ["climate"],
        "q": ["SCO"],
    }
    assert '<a href="/en/agreements/" class="clear">Clear all</a>' in html


def test_an_empty_result_says_so_and_offers_to_remove_the_last_filter(client, loaded):
    slugs, html = shown(client, "country=KR&theme=education")
    assert slugs == set()
    assert "No agreement matches all of these filters." in html
    undo = re.search(
        r'<a href="([^"]+)">Remove the last filter \(Education and training\)</a>', html
    )
    assert parse_qs(urlsplit(unescape(undo.group(1))).query) == {"country": ["KR"]}


@pytest.fixture
def many_agreements(db):
    from tests.conftest import make_agency, make_agreement, make_country, make_theme

    france, japan, korea = (
        make_country("FR", "France"),
        make_country("JP", "Japan"),
        make_country("KR", "South Korea"),
    )
    cnes, jaxa = make_agency("cnes", country=france), make_agency("jaxa", "JAXA", "JAXA", japan)
    kari = make_agency("kari", "KARI", "KARI", korea)
    climate = make_theme("climate", "Climate")
    with refresh_deferred():  # one refresh of the derived data for all of them
        for number in range(60):
            agreement = make_agreement(
                slug=f"a-{number:02}", title=f"Agreement {number:02}", year=1960 + number
            )
            agreement.parties.add(cnes, jaxa if number % 3 else kari)
            agreement.themes.add(climate)


def test_pages_of_25_keep_every_filter_and_repeated_key(client, many_agreements):
    slugs, html = shown(client, "country=JP&country=FR&theme=climate")
    assert len(slugs) == 25
    assert "60 agreements match" in html
    next_link = unescape(re.search(r'<a href="([^"]+)" rel="next">', html).group(1))
    params = parse_qs(urlsplit(next_link).query)
    assert params == {"country": ["JP", "FR"], "theme": ["climate"], "page": ["2"]}
    second, _ = shown(client, urlsplit(next_link).query)
    third, _ = shown(client, urlsplit(next_link).query.replace("page=2", "page=3"))
    assert len(second) == 25 and len(third) == 10
    assert not (slugs & second) and not (second & third)


def test_exports_hold_every_matching_row_not_just_one_page(client, many_agreements):
    expected = every(parties__country__code="KR")
    assert len(expected) == 20
    assert exported(client, "country=KR") == expected

    response = client.get("/en/agreements/?country=KR&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["slug"] for row in rows) == sorted(expected)
    assert rows[0]["url"].startswith("http://testserver/en/agreements/a-")
    assert rows[0]["parties"] == "CNES; KARI"


def test_the_json_export_carries_the_main_fields_and_the_record_s_url(client, loaded):
    response = client.get("/en/agreements/?country=CN&format=json")
    rows = {row["slug"]: row for row in json.loads(b"".join(response.streaming_content))}
    assert set(rows) == CHINA
    sco = rows["cnes-cnsa-sco-implementing-agreement-2018"]
    assert sco["date"] == "25 June 2018"
    assert sco["parties"] == ["CNES", "CNSA"]
    assert sco["countries"] == ["CN", "FR"]
    assert sco["signatories"] == ["Jean-Yves Le Gall", "Zhang Kejian"]
    assert (
        sco["url"] == "http://testserver/en/agreements/cnes-cnsa-sco-implementing-agreement-2018/"
    )


def test_the_atom_feed_follows_the_same_search_newest_first(client, loaded):
    response = client.get("/en/agreements/?country=VN&format=atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    links = [entry.find("atom:link", ns).get("href") for entry in feed.findall("atom:entry", ns)]
    assert {link.rsplit("/", 2)[1] for link in links} == VIETNAM
    assert links[-1].endswith("/cnes-usth-mou-2015/")
    assert "format=atom" in feed.find("atom:link[@rel='self']", ns).get("href")


def test_the_page_links_its_exports_with_the_same_query(client, loaded):
    _, html = shown(client, "country=VN&theme=climate")
    for fmt in ("csv", "json", "atom"):
        link = unescape(re.search(rf'href="([^"]+format={fmt})"', html).group(1))
        assert parse_qs(urlsplit(link).query) == {
            "country": ["VN"],
            "theme": ["climate"],
            "format": [fmt],
        }


BAD_INPUT = [
    ("year=abc", "year=abc", "Enter a whole number"),
    ("year=-44", "year=-44", "greater than or equal to 1900"),
    ("country=ZZ", "country=ZZ", "no country of that name"),
    ("theme=nope", "theme=nope", "no theme of that name"),
    ("kind=treaty", "kind=treaty", "no kind of that name"),
    ("agency=nasa", "agency=nasa", "no agency of that name"),
    ("status=lost", "status=lost", "Select a valid choice"),
    ("sort=drop", "sort=drop", "Select a valid choice"),
    ("page=99999", "page=99999", "showing the last"),
    ("page=abc", "page=abc", "not a page number"),
    ("page=0", "page=0", "pages start at 1"),
    ("format=pdf", "format=pdf", "use csv, json or atom"),
    ("colour=blue", "colour=blue", "not a parameter of this page"),
    ("q=" + "x" * 5000, "q=" + "x" * 59 + "…", "at most 200 characters"),
]


@pytest.mark.parametrize(
    ("query", "shown_as", "reason"), BAD_INPUT, ids=[b[0][:12] for b in BAD_INPUT]
)
def test_bad_input_is_a_notice_on_a_working_page(client, loaded, query, shown_as, reason):
    response = client.get(f"/en/agreements/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Part of the address was ignored" in html
    assert f"<code>{shown_as}</code>" in html
    assert reason in html
    slugs, _ = shown(client, query)
    assert slugs  # never silently nothing: the rest of the search still runs


def test_a_bad_value_does_not_cost_the_good_ones(client, loaded):
    slugs, html = shown(client, "country=VN&country=ZZ&year=abc&theme=climate")
    assert slugs == {"cnes-vast-climate-letter-of-intent-2018", "lotus-laboratory-agreement-2018"}
    assert "<code>country=ZZ</code>" in html and "<code>year=abc</code>" in html


def test_a_page_beyond_the_last_shows_the_last_page(client, many_agreements):
    slugs, html = shown(client, "page=99999")
    assert len(slugs) == 10
    assert "there are only 3 pages; showing the last" in html


def test_reflected_values_are_escaped(client, loaded):
    html = client.get('/en/agreements/?q=<script>alert(1)</script>&country="><b>').content.decode()
    assert "<script>alert(1)</script>" not in html
    assert '"><b>' not in html
    assert "&lt;script&gt;" in html


def test_a_long_list_elides_page_numbers_without_making_links_of_the_gaps(client, db):
    from tests.conftest import make_agreement

    with refresh_deferred():  # one refresh of the derived data for all of them
        for number in range(260):
            make_agreement(
                slug=f"n-{number:03}", title=f"Agreement {number:03}", year=1960 + number % 60
            )
    html = client.get("/en/agreements/?page=6").content.decode()
    assert "…" in html
    assert "%E2%80%A6" not in html and "page=…" not in html
    assert '<span aria-current="page">6</span>' in html
    assert 'href="/en/agreements/?page=11"' in html


@pytest.mark.parametrize(
    ("query", "notice", "kept"),
    [
        ("year=2018&year=2019", "takes one value; using &#x27;2019&#x27;", {"year": "2019"}),
        ("q=roadmap&q=", None, {"q": "roadmap"}),
        (
            "status=signed&status=planned",
            "takes one value; using &#x27;planned&#x27;",
            {"status": "planned"},
        ),
    ],
)
def test_a_single_valued_parameter_given_twice_uses_the_last_value_and_says_so(
    client, loaded, query, notice, kept
):
    response = client.get(f"/en/agreements/?{query}", follow=True)
    html = response.content.decode()
    if notice:
        assert notice in html
    name, value = next(iter(kept.items()))
    slugs = set(re.findall(r'<h3 class="row-title"><a href="/en/agreements/([\w-]+)/">', html))
    field = {"year": "year", "q": "title__icontains", "status": "status"}[name]
    assert slugs == every(**{field: int(value) if name == "year" else value})


def test_a_year_range_that_ends_before_it_starts_says_so(client, loaded):
    slugs, html = shown(client, "year_from=2019&year_to=2015")
    assert slugs == set()
    assert "ends before year_from=2019" in html


def test_an_export_of_a_search_with_an_ignored_part_is_refused_with_the_reason(client, loaded):
    response = client.get("/en/agreements/?country=ZZ&format=csv")
    assert response.status_code == 400
    assert "country=ZZ: no country of that name" in response.content.decode()


def test_the_atom_summary_stays_text(client, db):
    from tests.conftest import make_agreement

    make_agreement(slug="x", title="X", summary="A <img src=x onerror=alert(1)> & B")
    feed = client.get("/en/agreements/?format=atom").content.decode()
    assert "&amp;lt;img src=x" in feed
    assert "&lt;img src=x" not in feed.replace("&amp;lt;img", "")


def test_the_chosen_year_stays_in_the_year_list_even_without_results(client, loaded):
    html = client.get("/en/agreements/?year=1990").content.decode()
    assert '<option value="1990" selected>1990 (0)</option>' in html


# Countries concerned: agreements whose parties are not named still belong to their countries.

CONCERNING_ONLY = {
    "JP": {"france-japan-roadmap-2013-2018"},
    "CN": {"france-china-future-space-cooperation-agreement-2019", "sco-founding-document-2019"},
}


@pytest.mark.parametrize("code", ["JP", "CN"])
def test_a_country_finds_the_agreements_that_concern_it_without_named_parties(client, loaded, code):
    slugs, _ = shown(client, f"country={code}")
    assert CONCERNING_ONLY[code] <= slugs
    assert CONCERNING_ONLY[code] <= exported(client, f"country={code}")
    countries, _ = facet(shown(client, "")[1], "country")
    assert countries[code] == len(slugs)
    page = client.get(f"/en/countries/{code}/").content.decode()
    for slug in CONCERNING_ONLY[code]:
        assert f'href="/en/agreements/{slug}/"' in page


def test_every_agreement_has_a_country(client, loaded):
    assert Agreement.objects.filter(countries__isnull=True).count() == 0
    rows = json.loads(b"".join(client.get("/en/agreements/?format=json").streaming_content))
    roadmap = next(row for row in rows if row["slug"] == "france-japan-roadmap-2013-2018")
    assert roadmap["countries"] == ["FR", "JP"] and roadmap["countries_concerned"] == ["FR", "JP"]
    assert roadmap["parties"] == []


def test_a_partys_country_reaches_its_agreements_when_it_changes(client, loaded):
    from cooperation.models import Agency, Country

    kari = Agency.objects.get(slug="kari")
    kari.country = Country.objects.get(code="JP")
    kari.save()
    slugs, _ = shown(client, "country=JP")
    assert "cnes-kari-interagency-agreement-2015" in slugs
    assert "cnes-kari-interagency-agreement-2015" not in shown(client, "country=KR")[0]


# "Between A and B": every chosen country (or party) must be involved.


def test_match_all_keeps_only_the_agreements_between_every_chosen_country(client, loaded):
    either, _ = shown(client, "country=VN&country=CN")
    both, html = shown(client, "country=VN&country=CN&match=all")
    assert either == every() & (shown(client, "country=VN")[0] | shown(client, "country=CN")[0])
    assert both == set()
    assert "All of the chosen countries and parties" in html
    usth_and_cnes, html = shown(client, "agency=cnes&agency=usth&match=all")
    assert usth_and_cnes == {
        "cnes-usth-mou-2015",
        "cnes-usth-mou-extension-2018",
        "lotus-laboratory-agreement-2018",
    }
    assert exported(client, "agency=cnes&agency=usth&match=all") == usth_and_cnes
    parties, ticked = facet(html, "agency")
    assert ticked == {"cnes", "usth"}
    # Each option counts what choosing it as well would give: within the current results.
    assert parties["cnes"] == parties["usth"] == 3
    assert parties["imer"] == 1
    assert "vast" not in parties


def test_match_any_is_the_default_and_its_address_is_the_short_one(client, loaded):
    response = client.get("/en/agreements/?agency=cnes&agency=usth&match=any")
    assert response.status_code == 302
    assert response["Location"] == "/en/agreements/?agency=cnes&agency=usth"
    slugs, _ = shown(client, "agency=cnes&agency=usth")
    assert len(slugs) == 10


def test_an_unknown_match_is_a_notice(client, loaded):
    slugs, html = shown(client, "country=VN&match=most")
    assert "match=most" in html and len(slugs) == 5


# Exports follow the whole query, with the columns a re-user needs.


def test_exports_follow_the_sort(client, loaded):
    by_title = sorted(every(), key=lambda slug: Agreement.objects.get(slug=slug).title)
    rows = json.loads(
        b"".join(client.get("/en/agreements/?sort=title&format=json").streaming_content)
    )
    assert [row["slug"] for row in rows] == by_title
    response = client.get("/en/agreements/?sort=oldest&country=CN&format=csv")
    lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0]["slug"] == "france-china-intergovernmental-agreement-1997"


def test_the_csv_carries_codes_iso_dates_and_the_quotes(client, loaded):
    response = client.get("/en/agreements/?country=VN&theme=climate&format=csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="agreements-country-vn-theme-climate.csv"'
    )
    rows = {
        row["slug"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    }
    letter = rows["cnes-vast-climate-letter-of-intent-2018"]
    assert letter["kind_code"] == "letter_of_intent" and letter["status_code"] == "signed"
    assert (letter["start"], letter["end"]) == ("2018-11-02", "2018-11-04")
    assert letter["date"] == "2–4 November 2018"
    assert letter["date_inference"].startswith("Signed during the French Prime Minister")
    assert letter["quote_count"] == "3"
    assert letter["quotes_url"].endswith(
        "/en/agreements/cnes-vast-climate-letter-of-intent-2018/#quotes"
    )
    assert letter["summary"]
    json_response = client.get("/en/agreements/?country=CN&format=json")
    assert (
        json_response["Content-Disposition"] == 'attachment; filename="agreements-country-cn.json"'
    )
    rows = {row["slug"]: row for row in json.loads(b"".join(json_response.streaming_content))}
    assert (
        rows["france-china-future-space-cooperation-agreement-2019"]["start"],
        rows["france-china-future-space-cooperation-agreement-2019"]["end"],
    ) == ("2019-03", "")
    assert rows["france-china-intergovernmental-agreement-1997"]["start"] == "1997"
    assert rows["sco-founding-document-2019"]["countries_concerned_reasoning"].startswith(
        "A reading"
    )


def test_a_long_facet_leads_to_every_option_and_back(client, db):
    """Twenty countries with agreements: fifteen are listed, most first, and a link lists all
    twenty by name, each with its count; the form keeps that state, and a link shortens it."""
    from tests.conftest import make_agency, make_agreement, make_country

    codes = ["AR", "AU", "BR", "CA", "CL", "DE", "EG", "ES", "FR", "GB",
             "IN", "IT", "JP", "KE", "KR", "MX", "NG", "PE", "US", "VN"]  # fmt: skip
    with refresh_deferred():
        for number, code in enumerate(codes):
            agency = make_agency(code.lower(), code, f"Agency {code}", make_country(code, code))
            for copy in range(1 + number % 4):
                make_agreement(slug=f"{code.lower()}-{copy}", title=f"{code} {copy}").parties.add(
                    agency
                )
    _, html = shown(client, "theme=")
    short, _ = facet(html, "country")
    assert len(short) == 15
    link = re.search(r'<p class="facet-more"><a href="([^"]+)">Show all 20 countries</a>', html)
    assert link and link.group(1).endswith("?all=country#facet-country")
    _, expanded = shown(client, unescape(link.group(1)).split("?")[1].split("#")[0])
    every_country, _ = facet(expanded, "country")
    assert len(every_country) == 20
    assert every_country == {code: 1 + n % 4 for n, code in enumerate(codes)}
    order = re.findall(r'<input type="checkbox" name="country" value="(\w\w)"', expanded)
    assert order == sorted(codes)  # by name: here the codes are the names
    assert '<input type="hidden" name="all" value="country">' in expanded
    back = re.search(
        r'<p class="facet-more"><a href="([^"]+)">Show the most frequent only', expanded
    )
    assert back and "all=" not in back.group(1)
    # Submitting the form keeps the list whole, with the filter applied.
    _, ticked = shown(client, "all=country&country=PE")
    assert len(facet(ticked, "country")[0]) == 20
    assert 'name="all" value="country"' in ticked


def test_an_unknown_facet_to_list_whole_is_a_notice(client, loaded):
    _, html = shown(client, "all=planets")
    assert "lists one of country, theme, kind, agency" in html


def test_sort_and_submit_sit_beside_the_results_count(client, loaded):
    _, html = shown(client, "country=VN")
    bar = html.split('<div class="results-bar">')[1].split("</div>\n      </div>")[0]
    assert 'id="results-heading"' in bar and '<select id="f-sort" name="sort">' in bar
    assert '<button type="submit">Apply</button>' in bar
    assert html.index('id="f-sort"') < html.index('class="row-title"')
