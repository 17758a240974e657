"""Small builders shared by the slot, ranking and directory tests: local times, tutors, bookings."""

from datetime import datetime, timedelta

from tests.conftest import CENTER_ZONE, add_availability
from tutoring.models import Booking, Subject, Tutor


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """Return a center-local moment: ``local(12, 7, 10)`` is Monday Dec 7, 2026, 10:00 AM."""
    return datetime(year, month, day, hour, minute, tzinfo=CENTER_ZONE)


def make_tutor(name: str, subjects: list[str], *windows) -> Tutor:
    """Create a tutor teaching ``subjects`` with weekly ``windows`` (see add_availability)."""
    tutor = Tutor.objects.create(name=name, email=f"{name.lower().replace(' ', '.')}@example.edu")
    tutor.subjects.set([Subject.objects.get_or_create(name=s)[0] for s in subjects])
    return add_availability(tutor, *windows)


def book(tutor: Tutor, start: datetime, **fields) -> Booking:
    """Book ``tutor`` for the 30-minute session at ``start``."""
    return Booking.objects.create(
        tutor=tutor,
        start=start,
        end=start + timedelta(minutes=30),
        mode="online",
        student_name="Someone",
        student_email="someone@example.com",
        college_email="someone@mail.ccsf.edu",
        specific_help="Anything.",
        **fields,
    )
