"""Record content in two languages: the curated English, a curator's French beside it, and the
text a page in either language shows, which knows the language it is written in."""

from django.db import models
from django.utils.translation import get_language


class Text(str):
    """A record's text and the language it is in (`lang`), so that a page in another language
    can mark it (`lang="en"`, "(en anglais)") and a page in its own language does not."""

    def __new__(cls, value, lang):
        text = super().__new__(cls, value)
        text.lang = lang
        return text

    def __reduce__(self):
        return (Text, (str(self), self.lang))


def in_french(verbose_name, max_length=None):
    """The French of a curated English field, empty until a curator writes it. Empty is NULL,
    not "": a nullable column is added without rebuilding the table on SQLite, and NULL says
    plainly that no one has translated the record yet."""
    if max_length:
        return models.CharField(verbose_name, max_length=max_length, blank=True, null=True)
    return models.TextField(verbose_name, blank=True, null=True)


class Translated:
    """`agreement.local_title`: the French a curator wrote, on a page in French; otherwise the
    English. Either way a `Text` that says which it is: a French page never passes English off
    as French, and never hides that a translation is missing."""

    def __init__(self, field):
        self.field = field

    def __get__(self, record, owner=None):
        if record is None:
            return self
        language = (get_language() or "en")[:2]
        if language != "en":
            translated = getattr(record, f"{self.field}_{language}", None)
            if translated:
                return Text(translated, language)
        return Text(getattr(record, self.field), "en")
