from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("api/", views.docs, name="docs"),
    path("api/openapi.json", views.openapi, name="openapi"),
    path("alerts/tokens/", views.token_list, name="tokens"),
    path("alerts/tokens/new/", views.token_create, name="token-create"),
    path("alerts/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("alerts/exports/", views.export_list, name="exports"),
    path("alerts/exports/new/", views.export_start, name="export-start"),
]
