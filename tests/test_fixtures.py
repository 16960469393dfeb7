"""The curated data itself: every fact traceable to a quote, complete records, one entity once."""

import json
import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings

from cooperation.fixture_files import SPECS, read_fixtures, render
from cooperation.models import Source
from cooperation.quotes import quote_occurs_in

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def records(filename):
    return json.loads((FIXTURES / filename).read_text(encoding="utf-8"))


def source_texts():
    return {source["slug"]: "\n".join(source["text"]) for source in records("sources.json")}


def quoted_records():
    for spec in SPECS:
        if "quotes" in spec.child_names:
            for record in records(spec.filename):
                yield spec, record


def test_quotes_match_with_white_space_folded_and_line_end_hyphens_kept_or_joined():
    text = "CNES President Jean-\nYves Le Gall   signed\nthree agree-\n  ments with\u00a0VAST."
    assert quote_occurs_in("Jean-Yves Le Gall signed three", text)
    assert quote_occurs_in("three agreements with VAST.", text)
    assert quote_occurs_in("three agree-ments", text)
    assert not quote_occurs_in("Jean-Yves Le Gall signed four", text)
    assert not quote_occurs_in("JeanYves Le Gall", text.replace("Jean-\n", "Jean-"))
    assert not quote_occurs_in("   ", text)


def test_every_quote_occurs_in_its_source():
    texts = source_texts()
    missing = [
        (spec.filename, record[spec.key], quote["text"])
        for spec, record in quoted_records()
        for quote in record["quotes"]
        if not quote_occurs_in(quote["text"], texts[quote["source"]])
    ]
    assert missing == []


def test_every_record_cites_at_least_one_source():
    unsourced = [
        (spec.filename, record[spec.key])
        for spec, record in quoted_records()
        if not record["quotes"]
    ]
    assert unsourced == []


def test_every_role_is_backed_by_a_quote_from_the_same_source():
    unbacked = [
        (person["slug"], role["title"], role["source"])
        for person in records("people.json")
        for role in person["roles"]
        if role["source"] not in {quote["source"] for quote in person["quotes"]}
    ]
    assert unbacked == []


def test_every_agreement_has_a_theme_a_date_precision_a_year_and_its_parties():
    problems = []
    for agreement in records("agreements.json"):
        slug = agreement["slug"]
        if not agreement["themes"]:
            problems.append((slug, "no theme"))
        if not agreement["date_precision"]:
            problems.append((slug, "no date precision"))
        if agreement["date_precision"] != "unknown" and agreement["year"] is None:
            problems.append((slug, "no year"))
        if not agreement["parties"] and "part" not in agreement["notes"].lower():
            problems.append((slug, "no party, and the notes do not say why"))
    assert problems == []


def test_every_mission_has_a_theme():
    assert [m["slug"] for m in records("missions.json") if not m["themes"]] == []


def test_every_inferred_date_gives_its_reasoning_in_a_sentence():
    inferred = [
        (spec.filename, record[spec.key], record["date_inference"])
        for spec in SPECS
        if "date_precision" in spec.keys
        for record in records(spec.filename)
        if record["date_is_inferred"]
    ]
    assert inferred, "the undated documents make some dates inferred"
    for filename, key, reasoning in inferred:
        assert len(reasoning) >= 40 and reasoning.rstrip().endswith((".", ")")), (filename, key)


def test_dates_that_the_documents_leave_open_are_marked_inferred():
    undated = {"000_4bf1062968127631.txt", "003_44c6efeec8f6b19f.txt"}
    for source in records("sources.json"):
        assert source["date_is_inferred"] == (source["file_name"] in undated), source["slug"]


def folded(name):
    """A name with case, accents, punctuation and spacing taken away."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def test_no_person_or_agency_is_recorded_twice_under_two_spellings():
    people = [folded(person["name"]) for person in records("people.json")]
    assert len(people) == len(set(people))
    agencies = records("agencies.json")
    names = [folded(agency["name"]) for agency in agencies]
    acronyms = [folded(agency["acronym"]) for agency in agencies if agency["acronym"]]
    assert len(names) == len(set(names))
    assert len(acronyms) == len(set(acronyms))


@pytest.mark.django_db
def test_the_files_are_in_canonical_form():
    """Stable record order, stable key order, UTF-8 without escapes, two spaces, final newline."""
    states = read_fixtures(FIXTURES)
    for spec in SPECS:
        text = (FIXTURES / spec.filename).read_text(encoding="utf-8")
        assert text == render(spec, states[spec.model]), f"{spec.filename} is not in canonical form"
        assert "\\u" not in text


@pytest.mark.django_db
def test_every_natural_key_resolves():
    states = read_fixtures(FIXTURES)  # raises FixtureError, naming each dangling key
    assert len(states[Source]) == 5


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed documents are not at {SEEDS}")
def test_the_sources_are_the_seed_documents_word_for_word():
    sources = {source["file_name"]: "\n".join(source["text"]) for source in records("sources.json")}
    seeds = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    assert sources == seeds
