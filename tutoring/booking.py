"""Book and cancel tutoring sessions: the one module that writes ``Booking`` rows.

Concurrency (two students, one slot): ``booking_create`` runs in its own ``atomic()`` block,
a savepoint when the caller already holds a transaction (the chat turn does, with the chat
session's row lock). Inside it the tutor's row is locked (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite every transaction already holds the database write lock), so two
bookings of one tutor are checked and inserted one after the other, and the second sees
the first. The partial unique constraint ``booking_one_active_per_tutor_start`` backs this
up in the database; its ``IntegrityError`` is caught in a nested savepoint, so the caller's
transaction stays usable and the loser gets ``SlotUnavailable``, never a 500. Lock order is
always "chat session, then tutor" (nothing here locks a chat session), so two chat turns
booking one tutor queue on the tutor row and cannot deadlock.

Emails go out with ``transaction.on_commit``: a booking that rolls back sends nothing.
Log lines name bookings by a short form of their public uid (``short_booking_uid``: the whole
uid opens the booking's cancel page), never a student's details.
"""

import datetime
import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tutoring import notifications
from tutoring.answers import (  # noqa: F401 - InvalidAnswer, StudentAnswers: interface too
    InvalidAnswer,
    StudentAnswers,
    validated_answers,
)
from tutoring.calendar import booking_ics  # noqa: F401 - part of this module's interface
from tutoring.labels import slot_label
from tutoring.models import ANONYMISED, ANONYMISED_EMAIL, Booking, Tutor
from tutoring.redaction import short_booking_uid
from tutoring.slots import offered_slot

logger = logging.getLogger(__name__)


class SlotUnavailable(Exception):
    """The session cannot be booked (taken, past, or not offered); the message is for people."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("That time was just taken."))


class BookingNotCancellable(Exception):
    """The session has started, or was already marked attended or missed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("This session can no longer be cancelled."))


def booking_create(
    *,
    tutor_id: int,
    start: datetime.datetime,
    answers: StudentAnswers,
    subject: str = "",
    chat_session_id: str = "",
    now: datetime.datetime | None = None,
) -> Booking:
    """Book the tutor's session at ``start`` and email the student after commit.

    Every answer is checked again here (``tutoring.answers``), whoever collected it: raise
    ``InvalidAnswer`` naming the first bad field. Raise ``SlotUnavailable`` when the session
    is not (or no longer) offered. Safe inside an outer transaction: a failure rolls back
    only this function's savepoint.
    """
    answers = validated_answers(answers)
    now = now or timezone.now()
    with transaction.atomic():
        # Lock first, check second: the check then sees every booking committed before us.
        locked = Tutor.objects.select_for_update().filter(pk=tutor_id, is_active=True)
        if locked.only("pk").first() is None:
            raise SlotUnavailable(_("That tutor is not taking bookings."))
        slot = offered_slot(tutor_id=tutor_id, start=start, now=now)
        if slot is None:
            raise SlotUnavailable()
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    tutor_id=tutor_id,
                    start=slot.start,
                    end=slot.end,
                    mode=slot.mode,
                    location=slot.location,
                    student_name=answers.student_name,
                    student_email=answers.student_email,
                    college_email=answers.college_email,
                    student_id=answers.student_id or "",
                    allow_other_students=answers.allow_other_students,
                    classes=list(answers.classes),
                    specific_help=answers.specific_help,
                    additional_notes=answers.additional_notes or "",
                    subject=subject,
                    chat_session_id=chat_session_id,
                )
        except IntegrityError:
            # Only the unique constraint can fail here (the other checks hold by
            # construction): someone booked the slot between our check and our insert.
            raise SlotUnavailable() from None
        transaction.on_commit(
            partial(notifications.send_booking_confirmation, booking.pk), robust=True
        )
    logger.info("booking %s created", short_booking_uid(booking.uid))
    return booking


