"""How well the assistant reads the seed releases: each release replayed against the catalogue
without its own records (and once against an empty catalogue), its proposals compared with the
curated fixtures of that release."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from ..dates import iso_date
from ..quotes import quote_occurs_in
from .gazetteer import Gazetteer
from .proposals import propose
from .vocabulary import fold

KINDS = ("agencies", "people", "agreements", "missions", "events")


@dataclass
class Tally:
    expected: int = 0
    proposed: int = 0
    found: int = 0
    correct: int = 0  # proposals that match an expected record
    misses: list = field(default_factory=list)
    extras: list = field(default_factory=list)

    @property
    def recall(self):
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self):
        return self.correct / self.proposed if self.proposed else 1.0


@dataclass
class Scores:
    tallies: dict = field(default_factory=lambda: {k: Tally() for k in KINDS})
    dates_right: int = 0
    dates_checked: int = 0
    date_misses: list = field(default_factory=list)
    quotes: int = 0
    quotes_verbatim: int = 0


def _load(directory, name):
    return json.loads((Path(directory) / f"{name}.json").read_text(encoding="utf-8"))


def _of_source(records, slug):
    return [
        r
        for r in records
        if any(q["source"] == slug for q in r.get("quotes", []))
        or any(role["source"] == slug for role in r.get("roles", []))
    ]


def _same_name(a, b):
    a, b = fold(a or ""), fold(b or "")
    return bool(a and b) and (a == b or fuzz.ratio(a, b) >= 90)


def _agency_slug(name, agencies, proposed=()):
    """The fixture agency a proposed party or organisation names, or the name itself."""
    if not name:
        return None
    for agency in agencies:
        if name in (agency["slug"], agency["acronym"]) or _same_name(name, agency["name"]):
            return agency["slug"]
    for proposal in proposed:
        if name in (proposal["name"], proposal["acronym"]) and proposal["kind"] == "government":
            for agency in agencies:
                if agency["kind"] == "government" and agency["country"] == proposal["country"]:
                    return agency["slug"]
    return fold(name)


def _match(proposals, expected, same):
    """Pairs each expected record with at most one proposal: (found, correct proposals), a
    proposal of the record's own kind first."""
    used, paired = set(), set()
    found = []
    for first_pass in (True, False):
        for number, record in enumerate(expected):
            if number in paired:
                continue
            for index, proposal in enumerate(proposals):
                if first_pass and proposal.get("kind", record.get("kind")) != record.get("kind"):
                    continue
                if index not in used and same(proposal, record):
                    used.add(index)
                    paired.add(number)
                    found.append((record, proposal))
                    break
    return found, used


def _expected_date(record):
    return iso_date(record.get("year"), record.get("month"), record.get("day"))


def evaluate(directory, *, empty_catalogue=False, sources=None):
    """Scores over every source of the fixtures (or those named)."""
    fixtures = {name: _load(directory, name) for name in ("sources", *KINDS)}
    all_agencies = fixtures["agencies"]
    scores = Scores()
    for source in fixtures["sources"]:
        slug = source["slug"]
        if sources and slug not in sources:
            continue
        text = source["text"] if isinstance(source["text"], str) else "\n".join(source["text"])
        gazetteer = Gazetteer() if empty_catalogue else Gazetteer.from_fixtures(directory, slug)
        result = propose(text, gazetteer)
        _score_source(scores, slug, text, result, fixtures, all_agencies)
    return scores


def _score_source(scores, slug, text, result, fixtures, all_agencies):
    def same_agency(proposal, record):
        return (
            proposal["existing"] == record["slug"]
            or (proposal["acronym"] and proposal["acronym"] == record["acronym"])
            or _same_name(proposal["name"], record["name"])
            # A government is named by its country ("Government of China").
            or (
                proposal["kind"] == record["kind"] == "government"
                and proposal["country"] == record["country"]
            )
        )

    def same_person(proposal, record):
        if not (
            proposal["existing"] == record["slug"] or _same_name(proposal["name"], record["name"])
        ):
            return False
        wanted = {role["agency"] for role in record.get("roles", []) if role["source"] == slug}
        if not wanted:
            return True
        return _agency_slug(proposal["organisation"], all_agencies) in wanted

    def same_agreement(proposal, record):
        parties = {_agency_slug(p, all_agencies, result["agencies"]) for p in proposal["parties"]}
        start = proposal["date"]["start"]
        year = int(start[:4]) if start else None
        return parties == set(record["parties"]) and year == record.get("year")

    def same_mission(proposal, record):
        return proposal["existing"] == record["slug"] or any(
            _same_name(proposal["name"], name) for name in (record["name"], record.get("full_name"))
        )

    def same_event(proposal, record):
        return (
            proposal["existing"] == record["slug"]
            or fuzz.token_set_ratio(fold(proposal["name"]), fold(record["name"])) >= 85
        )

    rules = {
        "agencies": same_agency,
        "people": same_person,
        "agreements": same_agreement,
        "missions": same_mission,
        "events": same_event,
    }
    for kind, same in rules.items():
        expected = _of_source(fixtures[kind], slug)
        proposals = result[kind]
        counted = expected
        if kind == "missions":
            counted = [r for r in expected if "unnamed)" not in r["name"]]
        tally = scores.tallies[kind]
        found, _ = _match(proposals, counted, same)
        _, correct = _match(proposals, expected, same)
        # A proposal is right when it matches any record of the release (an unnamed mission
        # proposed is not a mistake, though only named ones are counted as expected).
        tally.expected += len(counted)
        tally.proposed += len(proposals)
        tally.found += len(found)
        tally.correct += len(correct)
        matched = {r["slug"] for r, _ in found}
        tally.misses += [f"{slug}: {r['slug']}" for r in counted if r["slug"] not in matched]
        tally.extras += [
            f"{slug}: {p.get('name') or p.get('title')}"
            for index, p in enumerate(proposals)
            if index not in correct
        ]
        if kind == "agreements":
            for record, proposal in found:
                scores.dates_checked += 1
                want = (_expected_date(record), record["date_precision"])
                got = (proposal["date"]["start"], proposal["date"]["precision"])
                if want == got:
                    scores.dates_right += 1
                else:
                    scores.date_misses.append(f"{slug}: {record['slug']} {want} ≠ {got}")
        for proposal in proposals:
            for quote in proposal.get("quotes") or [proposal["quote"]]:
                scores.quotes += 1
                scores.quotes_verbatim += quote_occurs_in(quote, text)
