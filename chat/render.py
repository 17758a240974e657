"""HTML of the chat page and of its live updates.

``render_update`` is the one function that brings an open page up to date. The htmx response
to ``POST /say`` and the WebSocket consumer both send its output, so a tab that sent a
message and a tab that watched it arrive show the same thing. It is a list of htmx
out-of-band swaps:

- the messages after ``after_seq``, appended to ``#chat-log`` (each ``id="msg-<seq>"``); or,
  when the page is too far behind (or the session was reset), ``#chat-history`` replaced
  with the newest page of messages;
- ``#chat-panel`` replaced (``data-version`` lets a page ignore an older copy);
- ``#composer-hint`` replaced (what the message box is for right now).

Messages are rendered only up to the ``last_seq`` read with the session, so a caller that
remembers ``session.last_seq`` never sends a message twice.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from chat import panels, state
from chat.credentials import conversation_key
from chat.models import ChatMessage, ChatSession

# Where pages open their WebSocket (chat.routing serves it).
SOCKET_PATH = "/ws/chat/"


@dataclass(frozen=True)
class MessageView:
    seq: int
    role: str
    content: str
    created_at: object
    card: dict | None

    @property
    def is_student(self) -> bool:
        return self.role == ChatMessage.Role.USER


def message_views(messages: list[ChatMessage]) -> list[MessageView]:
    return [
        MessageView(
            seq=m.seq,
            role=m.role,
            content=m.content,
            created_at=m.created_at,
            card=panels.tutor_card(m.tutor_match) if m.tutor_match else None,
        )
        for m in messages
    ]


def page_size() -> int:
    return settings.CHAT_STATE_MESSAGES


def composer_hint(panel: panels.Panel) -> str:
    hints = {
        panels.OFFER: _("Pick a time above, or type a message (for example “other tutors”)."),
        panels.TUTORS: _("Pick a tutor above, or type a message."),
        panels.FORM: _("Answer above, or type here. You can say “back” or “cancel” any time."),
        panels.SWITCH: _("Answer yes or no above, or type here."),
        panels.CANCEL: _("Answer above, or type here."),
        panels.BOOKED: _("Need another session? Tell me the subject and when."),
    }
    return hints.get(panel.kind, _("Tell me a subject or class and when you're free. Enter sends."))


def session_context(session: ChatSession) -> dict:
    """Return what every chat partial needs about the session (not its messages)."""
    panel = panels.session_panel(session)
    return {
        "panel": panel,
        "version": session.version,
        "hint": composer_hint(panel),
        "conversation": conversation_key(session.pk),
        "say_url": reverse("chat:say"),
        "max_chars": settings.CHAT_MAX_MESSAGE_CHARS,
    }


def history_context(messages: list[ChatMessage]) -> dict:
    """Return the messages of one page and where the page before them starts."""
    oldest = messages[0].seq if messages else None
    return {
        "messages": message_views(messages),
        "earlier_before": oldest if oldest and oldest > 1 else None,
    }


def page_context(session: ChatSession) -> dict:
    """Return the context of the whole chat page for ``session``."""
    latest = state.messages_page(session, limit=page_size())
    return {
        **session_context(session),
        **history_context(latest),
        "ws_url": f"{SOCKET_PATH}?conversation={conversation_key(session.pk)}",
    }


def render_update(
    session: ChatSession,
    *,
    after_seq: int,
    request: HttpRequest | None = None,
    replace_log: bool = False,
) -> str:
    """Return the out-of-band swaps that bring a page with messages up to ``after_seq``
    up to date with ``session`` (as read: messages up to ``session.last_seq``)."""
    behind = session.last_seq - after_seq
    replace_log = replace_log or behind < 0 or behind > page_size()
    if replace_log:
        newest = state.messages_page(session, before=session.last_seq + 1, limit=page_size())
        history = history_context(newest)
    else:
        fresh = list(
            ChatMessage.objects.filter(
                session=session, seq__gt=after_seq, seq__lte=session.last_seq
            ).order_by("seq")
        )
        history = {"messages": message_views(fresh)}
    context = {**session_context(session), **history, "replace_log": replace_log, "oob": True}
    return render_to_string("chat/_update.html", context, request=request)
