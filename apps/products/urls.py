from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("<tsid:product_id>/", views.product_detail, name="detail"),
    path("<tsid:product_id>/like/", views.product_like, name="like"),
]
