"""A small typed client for the chat session JSON API (DESIGN.md, "HTTP API").

The method names are those of the design the API replaces (a Cloudflare Durable Object
front), so code written against it can switch by swapping the object it calls::

    with ChatClient("http://127.0.0.1:8000") as chat:
        state = chat.create_session()
        chat.add_message(state["id"], role="user", content="Python on Monday?")

Every session route needs the session's access token (``Authorization: Bearer``). The client
keeps the token ``create_session`` (or ``rotate_token``) returned, per session, and sends it
with every call for that session; a session made elsewhere is used by handing its id and
token over: ``ChatClient(url, tokens={session_id: token})`` or ``chat.use_session(id, token)``.
A session whose token the client does not know answers ``SessionNotFound``, like an unknown
id. Tokens are never put in URLs and never appear in the client's errors.

Bodies and answers are the API's camelCase JSON, passed through as plain dicts and lists:
the client adds transport, retries and typed errors, and no business logic.

Retries follow what is safe to replay:

- reads (GET) are retried on transport errors and on 503;
- ``add_message`` always sends an ``Idempotency-Key`` and is retried on transport errors and
  on 503 with the same key, so the server stores the message at most once;
- every other write is retried only when the connection could not be opened, i.e. when the
  request certainly never reached the server.

Errors the server answers become ``ChatApiError`` subclasses; a transport error that outlives
its retries is raised as the ``httpx.TransportError`` it is.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from enum import Enum
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

__all__ = [
    "ChatApiError",
    "ChatClient",
    "Conflict",
    "InvalidRequest",
    "ServiceUnavailable",
    "SessionNotFound",
    "VersionMismatch",
]

API_PREFIX = "/api/chat"
# A Retry-After at or above this many seconds is not waited for inside a call.
MAX_RETRY_AFTER = 5.0

# Errors after which the request may or may not have reached the server.
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    httpx.NetworkError,
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
)
# Errors raised before a single byte of the request was sent.
_UNSENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


class ChatApiError(Exception):
    """An error answer of the API: ``{"error": code, "message": text}`` with its status."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.details = details or []
        self.response = response


class InvalidRequest(ChatApiError):
    """The request was refused as bad input (400, 413 too large, 415 not JSON)."""


class SessionNotFound(ChatApiError):
    """No session has that id (404)."""


class Conflict(ChatApiError):
    """The request conflicts with what is stored, e.g. a reused idempotency key (409)."""


