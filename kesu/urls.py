"""URL map: the JSON API under /api/v1, the admin. The workbench pages arrive with their issue."""

from django.contrib import admin
from django.urls import path

from kesu.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
