"""Index updates on every article save or delete, through the durable queue."""

from __future__ import annotations

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticleKeyword, Publication


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

    def teardown(self) -> None:
        signals.post_save.disconnect(self.article_changed, sender=Article)
        signals.post_delete.disconnect(self.article_changed, sender=Article)
        signals.post_save.disconnect(self.keywords_changed, sender=ArticleKeyword)
        signals.post_delete.disconnect(self.keywords_changed, sender=ArticleKeyword)
        signals.post_save.disconnect(self.publication_changed, sender=Publication)

    def article_changed(self, sender, instance, **kwargs) -> None:
        from search.indexing import queue_index_update

        queue_index_update(article_ids=[instance.pk])

    def keywords_changed(self, sender, instance, **kwargs) -> None:
        from search.indexing import queue_index_update

        queue_index_update(article_ids=[instance.article_id])

    def publication_changed(self, sender, instance, **kwargs) -> None:
        from search.indexing import queue_index_update

        queue_index_update(article_ids=instance.articles.values_list("pk", flat=True))
