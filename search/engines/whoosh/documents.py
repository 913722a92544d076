"""What the Whoosh index holds of an article: haystack's index of articles, and its columns."""

from __future__ import annotations

from haystack import indexes

from archive.models import Article
from search.engines.whoosh.analysis import SEGMENT_BREAK
from search.engines.whoosh.columns import stored_value
from search.engines.whoosh.fields import (
    ChineseTextField,
    ExactTextField,
    LongGramTextField,
    ShortGramTextField,
    SortableIntegerField,
)
from search.facets import FACETS

# Bumped when what the index stores for an article changes: check_index --fix then
# re-indexes every article.
INDEX_FORMAT = "5"
# Sort key of articles without a date: after every real date when sorting by date.
DATE_KEY_UNKNOWN = 0


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # Every searchable part of the article, one segment per line (see the template).
    text = ChineseTextField(document=True, use_template=True)
    title = ChineseTextField(model_attr="title", boost=3.0)
    exact = ShortGramTextField(
        use_template=True, template_name="search/indexes/archive/article_text.txt"
    )
    # The same text as `exact`, copied in prepare(): the long grams of every segment.
    exact_long = LongGramTextField()
    title_exact = ExactTextField(model_attr="title")
    author_exact = ExactTextField(model_attr="author")
    source_exact = ExactTextField()
    # Besides these, a column per facet (search.facets), added to the schema by the backend.
    date_key = SortableIntegerField()
    article_id = SortableIntegerField(model_attr="pk")
    version = indexes.CharField(indexed=False)

    def get_model(self) -> type[Article]:
        return Article

    def index_queryset(self, using=None):
        from search.indexing import indexed_articles

        return indexed_articles()

    def prepare_source_exact(self, article: Article) -> str:
        return article.publication.name if article.publication_id else ""

    def prepare_date_key(self, article: Article) -> int:
        if not article.year:
            return DATE_KEY_UNKNOWN
        return article.year * 100 + (article.month or 0)

    def prepare_exact_long(self, article: Article) -> str:
        return ""  # filled from `exact` in prepare(), to render the template once

    def prepare_version(self, article: Article) -> str:
        return index_version(article)

    def prepare(self, article: Article) -> dict:
        data = super().prepare(article)
        # Templates render with newlines between segments; keep them as the only
        # separator so that no phrase straddles two segments.
        for name in ("text", "exact"):
            data[name] = SEGMENT_BREAK.join(line for line in data[name].split("\n") if line.strip())
        data["exact_long"] = data["exact"]
        for facet in FACETS:
            data[facet.name] = stored_value(facet, article)
        return data


def index_version(article: Article) -> str:
    """What the index must hold for this article to be current."""
    return f"{INDEX_FORMAT}:{article.fingerprint}:{article.updated.isoformat()}"
