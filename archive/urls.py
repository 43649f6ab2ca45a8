from django.urls import path

from . import feeds, views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.LatestFeed(), name="feed"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/raw/", views.article_raw, name="article-raw"),
    path("places/", views.place_index, name="places"),
    path("places/<str:code>/", views.place_detail, name="place"),
    path("places/<str:key>/feed/", feeds.PlaceFeed(), name="place-feed"),
    path("sources/", views.source_index, name="sources"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("sources/<int:key>/feed/", feeds.SourceFeed(), name="source-feed"),
    path("archive/<int:year>/", views.archive_year, name="year"),
    path("archive/<int:year>/<int:month>/", views.archive_month, name="month"),
]
