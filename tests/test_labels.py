"""Dates and times for people (tutoring.labels) and the center's clock (tutoring.center)."""

import datetime as dt

import pytest

from tests.tutors import book, local
from tutoring.booking import booking_cancel, booking_label
from tutoring.center import center_now, center_zone
from tutoring.labels import day_label, slot_label, time_label, zone_label
from tutoring.notifications import booking_context


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (local(12, 3, 18, 30), local(12, 3, 19), "Thu Dec 3, 6:30–7:00 PM"),
        (local(12, 7, 11, 30), local(12, 7, 12), "Mon Dec 7, 11:30 AM–12:00 PM"),
        (local(12, 7, 9), local(12, 7, 9, 30), "Mon Dec 7, 9:00–9:30 AM"),
        (local(12, 7, 0), local(12, 7, 0, 30), "Mon Dec 7, 12:00–12:30 AM"),
        (local(12, 3, 18, 30), None, "Thu Dec 3, 6:30 PM"),
    ],
)
def test_a_slot_reads_on_a_twelve_hour_clock(tutoring_settings, start, end, label):
    assert slot_label(start, end) == label


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (dt.time(18, 30), "6:30 PM"),
        (dt.time(12, 0), "12:00 PM"),
        (dt.time(0, 5), "12:05 AM"),
        (dt.time(9, 0), "9:00 AM"),
        (local(12, 3, 13, 15), "1:15 PM"),
    ],
)
def test_a_time_reads_on_a_twelve_hour_clock(moment, label):
    assert time_label(moment) == label


def test_a_day_reads_short():
    assert day_label(dt.date(2026, 12, 3)) == "Thu Dec 3"


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("America/Los_Angeles", "Pacific Time"),
        ("America/New_York", "Eastern Time"),
        ("America/Chicago", "Central Time"),
        ("America/Denver", "Mountain Time"),
        ("Europe/Lisbon", "Lisbon time"),
    ],
)
def test_the_zone_is_named_for_a_student_who_may_be_elsewhere(settings, zone, label):
    settings.CENTER_TIME_ZONE = zone

    assert zone_label() == label


def test_the_center_clock_is_on_the_center_wall_clock(frozen_clock):
    assert center_zone().key == "America/Los_Angeles"
    assert center_now() == frozen_clock
    assert center_now().tzinfo == center_zone()


def test_bookings_and_emails_use_the_same_label(frozen_clock, tutor_ada):
    booking = book(tutor_ada, local(12, 8, 14))

    assert booking_label(booking, center_zone()) == "Tue Dec 8, 2:00 PM session with Ada Lin"
    assert booking_context(booking)["when"] == "Tue Dec 8, 2:00–2:30 PM"


def test_a_cancellation_email_reads_on_a_twelve_hour_clock(
    frozen_clock, tutor_ada, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(tutor_ada, local(12, 8, 14))

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking)

    (email,) = mailoutbox
    assert "Tue Dec 8 at 2:00 PM" in email.subject
    assert "2:00 PM" in email.body
    assert "14:00" not in email.subject + email.body
