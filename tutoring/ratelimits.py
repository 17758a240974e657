"""Rate limits (django-ratelimit's counters in the cache), answered with 429 and Retry-After.

``would_exceed`` counts one request against a limit and says how long to wait when it is
over. What is limited, and by what (settings ``RATE_LIMIT_*``):

- turns and message posts: per chat session and per client address;
- new chat sessions: per client address;
- other writes to a session (API PUT, PATCH, DELETE, reset, token rotation; device links):
  per chat session;
- ``POST /api/match`` and admin logins: per client address;
- WebSocket connections: per client address; catch-up requests ("resume"): per session.

Counting costs a cache operation or two (Redis, or this process's memory while Redis is
unreachable: ``tutoring.cache``), never a database query.

The client address is ``request.META[RATELIMIT_IP_META_KEY]`` (behind nginx, the
``X-Real-IP`` header it sets), else the socket's address: a request that reaches the app
without passing the proxy is still counted, never refused with a 500.
"""

import ipaddress
import logging
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

# Misconfigurations already reported by this process (each is logged once).
_reported: set[str] = set()


def forget_reported() -> None:
    """Report each misconfiguration again (tests start from a known state)."""
    _reported.clear()


class RateLimited(Exception):
    """A limit is exceeded: answer 429 with ``Retry-After: retry_after`` and ``message``."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


# --- who is counting ---------------------------------------------------------------------------


def client_address(meta: Mapping[str, str]) -> str:
    """Return the address a client is counted by, from a request's ``META``.

    IPv6 addresses are counted by their /64 network, as one household or device usually
    holds a whole one.
    """
    key = settings.RATELIMIT_IP_META_KEY
    raw = meta.get(key) if key else None
    address = _parsed(raw)
    if address is None:
        if key and key != "REMOTE_ADDR" and key not in _reported:
            _reported.add(key)
            logger.warning(
                "a request without a valid %s arrived (not through the proxy?): clients "
                "without it are counted by their socket address (logged once)",
                key,
            )
        address = _parsed(meta.get("REMOTE_ADDR"))
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _parsed(raw: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not raw:
        return None
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


def socket_client_address(scope: dict) -> str:
    """Return the address a WebSocket's client is counted by (see ``client_address``)."""
    meta = {"REMOTE_ADDR": (scope.get("client") or ("",))[0] or ""}
    key = settings.RATELIMIT_IP_META_KEY
    if key and key.startswith("HTTP_"):
        wanted = key[len("HTTP_") :].lower().replace("_", "-").encode("latin-1")
        for name, value in scope.get("headers", ()):
            if name.lower() == wanted:
                meta[key] = value.decode("latin-1")
    return client_address(meta)


# --- counting ------------------------------------------------------------------------------------


def would_exceed(*, group: str, value: str, rate: str) -> int | None:
    """Count one use by ``value`` (an address, a session id) against ``rate`` in ``group``.

    Return the seconds to wait when it is over the limit, else None. The value is hashed
    into the cache key, so session ids never appear in Redis.
    """
    usage = get_usage(
        None, group=group, key=lambda group, request: value, rate=rate, increment=True
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def _first_wait(*waits: int | None) -> int | None:
    over = [wait for wait in waits if wait is not None]
    return max(over) if over else None


def chat_write_wait(request: HttpRequest, session_id: str) -> int | None:
    """Count a chat write (turn or message) against the session's and the client's limits.

    Return the seconds to wait when either is exceeded, else None.
    """
    return _first_wait(
        would_exceed(group="chat-session", value=session_id, rate=settings.RATE_LIMIT_SESSION),
        would_exceed(
            group="chat-client",
            value=client_address(request.META),
            rate=settings.RATE_LIMIT_CLIENT,
        ),
    )


def session_create_wait(request: HttpRequest) -> int | None:
    """Count the creation of a chat session against the client's limit."""
    return would_exceed(
        group="session-create",
        value=client_address(request.META),
        rate=settings.RATE_LIMIT_SESSION_CREATE,
    )


def state_write_wait(session_id: str) -> int | None:
    """Count a write to a session (state, token, device link) against the session's limit."""
    return would_exceed(group="state-write", value=session_id, rate=settings.RATE_LIMIT_STATE_WRITE)


def match_wait(request: HttpRequest) -> int | None:
    """Count a ``POST /api/match`` against the client's limit."""
    return would_exceed(
        group="match", value=client_address(request.META), rate=settings.RATE_LIMIT_MATCH
    )


def admin_login_wait(request: HttpRequest) -> int | None:
    """Count an admin login attempt against the client's limit."""
    return would_exceed(
        group="admin-login",
        value=client_address(request.META),
        rate=settings.RATE_LIMIT_ADMIN_LOGIN,
    )


def socket_connect_wait(scope: dict) -> int | None:
    """Count a WebSocket connection against the client's limit."""
    return would_exceed(
        group="socket-connect",
        value=socket_client_address(scope),
        rate=settings.RATE_LIMIT_SOCKET_CONNECT,
    )


def socket_resume_wait(session_id: str) -> int | None:
    """Count a WebSocket catch-up ("resume") against the session's limit."""
    return would_exceed(
        group="socket-resume", value=session_id, rate=settings.RATE_LIMIT_SOCKET_RESUME
    )


# --- answering -----------------------------------------------------------------------------------


def too_many_requests_page(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    response = TemplateResponse(
        request, "too_many_requests.html", {"retry_after": retry_after}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
