"""Who may use a chat session: the API's access token, the browser's cookie, device links.

A session id is a name, not a key (DESIGN.md, rule 8): every use of a session needs one of
these credentials, and the JSON API, the pages and the WebSocket consumer all check them
here, so they cannot drift. Every check re-reads the session (and link) rows, so an ended
session or a revoked link fails at once, everywhere.

- **Access token** (the API): ``secrets.token_urlsafe(32)``, 256 bits, returned once when the
  session is created or the token rotated; the session row keeps only its SHA-256 (a slow
  hash adds nothing for a random 256-bit secret), compared in constant time. Sent as
  ``Authorization: Bearer <token>``; never in a URL, never logged.
- **Browser cookie** (pages, sockets, and the API from the browser): a signed, HttpOnly,
  SameSite=Lax cookie (``BrowserBinding``: the session id, when the cookie was first issued,
  and the device link the browser came in through, if any). Secure and named with the
  ``__Host-`` prefix outside development (``CHAT_COOKIE_SECURE``). It expires
  ``CHAT_COOKIE_IDLE_DAYS`` after the last page visit (the signature's timestamp: pages
  re-sign it) and ``CHAT_COOKIE_MAX_DAYS`` after it was first issued, visits or not.
- **Device links**: a random token of 256 bits in ``/continue/<token>``, stored only as its
  SHA-256 in a ``DeviceLink`` row; nothing in it decodes to the session id. A link opens
  (switches a browser, after a confirming POST) until it expires (``DEVICE_LINK_DAYS``) or is
  revoked; a browser that came in through it keeps access until the link is revoked or the
  session ends (expiry only stops new opens).

A cookie that is missing, tampered with or expired simply means "no session" to the pages;
the API answers 404, exactly as for an unknown id.
"""

import datetime
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from chat import store
from chat.ids import SESSION_ID_PATTERN
from chat.models import ChatSession, DeviceLink

SECRET_BYTES = 32
# token_urlsafe(32) is 43 characters; anything much longer is not one of ours: refuse it
# before hashing or decoding anything.
SECRET_MAX_LENGTH = 100
COOKIE_MAX_LENGTH = 400

COOKIE_BASE_NAME = "chat_session"
COOKIE_SALT = "chat.browser-binding"
DAY = 24 * 60 * 60

_SESSION_ID = re.compile(rf"^{SESSION_ID_PATTERN}$")
_SECRET = re.compile(rf"^[A-Za-z0-9_-]{{1,{SECRET_MAX_LENGTH}}}$")


# --- secrets --------------------------------------------------------------------------------


def new_secret() -> str:
    """Return a fresh 256-bit secret, URL-safe (an access token or a device-link token)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    """Return what is stored of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _is_secret_shaped(value: object) -> bool:
    return isinstance(value, str) and bool(_SECRET.match(value))


def _live_session(session_id: object) -> ChatSession | None:
    """Return the session if it exists and has not ended (with its one-to-one parts)."""
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        return None
    return (
        ChatSession.objects.select_related("search_criteria", "booking_draft")
        .filter(pk=session_id, ended_at__isnull=True)
        .first()
    )


# --- the API's access token -----------------------------------------------------------------


def session_create_with_token() -> tuple[ChatSession, str]:
    """Create a session for an API client; return it and its access token (shown once)."""
    token = new_secret()
    return store.session_create(access_token_hash=secret_hash(token)), token


def access_token_rotate(session_id: str) -> str:
    """Give the session a new access token and return it; the old one stops working now.

    Raise ``store.SessionNotFound`` for an unknown or ended session.
    """
    token = new_secret()
    store.session_set_access_token(session_id, token_hash=secret_hash(token))
    return token


def bearer_token(authorization: str) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header value, or None."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _is_secret_shaped(token):
        return None
    return token


def session_for_token(session_id: str, token: str | None) -> ChatSession | None:
    """Return the live session if ``token`` is its access token, else None."""
    if token is None:
        return None
    session = _live_session(session_id)
    if session is None or session.access_token_hash is None:
        return None
    if not hmac.compare_digest(secret_hash(token), session.access_token_hash):
        return None
    return session


# --- the browser's cookie -------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserBinding:
    """What a browser's cookie says: which session, since when, through which link."""

    session_id: str
    issued_at: int  # seconds since the epoch, when the cookie was first issued
    link_id: int | None = None

    @classmethod
    def new(cls, session_id: str, *, link_id: int | None = None) -> "BrowserBinding":
        return cls(session_id=session_id, issued_at=int(time.time()), link_id=link_id)

    def seconds_left(self) -> int:
        """Return how long the cookie may still live: idle expiry within the absolute one."""
        absolute_end = self.issued_at + settings.CHAT_COOKIE_MAX_DAYS * DAY
        return max(0, min(settings.CHAT_COOKIE_IDLE_DAYS * DAY, absolute_end - int(time.time())))


