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
    served = client.get("/agreements/?country=VN&theme=climate&format=atom")
    direct = AgreementFeed()(RequestFactory().get("/agreements/?country=VN&theme=climate"))
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
    assert self_link == "http://testserver/agreements/?country=VN&theme=climate&format=atom"
