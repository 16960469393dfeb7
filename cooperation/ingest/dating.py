"""Dates as a press release writes them ("Monday 25 June", "2 to 4 November", "in March", "this
autumn", "en 2016"), found in a sentence and resolved against the release's own date the way the
curated fixtures do it: with the precision the words give and the reasoning written out."""

import calendar
import datetime
import re
from dataclasses import dataclass, replace

from ..dates import iso_date
from .vocabulary import MONTHS, SEASONS, WEEKDAYS, alternation

_MONTH_NUMBER = {name: number for names in MONTHS.values() for number, name in enumerate(names, 1)}
_MONTH_NUMBER.update({"aout": 8, "fevrier": 2, "decembre": 12, "sept": 9, "sept.": 9})
_WEEKDAY_NUMBER = {name: n for names in WEEKDAYS.values() for n, name in enumerate(names)}

M = rf"(?P<month>{alternation(list(_MONTH_NUMBER))})"
M2 = rf"(?P<month2>{alternation(list(_MONTH_NUMBER))})"
WD = rf"(?:(?P<weekday>{alternation(list(_WEEKDAY_NUMBER))}),? )"
WD2 = rf"(?:(?P<weekday2>{alternation(list(_WEEKDAY_NUMBER))}),? )"
D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?"
D2 = r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th|er)?"
Y = r"(?P<year>(?:19|20)\d\d)(?![\d]|s\b)"
Y2 = r"(?P<year2>(?:19|20)\d\d)(?![\d]|s\b)"
_THIS_YEAR = r"(?P<this_year> this year| cette année| de cette année)"
_LAST = (
    r"(?P<modifier>in|last|this|next|early|late|mid-|since|from|until|by|en|depuis|dès|début|"
    r"fin|mi-|au mois de|le mois de)"
)
_AFTER = r"(?: (?P<after>dernier|prochain|passé))"
_SEASON = alternation(list(SEASONS))

PATTERNS = [
    # "Friday 22 to Monday 25 June", "2 to 4 November 2018", "du 2 au 4 novembre"
    (
        "day_range",
        rf"(?:(?:from|du) )?{WD}?{D}(?: to | and |–|-| au | et ){WD2}?{D2} {M}(?:,? {Y})?",
    ),
    # "30 June to 2 July 2018"
    ("cross_range", rf"{D} {M}(?: to |–|-| au ){D2} {M2}(?:,? {Y})?"),
    # "Monday 25 June", "9 January this year", "le lundi 25 juin 2018", "29 October 2018"
    ("day", rf"{WD}?(?:the )?{D} {M}(?:(?:,? {Y})|{_THIS_YEAR})?"),
    # "June 25, 2018", "on June 25"
    ("day_us", rf"{WD}?{M} {D}(?:st|nd|rd|th)?(?:,? {Y})?(?![\d:])"),
    # "2023-2024", "2013–2018"
    ("year_range", rf"{Y}(?:-|–|/| to | à | au ){Y2}"),
    # "this autumn", "l'automne dernier", "cet automne"
    (
        "season",
        rf"(?P<modifier>this|last|next|cet|ce|cette|l['’]|l['’]été|en) ?"
        rf"(?P<season>{_SEASON}){_AFTER}?(?: {Y})?",
    ),
    # "in March", "last April", "March 2019", "avril dernier", "en mars 2019"
    ("month", rf"(?:{_LAST} )?{M}(?:,? {Y})?{_AFTER}?"),
    (
        "relative",
        r"(?P<relative>last week|this week|next week|la semaine dernière|cette semaine|"
        r"la semaine prochaine|last year|l['’]année dernière|l['’]an dernier|next year|"
        r"l['’]année prochaine|today|aujourd['’]hui|this year|cette année)",
    ),
    # "in 2016", "since 2015", "en 2016"
    ("year", rf"(?:(?P<modifier>in|since|from|until|by|of|en|depuis|dès) )?{Y}"),
    # "on Tuesday", "last Friday", "mardi dernier": a weekday with no date (found last, so that
    # "Monday 25 June" stays a day)
    (
        "weekday",
        rf"(?:(?P<modifier>on|last|next|this|ce|le) )?"
        rf"(?P<weekday>{alternation(list(_WEEKDAY_NUMBER))}){_AFTER}?(?! ?\d)",
    ),
]
_COMPILED = [
    (kind, re.compile(rf"(?<![\w-]){pattern}(?![\w])", re.IGNORECASE)) for kind, pattern in PATTERNS
]


