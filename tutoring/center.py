"""The center itself: its time zone, its local clock and the facts staff keep about it.

One definition of the center's zone, so no module builds its own
``ZoneInfo(settings.CENTER_TIME_ZONE)`` (weekly availability, reports, emails and the chat
all mean the same wall clock).
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tutoring.models import CenterFact


def center_zone() -> ZoneInfo:
    """Return the center's time zone, in which weekly availability is meant."""
    return ZoneInfo(settings.CENTER_TIME_ZONE)


def center_now() -> datetime.datetime:
    """Return the current time on the center's wall clock (aware)."""
    return timezone.localtime(timezone.now(), center_zone())


def center_fact(key: str) -> str:
    """Return the text staff wrote for ``key`` ("hours", "why:student-id"), or "" if none."""
    return CenterFact.objects.filter(key=key).values_list("text", flat=True).first() or ""
