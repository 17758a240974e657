"""Booking answers are checked when the booking is made, whoever collected them.

``tutoring.answers`` holds one check per field; the chat's form, the API's ``bookingInfo``
schema and ``booking_create`` all use it. The clock is frozen at Wednesday Dec 2, 2026.
"""

import dataclasses
import json
from datetime import datetime

import pytest

from chat.models import BookingDraft
from tests.conftest import CENTER_ZONE
from tests.test_assistant_flow import Chat
from tutoring.answers import InvalidAnswer, clean_student_name
from tutoring.booking import booking_create
from tutoring.models import Booking

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)

BAD_ANSWERS = [
    pytest.param(
        "student_name", "\u202eeciffo eht", "student_name", id="bidi override in the name"
    ),
    pytest.param("student_name", "<b>Eve</b>", "student_name", id="markup in the name"),
    pytest.param(
        "student_name", "Eve\r\nBcc: x@example.com", "student_name", id="CR/LF in the name"
    ),
    pytest.param("student_name", "Eve\x00", "student_name", id="NUL in the name"),
    pytest.param("student_name", "", "student_name", id="no name"),
    pytest.param("student_email", "not-an-email", "student_email", id="personal email"),
    pytest.param("college_email", "sofia@gmail.com", "college_email", id="college domain"),
    pytest.param("student_id", "W12;DROP", "student_id", id="student id"),
    pytest.param("classes", ("CS 999",), "classes", id="a class not on the roster"),
    pytest.param("specific_help", "", "specific_help", id="no help text"),
    pytest.param("specific_help", "loops\u202e", "specific_help", id="bidi in help"),
    pytest.param("additional_notes", "x\x1b[31m", "additional_notes", id="escape in notes"),
]


@pytest.mark.parametrize(("field", "value", "named"), BAD_ANSWERS)
def test_booking_create_refuses_a_bad_answer_naming_the_field(
    frozen_clock, ada_weekly, student_answers, field, value, named
):
    answers = dataclasses.replace(student_answers, **{field: value})

    with pytest.raises(InvalidAnswer) as refused:
        booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=answers)

    assert refused.value.field == named
    assert not Booking.objects.exists()


def test_booking_create_stores_answers_normalised(frozen_clock, ada_weekly, student_answers):
    answers = dataclasses.replace(
        student_answers,
        student_name="  José   Núñez-O'Neil ",
        student_email="Jose@Example.COM",
        college_email="JNUNEZ@MAIL.CCSF.EDU",
        student_id="w1234567",
        classes=("cs110a",),
    )

    booking = booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=answers)

    booking.refresh_from_db()
    assert booking.student_name == "José Núñez-O'Neil"
    assert booking.student_email == "jose@example.com"
    assert booking.college_email == "jnunez@mail.ccsf.edu"
    assert booking.student_id == "W1234567"
    assert booking.classes == ["CS 110A"]


@pytest.mark.parametrize("name", ["李小龍", "Nguyễn Thị Minh", "Ana María de la Cruz", "J. R. Ng"])
def test_real_names_pass(name):
    assert clean_student_name(name) == name


# --- the JSON API ---------------------------------------------------------------------------


def put_booking_info(chat: Chat, body: dict):
    return chat.client.put(
        f"/api/chat/session/{chat.session_id}/booking-info",
        data=json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("studentName", "\u202eeve"),
        ("studentName", "<img src=x onerror=alert(1)>"),
        ("studentName", "Eve\r\nEvil"),
        ("studentEmail", "eve"),
        ("ccsfEmail", "eve@gmail.com"),
        ("studentId", "W12;DROP"),
        ("classes", ["not a course"]),
        ("specificHelp", "help\u202e"),
    ],
)
def test_the_api_refuses_a_bad_answer_with_400_naming_the_field(demo_roster, field, value):
    chat = Chat()
    before = chat.state["bookingInfo"]

    response = put_booking_info(chat, {"step": "confirm", field: value})

    assert response.status_code == 400
    assert field in response.json()["message"]
    assert chat.state["bookingInfo"] == before


def test_a_draft_that_fails_at_booking_time_is_asked_again_and_the_chat_goes_on(
    demo_roster, settings
):
    chat = Chat()
    chat.to_confirm()
    # The college domain changed after the answer was taken (or the draft predates the rule).
    settings.COLLEGE_EMAIL_DOMAIN = "students.example.edu"

    reply = chat.say("yes")

    assert not Booking.objects.exists()
    assert "Before I can book it: A college email must end in @students.example.edu." in reply
    assert chat.state["bookingInfo"]["step"] == "ccsf-email"

    chat.say("sam@students.example.edu")
    assert chat.state["bookingInfo"]["step"] == "confirm"
    chat.say("yes")
    assert Booking.objects.get().college_email == "sam@students.example.edu"


def test_a_draft_stored_before_the_rules_never_reaches_a_booking(demo_roster):
    chat = Chat()
    chat.to_confirm()
    # A row written before names were checked (or straight into the database).
    BookingDraft.objects.filter(session_id=chat.session_id).update(student_name="Eve \u202eevil")

    reply = chat.say("yes")

    assert not Booking.objects.exists()
    assert "A name can't hold line breaks or invisible characters" in reply
    assert chat.state["bookingInfo"]["step"] == "name-email"
    chat.say("Eve Adams, eve@example.com")
    chat.say("yes")
    assert Booking.objects.get().student_name == "Eve Adams"