def cookie_name() -> str:
    """Return the chat cookie's name: ``__Host-`` prefixed whenever the cookie is Secure."""
    return f"__Host-{COOKIE_BASE_NAME}" if settings.CHAT_COOKIE_SECURE else COOKIE_BASE_NAME


def set_cookie(response: HttpResponse, binding: BrowserBinding) -> None:
    """Make the browser that receives ``response`` (all its tabs) use ``binding``.

    Called again on each page visit with the same binding: the signature's new timestamp
    restarts the idle expiry, while ``issued_at`` (inside, signed) keeps the absolute one.
    """
    payload = {"s": binding.session_id, "i": binding.issued_at}
    if binding.link_id is not None:
        payload["l"] = binding.link_id
    response.set_cookie(
        cookie_name(),
        signing.dumps(payload, salt=COOKIE_SALT),
        max_age=binding.seconds_left(),
        path="/",
        secure=settings.CHAT_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def binding_from_cookie(value: str | None) -> BrowserBinding | None:
    """Return the binding a cookie value carries, if genuine and unexpired (no database)."""
    if not value or len(value) > COOKIE_MAX_LENGTH:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT, max_age=settings.CHAT_COOKIE_IDLE_DAYS * DAY)
    except signing.BadSignature:  # tampered, foreign, or idle too long
        return None
    if not isinstance(data, dict):
        return None
    session_id, issued_at, link_id = data.get("s"), data.get("i"), data.get("l")
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        return None
    if isinstance(issued_at, bool) or not isinstance(issued_at, int):
        return None
    if link_id is not None and (isinstance(link_id, bool) or not isinstance(link_id, int)):
        return None
    binding = BrowserBinding(session_id=session_id, issued_at=issued_at, link_id=link_id)
    if binding.seconds_left() <= 0:  # past the absolute maximum
        return None
    return binding


def binding_from_request(request: HttpRequest) -> BrowserBinding | None:
    return binding_from_cookie(request.COOKIES.get(cookie_name()))


def binding_from_scope(scope: dict) -> BrowserBinding | None:
    """Return the binding of a WebSocket's cookie (needs channels' ``CookieMiddleware``)."""
    return binding_from_cookie(scope.get("cookies", {}).get(cookie_name()))


def session_for_binding(binding: BrowserBinding | None) -> ChatSession | None:
    """Return the session a cookie opens now: live, and through a link not since revoked."""
    if binding is None:
        return None
    session = _live_session(binding.session_id)
    if session is None or binding.link_id is None:
        return session
    still_granted = DeviceLink.objects.filter(
        pk=binding.link_id, session_id=session.pk, revoked_at__isnull=True
    ).exists()
    return session if still_granted else None


def session_from_request(request: HttpRequest) -> ChatSession | None:
    """Return the session this browser's cookie opens, or None."""
    return session_for_binding(binding_from_request(request))


def session_for_cookie(request: HttpRequest, session_id: str) -> ChatSession | None:
    """Return session ``session_id`` if this browser's cookie opens exactly that session."""
    binding = binding_from_request(request)
    if binding is None or binding.session_id != session_id:
        return None
    return session_for_binding(binding)


def conversation_key(session_id: str) -> str:
    """Return the name a page uses for its conversation: stable, and no use as a credential.

    Forms and the WebSocket send it back, so the server notices a tab that still shows a
    conversation this browser has since left ("New conversation" in another tab).
    """
    return salted_hmac("chat.conversation", session_id).hexdigest()[:24]


# --- device links ---------------------------------------------------------------------------


def device_link_issue(session_id: str) -> tuple[DeviceLink, str]:
    """Make a device link for the session; return it and its token (shown this once).

    Raise ``store.SessionNotFound`` for an unknown or ended session.
    """
    token = new_secret()
    expires_at = timezone.now() + datetime.timedelta(days=settings.DEVICE_LINK_DAYS)
    link = store.device_link_create(
        session_id, token_hash=secret_hash(token), expires_at=expires_at
    )
    return link, token


def device_link_for_token(token: str) -> DeviceLink | None:
    """Return the link a token names if it can be opened now (its session live), else None."""
    if not _is_secret_shaped(token):
        return None
    link = (
        DeviceLink.objects.select_related("session")
        .filter(token_hash=secret_hash(token), session__ended_at__isnull=True)
        .first()
    )
    if link is None or not link.can_be_opened():
        return None
    return link


def device_links_listed(session_id: str) -> list[DeviceLink]:
    """Return the links worth showing: not revoked, and either still openable or used.

    An expired link that opened a browser still grants that browser access, so it stays
    listed (and revocable); an expired link nobody used grants nothing.
    """
    return list(
        DeviceLink.objects.filter(session_id=session_id, revoked_at__isnull=True)
        .filter(Q(expires_at__gt=timezone.now()) | Q(last_used_at__isnull=False))
        .order_by("-created_at", "-pk")
    )
