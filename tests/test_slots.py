"""Weekly availability as concrete sessions (tutoring.slots).

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific (conftest.CENTER_NOW): the
bookable window runs from 11:00 AM that day (two hours' notice) to Wednesday Dec 16, 9:00 AM.
"""

from datetime import date, time

import pytest

from tests.tutors import book, local
from tutoring.models import Booking
from tutoring.slots import (
    OfferedSlot,
    bookable_window,
    offered_slot,
    part_of_day,
    upcoming_slots,
)

pytestmark = pytest.mark.django_db


def test_booked_sessions_are_left_out_but_cancelled_bookings_free_them(frozen_clock, ada_weekly):
    book(ada_weekly, local(12, 2, 11))
    book(ada_weekly, local(12, 2, 11, 30), status=Booking.Status.CANCELLED)

    first = upcoming_slots(tutors=[ada_weekly], now=frozen_clock)[ada_weekly.pk][0]

    assert first.start == local(12, 2, 11, 30)


def test_past_sessions_and_those_inside_the_notice_period_are_left_out(frozen_clock, ada_weekly):
    today = upcoming_slots(tutors=[ada_weekly], now=frozen_clock)[ada_weekly.pk]

    # Ada is free from 8:00 today; 9:00 is now and 11:00 is the first start with 2 h notice.
    assert today[0].start == local(12, 2, 11)


def test_sessions_beyond_the_booking_horizon_are_left_out(frozen_clock, ada_weekly):
    slots = upcoming_slots(tutors=[ada_weekly], now=frozen_clock)[ada_weekly.pk]

    assert slots[-1].start == local(12, 16, 8, 30)
    assert all(slot.start < local(12, 16, 9) for slot in slots)
    assert {slot.start.date() for slot in slots if slot.day == "Monday"} == {
        date(2026, 12, 7),
        date(2026, 12, 14),
    }


def test_the_window_follows_the_booking_settings(frozen_clock, ada_weekly, settings):
    settings.BOOKING_MIN_NOTICE_HOURS = 0
    settings.BOOKING_HORIZON_DAYS = 1
    settings.TUTORING_SESSION_MINUTES = 60

    slots = upcoming_slots(tutors=[ada_weekly], now=frozen_clock)[ada_weekly.pk]

    assert [slot.start for slot in slots] == [local(12, 2, h) for h in (9, 10, 11, 14, 15)]
    assert slots[0].end == local(12, 2, 10)


def test_a_slot_renders_in_the_wire_shape_and_for_people(frozen_clock, ada_weekly):
    slots = upcoming_slots(tutors=[ada_weekly], now=frozen_clock)[ada_weekly.pk]
    slots = [slot for slot in slots if slot.day == "Monday"]

    assert slots[0].as_json() == {
        "day": "Monday",
        "time": "10:00-10:30",
        "mode": "online",
        "start": "2026-12-07T10:00:00-08:00",
    }
    assert slots[0].label() == "Mon Dec 7, 10:00–10:30 AM, online"
    assert slots[3].label() == "Mon Dec 7, 11:30 AM–12:00 PM, online"


def test_checking_one_slot_runs_a_constant_number_of_queries(
    frozen_clock, ada_weekly, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert offered_slot(tutor_id=ada_weekly.pk, start=local(12, 7, 10)) is not None


def test_the_bookable_window_runs_from_the_notice_period_to_the_horizon(frozen_clock):
    assert bookable_window(frozen_clock) == (local(12, 2, 11), local(12, 16, 9))


@pytest.mark.parametrize(
    ("moment", "part"),
    [
        (time(0, 0), "morning"),
        (time(11, 59), "morning"),
        (time(12), "afternoon"),
        (time(16, 59), "afternoon"),
        (time(17), "evening"),
        (time(23, 30), "evening"),
    ],
)
def test_a_time_belongs_to_one_part_of_the_day(moment, part):
    assert part_of_day(moment) == part


def test_a_booked_session_is_not_offered_to_check_again(frozen_clock, ada_weekly):
    book(ada_weekly, local(12, 7, 10))

    assert offered_slot(tutor_id=ada_weekly.pk, start=local(12, 7, 10)) is None
    assert offered_slot(tutor_id=ada_weekly.pk, start=local(12, 7, 10, 30)) is not None


def test_a_session_outside_the_window_or_weekly_hours_is_not_offered(frozen_clock, ada_weekly):
    assert offered_slot(tutor_id=ada_weekly.pk, start=local(12, 2, 10)) is None  # notice
    assert offered_slot(tutor_id=ada_weekly.pk, start=local(12, 21, 10)) is None  # horizon
    assert offered_slot(tutor_id=ada_weekly.pk, start=local(12, 8, 10)) is None  # a Tuesday


def test_a_slot_read_back_from_its_wire_shape_has_the_same_label(frozen_clock, ada_weekly):
    slot = upcoming_slots(tutors=[ada_weekly], now=frozen_clock)[ada_weekly.pk][0]

    again = OfferedSlot.from_json(slot.as_json(), tutor_id=ada_weekly.pk, location=slot.location)

    assert again == slot
    assert again.label() == "Wed Dec 2, 11:00–11:30 AM, online"
