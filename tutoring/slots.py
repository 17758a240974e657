"""Weekly availability becomes concrete, bookable sessions.

Weekly availability ("Monday 09:30-11:30, on campus") becomes concrete sessions: every date
in the bookable window ``[now + BOOKING_MIN_NOTICE_HOURS, now + BOOKING_HORIZON_DAYS)`` whose
weekday matches, cut into ``TUTORING_SESSION_MINUTES`` pieces, in the center's time zone, minus
the sessions an active booking overlaps. Local times are built with ``zoneinfo``, so "Monday
10:00" is 10:00 on the wall clock on both sides of a daylight-saving change; a time the clock
skips (02:30 on the spring-forward night) is no session at all.

Every function here runs a constant number of queries, however many tutors there are.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from tutoring.center import center_zone
from tutoring.labels import slot_label
from tutoring.models import WEEKDAY_NAMES, Booking, Mode, PartOfDay, Tutor

UTC = datetime.UTC
# Start minute of each part of the day, and of the next one.
PARTS = {
    PartOfDay.MORNING: (0, 12 * 60),
    PartOfDay.AFTERNOON: (12 * 60, 17 * 60),
    PartOfDay.EVENING: (17 * 60, 24 * 60),
}


def bookable_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the earliest and (exclusive) latest start a student may book at ``now``."""
    return (
        now + datetime.timedelta(hours=settings.BOOKING_MIN_NOTICE_HOURS),
        now + datetime.timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def part_of_day(moment: datetime.time) -> str:
    """Return "morning" (before 12:00), "afternoon" (12-17) or "evening" (from 17:00)."""
    minutes = moment.hour * 60 + moment.minute
    return next(part for part, (low, high) in PARTS.items() if low <= minutes < high)


@dataclass(frozen=True)
class OfferedSlot:
    tutor_id: int
    start: datetime.datetime  # aware, in the center's time zone
    end: datetime.datetime
    mode: str
    location: str

    @property
    def day(self) -> str:
        return WEEKDAY_NAMES[self.start.weekday()]

    def as_json(self) -> dict:
        """Return the wire shape of DESIGN.md: ``{day, time: "HH:MM-HH:MM", mode, start}``."""
        return {
            "day": self.day,
            "time": f"{self.start:%H:%M}-{self.end:%H:%M}",
            "mode": self.mode,
            "start": self.start.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict, *, tutor_id: int = 0, location: str = "") -> "OfferedSlot":
        """Return the slot of a wire shape ``as_json`` wrote (its length from "HH:MM-HH:MM")."""
        start = datetime.datetime.fromisoformat(data["start"])
        begin, end = (datetime.time.fromisoformat(part) for part in data["time"].split("-"))
        minutes = (end.hour * 60 + end.minute) - (begin.hour * 60 + begin.minute)
        # A session running past midnight ("23:30-00:00") is still one session long.
        length = datetime.timedelta(minutes=minutes % (24 * 60))
        return cls(tutor_id, start, start + length, data["mode"], location)

    def label(self) -> str:
        """Return the slot for a person: "Mon Dec 7, 10:00–10:30 AM, online"."""
        return f"{slot_label(self.start, self.end)}, {Mode(self.mode).label}"


def _sessions(
    tutor: Tutor, first: datetime.datetime, last: datetime.datetime
) -> Iterator[OfferedSlot]:
    """Yield the tutor's sessions starting in ``[first, last)``, in start order.

    Reads ``tutor.availability.all()``: prefetch it, or this queries once per tutor.
    """
    zone = center_zone()
    length = datetime.timedelta(minutes=settings.TUTORING_SESSION_MINUTES)
    by_weekday = defaultdict(list)
    for window in sorted(tutor.availability.all(), key=lambda w: (w.weekday, w.start)):
        by_weekday[window.weekday].append(window)
    seen: set[datetime.datetime] = set()
    day = first.astimezone(zone).date()
    while day <= last.astimezone(zone).date():
        for window in by_weekday[day.weekday()]:
            wall = datetime.datetime.combine(day, window.start)
            stop = datetime.datetime.combine(day, window.end)
            while wall + length <= stop:
                start = wall.replace(tzinfo=zone)
                instant = start.astimezone(UTC)
                end = (instant + length).astimezone(zone)
                # Only sessions whose wall-clock start and end are both real and exactly one
                # session apart: that drops times the clock skips (spring forward) and the
                # sessions a clock change cuts through (fall back), a few per year at night.
                real = (
                    instant.astimezone(zone).replace(tzinfo=None) == wall
                    and end.replace(tzinfo=None) == wall + length
                )
                if real and first <= instant < last and instant not in seen:
                    seen.add(instant)
                    yield OfferedSlot(tutor.pk, start, end, window.mode, window.location)
                wall += length
        day += datetime.timedelta(days=1)


def _active_bookings(
    tutor_ids: list[int], first: datetime.datetime, last: datetime.datetime
) -> dict[int, list[tuple[datetime.datetime, datetime.datetime]]]:
    booked: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)
    if not tutor_ids:
        return booked
    rows = (
        Booking.objects.filter(tutor_id__in=tutor_ids, start__lt=last, end__gt=first)
        .exclude(status=Booking.Status.CANCELLED)
        .values_list("tutor_id", "start", "end")
    )
    for tutor_id, start, end in rows:
        booked[tutor_id].append((start, end))
    return booked


def upcoming_slots(
    *, tutors: Iterable[Tutor], now: datetime.datetime
) -> dict[int, list[OfferedSlot]]:
    """Return each tutor's free sessions in the bookable window, by tutor id, soonest first.

    Prefetch ``availability`` on ``tutors``; this then runs one query (the bookings).
    """
    tutors = list(tutors)
    first, last = bookable_window(now)
    session = datetime.timedelta(minutes=settings.TUTORING_SESSION_MINUTES)
    booked = _active_bookings([t.pk for t in tutors], first, last + session)
    free: dict[int, list[OfferedSlot]] = {}
    for tutor in tutors:
        taken = booked.get(tutor.pk, [])
        free[tutor.pk] = [
            slot
            for slot in _sessions(tutor, first, last)
            if not any(start < slot.end and slot.start < end for start, end in taken)
        ]
    return free


def offered_slot(
    *, tutor_id: int, start: datetime.datetime, now: datetime.datetime | None = None
) -> OfferedSlot | None:
    """Return the session of this tutor at ``start`` if a student may still book it, else None.

    It must come from the tutor's weekly availability, lie in the bookable window (not in
    the past, not inside the notice period, not beyond the horizon) and be free of active
    bookings. The tutor must be active.
    """
    if timezone.is_naive(start):
        raise ValueError("start must be an aware datetime")
    now = now or timezone.now()
    first, last = bookable_window(now)
    if not first <= start < last:
        return None
    tutor = (
        Tutor.objects.filter(pk=tutor_id, is_active=True).prefetch_related("availability").first()
    )
    if tutor is None:
        return None
    wanted = start.astimezone(UTC)
    # Sessions of that one day are enough: a session starting at ``start`` is among them.
    day_end = min(last, wanted + datetime.timedelta(days=1))
    # Compare in UTC: a local time in the repeated hour never equals a UTC one (PEP 495).
    slot = next(
        (s for s in _sessions(tutor, wanted, day_end) if s.start.astimezone(UTC) == wanted), None
    )
    if slot is None:
        return None
    taken = (
        Booking.objects.filter(tutor_id=tutor_id, start__lt=slot.end, end__gt=slot.start)
        .exclude(status=Booking.Status.CANCELLED)
        .exists()
    )
    return None if taken else slot
