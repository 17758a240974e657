"""``manage.py purge_bookings --older-than DAYS``: a booking long over keeps no personal data.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific. Sofia's bookings with Ada:
one that ended 400 days ago (attended), one 100 days ago (cancelled), one next Monday.
"""

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from tests.conftest import CENTER_NOW, CENTER_ZONE
from tests.threads import run_concurrently
from tutoring import notifications
from tutoring.booking import booking_create
from tutoring.models import ANONYMISED, ANONYMISED_EMAIL, Booking
from tutoring.redaction import short_booking_uid

pytestmark = pytest.mark.django_db

PERSONAL = ("Sofia", "sofia.park", "spark@", "W1234567", "Recursion", "linked list", "session-")
# What reports and exports need, which anonymising keeps.
KEPT = [
    "uid",
    "tutor",
    "start",
    "end",
    "mode",
    "location",
    "status",
    "subject",
    "classes",
    "allow_other_students",
    "created_at",
    "cancelled_at",
    "reminder_sent_at",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_bookings", *args, stdout=out)
    return out.getvalue()


def past_booking(tutor, *, ended_days_ago: int, status: str, answers) -> Booking:
    """A booking whose session ended ``ended_days_ago`` days before now (as if booked then)."""
    end = CENTER_NOW - timedelta(days=ended_days_ago)
    with time_machine.travel(end - timedelta(days=3), tick=False):
        return Booking.objects.create(
            tutor=tutor,
            start=end - timedelta(minutes=30),
            end=end,
            mode="online",
            location="https://meet.example.edu/ada",
            status=status,
            student_name=answers.student_name,
            student_email=answers.student_email,
            college_email=answers.college_email,
            student_id=answers.student_id,
            allow_other_students=True,
            classes=list(answers.classes),
            specific_help=answers.specific_help,
            additional_notes="Please bring the linked list code.",
            subject="Python",
            chat_session_id=f"session-{ended_days_ago}",
            cancelled_at=end - timedelta(days=1) if status == "cancelled" else None,
        )


@pytest.fixture
def bookings(frozen_clock, ada_weekly, student_answers) -> dict[str, Booking]:
    return {
        "old": past_booking(
            ada_weekly, ended_days_ago=400, status="attended", answers=student_answers
        ),
        "recent": past_booking(
            ada_weekly, ended_days_ago=100, status="cancelled", answers=student_answers
        ),
        "upcoming": booking_create(
            tutor_id=ada_weekly.pk,
            start=datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE),
            answers=student_answers,
        ),
    }


def snapshot() -> dict[int, dict]:
    return {b.pk: {**model_to_dict(b), "uid": b.uid} for b in Booking.objects.all()}


def test_it_anonymises_the_personal_fields_of_bookings_that_ended_long_ago(bookings):
    old = bookings["old"]
    before = {**model_to_dict(old), "uid": old.uid, "created_at": old.created_at}

    out = run("--older-than", "365")

    old.refresh_from_db()
    assert old.student_name == ANONYMISED == "(anonymised)"
    assert old.student_email == old.college_email == ANONYMISED_EMAIL
    assert old.student_id == ""
    assert old.specific_help == ANONYMISED
    assert old.additional_notes == ""
    assert old.chat_session_id == ""
    assert old.anonymised_at == CENTER_NOW
    after = {**model_to_dict(old), "uid": old.uid, "created_at": old.created_at}
    assert {name: after[name] for name in KEPT} == {name: before[name] for name in KEPT}
    old.full_clean()  # the placeholders satisfy the fields' own rules
    assert out == (
        "Anonymised 1 bookings that ended before 2025-12-02 09:00 PST; tutors, times, "
        "subjects, classes and statuses kept.\n"
    )


