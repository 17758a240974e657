"""Support commands: one chat session (show, export, delete), the idle-session purge, the
bookings export and the reminder emails.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific where dates matter; the
demo roster is loaded where a real conversation is needed.
"""

import csv
import io
import json
import smtplib
import threading
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from chat import store
from chat.assistant.turn import take_turn
from chat.ids import short_session_id
from chat.models import (
    BookingDraft,
    ChatMessage,
    ChatSession,
    PurgedSessionCount,
    SearchCriteria,
    SessionMatch,
)
from tests.conftest import CENTER_NOW, CENTER_ZONE
from tests.threads import run_concurrently
from tutoring import notifications
from tutoring.booking import booking_cancel, booking_create
from tutoring.models import Booking, Tutor
from tutoring.redaction import short_booking_uid

pytestmark = pytest.mark.django_db

WELL_FORMED_UNKNOWN = "A" * 32
BAD_IDS = ["not-an-id", "A" * 31, "A" * 33, "A" * 31 + "!", ""]


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def conversation(text_turns: list[str]) -> ChatSession:
    """A session in which the student said ``text_turns`` to the assistant."""
    session = store.session_create()
    for text in text_turns:
        take_turn(session.pk, text=text)
    return ChatSession.objects.get(pk=session.pk)


def rows_of(session_id: str) -> dict[str, int]:
    return {
        "sessions": ChatSession.objects.filter(pk=session_id).count(),
        "messages": ChatMessage.objects.filter(session_id=session_id).count(),
        "matches": SessionMatch.objects.filter(session_id=session_id).count(),
        "criteria": SearchCriteria.objects.filter(session_id=session_id).count(),
        "drafts": BookingDraft.objects.filter(session_id=session_id).count(),
    }


# --- chat_session show / export / delete ----------------------------------------------------


@pytest.fixture
def chatted(demo_roster) -> ChatSession:
    """Python on Monday at 10, slot 1 picked: criteria, matches and a booking form exist."""
    return conversation(["Python on Monday around 10", "1", "Sam Lee, sam@example.com"])


def test_show_prints_the_state_and_the_whole_transcript(chatted):
    out, _ = run("chat_session", "show", chatted.pk)

    assert f"Chat session {chatted.pk}" in out
    assert "Search: Python · Monday · 10:00 · any mode" in out
    assert "Pending match: Maya Okafor (1.00): Mon 2026-12-07 10:00-10:30 on campus" in out
    assert "  1. Maya Okafor" in out
    assert "  step: ccsf-email" in out
    assert "  name: Sam Lee" in out
    assert "#1 " in out
    assert "#7 " in out
    assert "#8 " not in out
    assert "user:\n    Python on Monday around 10" in out
    assert "Bookings: none" in out


def test_export_prints_the_api_state_with_every_message(chatted, settings):
    settings.CHAT_STATE_MESSAGES = 2

    out, _ = run("chat_session", "export", chatted.pk)

    data = json.loads(out)
    assert set(data) >= {
        "id",
        "version",
        "messages",
        "pendingMatch",
        "lastSearchCriteria",
        "availableTutorsList",
        "bookingInfo",
        "createdAt",
        "lastAccessedAt",
    }
    assert data["id"] == chatted.pk
    assert [m["seq"] for m in data["messages"]] == [1, 2, 3, 4, 5, 6, 7]
    assert data["messagesPage"]["hasOlder"] is False
    assert data["lastSearchCriteria"]["skill"] == ["Python"]
    assert data["pendingMatch"]["tutor"]["name"] == "Maya Okafor"
    assert data["bookingInfo"]["studentEmail"] == "sam@example.com"


def test_delete_removes_the_session_and_all_its_rows_but_keeps_its_bookings(
    chatted, student_answers
):
    maya = Tutor.objects.get(name="Maya Okafor")
    booking_create(
        tutor_id=maya.pk,
        start=datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE),
        answers=student_answers,
        chat_session_id=chatted.pk,
    )
    assert all(rows_of(chatted.pk).values())

    out, _ = run("chat_session", "delete", chatted.pk)

    assert set(rows_of(chatted.pk).values()) == {0}
    assert Booking.objects.filter(chat_session_id=chatted.pk).count() == 1
    assert out.strip() == (
        f"Deleted chat session {short_session_id(chatted.pk)} (7 messages, its search, "
        "matches and booking form); 1 booking(s) kept."
    )
    assert chatted.pk not in out


