"""What real validators say of what the site serves: the Nu Html Checker over a crawl of its
pages, jing with RFC 4287's RELAX NG schema (and its Schematron rules) over every feed found."""

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings

from tests.test_browser import missing

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ATOM_SCHEMA = Path(__file__).parent / "schemas" / "atom.rnc"
JING = shutil.which("jing")
LINK = re.compile(r'href="(/[^"#]*)')
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def crawl(client, start="/en/", limit=300):
    """{path: HTML} of the site's pages reached by following its own links from `start`
    (breadth first; not the admin, static files or downloads)."""
    return _crawl(client, start, limit)[0]


def feeds_of(client, start="/en/", limit=300):
    """Every Atom feed the pages of a crawl link to."""
    return _crawl(client, start, limit)[1]


def _crawl(client, start, limit):
    pages, feeds, queue, seen = {}, set(), [start], {start}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        pages[path] = html
        for href in map(unescape, LINK.findall(html)):
            if "format=atom" in href:
                feeds.add(href)
            if href.startswith(("/static/", "/admin/")) or "format=" in href or href in seen:
                continue
            seen.add(href)
            queue.append(href)
    return pages, feeds


@pytest.mark.validator
@pytest.mark.django_db
def test_every_page_of_a_crawl_is_valid_html(client, loaded, tmp_path):
    if not VNU.exists():
        missing(f"no Nu Html Checker at {VNU} (make browser-deps)")
    pages = crawl(client)
    assert len(pages) > 100  # every record, index and a good part of the browser's views
    french = crawl(client, "/fr/", limit=120)  # the same pages in French
    assert len(french) > 100
    pages.update(french)
    folder, names = tmp_path / "crawl", {}
    folder.mkdir()
    for number, (path, html) in enumerate(sorted(pages.items())):
        name = folder / f"page-{number:03}.html"
        name.write_text(html, encoding="utf-8")
        names[name.as_uri()] = path
    checked = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [
        f"{names.get(m.get('url'), m.get('url'))}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], f"{len(errors)} errors on {len(pages)} pages:\n" + "\n".join(errors[:40])


def schematron_failures(feed):
    """RFC 4287's Schematron rules (the annotations of its Appendix B schema)."""
    failures = []
    entries = feed.findall("atom:entry", ATOM)
    if feed.find("atom:author", ATOM) is None and any(
        entry.find("atom:author", ATOM) is None for entry in entries
    ):
        failures.append("an atom:feed must have an atom:author unless all its entries have one")
    for entry in entries:
        links = entry.findall("atom:link", ATOM)
        if not any(link.get("rel") in (None, "alternate") for link in links) and (
            entry.find("atom:content", ATOM) is None
        ):
            failures.append("an atom:entry must have a link rel=alternate or an atom:content")
        if entry.find("atom:author", ATOM) is None and feed.find("atom:author", ATOM) is None:
            failures.append("an atom:entry must have an atom:author if its feed does not")
    return failures


@pytest.mark.validator
@pytest.mark.django_db
def test_every_feed_a_crawl_finds_is_valid_atom(client, loaded, tmp_path):
    if not JING:
        missing("no jing (apt-get install jing, or make browser-deps)")
    feeds = sorted(feeds_of(client))
    assert len(feeds) > 20  # the browser's, with every filter a page links to
    files, failures = {}, []
    for number, url in enumerate(feeds):
        response = client.get(url)
        assert response.status_code == 200, url
        name = tmp_path / f"feed-{number:03}.xml"
        name.write_bytes(response.content)
        files[str(name)] = url
        failures += [
            f"{url}: {f}" for f in schematron_failures(ElementTree.fromstring(response.content))
        ]
    checked = subprocess.run(
        [JING, "-c", str(ATOM_SCHEMA), *files], capture_output=True, text=True, timeout=300
    )
    errors = [
        line.replace(name, files[name])
        for line in checked.stdout.splitlines()
        for name in files
        if line.startswith(name + ":")
    ]
    assert checked.returncode == 0 and errors == [], "\n".join(errors[:40]) or checked.stderr
    assert failures == []


def test_the_schematron_rules_can_fail():
    bare = ElementTree.fromstring(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title></entry></feed>'
    )
    assert len(schematron_failures(bare)) == 3
