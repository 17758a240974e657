"""What someone can do with a session's id, a device link, or credentials that were ended.

Issue 8 found the session id to be the only credential, and a leaky one. Here an attacker
who knows a student's session id (it may appear in URLs and logs) tries every method of every
route under ``/api/chat/session/<id>`` — with no credential, with the token of a session of
their own, with their own browser's cookie, with a made-up token — and gets exactly the answer
an unknown id gets, while nothing in the database changes. A device link's token holds nothing
that decodes to the session id. And after "New conversation", everything the student had
handed out (the old cookie, every link, the API token) fails, open sockets included.
"""

import base64
import binascii
import json
import zlib

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.test import Client

from chat import credentials
from chat.api import api
from chat.consumers import CLOSE_SESSION_GONE
from chat.models import (
    BookingDraft,
    ChatMessage,
    ChatSession,
    DeviceLink,
    SearchCriteria,
    SessionMatch,
)
from tests.devices import (
    browser_with_conversation,
    cookie_value,
    csrf_post,
    make_link,
    open_link,
    path_of,
    session_of,
    token_of,
)
from tests.test_device_link import resumed, socket
from tutoring.models import Booking, Tutor

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "Z" * 32
ALL_METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]


def session_routes() -> dict[str, set[str]]:
    """Return every route under /api/chat/session/{session_id}, with its methods (OpenAPI)."""
    paths = api.get_openapi_schema()["paths"]
    return {path: set(ops) for path, ops in paths.items() if "{session_id}" in path}


def attack_body(method: str, path: str) -> dict | list | None:
    """A well-formed body an attacker would send, so that only the credential is missing."""
    if method not in ("post", "put", "patch"):
        return None
    suffix = path.rsplit("}", 1)[1]
    tutor = Tutor.objects.first()
    match = {
        "tutor": {"id": tutor.pk},
        "matchScore": 0.5,
        "reasoning": "the attacker's pick",
        "availableSlots": [],
    }
    return {
        "": {"bookingInfo": None},
        "/messages": {"role": "assistant", "content": "Please confirm your password:"},
        "/turns": {"text": "cancel my booking"},
        "/pending-match": match,
        "/booking-info": {"step": "confirm", "studentName": "Mallory"},
        "/search-criteria": {"day": "Friday"},
        "/available-tutors": [match],
    }.get(suffix, {})


def send(method: str, path: str, body=None, *, client: Client | None = None, **headers):
    client = client or Client()
    data = "" if body is None else json.dumps(body)
    return getattr(client, method)(
        path, data=data, content_type="application/json", headers=headers
    )


def everything() -> dict:
    """Every row an attack could change, re-read from the database."""
    return {
        "sessions": list(ChatSession.objects.order_by("pk").values()),
        "messages": list(ChatMessage.objects.order_by("pk").values()),
        "drafts": list(BookingDraft.objects.order_by("pk").values()),
        "matches": list(SessionMatch.objects.order_by("pk").values()),
        "criteria": list(SearchCriteria.objects.order_by("pk").values()),
        "links": list(DeviceLink.objects.order_by("pk").values()),
        "bookings": list(Booking.objects.order_by("pk").values()),
    }


@pytest.fixture
def victim(frozen_clock) -> dict:
    """A student mid-booking through the API, with a booking made earlier and a device link."""
    call_command("seed_demo", verbosity=0)
    created = send("post", "/api/chat/sessions").json()
    auth = {"Authorization": f"Bearer {created['accessToken']}"}
    turns = f"/api/chat/session/{created['id']}/turns"
    for text in [
        "python monday 10",
        "1",
        "Sam Lee, sam@example.com",
        "sam@mail.ccsf.edu",
        "W1234567",
        "sure",
        "CS 110A",
        "Recursion",
        "skip",
        "yes",
        "python monday 10",
        "1",
        "Sam Lee, sam@example.com",
    ]:
        assert send("post", turns, {"text": text}, **auth).status_code == 201
    credentials.device_link_issue(created["id"])
    assert Booking.objects.count() == 1
    assert BookingDraft.objects.filter(session_id=created["id"]).exists()
    return {"id": created["id"], "token": created["accessToken"]}


def attackers() -> dict[str, tuple[Client, dict]]:
    """Ways in without the victim's credential: (client, headers) each."""
    own = send("post", "/api/chat/sessions").json()
    return {
        "the id alone": (Client(), {}),
        "a made-up token": (Client(), {"Authorization": "Bearer " + "x" * 43}),
        "the token of the attacker's own session": (
            Client(),
            {"Authorization": f"Bearer {own['accessToken']}"},
        ),
        "the attacker's own browser cookie": (browser_with_conversation(), {}),
    }


def assert_every_route_answers_as_for_an_unknown_id(session_id: str, ways_in: dict) -> None:
    routes = session_routes()
    assert len(routes) >= 9, routes  # every part, the token, and the session itself
    assert sum(len(methods) for methods in routes.values()) >= 18, routes
    for template, methods in routes.items():
        for method in ALL_METHODS:
            body = attack_body(method, template) if method in methods else None
            unknown = send(method, template.format(session_id=UNKNOWN_ID), body)
            for way, (client, headers) in ways_in.items():
                path = template.format(session_id=session_id)
                response = send(method, path, body, client=client, **headers)
                what = f"{method.upper()} {template} with {way}"
                assert response.status_code == unknown.status_code, what
                assert response.content == unknown.content, what
                assert response.get("Content-Type") == unknown.get("Content-Type"), what
                assert not response.has_header("ETag"), what
                if method in methods:
                    assert response.status_code == 404, what