def test_delete_dry_run_changes_nothing(chatted):
    before = rows_of(chatted.pk)

    out, _ = run("chat_session", "delete", chatted.pk, "--dry-run")

    assert out.startswith(f"Would delete chat session {short_session_id(chatted.pk)}")
    assert rows_of(chatted.pk) == before


def test_delete_goes_through_the_store(monkeypatch):
    session = store.session_create()
    called = []
    real = store.session_delete
    monkeypatch.setattr(store, "session_delete", lambda sid, **kw: called.append(sid) or real(sid))

    run("chat_session", "delete", session.pk)

    assert called == [session.pk]


@pytest.mark.parametrize("session_id", ["-" + "a" * 31, "--" + "b" * 30, "-h" + "c" * 30])
def test_an_id_that_starts_with_a_dash_is_read_as_an_id(session_id):
    ChatSession.objects.create(id=session_id)
    store.session_append_message(session_id, role="user", content="hello")

    shown, _ = run("chat_session", "show", session_id)
    exported, _ = run("chat_session", "export", session_id)
    kept, _ = run("chat_session", "delete", "--dry-run", session_id)
    run("chat_session", "delete", session_id, "--dry-run")
    deleted, _ = run("chat_session", "delete", session_id)

    assert shown.startswith(f"Chat session {session_id}\n")
    assert json.loads(exported)["messages"][0]["content"] == "hello"
    assert kept.startswith("Would delete")
    assert deleted.startswith(f"Deleted chat session {short_session_id(session_id)}")
    assert not ChatSession.objects.filter(pk=session_id).exists()


@pytest.mark.parametrize("action", ["show", "export", "delete"])
@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_malformed_id_is_refused_with_how_to_find_the_right_one(action, bad_id):
    session = store.session_create()

    with pytest.raises(CommandError, match="not a chat session id.*Copy it from"):
        run("chat_session", action, bad_id)

    assert ChatSession.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize("action", ["show", "export", "delete"])
def test_an_unknown_id_is_refused_without_printing_it_in_full(action):
    session = store.session_create()

    with pytest.raises(CommandError, match="No chat session AAAAAA… exists") as refused:
        run("chat_session", action, WELL_FORMED_UNKNOWN)

    assert WELL_FORMED_UNKNOWN not in str(refused.value)
    assert ChatSession.objects.count() == 1
    assert ChatSession.objects.filter(pk=session.pk).exists()


# --- purge_chat_sessions ------------------------------------------------------------------


@pytest.fixture
def old_and_recent(demo_roster) -> tuple[ChatSession, ChatSession]:
    """A session last used 100 days ago (with every kind of row) and one used today."""
    with time_machine.travel(CENTER_NOW - timedelta(days=100), tick=False):
        old = conversation(["Python on Monday around 10", "1", "Sam Lee, sam@example.com"])
    recent = conversation(["C++ on Wednesday afternoon", "1"])
    return old, recent


def test_purge_removes_idle_sessions_with_all_their_rows_and_keeps_recent_ones(
    old_and_recent, settings
):
    old, recent = old_and_recent
    assert all(rows_of(old.pk).values())
    recent_rows = rows_of(recent.pk)
    settings.CHAT_IDLE_DAYS = 90

    out, _ = run("purge_chat_sessions")

    assert set(rows_of(old.pk).values()) == {0}
    assert rows_of(recent.pk) == recent_rows
    assert out.strip() == (
        "Purged 1 chat sessions (7 messages) last active before 2026-09-03 10:00 PDT; "
        "anonymous daily counts kept."
    )
    assert old.pk not in out


def test_purge_keeps_anonymous_daily_counts(old_and_recent):
    old, _recent = old_and_recent

    run("purge_chat_sessions", "--idle-days", "30")
    run("purge_chat_sessions", "--idle-days", "30")  # again, from cron: nothing more

    count = PurgedSessionCount.objects.get()
    assert (count.day, count.sessions, count.messages) == (
        (CENTER_NOW - timedelta(days=100)).date(),
        1,
        7,
    )


