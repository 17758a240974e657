"""Two daphne processes sharing PostgreSQL and Redis: a message sent through one appears on a
WebSocket connected to the other (DESIGN.md, "Real-time" and "Scaling past one machine").

Skipped on SQLite only: two processes on one SQLite file is not the production setup. Redis
must be running at 127.0.0.1:6379 (the machines start it); its absence is a failure.
"""

import json
import re
from contextlib import ExitStack

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from websockets.sync.client import connect

from chat import credentials, store
from tests.live import DaphneServer

pytestmark = [pytest.mark.live_server, pytest.mark.django_db(transaction=True)]

# A database number of its own, so this test never meets another user of the local Redis.
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def servers():
    if connection.vendor != "postgresql":
        pytest.skip(
            "two processes share PostgreSQL in production; run with DATABASE_URL=postgres://"
        )
    env = {"REDIS_URL": REDIS_URL, "SECRET_KEY": settings.SECRET_KEY}
    with ExitStack() as stack:
        running = []
        for _ in range(2):
            server = DaphneServer(env=env)
            stack.callback(server.remove_files)  # after stop (last in, first out)
            server.start()
            stack.callback(server.stop)
            running.append(server)
        yield running


def signed_cookie(session_id: str) -> str:
    response = HttpResponse()
    credentials.set_cookie(response, credentials.BrowserBinding.new(session_id))
    return response.cookies[credentials.cookie_name()].value


def open_socket(server: DaphneServer, cookie: str):
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/chat/",
        origin=f"http://127.0.0.1:{server.port}",
        additional_headers={"Cookie": f"{credentials.cookie_name()}={cookie}"},
        proxy=None,
        open_timeout=10,
    )


def seqs(html: str) -> list[int]:
    return [int(seq) for seq in re.findall(r'id="msg-(\d+)"', html)]


def test_a_message_sent_through_one_process_appears_on_a_socket_of_the_other(servers):
    first, second = servers
    session = store.session_create()
    cookie = signed_cookie(session.pk)
    with open_socket(second, cookie) as watcher, open_socket(first, cookie) as sender_tab:
        for socket in (watcher, sender_tab):
            socket.send(json.dumps({"type": "resume", "after": 1}))
            assert seqs(socket.recv(timeout=10)) == []

        say(first, session, cookie, "hello from process one", expect=[2, 3])
        update = watcher.recv(timeout=10)
        assert seqs(update) == [2, 3]
        assert "hello from process one" in update
        assert seqs(sender_tab.recv(timeout=10)) == [2, 3]

        # And the other way round, each message once on each socket.
        say(second, session, cookie, "thanks", expect=[4, 5])
        assert seqs(sender_tab.recv(timeout=10)) == [4, 5]
        assert seqs(watcher.recv(timeout=10)) == [4, 5]


def say(server: DaphneServer, session, cookie: str, text: str, *, expect: list[int]) -> None:
    """Send like the page does: a CSRF-checked htmx post."""
    page = httpx.get(f"{server.url}/", headers={"Cookie": f"{credentials.cookie_name()}={cookie}"})
    assert page.status_code == 200
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    sent = httpx.post(
        f"{server.url}/say",
        data={"text": text, "conversation": credentials.conversation_key(session.pk)},
        headers={
            "Cookie": f"{credentials.cookie_name()}={cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
        },
    )
    assert sent.status_code == 200, sent.text[:500]
    assert seqs(sent.text) == expect
