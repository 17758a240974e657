"""``chat.client.ChatClient`` against a real daphne serving the test database.

Failures are real ones: a transport that forwards a request to the server and then loses
the answer, a connection to a port nobody listens on, a server whose database refuses
connections. Nothing on the server side is mocked.
"""

import time
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest

from chat import client as client_module
from chat.client import (
    ChatClient,
    Conflict,
    InvalidRequest,
    ServiceUnavailable,
    SessionNotFound,
    VersionMismatch,
)
from chat.models import ChatMessage, ChatSession
from tests.live import DaphneServer, daphne, free_port

pytestmark = pytest.mark.live_server

# Well formed (32 characters of [A-Za-z0-9_-]), so the server looks it up, but never issued.
NEVER_ISSUED_ID = "never-issued_0123456789abcdefABC"
# A credential for it, so that the server has to look it up (without one it answers 404 at once).
UNKNOWN_TOKENS = {NEVER_ISSUED_ID: "never-issued-token"}
SLOT = {
    "day": "Monday",
    "time": "10:00-10:30",
    "mode": "online",
    "start": "2026-12-07T10:00:00-08:00",
}


def match_for(tutor, *, score: float = 0.9, reasoning: str = "Python on Monday mornings") -> dict:
    return {
        "tutor": {"id": tutor.id},
        "matchScore": score,
        "reasoning": reasoning,
        "availableSlots": [SLOT],
    }


def tutor_as_shown(tutor) -> dict:
    return {
        "id": tutor.id,
        "name": tutor.name,
        "pronouns": tutor.pronouns,
        "bio": tutor.bio,
        "skills": sorted(subject.name for subject in tutor.subjects.all()),
    }


class DroppingTransport(httpx.HTTPTransport):
    """Forward every request to the server, but lose the answer to the first ``drops`` of
    the given method: the server did the work, the client never hears of it."""

    def __init__(self, *, method: str, drops: int = 1) -> None:
        super().__init__()
        self.method = method
        self.drops = drops
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        response = super().handle_request(request)
        if self.drops and request.method == self.method:
            self.drops -= 1
            response.read()
            response.close()
            raise httpx.ReadError("connection reset before the answer arrived", request=request)
        return response


class RefusingTransport(httpx.HTTPTransport):
    """Send the first ``refusals`` requests to a port nobody listens on, the rest to the
    server: a real "connection refused" before a byte of the request left."""

    def __init__(self, *, refusals: int = 1) -> None:
        super().__init__()
        self.refusals = refusals
        self.sent: list[httpx.Request] = []
        self.dead_port = free_port()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.refusals:
            self.refusals -= 1
            request.url = request.url.copy_with(port=self.dead_port)
        return super().handle_request(request)