def test_it_leaves_bookings_that_ended_more_recently_and_upcoming_ones_alone(bookings):
    recent, upcoming = bookings["recent"], bookings["upcoming"]

    run("--older-than", "365")

    for booking in (recent, upcoming):
        stored = Booking.objects.get(pk=booking.pk)
        assert stored.student_name == "Sofia Park"
        assert stored.anonymised_at is None

    run("--older-than", "30")

    assert Booking.objects.get(pk=recent.pk).student_name == ANONYMISED
    assert Booking.objects.get(pk=upcoming.pk).student_name == "Sofia Park"


def test_a_second_run_changes_nothing(bookings):
    run("--older-than", "30")
    first = snapshot()

    with time_machine.travel(CENTER_NOW + timedelta(days=1), tick=False):
        out = run("--older-than", "30")

    assert snapshot() == first
    assert out.startswith("Anonymised 0 bookings that ended before 2026-11-03 09:00 PST")


def test_a_dry_run_lists_what_would_change_and_changes_nothing(bookings):
    before = snapshot()

    out = run("--older-than", "30", "--dry-run")

    assert snapshot() == before
    assert out.splitlines() == [
        f"{short_booking_uid(bookings['old'].uid)} 2025-10-28 08:30 attended",
        f"{short_booking_uid(bookings['recent'].uid)} 2026-08-24 08:30 cancelled",
        "Would anonymise 2 bookings that ended before 2026-11-02 09:00 PST. "
        "Nothing was changed (--dry-run).",
    ]


def test_its_output_names_no_personal_data(bookings):
    out = run("--older-than", "30", "--dry-run") + run("--older-than", "30")

    for secret in PERSONAL:
        assert secret not in out
    for booking in bookings.values():
        assert str(booking.uid) not in out


@pytest.mark.parametrize("days", ["0", "-5", "ninety", "1.5", ""])
def test_a_number_of_days_that_is_not_at_least_one_is_refused(bookings, days):
    with pytest.raises(CommandError, match=r"--older-than 365 to anonymise bookings that ended"):
        run("--older-than", days)

    assert Booking.objects.filter(anonymised_at__isnull=False).count() == 0


def test_the_number_of_days_is_required(bookings):
    with pytest.raises(CommandError, match="the following arguments are required: --older-than"):
        run()


def test_an_anonymised_booking_is_never_emailed(bookings):
    run("--older-than", "30")
    mail.outbox.clear()

    notifications.send_booking_cancellation(bookings["old"].pk)
    notifications.send_booking_reminder(bookings["old"].pk)

    assert mail.outbox == []


def test_staff_see_an_anonymised_booking_as_anonymised_and_cannot_fill_it_in_again(
    bookings, client, staff_user
):
    run("--older-than", "365")
    client.force_login(staff_user)

    listed = client.get("/admin/tutoring/booking/?anonymised_at__isnull=False").content.decode()
    page = client.get(f"/admin/tutoring/booking/{bookings['old'].pk}/change/").content.decode()

    assert "(anonymised)" in listed
    assert "Sofia" not in listed
    assert "(anonymised)" in page
    assert 'name="student_name"' not in page
    assert 'name="student_email"' not in page


def test_reports_still_count_anonymised_bookings(bookings):
    run("--older-than", "30")
    out = io.StringIO()

    call_command("export_bookings", "--from", "2025-10-01", "--to", "2026-12-31", stdout=out)

    csv = out.getvalue()
    assert csv.count("Ada Lin") == 3
    assert csv.count("(anonymised)") >= 2
    assert "Sofia" in csv  # the upcoming booking, untouched


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_anonymise_each_booking_once(
    tutoring_settings, ada_weekly, student_answers
):
    with time_machine.travel(CENTER_NOW, tick=False):
        for days in range(40, 60):
            past_booking(
                ada_weekly, ended_days_ago=days, status="attended", answers=student_answers
            )
        outputs = run_concurrently([lambda: run("--older-than", "30") for _ in range(4)])

    counts = sorted(int(out.split()[1]) for out in outputs)
    assert sum(counts) == 20
    assert Booking.objects.filter(anonymised_at__isnull=True).count() == 0
