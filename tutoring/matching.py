"""Find tutors and concrete free sessions for what a student wishes.

Weekly availability ("Monday 09:30-11:30, on campus") becomes concrete sessions: every date
in the bookable window ``[now + BOOKING_MIN_NOTICE_HOURS, now + BOOKING_HORIZON_DAYS)`` whose
weekday matches, cut into ``TUTORING_SESSION_MINUTES`` pieces, in the center's time zone, minus
the sessions an active booking overlaps. Local times are built with ``zoneinfo``, so "Monday
10:00" is 10:00 on the wall clock on both sides of a daylight-saving change; a time the clock
skips (02:30 on the spring-forward night) is no session at all.

Ranking (``tutors_match``): subject coverage first (a tutor teaching none of the wished
subjects is never offered), then how well the tutor's best session fits. A session's *level*
says which wish it had to give up, in the order wishes are relaxed: 0 fits everything, 1
misses the time (but keeps its part of day), 2 misses the part of day, 3 misses the day,
4 misses the mode. Within a level, closer is better (days from the wished day, then minutes
from the wished time), then earlier, then the tutor's name. Whatever is given up is reported
in ``MatchResult.unmet`` and explained in words; nothing is dropped silently.

Every function here runs a constant number of queries, however many tutors there are.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from tutoring.models import WEEKDAY_NAMES, Booking, Mode, PartOfDay, Tutor, Weekday

UTC = datetime.UTC
# A session this close to the wished time still counts as "at that time" ("around 10").
TIME_TOLERANCE_MINUTES = 60
# Start minute of each part of the day, and of the next one.
_PARTS = {
    PartOfDay.MORNING: (0, 12 * 60),
    PartOfDay.AFTERNOON: (12 * 60, 17 * 60),
    PartOfDay.EVENING: (17 * 60, 24 * 60),
}
# The order of MatchResult.unmet.
_WISH_ORDER = ("subjects", "day", "time", "part_of_day", "mode")


def center_zone() -> ZoneInfo:
    """Return the center's time zone, in which weekly availability is meant."""
    return ZoneInfo(settings.CENTER_TIME_ZONE)


