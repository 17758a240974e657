"""Input a database cannot store, or numbers no column holds, is refused clearly, never a 500.

Finding 6 of issue 8: a lone surrogate in ``/turns`` and ``/messages`` gave a 500 on both
databases; a NUL in turn text, search criteria, booking info and ``/api/match`` skills gave
one on PostgreSQL; a tutor id of 2^63 gave one on SQLite. Every text field of every JSON body
now refuses both characters with a 400 naming the field (``tutoring.schemas.InputModel``), the
HTML form refuses NUL naming the field, and integers are bounded.
"""

import pytest
from django.core.management import call_command
from django.test import Client

from chat import credentials
from chat.consumers import parse_resume
from chat.models import BookingDraft, ChatMessage, SearchCriteria, SessionMatch
from tests.api import open_session, send
from tutoring.models import Subject

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
# JSON's escape is the only way a lone surrogate reaches a server: it is not valid UTF-8.
SURROGATE_JSON = '"x\\ud800y"'


@pytest.fixture
def api() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def session(api):
    return open_session(api)


def refused(response, field: str) -> str:
    """Assert a 400 naming ``field``; return its message."""
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["error"] == "invalid"
    assert body["message"].startswith(f"{field}: ")
    assert field in [detail["field"] for detail in body["details"]]
    return body["message"]


# --- lone surrogates --------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_turn_is_refused_naming_the_field(api, session):
    body = '{"text": ' + SURROGATE_JSON + "}"

    response = send(api, "post", f"{session.path}/turns", body, headers=session.headers)

    assert "lone surrogate (U+D800)" in refused(response, "text")
    assert ChatMessage.objects.filter(session_id=session.id).count() == 1


def test_a_lone_surrogate_in_a_message_is_refused_naming_the_field(api, session):
    body = '{"role": "user", "content": ' + SURROGATE_JSON + "}"

    response = send(api, "post", f"{session.path}/messages", body, headers=session.headers)

    refused(response, "content")
    assert ChatMessage.objects.filter(session_id=session.id).count() == 1


def test_a_lone_surrogate_deep_in_a_state_patch_is_refused_naming_its_path(api, session):
    body = (
        '{"availableTutorsList": [{"tutor": {"id": 1}, "matchScore": 0.5, "reasoning": '
        + SURROGATE_JSON
        + "}]}"
    )

    response = send(api, "patch", session.path, body, headers=session.headers)

    refused(response, "availableTutorsList.0.reasoning")
    assert not SessionMatch.objects.filter(session_id=session.id).exists()


# --- NUL ------------------------------------------------------------------------------------


def test_a_nul_in_turn_text_is_refused_naming_the_field(api, session):
    response = send(
        api, "post", f"{session.path}/turns", {"text": f"python {NUL}"}, headers=session.headers
    )

    assert "the NUL character (U+0000)" in refused(response, "text")
    assert ChatMessage.objects.filter(session_id=session.id).count() == 1


def test_a_nul_in_search_criteria_is_refused_naming_the_field(api, session):
    criteria = {"skill": ["Python", NUL], "text": "fine"}

    response = send(
        api, "put", f"{session.path}/search-criteria", criteria, headers=session.headers
    )

    assert "(item 2)" in refused(response, "skill")
    assert not SearchCriteria.objects.filter(session_id=session.id).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("studentName", NUL),
        ("specificHelp", NUL),
        ("additionalNotes", NUL),
        ("classes", ["CS 110A", NUL]),
    ],
)
def test_a_nul_in_booking_info_is_refused_naming_the_field(api, session, field, value):
    info = {"step": "name-email", field: value}

    response = send(api, "put", f"{session.path}/booking-info", info, headers=session.headers)

    refused(response, field)
    assert not BookingDraft.objects.filter(session_id=session.id).exists()


def test_a_nul_in_booking_info_inside_a_patch_is_refused_naming_its_path(api, session):
    patch = {"bookingInfo": {"step": "name-email", "studentName": NUL}}

    response = send(api, "patch", session.path, patch, headers=session.headers)

    refused(response, "bookingInfo.studentName")


def test_a_nul_in_match_skills_is_refused_naming_the_field(api):
    response = send(api, "post", "/api/match", {"skill": [f"Py{NUL}thon"]})

    refused(response, "skill")


