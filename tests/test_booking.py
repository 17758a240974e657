"""Booking and cancelling sessions (tutoring.booking), their calendar files, emails and pages.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific; Ada is free on Mondays
10-12 online and on Wednesdays 8-12 online and 14-16 in Room 204 (see conftest).
"""

import logging
import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from icalendar import Calendar

from tests.conftest import CENTER_ZONE
from tutoring.booking import (
    BookingNotCancellable,
    SlotUnavailable,
    booking_cancel,
    booking_create,
    booking_ics,
)
from tutoring.models import Booking, Subject
from tutoring.ranking import Wish, tutors_match
from tutoring.redaction import short_booking_uid
from tutoring.slots import OfferedSlot

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)
WEDNESDAY_2PM = datetime(2026, 12, 2, 14, 0, tzinfo=CENTER_ZONE)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the emails) as a real commit would."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def booking(frozen_clock, ada_weekly, student_answers, commit) -> Booking:
    """Sofia's Monday 10:00 online session with Ada, confirmed; the outbox emptied."""
    booked = commit(
        booking_create,
        tutor_id=ada_weekly.pk,
        start=MONDAY_10,
        answers=student_answers,
        subject="Python",
        chat_session_id="session-123",
    )
    mail.outbox.clear()
    return booked


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


# --- Creating -------------------------------------------------------------------------------------


def test_booking_a_free_slot_creates_a_confirmed_booking_with_the_answers(
    frozen_clock, ada_weekly, student_answers, commit
):
    booking = commit(
        booking_create,
        tutor_id=ada_weekly.pk,
        start=MONDAY_10,
        answers=student_answers,
        subject="Python",
        chat_session_id="session-123",
    )

    stored = Booking.objects.get(pk=booking.pk)
    assert stored.status == Booking.Status.CONFIRMED
    assert (stored.tutor, stored.start, stored.end) == (
        ada_weekly,
        MONDAY_10,
        MONDAY_10 + timedelta(minutes=30),
    )
    assert (stored.mode, stored.location) == ("online", "https://meet.example.edu/ada")
    assert (stored.student_name, stored.student_email, stored.college_email) == (
        "Sofia Park",
        "sofia.park@example.com",
        "spark@mail.ccsf.edu",
    )
    assert (stored.student_id, stored.allow_other_students, stored.classes) == (
        "W1234567",
        False,
        ["CS 110A"],
    )
    assert stored.specific_help == "Recursion in my linked list assignment."
    assert (stored.additional_notes, stored.subject, stored.chat_session_id) == (
        "",
        "Python",
        "session-123",
    )
    assert stored.created_at == frozen_clock


def test_booking_sends_one_confirmation_email_with_the_calendar_file(
    frozen_clock, ada_weekly, student_answers, commit
):
    booking = commit(
        booking_create,
        tutor_id=ada_weekly.pk,
        start=WEDNESDAY_2PM,
        answers=student_answers,
        subject="Python",
    )

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["sofia.park@example.com", "spark@mail.ccsf.edu"]
    assert email.reply_to == ["ada.lin@example.edu"]
    assert email.subject == "Booked: Tutoring: Python with Ada Lin, Wed Dec 2 at 2:00 PM"
    assert "Tutor: Ada Lin (she/her)" in email.body
    assert "When: Wednesday, December 2, 2026, 2:00 PM–2:30 PM (PST)" in email.body
    assert "Mode: on campus" in email.body
    assert "Where: Room 204" in email.body
    assert f"https://tutoring.example.edu/bookings/{booking.uid}.ics" in email.body
    assert f"https://tutoring.example.edu/bookings/{booking.uid}/cancel" in email.body
    ((name, content, mimetype),) = email.attachments
    assert (name, mimetype) == ("tutoring-session.ics", "text/calendar")
    assert "METHOD:REQUEST" in content


def test_no_email_is_sent_when_the_booking_transaction_rolls_back(
    frozen_clock, ada_weekly, student_answers, django_capture_on_commit_callbacks
):
    def chat_turn_that_fails_after_booking():
        with transaction.atomic():
            booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)
            raise RuntimeError("the chat turn failed after booking")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        chat_turn_that_fails_after_booking()

    assert mail.outbox == []
    assert not Booking.objects.exists()


def test_log_lines_name_the_booking_by_a_short_uid_and_no_personal_data(
    frozen_clock, ada_weekly, student_answers, commit, caplog
):
    with caplog.at_level(logging.INFO, logger="tutoring"):
        booking = commit(
            booking_create, tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers
        )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert short_booking_uid(booking.uid) in logged
    assert str(booking.uid) not in logged  # the whole uid opens the cancel page
    for secret in ("Sofia", "sofia.park", "spark@", "W1234567", "Recursion"):
        assert secret not in logged


