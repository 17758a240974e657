"""The JSON API for sessions: shapes, validation, errors, optimistic concurrency."""

import json

import pytest
from django.test import Client

from chat.models import ChatMessage, ChatSession

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "A" * 32
SLOT = {
    "day": "Monday",
    "time": "10:00-10:30",
    "mode": "online",
    "start": "2026-12-07T10:00:00-08:00",
}


@pytest.fixture
def api() -> Client:
    return Client()


@pytest.fixture
def session_id(api) -> str:
    created = send(api, "post", "/api/chat/sessions").json()
    # Every later request of this client carries the session's access token.
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {created['accessToken']}"
    return created["id"]


def send(api: Client, method: str, path: str, body=None, **headers):
    """Send ``body`` as JSON (None: no body at all)."""
    if body is None:
        data = ""
    elif isinstance(body, (str, bytes)):
        data = body
    else:
        data = json.dumps(body)
    return getattr(api, method)(path, data=data, content_type="application/json", headers=headers)


def match_for(tutor) -> dict:
    return {
        "tutor": {"id": tutor.id, "name": "ignored: re-read from the roster"},
        "matchScore": 0.9,
        "reasoning": "Teaches Python on Mondays",
        "availableSlots": [SLOT],
    }


def test_creating_a_session_returns_its_state_with_the_greeting(api):
    response = send(api, "post", "/api/chat/sessions")

    assert response.status_code == 201
    state = response.json()
    assert set(state) >= {
        "id",
        "version",
        "messages",
        "pendingMatch",
        "lastSearchCriteria",
        "availableTutorsList",
        "bookingInfo",
        "createdAt",
        "lastAccessedAt",
    }
    assert [m["role"] for m in state["messages"]] == ["assistant"]
    assert state["messages"][0]["seq"] == 1
    assert state["pendingMatch"] is None
    assert state["bookingInfo"] is None
    assert state["availableTutorsList"] == []
    assert response["ETag"] == f'"{state["version"]}"'


def test_an_unknown_session_id_is_404_and_creates_nothing(api):
    before = ChatSession.objects.count()
    for path in [
        f"/api/chat/session/{UNKNOWN_ID}",
        f"/api/chat/session/{UNKNOWN_ID}/messages",
        f"/api/chat/session/{UNKNOWN_ID}/pending-match",
        "/api/chat/session/not-an-id",
        "/api/chat/session/../../etc/passwd",
    ]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"
    response = send(
        api,
        "post",
        f"/api/chat/session/{UNKNOWN_ID}/messages",
        {"role": "user", "content": "hello"},
    )
    assert response.status_code == 404
    assert ChatSession.objects.count() == before
    assert ChatMessage.objects.count() == 0


def test_a_posted_message_is_stored_and_returned_with_the_next_seq(api, session_id):
    response = send(
        api,
        "post",
        f"/api/chat/session/{session_id}/messages",
        {"role": "user", "content": "Python on Monday?"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["message"]["seq"] == 2
    assert body["message"]["content"] == "Python on Monday?"
    assert ChatMessage.objects.get(session_id=session_id, seq=2).role == "user"


def test_html_in_content_is_stored_and_returned_as_text(api, session_id):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    send(
        api,
        "post",
        f"/api/chat/session/{session_id}/messages",
        {"role": "user", "content": hostile},
    )

    state = api.get(f"/api/chat/session/{session_id}").json()
    assert state["messages"][-1]["content"] == hostile
    assert ChatMessage.objects.get(session_id=session_id, seq=2).content == hostile


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"role": "system", "content": "hi"}, "role"),
        ({"role": "user", "content": ""}, "content"),
        ({"role": "user", "content": "   "}, "content"),
        ({"role": "user", "content": 42}, "content"),
        ({"role": "user"}, "content"),
        ({"role": "user", "content": "hi", "admin": True}, "admin"),
        ({"role": "user", "content": "x" * 4001}, "content"),
        ({"role": "user", "content": "hi", "clientId": ""}, "clientId"),
        ({"role": "user", "content": "hi", "tutorMatch": {"tutor": {"id": 1}}}, "matchScore"),
        (["role", "user"], ""),
    ],
)
def test_an_invalid_message_is_refused_with_a_json_error_and_nothing_stored(
    api, session_id, body, problem
):
    response = send(api, "post", f"/api/chat/session/{session_id}/messages", body)

    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "invalid"
    assert problem in error["message"] or any(problem in d["field"] for d in error["details"])
    assert ChatMessage.objects.filter(session_id=session_id).count() == 1


