"""A confirmation that cannot be sent never turns a placed order into an error page; the
worker retries it, and waits out a database outage instead of dying."""

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from apps.orders.models import Order
from tests.factories import VariantFactory
from tests.servers import wait_for

from .conftest import FAULTS, Shopper, buy_now, shop_user

pytestmark = FAULTS

CONFIRMATION = "apps.orders.tasks.order_send_confirmation"


def confirmation_jobs(status):
    return DBTaskResult.objects.filter(task_path=CONFIRMATION, status=status)


def test_a_failing_confirmation_is_retried_and_the_order_page_is_shown(
    start_shop, redis_server, pg_proxy, tmp_path
):
    outbox = tmp_path / "outbox"
    outbox.write_text("a file where the mail folder should be: every send fails")
    user = shop_user(email="mina@example.com")
    variant = VariantFactory(stock=3)
    shop = start_shop(
        redis_url=redis_server.url,
        database_port=pg_proxy.port,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(outbox),
    )
    shopper = Shopper(shop.url)
    shopper.log_in(user.email, "correct-horse-battery")

    placed = buy_now(shopper, variant.pk)
    assert placed.status_code == 302
    order = Order.objects.get(user=user)
    assert placed.headers["Location"] == f"/orders/{order.pk}/"
    page = shopper.get(placed.headers["Location"])
    assert page.status_code == 200 and "Thank you! Your order is placed." in page.text

    wait_for(lambda: confirmation_jobs(TaskResultStatus.FAILED).exists(), 15, "no failed run")
    [failed] = confirmation_jobs(TaskResultStatus.FAILED)
    assert "not a directory" in failed.traceback
    [retry] = confirmation_jobs(TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is None

    # The database goes away for a moment: the worker waits it out.
    pg_proxy.cut()
    wait_for(lambda: "database not answering" in shop.log("worker"), 15, "worker never noticed")
    pg_proxy.restore()

    outbox.unlink()
    outbox.mkdir()  # the mail server is back
    # Due now (and any later retry too, had the first one come round meanwhile).
    confirmation_jobs(TaskResultStatus.READY).update(run_after=timezone.now())
    wait_for(
        lambda: Order.objects.get(pk=order.pk).confirmation_sent_at is not None,
        20,
        f"the retry did not send the confirmation: {shop.log('worker')[-2000:]}",
    )
    [sent] = outbox.iterdir()
    assert f"BARO order {order.pk} confirmed" in sent.read_text()
    assert shopper.get(f"/orders/{order.pk}/").status_code == 200