@dataclass(frozen=True)
class Mention:
    """A date as written in one sentence, before it is resolved."""

    kind: str
    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    weekday: int | None = None
    modifier: str = ""
    season: str = ""
    relative: str = ""

    @property
    def has_year(self):
        return self.year is not None

    @property
    def precision(self):
        if self.kind in ("day_range", "cross_range", "year_range", "season"):
            return "range"
        if self.kind in ("day", "day_us", "weekday"):
            return "day"
        if self.kind == "month":
            return "month"
        if self.kind == "year":
            return "year"
        return "range" if "week" in self.relative or "semaine" in self.relative else "day"


def _month(value):
    return _MONTH_NUMBER.get(value.lower().rstrip(".")) if value else None


def mentions_in(text):
    """The dates written in a text, left to right, none overlapping."""
    taken, found = [], []
    for kind, pattern in _COMPILED:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            groups = match.groupdict()
            if kind == "month" and not (
                groups.get("modifier") or groups.get("year") or groups.get("after")
            ):
                continue  # a month name alone ("May") is too often another word
            if (
                kind == "month"
                and groups["month"].lower() == "may"
                and not groups.get("year")
                and (groups.get("modifier") or "").lower() not in ("in", "last", "next", "early")
            ):
                continue
            mention = _mention(kind, match, groups)
            if mention is None:
                continue
            taken.append((start, end))
            found.append(mention)
    return sorted(found, key=lambda m: m.start)


def _mention(kind, match, groups):
    start, end = match.span()
    year = int(groups["year"]) if groups.get("year") else None
    common = {"kind": kind, "start": start, "end": end, "text": match.group(0)}
    weekday = _WEEKDAY_NUMBER.get((groups.get("weekday2") or groups.get("weekday") or "").lower())
    modifier = (groups.get("modifier") or groups.get("after") or "").lower()
    if groups.get("this_year"):
        modifier = "this year"
    if kind == "day_range":
        day, day2, month = int(groups["day"]), int(groups["day2"]), _month(groups["month"])
        if not (1 <= day < day2 <= 31):
            return None
        return Mention(
            **common,
            year=year,
            month=month,
            day=day,
            end_year=year,
            end_month=month,
            end_day=day2,
            weekday=weekday,
        )
    if kind == "cross_range":
        return Mention(
            **common,
            year=year,
            month=_month(groups["month"]),
            day=int(groups["day"]),
            end_year=year,
            end_month=_month(groups["month2"]),
            end_day=int(groups["day2"]),
        )
    if kind in ("day", "day_us"):
        day = int(groups["day"])
        if not 1 <= day <= 31:
            return None
        return Mention(
            **common,
            year=year,
            month=_month(groups["month"]),
            day=day,
            weekday=weekday,
            modifier=modifier,
        )
    if kind == "year_range":
        year2 = int(groups["year2"])
        if not year < year2 <= year + 30:
            return None
        return Mention(**common, year=year, end_year=year2)
    if kind == "season":
        return Mention(**common, year=year, season=groups["season"].lower(), modifier=modifier)
    if kind == "month":
        return Mention(**common, year=year, month=_month(groups["month"]), modifier=modifier)
    if kind == "relative":
        return Mention(**common, relative=groups["relative"].lower().replace("’", "'"))
    if kind == "weekday":
        return Mention(**common, weekday=weekday, modifier=modifier)
    return Mention(**common, year=year, modifier=modifier)


