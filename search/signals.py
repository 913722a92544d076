"""Index updates on every article change: in its transaction, or through the durable queue."""

from __future__ import annotations

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticleKeyword, Publication
from archive.signals import keywords_linked


class QueuedSignalProcessor(BaseSignalProcessor):
    """Queue the article in the same transaction as its change; apply after commit.

    haystack's RealtimeSignalProcessor writes to the index inside the request and
    loses removals that meet a locked index; the queue never loses one.
    """

    def setup(self) -> None:
        signals.post_save.connect(self.article_changed, sender=Article)
        signals.post_delete.connect(self.article_changed, sender=Article)
        signals.post_save.connect(self.keywords_changed, sender=ArticleKeyword)
        signals.post_delete.connect(self.keywords_changed, sender=ArticleKeyword)
        signals.post_save.connect(self.publication_changed, sender=Publication)
        keywords_linked.connect(self.keywords_linked)

    def teardown(self) -> None:
        signals.post_save.disconnect(self.article_changed, sender=Article)
        signals.post_delete.disconnect(self.article_changed, sender=Article)
        signals.post_save.disconnect(self.keywords_changed, sender=ArticleKeyword)
        signals.post_delete.disconnect(self.keywords_changed, sender=ArticleKeyword)
        signals.post_save.disconnect(self.publication_changed, sender=Publication)
        keywords_linked.disconnect(self.keywords_linked)

    def article_changed(self, sender, instance, **kwargs) -> None:
        from search.indexing import index_changed_articles

        index_changed_articles(article_ids=[instance.pk])

    def keywords_changed(self, sender, instance, **kwargs) -> None:
        from search.indexing import index_changed_articles

        index_changed_articles(article_ids=[instance.article_id])

    def keywords_linked(self, sender, article_ids, **kwargs) -> None:
        # Links made by bulk_create, which sends no post_save.
        from search.indexing import index_changed_articles

        index_changed_articles(article_ids=article_ids)

    def publication_changed(self, sender, instance, **kwargs) -> None:
        from search.indexing import index_changed_articles

        index_changed_articles(article_ids=instance.articles.values_list("pk", flat=True))
