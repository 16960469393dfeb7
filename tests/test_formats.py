"""What real validators say of what the site serves: the Nu Html Checker over a crawl."""

import json
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_browser import missing

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LINK = re.compile(r'href="(/[^"#]*)')


def crawl(client, start="/", limit=300):
    """{path: HTML} of the site's pages reached by following its own links from `start`
    (breadth first; not the admin, static files or downloads)."""
    pages, queue, seen = {}, [start], {start}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        pages[path] = html
        for href in map(unescape, LINK.findall(html)):
            if href.startswith(("/static/", "/admin/")) or "format=" in href or href in seen:
                continue
            seen.add(href)
            queue.append(href)
    return pages


@pytest.mark.validator
@pytest.mark.django_db
def test_every_page_of_a_crawl_is_valid_html(client, loaded, tmp_path):
    if not VNU.exists():
        missing(f"no Nu Html Checker at {VNU} (make browser-deps)")
    pages = crawl(client)
    assert len(pages) > 100  # every record, index and a good part of the browser's views
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
