from django.contrib import admin
from django.urls import include, path, register_converter

from apps.core.converters import TSIDConverter
from apps.core.views import healthz

register_converter(TSIDConverter, "tsid")

admin.site.site_header = "BARO admin"
admin.site.site_title = "BARO admin"
admin.site.index_title = "Run the shop"

urlpatterns = [
    path("", include("apps.swipe.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
