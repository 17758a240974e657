"""Shared fixtures: personas (tutors), a running server, helpers to read state back."""

import pytest

from tests.live import daphne
from tutoring.models import Subject, Tutor


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    """Rate-limit counters live in the (per-process) cache: start every test from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_remembered_outages():
    """Breakers and log-once notes are per process: what a test provoked ends with it."""
    from chat.broadcast import live_updates
    from tutoring.cache import reset_breakers
    from tutoring.ratelimits import forget_reported

    live_updates.reset()
    reset_breakers()
    forget_reported()
    yield
    live_updates.reset()
    reset_breakers()


@pytest.fixture
def tutor_ada(db) -> Tutor:
    """A Python and C++ tutor."""
    tutor = Tutor.objects.create(
        name="Ada Lin", pronouns="she/her", email="ada.lin@example.edu", bio="Loves recursion."
    )
    tutor.subjects.set([Subject.objects.get_or_create(name=name)[0] for name in ("Python", "C++")])
    return tutor


@pytest.fixture
def tutor_ben(db) -> Tutor:
    """A MIPS Assembly tutor."""
    tutor = Tutor.objects.create(
        name="Ben Ortiz", pronouns="he/him", email="ben.ortiz@example.edu", bio="Registers!"
    )
    tutor.subjects.set([Subject.objects.get_or_create(name="MIPS Assembly")[0]])
    return tutor


@pytest.fixture
def server(transactional_db):
    """A daphne process on a free port, serving the test database."""
    with daphne() as running:
        yield running


# --- Tutoring: a fixed clock, tutors with weekly availability, a student ------------------

import datetime as _dt  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import time_machine  # noqa: E402

from tutoring.booking import StudentAnswers  # noqa: E402
from tutoring.models import WEEKDAY_NAMES, AvailabilitySlot  # noqa: E402

CENTER_ZONE = ZoneInfo("America/Los_Angeles")
# Wednesday, December 2, 2026, 9:00 AM at the center: the next Monday is December 7.
CENTER_NOW = _dt.datetime(2026, 12, 2, 9, 0, tzinfo=CENTER_ZONE)


@pytest.fixture
def tutoring_settings(settings):
    """Pin the booking rules the tutoring tests assume, whatever the environment says."""
    settings.TIME_ZONE = "America/Los_Angeles"
    settings.CENTER_TIME_ZONE = "America/Los_Angeles"
    settings.BOOKING_HORIZON_DAYS = 14
    settings.BOOKING_MIN_NOTICE_HOURS = 2
    settings.TUTORING_SESSION_MINUTES = 30
    settings.SITE_URL = "https://tutoring.example.edu"
    settings.DEFAULT_FROM_EMAIL = "Tutoring Center <tutoring@example.edu>"
    return settings


@pytest.fixture
def frozen_clock(tutoring_settings):
    """Stop the clock at CENTER_NOW (Wednesday Dec 2, 2026, 9:00 AM Pacific)."""
    with time_machine.travel(CENTER_NOW, tick=False):
        yield CENTER_NOW


def add_availability(tutor: Tutor, *windows: tuple[str, str, str, str, str]) -> Tutor:
    """Give ``tutor`` weekly windows: ("Monday", "10:00", "12:00", "online", "")."""
    for day, start, end, mode, location in windows:
        AvailabilitySlot.objects.create(
            tutor=tutor,
            weekday=WEEKDAY_NAMES.index(day),
            start=_dt.time.fromisoformat(start),
            end=_dt.time.fromisoformat(end),
            mode=mode,
            location=location,
        )
    return tutor


@pytest.fixture
def ada_weekly(tutor_ada) -> Tutor:
    """Ada (Python, C++): Monday 10-12 online, Wednesday 8-12 online and 14-16 in Room 204."""
    return add_availability(
        tutor_ada,
        ("Monday", "10:00", "12:00", "online", "https://meet.example.edu/ada"),
        ("Wednesday", "08:00", "12:00", "online", "https://meet.example.edu/ada"),
        ("Wednesday", "14:00", "16:00", "on campus", "Room 204"),
    )


@pytest.fixture
def ben_weekly(tutor_ben) -> Tutor:
    """Ben (MIPS Assembly): Monday 10-11 on campus, Thursday 18-19 online."""
    return add_availability(
        tutor_ben,
        ("Monday", "10:00", "11:00", "on campus", "Room 310"),
        ("Thursday", "18:00", "19:00", "online", ""),
    )


@pytest.fixture
def student_answers(db) -> StudentAnswers:
    """Sofia, a student who wants help with recursion in CS 110A (a course of the roster)."""
    from tutoring.models import Course

    python, _created = Subject.objects.get_or_create(name="Python")
    Course.objects.get_or_create(code="CS 110A", defaults={"subject": python})
    return StudentAnswers(
        student_name="Sofia Park",
        student_email="sofia.park@example.com",
        college_email="spark@mail.ccsf.edu",
        student_id="W1234567",
        allow_other_students=False,
        classes=("CS 110A",),
        specific_help="Recursion in my linked list assignment.",
        additional_notes=None,
    )


# --- Staff tools: people at the admin door, the demo roster ---------------------------------

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402


@pytest.fixture
def demo_roster(frozen_clock) -> None:
    """The shipped demo roster (ten tutors), loaded with the clock frozen at CENTER_NOW."""
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def staff_user(db) -> User:
    """Charlie, who runs the center: a superuser with an admin login."""
    return User.objects.create_superuser("charlie", "charlie@example.edu", "pw-not-used")


@pytest.fixture
def student_user(db) -> User:
    """Bob, a student with a site account but no staff rights."""
    return User.objects.create_user("bob", "bob@example.com", "pw-not-used")
