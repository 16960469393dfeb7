"""Finding a quote in its source's text, and showing the source with its quoted passages marked.

A quote matches its source with runs of white space folded to one space, and a hyphen at the end
of a line either kept ("Jean-Yves") or joined ("coopera-tion" → "cooperation").
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

_LINE_END_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*")
_WHITE_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=64)
def _reading(text, join_hyphens):
    """The text as quotes cite it, and for each of its characters the position in the original."""
    chars, origin = [], []
    position = 0
    while position < len(text):
        hyphen = _LINE_END_HYPHEN.match(text, position)
        if hyphen:
            if not join_hyphens:
                chars.append("-")
                origin.append(position)
            position = hyphen.end()
            continue
        space = _WHITE_SPACE.match(text, position)
        if space:
            chars.append(" ")
            origin.append(position)
            position = space.end()
            continue
        chars.append(text[position])
        origin.append(position)
        position += 1
    return "".join(chars), tuple(origin)


def locate(quote, text):
    """(start, end) of the quote in the original text, or None if the text does not hold it."""
    needle = " ".join(quote.split())
    if not needle:
        return None
    for join_hyphens in (False, True):
        reading, origin = _reading(text, join_hyphens)
        found = reading.find(needle)
        if found >= 0:
            return origin[found], origin[found + len(needle) - 1] + 1
    return None


def quote_occurs_in(quote, text):
    return locate(quote, text) is not None


@dataclass(frozen=True)
class Passage:
    """A quote placed in its source: where it starts and ends, and the anchor that names it."""

    start: int
    end: int
    anchor: str


def mark_passages(text, passages, labels=None):
    """The source's text as HTML, each quoted passage in a <mark>; a passage's first mark carries
    its anchor, so that a record can link to the very sentence that supports it. `labels`, by
    anchor, is HTML written where the passage ends (what it supports)."""
    labels = labels or {}
    boundaries = sorted({0, len(text)} | {p.start for p in passages} | {p.end for p in passages})
    html = []
    for start, end in pairwise(boundaries):
        piece = escape(text[start:end])
        covering = [p for p in passages if p.start <= start and end <= p.end]
        if not covering:
            html.append(piece)
            continue
        ending = "".join(
            conditional_escape(labels.get(p.anchor, "")) for p in covering if p.end == end
        )
        # One <mark> for each passage that starts here (nested when several do), so that every
        # passage's anchor is a visible, highlighted element; a plain <mark> otherwise. Every
        # fragment is classed with the anchors of the passages it belongs to, so that the
        # source's stylesheet (passages_css) can light the whole passage a link points at.
        anchors = [p.anchor for p in passages if p.start == start] or [None]
        classes = " ".join(["quote", *(p.anchor for p in covering)])
        if len(covering) > 1:
            classes += " quote-overlap"
        opening = "".join(
            f'<mark class="{classes}"{f" id={chr(34)}{a}{chr(34)}" if a else ""}>' for a in anchors
        )
        html.append(f"{opening}{piece}{'</mark>' * len(anchors)}{ending}")
    return mark_safe("".join(html))


def passages_css(anchors):
    """The stylesheet of a source's page: for each passage, when a link points at it (its
    first fragment is the :target), every fragment of it, and its entry in the list of what
    each passage supports, stand out, and the note of what it supports appears beside it; the
    other passages go quiet (site.css)."""
    rules = []
    for a in anchors:
        rules.append(
            f".source-layout:has(#{a}:target) :is(mark.{a}, li.{a}) "
            "{ background: var(--mark-strong); }"
        )
        rules.append(f".source-layout:has(#{a}:target) .supports.{a} {{ display: inline; }}")
    return "\n".join(rules) + "\n"
