"""The chat WebSocket (chat.consumers): who may connect, fan-out, and catching up.

Each test drives ``tutoring.asgi.application`` with channels' ``WebsocketCommunicator`` on
the in-memory channel layer. Turns are taken through the same function the page uses
(``take_turn``), whose commit sends ``session_changed`` and so the broadcast.
"""

import json
import re
from collections.abc import Awaitable, Callable

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.http import HttpResponse

from chat import credentials, store
from chat.assistant.turn import take_turn
from chat.consumers import (
    CLOSE_CONVERSATION_MOVED,
    CLOSE_SESSION_GONE,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORISED,
    parse_resume,
)
from tutoring.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = b"http://testserver"
QUIET = 0.3  # seconds in which "nothing arrives" is checked


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def signed_cookie(session_id: str) -> str:
    response = HttpResponse()
    credentials.set_cookie(response, credentials.BrowserBinding.new(session_id))
    return response.cookies[credentials.cookie_name()].value


def socket(
    session_id: str | None = None,
    *,
    origin: bytes | None = ALLOWED_ORIGIN,
    cookie: str | None = None,
    query: str = "",
) -> WebsocketCommunicator:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if session_id is not None or cookie is not None:
        value = cookie if cookie is not None else signed_cookie(session_id)
        headers.append((b"cookie", f"{credentials.cookie_name()}={value}".encode()))
    return WebsocketCommunicator(application, f"/ws/chat/{query}", headers=headers)


async def opened(communicator: WebsocketCommunicator, *, after: int | None = None) -> str | None:
    """Connect; with ``after``, resume from there and return the catch-up update."""
    connected, _ = await communicator.connect()
    assert connected
    if after is None:
        return None
    await communicator.send_json_to({"type": "resume", "after": after})
    return await communicator.receive_from(timeout=5)


async def closed_with(communicator: WebsocketCommunicator) -> int:
    connected, _ = await communicator.connect()
    assert connected, "refusals are accepted and then closed, so browsers see the code"
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message["code"]


async def say(session_id: str, text: str) -> None:
    await database_sync_to_async(take_turn)(session_id, text=text)


def seqs(html: str) -> list[int]:
    return [int(seq) for seq in re.findall(r'id="msg-(\d+)"', html)]


@pytest.fixture
def session_a():
    return store.session_create()


@pytest.fixture
def session_b():
    return store.session_create()


# --- who may connect ----------------------------------------------------------------------


def test_a_socket_without_a_cookie_is_refused():
    async def scenario():
        assert await closed_with(socket()) == CLOSE_UNAUTHORISED

    run(scenario)


@pytest.mark.parametrize("cookie", ["garbage", "", "x" * 32 + ":abc:def"])
def test_a_socket_with_a_bad_cookie_is_refused(cookie):
    async def scenario():
        assert await closed_with(socket(cookie=cookie)) == CLOSE_UNAUTHORISED

    run(scenario)


def test_a_socket_whose_cookie_names_an_unknown_session_is_refused():
    async def scenario():
        assert await closed_with(socket("Z" * 32)) == CLOSE_UNAUTHORISED

    run(scenario)


@pytest.mark.parametrize("origin", [b"https://evil.example", b"null", None])
def test_a_socket_from_a_foreign_origin_is_refused(session_a, origin):
    async def scenario():
        communicator = socket(session_a.pk, origin=origin)
        connected, _ = await communicator.connect()
        assert not connected

    run(scenario)


def test_a_device_link_token_in_the_query_does_not_authorise_a_socket(session_a):
    # Only the cookie does: a link switches a browser after a confirming POST, never a socket.
    _link, token = credentials.device_link_issue(session_a.pk)

    async def scenario():
        communicator = socket(query=f"?token={token}")
        assert await closed_with(communicator) == CLOSE_UNAUTHORISED

    run(scenario)


def test_a_page_showing_another_conversation_is_told_to_reload(session_a, session_b):
    stale = credentials.conversation_key(session_b.pk)

    async def scenario():
        communicator = socket(session_a.pk, query=f"?conversation={stale}")
        assert await closed_with(communicator) == CLOSE_CONVERSATION_MOVED

    run(scenario)


def test_a_page_showing_its_own_conversation_connects(session_a):
    key = credentials.conversation_key(session_a.pk)

    async def scenario():
        communicator = socket(session_a.pk, query=f"?conversation={key}")
        assert seqs(await opened(communicator, after=0)) == [1]
        await communicator.disconnect()

    run(scenario)


