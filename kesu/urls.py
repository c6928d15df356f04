"""URL map: the workbench pages, the JSON API under /api/v1, the admin."""

from django.contrib import admin
from django.urls import include, path

from kesu.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("kesu.web.urls")),
]
