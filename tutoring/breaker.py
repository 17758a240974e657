"""A circuit breaker: after a dependency fails, stop waiting on it for a while.

Redis is optional for the chat (DESIGN.md: only cross-process live updates may pause without
it), but every call to a Redis that is down costs a connection attempt, and against a host
that drops packets, a timeout. A breaker remembers the failure: for ``retry_after`` seconds
callers skip the dependency at once and use their fallback, then one call tries it again.
Each outage is logged once, when it starts, and once more when the dependency answers again,
so a Redis outage under load writes two lines, not one per request.
"""

import logging
import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """Track whether a dependency is worth calling; log when that changes.

    ``name`` names the dependency in the log; ``while_down`` says what happens meanwhile
    ("rate limits are counted per process"). ``clock`` is a monotonic clock in seconds.
    """

    def __init__(
        self,
        name: str,
        *,
        while_down: str,
        logger: logging.Logger,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.while_down = while_down
        self.logger = logger
        self.retry_after = retry_after
        self.clock = clock
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    @property
    def is_down(self) -> bool:
        return self._down

    def allows_call(self) -> bool:
        """Return True if the dependency should be tried now (it is up, or a retry is due)."""
        return not self._down or self.clock() >= self._retry_at

    def record_failure(self) -> None:
        """Note a failed call: skip the dependency for ``retry_after`` seconds."""
        with self._lock:
            started = not self._down
            self._down = True
            self._retry_at = self.clock() + self.retry_after
        if started:
            self.logger.warning(
                "%s is unreachable: %s meanwhile (trying it again every %g s)",
                self.name,
                self.while_down,
                self.retry_after,
            )

    def record_success(self) -> None:
        """Note a call that worked: the dependency is back, if it was down."""
        if not self._down:
            return
        with self._lock:
            ended = self._down
            self._down = False
        if ended:
            self.logger.info("%s answers again", self.name)

    def reset(self) -> None:
        """Forget any outage (tests start from a known state)."""
        with self._lock:
            self._down = False
            self._retry_at = 0.0