def bookable_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the earliest and (exclusive) latest start a student may book at ``now``."""
    return (
        now + datetime.timedelta(hours=settings.BOOKING_MIN_NOTICE_HOURS),
        now + datetime.timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def part_of_day(moment: datetime.time) -> str:
    """Return "morning" (before 12:00), "afternoon" (12-17) or "evening" (from 17:00)."""
    minutes = moment.hour * 60 + moment.minute
    return next(part for part, (low, high) in _PARTS.items() if low <= minutes < high)


# --- Value objects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wish:
    subjects: tuple[str, ...] = ()  # roster subject names, as Subject.name spells them
    day: str | None = None  # "Monday"...; ignored when on_date is set
    on_date: datetime.date | None = None  # a concrete date (today/tomorrow/"Dec 7")
    time: datetime.time | None = None  # preferred start, center-local
    part_of_day: str | None = None  # "morning" (<12:00) / "afternoon" (12-17) / "evening"
    mode: str | None = None  # "online" / "on campus"

    def __post_init__(self) -> None:
        # A wrong value here is a programming error, not a student's typo: fail loudly.
        object.__setattr__(self, "subjects", tuple(self.subjects))
        if self.day is not None and self.day not in WEEKDAY_NAMES:
            raise ValueError(f"day must be one of {', '.join(WEEKDAY_NAMES)}, not {self.day!r}")
        if self.part_of_day is not None and self.part_of_day not in PartOfDay.values:
            raise ValueError(f"part_of_day must be one of {PartOfDay.values}")
        if self.mode is not None and self.mode not in Mode.values:
            raise ValueError(f"mode must be one of {Mode.values}")


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

    def label(self) -> str:
        """Return the slot for a person: "Mon Dec 7, 10:00–10:30 AM, online"."""
        if dateformat.format(self.start, "A") == dateformat.format(self.end, "A"):
            hours = f"{dateformat.format(self.start, 'g:i')}–{_clock(self.end)}"
        else:
            hours = f"{_clock(self.start)}–{_clock(self.end)}"
        return f"{dateformat.format(self.start, 'D M j')}, {hours}, {Mode(self.mode).label}"


@dataclass(frozen=True)
class TutorMatch:
    tutor: Tutor  # with subjects prefetched
    score: float  # 0..1
    reasoning: str  # for a person: "Teaches Python; free Monday Dec 7 at 10:00 AM, online."
    slots: tuple[OfferedSlot, ...]  # best first

    def as_json(self) -> dict:
        """Return the ``pendingMatch`` shape of DESIGN.md."""
        return {
            "tutor": tutor_json(self.tutor),
            "matchScore": self.score,
            "reasoning": self.reasoning,
            "availableSlots": [slot.as_json() for slot in self.slots],
        }


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[TutorMatch, ...]  # best first
    unmet: tuple[str, ...]  # any of "subjects", "day", "time", "part_of_day", "mode"
    explanation: str  # one or two sentences for the student, "" when everything fits

    def as_json(self) -> dict:
        return {
            "matches": [match.as_json() for match in self.matches],
            "unmet": list(self.unmet),
            "explanation": self.explanation,
        }


def tutor_json(tutor: Tutor) -> dict:
    """Return ``{id, name, pronouns, bio, skills}``; ``tutor.subjects`` should be prefetched."""
    return {
        "id": tutor.pk,
        "name": tutor.name,
        "pronouns": tutor.pronouns,
        "bio": tutor.bio,
        "skills": [subject.name for subject in tutor.subjects.all()],
    }


# --- Concrete sessions ------------------------------------------------------------------------


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


# --- Fit and ranking ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class _Fit:
    level: int
    day_gap: int  # days from the wished date or weekday
    time_gap: int  # minutes from the wished time or part of day
    start: datetime.datetime  # in UTC: the last tie-breaker
    unmet: tuple[str, ...] = field(default=(), compare=False)


def _minutes(moment: datetime.datetime | datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def _part_gap(minutes: int, part: str) -> int:
    low, high = _PARTS[PartOfDay(part)]
    if minutes < low:
        return low - minutes
    return max(0, minutes - (high - 1))


def _fit(slot: OfferedSlot, wish: Wish) -> _Fit:
    unmet = set()
    day_gap = 0
    if wish.on_date is not None:
        day_gap = abs((slot.start.date() - wish.on_date).days)
    elif wish.day is not None:
        diff = (slot.start.weekday() - WEEKDAY_NAMES.index(wish.day)) % 7
        day_gap = min(diff, 7 - diff)
    if day_gap:
        unmet.add("day")

    minutes = _minutes(slot.start)
    time_gap = 0
    time_missed = False
    if wish.time is not None:
        time_gap = abs(minutes - _minutes(wish.time))
        time_missed = time_gap > TIME_TOLERANCE_MINUTES
        if time_missed:
            unmet.add("time")
    part_missed = False
    if wish.part_of_day is not None:
        part_gap = _part_gap(minutes, wish.part_of_day)
        part_missed = part_gap > 0
        if part_missed:
            unmet.add("part_of_day")
        if wish.time is None:
            time_gap = part_gap
    elif time_missed:
        # Relaxing the time keeps its part of day ("10" -> the morning) before the day.
        part_missed = _part_gap(minutes, part_of_day(wish.time)) > 0

    if wish.mode is not None and slot.mode != wish.mode:
        unmet.add("mode")

    if "mode" in unmet:
        level = 4
    elif "day" in unmet:
        level = 3
    elif part_missed:
        level = 2
    elif time_missed:
        level = 1
    else:
        level = 0
    ordered = tuple(name for name in _WISH_ORDER if name in unmet)
    return _Fit(level, day_gap, time_gap, slot.start.astimezone(UTC), ordered)


def _fitness(fit: _Fit, wish: Wish) -> float:
    """Return 0..1: 1 for a session that meets every wish exactly."""
    value = 1.0 - 0.2 * fit.level
    if wish.time is not None or wish.part_of_day is not None:
        value -= 0.1 * min(fit.time_gap / 240, 1)
    if wish.on_date is not None or wish.day is not None:
        value -= 0.05 * min(fit.day_gap, 3) / 3
    return max(value, 0.05)


@dataclass
class _Candidate:
    tutor: Tutor
    covered: list[str]
    fits: list[tuple[_Fit, OfferedSlot]]
    score: float = 0.0

    @property
    def best(self) -> _Fit:
        return self.fits[0][0]


def tutors_match(
    wish: Wish,
    *,
    now: datetime.datetime | None = None,
    exclude_tutor_ids: Iterable[int] = (),
    only_tutor_ids: Iterable[int] | None = None,
    limit: int = 5,
    slots_per_tutor: int = 4,
) -> MatchResult:
    """Return the tutors best suited to ``wish``, each with its best free sessions.

    Four queries at most, whatever the roster size: tutors, their subjects, their weekly
    availability, and the active bookings of the candidates.
    """
    now = now or timezone.now()
    excluded = set(exclude_tutor_ids)
    only = None if only_tutor_ids is None else set(only_tutor_ids)
    wished = {name.lower(): name for name in dict.fromkeys(wish.subjects)}
    tutors = Tutor.objects.filter(is_active=True)
    if wished:
        teaches_any = Q()
        for name in wished.values():
            teaches_any |= Q(subject__name__iexact=name)
        tutors = tutors.filter(
            pk__in=Tutor.subjects.through.objects.filter(teaches_any).values("tutor_id")
        )
    elif only is not None:
        tutors = tutors.filter(pk__in=only)
    fetched = list(tutors.prefetch_related("subjects", "availability").order_by("name", "pk"))

    # Tutors left out by the caller still count for "does anybody teach it?" (they do,
    # but the student asked for someone else), so filter here rather than in the query.
    candidates = [
        tutor
        for tutor in fetched
        if tutor.pk not in excluded and (only is None or tutor.pk in only)
    ]
    spelled = {s.name.lower(): s.name for tutor in fetched for s in tutor.subjects.all()}
    names = {key: spelled.get(key, value) for key, value in wished.items()}
    taught_anywhere = {key for key in wished if key in spelled}
    taught = {
        s.name.lower()
        for tutor in candidates
        for s in tutor.subjects.all()
        if s.name.lower() in wished
    }

    free = upcoming_slots(tutors=candidates, now=now)
    ranked: list[_Candidate] = []
    for tutor in candidates:
        if not free[tutor.pk]:
            continue
        own = {s.name.lower() for s in tutor.subjects.all()}
        covered = [names[key] for key in wished if key in own]
        fits = sorted(((_fit(slot, wish), slot) for slot in free[tutor.pk]), key=lambda x: x[0])
        ranked.append(_Candidate(tutor, covered, fits))
    ranked.sort(key=lambda c: (-len(c.covered), c.best, c.tutor.name, c.tutor.pk))
    unmet, explanation = _explain(
        wish,
        ranked,
        names=names,
        untaught=[key for key in wished if key not in taught],
        hidden={key for key in taught_anywhere if key not in taught},
    )
    ranked = ranked[: max(limit, 0)]

    previous = 1.0
    for candidate in ranked:
        fitness = _fitness(candidate.best, wish)
        if wished:
            score = (len(candidate.covered) + fitness) / (len(wished) + 1)
        else:
            score = fitness
        # The order above is the truth; keep the scores from contradicting it.
        candidate.score = round(min(score, previous), 2)
        previous = candidate.score

    matches = tuple(
        TutorMatch(
            tutor=c.tutor,
            score=c.score,
            reasoning=_reasoning(c, wish, names),
            slots=tuple(slot for _, slot in c.fits[: max(slots_per_tutor, 1)]),
        )
        for c in ranked
    )
    return MatchResult(matches=matches, unmet=unmet, explanation=explanation)


# --- Words for people -----------------------------------------------------------------------


def _clock(moment: datetime.datetime | datetime.time) -> str:
    return dateformat.time_format(moment, "g:i A")


def _when(slot: OfferedSlot) -> str:
    return _("%(date)s at %(time)s") % {
        "date": dateformat.format(slot.start, "l M j"),
        "time": _clock(slot.start),
    }


def _day_words(wish: Wish) -> str:
    if wish.on_date is not None:
        return dateformat.format(wish.on_date, "l M j")
    if wish.day is not None:
        return str(Weekday(wish.day).label)
    return ""


def _part_words(part: str) -> str:
    return {
        PartOfDay.MORNING: _("in the morning"),
        PartOfDay.AFTERNOON: _("in the afternoon"),
        PartOfDay.EVENING: _("in the evening"),
    }[PartOfDay(part)]


def _wish_words(wish: Wish, which: Iterable[str]) -> list[str]:
    """Return phrases for the given wishes among ``which``: "on Sunday", "at 10:00 AM"…"""
    which = set(which)
    words = []
    if "day" in which and (wish.on_date or wish.day):
        words.append(_("on %(day)s") % {"day": _day_words(wish)})
    if "time" in which and wish.time is not None:
        words.append(_("at %(time)s") % {"time": _clock(wish.time)})
    elif "part_of_day" in which and wish.part_of_day is not None:
        words.append(_part_words(wish.part_of_day))
    if "mode" in which and wish.mode is not None:
        words.append(str(Mode(wish.mode).label))
    return words


def _reasoning(candidate: _Candidate, wish: Wish, names: dict[str, str]) -> str:
    if names:
        teaches = get_text_list(candidate.covered, _("and"))
        missing = [name for name in names.values() if name not in candidate.covered]
        if missing:
            teaches = _("%(taught)s (not %(missing)s)") % {
                "taught": teaches,
                "missing": get_text_list(missing, _("or")),
            }
    else:
        teaches = get_text_list([s.name for s in candidate.tutor.subjects.all()][:3], _("and"))
    fit, slot = candidate.fits[0]
    text = _("Teaches %(subjects)s; free %(when)s, %(mode)s") % {
        "subjects": teaches,
        "when": _when(slot),
        "mode": Mode(slot.mode).label,
    }
    missed = _wish_words(wish, fit.unmet)
    if missed:
        text += " " + _("(not %(wishes)s)") % {"wishes": ", ".join(missed)}
    return text + "."


def _explain(
    wish: Wish,
    ranked: list[_Candidate],
    *,
    names: dict[str, str],
    untaught: list[str],
    hidden: set[str],
) -> tuple[tuple[str, ...], str]:
    unmet: set[str] = set()
    sentences: list[str] = []
    if untaught:
        unmet.add("subjects")
        nobody = [names[key] for key in untaught if key not in hidden]
        others = [names[key] for key in untaught if key in hidden]
        if nobody:
            sentences.append(
                _("No tutor teaches %(subjects)s.") % {"subjects": get_text_list(nobody, _("or"))}
            )
        if others:
            sentences.append(
                _("No other tutor teaches %(subjects)s.")
                % {"subjects": get_text_list(others, _("or"))}
            )

    taught = [names[key] for key in names if key not in untaught]
    if not ranked:
        days = settings.BOOKING_HORIZON_DAYS
        if taught:
            unmet.add("subjects")
            sentences.append(
                _("Everyone who teaches %(subjects)s is fully booked for the next %(days)s days.")
                % {"subjects": get_text_list(taught, _("or")), "days": days}
            )
        elif not names:
            sentences.append(
                _("No tutor has a free session in the next %(days)s days.") % {"days": days}
            )
        return _ordered(unmet), " ".join(sentences)

    top = ranked[0]
    if len(top.covered) < len(taught):
        unmet.add("subjects")
        sentences.append(
            _("No tutor teaches all of %(subjects)s; %(tutor)s teaches %(covered)s.")
            % {
                "subjects": get_text_list(taught, _("and")),
                "tutor": top.tutor.name,
                "covered": get_text_list(top.covered, _("and")),
            }
        )

    fit, slot = top.fits[0]
    if fit.unmet:
        unmet.update(fit.unmet)
        # Say the whole wish: "free on Sunday" alone may be true on campus but not online.
        wished = " ".join(_wish_words(wish, ("day", "time", "part_of_day", "mode")))
        subjects = get_text_list(top.covered, _("and"))
        if subjects:
            nobody = _("Nobody is free for %(subjects)s %(wish)s") % {
                "subjects": subjects,
                "wish": wished,
            }
        else:
            nobody = _("Nobody is free %(wish)s") % {"wish": wished}
        sentences.append(
            _("%(nobody)s; the nearest is %(when)s (%(mode)s) with %(tutor)s.")
            % {
                "nobody": nobody,
                "when": _when(slot),
                "mode": Mode(slot.mode).label,
                "tutor": top.tutor.name,
            }
        )
    return _ordered(unmet), " ".join(sentences)


def _ordered(unmet: set[str]) -> tuple[str, ...]:
    return tuple(name for name in _WISH_ORDER if name in unmet)
