"""The background job worker: django-tasks-db's ``db_worker``, kept alive through a
database outage and taking back jobs that a killed worker left running."""

import logging
import time
from datetime import timedelta

from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

RECONNECT_SECONDS = 5


def requeue_stale(*, older_than: timedelta) -> int:
    """Jobs still 'running' long after they started belong to a worker that was killed
    mid-job (SIGKILL, a lost host): make them ready again. Jobs are written to be safe
    to run twice, so a job is run at least once rather than at most once."""
    return (
        DBTaskResult.objects.running()
        .filter(started_at__lt=timezone.now() - older_than)
        .update(status=TaskResultStatus.READY, started_at=None)
    )


def requeue_own(*, worker_id: str) -> int:
    """Jobs this worker was running when the database went away: their failure (or
    success) could not be written, so they would stay 'running'. Make them ready again."""
    own = [
        job.pk
        for job in DBTaskResult.objects.running().only("pk", "worker_ids")
        if job.worker_ids and job.worker_ids[-1] == worker_id
    ]
    return DBTaskResult.objects.filter(pk__in=own).update(
        status=TaskResultStatus.READY, started_at=None
    )


class Command(DBWorkerCommand):
    help = (
        "Run background jobs (order confirmations and what follows an order). "
        "Waits out a database outage instead of exiting; jobs left running by a killed "
        "worker for longer than --stale-after seconds run again."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--stale-after",
            type=int,
            default=600,
            help="Seconds after which a job still marked running is taken back (default 600).",
        )
        parser.set_defaults(reload=False)

    def handle(self, *args, stale_after: int, **options):
        lost_connection = False
        while True:
            try:
                taken_back = requeue_stale(older_than=timedelta(seconds=stale_after))
                if lost_connection:
                    taken_back += requeue_own(worker_id=options["worker_id"])
                if taken_back:
                    logger.warning("took back %d job(s) left running by a lost worker", taken_back)
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError):
                logger.warning(
                    "database not answering; the worker tries again in %d s",
                    RECONNECT_SECONDS,
                    exc_info=True,
                )
                close_old_connections()
                lost_connection = True
                time.sleep(RECONNECT_SECONDS)
