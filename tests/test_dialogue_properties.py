"""A property of the dialogue manager, over sequences of student acts drawn at random.

For any sequence of turns from a vocabulary of what students say (searches, picks, yes/no,
refinements, questions, form answers, corrections, small talk, gibberish), the assistant:

- never raises (every turn answers);
- never says the same sentence twice in a row;
- never loses a pending offer or a collected form field on a turn that did not ask for it:
  questions, small talk and gibberish leave the offer (tutor and times) and every filled
  field exactly as they were.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat import state
from chat.assistant.turn import take_turn
from chat.store import session_create

pytestmark = pytest.mark.django_db

# Turns that must leave the offer and the form as they are.
KEEPS = [
    "where is the center?",
    "what are your hours",
    "why do you need my student id?",
    "why do you need my email",
    "what did I book?",
    "is that online or in person?",
    "what subjects do you have",
    "who teaches python?",
    "hmm",
    "asdfgh",
    "lol",
    "thanks!",
    "help",
    "???",
]
# Turns that may change things (that is what they are for).
CHANGES = [
    "python monday at 10",
    "sql class thurs nite",
    "java thursday after 6 online",
    "stats mornings",
    "i need a chemistry tutor",
    "what times does maya have?",
    "book with priya on thursday",
    "yes",
    "sure",
    "no",
    "1",
    "2",
    "6:30 works",
    "anything later?",
    "earlier?",
    "another day",
    "what about next week",
    "any day is fine",
    "someone else",
    "online instead",
    "Sam Lee, sam.lee@example.com",
    "my name is Carlos Mendoza",
    "slee@mail.ccsf.edu",
    "oops my email is sam.l@gmail.com",
    "W1234567",
    "i dont have one",
    "skip",
    "CS 110A",
    "none",
    "loops and recursion",
    "actually can we do 6:30 instead",
    "back",
    "cancel",
    "start over",
    "cancel my booking",
    "i do not want to cancel",
    "reschedule",
    "book another one",
    "yep",
]
TURNS = st.lists(st.sampled_from(KEEPS + CHANGES), min_size=1, max_size=15)


def snapshot(session_id: str) -> tuple:
    found = state.session_get(session_id)
    matches = state.session_matches(found)
    offer = state.pending_match_json(matches)
    draft = state.booking_info_json(state.session_booking_draft(found))
    offered = (
        (offer["tutor"]["id"], tuple(s["start"] for s in offer["availableSlots"]))
        if offer
        else None
    )
    filled = (
        {k: v for k, v in draft.items() if v not in (None, "", []) and k != "step"}
        if draft and draft["step"] != "complete"
        else {}
    )
    return offered, filled


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(turns=TURNS)
def test_any_sequence_of_turns_answers_without_repeating_or_losing_anything(
    frozen_clock, demo_roster, turns
):
    session_id = session_create().pk
    last_reply = None
    for text in turns:
        before = snapshot(session_id)
        result = take_turn(session_id, text=text)  # never raises
        reply = result.messages[-1].content
        assert reply.strip(), text
        assert reply != last_reply, (text, turns)
        if text in KEEPS:
            offered, filled = snapshot(session_id)
            assert offered == before[0], (text, turns)
            assert filled == before[1], (text, turns)
        last_reply = reply