def booking_cancel(*, booking: Booking, now: datetime.datetime | None = None) -> Booking:
    """Cancel ``booking``, freeing its slot, and email the student a cancellation after commit.

    Idempotent: cancelling a cancelled booking changes nothing and sends nothing. Raise
    ``BookingNotCancellable`` once the session has started or was marked attended/no-show.
    Return the booking as stored.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Booking.objects.select_for_update().select_related("tutor").get(pk=booking.pk)
        if current.status == Booking.Status.CANCELLED:
            return current
        if current.status != Booking.Status.CONFIRMED or current.start <= now:
            raise BookingNotCancellable()
        current.status = Booking.Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        transaction.on_commit(
            partial(notifications.send_booking_cancellation, current.pk), robust=True
        )
    logger.info("booking %s cancelled", short_booking_uid(current.uid))
    return current


def booking_answers(booking: Booking) -> StudentAnswers:
    """Return the answers ``booking`` was made with, to book again with the same details."""
    return StudentAnswers(
        student_name=booking.student_name,
        student_email=booking.student_email,
        college_email=booking.college_email,
        student_id=booking.student_id or None,
        allow_other_students=booking.allow_other_students,
        classes=tuple(booking.classes),
        specific_help=booking.specific_help,
        additional_notes=booking.additional_notes or None,
    )


def booking_reschedule(
    *,
    booking: Booking,
    tutor_id: int,
    start: datetime.datetime,
    now: datetime.datetime | None = None,
) -> Booking:
    """Move ``booking`` to ``tutor_id`` at ``start``: book the new session, cancel the old one.

    One transaction, so the student never holds both sessions nor loses both: if the new
    slot is taken (``SlotUnavailable``) or the old booking can no longer be cancelled
    (``BookingNotCancellable``), nothing changes. The new booking carries the old one's
    answers and subject; each sends its own email after commit (a confirmation and a
    cancellation). Lock order stays "tutor, then booking", as in a create then a cancel.
    """
    now = now or timezone.now()
    if not booking_can_cancel(booking, now=now):
        raise BookingNotCancellable()
    with transaction.atomic():
        moved = booking_create(
            tutor_id=tutor_id,
            start=start,
            answers=booking_answers(booking),
            subject=booking.subject,
            chat_session_id=booking.chat_session_id,
            now=now,
        )
        cancelled = booking_cancel(booking=booking, now=now)
        if cancelled.status != Booking.Status.CANCELLED or cancelled.cancelled_at != now:
            # Cancelled by someone else meanwhile: moving it would add a booking, not move one.
            raise BookingNotCancellable()
    logger.info(
        "booking %s moved to %s", short_booking_uid(booking.uid), short_booking_uid(moved.uid)
    )
    return moved


def booking_label(booking: Booking, zone: datetime.tzinfo) -> str:
    """Return a booking for a person: "Tue Dec 8, 2:00 PM session with Sam Lee"."""
    start = timezone.localtime(booking.start, zone)
    return _("%(when)s session with %(tutor)s") % {
        "when": slot_label(start),
        "tutor": booking.tutor.name,
    }


def booking_can_cancel(booking: Booking, *, now: datetime.datetime | None = None) -> bool:
    """Return whether ``booking_cancel`` would cancel it now."""
    now = now or timezone.now()
    return booking.status == Booking.Status.CONFIRMED and booking.start > now


class AttendanceNotRecordable(Exception):
    """The session was cancelled or has not started yet; the message is for people."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Attendance can be recorded only after a session starts."))


ATTENDANCE_STATUSES = (Booking.Status.ATTENDED, Booking.Status.NO_SHOW)


def booking_record_attendance(
    *, booking: Booking, status: str, now: datetime.datetime | None = None
) -> Booking:
    """Mark ``booking`` attended or no-show (staff, after the session started); return it.

    A mark may be corrected (attended <-> no-show); marking again changes nothing. Raise
    ``AttendanceNotRecordable`` for a cancelled booking or one that has not started.
    """
    if status not in ATTENDANCE_STATUSES:
        raise ValueError(f"status must be one of {ATTENDANCE_STATUSES}, not {status!r}")
    now = now or timezone.now()
    with transaction.atomic():
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status == status:
            return current
        if current.status == Booking.Status.CANCELLED:
            raise AttendanceNotRecordable(_("A cancelled session has no attendance."))
        if current.start > now:
            raise AttendanceNotRecordable()
        current.status = status
        current.save(update_fields=["status"])
    logger.info("booking %s marked %s", short_booking_uid(current.uid), status)
    return current


# What anonymising writes over a booking's personal fields. Kept: tutor, times, mode, place,
# status, subject, classes, whether others could join, and when it was made, cancelled and
# reminded, which is what the staff report and exports count. The chat session id goes too:
# it leads back to the conversation.
ANONYMISED_FIELDS = {
    "student_name": ANONYMISED,
    "student_email": ANONYMISED_EMAIL,
    "college_email": ANONYMISED_EMAIL,
    "student_id": "",
    "specific_help": ANONYMISED,
    "additional_notes": "",
    "chat_session_id": "",
}


def bookings_anonymise(*, bookings: QuerySet[Booking], now: datetime.datetime | None = None) -> int:
    """Replace the student's details in ``bookings`` (those not yet anonymised); return how many.

    One UPDATE, so it is atomic by itself and two runs at once anonymise each booking once.
    Status changes (``booking_cancel``) write only their own fields, so they never undo it.
    """
    now = now or timezone.now()
    count = bookings.filter(anonymised_at__isnull=True).update(
        **ANONYMISED_FIELDS, anonymised_at=now
    )
    logger.info("anonymised %s bookings", count)
    return count
