"""The Atom feed of a search: Django's syndication framework, with the browser's query string."""

from xml.etree import ElementTree

import pytest
from django.contrib.syndication.views import Feed
from django.test import RequestFactory

from cooperation.feeds import AgreementFeed

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def test_the_feed_is_a_syndication_feed():
    assert issubclass(AgreementFeed, Feed)


@pytest.mark.django_db
def test_format_atom_is_the_feed_of_the_same_search(client, loaded):
    served = client.get("/en/agreements/?country=VN&theme=climate&format=atom")
    direct = AgreementFeed()(RequestFactory().get("/en/agreements/?country=VN&theme=climate"))
    entries = [
        [
            e.find("atom:id", ATOM).text
            for e in ElementTree.fromstring(body).findall("atom:entry", ATOM)
        ]
        for body in (served.content, direct.content)
    ]
    assert entries[0] == entries[1]
    assert len(entries[0]) == 2
    feed = ElementTree.fromstring(served.content)
    assert feed.find("atom:title", ATOM).text == "Cooperation Atlas: agreements (2 filters)"
    self_link = feed.find("atom:link[@rel='self']", ATOM).get("href")
    assert self_link == "http://testserver/en/agreements/?country=VN&theme=climate&format=atom"


@pytest.mark.django_db
def test_every_entry_is_dated_by_its_last_change_and_published_only_to_the_day(client, loaded):
    from cooperation.models import Agreement

    feed = ElementTree.fromstring(client.get("/en/agreements/?format=atom").content)
    assert feed.find("atom:author/atom:name", ATOM).text == "Cooperation Atlas"
    entries = feed.findall("atom:entry", ATOM)
    assert len(entries) == Agreement.objects.count()
    by_id = {entry.find("atom:id", ATOM).text: entry for entry in entries}
    for agreement in Agreement.objects.all():
        entry = by_id[f"http://testserver{agreement.get_absolute_url()}"]
        assert entry.find("atom:updated", ATOM).text.startswith(f"{agreement.changed_at:%Y-%m-%d}")
        published = entry.find("atom:published", ATOM)
        if agreement.date_precision == "day":
            assert (
                published.text
                == f"{agreement.year:04}-{agreement.month:02}-{agreement.day:02}T00:00:00+00:00"
            )
        else:
            assert published is None  # no made-up 1 January
        summary = entry.find("atom:summary", ATOM).text
        assert summary.startswith(agreement.date_display)
        assert "— ." not in summary


@pytest.mark.django_db
def test_one_filter_is_one_filter(client, loaded):
    feed = ElementTree.fromstring(client.get("/en/agreements/?country=VN&format=atom").content)
    assert feed.find("atom:title", ATOM).text == "Cooperation Atlas: agreements (1 filter)"