class CountingTransport(httpx.HTTPTransport):
    """Forward every request unchanged and remember it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return super().handle_request(request)


@pytest.fixture
def chat(server) -> Iterator[ChatClient]:
    with ChatClient(server.url, retries=2, backoff=0.01) as client:
        yield client


@pytest.fixture
def session_id(chat) -> str:
    return chat.create_session()["id"]


@pytest.fixture
def tokens(chat, session_id) -> dict[str, str]:
    """The access token of ``session_id``, to hand to another client of the same session."""
    return {session_id: chat.access_token(session_id)}


@pytest.fixture
def recorded_sleeps(monkeypatch) -> list[float]:
    """The client's waits between retries, recorded (and slept, at most 50 ms each).

    Only ``chat.client`` sees the recording clock; daphne's startup keeps the real one.
    """
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(min(seconds, 0.05))

    monkeypatch.setattr(client_module, "time", SimpleNamespace(sleep=sleep, time=time.time))
    return sleeps


def server_without_database(**env: str):
    return daphne(
        env={"DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing", **env},
        wait_healthy=False,
    )


@pytest.fixture
def unavailable_server(server) -> Iterator[DaphneServer]:
    """A second daphne whose database refuses connections (answers 503, Retry-After: 5)."""
    with server_without_database() as running:
        yield running


# --- sessions ---------------------------------------------------------------------------------


def test_a_created_session_reads_back_as_the_same_state(chat):
    created = chat.create_session()

    assert created["version"] == 1
    assert [m["seq"] for m in created["messages"]] == [1]
    assert created["messages"][0]["role"] == "assistant"
    assert created["pendingMatch"] is None
    assert created["availableTutorsList"] == []
    state = {name: value for name, value in created.items() if name != "accessToken"}
    assert chat.get_state(created["id"]) == state  # the token is shown only at creation
    assert ChatSession.objects.filter(pk=created["id"]).exists()


def test_the_client_closes_its_connections_when_its_block_ends(server):
    with ChatClient(server.url) as chat:
        chat.create_session()

    assert chat._http.is_closed


def test_reset_leaves_only_the_greeting(chat, session_id, tutor_ada):
    chat.add_message(session_id, role="user", content="Python please")
    chat.set_pending_match(session_id, match_for(tutor_ada))

    state = chat.reset(session_id)

    assert [(m["seq"], m["role"]) for m in state["messages"]] == [(1, "assistant")]
    assert state["pendingMatch"] is None
    assert chat.get_state(session_id) == state


def test_a_deleted_session_is_gone(chat, session_id):
    chat.delete_session(session_id)

    assert not ChatSession.objects.filter(pk=session_id).exists()
    with pytest.raises(SessionNotFound):
        chat.get_state(session_id)


def test_patch_state_changes_several_parts_at_once_and_clears_a_part_given_as_none(
    chat, session_id, tutor_ada
):
    chat.set_booking_info(session_id, {"step": "name-email"})
    criteria = {"skill": ["Python"], "day": "Monday"}

    state = chat.patch_state(
        session_id,
        **{
            "pendingMatch": match_for(tutor_ada),
            "lastSearchCriteria": criteria,
            "bookingInfo": None,
        },
    )

    assert state["pendingMatch"]["tutor"]["id"] == tutor_ada.id
    assert state["lastSearchCriteria"]["skill"] == ["Python"]
    assert state["lastSearchCriteria"]["day"] == "Monday"
    assert state["bookingInfo"] is None
    assert state["version"] == 3
    assert chat.get_state(session_id) == state


# --- messages ---------------------------------------------------------------------------------


def test_an_added_message_is_returned_as_stored(chat, session_id):
    message = chat.add_message(session_id, role="user", content="Python on Monday?")

    stored = ChatMessage.objects.get(session_id=session_id, seq=message["seq"])
    assert message["seq"] == 2
    assert (message["role"], message["content"]) == ("user", "Python on Monday?")
    assert (stored.role, stored.content) == ("user", "Python on Monday?")
    assert stored.client_id is not None  # the client always sends an idempotency key


def test_a_message_offering_a_tutor_keeps_the_match_as_shown(chat, session_id, tutor_ada):
    message = chat.add_message(
        session_id, role="assistant", content="Ada can help.", tutor_match=match_for(tutor_ada)
    )

    assert message["tutorMatch"]["tutor"] == tutor_as_shown(tutor_ada)
    assert message["tutorMatch"]["availableSlots"] == [SLOT]


def test_messages_page_forwards_with_after_and_backwards_with_before(chat, session_id):
    for n in range(2, 7):
        chat.add_message(session_id, role="user", content=f"message {n}")

    def seqs(page: dict) -> list[int]:
        return [m["seq"] for m in page["messages"]]

    first = chat.get_messages(session_id, after=0, limit=2)
    middle = chat.get_messages(session_id, after=2, limit=2)
    last = chat.get_messages(session_id, after=4, limit=10)
    newest = chat.get_messages(session_id, limit=3)
    older = chat.get_messages(session_id, before=4, limit=2)
    oldest = chat.get_messages(session_id, before=2)

    assert (seqs(first), first["hasMore"]) == ([1, 2], True)
    assert (seqs(middle), middle["hasMore"]) == ([3, 4], True)
    assert (seqs(last), last["hasMore"]) == ([5, 6], False)
    assert (seqs(newest), newest["hasMore"]) == ([4, 5, 6], True)
    assert (seqs(older), older["hasMore"]) == ([2, 3], True)
    assert (seqs(oldest), oldest["hasMore"]) == ([1], False)
    assert [m["content"] for m in last["messages"]] == ["message 5", "message 6"]
    assert newest["version"] == 6


def test_add_message_with_a_given_client_id_sent_twice_stores_one_message(chat, session_id):
    first = chat.add_message(session_id, role="user", content="book me", client_id="tab-1-msg-1")
    again = chat.add_message(session_id, role="user", content="book me", client_id="tab-1-msg-1")

    assert again == first
    assert ChatMessage.objects.filter(session_id=session_id, content="book me").count() == 1


def test_reusing_a_client_id_for_another_message_raises_conflict(chat, session_id):
    chat.add_message(session_id, role="user", content="book me", client_id="tab-1-msg-1")

    with pytest.raises(Conflict) as raised:
        chat.add_message(session_id, role="user", content="cancel", client_id="tab-1-msg-1")

    assert (raised.value.status, raised.value.error) == (409, "idempotency_conflict")


# --- state parts ------------------------------------------------------------------------------


def test_a_pending_match_reads_back_as_set_and_clears_with_none(chat, session_id, tutor_ada):
    assert chat.get_pending_match(session_id) is None

    stored = chat.set_pending_match(session_id, match_for(tutor_ada))

    assert stored == {
        "tutor": tutor_as_shown(tutor_ada),
        "matchScore": 0.9,
        "reasoning": "Python on Monday mornings",
        "availableSlots": [SLOT],
    }
    assert chat.get_pending_match(session_id) == stored
    assert chat.set_pending_match(session_id, None) is None
    assert chat.get_pending_match(session_id) is None


def test_booking_info_reads_back_as_set_and_clears_with_none(chat, session_id):
    info = {
        "step": "specific-help",
        "studentName": "Sam Lee",
        "studentEmail": "sam@example.com",
        "ccsfEmail": "slee@mail.ccsf.edu",
        "studentId": "W1234567",
        "allowOtherStudents": False,
        "classes": ["CS 110A"],
        "specificHelp": None,
        "additionalNotes": None,
        "slot": SLOT,
    }
    assert chat.get_booking_info(session_id) is None

    assert chat.set_booking_info(session_id, info) == info
    assert chat.get_booking_info(session_id) == info
    assert chat.set_booking_info(session_id, None) is None
    assert chat.get_booking_info(session_id) is None


def test_search_criteria_read_back_as_set(chat, session_id):
    criteria = {
        "skill": ["Python"],
        "day": "Monday",
        "time": "15:30",
        "partOfDay": "afternoon",
        "mode": "online",
        "text": "python monday afternoon",
    }
    assert chat.get_search_criteria(session_id) is None

    assert chat.set_search_criteria(session_id, criteria) == criteria
    assert chat.get_search_criteria(session_id) == criteria


def test_available_tutors_read_back_as_set_in_order(chat, session_id, tutor_ada, tutor_ben):
    assert chat.get_available_tutors(session_id) == []

    stored = chat.set_available_tutors(
        session_id, [match_for(tutor_ben, score=0.4), match_for(tutor_ada, score=0.9)]
    )

    assert [(m["tutor"]["id"], m["matchScore"]) for m in stored] == [
        (tutor_ben.id, 0.4),
        (tutor_ada.id, 0.9),
    ]
    assert stored[1]["tutor"] == tutor_as_shown(tutor_ada)
    assert chat.get_available_tutors(session_id) == stored
    assert chat.set_available_tutors(session_id, []) == []


# --- access tokens ----------------------------------------------------------------------------


def test_create_session_keeps_the_token_and_sends_it_on_every_call_of_that_session(server):
    transport = CountingTransport()
    with ChatClient(server.url, transport=transport) as chat:
        created = chat.create_session()
        chat.add_message(created["id"], role="user", content="hi")
        chat.get_state(created["id"])

    token = created["accessToken"]
    assert len(token) >= 43
    assert chat.access_token(created["id"]) == token
    create, *session_calls = transport.sent
    assert "Authorization" not in create.headers
    assert [r.headers["Authorization"] for r in session_calls] == [f"Bearer {token}"] * 2
    assert all(token not in str(r.url) for r in transport.sent)


def test_a_client_made_with_an_existing_id_and_token_continues_the_session(
    server, session_id, tokens
):
    with ChatClient(server.url, tokens=tokens) as other:
        other.add_message(session_id, role="user", content="from the other client")
    with ChatClient(server.url) as third:
        third.use_session(session_id, tokens[session_id])
        state = third.get_state(session_id)

    assert state["messages"][-1]["content"] == "from the other client"


def test_a_client_without_the_sessions_token_gets_session_not_found(server, session_id):
    with ChatClient(server.url) as stranger:
        with pytest.raises(SessionNotFound):
            stranger.get_state(session_id)
        with pytest.raises(SessionNotFound):
            stranger.add_message(session_id, role="assistant", content="injected")

    assert not ChatMessage.objects.filter(session_id=session_id, content="injected").exists()


def test_rotate_token_switches_this_client_and_stops_the_old_token(
    chat, session_id, tokens, server
):
    new = chat.rotate_token(session_id)

    assert new != tokens[session_id]
    assert chat.access_token(session_id) == new
    assert chat.get_state(session_id)["id"] == session_id
    with ChatClient(server.url, tokens=tokens) as holder_of_the_old_token:
        with pytest.raises(SessionNotFound):
            holder_of_the_old_token.get_state(session_id)


def test_an_error_never_shows_the_token(server, session_id, tokens):
    with ChatClient(server.url, tokens=tokens) as chat:
        with pytest.raises(InvalidRequest) as raised:
            chat.set_search_criteria(session_id, {"day": "Someday"})

    assert tokens[session_id] not in str(raised.value)
    assert tokens[session_id] not in repr(raised.value)


# --- errors -----------------------------------------------------------------------------------


def test_an_id_that_was_never_issued_raises_session_not_found_on_reads_and_writes(chat):
    with pytest.raises(SessionNotFound) as raised:
        chat.get_state(NEVER_ISSUED_ID)
    assert (raised.value.status, raised.value.error) == (404, "not_found")

    with pytest.raises(SessionNotFound):
        chat.get_messages(NEVER_ISSUED_ID)
    with pytest.raises(SessionNotFound):
        chat.add_message(NEVER_ISSUED_ID, role="user", content="hello?")
    with pytest.raises(SessionNotFound):
        chat.set_search_criteria(NEVER_ISSUED_ID, {"day": "Monday"})
    with pytest.raises(SessionNotFound):
        chat.delete_session(NEVER_ISSUED_ID)


def test_a_stale_if_match_raises_version_mismatch_carrying_the_current_version(chat, session_id):
    chat.add_message(session_id, role="user", content="one")
    chat.add_message(session_id, role="user", content="two")  # now at version 3

    with pytest.raises(VersionMismatch) as raised:
        chat.set_search_criteria(session_id, {"day": "Monday"}, if_match=1)
    assert (raised.value.status, raised.value.current_version) == (412, 3)

    with pytest.raises(VersionMismatch) as raised:
        chat.add_message(session_id, role="user", content="three", if_match=2)
    assert raised.value.current_version == 3
    assert chat.get_search_criteria(session_id) is None
    assert not ChatMessage.objects.filter(session_id=session_id, content="three").exists()


def test_a_write_naming_the_current_version_succeeds(chat, session_id):
    version = chat.get_state(session_id)["version"]

    chat.add_message(session_id, role="user", content="one", if_match=version)
    state = chat.patch_state(session_id, if_match=version + 1, lastSearchCriteria={"day": "Friday"})

    assert state["version"] == version + 2


def test_invalid_input_raises_invalid_request_with_the_servers_explanation(chat, session_id):
    with pytest.raises(InvalidRequest) as raised:
        chat.set_search_criteria(session_id, {"day": "Someday"})

    assert (raised.value.status, raised.value.error) == (400, "invalid")
    assert "day" in raised.value.message
    assert raised.value.details


def test_a_match_naming_an_unknown_tutor_raises_invalid_request(chat, session_id):
    with pytest.raises(InvalidRequest) as raised:
        chat.set_pending_match(session_id, {"tutor": {"id": 999999}, "matchScore": 0.5})

    assert raised.value.error == "unknown_tutor"


# --- retries ----------------------------------------------------------------------------------


def test_add_message_retried_after_a_dropped_connection_stores_one_message(
    server, session_id, tokens
):
    transport = DroppingTransport(method="POST")

    with ChatClient(
        server.url, retries=2, backoff=0.01, transport=transport, tokens=tokens
    ) as chat:
        message = chat.add_message(session_id, role="user", content="book Ada on Monday")

    posts = [r for r in transport.sent if r.method == "POST"]
    assert len(posts) == 2
    keys = {r.headers["Idempotency-Key"] for r in posts}
    assert len(keys) == 1
    stored = ChatMessage.objects.filter(session_id=session_id, content="book Ada on Monday")
    assert stored.count() == 1
    assert stored.get().client_id == keys.pop()
    assert message["seq"] == stored.get().seq
    assert message["createdAt"] == stored.get().created_at.isoformat()


def test_a_write_without_an_idempotency_key_is_not_replayed_after_a_dropped_answer(
    server, session_id, tokens
):
    transport = DroppingTransport(method="PUT")

    with ChatClient(
        server.url, retries=3, backoff=0.01, transport=transport, tokens=tokens
    ) as chat:
        with pytest.raises(httpx.ReadError):
            chat.set_search_criteria(session_id, {"day": "Monday"})
        stored = chat.get_search_criteria(session_id)

    assert [r.method for r in transport.sent] == ["PUT", "GET"]
    assert stored["day"] == "Monday"  # it was applied once, and once only


def test_a_write_is_retried_when_the_connection_was_refused(server, session_id, tokens):
    transport = RefusingTransport(refusals=2)

    with ChatClient(
        server.url, retries=2, backoff=0.01, transport=transport, tokens=tokens
    ) as chat:
        stored = chat.set_search_criteria(session_id, {"day": "Tuesday"})

    assert len(transport.sent) == 3
    assert stored["day"] == "Tuesday"


def test_a_refused_connection_outliving_the_retries_is_raised(server, session_id, tokens):
    transport = RefusingTransport(refusals=5)

    with ChatClient(
        server.url, retries=1, backoff=0.01, transport=transport, tokens=tokens
    ) as chat:
        with pytest.raises(httpx.ConnectError):
            chat.get_state(session_id)

    assert len(transport.sent) == 2


def test_get_state_without_a_database_raises_service_unavailable_with_a_retry_after(
    unavailable_server, recorded_sleeps
):
    transport = CountingTransport()

    with ChatClient(
        unavailable_server.url, retries=1, backoff=0.01, transport=transport, tokens=UNKNOWN_TOKENS
    ) as chat:
        with pytest.raises(ServiceUnavailable) as raised:
            chat.get_state(NEVER_ISSUED_ID)

    assert (raised.value.status, raised.value.error) == (503, "database_unavailable")
    assert raised.value.retry_after == 5
    assert len(transport.sent) == 2  # retried once
    assert recorded_sleeps == [0.01]  # a Retry-After of 5 s is not waited for in a call


def test_add_message_without_a_database_retries_with_the_same_key_and_growing_waits(
    unavailable_server, recorded_sleeps
):
    transport = CountingTransport()

    with ChatClient(
        unavailable_server.url, retries=2, backoff=0.01, transport=transport, tokens=UNKNOWN_TOKENS
    ) as chat:
        with pytest.raises(ServiceUnavailable):
            chat.add_message(NEVER_ISSUED_ID, role="user", content="hello?")

    assert len(transport.sent) == 3
    assert len({r.headers["Idempotency-Key"] for r in transport.sent}) == 1
    assert recorded_sleeps == [0.01, 0.02]


def test_other_writes_without_a_database_are_not_retried(unavailable_server, recorded_sleeps):
    transport = CountingTransport()

    with ChatClient(
        unavailable_server.url, retries=2, backoff=0.01, transport=transport, tokens=UNKNOWN_TOKENS
    ) as chat:
        with pytest.raises(ServiceUnavailable):
            chat.set_search_criteria(NEVER_ISSUED_ID, {"day": "Monday"})

    assert len(transport.sent) == 1
    assert recorded_sleeps == []


def test_a_short_retry_after_is_waited_for_instead_of_the_backoff(server, recorded_sleeps):
    transport = CountingTransport()

    with server_without_database(DATABASE_RETRY_AFTER="1") as unavailable:
        with ChatClient(
            unavailable.url, retries=1, backoff=0.01, transport=transport, tokens=UNKNOWN_TOKENS
        ) as chat:
            with pytest.raises(ServiceUnavailable) as raised:
                chat.get_state(NEVER_ISSUED_ID)

    assert raised.value.retry_after == 1
    assert recorded_sleeps == [1.0]
