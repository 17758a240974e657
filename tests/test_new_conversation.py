""" "New conversation" ends the old one for every holder, at once, and keeps its rows.

Finding 3 of issue 8: after "New conversation" the old id still answered the API with the
personal data, and the old cookie and linked devices still opened the old conversation. Now
``POST /new`` ends the session (``store.session_end``): its API token, its device links and
every cookie for it stop working, open sockets close, and the rows stay for staff.
"""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from chat import store
from chat.consumers import CLOSE_SESSION_GONE
from chat.models import ChatMessage, ChatSession, DeviceLink
from tests.devices import (
    browser_with_conversation,
    cookie_value,
    csrf_post,
    csrf_token,
    make_link,
    open_link,
    path_of,
    session_id_of,
    session_of,
)
from tests.test_device_link import resumed, socket

pytestmark = pytest.mark.django_db

PERSONAL = "Sam Lee, sam.private@example.com"


def api_token_for(browser: Client) -> str:
    """Have the browser's conversation issue an API token (as a script on the page could)."""
    response = browser.post(
        f"/api/chat/session/{session_of(browser).pk}/token",
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(browser)},
    )
    assert response.status_code == 200
    return response.json()["accessToken"]


def copy_of(browser: Client) -> Client:
    """Another client holding a copy of this browser's cookies (a copied cookie jar)."""
    other = Client()
    other.cookies.load({name: morsel.value for name, morsel in browser.cookies.items()})
    return other


@pytest.fixture
def laptop() -> Client:
    browser = browser_with_conversation()
    csrf_post(browser, "/say", {"text": PERSONAL})
    return browser


def test_the_old_cookie_no_longer_opens_the_old_conversation(laptop):
    old_cookie_holder = copy_of(laptop)

    csrf_post(laptop, "/new")

    page = old_cookie_holder.get("/").content.decode()
    assert "sam.private@example.com" not in page
    assert "no longer available" in page


def test_every_holder_loses_the_old_conversation_the_cookie_the_links_and_the_token(laptop):
    old = session_of(laptop)
    link = make_link(laptop)
    phone = Client()
    open_link(phone, link)
    unused_link = make_link(laptop)
    token = api_token_for(laptop)
    old_cookie = copy_of(laptop)

    response = csrf_post(laptop, "/new")

    assert response.status_code == 303
    assert session_id_of(laptop) != old.pk
    assert "sam.private@example.com" not in laptop.get("/").content.decode()
    # The API token: the unknown-id answer on every route.
    for suffix in ("", "/booking-info", "/messages"):
        path = f"/api/chat/session/{old.pk}{suffix}"
        refused = Client().get(path, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 404, suffix
        assert b"sam.private" not in refused.content
    # The old cookie, in the API too.
    assert old_cookie.get(f"/api/chat/session/{old.pk}").status_code == 404
    assert "sam.private@example.com" not in old_cookie.get("/").content.decode()
    # The device that came in through a link.
    phone_page = phone.get("/").content.decode()
    assert "sam.private@example.com" not in phone_page
    assert "no longer available" in phone_page
    # The links, used or not.
    for url in (link, unused_link):
        assert Client().get(path_of(url)).status_code == 404
    assert not DeviceLink.objects.filter(session=old, revoked_at__isnull=True).exists()


def test_the_old_conversation_is_kept_for_staff_and_marked_ended(laptop, admin_client):
    old = session_of(laptop)
    messages = old.last_seq

    csrf_post(laptop, "/new")

    old.refresh_from_db()
    assert old.ended_at is not None
    assert old.access_token_hash is None
    assert ChatMessage.objects.filter(session=old).count() == messages
    page = admin_client.get(f"/admin/chat/chatsession/{old.pk}/change/").content.decode()
    assert "Ended" in page
    assert "sam.private@example.com" in page  # staff still see it (retention rules apply)
    listing = admin_client.get("/admin/chat/chatsession/?ended=yes").content.decode()
    assert str(old) in listing


def test_a_message_from_a_tab_of_the_ended_conversation_is_not_stored_in_it(laptop):
    old = session_of(laptop)
    phone = Client()
    open_link(phone, make_link(laptop))
    csrf_post(laptop, "/new")

    response = csrf_post(phone, "/say", {"text": "still there?"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert not ChatMessage.objects.filter(session=old, content="still there?").exists()


def test_ending_refuses_writes_that_were_waiting_for_the_lock(laptop):
    old = session_of(laptop)
    store.session_end(old.pk)

    with pytest.raises(store.SessionNotFound):
        store.session_append_message(old.pk, role="user", content="late")
    assert store.session_end(old.pk) is False  # ending twice changes nothing
    store.session_delete(old.pk)  # staff can still delete it
    assert not ChatSession.objects.filter(pk=old.pk).exists()


def test_new_conversation_without_a_conversation_just_starts_one():
    browser = Client()
    csrf_post(browser, "/new")
    assert ChatSession.objects.filter(ended_at__isnull=True).count() == 1
    assert ChatSession.objects.filter(ended_at__isnull=False).count() == 0


@pytest.mark.django_db(transaction=True)
def test_new_conversation_closes_every_open_socket_of_the_old_one(laptop):
    phone = Client()
    open_link(phone, make_link(laptop))
    laptop_cookie, phone_cookie = cookie_value(laptop), cookie_value(phone)
    bystander = browser_with_conversation()

    async def scenario():
        sockets = [socket(laptop_cookie), socket(phone_cookie)]
        unrelated = socket(cookie_value(bystander))
        for communicator in [*sockets, unrelated]:
            await resumed(communicator)

        await database_sync_to_async(csrf_post)(laptop, "/new")

        for communicator in sockets:
            closed = await communicator.receive_output(timeout=5)
            assert closed == {"type": "websocket.close", "code": CLOSE_SESSION_GONE}
        assert await unrelated.receive_nothing(timeout=0.3)
        await unrelated.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_socket_that_missed_the_end_is_closed_at_its_next_resume(laptop):
    cookie = cookie_value(laptop)
    old = session_of(laptop)

    async def scenario():
        communicator = socket(cookie)
        connected, _ = await communicator.connect()
        assert connected
        # Ended without telling anyone (as if the event were lost on its way).
        await database_sync_to_async(ChatSession.objects.filter(pk=old.pk).update)(
            ended_at=old.created_at
        )
        await communicator.send_to(text_data=json.dumps({"type": "resume", "after": 0}))
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": CLOSE_SESSION_GONE}

    async_to_sync(scenario)()