@dataclass(frozen=True)
class Reference:
    """The date a release speaks from, and how it is known."""

    date: datetime.date
    reasoning: str
    stated: bool  # a dateline or a date the curator gave, not a reading of the text


def _fits(year, month, day):
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _weekday_name(number):
    return calendar.day_name[number]


_PAST = re.compile(
    r"\b(?:was|were|had|has been|have been|did|signed|launched|announced|held|"
    r"took place|met|visited|began|started|opened|"
    r"(?:a|ont|avait|avaient) (?:\w+ )?(?:été|signé|lancé|annoncé|tenu|eu lieu|"
    r"rencontré|visité)|s['’]est tenue?|lancée?)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|set to|to be|is to|are to|planned|upcoming|forthcoming|"
    r"look forward|next|sera|seront|prochaine?|doit|devrait|aura lieu)\b",
    re.IGNORECASE,
)


def tense_of(text):
    """ "future", "past" or "" for a clause, by its auxiliaries and markers."""
    if _FUTURE.search(text):
        return "future"
    if _PAST.search(text):
        return "past"
    return ""


def _nearest_year(month, day, reference, modifier="", weekday=None, tense=""):
    """The year that puts month/day nearest the reference (before it for "last", after for
    "next"), keeping to years whose calendar fits the weekday if one is written. A clause in
    the past (or the future) prefers the occurrence before (after) the reference, within
    eight months."""
    candidates = [
        y
        for y in (reference.year - 1, reference.year, reference.year + 1)
        if _fits(y, month, day or 1)
    ]
    if modifier in ("last", "dernier", "passé", "since", "depuis"):
        candidates = [y for y in candidates if datetime.date(y, month, day or 1) <= reference]
    elif modifier in ("next", "prochain"):
        candidates = [y for y in candidates if datetime.date(y, month, day or 1) >= reference]
    if weekday is not None and day:
        fitting = [y for y in candidates if datetime.date(y, month, day).weekday() == weekday]
        if fitting:
            candidates = fitting

    def offset(year):
        return (datetime.date(year, month, day or 1) - reference).days

    if tense == "past" and weekday is None:
        before = [y for y in candidates if -240 <= offset(y) <= 0]
        if before:
            return max(before)
    if tense == "future" and weekday is None:
        after = [y for y in candidates if 0 <= offset(y) <= 240]
        if after:
            return min(after)
    return min(candidates, key=lambda y: abs(offset(y)))


def _written(mention):
    return f"“{mention.text}”"


