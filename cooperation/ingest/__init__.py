"""The ingest assistant: a press release in, every record it names proposed with its quote.

`read_release(data)` takes a file's bytes (text, HTML or PDF) and returns the proposals the
`propose_records` command prints; it writes nothing. The reading itself is in `proposals`, its
words in `vocabulary`, dates in `dating`, the catalogue's names in `gazetteer`; `evaluation`
scores it on the seed releases.
"""

from .documents import UnreadableDocument, language_of, text_of
from .gazetteer import Gazetteer
from .proposals import propose


def read_release(data, *, name="", language="auto", source_date=None, gazetteer=None):
    """The proposals for a release's bytes, matched against the catalogue (or `gazetteer`)."""
    text = text_of(data, name)
    found = language_of(text)
    if language == "auto":
        if found is None:
            raise UnreadableDocument(
                "The text reads as neither English nor French: the assistant reads releases in "
                "those two languages only (give --language en or fr to read it anyway)."
            )
        language = found
    if gazetteer is None:
        gazetteer = Gazetteer.from_database()
    return propose(text, gazetteer, language=language, source_date=source_date)


__all__ = ["Gazetteer", "UnreadableDocument", "language_of", "propose", "read_release", "text_of"]
