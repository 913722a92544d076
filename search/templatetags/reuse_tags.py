"""Template tags of text reuse: the overlapping articles listed on an article's page."""

from __future__ import annotations

from django import template

from search.reuse.overlaps import article_overlaps, overlap_min

register = template.Library()


@register.inclusion_tag("search/includes/reuse_overlaps.html")
def article_overlaps_section(article) -> dict:
    return {"article": article, "overlaps": article_overlaps(article), "min": overlap_min()}


@register.filter
def percent(share: float) -> str:
    """A share as a percentage with one decimal ("12.5%")."""
    return f"{share * 100:.1f}%"
