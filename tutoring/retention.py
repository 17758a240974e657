"""Retention for bookings: the student's details go once a booking is long over.

A booking holds a student's name, two email addresses, student id and what they needed help
with. The center needs those until the session is over and attendance is recorded, and its
reports need the booking itself for longer (who tutored what, when, and how it went), so
``bookings_purge`` keeps the row and anonymises its personal fields
(``tutoring.booking.bookings_anonymise`` says which). ``manage.py purge_bookings`` runs it
from a daily timer; running it again, or twice at once, anonymises nothing twice.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tutoring.booking import bookings_anonymise
from tutoring.models import Booking


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime.datetime
    anonymised: int


def retention_cutoff(
    *, older_than_days: int, now: datetime.datetime | None = None
) -> datetime.datetime:
    """Return the instant before which a booking's end makes it due for anonymising."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    return (now or timezone.now()) - datetime.timedelta(days=older_than_days)


def bookings_due(*, cutoff: datetime.datetime) -> QuerySet[Booking]:
    """Return the bookings a purge at ``cutoff`` would anonymise now, oldest first."""
    return Booking.objects.filter(end__lt=cutoff, anonymised_at__isnull=True).order_by(
        "start", "pk"
    )


def bookings_purge(
    *, cutoff: datetime.datetime, now: datetime.datetime | None = None
) -> PurgeResult:
    """Anonymise every booking that ended before ``cutoff``; return how many changed."""
    count = bookings_anonymise(bookings=Booking.objects.filter(end__lt=cutoff), now=now)
    return PurgeResult(cutoff=cutoff, anonymised=count)
