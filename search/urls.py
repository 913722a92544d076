from django.urls import path

from search import views
from search.feeds import SearchFeed

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/export", views.export_results, name="export"),
    path("search/feed/", SearchFeed(), name="feed"),
    path("api/search", views.api_search, name="api-search"),
]
