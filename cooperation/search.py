"""Free-text search over agreements: the same answers on PostgreSQL and SQLite.

Each agreement keeps a `search_text`: its title, summary, place, parties, signatories and
quotes, folded (lower case, no accents, words of letters and digits of any script), followed by
the English and French stems of those words (snowball), so that "satellites" and "spatiale"
are found by "satellite" and "spatial", "climatique" by "climate". A query's word matches a
word of that text that begins with the word, or with one of its stems; a "quoted phrase" must
occur as written (its last word may be a beginning); every word and phrase must match.

Both databases run that one rule. PostgreSQL reads it from a GIN-indexed tsvector of the text
(the simple configuration: words as they are, no stemming of its own, migration 0010); SQLite
looks for the same word beginnings with LIKE. The search text is kept true by the model layer
(cooperation.derived).
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
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


_STEMMERS = [snowballstemmer.stemmer(language) for language in ("english", "french")]


@lru_cache(maxsize=50_000)
def stems(word):
    """The English and French stems of a folded word that differ from it."""
    found = []
    for stemmer in _STEMMERS:
        stem = stemmer.stemWord(word)
        if stem != word and stem not in found:
            found.append(stem)
    return tuple(found)


def indexed_text(text):
    """What an agreement is found by: its text folded, then the stems of its words."""
    folded = fold(text)
    extra = []
    for word in dict.fromkeys(folded.split()):
        extra += [stem for stem in stems(word) if stem not in extra]
    return folded + (" ".join(extra) + " " if extra else "")


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
    parties = agreement.parties.all()
    countries = {party.country.code for party in parties if party.country_id}
    countries |= {country.code for country in agreement.countries_concerned.all()}
    return document_of(
        agreement,
        parties,
        agreement.signatories.all(),
        [quote.text for quote in agreement.quotes.all()],
        countries,
    )


def document_of(agreement, parties, signatories, quotes, countries=()):
    """The text an agreement is found by, from its parties and signatories (in their order:
    by name), its quotes' texts, its title and summary in both languages, and the French names
    of its kind and of its countries (ISO codes), so that "accord-cadre", "Japon" or "Corée"
    find what "framework", "Japan" and "Korea" do."""
    parts = [agreement.title, agreement.summary, agreement.place]
    parts += [agreement.title_fr or "", agreement.summary_fr or ""]
    parts += [f"{party.acronym} {party.name}" for party in parties]
    parts += [person.name for person in signatories]
    parts += french_names(agreement.kind, countries)
    return indexed_text(" ".join([*parts, *quotes]))


def french_names(kind, countries):
    """Its kind's French label and its countries' names in French and English (CLDR), for the
    search text."""
    from django.utils import translation

    from .models import AgreementKind
    from .models.vocabulary import local_country_name

    with translation.override("fr"):
        names = [str(AgreementKind(kind).label)] if kind in AgreementKind.values else []
    for code in sorted(countries):
        names += [local_country_name(code, "", "fr"), english_country_name(code)]
    return [name for name in names if name]


def english_country_name(code):
    """CLDR's English name of a country ("Japan"), by code: so that "Japan" finds what
    "Japon" finds, whatever the records' own wording."""
    from babel import Locale

    return Locale("en").territories.get(code, "")


def refresh_search_text(agreements):
    """Recompute `search_text` for these agreements (a queryset); returns how many changed."""
    from .models import Agency, Agreement, Quote

    prepared = agreements.only(
        "pk", "title", "summary", "title_fr", "summary_fr", "place", "kind", "search_text"
    ).prefetch_related(
        Prefetch("parties", queryset=Agency.objects.select_related("country")),
        "countries_concerned",
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
    """Agreements whose search text holds every term of the query (see the module's rule)."""
    phrases = terms(query)
    if not phrases:
        return queryset
    if full_text if full_text is not None else uses_full_text_search():
        return queryset.filter(_matches_full_text(phrases))
    for words in phrases:
        if len(words) == 1:
            beginnings = [words[0], *stems(words[0])]
            either = Q()
            for beginning in beginnings:
                either |= Q(search_text__contains=f" {beginning}")
            queryset = queryset.filter(either)
        else:
            queryset = queryset.filter(search_text__contains=" " + " ".join(words))
    return queryset


def _matches_full_text(phrases):
    # Words are folded to letters and digits, so they are safe inside tsquery syntax. A subquery
    # of its own keeps the SQL valid wherever Django aliases the agreement table.
    parts = []
    for words in phrases:
        if len(words) == 1:
            parts.append("(" + " | ".join(f"{w}:*" for w in (words[0], *stems(words[0]))) + ")")
        else:
            parts.append(" <-> ".join((*words[:-1], f"{words[-1]}:*")))
    sql = (
        "SELECT id FROM cooperation_agreement "
        "WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)"
    )
    return Q(pk__in=RawSQL(sql, [" & ".join(parts)]))
