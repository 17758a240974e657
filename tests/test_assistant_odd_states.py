"""Any state a client can write through the API gives the student a sensible next turn.

Finding 6 of issue 8: ``PUT /booking-info {"step": "name-email"}`` made every later turn a
500 until "start over", and so did ``DELETE /pending-match`` at the confirm step followed by
"yes". The assistant now reads the state as it finds it (``Conversation._tidy``): a form
without a time, or without the offer behind its time, asks for a time first and keeps its
answers; a form past a missing answer asks for that answer; a deactivated tutor's offer is
dropped; stale expectations are forgotten.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific; the demo roster is loaded.
"""

import pytest
from django.core.management import call_command
from django.test import Client

from tests.api import ApiSession, open_session, send
from tutoring.models import Booking, Tutor

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


class Student:
    """A client of the JSON API with one session."""

    def __init__(self) -> None:
        self.client = Client(raise_request_exception=False)
        self.session: ApiSession = open_session(self.client)

    def send(self, method: str, part: str = "", body=None):
        path = f"{self.session.path}/{part}" if part else self.session.path
        return send(self.client, method, path, body, headers=self.session.headers)

    def say(self, text: str) -> str:
        response = self.send("post", "turns", {"text": text})
        assert response.status_code == 201, response.content[:500]
        return response.json()["messages"][-1]["content"]

    @property
    def state(self) -> dict:
        return self.send("get").json()

    def to_confirm(self) -> None:
        self.say("I need help with Python on Monday around 10")
        self.say("1")
        for answer in ANSWERS:
            self.say(answer)
        assert self.state["bookingInfo"]["step"] == "confirm"


@pytest.fixture
def student(frozen_clock) -> Student:
    call_command("seed_demo", verbosity=0)
    return Student()


def test_a_form_put_at_its_first_step_without_a_time_asks_what_to_search(student):
    assert student.send("put", "booking-info", {"step": "name-email"}).status_code == 200

    reply = student.say("yes")
    again = student.say("W1234567")

    assert "find a time first" in reply
    assert "find a time first" in again


def test_a_form_without_a_time_books_after_a_search_and_a_pick(student):
    student.send("put", "booking-info", {"step": "name-email"})

    offer = student.say("python on monday around 10")
    picked = student.say("1")

    assert "Open times" in offer
    assert "Step 1 of" in picked
    assert student.state["bookingInfo"]["slot"] is not None


def test_deleting_the_pending_match_at_confirm_then_yes_offers_times_again(student):
    student.to_confirm()
    kept = {k: v for k, v in student.state["bookingInfo"].items() if k not in ("slot", "step")}
    assert student.send("delete", "pending-match").status_code == 200

    reply = student.say("yes")

    assert "Open times" in reply
    assert not Booking.objects.exists()
    info = student.state["bookingInfo"]
    assert info["slot"] is None
    assert {k: v for k, v in info.items() if k not in ("slot", "step")} == kept


def test_after_the_pending_match_is_deleted_picking_a_time_returns_to_the_summary(student):
    student.to_confirm()
    student.send("delete", "pending-match")
    student.say("yes")

    summary = student.say("1")
    booked = student.say("yes")

    assert "Here's your booking:" in summary
    assert "You're booked!" in booked
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("step", ["ccsf-email", "classes", "confirm"])
def test_a_form_past_a_missing_answer_asks_for_that_answer(student, step):
    student.to_confirm()
    info = {**student.state["bookingInfo"], "step": step, "studentEmail": None}
    assert student.send("put", "booking-info", info).status_code == 200

    reply = student.say("yes")

    assert "personal email" in reply
    assert student.state["bookingInfo"]["step"] == "name-email"
    assert not Booking.objects.exists()


def test_a_form_at_confirm_with_nothing_answered_starts_at_the_first_question(student):
    student.say("python on monday around 10")
    slot = student.state["pendingMatch"]["availableSlots"][0]
    student.send("put", "booking-info", {"step": "confirm", "slot": slot})

    reply = student.say("yes")

    assert "(Step 1 of" in reply
    assert not Booking.objects.exists()


def test_a_time_the_tutor_no_longer_offers_is_refused_at_confirm_with_other_times(student):
    student.to_confirm()
    info = student.state["bookingInfo"]
    # Not one of the tutor's hours: 3:17 AM.
    slot = {**info["slot"], "time": "03:17-03:47", "start": "2026-12-07T03:17:00-08:00"}
    student.send("put", "booking-info", {**info, "slot": slot})

    reply = student.say("yes")

    assert reply.startswith("Sorry,")
    assert not Booking.objects.exists()


def test_a_tutor_deactivated_after_being_offered_is_no_longer_offered(student):
    student.say("python on monday around 10")
    offered = student.state["pendingMatch"]["tutor"]["id"]
    Tutor.objects.filter(pk=offered).update(is_active=False)

    student.say("1")

    state = student.state
    assert state["pendingMatch"] is None or state["pendingMatch"]["tutor"]["id"] != offered
    assert offered not in [m["tutor"]["id"] for m in state["availableTutorsList"]]
    assert not Booking.objects.exists()


def test_a_tutor_deactivated_at_confirm_is_not_booked(student):
    student.to_confirm()
    Tutor.objects.filter(pk=student.state["pendingMatch"]["tutor"]["id"]).update(is_active=False)

    reply = student.say("yes")

    assert "Open times" in reply or "find a time" in reply
    assert not Booking.objects.exists()


def test_tutors_listed_without_an_offer_and_a_number_asks_what_to_search(student):
    student.say("python on monday around 10")
    shown = student.state["availableTutorsList"]
    student.send("delete", "pending-match")
    student.send("put", "available-tutors", shown)

    reply = student.say("2")

    assert reply


def test_a_deleted_form_while_asked_to_switch_searches_go_on_normally(student):
    student.say("python on monday around 10")
    student.say("1")
    asked = student.say("actually I need MIPS assembly")
    assert "(yes/no)" in asked
    student.send("delete", "booking-info")

    reply = student.say("no")

    assert reply


def test_a_search_changed_under_a_remembered_date_searches_the_new_day(student):
    student.say("python tomorrow")
    criteria = {**student.state["lastSearchCriteria"], "day": "Monday"}
    student.send("put", "search-criteria", criteria)

    student.say("in the morning")

    slots = student.state["pendingMatch"]["availableSlots"]
    assert slots
    assert {slot["day"] for slot in slots} == {"Monday"}


@pytest.mark.parametrize(
    "criteria",
    [
        {"skill": ["Klingon"], "time": "10:00", "partOfDay": "evening"},
        {"skill": [""], "mode": "on campus"},
        {"skill": [], "day": "Sunday"},
        {"text": "only words"},
    ],
)
def test_odd_search_criteria_give_an_answer(student, criteria):
    student.send("put", "search-criteria", criteria)

    for text in ("monday", "other tutors", "1", "yes"):
        assert student.say(text)