def test_a_nul_in_an_idempotency_key_is_refused(api, session):
    response = send(
        api,
        "post",
        f"{session.path}/messages",
        {"role": "user", "content": "hi"},
        headers={**session.headers, "Idempotency-Key": NUL},
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["message"]


# --- numbers ----------------------------------------------------------------------------------


def test_a_tutor_id_too_large_for_any_column_is_a_400(api, session):
    match = {"tutor": {"id": 2**63}, "matchScore": 0.5}

    response = send(api, "put", f"{session.path}/pending-match", match, headers=session.headers)

    refused(response, "tutor.id")


def test_a_tutor_path_id_too_large_for_any_column_is_a_404(api):
    response = api.get(f"/api/tutors/{2**63}")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("name", ["after", "before", "limit"])
def test_message_page_numbers_past_any_message_number_are_a_400(api, session, name):
    response = api.get(f"{session.path}/messages?{name}={2**31}", headers=session.headers)

    refused(response, name)


def test_a_version_too_long_for_if_match_is_a_400(api, session):
    response = send(
        api,
        "post",
        f"{session.path}/reset",
        headers={**session.headers, "If-Match": f'"{2**63}"'},
    )

    assert response.status_code == 400
    assert "If-Match" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        '{"text": ' + "[" * 5000 + "]" * 5000 + "}",  # deeper than Python's recursion limit
        '{"text": "x", "clientId": ' + "9" * 5000 + "}",  # more digits than int() reads
        '{"text": "x\\udfff\\ud800"}',  # surrogates in the wrong order
    ],
)
def test_bodies_the_json_parser_chokes_on_are_a_400(api, session, body):
    response = send(api, "post", f"{session.path}/turns", body, headers=session.headers)

    assert response.status_code == 400
    assert response.json()["error"] in ("bad_json", "invalid")


def test_a_slot_start_at_the_end_of_time_is_refused(api, session, tutor_ada):
    slot = {"day": "Friday", "time": "23:00-23:30", "mode": "online"}
    match = {
        "tutor": {"id": tutor_ada.pk},
        "matchScore": 0.5,
        "availableSlots": [{**slot, "start": "9999-12-31T23:00:00-12:00"}],
    }

    response = send(api, "put", f"{session.path}/pending-match", match, headers=session.headers)

    refused(response, "availableSlots.0.start")


# --- the HTML form -------------------------------------------------------------------------------


@pytest.fixture
def page(frozen_clock) -> Client:
    """A browser with a conversation, the demo roster loaded."""
    call_command("seed_demo", verbosity=0)
    client = Client(raise_request_exception=False)
    assert client.get("/").status_code == 200
    return client


def session_id_of(client: Client) -> str:
    cookie = client.cookies[credentials.cookie_name()].value
    return credentials.binding_from_cookie(cookie).session_id


def say(client: Client, body: str | dict, **kwargs):
    """Post ``/say`` like the page does (over htmx); a str is sent as a raw urlencoded body."""
    session_id = session_id_of(client)
    conversation = credentials.conversation_key(session_id)
    headers = {"HX-Request": "true"}
    if isinstance(body, str):
        raw = f"conversation={conversation}&{body}"
        return client.post(
            "/say", raw, content_type="application/x-www-form-urlencoded", headers=headers
        )
    return client.post("/say", {"conversation": conversation, **body}, headers=headers)


def messages_of(client: Client) -> list[str]:
    session_id = session_id_of(client)
    return list(
        ChatMessage.objects.filter(session_id=session_id, role="user").values_list(
            "content", flat=True
        )
    )


def test_a_nul_typed_into_the_page_is_refused_naming_the_field(page):
    response = say(page, {"text": NUL})

    assert response.status_code == 422
    assert "Message: Null characters are not allowed." in response.content.decode()
    assert messages_of(page) == []


def test_a_nul_in_a_form_step_field_is_refused_naming_the_field(page):
    response = say(page, {"step": "name-email", "name": NUL, "email": "sam@example.com"})

    assert response.status_code == 422
    assert "Name: Null characters are not allowed." in response.content.decode()


def test_a_nul_in_a_course_box_is_refused_not_a_server_error(page):
    response = say(page, "step=classes&courses=CS%00110A")

    assert response.status_code == 422
    assert "can&#x27;t contain the NUL character" in response.content.decode()
    assert messages_of(page) == []


def test_invalid_utf_8_in_a_form_post_is_read_as_replacement_characters(page):
    # Django decodes a form post with errors="replace": a surrogate's UTF-8 bytes (invalid)
    # and a stray byte arrive as U+FFFD, which every database stores.
    response = say(page, "text=a%ED%A0%80b%FF")

    assert response.status_code == 200
    assert messages_of(page) == ["a\ufffd\ufffd\ufffdb\ufffd"]


def test_numbers_past_any_column_in_a_form_post_are_refused(page):
    response = say(page, f"text=hi&after={2**31}")

    assert response.status_code == 422
    assert messages_of(page) == []


# --- staff forms ---------------------------------------------------------------------------------


def test_a_nul_in_a_subjects_aliases_is_refused_in_the_admin(client, staff_user):
    client.force_login(staff_user)
    form = {
        "name": "Klingon",
        "aliases": '["tlh", "a\\u0000b"]',
        "courses-TOTAL_FORMS": "0",
        "courses-INITIAL_FORMS": "0",
    }

    response = client.post("/admin/tutoring/subject/add/", form)

    assert response.status_code == 200
    assert "can&#x27;t contain the NUL character" in response.content.decode()
    assert not Subject.objects.filter(name="Klingon").exists()


# --- the WebSocket ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        "[" * 5000 + "]" * 5000,
        '{"type": "resume", "after": ' + "9" * 5000 + "}",
        '{"type": "resume", "after": "\\ud800"}',
        '{"type": "resume", "after": 1e999}',
    ],
)
def test_a_hostile_resume_frame_is_ignored(frame):
    assert parse_resume(frame) is None
