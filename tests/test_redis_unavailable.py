"""With ``REDIS_URL`` set and Redis unreachable, the chat keeps working (issue 8, finding 8).

Redis holds the rate-limit counters (``tutoring.cache``) and carries live updates between
processes (``chat.broadcast``). Without it the counters move into each process and say so
once in the log, broadcasts are skipped after one failure, sockets close with "try again
later", and everything else (turns, messages, pages, admin login) answers as usual. Redis
outages are real: a closed port, or ``tests.tcp_proxy`` in front of the local Redis, cut and
restored.
"""

import json
import logging
import re
import uuid

import httpx
import pytest
import redis
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpResponse
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from chat import credentials, store
from chat.assistant.turn import take_turn
from chat.broadcast import live_updates
from chat.consumers import CLOSE_TRY_AGAIN_LATER
from tests.conftest import CENTER_NOW
from tests.live import DaphneServer, free_port
from tests.tcp_proxy import TcpProxy
from tutoring.asgi import application
from tutoring.models import Booking

# The Redis database this test module may use (tests never share one).
REDIS_DB = 5

ANSWERS = [
    "Sam Lee, sam@example.com",
    "sam@mail.ccsf.edu",
    "W1234567",
    "sure",
    "CS 110A",
    "Recursion and loops",
    "skip",
    "yes",
]


def redis_cache_settings(port: int, **options) -> dict:
    return {
        "default": {
            "BACKEND": "tutoring.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/{REDIS_DB}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, **options},
        }
    }


def redis_layer_settings(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"address": f"redis://127.0.0.1:{port}/{REDIS_DB}", "socket_connect_timeout": 1}
                ]
            },
        }
    }


def lines(caplog, logger: str, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and text in r.getMessage()]


def post_message(client, **headers):
    """Post a message to a new session, with its access token."""
    session, token = credentials.session_create_with_token()
    return post_to(client, session.pk, token, **headers)


def post_to(client, session_id: str, token: str, **headers):
    return client.post(
        f"/api/chat/session/{session_id}/messages",
        data=json.dumps({"role": "user", "content": "hello"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_SESSION = "3/m"
    settings.RATE_LIMIT_CLIENT = "100/m"
    return settings


# --- rate limits ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rate_limits_are_counted_in_this_process_while_redis_is_down_and_logged_once(
    client, limits, caplog
):
    limits.CACHES = redis_cache_settings(free_port())
    session, token = credentials.session_create_with_token()
    caplog.set_level(logging.INFO)

    statuses = [post_to(client, session.pk, token).status_code for _ in range(5)]

    assert statuses == [201, 201, 201, 429, 429]
    assert len(lines(caplog, "tutoring.cache", "unreachable")) == 1


@pytest.mark.django_db
def test_rate_limits_return_to_redis_when_it_answers_again(limits, caplog):
    proxy = TcpProxy(target_port=6379)
    limits.CACHES = redis_cache_settings(proxy.port, RETRY_SECONDS=0)
    probe = f"probe-{uuid.uuid4().hex}"
    caplog.set_level(logging.INFO)
    direct = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        cache.set(probe, 1)  # Redis is down: kept in this process
        assert cache.get(probe) == 1
        assert not direct.exists(f":1:{probe}")

        proxy.up()
        cache.set(probe, 2)

        assert direct.get(f":1:{probe}") is not None
        assert cache.get(probe) == 2
        assert len(lines(caplog, "tutoring.cache", "unreachable")) == 1
        assert len(lines(caplog, "tutoring.cache", "answers again")) == 1
    finally:
        direct.delete(f":1:{probe}")
        direct.close()
        proxy.down()


# --- the client address --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_the_configured_address_header_is_counted_by_its_socket_address(
    client, limits, caplog
):
    limits.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    limits.RATE_LIMIT_CLIENT = "2/m"
    caplog.set_level(logging.INFO)

    direct = [post_message(client).status_code for _ in range(3)]
    proxied = [post_message(client, X_REAL_IP="203.0.113.9").status_code for _ in range(3)]

    assert direct == [201, 201, 429]
    assert proxied == [201, 201, 429]
    assert len(lines(caplog, "tutoring.ratelimits", "HTTP_X_REAL_IP")) == 1


@pytest.mark.django_db
def test_a_forged_or_garbled_address_header_falls_back_to_the_socket_address(client, limits):
    limits.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    limits.RATE_LIMIT_CLIENT = "2/m"

    statuses = [
        post_message(client, X_REAL_IP=value).status_code
        for value in ("not an address", "", "1.2.3.4, 5.6.7.8")
    ]

    assert statuses == [201, 201, 429]


# --- live updates --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_turns_skip_the_channel_layer_after_one_failure_while_it_is_down(
    settings, caplog, monkeypatch
):
    settings.CHANNEL_LAYERS = redis_layer_settings(free_port())
    monkeypatch.setattr(live_updates, "retry_after", 3600)
    session_id = store.session_create().pk
    caplog.set_level(logging.INFO)

    results = [take_turn(session_id, text=f"hello {n}") for n in range(5)]

    assert [len(result.messages) for result in results] == [2] * 5
    assert len(lines(caplog, "chat.broadcast", "not sent")) == 1
    assert len(lines(caplog, "chat.broadcast", "unreachable")) == 1


@pytest.mark.django_db(transaction=True)
def test_live_updates_resume_when_the_channel_layer_answers_again(settings, caplog, monkeypatch):
    proxy = TcpProxy(target_port=6379)
    settings.CHANNEL_LAYERS = redis_layer_settings(proxy.port)
    monkeypatch.setattr(live_updates, "retry_after", 0)
    session_id = store.session_create().pk
    caplog.set_level(logging.INFO)
    try:
        take_turn(session_id, text="while Redis is down")
        proxy.up()
        take_turn(session_id, text="after it is back")
    finally:
        proxy.down()

    assert len(lines(caplog, "chat.broadcast", "not sent")) == 1
    assert len(lines(caplog, "chat.broadcast", "answers again")) == 1


