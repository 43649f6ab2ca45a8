from django.urls import path

from . import feeds, views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.saved_search_list, name="list"),
    path("alerts/new/", views.saved_search_new, name="new"),
    path("alerts/<int:pk>/", views.saved_search_edit, name="edit"),
    path("alerts/<int:pk>/pause/", views.saved_search_pause, name="pause"),
    path("alerts/<int:pk>/delete/", views.saved_search_delete, name="delete"),
    path("alerts/<int:pk>/webhooks/", views.webhook_add, name="webhook-add"),
    path("alerts/webhooks/<int:pk>/resume/", views.webhook_resume, name="webhook-resume"),
    path("alerts/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("alerts/feed/<str:token>/", feeds.SavedSearchFeed(), name="feed"),
]
