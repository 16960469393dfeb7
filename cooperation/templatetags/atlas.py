"""The catalogue's template tags: `{% browser_url country="VN" year=2018 %}`, the agreement
browser's address for a search; `{{ data|ld_json }}`, a record's schema.org description;
`|in_english`, English content marked as such on a French page (and French content not)."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from ..filters import browser_url as build

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """A JSON-LD data block (not a script that runs: no Content-Security-Policy concerns it)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def browser_url(**params):
    return build(**params)


@register.simple_tag
def year_url(within, year):
    """`{% year_url timeline_within 2018 %}`: the agreement browser for one year, within a
    search's other filters (`within`: its (name, value) pairs; a year range gives way)."""
    dropped = ("year", "year_from", "year_to", "page", "sort")
    return build([(k, v) for k, v in (within or ()) if k not in dropped], year=year)


# Record content is curated in English, with a curator's French beside it where one was written
# (`agreement.local_title`, a `Text` that knows its language). Text in another language than
# the page's is marked (lang="en", so that screen readers read it as such), and a summary or a
# note says so; text in the page's own language is shown as it is.


def _foreign(text):
    """The language `text` is in, when it is not the page's; None when it is."""
    page = (get_language() or "en")[:2]
    lang = getattr(text, "lang", "en")
    return None if not text or lang == page else lang


@register.filter
def in_english(text):
    """`{{ agreement.local_title|in_english }}`: the text, in a `lang="en"` span on a page in
    another language."""
    lang = _foreign(text)
    if lang is None:
        return text
    return format_html('<span lang="{}">{}</span>', lang, text)


@register.filter
def in_english_noted(text):
    """`{{ agreement.local_summary|in_english_noted }}`: the same, followed by "(in English)"
    in the page's language."""
    lang = _foreign(text)
    if lang is None:
        return text
    return format_html(
        '<span lang="{}">{}</span> <span class="untranslated">{}</span>',
        lang,
        text,
        gettext("(in English)"),
    )
