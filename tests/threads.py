"""Run a function in many threads at once, the way concurrent requests arrive."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_concurrently(target: Callable, args_list: Sequence[tuple]) -> list:
    """Start one thread per argument tuple, release them together, and return what
    each returned or raised (in order). Each thread uses, then closes, its own
    database connection."""
    outcomes: list = [None] * len(args_list)
    barrier = threading.Barrier(len(args_list))

    def runner(index: int, args: tuple) -> None:
        try:
            # Connect first: a request reaches a view on an open connection, and
            # connecting after the barrier would stagger the start by the handshake.
            connection.ensure_connection()
            barrier.wait()
            outcomes[index] = target(*args)
        except BaseException as exc:  # returned to the test, which asserts on it
            barrier.abort()  # a thread that failed to connect must not strand the others
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
