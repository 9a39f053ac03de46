"""What follows an order runs as a job from the outbox, never in the shopper's request."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from apps.core.management.commands.run_worker import requeue_stale
from apps.orders import services
from apps.orders.models import Order
from apps.orders.services import Line
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

CONFIRMATION = "apps.orders.tasks.order_send_confirmation"


def place(user, variant, quantity=1, key="k" * 32):
    return services.order_place(
        user=user,
        lines=[Line(variant.pk, quantity)],
        shipping_address="1 Seongsu-ro",
        idempotency_key=key,
    )


def jobs(**filters):
    return list(DBTaskResult.objects.filter(task_path=CONFIRMATION, **filters))


def test_an_order_and_its_confirmation_job_are_written_together():
    variant = VariantFactory(stock=1)
    order = place(UserFactory(), variant)
    [job] = jobs()
    assert job.status == TaskResultStatus.READY
    assert job.args_kwargs == {"args": [], "kwargs": {"order_id": order.pk}}
    with pytest.raises(services.OutOfStock):
        place(UserFactory(), variant)  # sold out: no order, so no job either
    assert len(jobs()) == 1
    assert not mail.outbox


def test_the_worker_sends_the_confirmation_once(run_jobs):
    user = UserFactory(email="mina@example.com")
    order = place(user, VariantFactory(stock=3), quantity=2)
    run_jobs()
    assert [m.to for m in mail.outbox] == [["mina@example.com"]]
    assert f"BARO order {order.pk} confirmed" == mail.outbox[0].subject
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is not None
    # A job taken back from a killed worker runs again: it must not mail twice.
    DBTaskResult.objects.update(status=TaskResultStatus.READY)
    run_jobs()
    assert len(mail.outbox) == 1


def test_a_failing_confirmation_never_reaches_the_shopper_and_is_retried_later(
    client, run_jobs, monkeypatch
):
    user = UserFactory(shipping_address="1 Seongsu-ro")
    client.force_login(user)
    variant = VariantFactory(stock=2)

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server refused the connection")

    with monkeypatch.context() as smtp:
        smtp.setattr("apps.orders.tasks.send_mail", smtp_down)
        page = client.get(f"/orders/checkout/?variant={variant.pk}&quantity=1")
        key = page.context["form"].initial["idempotency_key"]
        response = client.post(
            "/orders/checkout/",
            {
                "variant": str(variant.pk),
                "quantity": "1",
                "shipping_address": "1 Seongsu-ro",
                "idempotency_key": key,
            },
            follow=True,
        )
        assert response.status_code == 200
        assert "Thank you! Your order is placed." in response.content.decode()
        order = Order.objects.get(user=user)

        before = timezone.now()
        run_jobs()
        failed, retry = jobs(status=TaskResultStatus.FAILED), jobs(status=TaskResultStatus.READY)
        assert len(failed) == 1 and "SMTP server refused" in failed[0].traceback
        assert len(retry) == 1
        assert retry[0].args_kwargs["kwargs"] == {"order_id": order.pk, "attempt": 2}
        assert retry[0].run_after >= before + timedelta(seconds=10), "backs off before trying again"
        run_jobs()
        assert len(jobs(status=TaskResultStatus.READY)) == 1, "not due yet: not run"

    # The mail server answers again.
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_jobs()
    assert len(mail.outbox) == 1
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is not None


def test_a_confirmation_that_keeps_failing_stops_after_its_attempts(run_jobs, monkeypatch):
    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("apps.orders.tasks.send_mail", smtp_down)
    place(UserFactory(), VariantFactory(stock=1))
    for _ in range(10):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_jobs()
    assert len(jobs(status=TaskResultStatus.FAILED)) == 6
    assert not jobs(status=TaskResultStatus.READY)


def test_staff_see_failed_jobs_in_the_admin(client, run_jobs, monkeypatch):
    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("apps.orders.tasks.send_mail", smtp_down)
    place(UserFactory(), VariantFactory(stock=1))
    run_jobs()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200
    assert "order_send_confirmation" in page.content.decode()


def test_jobs_left_running_by_a_killed_worker_are_taken_back():
    place(UserFactory(), VariantFactory(stock=1))
    long_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=long_ago)
    assert requeue_stale(older_than=timedelta(minutes=10)) == 1
    assert jobs()[0].status == TaskResultStatus.READY
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert requeue_stale(older_than=timedelta(minutes=10)) == 0, "a job running now stays"


def test_after_losing_the_database_a_worker_takes_back_the_jobs_it_was_running(monkeypatch):
    """The job's end could not be written while the database was away: it would stay
    'running' until the stale limit; the worker that ran it takes it back at once."""
    from django.core.management import call_command
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

    place(UserFactory(), VariantFactory(stock=1), key="a" * 32)
    place(UserFactory(), VariantFactory(stock=1), key="b" * 32)
    mine, theirs = DBTaskResult.objects.order_by("enqueued_at")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=mine.pk).update(
        status=TaskResultStatus.RUNNING, started_at=now, worker_ids=["worker-a"]
    )
    DBTaskResult.objects.filter(pk=theirs.pk).update(
        status=TaskResultStatus.RUNNING, started_at=now, worker_ids=["worker-b"]
    )
    runs = []

    def db_worker(self, *args, **options):
        runs.append(options["worker_id"])
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(DBWorkerCommand, "handle", db_worker)
    monkeypatch.setattr("apps.core.management.commands.run_worker.RECONNECT_SECONDS", 0)
    # Reconnecting closes connections: not the one this test's transaction is on.
    monkeypatch.setattr(
        "apps.core.management.commands.run_worker.close_old_connections", lambda: None
    )
    call_command("run_worker", "--worker-id", "worker-a", verbosity=0)
    assert runs == ["worker-a", "worker-a"], "it carried on after the outage"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == TaskResultStatus.READY
    assert theirs.status == TaskResultStatus.RUNNING, "another worker's job is its own"