def test_purge_adds_to_the_count_of_a_day_purged_before(demo_roster):
    day = CENTER_NOW - timedelta(days=100)
    with time_machine.travel(day, tick=False):
        first = conversation(["Python on Monday"])
    run("purge_chat_sessions")
    with time_machine.travel(day + timedelta(hours=2), tick=False):
        second = conversation(["Java on Tuesday", "1"])

    run("purge_chat_sessions")

    assert not ChatSession.objects.filter(pk__in=[first.pk, second.pk]).exists()
    count = PurgedSessionCount.objects.get()
    assert (count.sessions, count.messages) == (2, 3 + 5)


def test_purge_with_a_shorter_idle_period_removes_more(old_and_recent):
    old, recent = old_and_recent
    with time_machine.travel(CENTER_NOW + timedelta(days=2), tick=False):
        out, _ = run("purge_chat_sessions", "--idle-days", "1")

    assert not ChatSession.objects.filter(pk__in=[old.pk, recent.pk]).exists()
    assert out.startswith("Purged 2 chat sessions (12 messages)")


def test_purge_dry_run_lists_short_ids_and_changes_nothing(old_and_recent):
    old, recent = old_and_recent
    before = (rows_of(old.pk), rows_of(recent.pk))

    out, _ = run("purge_chat_sessions", "--dry-run")

    assert (rows_of(old.pk), rows_of(recent.pk)) == before
    assert not PurgedSessionCount.objects.exists()
    assert f"{short_session_id(old.pk)} last active 2026-08-24 09:00 PDT, 7 messages" in out
    assert "Would purge 1 chat sessions (7 messages)" in out
    assert "Nothing was changed (--dry-run)." in out
    assert old.pk not in out
    assert recent.pk not in out


def test_purge_works_through_many_sessions_batch_by_batch(frozen_clock):
    from chat import retention

    idle = [store.session_create() for _ in range(5)]
    kept = store.session_create()
    ChatSession.objects.exclude(pk=kept.pk).update(
        last_activity_at=CENTER_NOW - timedelta(days=200)
    )

    done = retention.purge_idle_sessions(cutoff=retention.idle_cutoff(idle_days=90), batch_size=2)

    assert len(done.sessions) == 5
    assert list(ChatSession.objects.values_list("pk", flat=True)) == [kept.pk]
    count = PurgedSessionCount.objects.get()
    assert (count.day, count.sessions, count.messages) == (CENTER_NOW.date(), 5, 5)
    assert {s.short_id for s in done.sessions} == {short_session_id(s.pk) for s in idle}


@pytest.mark.parametrize("days", ["0", "-5"])
def test_purge_refuses_an_idle_period_under_a_day(old_and_recent, days):
    with pytest.raises(CommandError, match="--idle-days must be at least 1"):
        run("purge_chat_sessions", "--idle-days", days)

    assert ChatSession.objects.count() == 2


def test_purge_refuses_an_idle_period_that_is_not_a_number():
    with pytest.raises(CommandError, match="--idle-days"):
        run("purge_chat_sessions", "--idle-days", "ninety")


@pytest.mark.django_db(transaction=True)
def test_purge_never_deletes_a_session_being_written_at_that_moment():
    """A writer holds an idle session's lock while the purge runs: the session survives."""
    busy, idle = store.session_create(), store.session_create()
    long_ago = CENTER_NOW - timedelta(days=365)
    ChatSession.objects.filter(pk__in=[busy.pk, idle.pk]).update(last_activity_at=long_ago)
    locked, purged = threading.Event(), threading.Event()
    postgres = connection.vendor == "postgresql"

    def writer():
        with store.session_write(busy.pk) as write:
            write.append_message(role="user", content="still here")
            locked.set()
            if postgres:
                # Hold the row lock until the purge is done: it must skip this row.
                assert purged.wait(30)
            else:
                # SQLite: the purge waits for this write lock, then sees the new activity.
                time.sleep(0.5)

    def purger():
        assert locked.wait(30)
        try:
            return run("purge_chat_sessions", "--idle-days", "30")[0]
        finally:
            purged.set()

    _none, out = run_concurrently([writer, purger])

    assert ChatSession.objects.filter(pk=busy.pk).exists()
    assert ChatMessage.objects.filter(session_id=busy.pk, content="still here").exists()
    assert not ChatSession.objects.filter(pk=idle.pk).exists()
    assert out.startswith("Purged 1 chat sessions")


