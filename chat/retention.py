"""Retention: purge chat sessions nobody has touched for a while, keeping anonymous counts.

A session holds personal data (the student's words, the booking form's name, emails and
student id), so it is not kept forever: ``purge_idle_sessions`` deletes every session whose
last activity is older than ``CHAT_IDLE_DAYS`` with all its rows, through the store's
``sessions_purge_idle`` (which locks what it deletes, see there). What survives is a
``PurgedSessionCount`` per day the sessions started: how many sessions and messages there
were, nothing that leads back to a student. Bookings are the center's records and stay
(``purge_bookings`` anonymises them once they are long over).

Each batch deletes its sessions and adds their counts in one transaction, so a crash between
batches loses neither. Running it again, or twice at once, deletes nothing twice.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from chat import store
from chat.ids import short_session_id
from chat.models import ChatSession, PurgedSessionCount
from tutoring.center import center_zone

BATCH_SIZE = 500


@dataclass(frozen=True)
class PurgeSummary:
    cutoff: datetime.datetime
    sessions: list[store.PurgedSession]

    @property
    def messages(self) -> int:
        return sum(session.messages for session in self.sessions)


def idle_cutoff(
    *, idle_days: int | None = None, now: datetime.datetime | None = None
) -> datetime.datetime:
    """Return the instant before which a session's last activity makes it purgeable."""
    days = settings.CHAT_IDLE_DAYS if idle_days is None else idle_days
    if days < 1:
        raise ValueError("idle_days must be at least 1")
    return (now or timezone.now()) - datetime.timedelta(days=days)


def idle_sessions(*, cutoff: datetime.datetime) -> PurgeSummary:
    """Return the sessions a purge at ``cutoff`` would delete now, deleting nothing."""
    rows = (
        ChatSession.objects.filter(last_activity_at__lt=cutoff)
        .annotate(n=Count("messages"))
        .order_by("last_activity_at", "pk")
        .values_list("pk", "created_at", "last_activity_at", "n")
    )
    return PurgeSummary(
        cutoff=cutoff,
        sessions=[
            store.PurgedSession(short_session_id(pk), created, active, n)
            for pk, created, active, n in rows
        ],
    )


def purge_idle_sessions(*, cutoff: datetime.datetime, batch_size: int = BATCH_SIZE) -> PurgeSummary:
    """Delete every session last active before ``cutoff``; add them to the daily counts."""
    purged: list[store.PurgedSession] = []
    while True:
        with transaction.atomic():
            batch = store.sessions_purge_idle(idle_before=cutoff, limit=batch_size)
            _count(batch)
        purged += batch
        if len(batch) < batch_size:
            return PurgeSummary(cutoff=cutoff, sessions=purged)


def _count(batch: list[store.PurgedSession]) -> None:
    zone = center_zone()
    by_day: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    for session in batch:
        totals = by_day[timezone.localdate(session.created_at, zone)]
        totals[0] += 1
        totals[1] += session.messages
    now = timezone.now()
    for day, (sessions, messages) in sorted(by_day.items()):
        row, created = PurgedSessionCount.objects.get_or_create(
            day=day, defaults={"sessions": sessions, "messages": messages, "last_purged_at": now}
        )
        if not created:
            # F() adds in the database: a purge running alongside loses no count.
            PurgedSessionCount.objects.filter(pk=row.pk).update(
                sessions=F("sessions") + sessions,
                messages=F("messages") + messages,
                last_purged_at=now,
            )
