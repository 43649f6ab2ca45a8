from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import RedirectView

from api.v1 import api as api_v1
from archive.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("search.urls")),
    path("api/v1/", RedirectView.as_view(url="/api/"), name="api-v1-root"),  # the docs page
    path("api/v1/", api_v1.urls),  # Ninja reverses its own names in its namespace, api-v1
    path("", include("api.urls")),
    path("", include("alerts.urls")),
    path("", include("archive.urls")),
]
