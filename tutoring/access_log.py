"""One log line per HTTP request, without the things a log must not hold.

Daphne's own access log prints whole paths, and paths carry session ids and device-link
tokens, so daphne runs with ``-v 0`` and this ASGI wrapper logs instead: method, path with
ids shortened (``chat.logging.redact_session_ids``), status and duration. No query string
(it may carry a token), no client address, no headers.
"""

import logging
import time

from chat.logging import redact_session_ids

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
            path = redact_session_ids(scope["path"])
            elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "%s %s %s %sms",
                scope["method"],
                path,
                status,
                elapsed_ms,
                extra={"method": scope["method"], "path": path, "status": status, "ms": elapsed_ms},
            )
