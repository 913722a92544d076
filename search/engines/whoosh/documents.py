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
from search.text import searchable_segments

# Bumped when what the index stores for an article changes: check_index --fix then
# re-indexes every article.
INDEX_FORMAT = "5"
# Sort key of articles without a date: after every real date when sorting by date.
DATE_KEY_UNKNOWN = 0


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # The article's searchable text (search.text), its segments apart (SEGMENT_BREAK):
    # its words, its short grams and its long grams. Made once per article, in prepare().
    text = ChineseTextField(document=True)
    title = ChineseTextField(model_attr="title", boost=3.0)
    exact = ShortGramTextField()
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

    def prepare_text(self, article: Article) -> str:
        return ""  # filled in prepare(), with `exact` and `exact_long`

    def prepare_version(self, article: Article) -> str:
        return index_version(article)

    def prepare(self, article: Article) -> dict:
        data = super().prepare(article)
        text = SEGMENT_BREAK.join(searchable_segments(article))
        data["text"] = data["exact"] = data["exact_long"] = text
        for facet in FACETS:
            data[facet.name] = stored_value(facet, article)
        return data


def index_version(article: Article) -> str:
    """What the index must hold for this article to be current."""
    return f"{INDEX_FORMAT}:{article.fingerprint}:{article.updated.isoformat()}"
