from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("api/search", views.api_search, name="api-search"),
    path("api/articles/<int:pk>", views.api_article, name="api-article"),
]
