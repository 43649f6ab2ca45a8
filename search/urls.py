from django.urls import path

from . import exports, views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/feed/", exports.SearchFeed(), name="feed"),
    path("search/export.csv", exports.export, {"fmt": "csv"}, name="export-csv"),
    path("search/export.json", exports.export, {"fmt": "json"}, name="export-json"),
    path("api/search", views.api_search, name="api-search"),
    path("api/articles/<int:pk>", views.api_article, name="api-article"),
]
