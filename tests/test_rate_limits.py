"""Turns, message posts and admin logins are rate-limited: 429 with Retry-After, then recover."""

import datetime
import json

import pytest
import time_machine
from django.test import Client

from chat import credentials

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 2, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_SESSION = "3/m"
    settings.RATE_LIMIT_CLIENT = "5/m"
    settings.RATE_LIMIT_ADMIN_LOGIN = "2/m"
    with time_machine.travel(START, tick=False) as clock:
        yield clock


def new_session(client: Client) -> str:
    created = client.post("/api/chat/sessions", content_type="application/json").json()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {created['accessToken']}"
    return created["id"]


def post_message(client: Client, session_id: str, text: str = "hello"):
    return client.post(
        f"/api/chat/session/{session_id}/messages",
        data=json.dumps({"role": "user", "content": text}),
        content_type="application/json",
    )


def test_message_posts_over_the_session_limit_get_429_with_retry_after(client, limits):
    session_id = new_session(client)

    statuses = [post_message(client, session_id).status_code for _ in range(4)]

    assert statuses == [201, 201, 201, 429]
    refused = post_message(client, session_id)
    assert refused.json()["error"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_limit_recovers_after_the_window(client, limits):
    session_id = new_session(client)
    for _ in range(4):
        post_message(client, session_id)

    limits.shift(datetime.timedelta(seconds=61))

    assert post_message(client, session_id).status_code == 201


def test_turns_count_against_the_same_limits(client, limits):
    session_id = new_session(client)
    url = f"/api/chat/session/{session_id}/turns"

    statuses = [
        client.post(
            url, data=json.dumps({"text": "hi"}), content_type="application/json"
        ).status_code
        for _ in range(4)
    ]

    assert statuses[-1] == 429


def test_one_client_address_is_limited_across_sessions(client, limits):
    statuses = [post_message(client, new_session(client)).status_code for _ in range(6)]

    assert statuses[:5] == [201] * 5
    assert statuses[5] == 429


def test_a_refused_message_is_not_stored(client, limits):
    from chat.models import ChatMessage

    session_id = new_session(client)
    for n in range(4):
        post_message(client, session_id, text=f"m{n}")

    assert not ChatMessage.objects.filter(content="m3").exists()


def test_the_chat_page_limits_sends_and_keeps_the_text(client, limits):
    client.get("/")
    for _ in range(3):
        client.post("/say", {"text": "hi", "client_id": "x"})

    response = client.post("/say", {"text": "please keep me", "client_id": "y"})

    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert "please keep me" in response.content.decode()
    assert "sending messages very fast" in response.content.decode()


def test_admin_login_attempts_are_limited(client, limits, django_user_model):
    django_user_model.objects.create_superuser("staff", "staff@example.edu", "right-password")
    attempt = {"username": "staff", "password": "wrong", "next": "/admin/"}

    statuses = [client.post("/admin/login/", attempt).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    limits.shift(datetime.timedelta(seconds=61))
    ok = client.post("/admin/login/", {**attempt, "password": "right-password"})
    assert ok.status_code == 302


# --- work a client can make the server do (issue 8, finding 9) ------------------------------


@pytest.fixture
def creation_limit(limits, settings):
    settings.RATE_LIMIT_SESSION_CREATE = "5/m"


def test_a_cookieless_flood_of_the_chat_page_stops_creating_sessions(creation_limit):
    from chat.models import ChatSession

    responses = [Client().get("/") for _ in range(20)]

    assert [r.status_code for r in responses] == [200] * 5 + [429] * 15
    assert ChatSession.objects.count() == 5
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60
    assert "Too many requests" in responses[-1].content.decode()


def test_a_browser_with_its_session_is_not_counted_as_creating_one(creation_limit, client):
    client.get("/")

    statuses = [client.get("/").status_code for _ in range(10)]

    assert statuses == [200] * 10


def test_every_way_of_creating_a_session_shares_the_clients_budget(creation_limit, client):
    from chat.models import ChatSession

    client.get("/")  # 1
    client.post("/new")  # 2
    client.post("/api/chat/sessions", content_type="application/json")  # 3
    Client().post("/say", {"text": "hi"})  # 4: a post without a cookie starts one
    client.post("/new")  # 5

    refused = [
        client.post("/new"),
        client.post("/api/chat/sessions", content_type="application/json"),
        Client().get("/"),
        Client().post("/say", {"text": "hi"}),
    ]

    assert [r.status_code for r in refused] == [429] * 4
    assert all(r["Retry-After"].isdigit() for r in refused)
    assert refused[1].json()["error"] == "too_many_requests"
    assert ChatSession.objects.count() == 5


def test_new_conversation_refused_keeps_the_browser_in_its_conversation(creation_limit, client):
    client.get("/")
    for _ in range(4):
        client.post("/new")
    current = client.cookies[credentials.cookie_name()].value

    assert client.post("/new").status_code == 429
    assert client.cookies[credentials.cookie_name()].value == current


def test_the_api_limits_session_creation_per_client_address(creation_limit):
    from chat.models import ChatSession

    def create(address: str):
        return Client(REMOTE_ADDR=address).post(
            "/api/chat/sessions", content_type="application/json"
        )

    first = [create("198.51.100.1").status_code for _ in range(6)]
    second = create("198.51.100.2")

    assert first == [201] * 5 + [429]
    assert second.status_code == 201
    assert ChatSession.objects.count() == 6


def test_a_computer_lab_of_30_students_behind_one_address_is_not_limited_by_default(limits):
    statuses = []
    for _ in range(30):
        student = Client()
        statuses.append(student.get("/").status_code)
        statuses += [student.post("/new").status_code for _ in range(2)]

    assert set(statuses) == {200, 303}


def test_state_writes_through_the_api_are_limited_per_session(limits, settings):
    settings.RATE_LIMIT_STATE_WRITE = "4/m"
    other = Client()
    other_id = new_session(other)
    client = Client()
    session_id = new_session(client)
    base = f"/api/chat/session/{session_id}"
    criteria = json.dumps({"skill": ["Python"]})

    writes = [
        client.put(f"{base}/search-criteria", criteria, content_type="application/json"),
        client.patch(base, json.dumps({"pendingMatch": None}), content_type="application/json"),
        client.delete(f"{base}/booking-info"),
        client.post(f"{base}/reset", content_type="application/json"),
        client.put(f"{base}/search-criteria", criteria, content_type="application/json"),
        client.delete(base),
    ]

    assert [r.status_code for r in writes] == [200, 200, 200, 200, 429, 429]
    assert writes[-1].json()["error"] == "too_many_requests"
    assert writes[-1]["Retry-After"].isdigit()
    assert client.get(base).status_code == 200  # reads are not limited; nothing was deleted
    elsewhere = other.put(
        f"/api/chat/session/{other_id}/search-criteria", criteria, content_type="application/json"
    )
    assert elsewhere.status_code == 200


def test_a_refused_state_write_changes_nothing(limits, settings):
    settings.RATE_LIMIT_STATE_WRITE = "1/m"
    client = Client()
    session_id = new_session(client)
    url = f"/api/chat/session/{session_id}/search-criteria"
    client.put(url, json.dumps({"skill": ["Python"]}), content_type="application/json")

    refused = client.put(url, json.dumps({"skill": ["C++"]}), content_type="application/json")

    assert refused.status_code == 429
    assert client.get(url).json()["lastSearchCriteria"]["skill"] == ["Python"]


def test_match_requests_are_limited_per_client_address(limits, settings):
    settings.RATE_LIMIT_MATCH = "3/m"
    client = Client()

    statuses = [
        client.post("/api/match", "{}", content_type="application/json").status_code
        for _ in range(4)
    ]
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        "/api/match", "{}", content_type="application/json"
    )

    assert statuses == [200, 200, 200, 429]
    assert elsewhere.status_code == 200


def test_token_rotations_count_as_writes_to_the_session(limits, settings):
    settings.RATE_LIMIT_STATE_WRITE = "2/m"
    client = Client()
    session_id = new_session(client)

    statuses = []
    for _ in range(3):
        rotated = client.post(
            f"/api/chat/session/{session_id}/token", content_type="application/json"
        )
        statuses.append(rotated.status_code)
        if rotated.status_code == 200:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {rotated.json()['accessToken']}"

    assert statuses == [200, 200, 429]
    assert client.get(f"/api/chat/session/{session_id}").status_code == 200  # token kept


def test_new_device_links_count_as_writes_to_the_session(limits, settings, client):
    from chat.models import DeviceLink

    settings.RATE_LIMIT_STATE_WRITE = "2/m"
    client.get("/")

    statuses = [client.post("/device/links").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert DeviceLink.objects.count() == 2


def test_every_limited_api_operation_documents_its_429():
    from chat.api import api

    paths = api.get_openapi_schema()["paths"]
    limited = [
        (method, path)
        for path, operations in paths.items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
        and (path.startswith("/api/chat/") or path == "/api/match")
    ]

    assert len(limited) >= 14
    for method, path in limited:
        assert 429 in {int(status) for status in paths[path][method]["responses"]}, (method, path)
