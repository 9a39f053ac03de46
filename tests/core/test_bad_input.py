"""The inputs that once answered 500, each pinned: malformed HX-Current-URL and Referer
headers, a ``next`` that loops, and admin actions and filters with values the
database cannot take. (tests/test_fuzz.py looks for new ones.)"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from apps.orders.models import CartItem
from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

LOGIN_ONLY = [
    ("get", "/cart/"),
    ("get", "/orders/"),
    ("get", "/looks/liked/"),
    ("get", "/accounts/me/"),
    ("post", "/accounts/me/"),
    ("get", "/orders/checkout/"),
    ("post", "/orders/checkout/"),
    ("post", "/cart/items/"),
    ("post", "/swipe/undo/"),
]


@pytest.mark.parametrize(("method", "url"), LOGIN_ONLY)
def test_a_broken_hx_current_url_sends_htmx_to_log_in_not_to_a_500(method, url):
    response = getattr(Client(), method)(
        url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://["
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"


@pytest.mark.parametrize("url", ["/cart/items/", "/orders/buy-now/"])
@pytest.mark.parametrize("logged_in", [False, True])
def test_a_broken_referer_on_the_send_them_back_path_is_ignored(client, url, logged_in):
    if logged_in:
        client.force_login(UserFactory())
    size = VariantFactory(product=ProductFactory(), size="M", stock=3)
    response = client.post(url, {"variant": "garbage", "quantity": "1"}, HTTP_REFERER="http://[")
    assert response.status_code in (302, 400)
    assert not CartItem.objects.exists()
    size.refresh_from_db()
    assert size.stock == 3


def test_log_in_with_a_next_that_is_the_log_in_page_while_logged_in_goes_home(client):
    client.force_login(UserFactory())
    response = client.get("/accounts/login/?next=/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] in ("/", "/accounts/login/")
    assert client.get(response["Location"]).status_code in (200, 302)


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="admin"))
    return client


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/orders/order/", "mark_shipped"),
        ("/admin/orders/order/", "cancel_orders"),
        ("/admin/products/product/", "delete_selected"),
        ("/admin/swipe/look/", "delete_selected"),
        ("/admin/auth/group/", "delete_selected"),
    ],
)
def test_an_admin_action_on_ids_that_are_not_ids_does_nothing_and_says_so(
    staff_client, url, action
):
    product = ProductFactory()
    response = staff_client.post(url, {"action": action, "_selected_action": ["garbage", ""]})
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("nothing was done" in m for m in said), said
    product.refresh_from_db()  # still there


@pytest.mark.parametrize(
    "url",
    [
        "/admin/products/product/",
        "/admin/accounts/store/",
        "/admin/swipe/look/",
        "/admin/products/category/",
    ],
)
def test_an_admin_filter_the_database_cannot_take_shows_the_list_without_it(staff_client, url):
    response = staff_client.get(f"{url}?created_at__year=99999")
    assert response.status_code == 302
    assert response["Location"] == url
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("cannot use" in m for m in said), said
    assert staff_client.get(response["Location"]).status_code == 200


def test_a_media_path_too_long_for_the_file_system_is_a_404(client):
    assert client.get("/media/" + "x" * 5000).status_code == 404
