"""Turns, message posts and admin logins are rate-limited: 429 with Retry-After, then recover."""

import datetime
import json

import pytest
import time_machine
from django.test import Client

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
