import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from tests.factories import DEFAULT_PASSWORD, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

HTMX = {"HTTP_HX_REQUEST": "true"}


def signup(client, **overrides):
    data = {"name": "Jiwoo Park", "email": "jiwoo@example.com", "password1": "swipe-right-77"}
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def test_signup_creates_a_shopper_and_logs_them_in(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="jiwoo@example.com")
    assert user.role == User.Role.SHOPPER
    assert user.check_password("swipe-right-77")
    assert client.session[SESSION_KEY] == str(user.pk)
    page = client.get("/")
    assert "Jiwoo" in page.content.decode()
    assert "Welcome to BARO, Jiwoo!" in page.content.decode()


def test_signup_follows_a_safe_next_and_ignores_an_offsite_one(client):
    assert signup(client, next="/accounts/me/")["Location"] == "/accounts/me/"
    client.logout()
    response = signup(client, email="other@example.com", next="https://evil.example/")
    assert response["Location"] == "/"


def test_signup_with_a_taken_email_in_any_case_is_refused(client):
    UserFactory(email="jiwoo@example.com")
    response = signup(client, email="JIWOO@Example.com")
    assert response.status_code == 200
    assert "An account with this email already exists" in response.content.decode()
    assert User.objects.count() == 1
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short"),
        ("12345678901", "This password is entirely numeric"),
        ("password123", "This password is too common"),
    ],
)
def test_signup_validates_passwords(client, password, message):
    response = signup(client, password1=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_signup_refuses_oversized_and_missing_fields(client):
    response = signup(client, name="x" * 101, email="")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in body
    assert "This field is required" in body
    assert not User.objects.exists()


def test_login_rotates_the_session_key(client):
    user = UserFactory(email="mina@example.com")
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post(
        "/accounts/login/", {"login": "Mina@Example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != before


def test_login_with_a_wrong_password_says_so_and_stays_logged_out(client):
    UserFactory(email="mina@example.com")
    response = client.post(
        "/accounts/login/", {"login": "mina@example.com", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "don&#x27;t match an account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_logout_is_post_only(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/logout/")  # asks, with a button that posts
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    assert SESSION_KEY in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_logout_without_csrf_token_is_refused():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    assert strict.post("/accounts/logout/").status_code == 403
    assert SESSION_KEY in strict.session


def test_account_page_redirects_anonymous_visitors_to_login_with_next(client):
    response = client.get("/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Faccounts%2Fme%2F"


def test_htmx_request_to_login_only_view_gets_hx_redirect(client):
    response = client.get(
        "/accounts/me/", HTTP_HX_CURRENT_URL="http://testserver/looks/liked/?x=1", **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Flooks%2Fliked%2F%3Fx%3D1"
    assert b"<form" not in response.content


def test_htmx_redirect_ignores_an_offsite_current_url(client):
    response = client.get("/accounts/me/", HTTP_HX_CURRENT_URL="https://evil.example/x", **HTMX)
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"


def test_account_page_updates_details(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/me/",
        {"name": " Mina Kim ", "phone": "010-1234-5678", "shipping_address": "12 Yeonmu-ro"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.phone, user.shipping_address) == (
        "Mina Kim",
        "010-1234-5678",
        "12 Yeonmu-ro",
    )


def test_account_page_rejects_a_bad_phone_and_changes_nothing(client):
    user = UserFactory(name="Mina", phone="")
    client.force_login(user)
    response = client.post(
        "/accounts/me/", {"name": "Changed", "phone": "call me", "shipping_address": "x" * 501}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a phone number like 010-1234-5678." in body
    assert "Ensure this value has at most 500 characters" in body
    user.refresh_from_db()
    assert (user.name, user.phone) == ("Mina", "")


def test_output_is_escaped(client):
    user = UserFactory(name="<script>alert(1)</script>")
    client.force_login(user)
    body = client.get("/accounts/me/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_shopper_gets_403_on_a_seller_page(client):
    client.force_login(UserFactory(role=User.Role.SHOPPER))
    response = client.get("/accounts/stores/")
    assert response.status_code == 403
    assert "Your account does not have access to this page." in response.content.decode()


def test_seller_sees_only_their_own_stores(client):
    store = StoreFactory(name="Mono Seoul")
    StoreFactory(name="Someone Else")
    client.force_login(store.owner)
    response = client.get("/accounts/stores/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mono Seoul" in body
    assert "Someone Else" not in body


def test_admin_role_passes_every_role_check(client):
    client.force_login(UserFactory(role=User.Role.ADMIN))
    assert client.get("/accounts/stores/").status_code == 200


def test_seller_page_sends_anonymous_htmx_to_login(client):
    response = client.get("/accounts/stores/", HTTP_HX_CURRENT_URL="http://testserver/", **HTMX)
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"


@pytest.mark.parametrize("next_url", ["foo", "cart"])
def test_a_next_that_is_a_bare_word_is_followed_not_a_500(client, next_url):
    """A bare word passes the same-site check; it must be sent as a URL, not looked up as
    a URL name (which raises)."""
    user = UserFactory()
    response = client.post(
        f"/accounts/login/?next={next_url}",
        {"login": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.get(f"/accounts/signup/?next={next_url}")["Location"] == next_url
    client.logout()
    response = signup(client, email="new@example.com", next=next_url)
    assert response.status_code == 302 and response["Location"] == next_url