# --- export_bookings ------------------------------------------------------------------------


@pytest.fixture
def week_of_bookings(frozen_clock, ada_weekly, ben_weekly, student_answers):
    """Ada Wed Dec 2 2 PM, Ben Thu Dec 3 6 PM (Dec 4 in UTC), Ada Mon Dec 7 10 AM."""
    starts = [
        (ada_weekly, datetime(2026, 12, 2, 14, 0, tzinfo=CENTER_ZONE)),
        (ben_weekly, datetime(2026, 12, 3, 18, 0, tzinfo=CENTER_ZONE)),
        (ada_weekly, datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)),
    ]
    return [
        booking_create(tutor_id=tutor.pk, start=start, answers=student_answers)
        for tutor, start in starts
    ]


def test_export_bookings_writes_the_days_asked_for_in_the_centers_time_zone(week_of_bookings):
    out, err = run("export_bookings", "--from", "2026-12-02", "--to", "2026-12-03")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["start"] for row in rows] == ["2026-12-02T14:00-08:00", "2026-12-03T18:00-08:00"]
    assert [row["tutor"] for row in rows] == ["Ada Lin", "Ben Ortiz"]
    assert err.strip() == "Exported 2 bookings from 2026-12-02 to 2026-12-03."


def test_export_bookings_includes_both_end_days_and_cancelled_bookings(week_of_bookings):
    booking_cancel(booking=week_of_bookings[2])

    out, _ = run("export_bookings", "--from", "2026-12-07", "--to", "2026-12-07")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["start"], row["status"]) for row in rows] == [
        ("2026-12-07T10:00-08:00", "cancelled")
    ]


def test_export_bookings_uses_the_same_columns_and_guard_as_the_admin(
    frozen_clock, ada_weekly, student_answers, tmp_path
):
    from tutoring.exports import HEADER

    booking = booking_create(
        tutor_id=ada_weekly.pk,
        start=datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE),
        answers=student_answers,
    )
    # A row stored before answers were validated (or edited in the database) may hold a
    # formula; the export defuses it all the same.
    Booking.objects.filter(pk=booking.pk).update(student_name="=1+1", additional_notes="-cmd")
    target = tmp_path / "bookings.csv"

    out, _ = run(
        "export_bookings", "--from", "2026-12-01", "--to", "2026-12-31", "--output", str(target)
    )

    assert out.strip() == f"Exported 1 bookings from 2026-12-01 to 2026-12-31 to {target}."
    rows = list(csv.reader(target.open(newline="", encoding="utf-8")))
    assert rows[0] == HEADER
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["student name"] == "'=1+1"
    assert record["notes"] == "'-cmd"


def test_export_bookings_of_an_empty_range_is_a_header_only(frozen_clock):
    out, err = run("export_bookings", "--from", "2027-01-01", "--to", "2027-01-31")

    assert len(list(csv.reader(io.StringIO(out)))) == 1
    assert "Exported 0 bookings" in err


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2026-13-01", "2026-12-31", "'2026-13-01' is not a date; write it as YYYY-MM-DD"),
        ("12/01/2026", "2026-12-31", "'12/01/2026' is not a date"),
        ("2026-12-01", "20261231", "'20261231' is not a date"),
        ("2026-12-01", "2026-02-30", "'2026-02-30' is not a date"),
        ("2026-12-31", "2026-12-01", "--from 2026-12-31 is after --to 2026-12-01"),
    ],
)
def test_export_bookings_refuses_bad_dates_and_writes_nothing(
    week_of_bookings, tmp_path, first, last, message
):
    target = tmp_path / "bookings.csv"

    with pytest.raises(CommandError, match=message):
        run("export_bookings", "--from", first, "--to", last, "--output", str(target))

    assert not target.exists()