def resolve(mention, reference, tense=""):
    """{start, end, precision, inferred, reasoning, as_written} for a mention, with its year
    taken from the reference when the text leaves it out."""
    where = reference.reasoning if reference else ""
    if mention.kind == "relative":
        return _relative(mention, reference)
    if mention.kind == "weekday":
        return _weekday(mention, reference, tense)
    if mention.kind == "season":
        return _season(mention, reference)
    year = mention.year
    inferred = False
    reasoning = ""
    flag = ""
    if mention.month is not None and year is None:
        if reference is None:
            return _unknown(mention, "the release gives no year and no date to read one from")
        if mention.modifier == "this year":
            year = reference.date.year
            reasoning = f"{_written(mention)}: the year of the release ({where})."
        else:
            # Under a dateline the nearest year is the year, and the weekday only checked; an
            # undated release is dated by its weekdays (Reader.find_reference).
            weekday = None if reference.stated else mention.weekday
            year = _nearest_year(
                mention.month, mention.day, reference.date, mention.modifier, weekday, tense
            )
            inferred = True
            which = {
                "last": "the last",
                "dernier": "the last",
                "next": "the next",
                "prochain": "the next",
            }.get(mention.modifier, "the nearest")
            if which == "the nearest" and tense and mention.weekday is None:
                which = {
                    "past": "the nearest (the text speaks in the past) before",
                    "future": "the nearest (the text speaks of what is to come) after",
                }[tense]
                which = which.replace(" before", "").replace(" after", "")
            thing = (
                f"{mention.day} {calendar.month_name[mention.month]}"
                if mention.day
                else calendar.month_name[mention.month]
            )
            reasoning = (
                f"{_written(mention)} has no year: read as {thing} {year}, {which} "
                f"{thing} to the release's date ({where})."
            )
    start = (year, mention.month, mention.day)
    end = (
        mention.end_year if mention.end_year is None or mention.year else year,
        mention.end_month,
        mention.end_day,
    )
    if mention.kind == "day_range" and mention.end_year is None:
        end = (year, mention.end_month, mention.end_day)
    if mention.kind == "cross_range":
        end = (
            year if mention.end_month >= mention.month else year + 1,
            mention.end_month,
            mention.end_day,
        )
    if mention.day and not _fits(year, mention.month, mention.day):
        return _unknown(
            mention, f"{mention.day} {calendar.month_name[mention.month]} {year} is not a date"
        )
    if mention.weekday is not None and mention.day:
        check_day = end[2] if mention.precision == "range" else mention.day
        check_month = end[1] if mention.precision == "range" else mention.month
        check_year = end[0] if mention.precision == "range" else year
        actual = datetime.date(check_year, check_month, check_day).weekday()
        if actual == mention.weekday:
            reasoning += (
                f" The calendar agrees: {check_day} {calendar.month_name[check_month]} "
                f"{check_year} was a {_weekday_name(actual)}."
            )
        else:
            flag = (
                f"The text says {_weekday_name(mention.weekday)}, but {check_day} "
                f"{calendar.month_name[check_month]} {check_year} was a "
                f"{_weekday_name(actual)}: check the date."
            )
            reasoning += " " + flag
    precision = mention.precision
    result = {
        "start": _iso(start),
        "end": _iso(end) if precision == "range" else None,
        "precision": precision,
        "inferred": inferred,
        "reasoning": reasoning.strip(),
        "as_written": mention.text,
        "parts": {
            "year": start[0],
            "month": start[1],
            "day": start[2],
            "end_year": end[0] if precision == "range" else None,
            "end_month": end[1] if precision == "range" else None,
            "end_day": end[2] if precision == "range" else None,
        },
    }
    if flag:
        result["flag"] = flag
    return result


def _iso(parts):
    return iso_date(*parts)


def _unknown(mention, why):
    return {
        "start": None,
        "end": None,
        "precision": "unknown",
        "inferred": False,
        "reasoning": f"{_written(mention)}: {why}.",
        "as_written": mention.text,
        "parts": dict.fromkeys(("year", "month", "day", "end_year", "end_month", "end_day")),
    }


def unknown(reasoning):
    return {
        "start": None,
        "end": None,
        "precision": "unknown",
        "inferred": False,
        "reasoning": reasoning,
        "as_written": "",
        "parts": dict.fromkeys(("year", "month", "day", "end_year", "end_month", "end_day")),
    }


def _season(mention, reference):
    first, last = SEASONS[mention.season]
    if mention.year:
        year = mention.year
        reasoning = f"{_written(mention)}: the months of that season ({first}–{last})."
        inferred = True
    elif reference is None:
        return _unknown(mention, "the release gives no year and no date to read one from")
    else:
        year = reference.date.year
        if mention.modifier in ("last", "dernier", "passé") or (
            mention.modifier in ("l'", "l’") and mention.text.lower().endswith("dernier")
        ):
            year -= 1
        elif mention.modifier in ("next", "prochain"):
            year += 1
        reasoning = (
            f"{_written(mention)} read as {calendar.month_name[first]}–"
            f"{calendar.month_name[last]} {year}, from the release's date ({reference.reasoning})."
        )
        inferred = True
    end_year = year + 1 if last < first else year
    parts = {
        "year": year,
        "month": first,
        "day": None,
        "end_year": end_year,
        "end_month": last,
        "end_day": None,
    }
    return {
        "start": _iso((year, first, None)),
        "end": _iso((end_year, last, None)),
        "precision": "range",
        "inferred": inferred,
        "reasoning": reasoning,
        "as_written": mention.text,
        "parts": parts,
    }


