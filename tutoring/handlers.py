"""Django ASGI handlers tuned for this app (measured with bench/bench.py; see README).

Two changes from Django's stock ``ASGIHandler``:

1. **One thread for all sync code of a process.** Stock Django wraps each request in a
   ``ThreadSensitiveContext``, which starts a new thread per request for the sync parts
   (middleware, views, the ORM). A new thread means a new database connection per request,
   since connections are per thread. Without that context every sync call runs on asgiref's
   single long-lived sync thread, so the connection persists (``CONN_MAX_AGE``, with health
   checks) and no thread is started per request. This halved the CPU cost of a request. The
   price: one process runs one request's sync code at a time, as a classic single-threaded
   worker does; throughput scales with processes (``daphne`` workers), and the database row
   lock — not the process — still serialises writers of a session. Nothing slow or remote
   may run on that thread (DESIGN.md: no remote call while the session lock is held).
2. **A shorter middleware list for the JSON API** (``ApiASGIHandler``): every sync
   middleware costs thread hand-offs under ASGI, and the API uses no sessions, CSRF or auth.
"""

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler


class SingleThreadASGIHandler(ASGIHandler):
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # Deliberately no ThreadSensitiveContext (see the module docstring).
        await self.handle(scope, receive, send)


class ApiASGIHandler(SingleThreadASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE. Swap in the API list while it
        # runs: this happens once, at start-up, before any request is served.
        page_middleware = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = page_middleware
