"""The site in French: a catalogue of translations that is complete and current, every kind of
page with no interface string left in English, the vocabulary and dates in French, English
content marked as such, and a reader's path that stays in French."""

import csv
import io
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

from cooperation.search import fold

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="fr")


def test_the_french_catalogue_is_complete_and_has_nothing_fuzzy():
    messages = [m for m in catalogue() if m.id]
    assert len(messages) > 250
    untranslated = [m.id for m in messages if not (all(m.string) if m.pluralizable else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_the_french_catalogue_holds_every_string_of_the_code(tmp_path, settings, monkeypatch):
    """makemessages, run afresh over the code and templates, finds no string the catalogue
    lacks (and none it holds for nothing)."""
    if shutil.which("xgettext") is None:
        reason = "GNU gettext's xgettext is not installed (make browser-deps installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run this check")
        pytest.skip(reason)
    # makemessages writes into the locale folder nearest each file it reads: it runs over a
    # copy of the project's code, templates and catalogue, so that the real one is left be.
    root = PO.parent.parent.parent.parent
    for folder in ("config", "cooperation", "templates", "locale"):
        shutil.copytree(root / folder, tmp_path / folder)
    copy = tmp_path / "locale"
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["fr"],
        ignore_patterns=[".venv", "node_modules", "tests", "bench"],
        no_obsolete=True,
        verbosity=0,
    )
    with (copy / "fr" / "LC_MESSAGES" / "django.po").open("rb") as f:
        fresh = {(m.context, m.id) for m in read_po(f) if m.id}
    kept = {(m.context, m.id) for m in catalogue() if m.id}
    assert fresh - kept == set(), "strings not in locale/fr/LC_MESSAGES/django.po: run makemessages"
    assert kept - fresh == set(), "strings the code no longer has: run makemessages --no-obsolete"


class InterfaceText(HTMLParser):
    """A page's text and attributes a reader meets, less what is marked as another language
    (lang="en": record content and quotes), scripts and styles."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "area", "base", "col", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (
            (self.stack and self.stack[-1])
            or tag in ("script", "style", "title")
            or (attrs.get("lang") not in (None, "fr"))
        )
        if tag not in self.VOID:
            self.stack.append(bool(skipped))
        if not skipped:
            # A title attribute holds content (a date's reasoning); these are the interface's.
            self.parts += [attrs[a] for a in ("aria-label", "placeholder", "alt") if attrs.get(a)]

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def english_strings():
    """The interface's English strings that French writes otherwise, as they appear on a page
    (placeholders cut out): longest first."""
    found = set()
    french = " ".join(
        " ".join(str(s) for s in (m.string if m.pluralizable else (m.string,)))
        for m in catalogue()
        if m.id
    )
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        for english in ids:
            for piece in re.split(r"%\(\w+\)[sdr]|<[^>]+>", english):
                piece = " ".join(piece.split()).strip(" .,:;()")
                if len(piece) < 4 or (" " not in piece and not piece[:1].isupper()):
                    continue
                if piece in french:
                    continue  # a French word too ("Missions", "Date", "Organisation")
                found.add(piece)
    return sorted(found, key=len, reverse=True)


FRENCH_PAGES = [
    "/fr/",
    "/fr/agreements/",
    "/fr/agreements/?country=VN&theme=climate&year_from=2015",
    "/fr/agreements/?country=ZZ&year=abc",
    "/fr/agreements/?q=nothingatallhere",
    "/fr/agreements/cnes-usth-mou-extension-2018/",
    "/fr/agreements/france-japan-roadmap-2013-2018/",
    "/fr/countries/",
    "/fr/countries/VN/",
    "/fr/agencies/",
    "/fr/agencies/cnes/",
    "/fr/people/",
    "/fr/people/jean-yves-le-gall/",
    "/fr/missions/",
    "/fr/missions/sco/",
    "/fr/events/",
    "/fr/events/french-pm-official-visit-vietnam-2018/",
    "/fr/themes/",
    "/fr/themes/climate/",
    "/fr/sources/",
    "/fr/sources/cnes-2018-06-china-sco-implementing-agreement/",
    "/fr/about/",
    "/fr/data/",
    "/fr/no-such-page/",
]


@pytest.mark.parametrize("url", FRENCH_PAGES)
def test_no_interface_string_is_left_in_english_on_a_french_page(client, loaded, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    html = response.content.decode()
    assert '<html lang="fr">' in html
    text = InterfaceText.of(html)
    for content in french_content():  # a curator's French may name "One Planet Summit"
        text = text.replace(content, " ")
    left = [english for english in english_strings() if english in text]
    assert left == [], f"{url}: {left}"


def french_content():
    """The French that curators wrote in the records (not the interface's), longest first."""
    from cooperation.models import CATALOGUE

    values = set()
    for model in CATALOGUE:
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith("_fr")]
        for row in model.objects.values_list(*names) if names else ():
            values |= {" ".join(value.split()) for value in row if value}
    return sorted(values, key=len, reverse=True)


def test_the_vocabulary_and_the_dates_are_in_french(client, loaded):
    html = client.get("/fr/agreements/cnes-usth-mou-extension-2018/").content.decode()
    assert "Prorogation" in html  # the kind
    assert "2–4 novembre 2018" in html
    assert '<span class="inferred">déduite</span>' in html
    roadmap = client.get("/fr/agreements/france-japan-roadmap-2013-2018/").content.decode()
    assert "juin 2013" in roadmap and "Feuille de route" in roadmap
    assert "Adopté ou publié" in roadmap