def _relative(mention, reference):
    if reference is None:
        return _unknown(mention, "the release has no date to count from")
    date = reference.date
    word = mention.relative
    span = None
    if word in ("last week", "la semaine dernière"):
        span = (
            date - datetime.timedelta(days=7 + date.weekday()),
            date - datetime.timedelta(days=1 + date.weekday()),
        )
    elif word in ("this week", "cette semaine"):
        span = (
            date - datetime.timedelta(days=date.weekday()),
            date + datetime.timedelta(days=6 - date.weekday()),
        )
    elif word in ("next week", "la semaine prochaine"):
        span = (
            date + datetime.timedelta(days=7 - date.weekday()),
            date + datetime.timedelta(days=13 - date.weekday()),
        )
    if span:
        first, last = span
        parts = {
            "year": first.year,
            "month": first.month,
            "day": first.day,
            "end_year": last.year,
            "end_month": last.month,
            "end_day": last.day,
        }
        return {
            "start": first.isoformat(),
            "end": last.isoformat(),
            "precision": "range",
            "inferred": True,
            "as_written": mention.text,
            "parts": parts,
            "reasoning": f"{_written(mention)} counted from the release's date "
            f"({reference.reasoning}): {first:%d %B} to {last:%d %B %Y}.",
        }
    if word in ("today", "aujourd'hui"):
        parts = {
            "year": date.year,
            "month": date.month,
            "day": date.day,
            "end_year": None,
            "end_month": None,
            "end_day": None,
        }
        return {
            "start": date.isoformat(),
            "end": None,
            "precision": "day",
            "inferred": not reference.stated,
            "as_written": mention.text,
            "parts": parts,
            "reasoning": f"{_written(mention)}: the release's date ({reference.reasoning}).",
        }
    offset = {
        "last year": -1,
        "l'année dernière": -1,
        "l'an dernier": -1,
        "next year": 1,
        "l'année prochaine": 1,
    }.get(word, 0)
    year = date.year + offset
    return {
        "start": f"{year:04d}",
        "end": None,
        "precision": "year",
        "inferred": True,
        "as_written": mention.text,
        "parts": {
            "year": year,
            "month": None,
            "day": None,
            "end_year": None,
            "end_month": None,
            "end_day": None,
        },
        "reasoning": f"{_written(mention)} counted from the release's date "
        f"({reference.reasoning}): {year}.",
    }


def shifted(mention, offset):
    return replace(mention, start=mention.start + offset, end=mention.end + offset)


def _weekday(mention, reference, tense):
    """ "on Tuesday": the last Tuesday up to the release's date, or the next one for what is to
    come ("next Tuesday", a clause in the future)."""
    if reference is None:
        return _unknown(mention, "the release has no date to count from")
    date = reference.date
    ahead = mention.modifier in ("next", "prochain") or (
        tense == "future" and mention.modifier not in ("last", "dernier", "passé")
    )
    if ahead:
        offset = (mention.weekday - date.weekday()) % 7 or 7
        day = date + datetime.timedelta(days=offset)
        which = "the next"
    else:
        day = date - datetime.timedelta(days=(date.weekday() - mention.weekday) % 7)
        which = "the last"
    parts = {
        "year": day.year,
        "month": day.month,
        "day": day.day,
        "end_year": None,
        "end_month": None,
        "end_day": None,
    }
    return {
        "start": day.isoformat(),
        "end": None,
        "precision": "day",
        "inferred": True,
        "as_written": mention.text,
        "parts": parts,
        "reasoning": f"{_written(mention)} read as {_weekday_name(day.weekday())} "
        f"{day.day} {calendar.month_name[day.month]} {day.year}, {which} such day to the "
        f"release's date ({reference.reasoning}).",
    }
