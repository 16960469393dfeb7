"""`{% browser_url country="VN" year=2018 %}`: the agreement browser's address for a search."""

from django import template

from ..filters import browser_url as build

register = template.Library()


@register.simple_tag
def browser_url(**params):
    return build(**params)
