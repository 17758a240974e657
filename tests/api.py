"""Talking to the JSON API as a client does, with the one helper that knows how to open a session.

``open_session`` creates a session and returns its id with the headers every request about it
must carry (its access token, ``Authorization: Bearer``). Tests that act as the session's
owner send those headers; when the credential changes, only this module changes.
"""

import json
from dataclasses import dataclass, field

from django.test import Client


@dataclass(frozen=True)
class ApiSession:
    id: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"/api/chat/session/{self.id}"


def send(client: Client, method: str, path: str, body=None, *, headers=None, **extra):
    """Send ``body`` as JSON (a str or bytes as is; None: no body) with ``headers``."""
    if body is None:
        data = ""
    elif isinstance(body, (str, bytes)):
        data = body
    else:
        data = json.dumps(body)
    return getattr(client, method.lower())(
        path,
        data=data,
        content_type="application/json",
        headers={**(headers or {}), **extra},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def session_created(response) -> ApiSession:
    """Return the session a ``201`` from ``POST /api/chat/sessions`` created, as its owner."""
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    return ApiSession(id=body["id"], headers=bearer(body["accessToken"]))


def token_rotated(session: ApiSession, response) -> None:
    """Carry the token a ``200`` from ``POST …/token`` returned from now on."""
    assert response.status_code == 200, response.content[:300]
    session.headers.update(bearer(response.json()["accessToken"]))


def open_session(client: Client) -> ApiSession:
    """Create a session through the API; return its id and the headers its owner sends."""
    return session_created(send(client, "post", "/api/chat/sessions"))
