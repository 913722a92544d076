from django.urls import path, register_converter

from archive import feeds, views
from archive.converters import NameConverter

app_name = "archive"
register_converter(NameConverter, "name")

# Publication and keyword names may contain "/": the name converter keeps them whole.
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/cite.bib", views.article_bibtex, name="article-bibtex"),
    path("articles/<int:pk>/cite.ris", views.article_ris, name="article-ris"),
    path("sources/", views.publication_list, name="publications"),
    path("sources/<name:name>/", views.publication_detail, name="publication"),
    path("years/", views.year_list, name="years"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("keywords/", views.keyword_list, name="keywords"),
    path("keywords/<name:name>/", views.keyword_detail, name="keyword"),
    path("feeds/latest/", feeds.LatestArticlesFeed(), name="feed-latest"),
    path("feeds/sources/<name:name>/", feeds.PublicationFeed(), name="feed-publication"),
    path("api/articles/<int:pk>", views.api_article, name="api-article"),
]
