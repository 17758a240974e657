"""Whole conversations over the JSON API: search, choose, the booking form, booking.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific (``frozen_clock``), and the
demo roster is loaded, so "Monday" is Monday Dec 7.
"""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from chat.models import ChatMessage
from tutoring.booking import StudentAnswers, booking_create
from tutoring.models import Booking, Tutor
from tutoring.ranking import Wish, tutors_match

pytestmark = pytest.mark.django_db

ANSWERS = [
    "Sam Lee, sam@example.com",
    "sam@mail.ccsf.edu",
    "W1234567",
    "sure",
    "CS 110A",
    "Recursion and loops",
    "skip",
]


@pytest.fixture
def roster(frozen_clock):
    call_command("seed_demo", verbosity=0)


class Chat:
    """One student's browser: a session and the turns they take."""

    def __init__(
        self,
        client: Client | None = None,
        session_id: str | None = None,
        token: str | None = None,
    ) -> None:
        self.client = client or Client()
        if session_id is None:
            created = self.client.post("/api/chat/sessions", content_type="application/json")
            session_id, token = created.json()["id"], created.json()["accessToken"]
        self.session_id, self.token = session_id, token
        if token is not None:  # else the client's own chat cookie opens the session
            self.client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def say(self, text: str, **headers) -> str:
        response = self.send(text, **headers)
        assert response.status_code in (200, 201), response.content
        return response.json()["messages"][-1]["content"]

    def send(self, text, **headers):
        return self.client.post(
            f"/api/chat/session/{self.session_id}/turns",
            data=json.dumps({"text": text}),
            content_type="application/json",
            headers=headers,
        )

    @property
    def state(self) -> dict:
        return self.client.get(f"/api/chat/session/{self.session_id}").json()

    def to_confirm(self) -> None:
        self.say("I need help with Python on Monday around 10")
        self.say("1")
        for answer in ANSWERS:
            self.say(answer)


@pytest.fixture
def chat(roster) -> Chat:
    return Chat()


def test_a_search_offers_the_best_tutor_with_numbered_slots(chat):
    reply = chat.say("I need help with python on monday around 10")

    state = chat.state
    assert state["lastSearchCriteria"] == {
        "skill": ["Python"],
        "day": "Monday",
        "time": "10:00",
        "partOfDay": None,
        "mode": None,
        "text": "I need help with python on monday around 10",
    }
    pending = state["pendingMatch"]
    assert "Python" in pending["tutor"]["skills"]
    assert pending["availableSlots"][0]["start"] == "2026-12-07T10:00:00-08:00"
    assert state["availableTutorsList"][0] == pending
    assert f"**{pending['tutor']['name']}**" in reply
    assert "1. Mon Dec 7, 10:00" in reply
    assert state["messages"][-1]["tutorMatch"]["tutor"]["id"] == pending["tutor"]["id"]


def test_a_whole_booking_ends_with_a_real_booking_and_an_email(
    chat, django_capture_on_commit_callbacks
):
    chat.to_confirm()
    assert chat.state["bookingInfo"]["step"] == "confirm"

    with django_capture_on_commit_callbacks(execute=True):
        reply = chat.say("yes")

    booking = Booking.objects.get()
    assert booking.chat_session_id == chat.session_id
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.student_name == "Sam Lee"
    assert booking.college_email == "sam@mail.ccsf.edu"
    assert booking.student_id == "W1234567"
    assert booking.allow_other_students is True
    assert booking.classes == ["CS 110A"]
    assert booking.start.isoformat() == "2026-12-07T18:00:00+00:00"
    assert "You're booked!" in reply
    assert booking.ics_path in reply
    assert booking.cancel_path in reply
    assert chat.state["bookingInfo"]["step"] == "complete"
    assert len(mail.outbox) == 1
    assert any(name.endswith(".ics") for name, *_ in mail.outbox[0].attachments)


def test_the_form_asks_one_step_at_a_time_and_shows_a_summary(chat):
    chat.say("python monday 10")
    steps = []
    replies = [chat.say("1")]
    for answer in ANSWERS:
        steps.append(chat.state["bookingInfo"]["step"])
        replies.append(chat.say(answer))

    assert steps == [
        "name-email",
        "ccsf-email",
        "student-id",
        "allow-others",
        "classes",
        "specific-help",
        "additional-notes",
    ]
    assert "(Step 1 of 8)" in replies[0]
    assert "Here's your booking:" in replies[-1]
    assert "Recursion and loops" in replies[-1]


@pytest.mark.parametrize(
    ("answers_before", "bad_answer", "step"),
    [
        (0, "just my name", "name-email"),
        (0, "sam@example", "name-email"),
        (0, "hmm", "name-email"),
        (1, "sam@gmail.com", "ccsf-email"),
        (1, "my college email", "ccsf-email"),
        (2, "12", "student-id"),
        (2, "W123-456!", "student-id"),
        (3, "maybe", "allow-others"),
        (3, "it depends", "allow-others"),
        (4, "CS 999", "classes"),
        (4, "the hard one", "classes"),
        (5, "?", "specific-help"),
        (6, "x" * 1001, "additional-notes"),
    ],
)
def test_an_invalid_answer_is_re_asked_and_loses_nothing(chat, answers_before, bad_answer, step):
    chat.say("python monday 10")
    chat.say("1")
    for answer in ANSWERS[:answers_before]:
        chat.say(answer)
    before = chat.state["bookingInfo"]

    reply = chat.say(bad_answer)

    assert chat.state["bookingInfo"] == before
    assert before["step"] == step
    assert "(Step" in reply


