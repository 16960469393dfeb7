"""Free-text search over agreements: PostgreSQL full-text search, or a portable fallback.

Each agreement keeps a `search_text`: its title, summary, place, parties, signatories and
quotes, with accents and case folded away. On PostgreSQL a generated `tsvector` column built
from it in the English and French configurations carries a GIN index (migration 0004), and
a query is matched word by word: every word must occur, as a word or a word's beginning, in
any of the English, French or simple (unstemmed) forms; a "quoted phrase" must occur as
written. The fallback (SQLite) matches word beginnings and phrases with LIKE on the same text:
the same results wherever stemming does not come into play ("agreements" also finds
"agreement" on PostgreSQL only).

The search text is kept true by the model layer (cooperation.derived).
"""

import re
import unicodedata

from django.db import connection
from django.db.models import Prefetch, Q
from django.db.models.expressions import RawSQL

QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')


# Letters that carry no accent Unicode could take off: they are written as a reader would type
# them (casefold() already turns ß into ss).
_PLAIN_LETTERS = str.maketrans(
    {"đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe",
     "æ": "ae", "Æ": "ae", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i", "ħ": "h"}
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script


def fold(text):
    """Lower case, no accents, words separated by single spaces, a space at each end. Words
    are letters and digits of any script ("Đinh" is "dinh", "中国" stays a word)."""
    plain = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    plain = "".join(char for char in plain if not unicodedata.combining(char)).casefold()
    return " " + " ".join(_WORD.findall(plain)) + " "


def terms(query):
    """The query as phrases, each a tuple of folded words: 'Le Gall "space climate"' gives
    (("le",), ("gall",), ("space", "climate"))."""
    found = []
    for phrase, word in QUERY_TERM.findall(query):
        words = tuple(fold(phrase or word).split())
        if words:
            found.append(words)
    return found


def document(agreement):
    """The text an agreement is found by (its relations must be prefetched)."""
    parts = [agreement.title, agreement.summary, agreement.place]
    parts += [f"{party.acronym} {party.name}" for party in agreement.parties.all()]
    parts += [person.name for person in agreement.signatories.all()]
    parts += [quote.text for quote in agreement.quotes.all()]
    return fold(" ".join(parts))


def refresh_search_text(agreements):
    """Recompute `search_text` for these agreements (a queryset); returns how many changed."""
    from .models import Agreement, Quote

    prepared = agreements.only("pk", "title", "summary", "place", "search_text").prefetch_related(
        "parties",
        "signatories",
        Prefetch("quotes", queryset=Quote.objects.only("text", "object_id", "content_type")),
    )
    batch, changed = [], 0
    for agreement in prepared.iterator(chunk_size=2000):
        text = document(agreement)
        if text != agreement.search_text:
            agreement.search_text = text
            batch.append(agreement)
            changed += 1
        if len(batch) >= 2000:
            Agreement.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Agreement.objects.bulk_update(batch, ["search_text"])
    return changed


def uses_full_text_search():
    return connection.vendor == "postgresql"


def search(queryset, query, *, full_text=None):
    """Agreements whose search text holds every term of the query."""
    phrases = terms(query)
    if not phrases:
        return queryset
    if full_text if full_text is not None else uses_full_text_search():
        return queryset.filter(_matches_full_text(phrases))
    for words in phrases:
        queryset = queryset.filter(search_text__contains=" " + " ".join(words))
    return queryset


def _matches_full_text(phrases):
    # Words are folded to letters and digits, so they are safe inside tsquery syntax. The last
    # word of each phrase may be a beginning ("climat" finds "climate"); English and French
    # stem, the simple configuration keeps every word as written (stop words included). A
    # subquery of its own keeps the SQL valid wherever Django aliases the agreement table.
    tsquery = " & ".join(" <-> ".join((*words[:-1], f"{words[-1]}:*")) for words in phrases)
    sql = (
        "SELECT id FROM cooperation_agreement WHERE search_vector @@ (to_tsquery('english', %s)"
        " || to_tsquery('french', %s) || to_tsquery('simple', %s))"
    )
    return Q(pk__in=RawSQL(sql, [tsquery, tsquery, tsquery]))