def test_the_same_slot_cannot_be_booked_twice(booking, ada_weekly, student_answers):
    with pytest.raises(SlotUnavailable, match="That time was just taken."):
        booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)

    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (datetime(2026, 12, 2, 8, 0, tzinfo=CENTER_ZONE), "in the past"),
        (datetime(2026, 12, 2, 10, 0, tzinfo=CENTER_ZONE), "inside the notice period"),
        (datetime(2026, 12, 7, 10, 15, tzinfo=CENTER_ZONE), "not on a session boundary"),
        (datetime(2026, 12, 8, 10, 0, tzinfo=CENTER_ZONE), "a day Ada is not free"),
        (datetime(2026, 12, 7, 12, 0, tzinfo=CENTER_ZONE), "after her window ends"),
        (datetime(2026, 12, 21, 10, 0, tzinfo=CENTER_ZONE), "beyond the horizon"),
    ],
)
def test_a_slot_that_is_not_offered_cannot_be_booked(
    frozen_clock, ada_weekly, student_answers, start, why
):
    with pytest.raises(SlotUnavailable):
        booking_create(tutor_id=ada_weekly.pk, start=start, answers=student_answers)

    assert not Booking.objects.exists(), why


def test_an_inactive_or_unknown_tutor_cannot_be_booked(frozen_clock, ada_weekly, student_answers):
    ada_weekly.is_active = False
    ada_weekly.save()

    with pytest.raises(SlotUnavailable, match="not taking bookings"):
        booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)
    with pytest.raises(SlotUnavailable):
        booking_create(tutor_id=999999, start=MONDAY_10, answers=student_answers)


def test_a_start_without_a_time_zone_is_a_programming_error(
    frozen_clock, ada_weekly, student_answers
):
    with pytest.raises(ValueError, match="aware"):
        booking_create(
            tutor_id=ada_weekly.pk, start=MONDAY_10.replace(tzinfo=None), answers=student_answers
        )


def test_a_lost_slot_leaves_the_callers_transaction_usable(booking, ada_weekly, student_answers):
    with transaction.atomic():
        Subject.objects.create(name="Written before")
        with pytest.raises(SlotUnavailable):
            booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)
        Subject.objects.create(name="Written after")

    assert Subject.objects.filter(name__startswith="Written").count() == 2


def test_a_booked_slot_is_no_longer_offered(booking, ada_weekly):
    slots = tutors_match(Wish(subjects=("Python",), day="Monday")).matches[0].slots

    assert MONDAY_10 not in [slot.start for slot in slots]


# --- Cancelling -----------------------------------------------------------------------------------


def test_cancelling_frees_the_slot_for_matching_again(booking, ada_weekly, commit):
    cancelled = commit(booking_cancel, booking=booking)

    assert cancelled.status == Booking.Status.CANCELLED
    assert Booking.objects.get(pk=booking.pk).cancelled_at is not None
    slots = tutors_match(Wish(subjects=("Python",), day="Monday")).matches[0].slots
    assert slots[0].start == MONDAY_10


def test_cancelling_emails_a_calendar_cancellation(booking, commit):
    commit(booking_cancel, booking=booking)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject.startswith("Cancelled: Tutoring: Python with Ada Lin")
    ((name, content, mimetype),) = email.attachments
    assert "METHOD:CANCEL" in content
    assert "STATUS:CANCELLED" in content


def test_cancelling_twice_changes_nothing_and_sends_nothing_more(booking, commit):
    first = commit(booking_cancel, booking=booking)
    mail.outbox.clear()

    second = commit(booking_cancel, booking=booking)

    assert second.cancelled_at == first.cancelled_at
    assert mail.outbox == []


def test_a_session_that_has_started_cannot_be_cancelled(booking):
    with pytest.raises(BookingNotCancellable):
        booking_cancel(booking=booking, now=MONDAY_10 + timedelta(minutes=5))

    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_a_cancelled_slot_can_be_booked_again(booking, ada_weekly, student_answers, commit):
    commit(booking_cancel, booking=booking)

    again = booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)

    assert again.pk != booking.pk
    assert Booking.objects.filter(status="confirmed").count() == 1


# --- Calendar files ---------------------------------------------------------------------------


def test_the_calendar_file_is_an_invitation_with_a_stable_uid(booking):
    first = booking_ics(booking)
    second = booking_ics(Booking.objects.select_related("tutor").get(pk=booking.pk))

    assert first == second
    calendar, event = event_of(first)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{booking.uid}@tutoring"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == MONDAY_10
    assert event.decoded("DTEND") == MONDAY_10 + timedelta(minutes=30)
    assert str(event["SUMMARY"]) == "Tutoring: Python with Ada Lin"
    assert str(event["LOCATION"]) == "https://meet.example.edu/ada"


def test_the_cancellation_keeps_the_uid_and_raises_the_sequence(booking):
    _, request = event_of(booking_ics(booking))
    calendar, cancel = event_of(booking_ics(booking, cancelled=True))

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(cancel["UID"]) == str(request["UID"])
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert cancel["SEQUENCE"] == 1


