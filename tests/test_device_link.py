"""Continue on another device: links that are server-side secrets, listed and revocable.

A link is a random token stored only as its hash (``DeviceLink``); it opens (after a
confirming POST, see test_link_fixation.py) until it expires or is revoked, and revoking it
also ends the access of every browser that came in through it, open sockets included.
"""

import datetime
import hashlib
import re

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from chat import credentials, store
from chat.consumers import CLOSE_SESSION_GONE
from chat.logging import RedactSessionIds
from chat.models import ChatSession, DeviceLink
from tests.devices import (
    browser_with_conversation,
    cookie_value,
    csrf_post,
    make_link,
    open_link,
    path_of,
    session_id_of,
    session_of,
    token_of,
)
from tutoring.asgi import application

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 2, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def laptop() -> Client:
    return browser_with_conversation()


def listed_links(client: Client) -> list[str]:
    """Return the ids of the links /device lists, in order."""
    return re.findall(r'<li id="device-link-(\d+)"', client.get("/device").content.decode())


# --- making a link ----------------------------------------------------------------------------


def test_the_device_page_shows_no_url_until_a_link_is_made(laptop):
    response = laptop.get("/device")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/continue/" not in html
    assert 'id="device-link-create"' in html
    assert "There are no links to this conversation." in html
    assert DeviceLink.objects.count() == 0  # looking makes nothing


def test_creating_a_link_shows_its_url_and_qr_code_this_once(laptop):
    response = csrf_post(laptop, "/device/links")

    html = response.content.decode()
    assert response.status_code == 200
    found = re.search(
        r'<input id="device-link"[^>]*value="(http://testserver/continue/[^"]+)"', html
    )
    assert found, html
    url = found.group(1)
    assert "<svg" in html
    assert "QR code of the link" in html
    assert "shown only this once" in html
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]
    # Afterwards the page lists the link, but its URL is nowhere: only its hash is stored.
    later = laptop.get("/device").content.decode()
    assert token_of(url) not in later
    assert "/continue/" not in later
    assert listed_links(laptop) == [str(DeviceLink.objects.get().pk)]


def test_only_the_hash_of_the_token_is_stored(laptop):
    token = token_of(make_link(laptop))

    link = DeviceLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in DeviceLink.objects.values_list().get()]
    assert not any(token in value for value in stored)


def test_each_link_is_a_fresh_random_token_of_at_least_256_bits(laptop):
    tokens = {token_of(make_link(laptop)) for _ in range(5)}

    assert len(tokens) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43,}", token) for token in tokens)
    assert len(listed_links(laptop)) == 5


def test_a_link_can_be_opened_for_device_link_days(laptop, settings):
    with time_machine.travel(NOW, tick=False):
        make_link(laptop)
        settings.DEVICE_LINK_DAYS = 2
        make_link(laptop)

    week, two_days = DeviceLink.objects.order_by("pk")
    assert week.expires_at - week.created_at == datetime.timedelta(days=7)  # the default
    assert two_days.expires_at - two_days.created_at == datetime.timedelta(days=2)


def test_a_browser_without_a_conversation_cannot_make_or_list_links():
    stranger = Client()

    assert stranger.get("/device").status_code == 302
    assert csrf_post(stranger, "/device/links").status_code == 303
    assert DeviceLink.objects.count() == 0


def test_making_and_revoking_links_need_the_csrf_token():
    laptop = browser_with_conversation(enforce_csrf=True)

    assert laptop.post("/device/links").status_code == 403
    assert DeviceLink.objects.count() == 0
    make_link(laptop)
    link = DeviceLink.objects.get()
    assert laptop.post(f"/device/links/{link.pk}/revoke").status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


# --- the list -----------------------------------------------------------------------------------


def test_the_list_says_when_each_link_was_made_expires_and_was_last_opened(laptop):
    with time_machine.travel(NOW, tick=False):  # 9:00 AM at the center
        url = make_link(laptop)
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        open_link(Client(), url)

    html = laptop.get("/device").content.decode()
    assert "Made Wed Dec 2, 9:00 AM" in html
    assert "Can be opened until Wed Dec 9, 9:00 AM" in html
    assert "Last opened Wed Dec 2, 11:00 AM" in html
    assert re.search(r'<button type="submit" class="button-secondary">Revoke<span', html)


def test_the_browser_that_came_through_a_link_sees_which_one(laptop):
    url = make_link(laptop)
    make_link(laptop)
    phone = Client()
    open_link(phone, url)

    html = phone.get("/device").content.decode()
    assert html.count("this browser opened it") == 1
    assert "this browser opened it" not in laptop.get("/device").content.decode()


# --- revocation --------------------------------------------------------------------------------


def test_a_revoked_link_opens_nothing_any_more(laptop):
    url = make_link(laptop)
    link = DeviceLink.objects.get()

    response = csrf_post(laptop, f"/device/links/{link.pk}/revoke")

    assert response.status_code == 303
    assert response["Location"] == "/device"
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert listed_links(laptop) == []
    refused = Client().get(path_of(url))
    assert refused.status_code == 404
    assert "doesn't work any more" in refused.content.decode()


def test_revoking_a_link_ends_the_access_of_browsers_that_came_through_it(laptop):
    url = make_link(laptop)
    phone, other_phone = Client(), Client()
    open_link(phone, url)
    open_link(other_phone, make_link(laptop))
    shared = session_of(laptop)
    assert session_id_of(phone) == shared.pk
    link = DeviceLink.objects.order_by("pk").first()  # the link the phone came through

    csrf_post(laptop, f"/device/links/{link.pk}/revoke")

    page = phone.get("/").content.decode()
    assert "hello" not in page
    assert "no longer available" in page
    assert session_id_of(phone) != shared.pk
    assert "hello" in other_phone.get("/").content.decode()  # through the other link: kept
    assert "hello" in laptop.get("/").content.decode()  # the owner's own cookie: kept