def test_export_bookings_needs_both_dates(frozen_clock):
    with pytest.raises(CommandError, match="--to"):
        run("export_bookings", "--from", "2026-12-01")


def test_export_bookings_says_when_the_output_cannot_be_written(week_of_bookings, tmp_path):
    target = tmp_path / "missing-folder" / "bookings.csv"

    with pytest.raises(CommandError, match="Cannot write .*Check that its folder exists"):
        run(
            "export_bookings", "--from", "2026-12-01", "--to", "2026-12-31", "--output", str(target)
        )


# --- send_reminders -----------------------------------------------------------------------


@pytest.fixture
def reminders_due(week_of_bookings, django_capture_on_commit_callbacks):
    """Run send_reminders with its emails going out as they would after each commit."""

    def send(*args) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return run("send_reminders", *args)[0]

    return send


def test_reminders_go_to_tomorrows_bookings_once(week_of_bookings, reminders_due):
    thursday = week_of_bookings[1]

    first = reminders_due()
    second = reminders_due()

    assert first.strip() == "Sent 1 reminders for sessions on Thu 2026-12-03."
    assert second.strip() == "Sent 0 reminders for sessions on Thu 2026-12-03."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sofia.park@example.com", "spark@mail.ccsf.edu"]
    assert mail.outbox[0].subject.startswith("Reminder: Tutoring with Ben Ortiz, Thu Dec 3")
    assert "your tutoring session is tomorrow" in mail.outbox[0].body
    thursday.refresh_from_db()
    assert thursday.reminder_sent_at == CENTER_NOW
    assert Booking.objects.filter(reminder_sent_at__isnull=False).count() == 1


def test_a_reminder_run_late_in_the_evening_still_means_the_next_local_day(
    week_of_bookings, reminders_due
):
    # 11:30 PM Pacific on Wednesday is already Thursday in UTC: tomorrow is still Thursday.
    with time_machine.travel(datetime(2026, 12, 2, 23, 30, tzinfo=CENTER_ZONE), tick=False):
        out = reminders_due()

    assert "for sessions on Thu 2026-12-03" in out
    assert len(mail.outbox) == 1


def test_reminders_skip_cancelled_bookings(week_of_bookings, reminders_due):
    booking_cancel(booking=week_of_bookings[1])
    mail.outbox.clear()

    out = reminders_due()

    assert out.startswith("Sent 0 reminders")
    assert mail.outbox == []


def test_reminders_dry_run_lists_what_is_due_and_sends_nothing(week_of_bookings, reminders_due):
    thursday = week_of_bookings[1]

    out = reminders_due("--dry-run")

    assert f"{short_booking_uid(thursday.uid)} Ben Ortiz 18:00" in out
    assert str(thursday.uid) not in out
    assert "Would send 1 reminders for Thu 2026-12-03. Nothing was sent (--dry-run)." in out
    assert mail.outbox == []
    thursday.refresh_from_db()
    assert thursday.reminder_sent_at is None


def test_a_reminder_that_fails_to_send_is_retried_by_the_next_run(
    week_of_bookings, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(booking_id: int) -> None:
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr(notifications, "send_booking_reminder", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        run("send_reminders")
    assert Booking.objects.get(pk=week_of_bookings[1].pk).reminder_sent_at is None

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        run("send_reminders")

    assert len(mail.outbox) == 1
    assert Booking.objects.get(pk=week_of_bookings[1].pk).reminder_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_each_reminder_once(
    tutoring_settings, ada_weekly, ben_weekly, student_answers
):
    with time_machine.travel(CENTER_NOW, tick=False):
        booking_create(
            tutor_id=ben_weekly.pk,
            start=datetime(2026, 12, 3, 18, 0, tzinfo=CENTER_ZONE),
            answers=student_answers,
        )
        mail.outbox.clear()
        outputs = run_concurrently([lambda: run("send_reminders")[0] for _ in range(4)])

    assert sorted(outputs) == sorted(
        ["Sent 1 reminders for sessions on Thu 2026-12-03.\n"]
        + ["Sent 0 reminders for sessions on Thu 2026-12-03.\n"] * 3
    )
    assert len(mail.outbox) == 1
