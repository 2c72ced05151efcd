"""Running test code in real threads at once, for the concurrency tests (SQLite and PostgreSQL)."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def run_together(work: Callable[[int], T], count: int) -> list[T]:
    """Run ``work(0) ... work(count - 1)``, each in its own thread, released together by a barrier.

    Returns the results in index order and re-raises the first exception a thread raised. Each
    thread closes the database connections Django opened for it, so none outlives the test.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