def test_an_unclear_confirmation_is_re_asked(chat):
    chat.to_confirm()

    reply = chat.say("perhaps later")

    assert "yes" in reply.lower()
    assert chat.state["bookingInfo"]["step"] == "confirm"
    assert not Booking.objects.exists()


def test_back_returns_to_the_previous_question_and_keeps_the_answers(chat):
    chat.say("python monday 10")
    chat.say("1")
    chat.say(ANSWERS[0])
    chat.say(ANSWERS[1])

    reply = chat.say("back")

    info = chat.state["bookingInfo"]
    assert info["step"] == "ccsf-email"
    assert info["studentName"] == "Sam Lee"
    assert info["ccsfEmail"] == "sam@mail.ccsf.edu"
    assert "college email" in reply


def test_back_from_the_summary_changes_one_answer_and_returns_to_the_summary(chat):
    chat.to_confirm()
    chat.say("back")

    reply = chat.say("Please bring practice problems")

    assert chat.state["bookingInfo"]["step"] == "confirm"
    assert chat.state["bookingInfo"]["additionalNotes"] == "Please bring practice problems"
    assert "Here's your booking:" in reply


def test_back_from_the_first_question_shows_the_open_times_again(chat):
    chat.say("python monday 10")
    chat.say("1")

    reply = chat.say("back")

    assert chat.state["bookingInfo"] is None
    assert "Open times" in reply


def test_cancel_ends_the_booking_and_keeps_the_transcript(chat):
    chat.say("python monday 10")
    chat.say("1")
    chat.say(ANSWERS[0])
    count = len(chat.state["messages"])

    reply = chat.say("cancel")

    state = chat.state
    assert state["bookingInfo"] is None
    assert "nothing was booked" in reply
    assert len(state["messages"]) == count + 2
    assert not Booking.objects.exists()


def test_start_over_forgets_the_search_and_the_form(chat):
    chat.say("python monday 10")
    chat.say("1")

    chat.say("start over")

    state = chat.state
    assert state["lastSearchCriteria"] is None
    assert state["pendingMatch"] is None
    assert state["bookingInfo"] is None
    assert state["availableTutorsList"] == []


def test_a_new_search_in_the_middle_of_a_booking_asks_first(chat):
    chat.say("python monday 10")
    chat.say("1")
    chat.say(ANSWERS[0])

    question = chat.say("actually I need C++ on Tuesday")
    assert "instead? (yes/no)" in question
    assert chat.state["bookingInfo"]["step"] == "ccsf-email"

    chat.say("yes")

    state = chat.state
    assert state["bookingInfo"] is None
    assert state["lastSearchCriteria"]["skill"] == ["C++"]
    assert state["lastSearchCriteria"]["day"] == "Tuesday"
    assert "C++" in state["pendingMatch"]["tutor"]["skills"]


def test_declining_the_switch_carries_on_with_the_booking(chat):
    chat.say("python monday 10")
    chat.say("1")
    chat.say("java on friday")

    reply = chat.say("no")

    assert chat.state["bookingInfo"]["step"] == "name-email"
    assert chat.state["lastSearchCriteria"]["skill"] == ["Python"]
    assert "name and personal email" in reply


def test_other_tutors_leaves_out_the_one_on_offer(chat):
    chat.say("python monday 10")
    first = chat.state["pendingMatch"]["tutor"]["id"]

    reply = chat.say("show me other tutors")

    others = chat.state["availableTutorsList"]
    assert others
    assert first not in [m["tutor"]["id"] for m in others]
    assert chat.state["pendingMatch"]["tutor"]["id"] == first
    assert "1. **" in reply


def test_someone_else_offers_the_next_tutors_times_straight_away(chat):
    chat.say("python monday 10")
    first = chat.state["pendingMatch"]["tutor"]["id"]

    reply = chat.say("someone else")

    offered = chat.state["pendingMatch"]["tutor"]
    assert offered["id"] != first
    assert f"**{offered['name']}**" in reply


def test_choosing_a_listed_tutor_by_number(chat):
    chat.say("who teaches python?")
    second = chat.state["availableTutorsList"][1]["tutor"]

    reply = chat.say("2")

    assert chat.state["pendingMatch"]["tutor"]["id"] == second["id"]
    assert f"**{second['name']}**" in reply


def test_choosing_a_tutor_by_name(chat):
    chat.say("python monday 10")
    chat.say("other tutors")
    wanted = chat.state["availableTutorsList"][1]["tutor"]

    chat.say(f"with {wanted['name']} please")

    assert chat.state["pendingMatch"]["tutor"]["id"] == wanted["id"]


