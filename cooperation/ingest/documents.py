"""A press release as the assistant reads it: its text from a text, HTML or PDF file (or refused
with a clear reason), its language, and its sentences placed in the text quotes cite."""

import io
import re
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from django.utils.translation import gettext

from ..quotes import _reading
from .vocabulary import OTHER_STOPWORDS, STOPWORDS

MAX_BYTES = 8 * 1024 * 1024
MAX_CHARACTERS = 200_000


class UnreadableDocument(ValueError):
    """The file cannot be read as a press release; the message says why, for the curator."""


def text_of(data, name=""):
    """The text of a file's bytes: plain text as it is, HTML's main text, a PDF's text layer."""
    if not data or not data.strip():
        raise UnreadableDocument(gettext("The file is empty: there is no text to read."))
    if len(data) > MAX_BYTES:
        raise UnreadableDocument(
            gettext(
                "The file is %(size).1f MB; a press release is a few kilobytes (the limit is "
                "%(limit)d MB). Give the release itself, not an archive."
            )
            % {"size": len(data) / 1024 / 1024, "limit": MAX_BYTES // 1024 // 1024}
        )
    if data.startswith(b"%PDF-"):
        text = _pdf_text(data)
    else:
        text = _decoded(data)
        if _looks_like_html(text, name):
            text = _html_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise UnreadableDocument(gettext("The file holds no readable text."))
    if len(text) > MAX_CHARACTERS:
        raise UnreadableDocument(
            gettext(
                "The text is %(length)s characters long; a press release is a few thousand "
                "(the limit is %(limit)s). Give one release at a time."
            )
            % {"length": f"{len(text):,}", "limit": f"{MAX_CHARACTERS:,}"}
        )
    return text


def _decoded(data):
    if b"\x00" in data[:8192]:
        raise UnreadableDocument(
            gettext(
                "The file is not text, HTML or PDF (it holds binary data). Give the release as "
                "a text, HTML or PDF file, or paste its text."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
        if controls > 8:
            break
        return text
    raise UnreadableDocument(
        gettext(
            "The file is not text, HTML or PDF (its bytes are not UTF-8 or Windows text). Give "
            "the release as a text, HTML or PDF file, or paste its text."
        )
    )


def _looks_like_html(text, name):
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = text[:2048].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in text)


def _html_text(html):
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if text and text.strip():
        # One line per paragraph, heading or list item: blank lines keep them apart.
        return "\n\n".join(line for line in text.splitlines() if line.strip())
    from django.utils.html import strip_tags

    return strip_tags(html)


def _pdf_text(data):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(
                gettext("The PDF is encrypted: give an unprotected copy or its text.")
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableDocument(
            gettext("The PDF cannot be read (%(error)s).") % {"error": error}
        ) from error
    text = "\n\n".join(pages)
    if not text.strip():
        raise UnreadableDocument(
            "The PDF has no text layer (it is a scan or made of images): run it through OCR or "
            "paste its text."
        )
    return text


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def language_of(text):
    """ "en" or "fr" by their commonest words, or None when the text reads as neither."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if len(words) < 5:
        return None
    # Each language is scored by its own common words only: those it shares with another
    # (French "la", "de", "en" are Spanish too) tell nothing.
    languages = {**STOPWORDS, **OTHER_STOPWORDS}
    scores = {}
    for language, common in languages.items():
        shared = set().union(*(words for other, words in languages.items() if other != language))
        scores[language] = sum(1 for w in words if w in common and w not in shared)
    best = max(scores, key=scores.get)
    if best not in STOPWORDS or scores[best] < max(3, 0.06 * len(words)):
        return None
    return best


_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_ABBREVIATIONS = {
    "prof",
    "assoc",
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "no",
    "nos",
    "m",
    "mme",
    "tel",
    "fax",
    "vs",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "dept",
    "approx",
    "e.g",
    "i.e",
    "cf",
}
_SENTENCE_END = re.compile(r"[.!?][”’\"')\]]?(?= +[“‘\"'(\[]?[A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the reading: its text, where it starts, and the block (paragraph) it is in."""

    text: str
    start: int
    block: int

    @property
    def end(self):
        return self.start + len(self.text)


class Document:
    """A release's text and its reading: white space folded to one space and hyphens at line
    ends kept, exactly as quotes are matched, so that any span of the reading is a valid quote."""

    def __init__(self, text):
        self.text = text
        self.reading, self.origin = _reading(text, False)

    @cached_property
    def block_starts(self):
        """Positions in the reading where a paragraph (a block after a blank line) begins."""
        starts = [0]
        for index, char in enumerate(self.reading):
            if char != " " or index + 1 >= len(self.reading):
                continue
            gap = self.text[self.origin[index] : self.origin[index + 1]]
            if _BLANK_LINE.search(gap):
                starts.append(index + 1)
        return starts

    @cached_property
    def hard_breaks(self):
        """Positions in the reading where a line ends a heading or a list item (a short line,
        or a blank line): a name never runs across one, as one runs across a wrapped line."""
        breaks = set(self.block_starts[1:])
        line_start = 0
        for index, char in enumerate(self.reading):
            if char != " " or index + 1 >= len(self.reading):
                continue
            gap = self.text[self.origin[index] : self.origin[index + 1]]
            if "\n" in gap:
                line = self.reading[line_start:index]
                if len(line.split()) <= 4 or len(line) < 40:
                    breaks.add(index + 1)
                line_start = index + 1
        return breaks

    def crosses_break(self, start, end):
        return any(start < position < end for position in self.hard_breaks)

    @cached_property
    def blocks(self):
        bounds = [*self.block_starts, len(self.reading)]
        return [(start, self.reading[start:end].rstrip()) for start, end in pairwise(bounds)]

    @cached_property
    def sentences(self):
        """The sentences, each within one paragraph, and never across the end of a short line
        (a heading, a dateline, an item of a list)."""
        found = []
        for sentence in self._sentences_by_punctuation:
            cuts = sorted(p for p in self.hard_breaks if sentence.start < p < sentence.end)
            if not cuts:
                found.append(sentence)
                continue
            for start, end in pairwise([sentence.start, *cuts, sentence.end]):
                piece = self.reading[start:end].strip()
                if piece:
                    found.append(Sentence(piece, self.reading.index(piece, start), sentence.block))
        return found

    @cached_property
    def _sentences_by_punctuation(self):
        found = []
        for number, (start, block) in enumerate(self.blocks):
            leading = len(block) - len(block.lstrip())
            position = leading
            for match in _SENTENCE_END.finditer(block):
                end = match.end()
                word = re.search(r"([\w.]+)[.!?][”’\"')\]]?$", block[position:end])
                stem = word.group(1).lower() if word else ""
                if stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
                    continue
                piece = block[position:end].strip()
                if piece:
                    found.append(Sentence(piece, start + block.index(piece, position), number))
                position = end
            piece = block[position:].strip()
            if piece:
                found.append(Sentence(piece, start + block.index(piece, position), number))
        return found

    @cached_property
    def lines(self):
        """Each line of the original text as a span of the reading: (reading start, text)."""
        found = []
        offset = 0
        reading_at = {position: index for index, position in enumerate(self.origin)}
        for line in self.text.split("\n"):
            stripped = line.strip()
            if stripped:
                first = offset + line.index(stripped[0])
                index = reading_at.get(first)
                folded = " ".join(stripped.split())
                if index is not None and self.reading.startswith(folded, index):
                    found.append((index, folded))
            offset += len(line) + 1
        return found

    def sentence_at(self, position):
        for sentence in self.sentences:
            if sentence.start <= position < sentence.end:
                return sentence
        return None
