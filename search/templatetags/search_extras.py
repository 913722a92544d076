"""Template helpers for pages outside the search app: query highlighting and related articles."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from search.highlighting import highlight
from search.query import QueryTooLong, parse_query
from search.services import highlight_needles, related_articles

register = template.Library()


@register.simple_tag
def highlighter(query: str, *texts: str) -> list[str]:
    """The strings to mark for `query` in an article made of `texts` ([] without a query)."""
    if not query:
        return []
    try:
        parsed = parse_query(query)
    except QueryTooLong:
        return []
    return highlight_needles(parsed, [t for t in texts if t])


@register.filter
def marked(text: str, needles: list[str]) -> SafeString:
    """text, HTML-escaped, with the needles marked."""
    return highlight(text or "", needles or [])


@register.inclusion_tag("includes/related_articles.html")
def related(article, limit: int = 5) -> dict:
    return {"related": related_articles(article, limit=limit)}
