from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("sources/", views.publication_list, name="publications"),
    path("sources/<str:name>/", views.publication_detail, name="publication"),
    path("years/", views.year_list, name="years"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("keywords/<str:name>/", views.keyword_detail, name="keyword"),
    path("api/articles/<int:pk>", views.api_article, name="api-article"),
]