# --- fan-out --------------------------------------------------------------------------------


def test_a_turn_reaches_every_socket_of_its_session_and_no_other(session_a, session_b):
    async def scenario():
        a1, a2, b = socket(session_a.pk), socket(session_a.pk), socket(session_b.pk)
        for communicator in (a1, a2, b):
            await opened(communicator, after=1)

        await say(session_a.pk, "hello")

        for communicator in (a1, a2):
            update = await communicator.receive_from(timeout=5)
            assert seqs(update) == [2, 3]
            assert '<div hx-swap-oob="beforeend:#chat-log">' in update
            assert 'id="chat-panel"' in update
            assert "hello" in update
        assert await b.receive_nothing(timeout=QUIET)
        for communicator in (a1, a2, b):
            await communicator.disconnect()

    run(scenario)


def test_a_socket_that_has_not_resumed_yet_gets_nothing_until_it_does(session_a):
    async def scenario():
        communicator = socket(session_a.pk)
        await opened(communicator)

        await say(session_a.pk, "hello")

        assert await communicator.receive_nothing(timeout=QUIET)
        await communicator.send_json_to({"type": "resume", "after": 1})
        assert seqs(await communicator.receive_from(timeout=5)) == [2, 3]
        await communicator.disconnect()

    run(scenario)


def test_consecutive_turns_arrive_in_order_each_once(session_a):
    async def scenario():
        communicator = socket(session_a.pk)
        await opened(communicator, after=1)

        for text in ("hello", "thanks", "hi"):
            await say(session_a.pk, text)

        received = []
        for _ in range(3):
            received += seqs(await communicator.receive_from(timeout=5))
        assert received == [2, 3, 4, 5, 6, 7]
        assert await communicator.receive_nothing(timeout=QUIET)
        await communicator.disconnect()

    run(scenario)


# --- catching up ----------------------------------------------------------------------------


def test_resume_sends_only_messages_after_the_given_seq(session_a):
    take_turn(session_a.pk, text="hello")
    take_turn(session_a.pk, text="thanks")

    async def scenario():
        communicator = socket(session_a.pk)
        update = await opened(communicator, after=3)
        assert seqs(update) == [4, 5]
        assert 'id="chat-panel"' in update
        await communicator.disconnect()

    run(scenario)


def test_resume_with_everything_sends_only_the_panels(session_a):
    async def scenario():
        communicator = socket(session_a.pk)
        update = await opened(communicator, after=1)
        assert seqs(update) == []
        assert 'id="chat-panel"' in update
        assert 'id="composer-hint"' in update
        await communicator.disconnect()

    run(scenario)


def test_a_turn_made_while_disconnected_arrives_on_resume_without_duplicates(session_a):
    async def scenario():
        first = socket(session_a.pk)
        await opened(first, after=1)
        await say(session_a.pk, "hello")
        assert seqs(await first.receive_from(timeout=5)) == [2, 3]
        await first.disconnect()  # the connection drops

        await say(session_a.pk, "thanks")  # nobody is listening

        again = socket(session_a.pk)
        assert seqs(await opened(again, after=3)) == [4, 5]
        await say(session_a.pk, "hi")
        assert seqs(await again.receive_from(timeout=5)) == [6, 7]
        assert await again.receive_nothing(timeout=QUIET)
        await again.disconnect()

    run(scenario)


def test_a_page_far_behind_or_after_a_reset_gets_the_whole_history_replaced(session_a, settings):
    settings.CHAT_STATE_MESSAGES = 4
    for text in ("hello", "thanks", "hi"):
        take_turn(session_a.pk, text=text)

    async def scenario():
        behind = socket(session_a.pk)
        update = await opened(behind, after=0)
        assert '<div id="chat-history" class="chat-history" hx-swap-oob="true">' in update
        assert seqs(update) == [4, 5, 6, 7]
        await behind.disconnect()

        ahead = socket(session_a.pk)  # a page from before a reset: seq 50 no longer exists
        update = await opened(ahead, after=50)
        assert 'id="chat-history"' in update
        await ahead.disconnect()

    run(scenario)


def test_a_deleted_session_closes_its_sockets(session_a):
    async def scenario():
        communicator = socket(session_a.pk)
        await opened(communicator)
        await database_sync_to_async(store.session_delete)(session_a.pk)
        await communicator.send_json_to({"type": "resume", "after": 0})
        message = await communicator.receive_output(timeout=5)
        assert message == {"type": "websocket.close", "code": CLOSE_SESSION_GONE}

    run(scenario)


