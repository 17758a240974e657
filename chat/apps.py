from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat sessions"

    def ready(self) -> None:
        from chat.broadcast import session_access_broadcast, session_changed_broadcast
        from chat.store import session_access_changed, session_changed

        session_changed.connect(session_changed_broadcast, dispatch_uid="chat.broadcast")
        session_access_changed.connect(
            session_access_broadcast, dispatch_uid="chat.broadcast.access"
        )
