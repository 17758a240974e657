"""Everything stored about one student, found by email address: export it, or delete it.

For a student's data request (``manage.py student_data export``) and deletion request
(``manage.py student_data delete``). Addresses match case-insensitively, in both the personal
and the college email fields. What names a student:

- bookings with the address as personal or college email;
- chat sessions that made one of those bookings (``Booking.chat_session_id``), whose booking
  form in progress (``BookingDraft``) has the address, or in whose messages or last search
  the address appears as a whole address (``sam@example.com`` does not match
  ``tsam@example.com.au``).

Deleting removes those sessions with every row they hold (``chat.store.session_delete``),
cancels their bookings still to come through ``tutoring.booking.booking_cancel`` (so the slot
frees and the student gets the calendar cancellation), then anonymises all their bookings as
the retention rule does (``bookings_anonymise``). Each step is its own transaction, in that
order, so the cancellation emails go out while the addresses are still there, and a run cut
short is finished by running it again: what is done no longer matches.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from chat import store, support
from chat.models import BookingDraft, ChatMessage, ChatSession, SearchCriteria
from tutoring.booking import (
    BookingNotCancellable,
    booking_can_cancel,
    booking_cancel,
    bookings_anonymise,
)
from tutoring.models import Booking

FOUND_BY_BOOKING = "booking"
FOUND_BY_DRAFT = "booking form"
FOUND_BY_TEXT = "messages"

# Characters that may stand next to an address without being part of it: anything but the
# characters of a local part before it, and anything but a domain's characters after it.
_BEFORE = r"(?<![A-Za-z0-9.!#$%&'*+/=?^_`{|}~-])"
_AFTER = r"(?![A-Za-z0-9-]|\.[A-Za-z0-9])"


class NotAnEmail(ValueError):
    """An address to look for is not an email address."""


@dataclass
class StudentRecords:
    """What is stored about the student with these addresses, as found at one moment."""

    emails: tuple[str, ...]
    bookings: list[Booking]
    # Session id -> how it was found (FOUND_BY_*), in id order.
    sessions: dict[str, list[str]] = field(default_factory=dict)

    def upcoming(self, now: datetime.datetime) -> list[Booking]:
        """Return the bookings still to come that deleting cancels."""
        return [booking for booking in self.bookings if booking_can_cancel(booking, now=now)]


@dataclass(frozen=True)
class DeleteResult:
    sessions: int
    messages: int
    cancelled: int
    anonymised: int


def normalise_emails(emails: Iterable[str]) -> tuple[str, ...]:
    """Return the addresses stripped, lower-cased and de-duplicated; raise ``NotAnEmail``."""
    found: list[str] = []
    for email in emails:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise NotAnEmail(email) from None
        if email not in found:
            found.append(email)
    if not found:
        raise NotAnEmail("")
    return tuple(found)


def student_records(*, emails: Iterable[str]) -> StudentRecords:
    """Return every booking and chat session that names one of ``emails``."""
    emails = normalise_emails(emails)
    bookings = list(
        Booking.objects.filter(_any_of(emails, "student_email", "college_email"))
        # An anonymised booking names nobody (and its placeholder address is everyone's).
        .filter(anonymised_at__isnull=True)
        .select_related("tutor")
        .order_by("start", "pk")
    )
    sessions: dict[str, list[str]] = {}

    def found(session_ids: Iterable[str], how: str) -> None:
        for session_id in session_ids:
            sessions.setdefault(session_id, [])
            if how not in sessions[session_id]:
                sessions[session_id].append(how)

    booked = {booking.chat_session_id for booking in bookings if booking.chat_session_id}
    found(ChatSession.objects.filter(pk__in=booked).values_list("pk", flat=True), FOUND_BY_BOOKING)
    drafts = BookingDraft.objects.filter(_any_of(emails, "student_email", "college_email"))
    found(drafts.values_list("session_id", flat=True), FOUND_BY_DRAFT)
    found(_sessions_whose_text_names(emails), FOUND_BY_TEXT)
    return StudentRecords(emails=emails, bookings=bookings, sessions=dict(sorted(sessions.items())))


def _any_of(emails: tuple[str, ...], *fields: str) -> Q:
    query = Q()
    for email in emails:
        for name in fields:
            query |= Q(**{f"{name}__iexact": email})
    return query


def _sessions_whose_text_names(emails: tuple[str, ...]) -> set[str]:
    """Return the sessions whose messages or last search hold one of the addresses."""
    whole = re.compile(
        "|".join(f"{_BEFORE}{re.escape(email)}{_AFTER}" for email in emails), re.IGNORECASE
    )
    # The database narrows by substring; the pattern then keeps whole addresses only.
    candidates = [
        *ChatMessage.objects.filter(_any_of_text(emails, "content")).values_list(
            "session_id", "content"
        ),
        *SearchCriteria.objects.filter(_any_of_text(emails, "text")).values_list(
            "session_id", "text"
        ),
    ]
    return {session_id for session_id, text in candidates if whole.search(text or "")}


def _any_of_text(emails: tuple[str, ...], name: str) -> Q:
    query = Q()
    for email in emails:
        query |= Q(**{f"{name}__icontains": email})
    return query


# --- export -----------------------------------------------------------------------------------


def student_export_json(records: StudentRecords) -> dict:
    """Return the records as one JSON document: bookings, then chat sessions in full."""
    sessions = []
    for session_id, found_by in records.sessions.items():
        session = ChatSession.objects.filter(pk=session_id).first()
        if session is not None:  # deleted since it was found
            sessions.append({"foundBy": found_by, **support.session_export_json(session)})
    return {
        "emails": list(records.emails),
        "exportedAt": timezone.now().isoformat(),
        "bookings": [_booking_json(booking) for booking in records.bookings],
        "chatSessions": sessions,
    }


def _booking_json(booking: Booking) -> dict:
    def moment(value: datetime.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "uid": str(booking.uid),
        "tutor": booking.tutor.name,
        "start": moment(booking.start),
        "end": moment(booking.end),
        "mode": booking.mode,
        "location": booking.location,
        "status": booking.status,
        "subject": booking.subject,
        "classes": booking.classes,
        "studentName": booking.student_name,
        "studentEmail": booking.student_email,
        "collegeEmail": booking.college_email,
        "studentId": booking.student_id,
        "allowOtherStudents": booking.allow_other_students,
        "specificHelp": booking.specific_help,
        "additionalNotes": booking.additional_notes,
        "chatSessionId": booking.chat_session_id or None,
        "createdAt": moment(booking.created_at),
        "cancelledAt": moment(booking.cancelled_at),
        "reminderSentAt": moment(booking.reminder_sent_at),
    }


# --- delete -----------------------------------------------------------------------------------


def session_message_counts(records: StudentRecords) -> dict[str, int]:
    """Return how many messages each found session holds now."""
    return dict(ChatSession.objects.filter(pk__in=records.sessions).values_list("pk", "last_seq"))


def student_delete(
    records: StudentRecords, *, now: datetime.datetime | None = None
) -> DeleteResult:
    """Delete the sessions, cancel the bookings to come, anonymise every booking; say how many."""
    now = now or timezone.now()
    cancelled = 0
    for booking in records.upcoming(now):
        try:
            booking_cancel(booking=booking, now=now)
        except BookingNotCancellable:
            continue  # started meanwhile: it stays, anonymised below
        cancelled += 1
    counts = session_message_counts(records)
    sessions = messages = 0
    for session_id in records.sessions:
        try:
            store.session_delete(session_id)
        except store.SessionNotFound:
            continue  # deleted or purged meanwhile
        sessions += 1
        messages += counts.get(session_id, 0)
    anonymised = bookings_anonymise(
        bookings=Booking.objects.filter(pk__in=[booking.pk for booking in records.bookings]),
        now=now,
    )
    return DeleteResult(
        sessions=sessions, messages=messages, cancelled=cancelled, anonymised=anonymised
    )
