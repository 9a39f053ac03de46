from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/items/", views.cart_add, name="cart_add"),
    path("cart/items/<tsid:item_id>/", views.cart_item_update, name="cart_item"),
    path("orders/", views.order_list, name="list"),
    path("orders/checkout/", views.checkout, name="checkout"),
    path("orders/buy-now/", views.buy_now, name="buy_now"),
    path("orders/<tsid:order_id>/", views.order_detail, name="detail"),
    path("orders/<tsid:order_id>/cancel/", views.order_cancel, name="cancel"),
]
