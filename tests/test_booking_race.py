"""Students racing for one slot: exactly one booking, everyone else told it was taken.

Each worker thread has its own database connection (tests.threads.run_concurrently) and all
start together at a barrier, so the booking transactions really overlap: on PostgreSQL the
tutor row lock and the partial unique constraint decide; on SQLite the write lock taken at
BEGIN IMMEDIATE does. The clock is passed as ``now=`` rather than frozen, since freezing
time in many threads at once would also freeze the database drivers' timeouts.
"""

from datetime import datetime

import pytest
from django.core import mail
from django.db import transaction

from tests.conftest import CENTER_NOW, CENTER_ZONE, add_availability
from tests.threads import run_concurrently
from tutoring.booking import SlotUnavailable, booking_create
from tutoring.models import Booking, Subject, Tutor

WORKERS = 8
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tutor(tutoring_settings) -> Tutor:
    ada = Tutor.objects.create(name="Ada Lin", email="ada.lin@example.edu")
    return add_availability(ada, ("Monday", "10:00", "12:00", "online", ""))


def attempt(tutor: Tutor, answers, number: int) -> str:
    try:
        booking_create(
            tutor_id=tutor.pk,
            start=MONDAY_10,
            answers=answers,
            chat_session_id=f"session-{number}",
            now=CENTER_NOW,
        )
    except SlotUnavailable:
        return "taken"
    return "booked"


def test_many_students_booking_one_slot_at_once_get_exactly_one_booking(tutor, student_answers):
    workers = [lambda n=n: attempt(tutor, student_answers, n) for n in range(WORKERS)]

    outcomes = run_concurrently(workers)

    assert sorted(outcomes) == ["booked"] + ["taken"] * (WORKERS - 1)
    assert Booking.objects.filter(tutor=tutor, start=MONDAY_10).count() == 1
    assert len(mail.outbox) == 1


def test_losers_inside_a_larger_transaction_still_commit_their_other_writes(tutor, student_answers):
    def chat_turn(number: int) -> str:
        # As the chat turn will: write first, book, and write again in one transaction.
        with transaction.atomic():
            Subject.objects.create(name=f"before {number}")
            outcome = attempt(tutor, student_answers, number)
            Subject.objects.create(name=f"after {number}")
        return outcome

    outcomes = run_concurrently([lambda n=n: chat_turn(n) for n in range(WORKERS)])

    assert outcomes.count("booked") == 1
    (winner,) = Booking.objects.filter(tutor=tutor, start=MONDAY_10)
    assert winner.chat_session_id == f"session-{outcomes.index('booked')}"
    assert Subject.objects.filter(name__startswith="before ").count() == WORKERS
    assert Subject.objects.filter(name__startswith="after ").count() == WORKERS


def test_students_booking_different_slots_at_once_all_succeed(tutor, student_answers):
    starts = [MONDAY_10.replace(hour=10 + n // 2, minute=30 * (n % 2)) for n in range(4)]

    def book(start: datetime) -> str:
        booking_create(tutor_id=tutor.pk, start=start, answers=student_answers, now=CENTER_NOW)
        return "booked"

    outcomes = run_concurrently([lambda s=s: book(s) for s in starts])

    assert outcomes == ["booked"] * 4
    assert set(Booking.objects.values_list("start", flat=True)) == set(starts)
