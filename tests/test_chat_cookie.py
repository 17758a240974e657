"""The browser's chat cookie: an idle expiry and an absolute maximum, checked by the server.

The cookie is re-signed on every page visit, so it expires ``CHAT_COOKIE_IDLE_DAYS`` (30)
after the last one; the time it was first issued is signed inside it, so it expires
``CHAT_COOKIE_MAX_DAYS`` (90) after that however often the student comes back. The browser
is told the same through Max-Age, but the server does not rely on it: these tests replay the
cookie after it should have gone, as a copied cookie would be.
"""

import datetime

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.core import signing
from django.http import HttpResponse
from django.test import Client

from chat import credentials
from chat.consumers import CLOSE_UNAUTHORISED
from chat.models import ChatSession
from tests.devices import cookie_value, session_id_of, signed_cookie
from tests.test_device_link import socket

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 2, 17, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def max_age(response: HttpResponse) -> int:
    return int(response.cookies[credentials.cookie_name()]["max-age"])


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def browser(clock) -> Client:
    client = Client()
    client.get("/")
    client.post("/say", {"text": "hello"})
    return client


def test_a_visit_within_the_idle_time_keeps_the_conversation_and_restarts_the_clock(browser, clock):
    first = session_id_of(browser)
    for _ in range(3):  # 87 days, a visit every 29
        clock.shift(29 * DAY)
        assert "hello" in browser.get("/").content.decode()
    assert session_id_of(browser) == first


def test_a_cookie_idle_for_longer_than_the_idle_time_opens_nothing(browser, clock):
    first = session_id_of(browser)
    stale = cookie_value(browser)

    clock.shift(30 * DAY + datetime.timedelta(seconds=1))

    page = browser.get("/").content.decode()
    assert "hello" not in page
    assert session_id_of(browser) != first
    assert ChatSession.objects.get(pk=first).ended_at is None  # the conversation itself stays
    replayed = Client()
    replayed.cookies[credentials.cookie_name()] = stale
    assert replayed.get(f"/api/chat/session/{first}").status_code == 404


def test_a_cookie_expires_at_the_absolute_maximum_however_often_it_is_used(browser, clock):
    first = session_id_of(browser)
    for _ in range(4):  # a visit every 20 days: never idle for long
        clock.shift(20 * DAY)
        assert "hello" in browser.get("/").content.decode()

    clock.shift(10 * DAY + datetime.timedelta(seconds=1))  # 90 days and a second after issue

    assert "hello" not in browser.get("/").content.decode()
    assert session_id_of(browser) != first


def test_re_signing_keeps_the_first_issue_time_and_max_age_never_passes_the_maximum(browser, clock):
    issued = credentials.binding_from_cookie(cookie_value(browser)).issued_at

    for _ in range(4):  # day 80, visited every 20 days
        clock.shift(20 * DAY)
        response = browser.get("/")

    assert credentials.binding_from_cookie(cookie_value(browser)).issued_at == issued
    assert max_age(response) == 10 * 24 * 3600  # what is left of the 90 days, not 30 more


def test_a_fresh_cookie_lives_for_the_idle_time(clock):
    response = Client().get("/")
    assert max_age(response) == 30 * 24 * 3600


def test_the_idle_and_maximum_times_are_settings(clock, settings):
    settings.CHAT_COOKIE_IDLE_DAYS = 1
    settings.CHAT_COOKIE_MAX_DAYS = 2
    browser = Client()
    browser.get("/")
    first = session_id_of(browser)

    for _ in range(2):  # visited within a day each time, under 2 days in all
        clock.shift(DAY - datetime.timedelta(seconds=1))
        browser.get("/")
        assert session_id_of(browser) == first
    clock.shift(datetime.timedelta(seconds=2))  # 2 days after the first visit
    browser.get("/")
    assert session_id_of(browser) != first


@pytest.mark.django_db(transaction=True)
def test_a_socket_with_an_expired_cookie_is_refused(clock):
    browser = Client()
    browser.get("/")
    cookie = cookie_value(browser)
    clock.shift(31 * DAY)

    async def scenario():
        communicator = socket(cookie)
        connected, _ = await communicator.connect()
        assert connected
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHORISED}

    async_to_sync(scenario)()


def test_over_https_the_cookie_is_named_with_the_host_prefix_and_a_plain_one_is_ignored(
    clock, settings
):
    settings.CHAT_COOKIE_SECURE = True
    browser = Client()
    browser.get("/")
    genuine = session_id_of(browser)
    # A cookie without the prefix could have been planted over plain HTTP or by a subdomain.
    planted = Client()
    planted.cookies["chat_session"] = signed_cookie(genuine)

    page = planted.get("/")

    assert "__Host-chat_session" in page.cookies
    assert session_id_of(planted) != genuine
    assert page.cookies["__Host-chat_session"]["secure"]
    assert page.cookies["__Host-chat_session"]["path"] == "/"
    assert not page.cookies["__Host-chat_session"]["domain"]


def test_a_cookie_signed_for_another_purpose_is_refused(clock):
    browser = Client()
    browser.get("/")
    genuine = session_id_of(browser)
    forged = signing.dumps({"s": genuine, "i": int(START.timestamp())}, salt="chat.other")
    other = Client()
    other.cookies[credentials.cookie_name()] = forged

    other.get("/")

    assert session_id_of(other) != genuine