def test_other_messages_from_the_client_are_ignored(session_a):
    async def scenario():
        communicator = socket(session_a.pk)
        await opened(communicator)
        for junk in ["nonsense", json.dumps({"type": "resume", "after": -1}), '{"after": 1}']:
            await communicator.send_to(text_data=junk)
        assert await communicator.receive_nothing(timeout=QUIET)
        await communicator.disconnect()

    run(scenario)


# --- limits (issue 8, finding 9) ------------------------------------------------------------


@pytest.fixture
def frozen_window():
    """Rate-limit windows are fixed: hold the clock so a test never straddles two."""
    with time_machine.travel("2026-12-02T17:00:00+00:00", tick=False):
        yield


def test_sockets_over_the_clients_connection_limit_are_told_to_try_again_later(
    session_a, settings, frozen_window
):
    settings.RATE_LIMIT_SOCKET_CONNECT = "3/m"

    async def scenario():
        for _ in range(3):
            communicator = socket(session_a.pk)
            await opened(communicator)
            await communicator.disconnect()
        assert await closed_with(socket(session_a.pk)) == CLOSE_TRY_AGAIN_LATER

    run(scenario)


def test_behind_the_proxy_sockets_are_counted_by_the_address_it_passes(
    session_a, settings, frozen_window
):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.RATE_LIMIT_SOCKET_CONNECT = "2/m"

    def from_address(address: str) -> WebsocketCommunicator:
        communicator = socket(session_a.pk)
        communicator.scope["headers"] = [*communicator.scope["headers"], (b"x-real-ip", address)]
        return communicator

    async def scenario():
        for _ in range(2):
            communicator = from_address(b"203.0.113.1")
            await opened(communicator)
            await communicator.disconnect()
        assert await closed_with(from_address(b"203.0.113.1")) == CLOSE_TRY_AGAIN_LATER
        elsewhere = from_address(b"203.0.113.2")
        assert seqs(await opened(elsewhere, after=0)) == [1]
        await elsewhere.disconnect()

    run(scenario)


async def renders_until_closed(communicator: WebsocketCommunicator) -> tuple[int, dict]:
    renders = 0
    while True:
        message = await communicator.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            return renders, message
        renders += 1


def test_a_flood_of_1000_resumes_is_refused_not_rendered(session_a, settings, frozen_window):
    settings.RATE_LIMIT_SOCKET_RESUME = "5/m"

    async def scenario():
        communicator = socket(session_a.pk)
        await opened(communicator)
        for _ in range(1000):
            await communicator.send_json_to({"type": "resume", "after": 0})

        renders, closing = await renders_until_closed(communicator)

        assert renders == 5
        assert closing["code"] == CLOSE_TRY_AGAIN_LATER
        assert await communicator.receive_nothing(timeout=QUIET)

    run(scenario)


def test_resumes_are_counted_per_session_over_all_its_sockets(
    session_a, session_b, settings, frozen_window
):
    settings.RATE_LIMIT_SOCKET_RESUME = "4/m"

    async def scenario():
        first, second, other = socket(session_a.pk), socket(session_a.pk), socket(session_b.pk)
        for communicator in (first, second):
            await opened(communicator, after=1)
        for communicator in (first, second):
            await communicator.send_json_to({"type": "resume", "after": 1})
            await communicator.receive_from(timeout=5)
        await first.send_json_to({"type": "resume", "after": 1})
        assert (await first.receive_output(timeout=5))["code"] == CLOSE_TRY_AGAIN_LATER
        assert seqs(await opened(other, after=0)) == [1]
        await second.disconnect()
        await other.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ('{"type": "resume", "after": 7}', 7),
        ('{"type": "resume", "after": 0}', 0),
        ('{"type": "resume", "after": "7"}', None),
        ('{"type": "resume", "after": true}', None),
        ('{"type": "resume"}', None),
        ('{"type": "other", "after": 1}', None),
        ("[1]", None),
        ("", None),
    ],
)
def test_resume_messages_are_parsed_strictly(text, after):
    assert parse_resume(text) == after


def test_a_channel_layer_failure_never_fails_the_turn(session_a, monkeypatch, caplog):
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(layer, "group_send", broken)
    monkeypatch.setattr(layer, "groups", {f"chat.{session_a.pk}": {"x": 0}})

    result = take_turn(session_a.pk, text="hello")

    assert result.messages[-1].seq == 3
    assert "live update of chat session" in caplog.text
    assert session_a.pk not in caplog.text
