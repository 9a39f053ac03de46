"""Background jobs: Django's tasks framework (the ``django-tasks`` backport) with its
database backend (``django-tasks-db``), so a job is a row written in the same
transaction as the change it follows (a transactional outbox) and run by
``manage.py run_worker``.

``retried_task`` adds what the framework leaves to the application: a job that fails
is enqueued again with a growing delay, a bounded number of times. Every failed run
stays in the task results (admin: Task results, status "Failed") with its traceback.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import wraps

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


def retried_task(*, attempts: int = 6, first_delay: float = 10.0, **task_options):
    """``@task`` that runs again on failure: after ``first_delay`` seconds, then twice
    as long each time, ``attempts`` runs in all (10 s ... 5 min 20 s with the defaults).
    The function must be safe to run more than once for the same arguments; its runs
    are counted in an ``attempt`` keyword argument, which it does not see."""
    if task_options.get("takes_context"):
        raise TypeError("retried_task passes no context: a retry could not carry it")

    def decorator(func):
        @wraps(func)
        def run(*args, attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < attempts:
                    delay = first_delay * 2 ** (attempt - 1)
                    job.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                        *args, attempt=attempt + 1, **kwargs
                    )
                    logger.warning(
                        "job %s failed (attempt %d of %d); next try in %.0f s",
                        func.__name__,
                        attempt,
                        attempts,
                        delay,
                        exc_info=True,
                    )
                else:
                    logger.error(
                        "job %s failed %d times; giving up", func.__name__, attempts, exc_info=True
                    )
                raise  # this run is recorded as failed, with its traceback

        job = task(**task_options)(run)
        return job

    return decorator
