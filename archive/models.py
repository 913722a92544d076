"""The archive's data: publications, articles, their keywords and the files they came from."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archive.wording import year_label


class Publication(models.Model):
    name = models.CharField(_("名称"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("刊物")
        verbose_name_plural = pgettext_lazy("plural", "刊物")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:publication", args=[self.name])


class Keyword(models.Model):
    name = models.CharField(_("关键词"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("关键词")
        verbose_name_plural = pgettext_lazy("plural", "关键词")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:keyword", args=[self.name])


class SourceDocument(models.Model):
    """A raw-text file that was imported, with the lines it dropped as noise."""

    # The path as imported: a file's name, a folder's files from the folder on, an
    # archive's members after its name ("剪报.zip/2024/01.md").
    name = models.CharField(_("文件名"), max_length=500, unique=True)
    format = models.CharField(_("格式"), max_length=20, blank=True)
    sha256 = models.CharField(_("内容校验值"), max_length=64)
    line_count = models.PositiveIntegerField(_("行数"), default=0)
    dropped_lines = models.TextField(
        _("舍弃的行"), blank=True, help_text=_("未归入任何文章的行，每行前为行号。")
    )
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("来源文件")
        verbose_name_plural = pgettext_lazy("plural", "来源文件")

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def newest_first(self) -> ArticleQuerySet:
        """Newest first; articles without a known date last."""
        return self.order_by(
            F("year").desc(nulls_last=True), F("month").desc(nulls_last=True), "-id"
        )

    def oldest_first(self) -> ArticleQuerySet:
        return self.order_by(F("year").asc(nulls_last=True), F("month").asc(nulls_last=True), "id")

    def listed(self) -> ArticleQuerySet:
        """For lists of articles, which show titles and metadata: the texts (abstract,
        body, the raw source lines) are left in the database."""
        return self.select_related("publication").defer("abstract", "body", "source_lines")

    def from_publication(self, name: str) -> ArticleQuerySet:
        return self.filter(publication__name=name)

    def from_year(self, year: int) -> ArticleQuerySet:
        return self.filter(year=year)


class Article(models.Model):
    title = models.CharField(_("标题"), max_length=500)
    subtitle = models.CharField(
        _("副标题"), max_length=500, blank=True, help_text=_("引题、副题，每行一个。")
    )
    author = models.CharField(
        _("作者"), max_length=300, blank=True, help_text=_("个人或集体，照原文。")
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("刊物"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    issue_label = models.CharField(
        _("期号"), max_length=100, blank=True, help_text=_("照原文，如“2020年第36期”。")
    )
    issue_number = models.PositiveIntegerField(
        _("期次"),
        null=True,
        blank=True,
        help_text=_("期号里的期次，如“2020年第36期”的 36；引用文献时使用。"),
    )
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True, db_index=True)
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    abstract = models.TextField(_("摘要"), blank=True)
    keywords = models.ManyToManyField(
        Keyword,
        verbose_name=pgettext_lazy("plural", "关键词"),
        through="ArticleKeyword",
        related_name="articles",
        blank=True,
    )
    body = models.TextField(
        _("正文"), blank=True, help_text=_("每行一个段落；以“## ”开头的行是小标题。")
    )
    is_record = models.BooleanField(
        _("仅题录"),
        default=False,
        help_text=_("文献管理软件导出的题录：有摘要和关键词，没有全文。"),
    )
    url = models.URLField(_("原文链接"), max_length=2000, blank=True)
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("来源文件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    source_lines = models.TextField(
        _("原始行"), blank=True, help_text=_("导入时原文的行，原样保存，每行前为行号。")
    )
    fingerprint = models.CharField(_("内容指纹"), max_length=64, db_index=True, editable=False)
    created = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = [F("year").desc(nulls_last=True), F("month").desc(nulls_last=True), "-id"]
        verbose_name = _("文章")
        verbose_name_plural = pgettext_lazy("plural", "文章")
        indexes = [
            # The newest first, as the home page and year pages list them, and each
            # publication's articles by issue: read in order instead of sorted each time.
            models.Index(fields=["-year", "-month", "-id"], name="article_newest"),
            models.Index(
                fields=["publication", "-year", "-issue_label", "-month", "-id"],
                name="article_publication_issues",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                name="article_month_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(year__isnull=False),
                name="article_month_needs_year",
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True)
                | models.Q(month__isnull=False, day__gte=1, day__lte=31),
                name="article_day_needs_month",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        from archive.fingerprint import article_fingerprint

        self.fingerprint = article_fingerprint(title=self.title, body=self.body)
        self.updated = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fingerprint", "updated"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("archive:article", args=[self.pk])

    @property
    def paragraphs(self) -> list[str]:
        return [line for line in self.body.split("\n") if line.strip()]

    @property
    def subtitle_lines(self) -> list[str]:
        return [line for line in self.subtitle.split("\n") if line.strip()]

    @property
    def keyword_names(self) -> list[str]:
        return [link.keyword.name for link in self.keyword_links.all()]

    @property
    def date_label(self) -> str:
        """The article's date as far as it is known, written the interface language's way
        ("2020年3月5日", "March 5, 2020")."""
        if self.year and self.month:
            day = self.day
            try:
                known = date(self.year, self.month, day or 1)
            except ValueError:  # a day the month does not have: the month is still right
                known, day = date(self.year, self.month, 1), None
            return date_format(known, "DATE_FORMAT" if day else "YEAR_MONTH_FORMAT")
        if self.year:
            return year_label(self.year)
        return ""


class ArticleKeyword(models.Model):
    """A keyword of an article, in the order the article lists them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="keyword_links")
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="article_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "keyword"], name="unique_article_keyword"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.keyword_id}"
