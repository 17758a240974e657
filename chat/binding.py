"""Which chat session a browser is in: a signed cookie, and links that open it elsewhere.

The session id is the only credential a session has (DESIGN.md, rule 7), so a browser keeps it
in a signed, HttpOnly, SameSite=Lax cookie (Secure unless DEBUG), shared by all its tabs. A
cookie that is missing, tampered with, expired or names an unknown session simply means "no
session": the page starts a new one, it never shows an error.

"Continue on another device" links carry ``signing.dumps({"s": id, "k": key})``: signed, valid
for ``DEVICE_LINK_MAX_AGE``, and only while ``key`` is still the session's
``device_link_key``; starting a new conversation rotates the key (``chat.store``), which
revokes every link issued before. Session ids appear in page HTML only inside such tokens;
pages name their conversation with ``conversation_key``, an HMAC that cannot be turned back
into the id.
"""

import re
from urllib.parse import parse_qs

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from chat.ids import SESSION_ID_PATTERN
from chat.models import ChatSession

COOKIE_NAME = "chat_session"
COOKIE_SALT = "chat.session"
COOKIE_MAX_AGE = 180 * 24 * 60 * 60
DEVICE_LINK_SALT = "chat.device-link"
DEVICE_LINK_MAX_AGE = 7 * 24 * 60 * 60
# A longer "token" is not one of ours; refuse it before any work.
DEVICE_TOKEN_MAX_LENGTH = 400

_SESSION_ID = re.compile(rf"^{SESSION_ID_PATTERN}$")


def _session(session_id: object) -> ChatSession | None:
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        return None
    return ChatSession.objects.filter(pk=session_id).first()


def session_id_from_cookie(value: str | None) -> str | None:
    """Return the session id a signed cookie value carries, or None (no database access)."""
    if not value:
        return None
    # Through Django's own reader, so its signing scheme (and its upgrades) apply here too;
    # a WebSocket scope has cookies but no HttpRequest.
    carrier = HttpRequest()
    carrier.COOKIES = {COOKIE_NAME: value}
    return carrier.get_signed_cookie(
        COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
    )


def session_from_request(request: HttpRequest) -> ChatSession | None:
    """Return the session this browser's cookie names, or None."""
    return _session(session_id_from_cookie(request.COOKIES.get(COOKIE_NAME)))


def bind_session(response: HttpResponse, session_id: str) -> None:
    """Make the browser that receives ``response`` (all its tabs) use this session."""
    response.set_signed_cookie(
        COOKIE_NAME,
        session_id,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )


def device_link_token(session: ChatSession) -> str:
    """Return a token that opens ``session`` on another device, until revoked or expired."""
    return signing.dumps({"s": session.pk, "k": session.device_link_key}, salt=DEVICE_LINK_SALT)


def session_from_device_token(token: str | None) -> ChatSession | None:
    """Return the session a device-link token opens, or None if it is bad, old or revoked."""
    if not token or len(token) > DEVICE_TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=DEVICE_LINK_SALT, max_age=DEVICE_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    session = _session(data.get("s"))
    if session is None or not constant_time_compare(data["k"], session.device_link_key):
        return None
    return session


def session_from_scope(scope: dict) -> ChatSession | None:
    """Return the session a WebSocket may join: by ``?token=`` if given, else by cookie.

    Needs ``CookieMiddleware`` in front (``scope["cookies"]``). A token that is present but
    invalid is a refusal, not a reason to fall back to the cookie.
    """
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "token" in query:
        return session_from_device_token(query["token"][0])
    cookie = scope.get("cookies", {}).get(COOKIE_NAME)
    return _session(session_id_from_cookie(cookie))


def conversation_key(session_id: str) -> str:
    """Return the name a page uses for its conversation: stable, and no use as a credential.

    Forms and the WebSocket send it back, so the server notices a tab that still shows a
    conversation this browser has since left ("New conversation" in another tab).
    """
    return salted_hmac("chat.conversation", session_id).hexdigest()[:24]
