"""What the engine's table holds of an article: one row, folded in Python (search.folding);
its terms are made from the folded text by the database (schema.terms_of)."""

from __future__ import annotations

from archive.models import Article
from search.facets import FACETS
from search.folding import fold
from search.text import searchable_segments

# Between segments of the folded text: no term spans it (it is neither letter nor digit)
# and no query contains it, so a phrase never straddles the title and the body, or two
# paragraphs (as in the Whoosh engine).
SEGMENT_BREAK = "\n"


def article_row(article: Article, *, version: str) -> list:
    """The row's values, in the order of the table's columns."""
    folded = fold(SEGMENT_BREAK.join(searchable_segments(article)))
    source = article.publication.name if article.publication_id else ""
    return [
        article.pk,
        version,
        folded,
        fold(article.title),
        fold(article.author),
        fold(source),
        article.year * 100 + (article.month or 0) if article.year else 0,
        *(facet.value_of(article) for facet in FACETS),
    ]