def signed_cookie(session_id: str) -> str:
    response = HttpResponse()
    credentials.set_cookie(response, credentials.BrowserBinding.new(session_id))
    return response.cookies[credentials.cookie_name()].value


@pytest.mark.django_db(transaction=True)
def test_a_socket_opened_while_the_channel_layer_is_down_closes_with_try_again_later(settings):
    settings.CHANNEL_LAYERS = redis_layer_settings(free_port())
    session_id = store.session_create().pk
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"{credentials.cookie_name()}={signed_cookie(session_id)}".encode()),
    ]

    async def scenario() -> int:
        communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        closing = await communicator.receive_output(timeout=5)
        await communicator.wait(timeout=5)
        return closing

    closing = async_to_sync(scenario)()

    assert closing == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}


@pytest.mark.django_db(transaction=True)
def test_an_open_socket_closes_with_try_again_later_when_redis_goes_away(settings):
    proxy = TcpProxy(target_port=6379)
    proxy.up()
    settings.CHANNEL_LAYERS = redis_layer_settings(proxy.port)
    session_id = store.session_create().pk
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"{credentials.cookie_name()}={signed_cookie(session_id)}".encode()),
    ]

    async def scenario() -> dict:
        communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        await communicator.send_json_to({"type": "resume", "after": 0})
        await communicator.receive_from(timeout=5)

        proxy.down()

        closing = await communicator.receive_output(timeout=10)
        await communicator.wait(timeout=5)
        return closing

    try:
        closing = async_to_sync(scenario)()
    finally:
        proxy.down()

    assert closing == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}


# --- a whole conversation, served by daphne with Redis unreachable -------------------------------


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def redis_down_server(transactional_db, demo_roster):
    server = DaphneServer(
        application="tests.browser.asgi:application",
        env={
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/{REDIS_DB}",
            "TEST_SERVER_NOW": CENTER_NOW.isoformat(),
            "RATELIMIT_ENABLE": "true",
            # The production setting, with requests that do not come through nginx.
            "RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP",
        },
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.live_server
def test_with_redis_unreachable_a_whole_booking_succeeds_by_api_and_by_page_and_staff_log_in(
    redis_down_server,
):
    server = redis_down_server
    User.objects.create_superuser("staff", "staff@example.edu", "a-long-staff-password")

    # The JSON API: a booking through /turns.
    api = httpx.Client(base_url=server.url, timeout=20)
    created = api.post("/api/chat/sessions").json()
    session_id = created["id"]
    api.headers["Authorization"] = f"Bearer {created['accessToken']}"
    for text in ["I need help with Python on Monday around 10", "1", *ANSWERS]:
        response = api.post(f"/api/chat/session/{session_id}/turns", json={"text": text})
        assert response.status_code == 201, response.text
    assert "You're booked!" in response.json()["messages"][-1]["content"]

    # The page without JavaScript: a booking through /say (the cookies are Secure, as in
    # production, so they are sent by hand over this plain-HTTP test connection).
    page = httpx.get(f"{server.url}/", timeout=20)
    assert page.status_code == 200
    cookie_name = credentials.cookie_name()
    cookies = {
        cookie_name: page.cookies[cookie_name],
        django_settings.CSRF_COOKIE_NAME: page.cookies[django_settings.CSRF_COOKIE_NAME],
    }
    token = csrf_token(page.text)
    for text in ["I need help with Python on Monday around 10", "1", *ANSWERS]:
        said = httpx.post(
            f"{server.url}/say",
            data={"text": text, "csrfmiddlewaretoken": token},
            headers=cookie_header(cookies),
            timeout=20,
        )
        assert said.status_code == 303, said.text[:500]
    page_session = credentials.binding_from_cookie(cookies[cookie_name]).session_id

    # The page's socket closes cleanly ("try again later"); the page works by HTTP meanwhile.
    with (
        connect(
            f"ws://127.0.0.1:{server.port}/ws/chat/",
            origin=f"http://127.0.0.1:{server.port}",
            additional_headers=cookie_header({cookie_name: cookies[cookie_name]}),
            proxy=None,
            open_timeout=10,
        ) as socket,
        pytest.raises(ConnectionClosed) as closed,
    ):
        socket.recv(timeout=10)
    assert closed.value.rcvd.code == CLOSE_TRY_AGAIN_LATER

    # Staff log in to the admin.
    login = httpx.get(f"{server.url}/admin/login/", timeout=20)
    csrf = login.cookies[django_settings.CSRF_COOKIE_NAME]
    logged_in = httpx.post(
        f"{server.url}/admin/login/",
        data={
            "username": "staff",
            "password": "a-long-staff-password",
            "next": "/admin/",
            "csrfmiddlewaretoken": csrf_token(login.text),
        },
        headers=cookie_header({django_settings.CSRF_COOKIE_NAME: csrf}),
        timeout=20,
    )
    assert logged_in.status_code == 302, logged_in.text[:500]
    assert logged_in.headers["Location"] == "/admin/"

    bookings = Booking.objects.filter(status=Booking.Status.CONFIRMED)
    assert {b.chat_session_id for b in bookings} == {session_id, page_session}
    log = server.output()
    assert log.count("Redis (rate-limit counters) is unreachable") == 1
    assert "Traceback" not in log
    assert " 500 " not in log