def test_country_names_follow_cldr_in_french(client, loaded):
    html = client.get("/fr/countries/").content.decode()
    for name in ("Corée du Sud", "Viêt Nam", "Chine", "Japon", "France"):
        assert f">{name}</a>" in html
    facets = client.get("/fr/agreements/").content.decode()
    assert re.search(r'<label for="f-country-VN">Viêt Nam <span class="count">', facets)


def index_names(client, url):
    main = client.get(url).content.decode().split("<main", 1)[1]
    return re.findall(r'<a href="/fr/(?:countries|themes)/[^"]+/"[^>]*>([^<]+)</a>', main)


def test_french_indexes_are_in_the_order_of_their_french_names(client, loaded):
    countries = index_names(client, "/fr/countries/")
    assert countries == ["Chine", "Corée du Sud", "France", "Japon", "Viêt Nam"]
    themes = index_names(client, "/fr/themes/")
    assert len(themes) > 5
    assert themes == sorted(themes, key=lambda name: fold(name))
    assert themes.index("Débris spatiaux") < themes.index("Enseignement et formation")
    # In English, the English names' order.
    english = re.findall(
        r'<a href="/en/countries/[^"]+/"[^>]*>([^<]+)</a>',
        client.get("/en/countries/").content.decode().split("<main", 1)[1],
    )
    assert english == ["China", "France", "Japan", "South Korea", "Vietnam"]


def test_english_content_is_marked_as_english_and_said_to_be(client, loaded):
    html = client.get("/fr/agencies/cnes/").content.decode()  # no French notes yet
    assert re.search(r'<h2 id="notes-heading">Notes des conservateurs</h2><p><span lang="en">'
                     r'[^<]+</span> <span class="untranslated">\(en anglais\)</span></p>', html)  # fmt: skip
    agreement = client.get("/fr/agreements/cnes-usth-mou-extension-2018/").content.decode()
    assert re.search(r'<blockquote cite="[^"]+" lang="en">', agreement)  # quotes stay verbatim


def test_a_readers_path_in_french_keeps_the_language(client, loaded):
    """Home → a filtered list → an agreement → its source, and back: every link in French."""
    home = client.get("/fr/").content.decode()
    listing = re.search(r'<a href="(/fr/agreements/\?year=2018)">', home)
    assert listing, "the home page's years link to the list, in French"
    page = client.get(listing.group(1)).content.decode()
    first = re.search(r'<h3 class="row-title"><a href="(/fr/agreements/[^"]+)">', page)
    agreement = client.get(first.group(1)).content.decode()
    source = re.search(r'<a class="in-context" href="(/fr/sources/[^"#]+)#quote-', agreement)
    assert source, "the quotes link to their source, in French"
    document = client.get(source.group(1)).content.decode()
    back = re.search(r'<a href="(/fr/agreements/[^"]+)">', document)
    assert back and client.get(back.group(1)).status_code == 200
    for html in (home, page, agreement, document):
        links = re.findall(r'href="(/(?:en|fr)/[^"]*)"', html)
        assert links and all(link.startswith("/fr/") for link in links)


def test_the_atom_feed_of_a_french_search_is_in_french(client, loaded):
    feed = client.get("/fr/agreements/?country=VN&format=atom").content.decode()
    assert '<feed xml:lang="fr"' in feed
    assert "<title>Atlas de la coopération\u00a0: accords (1 filtre)</title>" in feed
    assert "novembre 2018" in feed


def test_a_notice_is_in_french(client, loaded):
    html = client.get("/fr/agreements/?country=ZZ").content.decode()
    assert "Une partie de l’adresse a été ignorée" in html
    assert "aucun pays de ce nom dans le catalogue" in html


def found(client, query):
    html = client.get("/fr/agreements/", {"q": query}).content.decode()
    return set(re.findall(r'<h3 class="row-title"><a href="/fr/agreements/([^/]+)/', html))


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("climatique", "climate"),
        ("Chine", "China"),
        ("Japon", "Japan"),
        ("Corée", "Korea"),
        ("accord-cadre", "framework agreement"),
        ("Viêt Nam", "Vietnam"),
        ("Hanoï", "Hanoi"),
    ],
)
def test_a_search_in_french_finds_what_its_english_finds(client, loaded, french, english):
    results = found(client, french)
    assert results, french
    assert results == found(client, english)


def streamed(response):
    return b"".join(response.streaming_content).decode()


def test_exports_are_the_same_file_in_both_languages_with_the_vocabulary_in_french(client, loaded):
    english = streamed(client.get("/en/agreements/?country=VN&format=csv"))
    french = streamed(client.get("/fr/agreements/?country=VN&format=csv"))
    # The same file, but for the records' addresses, which are the page's language's.
    assert english == french.replace("testserver/fr/", "testserver/en/")
    records = {r["slug"]: r for r in csv.DictReader(io.StringIO(english))}
    extension = records["cnes-usth-mou-extension-2018"]
    assert (extension["kind"], extension["kind_fr"]) == ("Extension", "Prorogation")
    assert (extension["status"], extension["status_fr"]) == ("Signed", "Signé")
    assert (extension["date"], extension["date_fr"]) == ("2–4 November 2018", "2–4 novembre 2018")
    data = json.loads(streamed(client.get("/fr/agreements/?country=VN&format=json")))
    assert {r["slug"]: r["kind_fr"] for r in data}["cnes-usth-mou-extension-2018"] == "Prorogation"


def test_the_admin_follows_the_curators_language(curator, loaded):
    english = curator.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cooperation catalogue" in english and ">Agreements<" in english
    french = curator.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Catalogue de la coopération" in french
    assert ">Accords<" in french and ">Communiqués à examiner<" in french
    assert "Déconnexion" in french or "Se déconnecter" in french  # Django's own French
