"""Browsers and their credentials, as the credential tests drive them with Django's test client.

A ``Client`` is one browser: its cookie jar holds the chat cookie (``chat.credentials``) and
the CSRF cookie. These helpers do what a student does on the pages: make a device link on
``/device``, open one and confirm it, read which session a browser is in.
"""

import re

from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from chat import credentials
from chat.models import ChatSession

LINK_URL = re.compile(r'<input id="device-link"[^>]*value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cookie_value(client: Client) -> str | None:
    """Return the chat cookie this browser holds, or None."""
    cookie = client.cookies.get(credentials.cookie_name())
    return cookie.value if cookie is not None else None


def session_id_of(client: Client) -> str | None:
    """Return the session id this browser's cookie names (whether or not it still opens it)."""
    binding = credentials.binding_from_cookie(cookie_value(client))
    return binding.session_id if binding else None


def session_of(client: Client) -> ChatSession:
    return ChatSession.objects.get(pk=session_id_of(client))


def signed_cookie(session_id: str, *, link_id: int | None = None) -> str:
    """Return a genuine chat cookie value for a session (as the server would set it)."""
    response = HttpResponse()
    credentials.set_cookie(response, credentials.BrowserBinding.new(session_id, link_id=link_id))
    return response.cookies[credentials.cookie_name()].value


def browser_with_conversation(*, enforce_csrf: bool = False) -> Client:
    """Return a browser that has a conversation with one exchange in it."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.get("/")
    csrf_post(client, "/say", {"text": "hello"})
    return client


def csrf_token(client: Client) -> str:
    """Return this browser's CSRF token (visiting a page first if it has none)."""
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        client.get("/tutors")  # every page carries the token; this one starts no conversation
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def csrf_post(client: Client, path: str, data: dict | None = None, **kwargs) -> HttpResponse:
    """POST like the page's forms do: with the CSRF token."""
    return client.post(path, data or {}, headers={"X-CSRFToken": csrf_token(client)}, **kwargs)


def make_link(client: Client) -> str:
    """Make a device link on /device ("Create a link") and return its URL, shown only then."""
    response = csrf_post(client, "/device/links")
    assert response.status_code == 200, response.status_code
    found = LINK_URL.search(response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def token_of(url: str) -> str:
    return url.rsplit("/continue/", 1)[1]


def path_of(url: str) -> str:
    return "/continue/" + token_of(url)


def open_link(client: Client, url: str) -> HttpResponse:
    """Follow a device link and confirm on the page it shows (the confirming POST)."""
    page = client.get(path_of(url))
    assert page.status_code == 200, page.status_code
    token = CSRF_FIELD.search(page.content.decode()).group(1)
    return client.post(path_of(url), {"csrfmiddlewaretoken": token})
