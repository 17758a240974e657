"""Bookings as CSV: one writer for the admin action and ``manage.py export_bookings``.

Staff open these files in spreadsheets, and students typed some of the cells (name, what
they need help with). A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) would be read as a formula there, so it is written with a leading ``'``
(OWASP's "CSV injection" advice). Times are the center's local time. The chat session id
is not exported: it is a secret, and the file travels.
"""

import csv
import datetime
from collections.abc import Callable, Iterable
from typing import TextIO

from django.db.models import QuerySet
from django.utils import timezone

from tutoring.center import center_zone
from tutoring.models import Booking
from tutoring.periods import day_bounds

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _local(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    zone = center_zone()
    return timezone.localtime(moment, zone).isoformat(timespec="minutes")


COLUMNS: list[tuple[str, Callable[[Booking], object]]] = [
    ("booking", lambda b: b.uid),
    ("start", lambda b: _local(b.start)),
    ("end", lambda b: _local(b.end)),
    ("tutor", lambda b: b.tutor.name),
    ("tutor email", lambda b: b.tutor.email),
    ("subject", lambda b: b.subject),
    ("mode", lambda b: b.mode),
    ("room or link", lambda b: b.location),
    ("status", lambda b: b.status),
    ("student name", lambda b: b.student_name),
    ("student email", lambda b: b.student_email),
    ("college email", lambda b: b.college_email),
    ("student id", lambda b: b.student_id),
    ("others may join", lambda b: "yes" if b.allow_other_students else "no"),
    ("classes", lambda b: "; ".join(b.classes or [])),
    ("specific help", lambda b: b.specific_help),
    ("notes", lambda b: b.additional_notes),
    ("booked at", lambda b: _local(b.created_at)),
    ("cancelled at", lambda b: _local(b.cancelled_at)),
    ("reminder sent at", lambda b: _local(b.reminder_sent_at)),
]
HEADER = [name for name, _value in COLUMNS]


def csv_cell(value: object) -> str:
    """Return ``value`` as a cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def bookings_csv_write(bookings: Iterable[Booking], out: TextIO) -> int:
    """Write a header row and one row per booking to ``out``; return how many rows."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    count = 0
    for booking in bookings:
        writer.writerow([csv_cell(value(booking)) for _name, value in COLUMNS])
        count += 1
    return count


def bookings_for_export(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Return ``bookings`` in export order, with what the columns read fetched up front."""
    return bookings.select_related("tutor").order_by("start", "tutor__name", "pk")


def bookings_between(first: datetime.date, last: datetime.date) -> QuerySet[Booking]:
    """Return the bookings starting on center-local dates ``first`` to ``last``, inclusive."""
    if first > last:
        raise ValueError("first must not be after last")
    begin, end = day_bounds(first, last)
    return bookings_for_export(Booking.objects.filter(start__gte=begin, start__lt=end))
