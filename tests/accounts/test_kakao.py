"""Kakao log-in through allauth, against a stand-in for Kakao's endpoints on loopback."""

import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail

from tests import kakao
from tests.caches import empty
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def stand_in(settings):
    with kakao.KakaoStandIn() as server:
        kakao.configure(settings, server)
        yield server


def through_kakao(client, stand_in, *, process: str = "login"):
    """Press "Continue with Kakao", let the stand-in's authorize page answer as Kakao's
    does, and follow it back to the shop's callback. Returns the callback's response."""
    start = client.post(f"/accounts/kakao/login/?process={process}")
    assert start.status_code == 302, start
    assert start["Location"].startswith(f"{stand_in.url}/oauth/authorize?")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(start["Location"])
        raise AssertionError("the authorize page did not send the browser back")
    except urllib.error.HTTPError as back:
        assert back.code == 302
        callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_a_first_kakao_login_creates_the_account_and_a_later_one_finds_it(client, stand_in):
    stand_in.account(kakao_id=4242, nickname="Mina", email="Mina@Kakao.example")
    response = through_kakao(client, stand_in)
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get()
    assert (user.email, user.name, user.has_usable_password()) == (
        "mina@kakao.example",
        "Mina",
        False,
    )
    assert client.session[SESSION_KEY] == str(user.pk)
    assert SocialAccount.objects.get().uid == "4242"
    assert "Welcome to BARO, Mina!" in client.get("/").content.decode()
    assert stand_in.requests == ["GET /oauth/authorize", "POST /oauth/token", "GET /v2/user/me"]

    client.post("/accounts/logout/")
    assert SESSION_KEY not in client.session
    through_kakao(client, stand_in)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert User.objects.count() == 1 and SocialAccount.objects.count() == 1
    assert "Welcome back, Mina." in client.get("/").content.decode()


def test_a_kakao_login_without_an_email_asks_for_one_and_confirms_it(client, stand_in, run_jobs):
    stand_in.account(kakao_id=77, nickname="Jiwoo", email=None)
    response = through_kakao(client, stand_in)
    assert response.status_code == 302
    form = client.get(response["Location"])
    assert form.status_code == 200 and 'name="email"' in form.content.decode()
    assert not User.objects.exists() and SESSION_KEY not in client.session

    bad = client.post(response["Location"], {"email": "not an email"})
    assert bad.status_code == 200 and "valid email" in bad.content.decode()
    assert not User.objects.exists()

    done = client.post(response["Location"], {"email": "jiwoo@example.com"})
    assert done.status_code == 302
    user = User.objects.get()
    assert (user.email, user.name) == ("jiwoo@example.com", "Jiwoo")
    # An address typed here is someone's until its link is followed: not logged in yet.
    assert SESSION_KEY not in client.session
    run_jobs()
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
    client.post(link)
    assert client.session[SESSION_KEY] == str(user.pk)


def test_an_email_kakao_has_not_verified_is_confirmed_before_any_log_in(client, stand_in, run_jobs):
    stand_in.account(kakao_id=78, nickname="Eve", email="victim@example.com", verified=False)
    through_kakao(client, stand_in)
    assert SESSION_KEY not in client.session  # no account is taken over by a sign-up
    run_jobs()
    assert [m.to for m in mail.outbox] == [["victim@example.com"]]  # only its owner can


def test_a_kakao_email_of_an_existing_account_is_linked_only_after_its_password(client, stand_in):
    mina = UserFactory(email="mina@example.com", name="Mina Park")
    stand_in.account(kakao_id=9001, nickname="mina", email="mina@example.com")
    response = through_kakao(client, stand_in)
    # Not logged in, nothing linked: the page says to log in with the password first.
    assert SESSION_KEY not in client.session
    assert not SocialAccount.objects.exists()
    taken = client.post(response["Location"], {"email": "mina@example.com"})
    assert taken.status_code == 200
    assert "already exists with this email address" in taken.content.decode()
    assert "connect your Kakao account" in taken.content.decode()
    assert SESSION_KEY not in client.session and not SocialAccount.objects.exists()

    client.post("/accounts/login/", {"login": "mina@example.com", "password": DEFAULT_PASSWORD})
    assert client.session[SESSION_KEY] == str(mina.pk)
    connected = through_kakao(client, stand_in, process="connect")
    assert connected.status_code == 302
    assert SocialAccount.objects.get().user_id == mina.pk

    client.post("/accounts/logout/")
    through_kakao(client, stand_in)
    assert client.session[SESSION_KEY] == str(mina.pk)
    assert User.objects.count() == 1


def test_a_code_the_token_endpoint_refuses_logs_nobody_in(client, stand_in, settings):
    stand_in.account(kakao_id=5, nickname="Eve", email="eve@example.com")
    settings.SOCIALACCOUNT_PROVIDERS = {
        "kakao": {"APPS": [{"client_id": kakao.CLIENT_ID, "secret": "wrong-secret"}]}
    }
    settings.KAKAO_CLIENT_SECRET = "wrong-secret"
    response = through_kakao(client, stand_in)
    assert response.status_code == 401
    assert "couldn't log you in with Kakao" in response.content.decode()
    assert SESSION_KEY not in client.session and not User.objects.exists()


def test_the_kakao_button_and_addresses_exist_only_when_configured(client, settings):
    settings.KAKAO_CLIENT_ID = settings.KAKAO_CLIENT_SECRET = ""
    assert "Continue with Kakao" not in client.get("/accounts/login/").content.decode()
    assert client.post("/accounts/kakao/login/").status_code == 404
    assert client.get("/accounts/kakao/login/callback/?code=x&state=y").status_code == 404
    with kakao.KakaoStandIn() as server:
        kakao.configure(settings, server)
        assert "Continue with Kakao" in client.get("/accounts/login/").content.decode()
        assert "Continue with Kakao" in client.get("/accounts/signup/").content.decode()


def test_the_kakao_email_question_is_under_the_sign_up_limit(client, stand_in):
    empty()
    stand_in.account(kakao_id=90, nickname="Probe", email=None)
    response = through_kakao(client, stand_in)
    for n in range(5):
        client.post(response["Location"], {"email": f"probe{n}@example.com"})
    assert client.post(response["Location"], {"email": "x@example.com"}).status_code == 429
