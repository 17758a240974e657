"""Weekly availability across daylight-saving changes (US Pacific).

"Monday 10:00" means 10:00 on the center's wall clock in every week: PDT (-07:00) before the
clocks go back on Sunday Nov 1, 2026, PST (-08:00) after, and PDT again from Sunday
March 14, 2027. Times the clock skips or repeats are never offered as sessions.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import CENTER_ZONE, add_availability
from tutoring.booking import booking_create
from tutoring.ranking import Wish, tutors_match
from tutoring.slots import offered_slot, upcoming_slots

pytestmark = pytest.mark.django_db

HOURS = timedelta(hours=1)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CENTER_ZONE)


@pytest.fixture
def week_before_fall_back(tutoring_settings):
    """Wednesday Oct 28, 2026, 9:00 AM PDT; the clocks go back on Sunday Nov 1."""
    with time_machine.travel(at(2026, 10, 28, 9), tick=False):
        yield


@pytest.fixture
def week_before_spring_forward(tutoring_settings):
    """Wednesday March 10, 2027, 9:00 AM PST; the clocks go forward on Sunday March 14."""
    with time_machine.travel(at(2027, 3, 10, 9), tick=False):
        yield


@pytest.fixture
def ada(tutor_ada):
    """Ada: Monday and Thursday 10:00-11:00 online, and Sunday 01:00-04:00 (night owl)."""
    return add_availability(
        tutor_ada,
        ("Monday", "10:00", "11:00", "online", ""),
        ("Thursday", "10:00", "11:00", "online", ""),
        ("Sunday", "01:00", "04:00", "online", ""),
    )


def first_slot(**wish):
    return tutors_match(Wish(subjects=("Python",), **wish)).matches[0].slots[0]


def test_a_monday_slot_after_the_fall_change_is_offered_at_10_local_in_pst(
    week_before_fall_back, ada
):
    slot = first_slot(day="Monday", time=datetime(2000, 1, 1, 10).time())

    assert (slot.start.hour, slot.start.minute) == (10, 0)
    assert slot.start.utcoffset() == -8 * HOURS
    assert slot.start.astimezone(UTC) == datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    assert slot.as_json()["start"] == "2026-11-02T10:00:00-08:00"
    assert slot.as_json()["time"] == "10:00-10:30"


def test_a_thursday_slot_before_the_fall_change_is_offered_at_10_local_in_pdt(
    week_before_fall_back, ada
):
    slot = first_slot(day="Thursday")

    assert slot.as_json()["start"] == "2026-10-29T10:00:00-07:00"


def test_a_monday_slot_after_the_spring_change_is_offered_at_10_local_in_pdt(
    week_before_spring_forward, ada
):
    slot = first_slot(day="Monday")

    assert slot.as_json()["start"] == "2027-03-15T10:00:00-07:00"
    assert slot.start.astimezone(UTC) == datetime(2027, 3, 15, 17, 0, tzinfo=UTC)
    assert first_slot(day="Thursday").as_json()["start"] == "2027-03-11T10:00:00-08:00"


def test_a_session_after_the_change_is_booked_at_that_local_time(
    week_before_fall_back, ada, student_answers
):
    start = first_slot(day="Monday").start

    booking = booking_create(tutor_id=ada.pk, start=start, answers=student_answers)

    booking.refresh_from_db()
    local = timezone.localtime(booking.start, CENTER_ZONE)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-02", 10, 0)
    assert local.utcoffset() == -8 * HOURS
    assert booking.end - booking.start == timedelta(minutes=30)


def test_a_session_in_spring_is_booked_at_that_local_time(
    week_before_spring_forward, ada, student_answers
):
    booking = booking_create(tutor_id=ada.pk, start=at(2027, 3, 15, 10), answers=student_answers)

    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 15, 17, 0, tzinfo=UTC)


def test_times_the_clock_skips_are_never_offered(week_before_spring_forward, ada):
    slots = upcoming_slots(tutors=[ada], now=timezone.now())[ada.pk]
    march_14 = [s.as_json()["start"] for s in slots if s.start.date().isoformat() == "2027-03-14"]

    # 01:30 would end at 03:00 (the clock jumps from 02:00), 02:00 and 02:30 do not exist.
    assert march_14 == [
        "2027-03-14T01:00:00-08:00",
        "2027-03-14T03:00:00-07:00",
        "2027-03-14T03:30:00-07:00",
    ]
    assert offered_slot(tutor_id=ada.pk, start=at(2027, 3, 14, 1, 30)) is None


def test_the_repeated_hour_offers_only_sessions_that_last_one_session(week_before_fall_back, ada):
    slots = upcoming_slots(tutors=[ada], now=timezone.now())[ada.pk]
    november_1 = [s for s in slots if s.start.date().isoformat() == "2026-11-01"]

    # 01:30 PDT + 30 minutes is 01:00 PST: that session is cut by the change and left out.
    assert [s.as_json()["start"] for s in november_1] == [
        "2026-11-01T01:00:00-07:00",
        "2026-11-01T02:00:00-08:00",
        "2026-11-01T02:30:00-08:00",
        "2026-11-01T03:00:00-08:00",
        "2026-11-01T03:30:00-08:00",
    ]
    assert all(s.end - s.start == timedelta(minutes=30) for s in november_1)
    # The first 01:00 is a real, bookable session, even though 01:00 happens twice.
    assert offered_slot(tutor_id=ada.pk, start=november_1[0].start) is not None
