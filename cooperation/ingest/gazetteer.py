"""What the catalogue already knows, as the assistant looks names up: agencies by name and
acronym, people, missions, events and agreements — read from the database or, for the
leave-one-out evaluation, from the fixture files without one source's records."""

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz, process

from .vocabulary import FRENCH_THEME_WORDS, GENERIC_THEME_WORDS, fold

_WORD = re.compile(r"[\w][\w'’.&-]*")


def _continues(text, end):
    """Whether a word goes on at `end` (so that a name found there is only part of a word)."""
    return end < len(text) and (text[end].isalnum() or text[end] in "-_")


@dataclass
class Gazetteer:
    agencies: list = field(default_factory=list)  # {slug, name, acronym, country, kind}
    people: list = field(default_factory=list)  # {slug, name, roles: [(title, agency slug)]}
    missions: list = field(default_factory=list)  # {slug, name, full_name, kind}
    events: list = field(default_factory=list)  # {slug, name, year}
    themes: list = field(default_factory=list)  # {slug, name}
    agreements: list = field(default_factory=list)  # {slug, title, kind, parties, year}
    # From the database, agreements are looked up there (by year and kind), not all read.
    in_database: bool = False

    @classmethod
    def from_database(cls):
        from ..models import Agency, Event, Mission, Person, Role, Theme

        roles = {}
        for person_id, title, agency in Role.objects.values_list(
            "person_id", "title", "agency__slug"
        ):
            roles.setdefault(person_id, []).append((title, agency))
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
            themes=[{"slug": s, "name": n} for s, n in Theme.objects.values_list("slug", "name")],
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
            themes=[{"slug": r["slug"], "name": r["name"]} for r in records("themes")],
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
    # An index by first word, built once: a catalogue of thousands of names is searched in one
    # pass over the release's words (a regular expression of them all took a third of a second
    # to compile at 5,000 people).

    @staticmethod
    def _index(names):
        """{first word: [(name, record)], longest name first} for names → records."""
        index = {}
        for name, record in names.items():
            words = name.split()
            if words:
                index.setdefault(words[0], []).append((name, record))
        for candidates in index.values():
            candidates.sort(key=lambda pair: -len(pair[0]))
        return index

    @staticmethod
    def _find(index, text):
        """(record, (start, end)) for each name of the index that `text` holds, whole words
        only, the longest at each place, none overlapping."""
        found, taken_until = [], 0
        for word in _WORD.finditer(text):
            start = word.start()
            if start < taken_until:
                continue
            for name, record in index.get(word.group(0), ()):
                end = start + len(name)
                if text.startswith(name, start) and not _continues(text, end):
                    found.append((record, (start, end)))
                    taken_until = end
                    break
        return found

    @cached_property
    def _agency_index(self):
        acronyms = {a["acronym"]: a for a in self.agencies if len(a["acronym"] or "") >= 2}
        names = {fold(a["name"]): a for a in self.agencies if a["name"] and len(a["name"]) > 3}
        return self._index(acronyms), self._index(names)

    def agencies_in(self, reading, folded):
        """(agency, (start, end)) for each place the text names a catalogue agency: acronyms
        as written, names in any case and with or without accents (`folded` is the reading
        folded, character for character)."""
        acronyms, names = self._agency_index
        found = self._find(acronyms, reading) + self._find(names, folded)
        return sorted(found, key=lambda pair: pair[1][0])

    @cached_property
    def _people_index(self):
        return self._index({fold(p["name"]): p for p in self.people if len(p["name"].split()) >= 2})

    def people_in(self, folded):
        return self._find(self._people_index, folded)

    @cached_property
    def _mission_index(self):
        exact, loose = {}, {}
        for mission in self.missions:
            for name in (mission["name"], mission["full_name"]):
                if not name or len(name) < 3 or "(" in name:
                    continue
                if name.isupper() or len(name) <= 6:
                    exact[name] = mission
                else:
                    loose[fold(name)] = mission
        return self._index(exact), self._index(loose)

    def missions_in(self, reading, folded):
        exact, loose = self._mission_index
        found = self._find(exact, reading) + self._find(loose, folded)
        return sorted(found, key=lambda pair: pair[1][0])

    # Lookups ------------------------------------------------------------------------------
    # Names are folded once, and compared with rapidfuzz's process.extractOne (one C loop over
    # the catalogue's names per lookup, stopped below the cut-off); each answer is kept for the
    # release, which asks for the same names many times.

    @cached_property
    def _folded(self):
        agencies = [
            (fold(candidate), agency)
            for agency in self.agencies
            for candidate in (agency["name"], agency["acronym"])
            if candidate and not (candidate.isupper() and len(candidate) <= 8)
        ]
        by_acronym = {}
        for agency in self.agencies:
            if agency["acronym"]:
                by_acronym.setdefault(agency["acronym"], agency)
        missions = [
            (fold(candidate), mission)
            for mission in self.missions
            for candidate in (mission["name"], mission["full_name"])
            if candidate
        ]
        return {
            "agencies": ([f for f, _ in agencies], [a for _, a in agencies]),
            "by_acronym": by_acronym,
            "people": ([fold(p["name"]) for p in self.people], self.people),
            "missions": ([f for f, _ in missions], [m for _, m in missions]),
        }

    @cached_property
    def _answers(self):
        return {}

    def _nearest(self, table, name, cutoff):
        key = (table, name, cutoff)
        if key not in self._answers:
            names, records = self._folded[table]
            found = process.extractOne(fold(name), names, scorer=fuzz.ratio, score_cutoff=cutoff)
            self._answers[key] = records[found[2]] if found else None
        return self._answers[key]

    def agency(self, name="", acronym=""):
        """The catalogue's agency with this acronym or (nearly) this name, or None."""
        if acronym and acronym in self._folded["by_acronym"]:
            return self._folded["by_acronym"][acronym]
        if name and acronym != name and name in self._folded["by_acronym"]:
            return self._folded["by_acronym"][name]
        return self._nearest("agencies", name, 90) if name else None

    @cached_property
    def _theme_patterns(self):
        """(theme, pattern) for each theme: its name's telling words as whole words (a plural
        too), and their French stems."""
        found = []
        for theme in self.themes:
            words = [
                w
                for w in re.findall(r"[a-z]+", fold(theme["name"]))
                if w not in GENERIC_THEME_WORDS and len(w) > 3
            ]
            if not words:
                continue
            english = [re.escape(w[:-1] if w.endswith("s") else w) + r"(?:s|es)?" for w in words]
            french = [
                re.escape(fold(f)) + r"\w*" for w in words for f in FRENCH_THEME_WORDS.get(w, [])
            ]
            found.append((theme, re.compile(rf"\b(?:{'|'.join(english + french)})\b")))
        return found

    def themes_in(self, text):
        """The slugs of the themes a text speaks of, in the catalogue's order."""
        folded = fold(text)
        return [theme["slug"] for theme, pattern in self._theme_patterns if pattern.search(folded)]

    def general_theme(self):
        """The catalogue's theme for cooperation not limited to one field, if it has one."""
        return next((t["slug"] for t in self.themes if "general" in t["slug"]), None)

    def agency_by_slug(self, slug):
        return next((a for a in self.agencies if a["slug"] == slug), None)

    def person(self, name):
        return self._nearest("people", name, 90)

    def mission(self, name):
        return self._nearest("missions", name, 92)

    @cached_property
    def _folded_events(self):
        return [fold(e["name"]) for e in self.events]

    def event(self, name, year=None):
        """The catalogue's event of (nearly) this name, in this year when both have one."""
        found = process.extract(
            fold(name),
            self._folded_events,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=90,
            limit=10,
        )
        for _, _, index in found:
            event = self.events[index]
            if not (year and event["year"] and event["year"] != year):
                return event
        return None

    def agreement(self, parties, year, kind):
        """The catalogue's agreement with these parties (slugs), year and kind, or None. With
        no party named, only one of the same (specific) kind and year."""
        wanted = sorted(parties)
        if not wanted and kind == "other":
            return None
        if self.in_database:
            from ..models import Agreement

            candidates = (
                Agreement.objects.filter(year=year)
                if year
                else Agreement.objects.filter(year__isnull=True)
            )
            candidates = candidates.filter(kind__in=[kind, "other"] if wanted else [kind])
            if wanted:
                # Agreements of the first party only: a few, where a year and kind are thousands.
                candidates = candidates.filter(parties__slug=wanted[0])
            else:
                candidates = candidates.filter(parties__isnull=True)
            for agreement in candidates.prefetch_related("parties")[:50]:
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
