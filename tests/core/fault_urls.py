"""The shop's URLs plus one view that writes the session, for the fault tests."""

from django.http import HttpResponse
from django.urls import path

from baro.urls import handler500
from baro.urls import urlpatterns as shop_urlpatterns


def remember(request):
    request.session["remembered"] = "yes"
    return HttpResponse("remembered")


urlpatterns = [path("remember/", remember), *shop_urlpatterns]
__all__ = ["handler500", "urlpatterns"]
