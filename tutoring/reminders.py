"""Reminder emails: each confirmed booking gets one the day before its session.

"Tomorrow" is the center's local date after today's. A booking is claimed for its reminder
in its own transaction: the row is locked, checked (still confirmed, no reminder yet), its
``reminder_sent_at`` set, and the email scheduled with ``transaction.on_commit``. So two
runs at once, or a run repeated by cron, send each reminder once: the second finds
``reminder_sent_at`` set. Should the email then fail, the claim is released (the field
cleared again) so the next run retries it; a reminder is worth a rare duplicate more than
silence.

This module writes one field, ``Booking.reminder_sent_at``; bookings are otherwise created,
cancelled and marked only by ``tutoring.booking``.
"""

import datetime
import logging
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils import timezone

from tutoring import notifications
from tutoring.models import Booking
from tutoring.periods import center_today, day_bounds
from tutoring.redaction import short_booking_uid

logger = logging.getLogger(__name__)


@dataclass
class ReminderRun:
    day: datetime.date
    due: list[Booking]  # confirmed, starting that day, not yet reminded
    scheduled: list[Booking] = field(default_factory=list)
    failed: list[Booking] = field(default_factory=list)


def reminder_day(now: datetime.datetime | None = None) -> datetime.date:
    """Return the center-local date whose sessions get reminders today (tomorrow)."""
    return center_today(now) + datetime.timedelta(days=1)


def reminders_due(day: datetime.date) -> list[Booking]:
    """Return the confirmed bookings starting on ``day`` whose reminder has not gone out."""
    begin, end = day_bounds(day, day)
    return list(
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            start__gte=begin,
            start__lt=end,
        )
        .select_related("tutor")
        .order_by("start", "pk")
    )


def reminders_send(*, now: datetime.datetime | None = None, dry_run: bool = False) -> ReminderRun:
    """Send tomorrow's reminders, each once; with ``dry_run`` only say which are due."""
    now = now or timezone.now()
    run = ReminderRun(day=reminder_day(now), due=[])
    run.due = reminders_due(run.day)
    if dry_run:
        return run
    for booking in run.due:
        with transaction.atomic():
            # A conditional UPDATE is the claim: it locks the row and re-checks the
            # condition, so of two runs at once exactly one sets the field.
            claimed = Booking.objects.filter(
                pk=booking.pk, status=Booking.Status.CONFIRMED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                run.scheduled.append(booking)
                transaction.on_commit(partial(_send, booking, now, run))
    return run


def _send(booking: Booking, claimed_at: datetime.datetime, run: ReminderRun) -> None:
    try:
        notifications.send_booking_reminder(booking.pk)
    except Exception:
        logger.exception(
            "booking %s: reminder email failed; it will be retried", short_booking_uid(booking.uid)
        )
        Booking.objects.filter(pk=booking.pk, reminder_sent_at=claimed_at).update(
            reminder_sent_at=None
        )
        run.failed.append(booking)
