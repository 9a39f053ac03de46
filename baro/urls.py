from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.urls import include, path, re_path, register_converter
from django.views.decorators.http import require_safe
from django.views.static import serve

from apps.core.converters import TSIDConverter
from apps.core.views import healthz

register_converter(TSIDConverter, "tsid")

# A database or Redis outage raised outside a view is a 503 page, not the 500 page.
handler500 = "apps.core.faults.server_error"

# The admin's log-in is the shop's: the same form, the same limits on guessing.
admin.site.login = secure_admin_login(admin.site.login)


@require_safe
def favicon(request):
    """/favicon.ico: browsers, feed readers and crawlers ask for it whatever the
    page's <link rel="icon"> says. The same picture as static/img/favicon.svg."""
    found = finders.find("img/favicon.ico")
    if found is None:  # a deployment without the static sources
        raise Http404("No favicon here.")
    response = FileResponse(
        open(found, "rb"),  # noqa: SIM115 (FileResponse closes it)
        content_type="image/x-icon",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def media(request, path):
    # MEDIA_ROOT is read per request, not when this module is imported, so a test that
    # points it at a folder of its own is served from there.
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:  # a name the file system refuses (too long, say): no such file
        raise Http404("No such file.") from None


urlpatterns = [
    path("", include("apps.swipe.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/", include("apps.accounts.auth_urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("apps.orders.urls")),
    path("products/", include("apps.products.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", media),
    ]

if settings.BARO_BENCH:
    urlpatterns += [path("", include("apps.bench.urls"))]