def test_a_slot_can_be_picked_by_its_time(chat):
    chat.say("python monday 10")

    chat.say("the 10:30 one")

    slot = chat.state["bookingInfo"]["slot"]
    assert slot["start"] == "2026-12-07T10:30:00-08:00"


def test_a_new_client_continues_exactly_where_the_last_one_stopped(roster):
    first = Chat()
    first.say("python monday 10")
    first.say("1")
    first.say(ANSWERS[0])

    other_device = Chat(client=Client(), session_id=first.session_id, token=first.token)
    state = other_device.state
    assert state["bookingInfo"]["step"] == "ccsf-email"
    for answer in ANSWERS[1:]:
        other_device.say(answer)
    other_device.say("yes")

    assert Booking.objects.get().student_name == "Sam Lee"


def test_a_taken_slot_is_said_plainly_and_other_times_are_offered(chat):
    chat.to_confirm()
    slot = chat.state["bookingInfo"]["slot"]
    tutor_id = chat.state["pendingMatch"]["tutor"]["id"]
    from datetime import datetime

    booking_create(
        tutor_id=tutor_id,
        start=datetime.fromisoformat(slot["start"]),
        answers=StudentAnswers(
            student_name="Other Student",
            student_email="o@example.com",
            college_email="o@mail.ccsf.edu",
            student_id=None,
            allow_other_students=False,
            classes=(),
            specific_help="Loops and lists",
            additional_notes=None,
        ),
    )

    reply = chat.say("yes")

    assert "Sorry" in reply
    assert "taken" in reply
    assert Booking.objects.count() == 1
    state = chat.state
    assert state["bookingInfo"]["slot"] is None
    assert state["bookingInfo"]["studentName"] == "Sam Lee"
    assert slot not in state["pendingMatch"]["availableSlots"]

    chat.say("1")
    assert chat.state["bookingInfo"]["step"] == "confirm"
    chat.say("yes")
    assert Booking.objects.filter(chat_session_id=chat.session_id).count() == 1


def test_cancel_my_booking_cancels_it_and_frees_the_slot(chat):
    chat.to_confirm()
    chat.say("yes")
    booking = Booking.objects.get()

    question = chat.say("please cancel my booking")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert "(yes/no)" in question

    reply = chat.say("yes")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "cancelled" in reply
    offered = tutors_match(
        Wish(subjects=("Python",)), only_tutor_ids=[booking.tutor_id], slots_per_tutor=50
    )
    assert booking.start in [s.start for s in offered.matches[0].slots]


def test_cancel_my_booking_without_one_says_so(chat):
    assert "no upcoming booking" in chat.say("cancel my booking")


def test_a_subject_is_asked_for_when_missing(chat):
    reply = chat.say("tomorrow afternoon online")

    assert "Which subject" in reply
    assert chat.state["lastSearchCriteria"]["mode"] == "online"
    chat.say("SQL")
    assert chat.state["lastSearchCriteria"]["skill"] == ["SQL"]
    assert chat.state["lastSearchCriteria"]["mode"] == "online"


def test_nothing_fitting_is_said_with_the_nearest_offer(chat):
    reply = chat.say("MIPS assembly on sunday")

    assert "Sunday" in reply
    assert "nearest" in reply
    assert chat.state["pendingMatch"] is not None


def test_a_turn_retried_with_the_same_client_id_is_answered_once(chat):
    first = chat.send("python monday 10", **{"Idempotency-Key": "turn-1"})
    again = chat.send("python monday 10", **{"Idempotency-Key": "turn-1"})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["messages"] == first.json()["messages"]
    assert ChatMessage.objects.filter(session_id=chat.session_id).count() == 3


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 4001}, {"text": 5}, {"words": "hi"}])
def test_a_bad_turn_is_400_and_stores_nothing(chat, body):
    response = chat.client.post(
        f"/api/chat/session/{chat.session_id}/turns",
        data=json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert ChatMessage.objects.filter(session_id=chat.session_id).count() == 1


def test_a_turn_for_an_unknown_session_is_404(roster):
    response = Chat(session_id="Q" * 32).send("hello")

    assert response.status_code == 404


def test_a_turn_that_fails_halfway_stores_nothing(chat, monkeypatch):
    from chat.assistant import policy, turn

    def broken(*args, **kwargs):
        raise RuntimeError("matching broke")

    monkeypatch.setattr(policy, "tutors_match", broken)

    with pytest.raises(RuntimeError):
        turn.take_turn(chat.session_id, text="python monday 10")

    assert ChatMessage.objects.filter(session_id=chat.session_id).count() == 1
    assert chat.state["lastSearchCriteria"] is None


def test_hostile_text_is_stored_as_text(chat):
    hostile = "<img src=x onerror=alert(1)> python"

    chat.say(hostile)

    assert chat.state["messages"][-2]["content"] == hostile


def test_an_inactive_tutor_is_never_offered(chat):
    Tutor.objects.filter(subjects__name="Python").exclude(
        pk=Tutor.objects.filter(subjects__name="Python").first().pk
    ).update(is_active=False)
    only = Tutor.objects.get(subjects__name="Python", is_active=True)

    chat.say("python")

    assert chat.state["pendingMatch"]["tutor"]["id"] == only.pk