class VersionMismatch(ChatApiError):
    """The session is no longer at the ``If-Match`` version (412)."""

    def __init__(self, *args: Any, current_version: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_version = current_version


class ServiceUnavailable(ChatApiError):
    """The server cannot answer now, typically because its database is down (503)."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


_ERRORS_BY_STATUS: dict[int, type[ChatApiError]] = {
    400: InvalidRequest,
    404: SessionNotFound,
    409: Conflict,
    412: VersionMismatch,
    413: InvalidRequest,
    415: InvalidRequest,
    503: ServiceUnavailable,
}


class _Replay(Enum):
    """Which failures a request may be sent again after."""

    SAFE = "safe"  # reads and keyed appends: transport errors and 503
    UNSENT = "unsent"  # other writes: only when the request never left


def _retry_after_seconds(response: httpx.Response) -> float | None:
    """Return the ``Retry-After`` of a response in seconds, or None."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _etag_version(response: httpx.Response) -> int | None:
    """Return the version an ``ETag`` header names (``"7"`` or ``W/"7"``), or None."""
    raw = response.headers.get("ETag", "").strip().removeprefix("W/").strip('"')
    return int(raw) if raw.isdigit() else None


def _error_from(response: httpx.Response) -> ChatApiError:
    """Return the typed error for an error response."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        error = str(body["error"])
        message = str(body.get("message", ""))
        details = body.get("details") if isinstance(body.get("details"), list) else None
    else:
        error = f"http_{response.status_code}"
        message = response.text[:500] or response.reason_phrase
        details = None
    kind = _ERRORS_BY_STATUS.get(response.status_code, ChatApiError)
    extra: dict[str, Any] = {}
    if kind is VersionMismatch:
        extra["current_version"] = _etag_version(response)
    elif kind is ServiceUnavailable:
        extra["retry_after"] = _retry_after_seconds(response)
    return kind(response.status_code, error, message, details=details, response=response, **extra)


def _version_header(if_match: int | None) -> dict[str, str]:
    return {} if if_match is None else {"If-Match": f'"{int(if_match)}"'}


class ChatClient:
    """A client of one chat server; use it as a context manager or call ``close``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10,
        retries: int = 3,
        backoff: float = 0.2,
        transport: httpx.BaseTransport | None = None,
        tokens: Mapping[str, str] | None = None,
    ) -> None:
        """Prepare a client of the server at ``base_url`` (scheme, host and port).

        ``retries`` is how many times a failed request may be sent again, waiting
        ``backoff * 2**attempt`` seconds before each (or a shorter ``Retry-After``).
        ``tokens`` maps ids of existing sessions to their access tokens.
        """
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.retries = retries
        self.backoff = backoff
        self._tokens: dict[str, str] = dict(tokens or {})
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the underlying connections."""
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- sessions -----------------------------------------------------------------------------

    def use_session(self, session_id: str, token: str) -> None:
        """Use the access token ``token`` for every later call on session ``session_id``."""
        self._tokens[session_id] = token

    def access_token(self, session_id: str) -> str | None:
        """Return the access token the client holds for a session (to hand it on), or None."""
        return self._tokens.get(session_id)

    def create_session(self) -> dict[str, Any]:
        """Create a session holding the greeting; return its state.

        The state carries ``accessToken`` too (the server shows it only this once); the
        client keeps it for its later calls on this session.
        """
        state = self._call("POST", f"{API_PREFIX}/sessions", replay=_Replay.UNSENT).json()
        self._tokens[state["id"]] = state["accessToken"]
        return state

    def rotate_token(self, session_id: str) -> str:
        """Replace the session's access token; the old one stops working. Return the new one.

        Not retried unless the request certainly never left: a lost answer would leave the
        client holding a token the server no longer accepts.
        """
        response = self._call(
            "POST", self._path(session_id, "token"), session_id=session_id, replay=_Replay.UNSENT
        )
        token = response.json()["accessToken"]
        self._tokens[session_id] = token
        return token

    def get_state(self, session_id: str) -> dict[str, Any]:
        """Return the session's state with its most recent page of messages."""
        return self._call(
            "GET", self._path(session_id), session_id=session_id, replay=_Replay.SAFE
        ).json()

    def patch_state(
        self, session_id: str, /, *, if_match: int | None = None, **parts: Any
    ) -> dict[str, Any]:
        """Change some state parts at once; return the new state.

        Name the parts in camelCase, e.g. ``patch_state(sid, **{"pendingMatch": None})``; a
        part given as None is cleared.
        """
        return self._call(
            "PATCH",
            self._path(session_id),
            json=parts,
            headers=_version_header(if_match),
            session_id=session_id,
            replay=_Replay.UNSENT,
        ).json()

    def reset(self, session_id: str, *, if_match: int | None = None) -> dict[str, Any]:
        """Take the session back to the greeting-only state; return that state."""
        return self._call(
            "POST",
            self._path(session_id, "reset"),
            headers=_version_header(if_match),
            session_id=session_id,
            replay=_Replay.UNSENT,
        ).json()

    def delete_session(self, session_id: str, *, if_match: int | None = None) -> None:
        """Delete the session and everything it holds."""
        self._call(
            "DELETE",
            self._path(session_id),
            headers=_version_header(if_match),
            session_id=session_id,
            replay=_Replay.UNSENT,
        )
        self._tokens.pop(session_id, None)

    # --- messages -----------------------------------------------------------------------------

    def get_messages(
        self,
        session_id: str,
        *,
        after: int | None = None,
        before: int | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """Return a page of messages in ``seq`` order: ``{messages, hasMore, version}``.

        With ``after``: the first ones after that seq; otherwise the last ones before
        ``before`` (or the newest).
        """
        params = {
            name: value
            for name, value in (("after", after), ("before", before), ("limit", limit))
            if value is not None
        }
        return self._call(
            "GET",
            self._path(session_id, "messages"),
            params=params,
            session_id=session_id,
            replay=_Replay.SAFE,
        ).json()

    def add_message(
        self,
        session_id: str,
        *,
        role: str,
        content: str,
        tutor_match: dict[str, Any] | None = None,
        client_id: str | None = None,
        if_match: int | None = None,
    ) -> dict[str, Any]:
        """Append one message; return the message as stored.

        ``client_id`` is the idempotency key (a fresh one when not given): every retry sends
        the same one, so the message is stored once however often it is sent.
        """
        key = client_id if client_id is not None else uuid.uuid4().hex
        body: dict[str, Any] = {"role": role, "content": content}
        if tutor_match is not None:
            body["tutorMatch"] = tutor_match
        response = self._call(
            "POST",
            self._path(session_id, "messages"),
            json=body,
            headers={"Idempotency-Key": key, **_version_header(if_match)},
            session_id=session_id,
            replay=_Replay.SAFE,
        )
        return response.json()["message"]

    # --- state parts --------------------------------------------------------------------------

    def get_pending_match(self, session_id: str) -> dict[str, Any] | None:
        """Return the pending match, or None."""
        return self._get_part(session_id, "pending-match", "pendingMatch")

    def set_pending_match(
        self, session_id: str, match: dict[str, Any] | None, *, if_match: int | None = None
    ) -> dict[str, Any] | None:
        """Replace the pending match (None clears it); return it as stored."""
        return self._set_part(session_id, "pending-match", "pendingMatch", match, if_match)

    def get_booking_info(self, session_id: str) -> dict[str, Any] | None:
        """Return the booking in progress, or None."""
        return self._get_part(session_id, "booking-info", "bookingInfo")

    def set_booking_info(
        self, session_id: str, info: dict[str, Any] | None, *, if_match: int | None = None
    ) -> dict[str, Any] | None:
        """Replace the booking in progress (None clears it); return it as stored."""
        return self._set_part(session_id, "booking-info", "bookingInfo", info, if_match)

    def get_search_criteria(self, session_id: str) -> dict[str, Any] | None:
        """Return the last search, or None."""
        return self._get_part(session_id, "search-criteria", "lastSearchCriteria")

    def set_search_criteria(
        self, session_id: str, criteria: dict[str, Any], *, if_match: int | None = None
    ) -> dict[str, Any] | None:
        """Replace the last search; return it as stored."""
        return self._set_part(
            session_id, "search-criteria", "lastSearchCriteria", criteria, if_match
        )

    def get_available_tutors(self, session_id: str) -> list[dict[str, Any]]:
        """Return the tutors last shown."""
        return self._get_part(session_id, "available-tutors", "availableTutorsList")

    def set_available_tutors(
        self, session_id: str, tutors: list[dict[str, Any]], *, if_match: int | None = None
    ) -> list[dict[str, Any]]:
        """Replace the tutors last shown; return them as stored."""
        return self._set_part(
            session_id, "available-tutors", "availableTutorsList", tutors, if_match
        )

    # --- plumbing -----------------------------------------------------------------------------

    def _path(self, session_id: str, *rest: str) -> str:
        return "/".join([f"{API_PREFIX}/session/{quote(session_id, safe='')}", *rest])

    def _get_part(self, session_id: str, route: str, name: str) -> Any:
        response = self._call(
            "GET", self._path(session_id, route), session_id=session_id, replay=_Replay.SAFE
        )
        return response.json()[name]

    def _set_part(
        self, session_id: str, route: str, name: str, value: Any, if_match: int | None
    ) -> Any:
        method, body = ("DELETE", None) if value is None else ("PUT", value)
        response = self._call(
            method,
            self._path(session_id, route),
            json=body,
            headers=_version_header(if_match),
            session_id=session_id,
            replay=_Replay.UNSENT,
        )
        return response.json()[name]

    def _call(
        self,
        method: str,
        path: str,
        *,
        replay: _Replay,
        session_id: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request, retrying as ``replay`` allows; return a successful response.

        With ``session_id``, send that session's access token, if the client has one.
        """
        retryable = _TRANSPORT_ERRORS if replay is _Replay.SAFE else _UNSENT_ERRORS
        token = self._tokens.get(session_id) if session_id is not None else None
        if token is not None:
            headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method, path, json=json, params=params, headers=headers
                )
            except retryable:
                if attempt >= self.retries:
                    raise
                self._sleep(attempt, None)
                attempt += 1
                continue
            if response.is_success:
                return response
            error = _error_from(response)
            if (
                isinstance(error, ServiceUnavailable)
                and replay is _Replay.SAFE
                and attempt < self.retries
            ):
                self._sleep(attempt, error.retry_after)
                attempt += 1
                continue
            raise error

    def _sleep(self, attempt: int, retry_after: float | None) -> None:
        """Wait before retry number ``attempt + 1``: the backoff, or a short Retry-After."""
        if retry_after is not None and retry_after < MAX_RETRY_AFTER:
            time.sleep(retry_after)
        else:
            time.sleep(self.backoff * 2**attempt)
