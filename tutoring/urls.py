from django.contrib import admin
from django.urls import include, path

from chat.api import api
from tutoring.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("health", health, name="health"),
    path("", include("tutoring.booking_urls")),
    path("", include("chat.urls")),
]