@pytest.mark.django_db(transaction=True)
def test_revoking_a_link_closes_the_sockets_of_browsers_that_came_through_it_only(laptop):
    url = make_link(laptop)
    phone = Client()
    open_link(phone, url)
    link = DeviceLink.objects.get()

    async def scenario():
        phone_socket = socket(cookie_value(phone))
        laptop_socket = socket(cookie_value(laptop))
        for communicator in (phone_socket, laptop_socket):
            await resumed(communicator)

        await database_sync_to_async(csrf_post)(laptop, f"/device/links/{link.pk}/revoke")

        closed = await phone_socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": CLOSE_SESSION_GONE}
        assert await laptop_socket.receive_nothing(timeout=0.3)
        await laptop_socket.disconnect()

    async_to_sync(scenario)()


def test_a_link_of_another_conversation_cannot_be_revoked(laptop):
    make_link(laptop)
    link = DeviceLink.objects.get()
    stranger = browser_with_conversation()

    for link_id in [link.pk, 2**63, 2**70]:
        response = csrf_post(stranger, f"/device/links/{link_id}/revoke")
        assert response.status_code == 404

    link.refresh_from_db()
    assert link.revoked_at is None


def test_revoking_a_link_twice_changes_nothing_the_second_time(laptop):
    make_link(laptop)
    link = DeviceLink.objects.get()
    csrf_post(laptop, f"/device/links/{link.pk}/revoke")
    link.refresh_from_db()
    first = link.revoked_at

    assert csrf_post(laptop, f"/device/links/{link.pk}/revoke").status_code == 303
    link.refresh_from_db()
    assert link.revoked_at == first


# --- expiry -------------------------------------------------------------------------------------


def test_an_expired_link_no_longer_opens_but_browsers_that_opened_it_keep_the_conversation(laptop):
    with time_machine.travel(NOW, tick=False) as clock:
        url = make_link(laptop)
        phone = Client()
        open_link(phone, url)

        clock.shift(datetime.timedelta(days=7, seconds=1))

        late = Client()
        refused = late.get(path_of(url))
        assert refused.status_code == 404
        assert late.post(path_of(url)).status_code == 404
        assert session_id_of(late) is None
        assert "hello" in phone.get("/").content.decode()  # expiry stops new opens only
        html = laptop.get("/device").content.decode()
        assert "Expired: it can't be opened any more" in html  # listed: it still grants access


def test_an_expired_link_that_nobody_opened_is_not_listed(laptop):
    with time_machine.travel(NOW, tick=False) as clock:
        make_link(laptop)
        clock.shift(datetime.timedelta(days=8))
        assert listed_links(laptop) == []


def test_a_link_is_checked_when_it_is_used_not_only_when_it_is_shown(laptop):
    # The confirmation page was shown while the link was good; it was revoked before the POST.
    url = make_link(laptop)
    phone = Client()
    page = phone.get(path_of(url))
    assert page.status_code == 200
    csrf_post(laptop, f"/device/links/{DeviceLink.objects.get().pk}/revoke")

    response = phone.post(path_of(url))

    assert response.status_code == 404
    assert session_id_of(phone) is None


# --- bad links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("xx" if not token.endswith("xx") else "yy"),
        lambda token: token[:20],
        lambda token: "nonsense",
        lambda token: "a" * 1000,
        lambda token: token + "%00",
    ],
)
def test_a_wrong_token_gets_the_friendly_404_and_no_cookie(laptop, mangle):
    token = token_of(make_link(laptop))
    stranger = Client()

    for method in (stranger.get, stranger.post):
        response = method(f"/continue/{mangle(token)}")
        assert response.status_code == 404
        assert "doesn't work any more" in response.content.decode()
        assert cookie_value(stranger) is None


def test_the_invalid_link_is_logged_without_its_token(laptop, caplog):
    token = token_of(make_link(laptop))
    csrf_post(laptop, f"/device/links/{DeviceLink.objects.get().pk}/revoke")

    Client().get(f"/continue/{token}")

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    RedactSessionIds().filter(record)  # the filter every log handler has (settings.LOGGING)
    line = record.getMessage()
    assert token not in line
    assert token[:20] not in line
    assert "/continue/…" in line


def test_making_and_opening_links_logs_no_token(laptop, caplog):
    caplog.set_level("DEBUG")
    url = make_link(laptop)
    open_link(Client(), url)

    assert token_of(url) not in caplog.text
    assert session_of(laptop).pk not in caplog.text


def test_deleting_a_session_deletes_its_links(laptop):
    make_link(laptop)

    store.session_delete(session_of(laptop).pk)

    assert DeviceLink.objects.count() == 0
    assert ChatSession.objects.count() == 0


def test_links_keep_their_times_in_the_database(laptop):
    with time_machine.travel(NOW, tick=False):
        make_link(laptop)
    link = DeviceLink.objects.get()
    assert link.created_at == NOW
    assert link.expires_at == NOW + datetime.timedelta(days=7)
    assert link.last_used_at is None
    assert link.revoked_at is None
    assert link.can_be_opened(NOW)
    assert not link.can_be_opened(timezone.now() + datetime.timedelta(days=8))


# --- sockets ------------------------------------------------------------------------------------


def socket(cookie: str) -> WebsocketCommunicator:
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"{credentials.cookie_name()}={cookie}".encode()),
    ]
    return WebsocketCommunicator(application, "/ws/chat/", headers=headers)


async def resumed(communicator: WebsocketCommunicator) -> None:
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "resume", "after": 0})
    first = await communicator.receive_output(timeout=5)
    assert first["type"] == "websocket.send", first
