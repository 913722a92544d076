from django.contrib import admin
from django.urls import include, path

from config import views as config_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", config_views.healthz, name="healthz"),
    path("", include("search.urls")),
    path("", include("archive.urls")),
]

handler404 = "archive.views.page_not_found"
handler500 = "archive.views.server_error"
