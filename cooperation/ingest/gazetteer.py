"""What the catalogue already knows, as the assistant looks names up: agencies by name and
acronym, people, missions, events and agreements — read from the database or, for the
leave-one-out evaluation, from the fixture files without one source's records."""

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz

from .vocabulary import fold


@dataclass
class Gazetteer:
    agencies: list = field(default_factory=list)  # {slug, name, acronym, country, kind}
    people: list = field(default_factory=list)  # {slug, name, roles: [(title, agency slug)]}
    missions: list = field(default_factory=list)  # {slug, name, full_name, kind}
    events: list = field(default_factory=list)  # {slug, name, year}
    agreements: list = field(default_factory=list)  # {slug, title, kind, parties, year}
    # From the database, agreements are looked up there (by year and kind), not all read.
    in_database: bool = False

    @classmethod
    def from_database(cls):
        from ..models import Agency, Agreement, Event, Mission, Person, Role

        roles = {}
        for person_id, title, agency in Role.objects.values_list(
            "person_id", "title", "agency__slug"
        ):
            roles.setdefault(person_id, []).append((title, agency))
        parties = {}
        for agreement_id, slug in Agreement.parties.through.objects.values_list(
            "agreement_id", "agency__slug"
        ):
            parties.setdefault(agreement_id, []).append(slug)
        return cls(
            agencies=[
                {"slug": s, "name": n, "acronym": a, "country": c, "kind": k}
                for s, n, a, c, k in Agency.objects.values_list(
                    "slug", "name", "acronym", "country__code", "kind"
                )
            ],
            people=[
                {"slug": s, "name": n, "roles": roles.get(pk, [])}
                for pk, s, n in Person.objects.values_list("pk", "slug", "name")
            ],
            missions=[
                {"slug": s, "name": n, "full_name": f, "kind": k}
                for s, n, f, k in Mission.objects.values_list("slug", "name", "full_name", "kind")
            ],
            events=[
                {"slug": s, "name": n, "year": y}
                for s, n, y in Event.objects.values_list("slug", "name", "year")
            ],
            in_database=True,
        )

    @classmethod
    def from_fixtures(cls, directory, leaving_out=None):
        """The catalogue of the fixture files, less every record that only `leaving_out` (a
        source slug) supports: what the atlas held before that release was read."""
        directory = Path(directory)

        def records(name):
            kept = []
            for record in json.loads((directory / f"{name}.json").read_text(encoding="utf-8")):
                sources = {q["source"] for q in record.get("quotes", [])}
                sources |= {r["source"] for r in record.get("roles", [])}
                if leaving_out and sources and sources <= {leaving_out}:
                    continue
                kept.append(record)
            return kept

        return cls(
            agencies=[
                {k: r.get(k) for k in ("slug", "name", "acronym", "country", "kind")}
                for r in records("agencies")
            ],
            people=[
                {
                    "slug": r["slug"],
                    "name": r["name"],
                    "roles": [
                        (role["title"], role["agency"])
                        for role in r.get("roles", [])
                        if role["source"] != leaving_out
                    ],
                }
                for r in records("people")
            ],
            missions=[
                {k: r.get(k) or "" for k in ("slug", "name", "full_name", "kind")}
                for r in records("missions")
            ],
            events=[
                {"slug": r["slug"], "name": r["name"], "year": r.get("year")}
                for r in records("events")
            ],
            agreements=[
                {
                    "slug": r["slug"],
                    "title": r["title"],
                    "kind": r["kind"],
                    "year": r.get("year"),
                    "parties": sorted(r.get("parties", [])),
                }
                for r in records("agreements")
            ],
        )

    # Finding the catalogue's names in a text ----------------------------------------------
    # One regular expression per kind of name, built once: a catalogue of thousands of names
    # is searched in one pass over the release.

    @staticmethod
    def _pattern(names, flags=0):
        names = sorted({n for n in names if n}, key=len, reverse=True)
        if not names:
            return None
        alternation = "|".join(re.escape(n) for n in names)
        return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", flags)

    @cached_property
    def _agency_names(self):
        by_acronym = {
            a["acronym"]: a for a in self.agencies if a["acronym"] and len(a["acronym"]) >= 2
        }
        by_name = {fold(a["name"]): a for a in self.agencies if a["name"] and len(a["name"]) > 3}
        return by_acronym, by_name, self._pattern(by_acronym), self._pattern(by_name)

    def agencies_in(self, reading, folded):
        """(agency, match) for each place the text names a catalogue agency: acronyms as
        written, names in any case and with or without accents (`folded` is the reading
        folded, character for character)."""
        by_acronym, by_name, acronyms, names = self._agency_names
        found = []
        if acronyms:
            found += [(by_acronym[m.group(0)], m) for m in acronyms.finditer(reading)]
        if names:
            found += [(by_name[m.group(0)], m) for m in names.finditer(folded)]
        return sorted(found, key=lambda pair: pair[1].start())

    @cached_property
    def _people_names(self):
        by_name = {fold(p["name"]): p for p in self.people if len(p["name"].split()) >= 2}
        return by_name, self._pattern(by_name)

    def people_in(self, folded):
        by_name, pattern = self._people_names
        return [(by_name[m.group(0)], m) for m in pattern.finditer(folded)] if pattern else []

    @cached_property
    def _mission_names(self):
        exact, loose = {}, {}
        for mission in self.missions:
            for name in (mission["name"], mission["full_name"]):
                if not name or len(name) < 3 or "(" in name:
                    continue
                if name.isupper() or len(name) <= 6:
                    exact[name] = mission
                else:
                    loose[name.lower()] = mission
        return exact, loose, self._pattern(exact), self._pattern(loose, re.IGNORECASE)

    def missions_in(self, reading):
        exact, loose, exact_pattern, loose_pattern = self._mission_names
        found = []
        if exact_pattern:
            found += [(exact[m.group(0)], m) for m in exact_pattern.finditer(reading)]
        if loose_pattern:
            found += [(loose[m.group(0).lower()], m) for m in loose_pattern.finditer(reading)]
        return sorted(found, key=lambda pair: pair[1].start())

    # Lookups ------------------------------------------------------------------------------

    def agency(self, name="", acronym=""):
        """The catalogue's agency with this acronym or (nearly) this name, or None."""
        if acronym:
            for agency in self.agencies:
                if agency["acronym"] and agency["acronym"] == acronym:
                    return agency
        if name:
            folded = fold(name)
            best, score = None, 0
            for agency in self.agencies:
                for candidate in (agency["name"], agency["acronym"]):
                    if not candidate:
                        continue
                    if candidate.isupper() and len(candidate) <= 8 and candidate != name:
                        continue
                    ratio = fuzz.ratio(folded, fold(candidate))
                    if ratio > score:
                        best, score = agency, ratio
            if score >= 90:
                return best
        return None

    def agency_by_slug(self, slug):
        return next((a for a in self.agencies if a["slug"] == slug), None)

    def person(self, name):
        folded = fold(name)
        best, score = None, 0
        for person in self.people:
            ratio = fuzz.ratio(folded, fold(person["name"]))
            if ratio > score:
                best, score = person, ratio
        return best if score >= 90 else None

    def mission(self, name):
        folded = fold(name)
        for mission in self.missions:
            for candidate in (mission["name"], mission["full_name"]):
                if candidate and fuzz.ratio(folded, fold(candidate)) >= 92:
                    return mission
        return None

    def event(self, name, year=None):
        folded = fold(name)
        best, score = None, 0
        for event in self.events:
            if year and event["year"] and abs(event["year"] - year) > 0:
                continue
            ratio = fuzz.token_sort_ratio(folded, fold(event["name"]))
            if ratio > score:
                best, score = event, ratio
        return best if score >= 90 else None

    def agreement(self, parties, year, kind):
        """The catalogue's agreement with these parties (slugs), year and kind, or None. With
        no party named, only one of the same (specific) kind and year."""
        wanted = sorted(parties)
        if not wanted and kind == "other":
            return None
        if self.in_database:
            from ..models import Agreement

            kinds = (
                [kind, "other"] if kind != "other" and wanted else [kind] if not wanted else None
            )
            candidates = (
                Agreement.objects.filter(year=year)
                if year
                else Agreement.objects.filter(year__isnull=True)
            )
            if kinds:
                candidates = candidates.filter(kind__in=kinds)
            for agreement in candidates.prefetch_related("parties")[:200]:
                if sorted(a.slug for a in agreement.parties.all()) == wanted:
                    return {"slug": agreement.slug}
            return None
        for agreement in self.agreements:
            if (
                agreement["parties"] == wanted
                and agreement["year"] == year
                and (agreement["kind"] == kind or (wanted and "other" in (agreement["kind"], kind)))
            ):
                return agreement
        return None