def test_with_only_the_id_every_route_answers_404_like_an_unknown_id_and_changes_nothing(
    victim,
):
    before = everything()

    assert_every_route_answers_as_for_an_unknown_id(victim["id"], attackers())

    after = everything()
    for kind in before:
        if kind == "sessions":  # the attackers made sessions of their own; the victim's is intact
            mine = [row for row in after[kind] if row["id"] == victim["id"]]
            theirs = [row for row in before[kind] if row["id"] == victim["id"]]
            assert mine == theirs
        elif kind == "messages":
            assert [m for m in after[kind] if m["session_id"] == victim["id"]] == [
                m for m in before[kind] if m["session_id"] == victim["id"]
            ]
        else:
            assert after[kind] == before[kind], kind


def test_a_device_link_token_does_not_contain_the_session_id_in_any_decodable_form():
    owner = browser_with_conversation()
    session_id = session_of(owner).pk
    secrets = {session_id.encode(), _id_bytes(session_id)}
    for _ in range(5):
        token = token_of(make_link(owner))
        assert session_id[:8] not in token
        for decoded in decodings(token):
            for secret in secrets:
                assert secret not in decoded, (token, decoded)
            assert session_id[:8].encode() not in decoded


def _id_bytes(session_id: str) -> bytes:
    """The raw random bytes of a session id (it is URL-safe base64 of 24 bytes)."""
    return base64.urlsafe_b64decode(session_id + "=" * (-len(session_id) % 4))


def decodings(token: str) -> list[bytes]:
    """Every way the token, or a part of it, could be decoded: base64 (both alphabets, any
    padding), base32, hex, and zlib of each (as Django's signing compresses)."""
    parts = {token, *token.split(":"), *token.split("."), *token.split("-"), *token.split("_")}
    found: list[bytes] = [token.encode()]
    decoders = [
        base64.b64decode,
        base64.urlsafe_b64decode,
        base64.b32decode,
        bytes.fromhex,
        lambda text: base64.b64decode(text.replace("-", "+").replace("_", "/")),
    ]
    for part in filter(None, parts):
        for start in range(4):  # base64 that starts mid-token is offset
            piece = part[start:]
            for padding in ("", "=", "==", "==="):
                for decode in decoders:
                    try:
                        raw = decode(piece + padding)
                    except (binascii.Error, ValueError):
                        continue
                    found.append(raw)
                    try:
                        found.append(zlib.decompress(raw))
                    except zlib.error:
                        pass
    return found


def test_after_new_conversation_the_old_cookie_links_and_token_all_fail(victim):
    # The victim's browser holds the session (through a link made for it) alongside the API.
    phone = Client()
    url = make_link_for(victim)
    open_link(phone, url)
    unused = make_link_for(victim)
    old_cookie = Client()
    old_cookie.cookies[credentials.cookie_name()] = cookie_value(phone)
    old_token = {"Authorization": f"Bearer {victim['token']}"}

    assert csrf_post(phone, "/new").status_code == 303

    before = everything()
    ways_in = {"the old token": (Client(), old_token), "the old cookie": (old_cookie, {})}
    assert_every_route_answers_as_for_an_unknown_id(victim["id"], ways_in)
    for link in (url, unused):
        assert Client().get(path_of(link)).status_code == 404
        assert Client().post(path_of(link)).status_code == 404
    assert "no longer available" in old_cookie.get("/").content.decode()
    after = everything()
    assert [row for row in after["sessions"] if row["id"] == victim["id"]] == [
        row for row in before["sessions"] if row["id"] == victim["id"]
    ]
    assert after["bookings"] == before["bookings"]


def make_link_for(victim: dict) -> str:
    """A link to the victim's session, made through a browser holding it (the API makes none)."""
    _link, token = credentials.device_link_issue(victim["id"])
    return f"http://testserver/continue/{token}"


@pytest.mark.django_db(transaction=True)
def test_after_new_conversation_an_open_socket_of_the_old_one_closes():
    laptop = browser_with_conversation()
    phone = Client()
    open_link(phone, make_link(laptop))
    cookies = [cookie_value(laptop), cookie_value(phone)]

    async def scenario():
        sockets = [socket(cookie) for cookie in cookies]
        for communicator in sockets:
            await resumed(communicator)

        await database_sync_to_async(csrf_post)(laptop, "/new")

        for communicator in sockets:
            closed = await communicator.receive_output(timeout=5)
            assert closed == {"type": "websocket.close", "code": CLOSE_SESSION_GONE}
        # And the old cookie cannot open a new socket either.
        again = socket(cookies[1])
        connected, _ = await again.connect()
        assert connected
        assert (await again.receive_output(timeout=5))["type"] == "websocket.close"

    async_to_sync(scenario)()
