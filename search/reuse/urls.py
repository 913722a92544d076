from django.urls import path

from search.reuse import views

app_name = "reuse"

urlpatterns = [
    path("reuse/", views.reuse_page, name="page"),
    path("api/reuse", views.api_reuse, name="api"),
    path("articles/<int:pk>/reuse/<int:other_pk>/", views.compare_page, name="compare"),
    path("api/articles/<int:pk>/overlaps", views.api_overlaps, name="api-overlaps"),
]
