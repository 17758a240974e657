"""ASGI entry point for daphne.

HTTP: the JSON API and the health check go to a lean handler, everything else (pages, admin)
to Django with its full middleware stack; both run sync code on one thread per process
(tutoring/handlers.py explains why).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutoring.settings")
django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter  # noqa: E402

from tutoring.handlers import ApiASGIHandler, SingleThreadASGIHandler  # noqa: E402

page_app = SingleThreadASGIHandler()
api_app = ApiASGIHandler()


async def http_app(scope, receive, send) -> None:
    path = scope["path"]
    app = api_app if path.startswith("/api/") or path == "/health" else page_app
    await app(scope, receive, send)


application = ProtocolTypeRouter({"http": http_app})
