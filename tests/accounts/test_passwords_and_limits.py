"""Password reset and change, mail through the job queue, and the limits on guessing."""

import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.caches import empty
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
MAIL_JOB = "apps.accounts.tasks.account_send_mail"


@pytest.fixture(autouse=True)
def fresh_limits():
    """The limits count in the cache: each test starts with none used."""
    empty()


def log_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_password_reset_is_mailed_by_the_worker_and_sets_a_new_password(client, run_jobs):
    user = UserFactory(email="mina@example.com")
    response = client.post("/accounts/password/reset/", {"email": "Mina@Example.com"})
    assert response.status_code == 302
    assert "check your email" in client.get(response["Location"]).content.decode().lower()
    assert mail.outbox == []  # not sent in the request: a job is queued
    assert DBTaskResult.objects.filter(task_path=MAIL_JOB).count() == 1
    run_jobs()
    (message,) = mail.outbox
    assert message.to == ["mina@example.com"] and message.subject.startswith("BARO")
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()
    action = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)

    short = client.post(action, {"password1": "short", "password2": "short"})
    assert "too short" in short.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)

    done = client.post(action, {"password1": "new-swipe-2026", "password2": "new-swipe-2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-swipe-2026")
    again = client.post(action, {"password1": "x-other-2026", "password2": "x-other-2026"})
    assert again.status_code in (200, 302)
    user.refresh_from_db()
    assert user.check_password("new-swipe-2026")  # the link works once


def test_a_reset_for_an_unknown_email_says_the_same_and_mails_nobody(client, run_jobs):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    run_jobs()
    assert mail.outbox == []


def test_a_password_change_needs_the_current_password(client):
    user = UserFactory(email="mina@example.com")
    client.force_login(user)
    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": "new-swipe-2026", "password2": "new-swipe-2026"},
    )
    assert wrong.status_code == 200 and "current password" in wrong.content.decode().lower()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    right = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "new-swipe-2026",
            "password2": "new-swipe-2026",
        },
    )
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-swipe-2026")
    assert client.session[SESSION_KEY] == str(user.pk)  # still logged in


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    UserFactory(email="mina@example.com")
    for _ in range(5):
        assert "match an account" in log_in(client, "mina@example.com", "guess").content.decode()
    response = log_in(client, "mina@example.com", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed log-ins" in response.content.decode()
    assert SESSION_KEY not in client.session
    # Another account from another address is not held up by it.
    UserFactory(email="jiwoo@example.com")
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert log_in(other, "jiwoo@example.com", DEFAULT_PASSWORD).status_code == 302


def test_one_address_guessing_across_accounts_is_stopped(client):
    for n in range(10):
        UserFactory(email=f"shopper{n}@example.com")
        log_in(client, f"shopper{n}@example.com", "guess")
    UserFactory(email="last@example.com")
    response = log_in(client, "last@example.com", DEFAULT_PASSWORD)
    assert "Too many failed log-ins" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert (
        log_in(Client(REMOTE_ADDR="10.0.0.9"), "last@example.com", DEFAULT_PASSWORD).status_code
        == 302
    )


def test_sign_ups_from_one_address_are_limited(client):
    for n in range(5):
        visitor = Client()
        response = visitor.post(
            "/accounts/signup/",
            {"name": f"Shopper {n}", "email": f"new{n}@example.com", "password1": "swipe-2026-x"},
        )
        assert response.status_code == 302
    response = client.post(
        "/accounts/signup/",
        {"name": "One more", "email": "more@example.com", "password1": "swipe-2026-x"},
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="more@example.com").exists()


def test_the_admin_log_in_is_the_shops_with_its_limits(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    UserFactory(email="staff@example.com", is_staff=True)
    for _ in range(5):
        log_in(client, "staff@example.com", "guess")
    assert (
        "Too many failed log-ins"
        in log_in(client, "staff@example.com", DEFAULT_PASSWORD).content.decode()
    )
    shopper = UserFactory(email="shopper@example.com")
    client.force_login(shopper)
    assert client.get("/admin/login/").status_code == 403  # logged in, not staff


def test_the_admin_hides_what_an_account_mail_job_carries(client, admin_user):
    UserFactory(email="mina@example.com")
    client.post("/accounts/password/reset/", {"email": "mina@example.com"})
    job = DBTaskResult.objects.get(task_path=MAIL_JOB)
    assert "/accounts/password/reset/key/" in str(job.args_kwargs)
    client.force_login(admin_user)
    response = client.get(f"/admin/django_tasks_database/dbtaskresult/{job.pk}/change/")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "(hidden: account mail)" in page
    assert "/accounts/password/reset/key/" not in page
    # Nor can a list filter on them count the rows that match a guess.
    guess = client.get("/admin/django_tasks_database/dbtaskresult/?args_kwargs__icontains=reset")
    assert guess.status_code in (302, 400)
    assert "1 task result" not in guess.content.decode()


def test_password_resets_from_one_address_are_limited(client, run_jobs):
    UserFactory(email="mina@example.com")
    for n in range(5):
        response = client.post("/accounts/password/reset/", {"email": f"someone{n}@example.com"})
        assert response.status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "mina@example.com"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    run_jobs()
    assert mail.outbox == []  # the refused one mailed nobody


def test_accounts_made_before_allauth_get_their_email_address_once(run_jobs):
    import importlib

    from allauth.account.models import EmailAddress
    from django.apps import apps

    migration = importlib.import_module("apps.accounts.migrations.0002_email_addresses")
    old = UserFactory(email="old@example.com")
    EmailAddress.objects.filter(user=old).delete()
    migration.add_email_addresses(apps, None)
    migration.add_email_addresses(apps, None)
    (address,) = EmailAddress.objects.filter(user=old)
    assert (address.email, address.primary, address.verified) == ("old@example.com", True, False)
    response = Client().post("/accounts/password/reset/", {"email": "old@example.com"})
    assert response.status_code == 302
    run_jobs()
    assert [m.to for m in mail.outbox] == [["old@example.com"]]