def test_malformed_json_is_400(api, session_id):
    response = send(api, "post", f"/api/chat/session/{session_id}/messages", '{"role": "user",')

    assert response.status_code == 400
    assert response.json()["error"] == "bad_json"


def test_a_body_that_is_not_json_is_415(api, session_id):
    response = api.post(
        f"/api/chat/session/{session_id}/messages", data="role=user", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_a_body_over_64_kib_is_413(api, session_id):
    body = json.dumps({"role": "user", "content": "x" * 70_000})

    response = send(api, "post", f"/api/chat/session/{session_id}/messages", body)

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert ChatMessage.objects.filter(session_id=session_id).count() == 1


def test_a_wrong_method_is_a_json_405(api, session_id):
    response = api.put("/api/chat/sessions")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_the_same_client_id_twice_stores_one_message_and_returns_the_first(api, session_id):
    path = f"/api/chat/session/{session_id}/messages"
    first = send(api, "post", path, {"role": "user", "content": "hi", "clientId": "c-1"})
    again = send(api, "post", path, {"role": "user", "content": "hi"}, **{"Idempotency-Key": "c-1"})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["message"] == first.json()["message"]
    assert ChatMessage.objects.filter(session_id=session_id, content="hi").count() == 1


def test_a_client_id_reused_for_another_message_is_409(api, session_id):
    path = f"/api/chat/session/{session_id}/messages"
    send(api, "post", path, {"role": "user", "content": "hi", "clientId": "c-1"})

    response = send(api, "post", path, {"role": "user", "content": "bye", "clientId": "c-1"})

    assert response.status_code == 409
    assert not ChatMessage.objects.filter(session_id=session_id, content="bye").exists()


def test_a_retry_is_answered_even_after_the_version_moved_on(api, session_id):
    path = f"/api/chat/session/{session_id}/messages"
    first = send(
        api, "post", path, {"role": "user", "content": "a", "clientId": "k"}, **{"If-Match": '"1"'}
    )
    send(api, "post", path, {"role": "user", "content": "b"})

    retry = send(
        api, "post", path, {"role": "user", "content": "a", "clientId": "k"}, **{"If-Match": '"1"'}
    )

    assert retry.status_code == 200
    assert retry.json()["message"] == first.json()["message"]


def test_a_stale_if_match_gets_412_and_changes_nothing(api, session_id, tutor_ada):
    send(api, "post", f"/api/chat/session/{session_id}/messages", {"role": "user", "content": "a"})
    session = ChatSession.objects.get(pk=session_id)
    assert session.version == 2

    writes = [
        ("post", "/messages", {"role": "user", "content": "late"}),
        ("put", "/pending-match", match_for(tutor_ada)),
        ("put", "/booking-info", {"step": "name-email"}),
        ("put", "/search-criteria", {"day": "Monday"}),
        ("put", "/available-tutors", [match_for(tutor_ada)]),
        ("patch", "", {"bookingInfo": {"step": "confirm"}}),
        ("post", "/reset", None),
        ("delete", "/pending-match", None),
        ("delete", "", None),
    ]
    for method, suffix, body in writes:
        response = send(
            api, method, f"/api/chat/session/{session_id}{suffix}", body, **{"If-Match": '"1"'}
        )
        assert response.status_code == 412, (method, suffix)
        assert response.json()["error"] == "version_mismatch"
        assert response["ETag"] == '"2"'

    session.refresh_from_db()
    assert session.version == 2
    assert session.messages.count() == 2
    assert not session.matches.exists()


def test_a_current_if_match_is_accepted(api, session_id):
    response = send(
        api,
        "post",
        f"/api/chat/session/{session_id}/messages",
        {"role": "user", "content": "a"},
        **{"If-Match": '"1"'},
    )

    assert response.status_code == 201
    assert response["ETag"] == '"2"'


def test_a_malformed_if_match_is_400(api, session_id):
    response = send(
        api,
        "post",
        f"/api/chat/session/{session_id}/messages",
        {"role": "user", "content": "a"},
        **{"If-Match": "yesterday"},
    )

    assert response.status_code == 400


def test_get_with_a_current_if_none_match_is_304(api, session_id):
    etag = api.get(f"/api/chat/session/{session_id}")["ETag"]

    response = api.get(f"/api/chat/session/{session_id}", headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_every_state_part_round_trips(api, session_id, tutor_ada):
    base = f"/api/chat/session/{session_id}"
    criteria = {
        "skill": ["Python"],
        "day": "Monday",
        "time": "15:30",
        "partOfDay": "afternoon",
        "mode": "online",
        "text": "python monday 3:30",
    }
    booking = {
        "step": "classes",
        "studentName": "Sam Student",
        "studentEmail": "sam@example.com",
        "ccsfEmail": "sam@mail.ccsf.edu",
        "studentId": "W1234567",
        "allowOtherStudents": False,
        "classes": ["CS 110A"],
        "specificHelp": None,
        "additionalNotes": None,
        "slot": SLOT,
    }

    assert (
        send(api, "put", f"{base}/search-criteria", criteria).json()["lastSearchCriteria"]
        == criteria
    )
    assert send(api, "put", f"{base}/booking-info", booking).json()["bookingInfo"] == booking
    pending = send(api, "put", f"{base}/pending-match", match_for(tutor_ada)).json()["pendingMatch"]
    shown = send(api, "put", f"{base}/available-tutors", [match_for(tutor_ada)]).json()

    assert pending["tutor"] == {
        "id": tutor_ada.id,
        "name": "Ada Lin",
        "pronouns": "she/her",
        "bio": "Loves recursion.",
        "skills": ["C++", "Python"],
    }
    assert pending["matchScore"] == 0.9
    assert pending["availableSlots"] == [SLOT]
    assert shown["availableTutorsList"] == [pending]

    state = api.get(base).json()
    assert state["lastSearchCriteria"] == criteria
    assert state["bookingInfo"] == booking
    assert state["pendingMatch"] == pending
    assert state["availableTutorsList"] == [pending]
    assert api.get(f"{base}/pending-match").json()["pendingMatch"] == pending
    assert api.get(f"{base}/booking-info").json()["bookingInfo"] == booking
    assert api.get(f"{base}/search-criteria").json()["lastSearchCriteria"] == criteria

    assert api.delete(f"{base}/pending-match").json()["pendingMatch"] is None
    assert api.delete(f"{base}/booking-info").json()["bookingInfo"] is None
    assert api.get(base).json()["pendingMatch"] is None


def test_a_match_must_name_a_real_active_tutor(api, session_id, tutor_ada):
    tutor_ada.is_active = False
    tutor_ada.save()

    response = send(
        api, "put", f"/api/chat/session/{session_id}/pending-match", match_for(tutor_ada)
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unknown_tutor"


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("/search-criteria", {"day": "Funday"}),
        ("/search-criteria", {"time": "25:00"}),
        ("/search-criteria", {"mode": "hybrid"}),
        ("/search-criteria", {"skill": "Python"}),
        ("/booking-info", {"step": "payment"}),
        ("/booking-info", {"step": "confirm", "studentEmail": "not an email"}),
        ("/booking-info", {"step": "confirm", "studentId": "W12;DROP"}),
        ("/booking-info", {"step": "confirm", "allowOtherStudents": "yes"}),
        (
            "/booking-info",
            {"step": "confirm", "slot": {"day": "Monday", "time": "11:00-10:00", "mode": "online"}},
        ),
        (
            "/booking-info",
            {
                "step": "confirm",
                "slot": {
                    "day": "Monday",
                    "time": "10:00-11:00",
                    "mode": "online",
                    "start": "2026-12-07T10:00",
                },
            },
        ),
        ("/pending-match", {"tutor": {"id": 1}, "matchScore": 1.5}),
        ("/pending-match", {"tutor": {"id": 1}, "matchScore": "0.5"}),
        ("/available-tutors", {"not": "a list"}),
    ],
)
def test_a_state_part_in_the_wrong_shape_is_400_and_changes_nothing(api, session_id, suffix, body):
    before = api.get(f"/api/chat/session/{session_id}").json()

    response = send(api, "put", f"/api/chat/session/{session_id}{suffix}", body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert api.get(f"/api/chat/session/{session_id}").json() == before


def test_patch_changes_only_the_parts_it_names(api, session_id, tutor_ada):
    base = f"/api/chat/session/{session_id}"
    send(api, "put", f"{base}/pending-match", match_for(tutor_ada))

    state = send(api, "patch", base, {"lastSearchCriteria": {"day": "Friday"}}).json()

    assert state["lastSearchCriteria"]["day"] == "Friday"
    assert state["pendingMatch"]["tutor"]["id"] == tutor_ada.id
    cleared = send(api, "patch", base, {"pendingMatch": None}).json()
    assert cleared["pendingMatch"] is None
    assert cleared["lastSearchCriteria"]["day"] == "Friday"


@pytest.mark.parametrize("body", [{}, {"messages": []}, {"version": 9}])
def test_patch_with_nothing_or_unknown_keys_is_400(api, session_id, body):
    response = send(api, "patch", f"/api/chat/session/{session_id}", body)

    assert response.status_code == 400


def test_reset_returns_to_the_greeting_only_state(api, session_id, tutor_ada):
    base = f"/api/chat/session/{session_id}"
    send(api, "post", f"{base}/messages", {"role": "user", "content": "hi"})
    send(api, "put", f"{base}/pending-match", match_for(tutor_ada))
    send(api, "put", f"{base}/booking-info", {"step": "confirm"})

    state = send(api, "post", f"{base}/reset").json()

    assert [m["seq"] for m in state["messages"]] == [1]
    assert state["pendingMatch"] is None
    assert state["bookingInfo"] is None
    assert ChatMessage.objects.filter(session_id=session_id).count() == 1


def test_delete_removes_the_session_and_everything_it_holds(api, session_id, tutor_ada):
    base = f"/api/chat/session/{session_id}"
    send(api, "put", f"{base}/pending-match", match_for(tutor_ada))

    assert api.delete(base).status_code == 204

    assert api.get(base).status_code == 404
    assert not ChatMessage.objects.filter(session_id=session_id).exists()
    assert api.delete(base).status_code == 404


def test_a_long_session_state_carries_a_bounded_page_and_says_how_to_page_back(
    api, session_id, settings
):
    settings.CHAT_STATE_MESSAGES = 10
    for n in range(30):
        send(
            api,
            "post",
            f"/api/chat/session/{session_id}/messages",
            {"role": "user", "content": f"m{n}"},
        )

    state = api.get(f"/api/chat/session/{session_id}").json()

    assert [m["seq"] for m in state["messages"]] == list(range(22, 32))
    assert state["messagesPage"] == {"total": 31, "hasOlder": True, "olderBefore": 22}
    older = api.get(f"/api/chat/session/{session_id}/messages?before=22&limit=10").json()
    assert [m["seq"] for m in older["messages"]] == list(range(12, 22))
    assert older["hasMore"] is True


def test_messages_page_forward_with_after_and_limit(api, session_id, settings):
    settings.CHAT_MAX_PAGE = 5
    for n in range(8):
        send(
            api,
            "post",
            f"/api/chat/session/{session_id}/messages",
            {"role": "user", "content": f"m{n}"},
        )

    first = api.get(f"/api/chat/session/{session_id}/messages?after=0&limit=50").json()
    rest = api.get(f"/api/chat/session/{session_id}/messages?after=5&limit=5").json()

    assert [m["seq"] for m in first["messages"]] == [1, 2, 3, 4, 5]
    assert first["hasMore"] is True
    assert [m["seq"] for m in rest["messages"]] == [6, 7, 8, 9]
    assert rest["hasMore"] is False


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "after=x", "after=1&before=3"])
def test_bad_paging_parameters_are_400(api, session_id, query):
    response = api.get(f"/api/chat/session/{session_id}/messages?{query}")

    assert response.status_code == 400
    assert "error" in response.json()


def test_the_openapi_description_is_served_when_api_docs_are_on(api, settings):
    settings.API_DOCS = True

    spec = api.get("/api/openapi.json").json()

    assert "/api/chat/session/{session_id}/messages" in spec["paths"]
