from django.urls import path

from search import research_views, views
from search.feeds import SearchFeed

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/export", views.export_results, name="export"),
    path("search/feed/", SearchFeed(), name="feed"),
    path("api/search", views.api_search, name="api-search"),
    path("concordance/", research_views.concordance_page, name="concordance"),
    path("api/concordance", research_views.api_concordance, name="api-concordance"),
    path("api/trend", research_views.api_trend, name="api-trend"),
]
