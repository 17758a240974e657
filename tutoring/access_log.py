"""One log line per HTTP request, without the things a log must not hold.

Daphne's own access log prints whole paths, and paths carry session ids, booking uids and
device-link tokens, so daphne runs with ``-v 0`` and this ASGI wrapper logs instead: method,
path (ids shortened, control characters escaped: ``tutoring.redaction``), status and
duration. No query string (it may carry a token), no client address, no headers.
"""

import logging
import time

from tutoring.redaction import loggable

logger = logging.getLogger("tutoring.access")


class AccessLog:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        started = time.perf_counter()
        status = 0

        async def send_and_note_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            path = loggable(scope["path"])
            elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "%s %s %s %sms",
                scope["method"],
                path,
                status,
                elapsed_ms,
                extra={"method": scope["method"], "path": path, "status": status, "ms": elapsed_ms},
            )
