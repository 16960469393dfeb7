"""The catalogue's template tags: `{% browser_url country="VN" year=2018 %}`, the agreement
browser's address for a search; `{{ data|ld_json }}`, a record's schema.org description;
`|in_english`, English content marked as such on a French page."""

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


# Record content is curated in English: on a page in another language it is marked as English
# (lang="en", so that screen readers read it as such), and a summary or a note says so.


@register.filter
def in_english(text):
    """`{{ agreement.title|in_english }}`: the text, in a `lang="en"` span on a page in another
    language."""
    if not text or (get_language() or "en").startswith("en"):
        return text
    return format_html('<span lang="en">{}</span>', text)


@register.filter
def in_english_noted(text):
    """`{{ agreement.summary|in_english_noted }}`: the same, followed by "(in English)" in the
    page's language."""
    if not text or (get_language() or "en").startswith("en"):
        return text
    return format_html(
        '<span lang="en">{}</span> <span class="untranslated">{}</span>',
        text,
        gettext("(in English)"),
    )
