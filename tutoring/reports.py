"""The staff report: bookings per tutor per week, no-show rates and unmet demand.

Unmet demand is recorded as students search (``record_unmet_search``, called by the
assistant inside the chat turn's transaction, so a turn that rolls back records nothing).
Each row is anonymous: the subject, the weekday, part of day and mode wished, and which of
those wishes no tutor could meet, with the date of the search. Everything is counted in the
center's local time, weeks starting on Monday.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tutoring.center import center_zone
from tutoring.models import WEEKDAY_NAMES, Booking, Tutor, UnmetSearch
from tutoring.periods import center_today, day_bounds, week_start
from tutoring.ranking import MatchResult, Wish
from tutoring.slots import part_of_day

UNMET_LABELS = {
    "subjects": _("subject (nobody teaches it, or fully booked)"),
    "tutor": _("the tutor asked for"),
    "day": _("day"),
    "after": _("later than the time offered"),
    "before": _("earlier than the time offered"),
    "earliest": _("from a time on"),
    "latest": _("ending by a time"),
    "time": _("time"),
    "part_of_day": _("part of day"),
    "mode": _("mode"),
}


def record_unmet_search(
    *, wish: Wish, result: MatchResult, now: datetime.datetime | None = None
) -> int:
    """Record the search if it found no tutor or missed a wish; return how many rows (per subject).

    A search that met every wish records nothing.
    """
    if result.matches and not result.unmet:
        return 0
    # One weekday column: the first wished date's weekday, else the first wished weekday.
    if wish.dates:
        day = WEEKDAY_NAMES[wish.dates[0].weekday()]
    else:
        day = wish.days[0] if wish.days else ""
    part = wish.part_of_day or (part_of_day(wish.time) if wish.time else "")
    rows = [
        UnmetSearch(
            searched_on=center_today(now),
            subject=subject[:100],
            weekday=day,
            part_of_day=part,
            mode=wish.mode or "",
            unmet=list(result.unmet),
            found_nobody=not result.matches,
        )
        for subject in (wish.subjects or ("",))
    ]
    UnmetSearch.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class Rate:
    """No-shows out of the sessions whose attendance was recorded."""

    attended: int
    no_shows: int

    @property
    def recorded(self) -> int:
        return self.attended + self.no_shows

    @property
    def percent(self) -> float | None:
        return None if not self.recorded else round(100 * self.no_shows / self.recorded, 1)


@dataclass
class TutorRow:
    tutor: Tutor
    per_week: list[int]
    no_show: Rate

    @property
    def total(self) -> int:
        return sum(self.per_week)


@dataclass
class UnmetRow:
    subject: str
    weekday: str
    searches: int
    found_nobody: int
    reasons: list[tuple[str, int]]  # (label, count), most frequent first


@dataclass
class StaffReport:
    weeks: list[datetime.date]  # Mondays, oldest first
    first_day: datetime.date
    last_day: datetime.date
    tutors: list[TutorRow]
    week_totals: list[int]
    no_show: Rate
    unmet: list[UnmetRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.week_totals)


def staff_report(*, weeks: int = 8, now: datetime.datetime | None = None) -> StaffReport:
    """Return the report for the last ``weeks`` weeks, the current one included."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    this_week = week_start(center_today(now))
    mondays = [this_week - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    first_day, last_day = mondays[0], this_week + datetime.timedelta(days=6)
    begin, end = day_bounds(first_day, last_day)
    rows = (
        Booking.objects.filter(start__gte=begin, start__lt=end)
        .exclude(status=Booking.Status.CANCELLED)
        .values_list("tutor_id", "start", "status")
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    outcomes: dict[int, Counter] = defaultdict(Counter)
    zone = center_zone()
    for tutor_id, start, status in rows:
        local_day = timezone.localtime(start, zone).date()
        counts[tutor_id][mondays.index(week_start(local_day))] += 1
        outcomes[tutor_id][status] += 1
    tutors = Tutor.objects.filter(pk__in=counts.keys()) | Tutor.objects.filter(is_active=True)
    table = [
        TutorRow(
            tutor=tutor,
            per_week=counts.get(tutor.pk, [0] * weeks),
            no_show=_rate(outcomes.get(tutor.pk, Counter())),
        )
        for tutor in tutors.distinct().order_by("name", "pk")
    ]
    everyone: Counter = sum(outcomes.values(), Counter())
    return StaffReport(
        weeks=mondays,
        first_day=first_day,
        last_day=last_day,
        tutors=table,
        week_totals=[sum(row.per_week[n] for row in table) for n in range(weeks)],
        no_show=_rate(everyone),
        unmet=unmet_demand(first_day=first_day, last_day=last_day),
    )


def unmet_demand(*, first_day: datetime.date, last_day: datetime.date) -> list[UnmetRow]:
    """Return unmet searches from ``first_day`` to ``last_day`` by subject and weekday."""
    searches: dict[tuple[str, str], list[UnmetSearch]] = defaultdict(list)
    found = UnmetSearch.objects.filter(searched_on__gte=first_day, searched_on__lte=last_day)
    for search in found.only("subject", "weekday", "unmet", "found_nobody"):
        searches[(search.subject, search.weekday)].append(search)
    table = []
    for (subject, weekday), group in searches.items():
        reasons = Counter(reason for search in group for reason in search.unmet)
        table.append(
            UnmetRow(
                subject=subject,
                weekday=weekday,
                searches=len(group),
                found_nobody=sum(search.found_nobody for search in group),
                reasons=[
                    (str(UNMET_LABELS.get(name, name)), n) for name, n in reasons.most_common()
                ],
            )
        )
    day_order = {name: n for n, name in enumerate(WEEKDAY_NAMES)}
    table.sort(key=lambda row: (-row.searches, row.subject, day_order.get(row.weekday, 7)))
    return table


def _rate(outcomes: Counter) -> Rate:
    return Rate(
        attended=outcomes[Booking.Status.ATTENDED], no_shows=outcomes[Booking.Status.NO_SHOW]
    )
