from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from archive import views as archive_views
from archive.sitemaps import SITEMAPS
from config import views as config_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", config_views.healthz, name="healthz"),
    # set_language: the language switch on every page posts here and is sent back.
    path("i18n/", include("django.conf.urls.i18n")),
    path("robots.txt", archive_views.robots_txt, name="robots"),
    path("opensearch.xml", archive_views.opensearch, name="opensearch"),
    # An index of sections, each paginated: it scales to any number of articles.
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("search.urls")),
    path("", include("search.reuse.urls")),
    path("", include("archive.urls")),
]

handler404 = "archive.views.page_not_found"
handler500 = "archive.views.server_error"
