"""``manage.py student_data export|delete EMAIL``: everything stored about one student.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific. Sofia (sofia.park@example.com,
college spark@mail.ccsf.edu) has a session next Monday with Ada, booked from chat session
"booked", and one that ended ten days ago; chat session "drafting" has her booking form in
progress, "mentioned" has her college address in a message. "stranger" belongs to another
student whose text holds addresses that only look like hers, and who has a booking too.
"""

import io
import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from chat import store
from chat.ids import short_session_id
from chat.models import BookingDraft, ChatMessage, ChatSession, SearchCriteria
from chat.schemas import BookingInfoIn, SearchCriteriaIn
from tests.conftest import CENTER_NOW, CENTER_ZONE
from tutoring.booking import StudentAnswers, booking_create
from tutoring.models import ANONYMISED, ANONYMISED_EMAIL, Booking
from tutoring.redaction import short_booking_uid

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)
MONDAY_11 = datetime(2026, 12, 7, 11, 0, tzinfo=CENTER_ZONE)
PERSONAL = ("Sofia", "sofia.park", "spark@", "W1234567", "Recursion", "linked list")

OMAR = StudentAnswers(
    student_name="Omar Diaz",
    student_email="omar@example.com",
    college_email="odiaz@mail.ccsf.edu",
    student_id=None,
    allow_other_students=True,
    classes=("CS 110A",),
    specific_help="Loops.",
    additional_notes=None,
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("student_data", *args, stdout=out)
    return out.getvalue()


def session_saying(*texts: str) -> str:
    session = store.session_create()
    for text in texts:
        store.session_append_message(session.pk, role="user", content=text)
    return session.pk


def everything() -> dict:
    """Every row this feature may touch, as plain values."""
    return {
        "bookings": {b.pk: model_to_dict(b) for b in Booking.objects.all()},
        "sessions": sorted(ChatSession.objects.values_list("pk", "version")),
        "messages": ChatMessage.objects.count(),
        "drafts": BookingDraft.objects.count(),
        "criteria": SearchCriteria.objects.count(),
    }


@pytest.fixture
def world(frozen_clock, ada_weekly, student_answers) -> dict:
    booked = session_saying("Python on Monday around 10", "Sofia Park, sofia.park@example.com")
    upcoming = booking_create(
        tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers, chat_session_id=booked
    )
    with time_machine.travel(CENTER_NOW - timedelta(days=20), tick=False):
        past = Booking.objects.create(
            tutor=ada_weekly,
            start=CENTER_NOW - timedelta(days=10, minutes=30),
            end=CENTER_NOW - timedelta(days=10),
            mode="online",
            status="attended",
            student_name="Sofia Park",
            student_email="SOFIA.PARK@example.com",
            college_email="spark@mail.ccsf.edu",
            student_id="W1234567",
            specific_help="Recursion in my linked list assignment.",
        )
    drafting = session_saying("C++ on Wednesday")
    with store.session_write(drafting) as write:
        write.set_booking_info(
            BookingInfoIn(
                step="ccsf-email", student_name="Sofia Park", student_email="Sofia.Park@Example.com"
            )
        )
    mentioned = session_saying("hi", "my college email is SPARK@mail.ccsf.edu.")
    stranger = session_saying(
        "write to tsofia.park@example.com or sofia.park@example.com.au",
        "or sofia.park@example.community please",
    )
    with store.session_write(stranger) as write:
        write.set_search_criteria(SearchCriteriaIn(text="xspark@mail.ccsf.edu tutoring"))
    others = booking_create(
        tutor_id=ada_weekly.pk, start=MONDAY_11, answers=OMAR, chat_session_id=stranger
    )
    mail.outbox.clear()
    return {
        "booked": booked,
        "drafting": drafting,
        "mentioned": mentioned,
        "stranger": stranger,
        "upcoming": upcoming,
        "past": past,
        "others": others,
    }


# --- export -----------------------------------------------------------------------------------


def test_export_prints_her_bookings_and_every_session_that_names_her(world):
    data = json.loads(run("export", "Sofia.Park@EXAMPLE.com"))

    assert data["emails"] == ["sofia.park@example.com"]
    assert [b["uid"] for b in data["bookings"]] == [
        str(world["past"].uid),
        str(world["upcoming"].uid),
    ]
    upcoming = data["bookings"][1]
    assert upcoming["studentName"] == "Sofia Park"
    assert upcoming["collegeEmail"] == "spark@mail.ccsf.edu"
    assert upcoming["studentId"] == "W1234567"
    assert upcoming["tutor"] == "Ada Lin"
    assert upcoming["chatSessionId"] == world["booked"]
    found = {s["id"]: s["foundBy"] for s in data["chatSessions"]}
    assert found == {
        world["booked"]: ["booking", "messages"],
        world["drafting"]: ["booking form"],
    }
    booked = next(s for s in data["chatSessions"] if s["id"] == world["booked"])
    assert [m["content"] for m in booked["messages"]][1:] == [
        "Python on Monday around 10",
        "Sofia Park, sofia.park@example.com",
    ]
    drafting = next(s for s in data["chatSessions"] if s["id"] == world["drafting"])
    assert drafting["bookingInfo"]["studentEmail"] == "sofia.park@example.com"


def test_export_by_her_college_address_finds_the_bookings_and_the_messages_naming_it(world):
    data = json.loads(run("export", "spark@mail.ccsf.edu"))

    assert len(data["bookings"]) == 2
    found = {s["id"]: s["foundBy"] for s in data["chatSessions"]}
    assert found == {world["booked"]: ["booking"], world["mentioned"]: ["messages"]}


def test_export_with_both_addresses_finds_everything_and_never_the_stranger(world):
    data = json.loads(run("export", "sofia.park@example.com", "spark@mail.ccsf.edu"))

    assert {s["id"] for s in data["chatSessions"]} == {
        world["booked"],
        world["drafting"],
        world["mentioned"],
    }
    assert str(world["others"].uid) not in json.dumps(data)


def test_an_address_that_names_nobody_exports_nothing(world):
    data = json.loads(run("export", "nobody@example.com"))

    assert (data["bookings"], data["chatSessions"]) == ([], [])


@pytest.mark.parametrize("email", ["sofia", "sofia park@example.com", "@example.com", " "])
def test_something_that_is_not_an_address_is_refused_and_changes_nothing(world, email):
    before = everything()

    for action in ("export", "delete"):
        with pytest.raises(CommandError, match="Give the student's email address"):
            run(action, email)

    assert everything() == before


# --- delete -----------------------------------------------------------------------------------


def test_a_dry_run_says_what_would_go_and_changes_nothing(world):
    before = everything()

    out = run("delete", "sofia.park@example.com", "spark@mail.ccsf.edu", "--dry-run")

    assert everything() == before
    sessions = {
        world["booked"]: "3 messages; the address is in its booking, messages",
        world["drafting"]: "2 messages; the address is in its booking form",
        world["mentioned"]: "3 messages; the address is in its messages",
    }
    assert out.splitlines() == [
        *(f"chat session {short_session_id(pk)}: {sessions[pk]}" for pk in sorted(sessions)),
        f"booking {short_booking_uid(world['past'].uid)}: anonymise",
        f"booking {short_booking_uid(world['upcoming'].uid)}: to come: cancel, then anonymise",
        "Would delete 3 chat sessions (8 messages), cancel 1 bookings to come and anonymise "
        "2 bookings. Nothing was changed (--dry-run).",
    ]


def test_delete_removes_her_sessions_cancels_what_is_to_come_and_anonymises_her_bookings(world):
    out = run("delete", "sofia.park@example.com", "spark@mail.ccsf.edu")

    assert out == (
        "Deleted 3 chat sessions (8 messages), cancelled 1 bookings to come and anonymised "
        "2 bookings for the address(es) given.\n"
    )
    for name in ("booked", "drafting", "mentioned"):
        assert not ChatSession.objects.filter(pk=world[name]).exists()
        assert not ChatMessage.objects.filter(session_id=world[name]).exists()
    assert not BookingDraft.objects.exists()
    upcoming = Booking.objects.get(pk=world["upcoming"].pk)
    assert upcoming.status == Booking.Status.CANCELLED
    for booking in (upcoming, Booking.objects.get(pk=world["past"].pk)):
        assert booking.student_name == booking.specific_help == ANONYMISED
        assert booking.student_email == booking.college_email == ANONYMISED_EMAIL
        assert (booking.student_id, booking.chat_session_id) == ("", "")
        assert booking.anonymised_at == CENTER_NOW
    assert Booking.objects.get(pk=world["past"].pk).status == Booking.Status.ATTENDED


def test_delete_leaves_other_students_alone(world):
    stranger_before = ChatMessage.objects.filter(session_id=world["stranger"]).count()

    run("delete", "sofia.park@example.com", "spark@mail.ccsf.edu")

    assert ChatMessage.objects.filter(session_id=world["stranger"]).count() == stranger_before
    assert SearchCriteria.objects.filter(session_id=world["stranger"]).exists()
    others = Booking.objects.get(pk=world["others"].pk)
    assert (others.student_name, others.status) == ("Omar Diaz", Booking.Status.CONFIRMED)
    assert others.anonymised_at is None


def test_a_second_delete_finds_nothing_and_changes_nothing(world):
    run("delete", "sofia.park@example.com")
    before = everything()

    out = run("delete", "sofia.park@example.com")

    assert everything() == before
    assert out == (
        "Deleted 0 chat sessions (0 messages), cancelled 0 bookings to come and anonymised "
        "0 bookings for the address(es) given.\n"
    )
    assert json.loads(run("export", "sofia.park@example.com"))["bookings"] == []


def test_the_output_names_no_personal_data(world):
    out = run("delete", "sofia.park@example.com", "spark@mail.ccsf.edu", "--dry-run") + run(
        "delete", "sofia.park@example.com", "spark@mail.ccsf.edu"
    )

    for secret in PERSONAL:
        assert secret not in out
    for name in ("booked", "drafting", "mentioned"):
        assert world[name] not in out
    for name in ("upcoming", "past"):
        assert str(world[name].uid) not in out


@pytest.mark.django_db(transaction=True)
def test_the_cancelled_slot_frees_and_she_is_told_before_her_addresses_go(
    tutoring_settings, ada_weekly, student_answers
):
    with time_machine.travel(CENTER_NOW, tick=False):
        booking = booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)
        mail.outbox.clear()

        run("delete", "sofia.park@example.com")
        again = booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=OMAR)

    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert again.status == Booking.Status.CONFIRMED
    cancellation = mail.outbox[0]
    assert cancellation.to == ["sofia.park@example.com", "spark@mail.ccsf.edu"]
    assert "METHOD:CANCEL" in cancellation.attachments[0][1]
