"""WebSocket routes of the chat, and the Origin check in front of them (tutoring/asgi.py)."""

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from chat.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/chat/", ChatConsumer.as_asgi(), name="chat-socket"),
]


class AllowedHostsOrigin(OriginValidator):
    """Channels' ``AllowedHostsOriginValidator``, reading ``ALLOWED_HOSTS`` per connection.

    The stock one copies the list when the ASGI app is built, so settings changed later
    (tests, ``override_settings``) would not apply.
    """

    def __init__(self, application) -> None:
        self.application = application

    @property
    def allowed_origins(self) -> list[str]:
        hosts = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not hosts:
            hosts = ["localhost", "127.0.0.1", "[::1]"]
        return hosts
