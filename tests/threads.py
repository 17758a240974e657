"""Run a function in many threads at once, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(workers: list[Callable[[], object]], *, timeout: float = 120) -> list[object]:
    """Start every worker together (a barrier), wait for all; re-raise the first failure."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError("a worker thread did not finish in time")
    if errors:
        raise errors[0]
    return results
