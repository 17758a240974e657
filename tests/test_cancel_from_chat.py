"""Cancelling a booking from the chat: it asks first, names which one, and hears "don't".

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific with the demo roster loaded;
``Chat.to_confirm`` books Python on Monday Dec 7 at 10:00 AM with Maya Okafor.
"""

import pytest
from django.test import Client

from chat.models import ChatSession
from tests.test_assistant_flow import ANSWERS, Chat
from tutoring.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(demo_roster) -> Chat:
    chat = Chat()
    chat.to_confirm()
    chat.say("yes")
    return chat


@pytest.fixture
def booked_twice(booked) -> Chat:
    booked.say("python on tuesday afternoon")
    booked.say("1")
    for answer in ANSWERS:
        booked.say(answer)
    booked.say("yes")
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2
    return booked


def statuses() -> list[str]:
    return list(Booking.objects.order_by("start").values_list("status", flat=True))


def test_cancel_my_booking_asks_first_naming_the_session_in_12_hour_time(booked):
    reply = booked.say("cancel my booking")

    assert reply == "Cancel your Mon Dec 7, 10:00 AM session with Maya Okafor? (yes/no)"
    assert statuses() == ["confirmed"]


def test_yes_cancels_it_and_frees_the_slot(booked):
    booked.say("cancel my booking")

    reply = booked.say("yes please")

    assert statuses() == ["cancelled"]
    assert "Mon Dec 7, 10:00 AM session with Maya Okafor is cancelled" in reply


@pytest.mark.parametrize("answer", ["no", "no thanks", "don't cancel it", "keep it, no"])
def test_no_keeps_the_booking(booked, answer):
    booked.say("cancel my booking")

    reply = booked.say(answer)

    assert statuses() == ["confirmed"]
    assert "won't cancel" in reply


@pytest.mark.parametrize(
    "text",
    [
        "I do not want to cancel my booking",
        "don't cancel my booking",
        "please dont cancel my appointment",
        "no need to cancel the session",
    ],
)
def test_a_negated_cancel_never_cancels_or_asks(booked, text):
    reply = booked.say(text)

    assert statuses() == ["confirmed"]
    assert "nothing is cancelled" in reply
    assert "(yes/no)" not in reply


def test_a_negated_cancel_answers_the_question_as_no(booked):
    booked.say("cancel my booking")

    booked.say("I do not want to cancel my booking")
    booked.say("yes")

    assert statuses() == ["confirmed"]


def test_with_several_bookings_it_lists_them_and_cancels_only_the_one_picked(booked_twice):
    question = booked_twice.say("cancel my booking")
    assert "You have 2 upcoming sessions" in question
    assert "1. Mon Dec 7, 10:00 AM session with Maya Okafor" in question
    assert "2. Tue Dec 8, 1:00 PM session with Tomasz Nowak" in question

    confirm = booked_twice.say("2")
    assert confirm == "Cancel your Tue Dec 8, 1:00 PM session with Tomasz Nowak? (yes/no)"
    assert statuses() == ["confirmed", "confirmed"]

    booked_twice.say("yes")
    assert statuses() == ["confirmed", "cancelled"]


def test_naming_the_day_picks_that_booking_straight_away(booked_twice):
    reply = booked_twice.say("cancel my tuesday session")

    assert reply == "Cancel your Tue Dec 8, 1:00 PM session with Tomasz Nowak? (yes/no)"


def test_a_new_request_instead_of_an_answer_drops_the_question(booked):
    booked.say("cancel my booking")

    reply = booked.say("python on friday")

    assert statuses() == ["confirmed"]
    assert "Open times" in reply or "free" in reply
    booked.say("yes")
    assert statuses() == ["confirmed"]


def test_dont_cancel_in_the_middle_of_the_form_keeps_the_form(demo_roster):
    chat = Chat()
    chat.say("python on monday at 10")
    chat.say("1")
    chat.say(ANSWERS[0])

    reply = chat.say("don't cancel")

    assert chat.state["bookingInfo"]["step"] == "ccsf-email"
    assert "college email" in reply


def test_the_page_shows_the_question_as_buttons(demo_roster):
    browser = Client()
    browser.get("/")
    session = ChatSession.objects.get()
    chat = Chat(client=browser, session_id=session.pk)
    chat.to_confirm()
    chat.say("yes")

    chat.say("cancel my booking")
    html = browser.get("/").content.decode()

    assert "Cancel this booking?" in html
    assert 'id="answer-yes"' in html
    assert "Mon Dec 7, 10:00 AM session with Maya Okafor" in html
