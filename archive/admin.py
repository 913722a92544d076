"""Admin for curators: list, search, filter and edit articles."""

from django.contrib import admin
from django.db.models import Count

from archive.models import Article, ArticleKeyword, Keyword, Publication, SourceDocument


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
            return queryset.filter(year=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "publication", "issue_label", "year", "updated"]
    list_filter = ["publication", YearFilter]
    search_fields = ["title", "author", "abstract", "publication__name"]
    list_select_related = ["publication"]
    autocomplete_fields = ["publication"]
    inlines = [ArticleKeywordInline]
    readonly_fields = ["fingerprint", "created", "updated", "source_document"]
    fieldsets = [
        (None, {"fields": ["title", "author", "publication", "issue_label", ("year", "month")]}),
        ("内容", {"fields": ["abstract", "body"]}),
        ("来源", {"classes": ["collapse"], "fields": ["source_document", "source_lines"]}),
        ("记录", {"classes": ["collapse"], "fields": ["fingerprint", "created", "updated"]}),
    ]


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
    list_display = ["name", "line_count", "imported_at"]
    readonly_fields = ["name", "sha256", "line_count", "dropped_lines", "imported_at"]
