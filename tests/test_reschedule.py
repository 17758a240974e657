"""Rescheduling is one step: the new session is booked and the old one cancelled together.

A student must never hold both sessions nor lose both. The failure and race cases check the
original booking is untouched whenever the move does not happen.
"""

from datetime import datetime

import pytest
from django.core import mail

from tests.conftest import CENTER_NOW, CENTER_ZONE, add_availability
from tests.threads import run_concurrently
from tutoring import booking as booking_module
from tutoring.booking import (
    BookingNotCancellable,
    SlotUnavailable,
    booking_create,
    booking_reschedule,
)
from tutoring.models import Booking, Tutor

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)
MONDAY_11 = datetime(2026, 12, 7, 11, 0, tzinfo=CENTER_ZONE)


@pytest.fixture
def tutor(tutoring_settings) -> Tutor:
    ada = Tutor.objects.create(name="Ada Lin", email="ada.lin@example.edu")
    return add_availability(ada, ("Monday", "10:00", "12:00", "online", ""))


def book(tutor: Tutor, answers, start: datetime, session: str = "session-1") -> Booking:
    booking = booking_create(
        tutor_id=tutor.pk,
        start=start,
        answers=answers,
        subject="Python",
        chat_session_id=session,
        now=CENTER_NOW,
    )
    mail.outbox.clear()
    return booking


def statuses() -> list[tuple[datetime, str]]:
    return [(b.start, b.status) for b in Booking.objects.order_by("start", "pk")]


@pytest.mark.django_db(transaction=True)
def test_a_move_books_the_new_time_and_cancels_the_old_with_one_email_each(tutor, student_answers):
    old = book(tutor, student_answers, MONDAY_10)

    moved = booking_reschedule(booking=old, tutor_id=tutor.pk, start=MONDAY_11, now=CENTER_NOW)

    assert statuses() == [(MONDAY_10, "cancelled"), (MONDAY_11, "confirmed")]
    assert moved.student_email == old.student_email
    assert moved.subject == "Python"
    assert moved.chat_session_id == "session-1"
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2, subjects
    assert any("cancel" in subject.lower() for subject in subjects), subjects


@pytest.mark.django_db(transaction=True)
def test_a_taken_new_slot_leaves_the_original_booking_untouched(tutor, student_answers):
    old = book(tutor, student_answers, MONDAY_10)
    book(tutor, student_answers, MONDAY_11, session="someone-else")

    with pytest.raises(SlotUnavailable):
        booking_reschedule(booking=old, tutor_id=tutor.pk, start=MONDAY_11, now=CENTER_NOW)

    old.refresh_from_db()
    assert old.status == Booking.Status.CONFIRMED
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_failure_between_booking_and_cancelling_leaves_the_original_untouched(
    tutor, student_answers, monkeypatch
):
    old = book(tutor, student_answers, MONDAY_10)

    def fail(**_kwargs):
        raise RuntimeError("the database went away between the two writes")

    # Fault injection: the new booking is written, then cancelling the old one fails.
    monkeypatch.setattr(booking_module, "booking_cancel", fail)
    with pytest.raises(RuntimeError):
        booking_reschedule(booking=old, tutor_id=tutor.pk, start=MONDAY_11, now=CENTER_NOW)

    assert statuses() == [(MONDAY_10, "confirmed")]
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_session_that_has_started_is_not_moved(tutor, student_answers):
    old = book(tutor, student_answers, MONDAY_10)

    with pytest.raises(BookingNotCancellable):
        booking_reschedule(
            booking=old, tutor_id=tutor.pk, start=MONDAY_11, now=MONDAY_10.replace(minute=5)
        )

    assert statuses() == [(MONDAY_10, "confirmed")]


@pytest.mark.django_db(transaction=True)
def test_two_students_moving_to_one_slot_at_once_leave_the_loser_with_their_old_booking(
    tutor, student_answers
):
    other = add_availability(
        Tutor.objects.create(name="Ben Ortiz", email="ben.ortiz@example.edu"),
        ("Monday", "10:00", "12:00", "online", ""),
    )
    first = book(tutor, student_answers, MONDAY_10, session="first")
    second = book(other, student_answers, MONDAY_10, session="second")

    def move(booking: Booking) -> str:
        try:
            booking_reschedule(booking=booking, tutor_id=tutor.pk, start=MONDAY_11, now=CENTER_NOW)
        except SlotUnavailable:
            return "taken"
        return "moved"

    outcomes = run_concurrently([lambda: move(first), lambda: move(second)])

    assert sorted(outcomes) == ["moved", "taken"]
    confirmed = Booking.objects.filter(status=Booking.Status.CONFIRMED)
    assert confirmed.count() == 2  # the winner's new booking and the loser's old one
    assert set(confirmed.values_list("chat_session_id", flat=True)) == {"first", "second"}
    assert confirmed.filter(tutor=tutor, start=MONDAY_11).count() == 1
