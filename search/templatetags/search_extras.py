"""Template helpers: links that set or drop facet filters, query highlighting, related articles."""

from __future__ import annotations

from django import template
from django.template.defaulttags import querystring
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from search.facets import FACETS, Facet, Kind, listed_labels
from search.highlighting import highlight
from search.query import QueryTooLong, message_text, parse_query
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


@register.simple_tag(takes_context=True)
def facet_querystring(context, name: str, value: str | None) -> str:
    """The current query string with facet `name` set to `value` (None: removed), from page 1:
    {% querystring %} for a parameter named by a variable."""
    return querystring(context, **{name: value, "page": None})


@register.simple_tag(takes_context=True)
def unfiltered_querystring(context) -> str:
    """The current query string without any facet's filter, from page 1."""
    return querystring(context, **{facet.name: None for facet in FACETS}, page=None)


@register.simple_tag
def facet_labels() -> str:
    """The facets' labels as one phrase ("刊物、年份和作者")."""
    return listed_labels()


@register.simple_tag(takes_context=True)
def suggestion_querystring(context, suggestion) -> str:
    """The search page's query string applying a suggested filter to every article: the
    query that named it dropped, the other filters kept (search.suggestions)."""
    return querystring(
        context, **{suggestion.facet.name: suggestion.value}, q=None, page=None, sort=None
    )


@register.simple_tag
def facet_value_label(facet: Facet, value: str, label: str) -> str:
    """A facet value's label as HTML: the articles' own words (a publication's or an author's
    name) marked as Chinese, the interface's words ("2020", "not given") in its language."""
    if facet.kind is Kind.NAME and value != facet.unknown_value:
        return as_written(label)
    return conditional_escape(label)


@register.filter
def as_written(text: str) -> str:
    """The archive's own words (a query, a name) inside interface text, marked as Chinese so
    that an English page reads them as what they are."""
    return format_html('<span lang="zh-Hans">{}</span>', text)


@register.filter
def query_message(message: str) -> str:
    """A notice about the reader's query in the reader's language."""
    return message_text(message)
