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
- ``4013`` ("try again later"; ``chat.js`` reconnects with growing back-off): the database or
  the channel layer (Redis) is unavailable, or the client opened sockets or sent resumes faster
  than ``RATE_LIMIT_SOCKET_CONNECT`` / ``RATE_LIMIT_SOCKET_RESUME`` allow. The page keeps
  working over HTTP meanwhile. (Not the standard 1013: daphne's WebSocket library lets a server
  close only with 1000 or 3000-4999, and refuses anything else with an exception.)
"""

import json
import logging
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError

from chat import credentials
from chat.broadcast import LAYER_ERRORS, group_name, live_updates
from chat.credentials import BrowserBinding
from chat.render import render_update
from tutoring.ratelimits import socket_connect_wait, socket_resume_wait

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORISED = 4403
CLOSE_SESSION_GONE = 4404
CLOSE_CONVERSATION_MOVED = 4409
CLOSE_TRY_AGAIN_LATER = 4013  # see the module docstring


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
    accepted = False
    closed = False

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS:
            # The channel layer's receive loop failed (Redis went away): close cleanly so the
            # browser reconnects later, instead of an "exception inside application".
            live_updates.record_failure()
            if self.closed:
                return
            if not self.accepted:
                await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})

    async def accept(self, *args, **kwargs) -> None:
        await super().accept(*args, **kwargs)
        self.accepted = True

    async def close(self, *args, **kwargs) -> None:
        await super().close(*args, **kwargs)
        self.closed = True

    async def _try_again_later(self) -> None:
        """Close with 4013 and stop answering this socket."""
        self.binding = None
        self.last_seq = None
        if not self.accepted:
            await self.accept()
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def connect(self) -> None:
        # The channel layer is known to be down: no socket can get live updates now.
        if not live_updates.allows_call():
            await self._try_again_later()
            return
        if await sync_to_async(socket_connect_wait)(self.scope) is not None:
            await self._try_again_later()
            return
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
        try:
            await self.channel_layer.group_add(group_name(binding.session_id), self.channel_name)
        except LAYER_ERRORS:
            live_updates.record_failure()
            await self._try_again_later()
            return
        live_updates.record_success()
        self.binding = binding
        self.group = group_name(binding.session_id)

    async def disconnect(self, code: int) -> None:
        await self._leave_group()

    async def _leave_group(self) -> None:
        if self.group is None:
            return
        group, self.group = self.group, None
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except LAYER_ERRORS:
            live_updates.record_failure()  # the group entry expires in Redis by itself

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self.binding is None:
            return
        after = parse_resume(text_data)
        if after is None:
            return
        # Each resume renders the page's state: a flood of them is refused, not rendered.
        if await sync_to_async(socket_resume_wait)(self.binding.session_id) is not None:
            await self._try_again_later()
            return
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
        await self._leave_group()
        await self.close(code=code)
