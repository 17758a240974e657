"""Emails to students about their bookings, each with the calendar file attached.

Called from ``transaction.on_commit`` (tutoring.booking), so they describe committed rows.
They re-read the booking by id: the row is the truth, not a stale object from the caller.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from tutoring.calendar import booking_ics, booking_place, booking_summary
from tutoring.center import center_zone
from tutoring.labels import slot_label
from tutoring.models import Booking, Mode
from tutoring.redaction import short_booking_uid

logger = logging.getLogger(__name__)


def send_booking_confirmation(booking_id: int) -> None:
    """Email the student that the session is booked, with a calendar invitation."""
    _send(booking_id, template="booking_confirmed", cancelled=False)


def send_booking_cancellation(booking_id: int) -> None:
    """Email the student that the session is cancelled, with a calendar cancellation."""
    _send(booking_id, template="booking_cancelled", cancelled=True)


def send_booking_reminder(booking_id: int) -> None:
    """Email the student that the session is coming up, with the calendar invitation again."""
    _send(booking_id, template="booking_reminder", cancelled=False)


def booking_context(booking: Booking) -> dict:
    """Return what the email and page templates show about a booking, in local time."""
    zone = center_zone()
    start = timezone.localtime(booking.start, zone)
    end = timezone.localtime(booking.end, zone)
    return {
        "booking": booking,
        "summary": booking_summary(booking),
        "tutor": booking.tutor,
        "start": start,
        "end": end,
        "when": slot_label(start, end),
        "mode": Mode(booking.mode).label,
        "place": booking_place(booking),
        "ics_url": f"{settings.SITE_URL}{booking.ics_path}",
        "cancel_url": f"{settings.SITE_URL}{booking.cancel_path}",
    }


def _send(booking_id: int, *, template: str, cancelled: bool) -> None:
    booking = Booking.objects.select_related("tutor").get(pk=booking_id)
    if booking.is_anonymised:
        # Its addresses are placeholders now: there is nobody left to write to.
        logger.info(
            "booking %s: %s email not sent (anonymised)", short_booking_uid(booking.uid), template
        )
        return
    context = booking_context(booking)
    subject = render_to_string(f"tutoring/email/{template}_subject.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string(f"tutoring/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=_recipients(booking),
        reply_to=[booking.tutor.email],
    )
    message.attach(
        "tutoring-session.ics", booking_ics(booking, cancelled=cancelled), "text/calendar"
    )
    message.send()
    logger.info("booking %s: %s email sent", short_booking_uid(booking.uid), template)


def _recipients(booking: Booking) -> list[str]:
    # Both addresses the student gave, once each (they may be the same).
    return list(dict.fromkeys(a for a in (booking.student_email, booking.college_email) if a))
