"""The center itself: its time zone and local clock.

One definition of the center's zone, so no module builds its own
``ZoneInfo(settings.CENTER_TIME_ZONE)`` (weekly availability, reports, emails and the chat
all mean the same wall clock).
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def center_zone() -> ZoneInfo:
    """Return the center's time zone, in which weekly availability is meant."""
    return ZoneInfo(settings.CENTER_TIME_ZONE)


def center_now() -> datetime.datetime:
    """Return the current time on the center's wall clock (aware)."""
    return timezone.localtime(timezone.now(), center_zone())
