"""Reading a press release into proposals: every agency, person, agreement, mission and event it
names, each with the verbatim quote that supports it, its confidence, and the catalogue record it
matches. Rules over the sentences, in English and French; nothing is written."""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from . import dating
from .documents import Document, language_of
from .vocabulary import (
    AGENCY_WORDS,
    COUNTRIES,
    EVENT_WORDS,
    HONORIFICS,
    INSTRUMENTS,
    KIND_FALLBACK,
    MISSION_WORDS,
    MONTHS,
    TITLES,
    WEEKDAYS,
    alternation,
    fold,
)

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
CAP = rf"[{UPPER}][{LOWER}{UPPER}'’]*(?:-[{UPPER}{LOWER}][{LOWER}{UPPER}]*)*"
# A person's name: two to four capitalised words ("Jean-Yves Le Gall", "Dinh Thi Mai Thanh").
NAME = rf"{CAP}(?: {CAP}){{1,3}}"
CONNECTORS = {
    "of",
    "and",
    "for",
    "the",
    "on",
    "de",
    "du",
    "des",
    "la",
    "le",
    "et",
    "pour",
    "d'",
    "d’",
    "l'",
    "l’",
}
ARTICLES = {
    "the",
    "a",
    "an",
    "le",
    "la",
    "les",
    "l'",
    "l’",
    "un",
    "une",
    "its",
    "his",
    "her",
    "their",
    "son",
    "sa",
    "ses",
    "leur",
}
_ALL_TITLES = TITLES["en"] + TITLES["fr"]
_ARTICLE_HEADS = {
    "University",
    "Government",
    "Institute",
    "Academy",
    "Ministry",
    "Office",
    "Republic",
    "Agency",
    "Université",
    "Ministère",
    "Institut",
}
TITLE = alternation(_ALL_TITLES)
HONORIFIC = alternation(HONORIFICS)
_COUNTRY_NAMES = {fold(n): code for code, names, _ in COUNTRIES for n in names}
_ADJECTIVES = {fold(a): code for code, _, adjectives in COUNTRIES for a in adjectives}
COUNTRY = alternation([n for _, names, _ in COUNTRIES for n in names])
ADJECTIVE = alternation(
    [a[0].upper() + a[1:] for _, _, adjectives in COUNTRIES for a in adjectives]
)
_CALENDAR_WORDS = {fold(w) for words in (*MONTHS.values(), *WEEKDAYS.values()) for w in words}
_NOT_NAMES = {
    "the",
    "this",
    "these",
    "after",
    "before",
    "during",
    "since",
    "first",
    "second",
    "third",
    "and",
    "in",
    "on",
    "at",
    "for",
    "with",
    "space",
    "tel",
    "press",
    "contacts",
    "contact",
    "president",
    "presidents",
    "prime",
    "minister",
    "earth",
    "agency",
    "institute",
    "university",
    "academy",
    "summit",
    "show",
    "observatory",
    "centre",
    "center",
    "station",
    "office",
    "administration",
    "laboratory",
    "french",
    "chinese",
    "vietnamese",
    "korean",
    "japanese",
    "lastly",
    "today",
    "les",
    "release",
    "communiqué",
    "paris",
    "beijing",
    "tokyo",
    "toulouse",
    "shanghai",
    "hanoi",
    "seoul",
    "nous",
    "il",
    "elle",
}
_SIGNING = re.compile(
    r"\b(?:sign(?:s|ed|ing|ature)?|conclu(?:ded|de|ent|t)?|sign[ée]e?s?|signat(?:ure|aires?)|"
    r"adopt(?:ed|é|ée)|released|extend(?:ed|ing)|renew(?:ed)?|paraph)",
    re.IGNORECASE,
)
_PRESENCE = re.compile(
    r"\b(?:in the presence of|en présence de|invited|a invité)\b[^,;]*", re.IGNORECASE
)
_ANAPHOR = re.compile(
    r"\b(?:the (?:two )?(?:agency heads|agencies|partners|parties|organi[sz]ations|institutions)|"
    r"both (?:agencies|partners|parties|sides)|these efforts|this cooperation|they|"
    r"les (?:deux )?(?:agences|partenaires|parties|organismes|institutions)|ces travaux|ils|"
    r"elles)\b",
    re.IGNORECASE,
)
_RECALLED = re.compile(
    r"\b(?:had (?:previously |already |earlier )?signed|previously|under (?:an?|the|this)|"
    r"governed by|pursued under|began with|following the|since|in place|"
    r"avaient? (?:déjà |également )?signé|précédemment|dans le cadre d['’]|depuis|conformément)\b",
    re.IGNORECASE,
)
# English's present perfect speaks of an earlier signature ("CNES has also signed"); French
# uses its passé composé for today's too ("ont signé"), so only the pluperfect counts there.
_EARLIER_SIGNED = re.compile(
    r"\b(?:has|have) (?:also |already |previously )?signed|"
    r"\b(?:avait|avaient) (?:également |déjà )?signé",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:will (?:sign|be signed)|to be signed|is to sign|are to sign|set to sign|"
    r"invited [^.]*? to the signing|plans? to sign|will conclude|sera signée?|signeront|"
    r"signera|doit être signée?|devrait être signée?)\b",
    re.IGNORECASE,
)
_IN_FORCE = re.compile(
    r"\b(?:under (?:an?|the)|governed by|pursued under|dans le cadre d['’]|"
    r"régie? par)\b",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?:the|this|these|that|those|such|our|their|its|cet|cette|ces|ce|ceux|leur|leurs)|"
    r"\bl['’])\s+(?:(?:new|latest|same|present|first|second|nouvel|nouveau|nouvelle|même)\s+)*"
    # "the Paris Agreement", "the Artemis Accords": a named instrument, cited
    r"(?:(?-i:[A-Z][\w’'-]+)\s+)*$",
    re.IGNORECASE,
)
_PLURAL_COUNT = re.compile(
    r"\b(?:two|three|four|five|several|many|multiple|various|deux|trois|quatre|plusieurs|"
    r"divers|(?<![\d-])\d{1,2})\s+(?:new\s+|other\s+|nouveaux\s+)?$",
    re.IGNORECASE,
)


@dataclass
class Mention:
    """Something named at a place of the reading, on its way to becoming a proposal."""

    kind: str  # agency, person, mission, event
    key: str
    start: int
    end: int
    quote: str
    fields: dict = field(default_factory=dict)
    confidence: float = 0.5
    existing: str | None = None


def _as_date(iso):
    """A date from an ISO date as precise as known ("2018", "2018-06", "2018-06-25")."""
    import datetime

    parts = [int(p) for p in iso.split("-")] + [1, 1]
    return datetime.date(parts[0], parts[1], parts[2])


