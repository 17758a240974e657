"""Refuse request bodies the app never takes, before anything reads them (an ASGI wrapper).

No form of the app takes files (the chat, the booking cancel page, the admin: none has a file
field), and every body it takes is small: JSON and form posts up to
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``MAX_REQUEST_BODY_BYTES``, 64 KiB). Django, by contrast,
reads a body whole, spooling it to disk past 2.5 MB, and parses a multipart one into
temporary files before any view or middleware can refuse it. So this wrapper answers first,
from the headers, without reading the body:

- a ``Content-Length`` over the limit: 413;
- ``multipart/form-data`` (a file upload), whatever its size: 415, "this form takes no files";
- a body without ``Content-Length`` (chunked) is counted as it arrives and cut off with 413
  as soon as it passes the limit.

Answers to ``/api/`` are JSON ``{"error", "message"}``, like every API error; answers to pages
are a short plain-text message. Under daphne the HTTP server (Twisted) has received the body
before the app is called; in production nginx's ``client_max_body_size`` refuses large bodies
at the edge (docs/production.md), and this wrapper keeps them out of Django.
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _

_BODY_METHODS = {"POST", "PUT", "PATCH"}
_SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]


class RequestBodyGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length, content_type, chunked = _body_headers(scope)
        if length is not None and length > limit:
            await _refuse(scope, send, 413)
            return
        if content_type.startswith(b"multipart/"):
            await _refuse(scope, send, 415)
            return
        if chunked or (length is None and scope["method"] in _BODY_METHODS):
            await self._counted(scope, receive, send, limit)
            return
        # A known length within the limit, or no body at all (most GETs): nothing to count.
        await self.app(scope, receive, send)

    async def _counted(self, scope, receive, send, limit: int) -> None:
        """Pass a body of unknown length through, cutting it off once it passes ``limit``."""
        received = 0
        too_large = False
        started = False

        async def counting_receive():
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django stops reading at a disconnect and answers nothing; we answer.
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def noting_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, noting_send)
        if too_large and not started:
            await _refuse(scope, send, 413)


def _body_headers(scope) -> tuple[int | None, bytes, bool]:
    """Return the body's declared length, its media type and whether it comes chunked."""
    length = None
    content_type = b""
    chunked = False
    for name, value in scope.get("headers", ()):
        name = name.lower()
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None  # Django refuses it; nothing to decide here
        elif name == b"content-type":
            content_type = value.strip().lower()
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    return length, content_type, chunked


def _message(status: int, *, api: bool) -> str:
    if status == 413:
        return _("The request body is larger than %(limit)s bytes.") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
    if api:
        return _("Send the request body as application/json.")
    return _("This form takes no files. Send it again without attachments.")


async def _refuse(scope, send, status: int) -> None:
    api = scope["path"].startswith("/api/")
    message = _message(status, api=api)
    if api:
        code = "too_large" if status == 413 else "unsupported_media_type"
        body = json.dumps({"error": code, "message": message}).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        # The client may still be sending: it should not reuse this connection.
        (b"connection", b"close"),
        *_SECURITY_HEADERS,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
