"""Center-local days and weeks as instants: the boundaries reports, exports and reminders use.

Bookings are stored in UTC; "Monday" or "2026-12-07" means the center's wall clock
(``CENTER_TIME_ZONE``), so a range of local dates becomes a half-open range of instants
whose ends move with daylight-saving time.
"""

import datetime

from django.utils import timezone

from tutoring.center import center_zone


def center_today(now: datetime.datetime | None = None) -> datetime.date:
    """Return the center's local date at ``now`` (default: the current time)."""
    return timezone.localtime(now or timezone.now(), center_zone()).date()


def day_bounds(
    first: datetime.date, last: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the instant local ``first`` begins and the instant local ``last`` ends."""
    zone = center_zone()
    begin = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return begin, end


def week_start(day: datetime.date) -> datetime.date:
    """Return the Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())
