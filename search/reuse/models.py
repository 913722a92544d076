"""What text reuse keeps in the database: each article's fingerprints, and the pairs of
articles that share passages."""

from __future__ import annotations

from django.db import models

from archive.models import Article


class ReuseDocument(models.Model):
    """An article whose fingerprints are in the table: its folded stream (the word characters
    of its searchable text, folded), which candidates are compared on without reading and
    folding the article again, and the stream's digest."""

    article_id = models.BigIntegerField(primary_key=True)
    digest = models.CharField(max_length=32)
    length = models.PositiveIntegerField()  # folded word characters
    chars = models.TextField(default="")

    class Meta:
        verbose_name = "查重文档"
        verbose_name_plural = "查重文档"

    def __str__(self) -> str:
        return f"article {self.article_id}"


class ReuseFingerprint(models.Model):
    """A winnowed k-gram hash of an article (search.reuse.fingerprints), once per article.
    The primary key's index, hash first, is the only one: it finds the articles of a hash,
    and an article's rows, whose hashes its stored stream gives (on SQLite the table is that
    index itself, WITHOUT ROWID)."""

    pk = models.CompositePrimaryKey("hash", "article_id")
    hash = models.BigIntegerField()
    article_id = models.BigIntegerField()

    class Meta:
        verbose_name = "查重指纹"
        verbose_name_plural = "查重指纹"

    def __str__(self) -> str:
        return f"{self.hash} in article {self.article_id}"


class ArticleOverlap(models.Model):
    """Two articles sharing at least one passage of the overlap minimum, seen from `article`
    (each pair is stored both ways): how many of each one's folded characters the shared
    passages cover."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    shared_chars = models.PositiveIntegerField()
    length = models.PositiveIntegerField()
    other_shared_chars = models.PositiveIntegerField()
    other_length = models.PositiveIntegerField()
    longest = models.PositiveIntegerField()
    # Most of the shorter article is in the other: the same text in another version.
    is_version = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_version", "-shared_chars", "other_id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "other"], name="unique_article_overlap")
        ]
        verbose_name = "文章重合"
        verbose_name_plural = "文章重合"

    def __str__(self) -> str:
        return f"{self.article_id} ~ {self.other_id}: {self.shared_chars}"

    @property
    def share(self) -> float:
        """The part of this article found in the other."""
        return self.shared_chars / self.length if self.length else 0.0

    @property
    def other_share(self) -> float:
        return self.other_shared_chars / self.other_length if self.other_length else 0.0
