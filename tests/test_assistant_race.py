"""Several students confirm the same slot at the same moment: exactly one gets it."""

import pytest
from django.core.management import call_command

from chat import store
from chat.assistant.turn import take_turn
from tests.test_assistant_flow import ANSWERS
from tests.threads import run_concurrently
from tutoring.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)


def at_confirm() -> str:
    session = store.session_create()
    for text in ["Python on Monday around 10", "1", *ANSWERS]:
        take_turn(session.id, text=text)
    return session.id


def test_students_confirming_one_slot_at_once_get_exactly_one_booking(frozen_clock):
    call_command("seed_demo", verbosity=0)
    sessions = [at_confirm() for _ in range(4)]

    results = run_concurrently([lambda sid=sid: take_turn(sid, text="yes") for sid in sessions])

    replies = [result.messages[-1].content for result in results]
    assert Booking.objects.count() == 1
    assert sum("You're booked!" in reply for reply in replies) == 1
    losers = [reply for reply in replies if "You're booked!" not in reply]
    assert len(losers) == 3
    for reply in losers:
        assert "Sorry" in reply
        assert "taken" in reply
        assert "Open times" in reply  # other slots offered, answers kept
    booked = Booking.objects.get()
    assert booked.chat_session_id in sessions
