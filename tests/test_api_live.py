"""The API served by a real daphne process: concurrency, crashes, a missing database."""

import threading
from collections import Counter

import httpx
import pytest

from chat.models import ChatMessage
from tests.live import DaphneServer, daphne

pytestmark = pytest.mark.live_server


def create_session(base_url: str) -> tuple[str, dict[str, str]]:
    """Create a session; return its id and the headers that carry its access token."""
    response = httpx.post(f"{base_url}/api/chat/sessions", timeout=10)
    assert response.status_code == 201
    created = response.json()
    return created["id"], {"Authorization": f"Bearer {created['accessToken']}"}


def test_16_concurrent_clients_on_one_session_lose_and_duplicate_nothing(server):
    session_id, auth = create_session(server.url)
    url = f"{server.url}/api/chat/session/{session_id}/messages"
    per_client = 20
    failures: list[str] = []
    start = threading.Barrier(16)

    def tab(number: int) -> None:
        with httpx.Client(timeout=30, headers=auth) as client:
            start.wait()
            for n in range(per_client):
                response = client.post(url, json={"role": "user", "content": f"tab {number} #{n}"})
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text}")

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert failures == []
    messages = httpx.get(f"{url}?after=0&limit=200", headers=auth, timeout=10).json()["messages"]
    messages += httpx.get(f"{url}?after=200&limit=200", headers=auth, timeout=10).json()["messages"]
    assert [m["seq"] for m in messages] == list(range(1, 2 + 16 * per_client))
    contents = Counter(m["content"] for m in messages if m["role"] == "user")
    assert len(contents) == 16 * per_client
    assert set(contents.values()) == {1}


def test_an_acknowledged_append_survives_the_server_being_killed(transactional_db):
    server = DaphneServer()
    server.start()
    try:
        session_id, auth = create_session(server.url)
        response = httpx.post(
            f"{server.url}/api/chat/session/{session_id}/messages",
            json={"role": "user", "content": "do not lose me"},
            headers=auth,
            timeout=10,
        )
        assert response.status_code == 201
        server.kill()  # SIGKILL right after the acknowledgement

        server.start()
        state = httpx.get(
            f"{server.url}/api/chat/session/{session_id}", headers=auth, timeout=10
        ).json()
    finally:
        server.stop()

    assert state["messages"][-1]["content"] == "do not lose me"
    assert ChatMessage.objects.filter(session_id=session_id, content="do not lose me").count() == 1


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:1/refused",
        "sqlite:////nonexistent-directory/cannot-open.sqlite3",
    ],
    ids=["postgres-refusing-connections", "sqlite-that-cannot-open"],
)
def test_an_unreachable_database_gets_503_with_retry_after_not_a_500(db, database_url):
    env = {"DATABASE_URL": database_url}
    with daphne(env=env, wait_healthy=False) as server:
        session_path = f"{server.url}/api/chat/session/{'A' * 32}"
        # With a credential, so that the server has to look the session up.
        auth = {"Authorization": "Bearer some-access-token"}
        responses = [
            httpx.get(f"{server.url}/health", timeout=15),
            httpx.post(f"{server.url}/api/chat/sessions", timeout=15),
            httpx.get(session_path, headers=auth, timeout=15),
            httpx.post(
                f"{session_path}/messages",
                json={"role": "user", "content": "hi"},
                headers=auth,
                timeout=15,
            ),
        ]

    for response in responses:
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"].isdigit()
        assert response.headers["Content-Type"] == "application/json"
    assert responses[1].json()["error"] == "database_unavailable"


def test_health_says_ok_when_the_database_answers(server):
    response = httpx.get(f"{server.url}/health", timeout=10)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
