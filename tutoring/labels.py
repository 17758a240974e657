"""Dates and times for people: one spelling everywhere, always on a 12-hour clock.

Every reply, panel, page and email that shows a session uses these, so a slot reads the
same in the chat, the confirmation email and the cancellation ("Thu Dec 3, 6:30–7:00 PM").
Datetimes are shown on their own wall clock: pass them in the center's zone.
"""

import datetime

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tutoring.center import center_zone

# What a student elsewhere calls the center's zone, by the zone's abbreviation. A zone not
# listed is named by its city ("Honolulu time"), which is still unambiguous.
_ZONE_NAMES = {
    "PST": gettext_lazy("Pacific Time"),
    "PDT": gettext_lazy("Pacific Time"),
    "MST": gettext_lazy("Mountain Time"),
    "MDT": gettext_lazy("Mountain Time"),
    "CST": gettext_lazy("Central Time"),
    "CDT": gettext_lazy("Central Time"),
    "EST": gettext_lazy("Eastern Time"),
    "EDT": gettext_lazy("Eastern Time"),
    "AKST": gettext_lazy("Alaska Time"),
    "AKDT": gettext_lazy("Alaska Time"),
    "HST": gettext_lazy("Hawaii Time"),
}


def time_label(moment: datetime.time | datetime.datetime) -> str:
    """Return a clock time: "6:30 PM", "12:00 PM"."""
    return dateformat.time_format(moment, "g:i A")


def day_label(day: datetime.date | datetime.datetime) -> str:
    """Return a day: "Thu Dec 3"."""
    return dateformat.format(day, "D M j")


def slot_label(start: datetime.datetime, end: datetime.datetime | None = None) -> str:
    """Return a session: "Thu Dec 3, 6:30–7:00 PM" (or "Thu Dec 3, 6:30 PM" without an end).

    The AM/PM marker is written once when both ends share it: "11:30 AM–12:00 PM" but
    "6:30–7:00 PM".
    """
    if end is None:
        hours = time_label(start)
    elif dateformat.format(start, "A") == dateformat.format(end, "A"):
        hours = f"{dateformat.time_format(start, 'g:i')}–{time_label(end)}"
    else:
        hours = f"{time_label(start)}–{time_label(end)}"
    return f"{day_label(start)}, {hours}"


def zone_label() -> str:
    """Return the center's zone for a student who may be elsewhere: "Pacific Time"."""
    zone = center_zone()
    # Either abbreviation of the year names the same zone; January's is as good as any.
    abbreviation = datetime.datetime(2026, 1, 15, 12, tzinfo=zone).tzname() or ""
    if abbreviation in _ZONE_NAMES:
        return str(_ZONE_NAMES[abbreviation])
    city = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return _("%(city)s time") % {"city": city}
