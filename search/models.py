"""The index's to-do list: article changes the search index has not taken in yet."""

from django.db import models


class PendingIndexUpdate(models.Model):
    """An article whose index entry must be brought in line with the database.

    Written in the same transaction as the article change, and deleted only once the
    index has taken it: a locked or unavailable index delays an update, never loses it.
    """

    article_id = models.BigIntegerField(db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "待更新索引"
        verbose_name_plural = "待更新索引"

    def __str__(self) -> str:
        return f"article {self.article_id}"


# Text reuse's tables, declared in its own package.
from search.reuse.models import ArticleOverlap, ReuseDocument, ReuseFingerprint  # noqa: E402, F401
