"""ASGI entry point for daphne.

HTTP: bodies the app never takes are refused first (tutoring/request_body.py); then the JSON
API and the health check go to a lean handler, everything else (pages, admin) to Django with
its full middleware stack; both run sync code on one thread per process
(tutoring/handlers.py explains why). WebSocket: the chat's live updates (chat.routing), behind
an Origin check against ALLOWED_HOSTS and a cookie parser (the chat authorises sockets by its
signed cookie).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutoring.settings")
django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from chat.routing import AllowedHostsOrigin, websocket_urlpatterns  # noqa: E402
from tutoring.access_log import AccessLog  # noqa: E402
from tutoring.handlers import ApiASGIHandler, SingleThreadASGIHandler  # noqa: E402
from tutoring.request_body import RequestBodyGuard  # noqa: E402

page_app = SingleThreadASGIHandler()
api_app = ApiASGIHandler()


async def http_app(scope, receive, send) -> None:
    path = scope["path"]
    app = api_app if path.startswith("/api/") or path == "/health" else page_app
    await app(scope, receive, send)


# Static files are served by WhiteNoise (page middleware); in production nginx may serve the
# collected files in front of it (docs/production.md). Bodies the app never takes (file
# uploads, anything over MAX_REQUEST_BODY_BYTES) are refused before Django reads them.
http_root = AccessLog(RequestBodyGuard(http_app))

application = ProtocolTypeRouter(
    {
        "http": http_root,
        "websocket": AllowedHostsOrigin(CookieMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