# --- Pages: the .ics link and the cancel page ---------------------------------------------------


def test_the_ics_link_serves_the_calendar_file_as_an_attachment(client, booking):
    response = client.get(booking.ics_path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tutoring-session.ics"'
    assert b"METHOD:REQUEST" in response.content


def test_the_ics_link_of_a_cancelled_booking_serves_the_cancellation(client, booking):
    booking_cancel(booking=booking)

    assert b"METHOD:CANCEL" in client.get(booking.ics_path).content


def test_the_booking_paths_are_the_documented_urls(booking):
    assert booking.ics_path == f"/bookings/{booking.uid}.ics"
    assert booking.cancel_path == f"/bookings/{booking.uid}/cancel"


def test_the_cancel_page_summarises_the_booking_with_a_cancel_form(client, booking):
    response = client.get(booking.cancel_path)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en' in page
    assert "<main" in page
    assert "Ada Lin" in page
    assert "Monday, December 7, 2026, 10:00 AM–10:30 AM" in page
    assert 'method="post"' in page
    assert "Cancel this session" in page
    assert "csrfmiddlewaretoken" in page


def test_posting_the_cancel_form_without_a_csrf_token_is_refused(booking):
    client = Client(enforce_csrf_checks=True)

    response = client.post(booking.cancel_path)

    assert response.status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_posting_the_cancel_form_with_its_token_cancels_the_booking(booking, commit):
    client = Client(enforce_csrf_checks=True)
    page = client.get(booking.cancel_path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = commit(client.post, path=booking.cancel_path, data={"csrfmiddlewaretoken": token})

    assert response.status_code == 200
    assert "Cancelled" in response.content.decode()
    assert "Cancel this session" not in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert len(mail.outbox) == 1


def test_the_cancel_page_of_a_past_session_offers_no_button(client, booking):
    Booking.objects.filter(pk=booking.pk).update(
        start=datetime(2026, 12, 1, 10, 0, tzinfo=CENTER_ZONE),
        end=datetime(2026, 12, 1, 10, 30, tzinfo=CENTER_ZONE),
    )

    page = client.get(booking.cancel_path).content.decode()
    posted = client.post(booking.cancel_path)

    assert "Cancel this session" not in page
    assert "can no longer be cancelled" in page
    assert posted.status_code == 200
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


@pytest.mark.parametrize("suffix", [".ics", "/cancel"])
def test_an_unknown_booking_uid_is_a_404(client, frozen_clock, suffix):
    response = client.get(f"/bookings/3f0c8e9e-0000-4000-8000-000000000000{suffix}")

    assert response.status_code == 404


def test_the_booking_pages_refuse_other_methods(client, booking):
    assert client.put(booking.cancel_path).status_code == 405
    assert client.post(booking.ics_path).status_code == 405


# --- The database constraint itself -----------------------------------------------------------


def _row(tutor, **fields) -> Booking:
    return Booking.objects.create(
        tutor=tutor,
        start=MONDAY_10,
        end=MONDAY_10 + timedelta(minutes=30),
        mode="online",
        student_name="Someone",
        student_email="someone@example.com",
        college_email="someone@mail.ccsf.edu",
        specific_help="Anything.",
        **fields,
    )


def test_the_database_refuses_a_second_active_booking_of_a_tutor_at_one_start(tutor_ada):
    _row(tutor_ada)

    with pytest.raises(IntegrityError), transaction.atomic():
        _row(tutor_ada)


def test_the_database_allows_a_new_booking_once_the_first_is_cancelled(tutor_ada):
    first = _row(tutor_ada)
    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CANCELLED)

    second = _row(tutor_ada)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(tutor_ada)

    assert Booking.objects.filter(status="confirmed").get() == second


def test_the_database_refuses_a_booking_that_ends_before_it_starts(tutor_ada):
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            tutor=tutor_ada,
            start=MONDAY_10,
            end=MONDAY_10,
            mode="online",
            student_name="Someone",
            student_email="someone@example.com",
            college_email="someone@mail.ccsf.edu",
            specific_help="Anything.",
        )


def test_a_unique_constraint_violation_becomes_slot_unavailable_and_spares_the_caller(
    booking, ada_weekly, student_answers, monkeypatch
):
    # Simulate a check that passed on stale data: only the database can refuse now.
    stale = OfferedSlot(ada_weekly.pk, MONDAY_10, MONDAY_10 + timedelta(minutes=30), "online", "")
    monkeypatch.setattr("tutoring.booking.offered_slot", lambda **kwargs: stale)

    with transaction.atomic():
        with pytest.raises(SlotUnavailable, match="That time was just taken."):
            booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)
        Subject.objects.create(name="Still writable")

    assert Booking.objects.count() == 1
    assert Subject.objects.filter(name="Still writable").exists()