class Reader:
    """One release read once; `proposals()` gives the command's JSON object."""

    def __init__(self, text, gazetteer, *, language="auto", source_date=None):
        self.document = Document(text)
        self.reading = self.document.reading
        self.folded = "".join(f if len(f := fold(c)) == 1 else c for c in self.reading)
        self.gazetteer = gazetteer
        self.language = language if language in ("en", "fr") else language_of(text) or "en"
        self.source_date = source_date
        self.agencies = {}
        self.people = {}
        self.missions = {}
        self.events = {}
        self.agreements = []

    # Shared helpers -----------------------------------------------------------------------

    def sentence_text(self, position):
        sentence = self.document.sentence_at(position)
        return sentence.text if sentence else self.reading[position : position + 200]

    def body_sentences(self):
        """The sentences of the body: after the title lines and the dateline."""
        sentences = self.document.sentences
        for index, sentence in enumerate(sentences):
            if len(sentence.text.split()) >= 12 and sentence.text[-1:] in '.!?”"':
                return sentences[index:]
        return sentences

    # Dates --------------------------------------------------------------------------------

    def find_dateline(self):
        """The release's date as printed above its text ("Paris, 28 October 2013")."""
        head = self.document.sentences[:12]
        body_start = self.body_sentences()[0].start if self.body_sentences() else 0
        for sentence in head:
            if sentence.start >= body_start:
                break
            text = sentence.text.strip("*# ")
            found = dating.mentions_in(text)
            if len(found) != 1 or found[0].kind not in ("day", "day_us") or not found[0].year:
                continue
            mention = found[0]
            rest = (text[: mention.start] + text[mention.end :]).strip(" ,.-–*#")
            rest = re.sub(r"^(?:le|on)\b", "", rest.strip(), flags=re.IGNORECASE).strip(" ,")
            rest = re.sub(r",?\s*le$", "", rest).strip(" ,")
            if len(rest.split()) > 4:
                continue
            import datetime

            date = datetime.date(mention.year, mention.month, mention.day)
            return {
                "text": sentence.text,
                "date": date.isoformat(),
                "place": rest or None,
                "start": sentence.start,
            }
        return self._dateline_leading_the_body()

    def _dateline_leading_the_body(self):
        """A dateline that opens the first paragraph: "PARIS, 12 March 2024 – CNES and…",
        "Toulouse, le 5 juin 2019 — Le CNES…"."""
        import datetime

        for sentence in self.body_sentences()[:2]:
            opening = re.match(
                rf"(?P<place>[{UPPER}][\w.'’ -]{{1,40}}?),? (?:le |on )?(?P<date>[^–—]{{6,40}}?)"
                r"\s*[–—-]\s",
                sentence.text,
            )
            if not opening:
                continue
            found = dating.mentions_in(opening.group("date"))
            if len(found) != 1 or found[0].kind not in ("day", "day_us") or not found[0].year:
                continue
            mention = found[0]
            if opening.group("date")[mention.end :].strip(" ,"):
                continue
            date = datetime.date(mention.year, mention.month, mention.day)
            return {
                "text": sentence.text[: opening.end()].strip(" –—-"),
                "date": date.isoformat(),
                "place": opening.group("place").strip(" ,") or None,
                "start": sentence.start,
            }
        return None

    def find_reference(self):
        import datetime

        if self.source_date:
            return dating.Reference(
                self.source_date, f"the date given, {self.source_date:%-d %B %Y}", True
            )
        if self.dateline:
            date = datetime.date.fromisoformat(self.dateline["date"])
            return dating.Reference(date, f"dated {date:%-d %B %Y}", True)
        return self._reference_from_text()

    def _reference_from_text(self):
        """No dateline: the release is read as written after the latest year it states, and
        dated by the first day it mentions without a year (the calendar fixes the year when a
        weekday is given)."""
        import datetime

        mentions = [
            m
            for s in self.body_sentences()
            for m in (dating.shifted(x, s.start) for x in dating.mentions_in(s.text))
        ]
        stated = [m for m in mentions if m.year and m.kind != "year_range"]
        if not stated:
            return None
        latest = max(stated, key=lambda m: (m.year, m.month or 0, m.day or 0))
        floor = datetime.date(latest.year, latest.month or 12, latest.day or 28)
        written = f"“{latest.text.strip()}”"
        for mention in mentions:
            if mention.year or mention.month is None or not mention.day:
                continue
            day, month = mention.day, mention.month
            if mention.weekday is not None:
                check_day = mention.end_day or day
                check_month = mention.end_month or month
                for year in range(floor.year, floor.year + 12):
                    try:
                        date = datetime.date(year, check_month, check_day)
                    except ValueError:
                        continue
                    if date > floor and date.weekday() == mention.weekday:
                        start = datetime.date(year, month, day)
                        return dating.Reference(
                            start,
                            f"the release is undated; its “{mention.text}” falls on that weekday "
                            f"in {year}, the first such year after the latest date it states "
                            f"({written})",
                            False,
                        )
            year = floor.year if (month, day) > (floor.month, floor.day) else floor.year + 1
            try:
                start = datetime.date(year, month, day)
            except ValueError:
                continue
            return dating.Reference(
                start,
                f"the release is undated; its “{mention.text}” is read as the first such day "
                f"after the latest date it states ({written}), in {year}",
                False,
            )
        return dating.Reference(
            floor, f"the release is undated; the latest date it states is {written}", False
        )

    def date_of(self, mention, clause=""):
        """A mention resolved against the release's date, in the tense of its clause."""
        return dating.resolve(mention, self.reference, dating.tense_of(clause))

    def clause_of(self, text, mention):
        """The words around a date in its sentence, up to the nearest commas."""
        left = text.rfind(",", 0, mention.start)
        right = text.find(",", mention.end)
        return text[left + 1 : right if right >= 0 else len(text)]

    # Organisations -----------------------------------------------------------------------

    def add_agency(
        self, name, acronym, start, end, quote, *, confidence, kind=None, country=None, how=""
    ):
        name = name.strip(" ,.;:")
        acronym = (acronym or "").strip()
        if not name and not acronym:
            return None
        known = self.gazetteer.agency(name=name, acronym=acronym)
        key = known["slug"] if known else slugify(acronym or name)
        for existing_key, mention in self.agencies.items():
            if (
                existing_key == key
                or (acronym and mention.fields["acronym"] == acronym)
                or (name and fold(mention.fields["name"]) == fold(name))
            ):
                if not mention.fields["acronym"] and acronym:
                    mention.fields["acronym"] = acronym
                if len(name) > len(mention.fields["name"]) and not known:
                    mention.fields["name"] = name
                defining = how in ("name (ACRONYM)", "ACRONYM (name)", "title of name")
                if confidence > mention.confidence or (
                    defining and mention.fields["how"] not in ("name (ACRONYM)", "ACRONYM (name)")
                ):
                    mention.confidence = max(confidence, mention.confidence)
                    mention.quote = quote
                    mention.fields["how"] = how
                mention.fields.setdefault("spans", []).append((start, end))
                return mention
        if known:
            fields = {
                "name": known["name"],
                "acronym": known["acronym"] or "",
                "country": known["country"],
                "kind": known["kind"],
            }
            confidence = max(confidence, 0.9)
        else:
            fields = {
                "name": name or acronym,
                "acronym": acronym,
                "country": country or self.country_in_name(name),
                "kind": kind or self.agency_kind(name, start),
            }
        fields["spans"] = [(start, end)]
        fields["how"] = how
        mention = Mention(
            "agency", key, start, end, quote, fields, confidence, known["slug"] if known else None
        )
        self.agencies[key] = mention
        return mention

    def country_in_name(self, name):
        folded = fold(name)
        for country, code in sorted(_COUNTRY_NAMES.items(), key=lambda x: -len(x[0])):
            if re.search(rf"\b{re.escape(country)}\b", folded):
                return code
        for adjective, code in _ADJECTIVES.items():
            if re.search(rf"\b{re.escape(adjective)}\b", folded):
                return code
        return None

    def agency_kind(self, name, start=None):
        for kind, pattern in AGENCY_WORDS:
            if re.search(pattern, name):
                return kind
        context = self.reading[start : start + 120] if start is not None else ""
        if re.search(r"\bas (?:prime )?contractor|manufacturer|company|industrial", context):
            return "company"
        return "other"

    def is_mission_name(self, name, after=""):
        if self.gazetteer.mission(name):
            return True
        for _, pattern in MISSION_WORDS[:4]:
            if re.search(pattern, name):
                return True
        return bool(re.search(r"\bSystem\b|\bSystème\b", name))

    def is_event_name(self, name):
        return any(re.search(rf"\b(?:{pattern})\b", name) for _, pattern in EVENT_WORDS)

    def find_agencies(self):
        reading = self.reading
        # 1. The catalogue's own names and acronyms.
        for agency, (start, end) in self.gazetteer.agencies_in(reading, self.folded):
            self.add_agency(
                agency["name"],
                agency["acronym"],
                start,
                end,
                self.phrase_around(start, end),
                confidence=0.95,
                how="catalogue",
            )
        # 2. "Full Name (ACRONYM)" and "ACRONYM (Full Name)".
        for match in re.finditer(r"\(([A-Z][A-Za-z0-9&-]{1,11})\)", reading):
            acronym = match.group(1)
            if sum(c.isupper() for c in acronym) < 2:
                continue
            name, name_start = self.name_before(match.start())
            if not name:
                continue
            self.candidate(
                name, acronym, name_start, match.end(), confidence=0.85, how="name (ACRONYM)"
            )
        for match in re.finditer(r"(?<![\w-])([A-Z][A-Z0-9&-]{1,11}) \(([^()]{6,120})\)", reading):
            acronym, name = match.groups()
            if not re.match(rf"[{UPPER}]", name) or len(name.split()) < 2:
                continue
            self.candidate(
                name, acronym, match.start(), match.end(), confidence=0.85, how="ACRONYM (name)"
            )
        # 3. "President of the Korea Meteorological Administration", "Director of the X Office".
        for match in re.finditer(
            rf"\b(?i:{TITLE}) (?:of |du |de la |de l['’]|des |de |d['’])(?:the )?", reading
        ):
            name, end = self.name_after(match.end())
            if self.acronym_after(end):
                continue  # "Chair of the Board of the X Center (DLR)": the acronym's name wins
            if name and not self.country_code(name) and not self.is_mission_name(name):
                acronym = name if re.fullmatch(r"[A-Z][A-Z0-9&-]{1,11}", name) else ""
                if acronym:
                    self.add_agency(
                        acronym,
                        acronym,
                        match.end(),
                        end,
                        self.phrase_around(match.start(), end),
                        confidence=0.8,
                        how="title of ACRONYM",
                    )
                elif len(name.split()) >= 2:
                    self.candidate(name, "", match.end(), end, confidence=0.75, how="title of name")
        # 4. A bare acronym that holds a title or signs: "CNES President", "CNES has signed".
        for match in re.finditer(
            rf"(?<![\w-])([A-Z]{{2,8}})(?:['’]s)? (?:{TITLE})\b|(?<![\w-])([A-Z]{{2,8}}) "
            r"(?:has|have|had|and|signed|sign|signe|a signé|et)\b",
            reading,
        ):
            acronym = match.group(1) or match.group(2)
            if self.gazetteer.mission(acronym) or acronym in ("PR", "TEL", "FAX", "CEO", "PDG"):
                continue
            mention = self.agencies.get(slugify(acronym))
            self.add_agency(
                acronym,
                acronym,
                match.start(),
                match.start() + len(acronym),
                self.phrase_around(match.start(), match.end()),
                confidence=0.7 if mention is None else mention.confidence,
                how="acronym with a title",
            )
        # 4b. A bare acronym that another party signs with: "signed … with DLR", "between CNES
        # and ASI", in a sentence that speaks of an instrument or a signature.
        for sentence in self.document.sentences:
            if not _SIGNING.search(sentence.text) and not re.search(
                r"\b(?:agreement|memorandum|accord|protocole|letter|lettre)\b",
                sentence.text,
                re.IGNORECASE,
            ):
                continue
            for match in re.finditer(
                r"\b(?:with|between|and|by|et|avec|entre|par) (?:the |le |la |l['’])?"
                r"([A-Z][A-Z0-9]{2,7})\b(?![-(])",
                sentence.text,
            ):
                acronym = match.group(1)
                if (
                    self.gazetteer.mission(acronym)
                    or acronym in self.missions
                    or acronym in ("CEO", "PDG", "MOU", "MOUS", "TEL", "FAX")
                    or self.country_code(acronym)
                ):
                    continue
                start = sentence.start + match.start(1)
                self.add_agency(
                    acronym,
                    acronym,
                    start,
                    start + len(acronym),
                    self.phrase_around(start, start + len(acronym)),
                    confidence=0.6,
                    how="acronym that signs",
                )
        # 5. "the LEGOS space geophysics and oceanography research laboratory".
        for match in re.finditer(
            r"\bthe ([A-Z]{3,10}) ((?:[a-z-]+ ){0,6}(?:laboratory|institute|agency|university|"
            r"centre|center|company|observatory|administration))\b",
            reading,
        ):
            acronym = match.group(1)
            if self.gazetteer.mission(acronym):
                continue
            self.add_agency(
                acronym,
                acronym,
                match.start(1),
                match.end(),
                self.phrase_around(match.start(), match.end()),
                confidence=0.7,
                kind=self.agency_kind(match.group(2).title()),
                how="ACRONYM described",
            )
        # 5b. A name that ends as organisations' names do: "the UK Space Agency".
        for match in re.finditer(
            rf"\b(?:the|The) ((?:{CAP} ){{1,5}}(?:Agency|Administration|Institute|University|"
            r"Academy|Laboratory|Organisation|Organization|Ministry|Office|Council|Commission|"
            r"Foundation))\b(?! \(| (?:of|for|de|du|des|and|et)\b)",
            reading,
        ):
            inside = any(
                s < match.end(1) and match.start(1) < e
                for m in self.agencies.values()
                for s, e in m.fields["spans"]
            )
            if inside:
                continue
            self.candidate(
                match.group(1),
                "",
                *match.span(1),
                confidence=0.6,
                how="a name ending as organisations' do",
            )
        # 6. A company: "with Thales Alenia Space as prime contractor".
        for match in re.finditer(
            rf"\b(?:with|by) ({CAP}(?: {CAP}){{0,4}}) as (?:(?:the )?prime )?contractor", reading
        ):
            self.add_agency(
                match.group(1),
                "",
                match.start(1),
                match.end(1),
                self.phrase_around(match.start(), match.end()),
                confidence=0.6,
                kind="company",
                how="contractor",
            )
        # 7. "X, the Y agency of Z".
        for match in re.finditer(
            rf"({CAP}(?: {CAP}){{0,5}}), the (?:\w+ ){{0,3}}(?:space )?agency of ({COUNTRY})",
            reading,
        ):
            self.add_agency(
                match.group(1),
                "",
                match.start(1),
                match.end(1),
                self.phrase_around(match.start(), match.end()),
                confidence=0.75,
                country=self.country_code(match.group(2)),
                how="the agency of",
            )

    def collect_spans(self):
        """Every place each agency found is named again, by its acronym or its name."""
        for mention in self.agencies.values():
            spans = set(mention.fields["spans"])
            acronym, name = mention.fields["acronym"], mention.fields["name"]
            if acronym and len(acronym) >= 2:
                for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", self.reading):
                    spans.add(match.span())
            if name and len(name) > 3 and not mention.fields.get("no_spans"):
                for match in re.finditer(rf"(?<!\w){re.escape(fold(name))}(?!\w)", self.folded):
                    spans.add(match.span())
            if mention.fields.get("no_spans"):
                spans = set()
            mention.fields["spans"] = sorted(spans)

    def candidate(self, name, acronym, start, end, *, confidence, how):
        """A name that may be an organisation, a mission or an event: sorted by its words."""
        if self.is_event_name(name):
            return
        if self.is_mission_name(name) or (acronym and self.gazetteer.mission(acronym)):
            self.add_mission(
                acronym or name,
                start,
                end,
                full_name=name if acronym else "",
                confidence=0.8,
                how=how,
            )
            return
        if self.country_code(name) and len(name.split()) <= 4:
            return
        self.add_agency(
            name,
            acronym,
            start,
            end,
            self.phrase_around(start, end),
            confidence=confidence,
            how=how,
        )

    def country_code(self, name):
        folded = fold(name)
        folded = re.sub(r"^the ", "", folded)
        return _COUNTRY_NAMES.get(folded)

    def name_before(self, position):
        """The capitalised name that ends just before `position` ("…the Japan Aerospace
        Exploration Agency (" → "Japan Aerospace Exploration Agency")."""
        text = self.reading[max(0, position - 160) : position].rstrip()
        words = text.split(" ")
        taken = []
        for index in range(len(words) - 1, -1, -1):
            word = words[index]
            bare = word.strip(",;:")
            if bare != word and taken:
                break
            elided = re.match(rf"(?:[lLdD]['’])([{UPPER}].*)", bare)
            if elided:  # "l’Indian Space Research…": the article ends the name
                taken.append(elided.group(1))
                break
            if bare.lower() in ARTICLES:
                # "University of the Philippines" keeps its article; "and the Japan…" does not.
                if not (
                    index >= 2
                    and words[index - 1] in ("of", "de")
                    and words[index - 2] in _ARTICLE_HEADS
                ):
                    break
                taken.append(bare)
            elif re.match(rf"[{UPPER}]", bare) or (bare.lower() in CONNECTORS and taken):
                taken.append(bare)
            else:
                break
        while taken and taken[-1].lower() in CONNECTORS | ARTICLES:
            taken.pop()
        # A title is not part of the name: "President of the Korea…" names the institute.
        while len(taken) > 2 and re.fullmatch(rf"(?:{TITLE})", " ".join(reversed(taken[-1:]))):
            taken.pop()
            while taken and taken[-1].lower() in CONNECTORS | ARTICLES:
                taken.pop()
        before = text.rstrip()
        french = self.french_name(re.split(r"[’'](?=[A-ZÀ-Þ])", before)[-1], ending=True)
        if french and len(french.split()) > len(taken):
            return french, position - len(text) + text.rfind(french)
        if not taken:
            return "", position
        name = " ".join(reversed(taken))
        return name, position - len(text) + text.rfind(name) if name in text else position

    def french_name(self, text, *, ending):
        """A French organisation's name, which keeps its adjectives in lower case ("Agence
        spatiale brésilienne", "Centre national d'études spatiales"): from its head word to the
        end of `text` (ending=True, the name comes before an acronym) or as far as it goes."""
        heads = (
            r"(?:Agence|Centre|Institut|Université|Ministère|Académie|Office|Organisation|"
            r"Laboratoire|Observatoire|Conseil|Direction|Société|Commission|Fondation|École|"
            r"Administration|Comité|Établissement|Groupement)"
        )
        word = r"(?:[\w’'-]+)"
        link = r"(?:de|des|du|d['’]|l['’]|la|le|les|pour|en|à|aux)"
        stop = r"(?!(?:et|ont|a|est|sont|qui|que|dont|signé|signent|travaillent)\b)"
        if ending:
            shape = rf"{heads}(?: (?:{link} ?)?{stop}{word}){{0,7}}"
            for match in re.finditer(rf"(?<![\w-]){heads}\b", text):
                rest = text[match.start() :].rstrip()
                if re.fullmatch(shape, rest) and not re.search(r"[,;:.]", rest):
                    return rest
            return None
        match = re.match(rf"{heads}(?: (?:{link} ?)?{stop}{word}){{0,7}}", text)
        return match.group(0) if match else None

    def acronym_after(self, position):
        """The acronym in brackets just after a name ("… Center (DLR)"), or ""."""
        found = re.match(
            r" ?\(([A-Z][A-Za-z0-9&-]{1,11})\)", self.reading[position : position + 16]
        )
        return found.group(1) if found and sum(c.isupper() for c in found.group(1)) >= 2 else ""

    def name_after(self, position):
        french = self.french_name(self.reading[position : position + 160], ending=False)
        if french:
            return french, position + len(french)
        text = re.split(r"[—–*(\[]| - ", self.reading[position : position + 160])[0]
        taken = []
        for word in text.split(" "):
            bare = word.rstrip(",;:.")
            if re.match(rf"[{UPPER}0-9]", bare) or (bare.lower() in CONNECTORS and taken):
                taken.append(bare)
                if bare != word:
                    break
            else:
                break
        while taken and taken[-1].lower() in CONNECTORS | ARTICLES:
            taken.pop()
        name = " ".join(taken)
        if "(" in name:
            name = name.split(" (")[0]
        return name, position + len(name)

    def phrase_around(self, start, end):
        """The clause around a name, as its quote: from the last comma or sentence start
        before it to the next comma or sentence end after it (a few words at least)."""
        sentence = self.document.sentence_at(start)
        if sentence is None:
            return self.reading[start:end]
        text, base = sentence.text, sentence.start
        left = max(text.rfind(", ", 0, start - base), text.rfind(": ", 0, start - base))
        left = 0 if left < 0 else left + 2
        right_comma = text.find(", ", end - base)
        right = len(text) if right_comma < 0 else right_comma
        if right - left < 40:
            next_comma = text.find(", ", right + 2)
            right = len(text) if next_comma < 0 or right >= len(text) else next_comma
        phrase = text[left:right].strip(" ,;:")
        phrase = phrase.strip("*#_ ")
        return phrase if len(phrase) >= 3 else text.strip("*#_ ")

    # People --------------------------------------------------------------------------------

    def add_person(self, name, title, organisation, start, end, quote, *, confidence, how):
        name = name.strip(" ,.;:")
        name = re.sub(r"['’]s$", "", name)
        if self.document.crosses_break(start, end):
            return None
        words = name.split()
        if len(words) < 2 or any(fold(w) in _NOT_NAMES for w in words):
            return None
        if fold(words[0]) in _CALENDAR_WORDS:  # "Monday Jean…"; "Mai" inside a name is a name
            return None
        if (
            self.country_code(name)
            or self.gazetteer.agency(name=name)
            or self.gazetteer.mission(name)
        ):
            return None
        known = self.gazetteer.person(name)
        key = known["slug"] if known else slugify(name)
        mention = self.people.get(key)
        if mention:
            better = organisation and not mention.fields["organisation"]
            if confidence > mention.confidence or better:
                if title:
                    mention.fields["title"] = title
                if organisation:
                    mention.fields["organisation"] = organisation
                mention.quote, mention.confidence = quote, max(confidence, mention.confidence)
            mention.fields["spans"].append((start, end))
            return mention
        fields = {
            "name": known["name"] if known else name,
            "title": title or "",
            "organisation": organisation,
            "spans": [(start, end)],
            "how": how,
        }
        mention = Mention(
            "person",
            key,
            start,
            end,
            quote,
            fields,
            max(confidence, 0.9) if known else confidence,
            known["slug"] if known else None,
        )
        self.people[key] = mention
        return mention

    def organisation_named(self, text):
        """The agency key an organisation's name or acronym in `text` stands for."""
        text = text.strip(" ,.;:")
        if not text:
            return None
        acronym = re.search(r"\(([A-Z][A-Za-z0-9&-]{1,11})\)", text)
        for mention in self.agencies.values():
            names = {fold(mention.fields["name"]), fold(mention.fields["acronym"] or "-")}
            if fold(text) in names or (acronym and acronym.group(1) == mention.fields["acronym"]):
                return mention.key
        known = self.gazetteer.agency(name=text, acronym=text if text.isupper() else "")
        return known["slug"] if known else None

    def find_people(self):
        reading = self.reading
        honorific = rf"(?:(?:{HONORIFIC}) )?"
        # "Zhang Kejian, the new Administrator of the China National Space Administration (CNSA)"
        for match in re.finditer(
            rf"(?<![\w-]){honorific}(?P<name>{NAME}), (?:the |la |le )?(?:new |nouvel? |nouvelle )?"
            rf"(?P<title>(?i:{TITLE})) (?:of |du |de la |de l['’]|des |de |d['’]|at )(?:the )?",
            reading,
        ):
            org, end = self.name_after(match.end())
            acronym = self.acronym_after(end)
            if acronym:
                org = acronym
                end = reading.index(")", end) + 1
            organisation = self.organisation_named(org) if org else None
            if org and not organisation and not self.country_code(org):
                mention = self.add_agency(
                    org,
                    "",
                    match.end(),
                    end,
                    self.phrase_around(match.end(), end),
                    confidence=0.7,
                    how="title of name",
                )
                organisation = mention.key if mention else None
            title = match.group("title")
            if self.country_code(org or ""):
                title = f"{title} of {org}"
            self.add_person(
                match.group("name"),
                title,
                organisation,
                match.start("name"),
                match.end("name"),
                reading[match.start() : end].strip(" ,"),
                confidence=0.9,
                how="name, title of organisation",
            )
        # "Philippe Martin, CNES Chairman", "Anne Durand, présidente du CNES"
        for match in re.finditer(
            rf"(?<![\w-]){honorific}(?P<name>{NAME}), (?:the |la |le )?(?P<org>[A-Z]{{2,8}}) "
            rf"(?P<title>(?i:{TITLE}))\b",
            reading,
        ):
            self.add_person(
                match.group("name"),
                match.group("title"),
                self.organisation_named(match.group("org")),
                match.start("name"),
                match.end("name"),
                reading[match.start() : match.end()],
                confidence=0.85,
                how="name, ACRONYM title",
            )
        # "CNES President Jean-Yves Le Gall", "French President François Hollande",
        # "President Emmanuel Macron", "le président du CNES, Jean-Yves Le Gall"
        for match in re.finditer(
            rf"(?<![\w-])(?:(?P<org>[A-Z]{{2,8}}|{ADJECTIVE}) )?(?P<title>(?i:{TITLE}))s? "
            rf"(?:(?:du |de la |de l['’]|d['’]|of )(?P<org2>[A-Z]{{2,8}}),? )?"
            rf"{honorific}(?P<name>{NAME})",
            reading,
        ):
            if self.document.crosses_break(match.start(), match.end("name")):
                continue
            name = match.group("name")
            org = match.group("org") or match.group("org2") or ""
            title = match.group("title")
            organisation = None
            if org and self.country_code_of_adjective(org):
                title = f"{org} {title}"
            elif org:
                organisation = self.organisation_named(org)
            self.add_person(
                name,
                title,
                organisation,
                match.start("name"),
                match.end("name"),
                self.phrase_around(match.start(), match.end()),
                confidence=0.85,
                how="title before the name",
            )
            # "Presidents Emmanuel Macron and Xi Jinping"
            if reading[match.start("title") : match.start("name")].split()[0].endswith("s"):
                tail = re.match(
                    rf" (?:and|et) (?P<other>{NAME})",
                    reading[match.end("name") : match.end("name") + 60],
                )
                if tail:
                    self.add_person(
                        tail.group("other"),
                        title,
                        organisation,
                        match.end("name") + tail.start("other"),
                        match.end("name") + tail.end("other"),
                        self.phrase_around(match.start(), match.end()),
                        confidence=0.8,
                        how="titles before the names",
                    )
        self.find_press_contacts()
        # "la ministre de l’Enseignement supérieur, Claire Moreau", "the Minister for Research,
        # Anne Martin": a title whose office is written out, then the name.
        for match in re.finditer(
            rf"\b(?P<title>(?i:{TITLE}) (?:of|for|de|du|des|de la|de l['’]|d['’])\s?"
            rf"[^,;.()]{{3,70}}), {honorific}(?P<name>{NAME})",
            reading,
        ):
            if self.document.crosses_break(match.start(), match.end("name")):
                continue
            self.add_person(
                match.group("name"),
                match.group("title"),
                None,
                match.start("name"),
                match.end("name"),
                reading[match.start() : match.end()],
                confidence=0.75,
                how="title of an office, name",
            )
        # "the French Ambassador to India, Claire Petit"
        for match in re.finditer(
            rf"\b(?:(?P<adjective>{ADJECTIVE}) )?(?P<title>(?i:{TITLE})) (?:to|in|of|en|auprès de) "
            rf"(?:the |la |le |l['’])?(?P<country>{COUNTRY}), (?P<name>{NAME})",
            reading,
        ):
            title = reading[match.start() : match.end("country")]
            self.add_person(
                match.group("name"),
                title,
                None,
                match.start("name"),
                match.end("name"),
                reading[match.start() : match.end()],
                confidence=0.8,
                how="title to a country, name",
            )
        # People the catalogue knows, wherever they are named: with the organisation they
        # held a title in, when the release names it too (the title is only what it writes).
        for person, span in self.gazetteer.people_in(self.folded):
            if person["slug"] in self.people:
                self.people[person["slug"]].fields["spans"].append(span)
                continue
            roles = person["roles"]
            organisation = next((a for _, a in roles if a and a in self.agencies), None)
            self.add_person(
                person["name"],
                "",
                organisation,
                *span,
                self.phrase_around(*span),
                confidence=0.8,
                how="catalogue name",
            )

    def country_code_of_adjective(self, word):
        return _ADJECTIVES.get(fold(word))

    def find_press_contacts(self):
        """Press officers: "Pascale Bresson  Press Officer  Tel: …", or names listed under a
        "press contacts" heading; their organisation from their e-mail address."""
        lines = self.document.lines
        under_heading = None
        for index, (start, line) in enumerate(lines):
            bare = line.strip("*#[]() ")
            heading = re.search(
                r"press contacts?|contacts? presse|^contacts?$|service de presse",
                bare,
                re.IGNORECASE,
            )
            if heading:
                heading_org = re.match(r"([A-Z]{2,8}) ", bare)
                under_heading = heading_org.group(1) if heading_org else ""
                rest = bare[heading.end() :].lstrip(" :–-")
                if not rest:
                    continue
                # "Press contact: Anne Roux, Press Officer, anne.roux@cnes.fr"
                start, bare = start + line.index(rest), rest
            officer = re.match(
                rf"(?P<name>{NAME})[\s,]+(?P<title>Press Officer|Press contact|Attachée? de presse|"
                rf"Responsable presse|Chargée? de presse|Head of Press|Media Relations)",
                bare,
            )
            if officer is None and index + 1 < len(lines):
                following = lines[index + 1][1].strip("*#[]() ")
                alone = re.fullmatch(rf"(?P<name>{NAME})", bare)
                title = re.fullmatch(
                    r"(?P<title>Press Officer|Press contact|Attachée? de presse|"
                    r"Chargée? de presse|Responsable presse)",
                    following,
                )
                if alone and title:
                    organisation = self.organisation_of_contact(index, lines)
                    end = lines[index + 1][0] + len(lines[index + 1][1])
                    self.add_person(
                        alone.group("name"),
                        title.group("title"),
                        organisation,
                        start,
                        start + len(alone.group("name")),
                        self.reading[start:end],
                        confidence=0.85,
                        how="press contact",
                    )
                    continue
            if officer:
                organisation = self.organisation_of_contact(index, lines)
                self.add_person(
                    officer.group("name"),
                    officer.group("title"),
                    organisation,
                    start,
                    start + len(officer.group("name")),
                    line,
                    confidence=0.85,
                    how="press contact",
                )
                # A second contact on the same line, as tables flatten them.
                continue
            if under_heading is not None and re.fullmatch(rf"{NAME}", bare):
                organisation = (
                    self.organisation_named(under_heading)
                    if under_heading
                    else self.organisation_of_contact(index, lines)
                )
                self.add_person(
                    bare,
                    "Press contact",
                    organisation,
                    start,
                    start + len(bare),
                    line,
                    confidence=0.75,
                    how="press contacts list",
                )
            elif (
                under_heading is not None
                and not re.match(r"(?:Tel|Tél|\+|\[|www|Fax)", bare)
                and "@" not in bare
            ):
                under_heading = None

    def organisation_of_contact(self, index, lines):
        for _, line in lines[index : index + 6] + lines[max(0, index - 6) : index]:
            email = re.search(r"@([\w-]+)\.", line)
            if email:
                found = self.organisation_named(email.group(1).upper())
                if found:
                    return found
        return self.home_agency()

    def home_agency(self):
        """The agency the release speaks for: the one it names most."""
        if not self.agencies:
            return None
        return max(self.agencies.values(), key=lambda m: len(m.fields["spans"])).key

    # Missions and events -------------------------------------------------------------------

    def add_mission(self, name, start, end, *, full_name="", confidence=0.7, how="", kind=None):
        name = name.strip(" ,.;:")
        if not name or fold(name) in _NOT_NAMES | _CALENDAR_WORDS:
            return None
        if self.gazetteer.agency(name=name, acronym=name) and not self.gazetteer.mission(name):
            return None
        known = self.gazetteer.mission(name) or (full_name and self.gazetteer.mission(full_name))
        key = known["slug"] if known else slugify(name)
        if key in self.missions:
            self.missions[key].fields["spans"].append((start, end))
            return self.missions[key]
        if kind is None:
            context = full_name + " " + self.reading[max(0, start - 40) : end + 40]
            kind = next((k for k, p in MISSION_WORDS if re.search(p, context)), "satellite")
        fields = {
            "name": known["name"] if known else name,
            "full_name": (known or {}).get("full_name") or full_name,
            "kind": (known or {}).get("kind") or kind,
            "spans": [(start, end)],
            "how": how,
        }
        self.missions[key] = mention = self.named_in_sentence(
            "mission", key, start, end, fields, known, confidence
        )
        return mention

    def named_in_sentence(self, kind, key, start, end, fields, known, confidence):
        """A mission or event named at start:end, its sentence as its quote; a name the
        catalogue knows is matched to its record, with the confidence of a known name."""
        return Mention(
            kind,
            key,
            start,
            end,
            self.sentence_text(start).strip("*#_ "),
            fields,
            0.9 if known else confidence,
            known["slug"] if known else None,
        )

    def find_missions(self):
        reading = self.reading
        for mission, span in self.gazetteer.missions_in(reading, self.folded):
            self.add_mission(mission["name"], *span, confidence=0.9, how="catalogue name")
        token = r"[A-Z][A-Za-z0-9'’-]*(?: [0-9]{1,2}\b)?"
        words = (
            r"satellites?|missions?|probes?|launchers?|launch vehicles?|rockets?|telescopes?|"
            r"spacecraft|observatory|navigation system|project|programme|constellation|"
            r"ocean-surveying satellite|astrophysics mission|oceanography satellite|"
            r"sondes?|lanceurs?|fusées?"
        )
        for match in re.finditer(rf"(?<![\w-])({token})(?: [a-z-]+){{0,3}} (?:{words})\b", reading):
            name = match.group(1)
            if self.plausible_mission(name):
                self.add_mission(name, match.start(1), match.end(1), how="name and kind")
        for match in re.finditer(
            rf"\b(?:satellites?|sondes?|probe|missions?|lanceurs?|launch vehicle|télescopes?|"
            rf"constellations?|spacecraft|rocket|fusée) ({token})",
            reading,
        ):
            if self.plausible_mission(match.group(1)):
                self.add_mission(match.group(1), *match.span(1), how="kind and name")
        for match in re.finditer(
            rf"(?<![\w-])({token}), an? (?:joint |new )?(?:mission|satellite|probe|spacecraft)",
            reading,
        ):
            if self.plausible_mission(match.group(1)):
                self.add_mission(match.group(1), *match.span(1), how="name, a mission")
        for match in re.finditer(
            r"\b(?:laboratory|programme|project|system|laboratoire) called "
            rf"({token})",
            reading,
        ):
            self.add_mission(match.group(1), *match.span(1), how="called", kind="laboratory")
        for match in re.finditer(
            rf"\b(?:the )?((?:{CAP} ){{0,3}}(?:Space Station|Space Cent(?:re|er)|Spaceport|"
            rf"Cosmodrome|Station spatiale [a-z]+|Centre spatial (?:guyanais|de {CAP})))",
            reading,
        ):
            name = re.sub(r"^(?:the|The) ", "", match.group(1))
            if len(name.split()) >= 2:
                self.add_mission(name, *match.span(1), confidence=0.75, how="station or centre")
        for match in re.finditer(
            r"\bground segment (?:for|of) (?:[\w’'-]+ ){0,4}?([A-Z][A-Z0-9-]{1,10}) "
            r"(?:launch vehicle|launcher|rocket)",
            reading,
        ):
            self.add_mission(
                f"{match.group(1)} ground segment",
                match.start(),
                match.end(),
                how="ground segment",
                kind="ground_system",
            )

    def plausible_mission(self, name):
        bare = name.split(" ")[0]
        uppers = sum(c.isupper() for c in bare)
        if (
            fold(bare) in _NOT_NAMES | _CALENDAR_WORDS
            or self.country_code(bare)
            or self.country_code_of_adjective(bare)
        ):
            return False
        if any(m.fields["acronym"] == bare for m in self.agencies.values()):
            return False
        return uppers >= 2 or any(c.isdigit() for c in name)

    def add_event(self, name, start, end, *, kind, confidence=0.7, how=""):
        name = " ".join(name.split()).strip(" ,.;:")
        if len(name) < 6:
            return None
        sentence = self.document.sentence_at(start)
        date = None
        if sentence:
            mentions = [
                dating.shifted(m, sentence.start) for m in dating.mentions_in(sentence.text)
            ]
            if mentions:
                nearest = min(mentions, key=lambda m: min(abs(m.start - end), abs(m.end - start)))
                if min(abs(nearest.start - end), abs(nearest.end - start)) < 60:
                    relative = dating.shifted(nearest, -sentence.start)
                    date = self.date_of(nearest, self.clause_of(sentence.text, relative))
        year = date["parts"]["year"] if date else None
        known = self.gazetteer.event(name, year)
        key = known["slug"] if known else slugify(name)[:90]
        if key in self.events:
            event = self.events[key]
            if date and event.fields["date"]["precision"] == "unknown":
                event.fields["date"] = date
            return event
        fields = {
            "name": known["name"] if known else name,
            "kind": kind,
            "date": date or dating.unknown("The release gives no date for it."),
            "how": how,
        }
        self.events[key] = mention = self.named_in_sentence(
            "event", key, start, end, fields, known, confidence
        )
        return mention

    def find_events(self):
        reading = self.reading
        for match in re.finditer(
            rf"\b(?:the )?((?:\d+(?:st|nd|rd|th|e|er) |first |second |annual )?(?:{CAP} ){{1,5}}"
            rf"(?:Summit|Show|Forum|Conference|Congress|Symposium|Fair|Expo|Sommet|Salon|"
            rf"Congrès|Conférence)\b)",
            reading,
        ):
            name = re.sub(r"^(?:the|The) ", "", match.group(1))
            kind = next((k for k, p in EVENT_WORDS if re.search(p, name)), "forum")
            self.add_event(name, *match.span(1), kind=kind, how="named event")
        for match in re.finditer(
            rf"\b((?:Salon|Sommet|Forum|Congrès|Conférence|Journées|Rencontres)"
            rf"(?: (?:du |de la |de l['’]|des |de |d['’]|sur (?:la |le |l['’])?)?{CAP}){{1,4}})",
            reading,
        ):
            name = match.group(1)
            kind = next((k for k, p in EVENT_WORDS if re.search(p, name)), "forum")
            self.add_event(name, *match.span(1), kind=kind, how="named event")
        for match in re.finditer(
            r"\b(?:the )?((?:\d+(?:st|nd|rd|th)|first|second|annual) (?:France-\w+ )?"
            r"(?:meeting of the [\w -]+?(?:committee|sub-group of the [\w -]+?dialogue|council)|"
            r"[\w-]+ (?:space )?days|"
            r"meeting between [A-Z]+ and (?:the )?[A-Z][\w ]+?(?= \(|,|\.)))",
            reading,
        ):
            name = match.group(1)
            kind = (
                "committee"
                if re.search("committee|dialogue|council", name)
                else ("forum" if "days" in name else "meeting")
            )
            self.add_event(name[0].upper() + name[1:], *match.span(1), kind=kind, how="meeting")
        visit = (
            r"(?:official|state|working|official and working) visit to (?:the )?"
            rf"(?:{COUNTRY})"
        )
        for match in re.finditer(
            rf"\b(?:the )?((?:(?:{ADJECTIVE}) )?(?:(?:President|Prime Minister)(?: {NAME})?|"
            rf"{NAME})['’]s {visit}|{visit} of (?:(?:{ADJECTIVE}) )?(?:President|Prime Minister)"
            rf"(?: {NAME})?)",
            reading,
        ):
            name = match.group(1)
            kind = "state_visit" if "state visit" in name else "official_visit"
            self.add_event(name[0].upper() + name[1:], *match.span(1), kind=kind, how="visit")
        # "la visite d’État du président de la République en Inde", "la visite en Inde de la
        # ministre …"
        for match in re.finditer(
            rf"\b((?:visite|voyage)(?: d['’]État| officielle| de travail)?"
            rf"(?: (?:en|au|aux) (?:{COUNTRY})| (?:du|de la|de l['’]|des|de) [^,.;()]{{3,60}}?)+?"
            rf"(?: (?:en|au|aux) (?:{COUNTRY})))",
            reading,
        ):
            name = match.group(1)
            kind = "state_visit" if "État" in name else "official_visit"
            self.add_event(name[0].upper() + name[1:], *match.span(1), kind=kind, how="visite")
        for match in re.finditer(
            rf"\b(?:launch(?:ed)? of (?:the )?|)({CAP}[\w-]*)(?: [\w-]+){{0,3}}"
            r" (?:launched on|launch(?:es|ed)? (?:in|on)|set to launch in)",
            reading,
        ):
            name = match.group(1)
            if self.plausible_mission(name) or name in {
                m.fields["name"] for m in self.missions.values()
            }:
                self.add_event(f"Launch of {name}", *match.span(1), kind="launch", how="launch")

    # Agreements ----------------------------------------------------------------------------

    def find_agreements(self):
        pattern = "|".join(f"(?P<{kind}>{words})" for kind, words in INSTRUMENTS)
        instrument = re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)
        sentences = self.document.sentences
        self.occasion = self.find_occasion()
        generic_reference = re.compile(
            r"^(?:The|This|Le|Ce|Cet|Cette|L['’])\s?(?:new |nouvel? |nouvelle )?(?:document|text|"
            r"agreement|memorandum|arrangement|accord|texte|protocole)\b"
        )
        for number, sentence in enumerate(sentences):
            text = sentence.text
            found = []
            reference = generic_reference.match(text)
            if reference and not any(
                m.start() >= reference.end() for m in instrument.finditer(text)
            ):
                # "The document was signed on Friday 1 December": the last instrument's date
                self.date_the_last_instrument(sentence, 0)
                continue
            for match in instrument.finditer(text):
                kind = match.lastgroup
                words = match.group(0)
                if kind == "extension" and not re.search(
                    r"document|extension|extending|avenant", words, re.IGNORECASE
                ):
                    continue
                before = text[: match.start()]
                after = text[match.end() : match.end() + 60]
                plural = re.search(r"(?:s|a)$", words.split()[0 if kind != "other" else -1]) and (
                    words.lower().endswith(("agreements", "memoranda", "accords", "letters"))
                    or re.search(r"(?:memoranda|letters|agreements|accords)\b", words.lower())
                )
                if kind == "other" and re.search(r"\b(?:to|we|they|which|who|will|qui) $", before):
                    continue  # "agree to": the verb, not an instrument
                definite = _DETERMINER_BEFORE.search(before)
                has_own_date = re.match(
                    r"\s*(?:signed |concluded |adopted |of |signé |conclu )?"
                    r"(?:in|on|of|en|le|du)? ?(?:\d|[A-Z][a-z]+ \d)",
                    after,
                )
                period_before = re.search(r"\b(?:19|20)\d\d[-–](?:19|20)\d\d\s*$", before)
                if plural and not re.search(r"(?:19|20)\d\d", after):
                    continue
                if _PLURAL_COUNT.search(before):
                    continue
                # "the founding document of the SCO on 17 June": a date of its own, but not
                # "this agreement strengthens the cooperation begun in 2019".
                dated_after = any(
                    0 <= m.start - match.end() <= 40
                    and (
                        re.fullmatch(
                            r"(?:\s+(?:of|du|de|des|d['’]|the|la|le|l['’])\s*[\w’'()-]*){0,4}"
                            r"\s*(?:on|in|signed|signé|le|en)?\s*",
                            text[match.end() : m.start],
                        )
                        or re.fullmatch(
                            r"\s+(?:signed|concluded|adopted|signée?s?|conclue?s?)"
                            r"(?:\s+[\w’'-]+){0,5}?\s*(?:in|on|en|le)?\s*",
                            text[match.end() : m.start],
                        )
                    )
                    for m in dating.mentions_in(text)
                )
                if definite and not (has_own_date or period_before or dated_after):
                    self.date_the_last_instrument(sentence, match.end())
                    continue
                if re.search(
                    r"\bwithin this framework|dans ce cadre", before + words, re.IGNORECASE
                ):
                    continue
                found.append((match.start(), match.end(), kind, words))
            for start, end, kind, words in found:
                years = []
                if words.lower().endswith(("memoranda", "agreements", "accords", "letters")):
                    years = [
                        int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text[end : end + 60])
                    ]
                for year in years or [None]:
                    self.propose_agreement(
                        sentence, number, start, end, kind, words, found, only_year=year
                    )
        self.merge_agreements()

    def date_the_last_instrument(self, sentence, position):
        """ "The document was signed on Friday 1 December in Washington by CNES and DLR": a
        sentence that signs the instrument just named gives it the date, and the parties and
        signatories, it had not."""
        if not self.agreements or not _SIGNING.search(sentence.text[position:]):
            return
        last = self.agreements[-1]
        if sentence.start - last["position"] > 400:
            return
        quoted = False
        base = sentence.start
        named = {}
        for mention in self.agencies.values():
            for start, _ in mention.fields["spans"]:
                if base + position <= start < base + len(sentence.text):
                    named[mention.key] = min(start, named.get(mention.key, start))
        if len(last["parties"]) < 2 and named:
            parties = [*last["parties"], *sorted(named, key=named.get)]
            last["parties"] = list(dict.fromkeys(parties))
            last["reasons"].append("parties from the sentence that follows it")
            quoted = True
        if not last["recalled"]:
            people = [
                p.key
                for p in self.people.values()
                if any(
                    base + position <= s < base + len(sentence.text) for s, _ in p.fields["spans"]
                )
            ]
            last["signatories"] = list(dict.fromkeys([*last["signatories"], *people]))
        undated = last["date"].get("from_occasion") or last["date"]["precision"] == "unknown"
        mentions = [m for m in dating.mentions_in(sentence.text) if m.start >= position]
        found = None
        if mentions and mentions[0].kind != "year_range":
            found = self.date_of(mentions[0], self.clause_of(sentence.text, mentions[0]))
        # "this week" and then "on Wednesday 2 February": the day, within the span.
        narrower = (
            found
            and found["precision"] == "day"
            and last["date"]["precision"] == "range"
            and last["date"]["start"] <= found["start"] <= (last["date"]["end"] or "")
        )
        if found and found["precision"] != "unknown" and (undated or narrower):
            last["date"] = found
            last["recalled"] = False
            last["reasons"].append("its date from the sentence that follows it")
            quoted = True
        if quoted:
            last["quotes"] = [*last.get("quotes", [last["quote"]]), sentence.text.strip("*#_ ")]

    def find_occasion(self):
        """The release's main event date: the first day or range its body gives, in a
        sentence that signs if one of the first four does, and never a launch's."""
        candidates = []
        for sentence in self.body_sentences()[:4]:
            for mention in dating.mentions_in(sentence.text):
                before = sentence.text[max(0, mention.start - 50) : mention.start]
                if (
                    mention.precision not in ("day", "range")
                    or mention.kind == "year_range"
                    or not mention.day
                    or re.search(r"launch|lancement|lancé", before, re.IGNORECASE)
                ):
                    continue
                resolved = self.date_of(mention)
                if resolved["precision"] != "unknown":
                    signs = bool(_SIGNING.search(sentence.text))
                    candidates.append((not signs, len(candidates), resolved, mention, sentence))
        if not candidates:
            return None
        _, _, resolved, mention, sentence = min(candidates, key=lambda c: (c[0], c[1]))
        return {"date": resolved, "text": mention.text, "sentence": sentence.text}

    def propose_agreement(
        self, sentence, number, start, end, kind, words, siblings, only_year=None
    ):
        text = sentence.text
        base = sentence.start
        before = text[:start]
        clause_end = len(text)
        # Dates of this instrument: those nearer to it than to any other in the sentence.
        mentions = dating.mentions_in(text)
        own = []
        for mention in mentions:
            if mention.kind == "year_range" and re.match(
                r"\s*(?:\w+\s)?$", text[mention.end : start]
            ):
                continue  # "the 2013-2018 roadmap": the period it covers, not its date
            if re.search(
                r"(?:launch(?:ed|es)?(?: of(?: the)?(?: [\w’'-]+){1,3})?|set to launch|"
                r"lancement (?:est )?prévu|lancée?s?|launch is (?:planned|scheduled)|prévue?)"
                r"\s+(?:on|in|for|en|le|pour)?\s*$",
                text[max(0, mention.start - 40) : mention.start],
                re.IGNORECASE,
            ):
                continue  # "set to launch in 2026": a mission's date
            distance = self._distance(mention, start, end)
            nearest = min(self._distance(mention, s, e) for s, e, _, _ in siblings)
            if distance <= nearest and distance < 140:
                own.append((distance, mention))
        own.sort(key=lambda x: x[0])
        if only_year:
            own = [(0, m) for m in mentions if m.year == only_year][:1]
        period = re.search(r"\b((?:19|20)\d\d)[-–]((?:19|20)\d\d)\s*$", before)
        presence = [(m.start(), m.end()) for m in _PRESENCE.finditer(text)]

        def outside_presence(position):
            return not any(s <= position - base < e for s, e in presence)

        # The agencies the sentence names, in the order it names them.
        named_at = {}
        for mention in self.agencies.values():
            for s, _ in mention.fields["spans"]:
                if base <= s < base + clause_end and outside_presence(s):
                    named_at[mention.key] = min(s, named_at.get(mention.key, s))
        parties = sorted(named_at, key=named_at.get)
        occasions = [
            (m.start(), m.end())
            for m in re.finditer(
                r"\b(?:during|at|on the occasion of|lors de|pendant)\b[^,;]*?\bvisit\b[^,;]*", text
            )
        ]
        people = [
            p
            for p in self.people.values()
            if any(
                base <= s < base + clause_end
                and outside_presence(s)
                and not any(a <= s - base < b for a, b in occasions)
                for s, _ in p.fields["spans"]
            )
        ]
        previous = self.document.sentences[number - 1] if number else None
        reasons = []
        anaphor = _ANAPHOR.search(text)
        pair = anaphor and re.match(r"(?:the two|both|les deux)", anaphor.group(0), re.IGNORECASE)
        earlier = [a for a in self.agreements if len(a["parties"]) >= 2]
        if anaphor and (pair or not parties) and earlier:
            # "the (two) partners" of the instrument the release spoke of last
            parties = list(earlier[-1]["parties"])
            reasons.append(f"parties those of “{earlier[-1]['title']}” (“{anaphor.group(0)}”)")
        elif previous and anaphor and (pair or not parties):
            parties = []
            # The nearest of the three sentences before that names an agency.
            for back in range(number - 1, max(-1, number - 4), -1):
                previous = self.document.sentences[back]
                named_at = {
                    m.key: min(
                        s for s, _ in m.fields["spans"] if previous.start <= s < previous.end
                    )
                    for m in self.agencies.values()
                    if any(previous.start <= s < previous.end for s, _ in m.fields["spans"])
                }
                parties = sorted(named_at, key=named_at.get)
                if parties:
                    break
            people += [
                p
                for p in self.people.values()
                if any(previous.start <= s < previous.end for s, _ in p.fields["spans"])
            ]
            reasons.append("parties from the sentence before (“" + anaphor.group(0) + "”)")
        countries = self.countries_in(text)
        if kind == "intergovernmental":
            if len(countries) < 2 and previous:
                countries += [c for c in self.countries_in(previous.text) if c not in countries]
            parties = [
                self.government_of(code, written, sentence.start) for code, written in countries
            ]
            parties = [p for p in parties if p]
        planned = bool(_PLANNED.search(text))
        earlier = bool(_EARLIER_SIGNED.search(text)) or bool(_RECALLED.search(before))
        date = None
        if own:
            date = self.date_of(own[0][1], self.clause_of(text, own[0][1]))
        status = "signed"
        if planned:
            status = "planned"
        elif kind == "roadmap" and re.search(r"released|adopted|publiée|adoptée", text):
            status = "adopted"
        elif _IN_FORCE.search(before + words) or re.search(r"\bSince\b|\bDepuis\b", before):
            status = "in_force"
        reference_year = self.reference.date.year if self.reference else None
        year = date["parts"]["year"] if date else None
        recalled = bool(
            earlier or (year and reference_year and year < reference_year) or status == "in_force"
        )
        occasion_date = (
            (self.occasion or {}).get("date", {}).get("start") if self.occasion else None
        )
        anchor = occasion_date or (self.reference.date.isoformat() if self.reference else None)
        # Signed weeks before the release's occasion: an earlier instrument it mentions.
        if (
            date
            and date["start"]
            and anchor
            and len(date["start"]) >= 7
            and len(anchor) >= 7
            and (_as_date(anchor) - _as_date(date["start"])).days > 45
            and not date.get("from_occasion")
        ):
            recalled = True
        if planned:
            recalled = False
        if date is None:
            signed_now = (
                not recalled and not planned and _SIGNING.search(text) and self.occasion is not None
            )
            if signed_now:
                occasion = self.occasion
                date = dict(occasion["date"])
                date["inferred"] = True
                date["reasoning"] = (
                    f"No date of its own: signed during the occasion the release reports, "
                    f"“{occasion['text']}” ({occasion['date']['reasoning'] or 'as stated'})"
                ).rstrip() + "."
                date["from_occasion"] = True
            else:
                date = dating.unknown("The release gives no date for it.")
        # Signed now but only one side named: the release's own agency is the other.
        home = self.home_agency()
        if (
            not recalled
            and (not planned or len(parties) == 1)
            and home
            and parties
            and home not in parties
            and kind != "intergovernmental"
        ):
            parties.insert(0, home)
            reasons.append(
                f"{self.agencies[home].fields['acronym'] or home} added as the releasing agency"
            )
        signatories = []
        if _SIGNING.search(text) and not planned and not recalled:
            for person in people:
                if person.key not in signatories:
                    signatories.append(person.key)
        place = ""
        place_match = re.search(rf"\b(?:in|at|à) ({CAP}(?: {CAP})?)\b", text)
        if (
            place_match
            and fold(place_match.group(1)) not in _CALENDAR_WORDS
            and not any(
                fold(place_match.group(1)) == fold(m.fields["name"]) for m in self.events.values()
            )
        ):
            candidate = place_match.group(1)
            if (
                not self.organisation_named(candidate)
                and not self.gazetteer.mission(candidate)
                and (candidate not in {"Paris Air Show"})
            ):
                place = candidate
        event = None
        for mention in self.events.values():
            if base <= mention.start < base + len(text):
                event = mention.key
                break
        code = KIND_FALLBACK.get(kind, kind)
        subject = re.match(
            r"(?: (?:de coopération|de partenariat|de collaboration|"
            r"of (?:co-?operation|partnership)))?"
            r"\s+(?:on|for|to|sur|pour|relati(?:f|ve) à|portant sur) ([^,.;]{4,90}?)"
            r"(?= was| were| signed| with| in the presence| during| in \d|,|\.| by |"
            r" through| en (?:\d|[a-zéû]+\b(?=,|\.|$))| entre | par | lors |$)",
            text[end:],
        )
        names = [self.party_label(p) for p in parties]
        title = "–".join(names[:3]) + " " if names else ""
        title += words if kind != "other" else words.lower()
        title = title[0].upper() + title[1:] if title else words
        if re.search(r"\b(?:of|de|du|des)$", words) or kind == "extension":
            # "an extension of their memorandum of understanding": what it extends
            extended = re.match(
                r"\s*([^,.;]{3,80}?)(?= was| were| signed| on | with|,|\.|$)", text[end:]
            )
            if extended and not words.endswith(extended.group(1)):
                title += " " + extended.group(1).strip()
        if subject:
            title += " " + subject.group(0).strip()
        if period:
            title = f"{title} {period.group(1)}–{period.group(2)}"
        confidence = (
            0.55
            + (0.1 if kind != "other" else 0)
            + (0.1 if date["precision"] != "unknown" else 0)
            + (0.1 if parties else 0)
        )
        proposal = {
            "title": title,
            "kind": code,
            "words_kind": kind,
            "parties": parties,
            "signatories": signatories,
            "date": date,
            "place": place,
            "event": event,
            "recalled": recalled,
            "status": status,
            "valid_until_year": int(period.group(2)) if period else None,
            # Its themes: from what it is on ("on … climate research"), else from its sentence,
            # else the catalogue's theme for general cooperation.
            "themes": (
                (self.gazetteer.themes_in(subject.group(0)) if subject else [])
                or self.gazetteer.themes_in(text)
                or [t for t in [self.gazetteer.general_theme()] if t]
            ),
            "quote": text.strip("*#_ "),
            "confidence": round(min(confidence, 0.95), 2),
            "reasons": reasons,
            "position": base + start,
        }
        self.agreements.append(proposal)

    @staticmethod
    def _distance(mention, start, end):
        if mention.start >= end:
            return mention.start - end
        if mention.end <= start:
            return start - mention.end
        return 0

    def countries_in(self, text):
        found = []
        for match in re.finditer(rf"(?<![\w-])({COUNTRY})(?![\w-])", text):
            code = self.country_code(match.group(1))
            if code and code not in [c for c, _ in found]:
                found.append((code, match.group(1)))
        return found

    def government_of(self, code, written, position):
        for agency in self.gazetteer.agencies:
            if agency["kind"] == "government" and agency["country"] == code:
                mention = self.add_agency(
                    agency["name"],
                    agency["acronym"],
                    position,
                    position,
                    self.sentence_text(position),
                    confidence=0.8,
                    how="government of a country",
                )
                if mention and mention.fields["spans"] == [(position, position)]:
                    mention.fields["spans"], mention.fields["no_spans"] = [], True
                return mention.key if mention else None
        article = "the " if written.startswith(("People", "Republic", "United")) else ""
        name = f"Government of {article}{written}"
        mention = self.add_agency(
            name,
            "",
            position,
            position,
            self.sentence_text(position),
            confidence=0.6,
            kind="government",
            country=code,
            how="government of a country",
        )
        if mention and mention.fields["spans"] == [(position, position)]:
            mention.fields["spans"], mention.fields["no_spans"] = [], True
        return mention.key if mention else None

    def party_label(self, key):
        mention = self.agencies.get(key)
        if mention is None:
            return key
        return mention.fields["acronym"] or mention.fields["name"]

    def merge_agreements(self):
        """One proposal per instrument: a headline and the body's sentence about the same
        instrument (same parties, compatible kinds and dates) become one, with both quotes."""
        merged = []
        for proposal in sorted(self.agreements, key=lambda p: p["position"]):
            proposal.setdefault("quotes", [proposal["quote"]])
            twin = next((m for m in merged if self._same_instrument(m, proposal)), None)
            if twin is None:
                merged.append(proposal)
                continue
            for quote in proposal["quotes"]:
                if quote not in twin["quotes"]:
                    twin["quotes"].append(quote)
            if (twin["date"].get("from_occasion") or twin["date"]["precision"] == "unknown") and (
                proposal["date"]["precision"] != "unknown"
                and not proposal["date"].get("from_occasion")
            ):
                twin["date"] = proposal["date"]
            if twin["kind"] == "other" and proposal["kind"] != "other":
                twin["kind"], twin["title"] = proposal["kind"], proposal["title"]
            if len(proposal["title"]) > len(twin["title"]) and proposal["kind"] == twin["kind"]:
                twin["title"] = proposal["title"]
            twin["signatories"] = list(dict.fromkeys(twin["signatories"] + proposal["signatories"]))
            general = self.gazetteer.general_theme()
            themes = [t for t in dict.fromkeys(twin["themes"] + proposal["themes"]) if t != general]
            twin["themes"] = themes or twin["themes"]
            twin["place"] = twin["place"] or proposal["place"]
            twin["event"] = twin["event"] or proposal["event"]
            twin["confidence"] = max(twin["confidence"], proposal["confidence"])
        self.agreements = merged

    def _same_instrument(self, a, b):
        """Whether two proposals speak of one instrument: the headline's and the body's (a
        generic "agreement" in the headline is the body's specific one), or the same kind,
        parties and date said twice."""
        if sorted(a["parties"]) != sorted(b["parties"]) or not a["parties"]:
            return False
        if a["recalled"] != b["recalled"]:
            return False
        headline = min(a["position"], b["position"]) < self.body_start
        same_kind = a["words_kind"] == b["words_kind"]
        kinds = {a["words_kind"], b["words_kind"]}
        if not same_kind and not (headline and ("other" in kinds or kinds <= {"implementing"})):
            return False
        da, db = a["date"], b["date"]
        if headline and (da.get("from_occasion") or db.get("from_occasion")):
            return True
        if da.get("from_occasion") and db.get("from_occasion"):
            return same_kind and a["words_kind"] != "other"
        return da["start"] == db["start"] or (
            headline and "unknown" in (da["precision"], db["precision"])
        )

    # The whole release ----------------------------------------------------------------------

    @property
    def body_start(self):
        body = self.body_sentences()
        return body[0].start if body else 0

    def proposals(self):
        self.dateline = self.find_dateline()
        self.reference = self.find_reference()
        self.find_agencies()
        self.collect_spans()
        self.find_people()
        self.find_missions()
        self.find_events()
        self.find_agreements()
        return self.as_json()

    def as_json(self):
        def agency_name(key):
            mention = self.agencies.get(key)
            if mention is None:
                return key
            return mention.fields["acronym"] or mention.fields["name"]

        def person_name(key):
            mention = self.people.get(key)
            return mention.fields["name"] if mention else key

        agencies = [
            {
                "key": m.key,
                "name": m.fields["name"],
                "acronym": m.fields["acronym"],
                "country": m.fields["country"],
                "kind": m.fields["kind"],
                "quote": m.quote,
                "confidence": round(m.confidence, 2),
                "existing": m.existing,
            }
            for m in sorted(self.agencies.values(), key=lambda m: m.start)
        ]
        people = [
            {
                "key": m.key,
                "name": m.fields["name"],
                "title": m.fields["title"],
                "organisation": agency_name(m.fields["organisation"])
                if m.fields["organisation"]
                else None,
                "quote": m.quote,
                "confidence": round(m.confidence, 2),
                "existing": m.existing,
            }
            for m in sorted(self.people.values(), key=lambda m: m.start)
        ]
        agreements = []
        for proposal in self.agreements:
            date = {
                k: proposal["date"].get(k)
                for k in ("start", "end", "precision", "inferred", "reasoning")
            }
            if proposal["date"].get("flag"):
                date["flag"] = proposal["date"]["flag"]
            date["as_written"] = proposal["date"].get("as_written", "")
            existing = self.gazetteer.agreement(
                [self.agencies[p].existing or p for p in proposal["parties"] if p in self.agencies],
                proposal["date"]["parts"]["year"],
                proposal["kind"],
            )
            agreements.append(
                {
                    "key": slugify(proposal["title"])[:100],
                    "title": proposal["title"],
                    "kind": proposal["kind"],
                    "parties": [agency_name(p) for p in proposal["parties"]],
                    "signatories": [person_name(p) for p in proposal["signatories"]],
                    "date": date,
                    "place": proposal["place"],
                    "event": self.events[proposal["event"]].fields["name"]
                    if proposal["event"]
                    else None,
                    "recalled": proposal["recalled"],
                    "status": proposal["status"],
                    "valid_until_year": proposal["valid_until_year"],
                    "quote": proposal["quotes"][0],
                    "quotes": proposal["quotes"],
                    "confidence": proposal["confidence"],
                    "existing": existing["slug"] if existing else None,
                    "reasoning": "; ".join(proposal["reasons"]),
                    "themes": proposal["themes"],
                }
            )
        missions = [
            {
                "key": m.key,
                "name": m.fields["name"],
                "full_name": m.fields["full_name"],
                "kind": m.fields["kind"],
                "quote": m.quote,
                "confidence": round(m.confidence, 2),
                "existing": m.existing,
            }
            for m in sorted(self.missions.values(), key=lambda m: m.start)
        ]
        events = []
        for m in sorted(self.events.values(), key=lambda m: m.start):
            date = {
                k: m.fields["date"].get(k)
                for k in ("start", "end", "precision", "inferred", "reasoning")
            }
            events.append(
                {
                    "key": m.key,
                    "name": m.fields["name"],
                    "kind": m.fields["kind"],
                    "date": date,
                    "quote": m.quote,
                    "confidence": round(m.confidence, 2),
                    "existing": m.existing,
                }
            )
        dateline = None
        if self.dateline:
            dateline = {k: self.dateline[k] for k in ("text", "date", "place")}
        return {
            "language": self.language,
            "dateline": dateline,
            "reference_date": {
                "date": self.reference.date.isoformat(),
                "reasoning": self.reference.reasoning,
                "stated": self.reference.stated,
            }
            if self.reference
            else None,
            "agencies": agencies,
            "people": people,
            "agreements": agreements,
            "missions": missions,
            "events": events,
        }


def propose(text, gazetteer, *, language="auto", source_date=None):
    """The proposals for a release's text (see the README's "Ingest assistant" for the shape)."""
    return Reader(text, gazetteer, language=language, source_date=source_date).proposals()
