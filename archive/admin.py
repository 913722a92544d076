"""Admin for curators: list, search, filter and edit articles."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive import uploads
from archive.models import Article, ArticleKeyword, Keyword, Publication, SourceDocument
from archive.text import escaped_characters, unstorable_characters, without_unstorable


class ArticleForm(forms.ModelForm):
    """The article as curators edit it. Text pasted from elsewhere can carry a NUL, which no
    database stores (and a form field would refuse with an error): removed, and said so."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Field name -> the characters removed from it.
        self.removed: dict[str, list[str]] = {}
        if self.is_bound:
            data = self.data.copy()
            for name in self.fields:
                key = self.add_prefix(name)
                values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
                found = [c for value in values if value for c in unstorable_characters(value)]
                if found:
                    self.removed[name] = list(dict.fromkeys(found))
                    cleaned = [without_unstorable(v) if v else v for v in values]
                    if hasattr(data, "setlist"):
                        data.setlist(key, cleaned)
                    else:
                        data[key] = cleaned[0]
            self.data = data

    def removal_message(self) -> str:
        fields = "、".join(
            f"{self.fields[name].label}（{escaped_characters(chars)}）"
            for name, chars in self.removed.items()
        )
        return gettext("已清除数据库无法保存的字符：%(fields)s") % {"fields": fields}


class ArticleKeywordInline(admin.TabularInline):
    model = ArticleKeyword
    extra = 1
    autocomplete_fields = ["keyword"]


class YearFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Article.objects.exclude(year=None).values_list("year", flat=True).distinct()
        return [(str(y), f"{y}年") for y in sorted(years, reverse=True)] + [("none", "未注明")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(year=None)
        if self.value():
            if not self.value().isascii() or not self.value().isdigit():
                raise IncorrectLookupParameters(f"year={self.value()!r}")
            return queryset.filter(year=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "publication", "issue_label", "year", "updated"]
    list_filter = ["publication", YearFilter, "is_record"]
    search_fields = ["title", "author", "abstract", "publication__name"]
    list_select_related = ["publication"]
    autocomplete_fields = ["publication"]
    inlines = [ArticleKeywordInline]
    form = ArticleForm
    readonly_fields = ["fingerprint", "created", "updated", "source_document"]
    # Links without a scheme are taken as https (Django 6's default, without its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "subtitle",
                    "author",
                    "publication",
                    ("issue_label", "issue_number"),
                    ("year", "month", "day"),
                    "url",
                ]
            },
        ),
        ("内容", {"fields": ["abstract", "body", "is_record"]}),
        ("来源", {"classes": ["collapse"], "fields": ["source_document", "source_lines"]}),
        ("记录", {"classes": ["collapse"], "fields": ["fingerprint", "created", "updated"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Article, form: ArticleForm, change: bool):
        super().save_model(request, obj, form, change)
        if form.removed:
            messages.warning(request, form.removal_message())

    def get_urls(self) -> list[URLPattern]:
        # Before the model's own URLs, whose "<object_id>/" would take "upload/".
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="archive_article_upload"),
            path("upload/confirm/", view(self.confirm_view), name="archive_article_upload_confirm"),
            path("upload/cancel/", view(self.cancel_view), name="archive_article_upload_cancel"),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        return uploads.upload_view(request, self)

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        return uploads.confirm_view(request, self)

    def cancel_view(self, request: HttpRequest) -> HttpResponse:
        return uploads.cancel_view(request, self)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["name", "article_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="文章数", ordering="article_count")
    def article_count(self, publication):
        return publication.article_count


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "line_count", "article_count", "imported_at"]
    list_filter = ["format"]
    search_fields = ["name"]
    readonly_fields = ["name", "format", "sha256", "line_count", "imported_at", "dropped_table"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Source documents come from imports only.
        return False

    @admin.display(description=_("文章数"), ordering="article_count")
    def article_count(self, document: SourceDocument) -> int:
        return document.article_count

    @admin.display(description=_("舍弃的行"))
    def dropped_table(self, document: SourceDocument) -> str:
        # Stored a line each as "number<TAB>reason<TAB>text" (archive.ingest.storage).
        rows = [
            (line.split("\t", 2) + ["", ""])[:3]
            for line in document.dropped_lines.split("\n")
            if line.strip()
        ]
        if not rows:
            return _("没有舍弃的行。")
        header = format_html(
            "<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            _("行号"),
            _("原因"),
            _("内容"),
        )
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table>{}<tbody>{}</tbody></table>", header, body)
