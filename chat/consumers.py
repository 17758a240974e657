"""The chat page's WebSocket: every open tab of a session sees each change as it commits.

Protocol (``/ws/chat/``; docs/live-updates.md has the whole of it):

- The socket is authorised by the browser's chat cookie (``chat.credentials``), and the
  Origin must be an allowed host (``chat.routing``). Refused sockets are accepted and closed
  at once with ``4403``, so a browser sees the code (a refused handshake looks like a network
  error, which htmx's ws extension retries forever). ``?conversation=<key>`` names the
  conversation the page shows; if the browser has since moved to another, the socket is
  closed with ``4409`` ("reload").
- The client sends ``{"type": "resume", "after": <highest seq it has>}`` on every (re)connect.
  The server answers with ``render_update(session, after_seq=after)``: HTML of htmx
  out-of-band swaps (new messages, the panel, the composer hint).
- After every commit (``chat.broadcast``) the server sends the update after the last seq it
  sent on this socket. Catching up after a drop is the same code path, so nothing is sent
  twice and nothing is missed.
- The cookie is checked again before every update and whenever the session's access changes
  (it ended, a device link was revoked: ``chat.access``); a socket whose cookie no longer
  opens the session is closed with ``4404``.
"""

import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError

from chat import credentials
from chat.broadcast import group_name
from chat.credentials import BrowserBinding
from chat.render import render_update

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORISED = 4403
CLOSE_SESSION_GONE = 4404
CLOSE_CONVERSATION_MOVED = 4409
CLOSE_TRY_AGAIN_LATER = 1013  # the database is down; browsers reconnect with back-off


def socket_binding(scope: dict) -> tuple[BrowserBinding | None, int | None]:
    """Return the cookie binding a socket may follow, or a close code saying why not."""
    binding = credentials.binding_from_scope(scope)
    session = credentials.session_for_binding(binding)
    if session is None:
        return None, CLOSE_UNAUTHORISED
    shown = _query_value(scope, "conversation")
    if shown and shown != credentials.conversation_key(session.pk):
        return None, CLOSE_CONVERSATION_MOVED
    return binding, None


def session_update(
    binding: BrowserBinding, *, after_seq: int, reset: bool
) -> tuple[str, int] | None:
    """Return the update after ``after_seq`` and the seq it goes up to; None if the cookie
    no longer opens the session (ended, deleted, its link revoked)."""
    session = credentials.session_for_binding(binding)
    if session is None:
        return None
    return render_update(session, after_seq=after_seq, replace_log=reset), session.last_seq


def still_allowed(binding: BrowserBinding) -> bool:
    return credentials.session_for_binding(binding) is not None


def _query_value(scope: dict, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


def parse_resume(text: str | None) -> int | None:
    """Return ``after`` of a valid resume message, else None."""
    try:
        message = json.loads(text or "")
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        return None
    if not isinstance(message, dict) or message.get("type") != "resume":
        return None
    after = message.get("after")
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2**31:
        return None
    return after


class ChatConsumer(AsyncWebsocketConsumer):
    binding: BrowserBinding | None = None
    group: str | None = None
    # The highest seq sent on this socket; None until the client has resumed.
    last_seq: int | None = None

    async def connect(self) -> None:
        try:
            binding, refusal = await database_sync_to_async(socket_binding)(self.scope)
        except DatabaseError:
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        await self.accept()
        if binding is None:
            await self.close(code=refusal)
            return
        self.binding = binding
        self.group = group_name(binding.session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self.binding is None:
            return
        after = parse_resume(text_data)
        if after is not None:
            await self._send_update(after, reset=False)

    async def chat_changed(self, event: dict) -> None:
        """A commit happened (``chat.broadcast``): send what this page does not have yet."""
        if self.binding is not None and self.last_seq is not None:
            await self._send_update(self.last_seq, reset=bool(event.get("reset")))

    async def chat_access(self, event: dict) -> None:
        """Who may use the session changed: close at once if this browser no longer may."""
        if self.binding is None:
            return
        try:
            allowed = await database_sync_to_async(still_allowed)(self.binding)
        except DatabaseError:
            logger.warning("database unavailable for a chat socket", exc_info=True)
            await self._stop(CLOSE_TRY_AGAIN_LATER)
            return
        if not allowed:
            await self._stop(CLOSE_SESSION_GONE)

    async def _send_update(self, after: int, *, reset: bool) -> None:
        try:
            update = await database_sync_to_async(session_update)(
                self.binding, after_seq=after, reset=reset
            )
        except DatabaseError:
            logger.warning("database unavailable for a chat socket", exc_info=True)
            await self._stop(CLOSE_TRY_AGAIN_LATER)
            return
        if update is None:
            await self._stop(CLOSE_SESSION_GONE)
            return
        html, self.last_seq = update
        await self.send(text_data=html)

    async def _stop(self, code: int) -> None:
        """Close, and hear nothing more of the session meanwhile."""
        self.binding = None
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        await self.close(code=code)
