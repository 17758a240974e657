"""Rank tutors and their free sessions by how well they fit what a student wishes.

Subject coverage comes first: a tutor teaching none of the wished subjects is never offered,
and one teaching more of them ranks higher. Then the sessions:

*Hard wishes* (the day: ``days``/``dates``/``week``; ``earliest``/``latest``; ``after``/
``before``; ``mode``) are kept whenever any session keeps them: every slot offered then meets
them. When no session can, the least important is given up first, one at a time, keeping the
rest: ``latest``, ``earliest``, the day, ``before``, ``after`` and the mode last (a student
who cannot come to campus cannot use a campus slot). A wish given up is reported in
``MatchResult.unmet`` and explained in words; nothing is dropped silently.

*Soft wishes* (a time "around 3", a part of day) rank the sessions left: a session's level is
0 when it fits, 1 when it misses the time but keeps its part of day, 2 when it misses the part
of day. Sessions are ordered by: distance from the wished day (only when the day was given
up), distance from the earliest/latest window (only when given up), level, date, minutes from
the wished time, start. The date comes before the minutes, so equally good sessions are
offered in date order ("Thu Dec 3 around 6" before "Thu Dec 10 at 6"). With ``soonest`` only
the start orders them (after the hard wishes).

Named tutors (``Wish.tutor_ids``): see ``tutors_match``.

Every function here runs a constant number of queries, however many tutors there are.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tutoring import wording
from tutoring.center import center_zone
from tutoring.models import WEEKDAY_NAMES, Mode, PartOfDay, Tutor
from tutoring.slots import PARTS, UTC, OfferedSlot, part_of_day, upcoming_slots

# A session this close to the wished time still counts as "at that time" ("around 10").
TIME_TOLERANCE_MINUTES = 60
# The order of MatchResult.unmet.
WISH_ORDER = (
    "subjects",
    "tutor",
    "day",
    "after",
    "before",
    "earliest",
    "latest",
    "time",
    "part_of_day",
    "mode",
)
# Hard wishes, most important first: the last one is given up first.
HARD_ORDER = ("mode", "after", "before", "day", "earliest", "latest")
WEEKS = ("this", "next")


@dataclass(frozen=True)
class Wish:
    """What a student wants; every field optional, all of them together (AND).

    ``day`` and ``on_date`` are constructor aliases: they fold into ``days``/``dates`` and
    read None afterwards, so there is one truth (and ``dataclasses.replace`` with ``days=``
    does what it says). When both ``dates`` and ``days`` are given, ``dates`` wins (a date
    is the more precise wish). ``week`` narrows either to a calendar week, Monday to Sunday.
    """

    subjects: tuple[str, ...] = ()  # roster subject names, as Subject.name spells them
    day: str | None = None  # alias: one weekday, folded into days
    on_date: datetime.date | None = None  # alias: one date, folded into dates
    time: datetime.time | None = None  # around this start (TIME_TOLERANCE_MINUTES), local
    part_of_day: str | None = None  # "morning" (<12:00) / "afternoon" (12-17) / "evening"
    mode: str | None = None  # "online" / "on campus"
    days: tuple[str, ...] = ()  # any of these weekdays
    dates: tuple[datetime.date, ...] = ()  # any of these dates
    week: str | None = None  # "this" (today to Sunday) / "next" (next Monday to Sunday)
    earliest: datetime.time | None = None  # starts at or after
    latest: datetime.time | None = None  # ENDS at or before
    soonest: bool = False  # rank by start only
    tutor_ids: tuple[int, ...] = ()  # only these tutors (see tutors_match)
    after: datetime.datetime | None = None  # starts strictly after ("later than that")
    before: datetime.datetime | None = None  # starts strictly before ("earlier")

    def __post_init__(self) -> None:
        # A wrong value here is a programming error, not a student's typo: fail loudly.
        days = ((self.day,) if self.day else ()) + tuple(self.days)
        dates = ((self.on_date,) if self.on_date else ()) + tuple(self.dates)
        object.__setattr__(self, "subjects", tuple(self.subjects))
        object.__setattr__(self, "days", tuple(dict.fromkeys(days)))
        object.__setattr__(self, "dates", tuple(dict.fromkeys(dates)))
        object.__setattr__(self, "tutor_ids", tuple(dict.fromkeys(self.tutor_ids)))
        object.__setattr__(self, "day", None)
        object.__setattr__(self, "on_date", None)
        for day in self.days:
            if day not in WEEKDAY_NAMES:
                raise ValueError(f"day must be one of {', '.join(WEEKDAY_NAMES)}, not {day!r}")
        if self.part_of_day is not None and self.part_of_day not in PartOfDay.values:
            raise ValueError(f"part_of_day must be one of {PartOfDay.values}")
        if self.mode is not None and self.mode not in Mode.values:
            raise ValueError(f"mode must be one of {Mode.values}")
        if self.week is not None and self.week not in WEEKS:
            raise ValueError(f"week must be one of {WEEKS}, not {self.week!r}")
        for moment in (self.after, self.before):
            if moment is not None and timezone.is_naive(moment):
                raise ValueError("after and before must be aware datetimes")

    @property
    def wants_day(self) -> bool:
        return bool(self.days or self.dates or self.week)

    def without_times(self) -> "Wish":
        """Return this wish with every wish about when dropped (subjects, mode, tutors kept)."""
        return replace(
            self,
            days=(),
            dates=(),
            week=None,
            time=None,
            part_of_day=None,
            earliest=None,
            latest=None,
            after=None,
            before=None,
        )


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
    unmet: tuple[str, ...]  # names from WISH_ORDER, in that order
    explanation: str  # one or two sentences for the student, "" when everything fits
    # A named tutor (Wish.tutor_ids) with nothing that fits: their next open times whatever
    # the time wishes, while ``matches`` are the others who fit. None otherwise.
    tutor_elsewhere: TutorMatch | None = None

    def as_json(self) -> dict:
        data = {
            "matches": [match.as_json() for match in self.matches],
            "unmet": list(self.unmet),
            "explanation": self.explanation,
        }
        if self.tutor_elsewhere is not None:
            data["tutorElsewhere"] = self.tutor_elsewhere.as_json()
        return data


def tutor_json(tutor: Tutor) -> dict:
    """Return ``{id, name, pronouns, bio, skills}``; ``tutor.subjects`` should be prefetched."""
    return {
        "id": tutor.pk,
        "name": tutor.name,
        "pronouns": tutor.pronouns,
        "bio": tutor.bio,
        "skills": [subject.name for subject in tutor.subjects.all()],
    }


# --- How one session meets a wish ---------------------------------------------------------------


@dataclass(frozen=True)
class _Days:
    """The concrete dates a wish's day means (None: no wish about the day)."""

    wanted: frozenset[datetime.date] | None
    # Dates to measure distance from when a slot misses: the wanted ones, or, when days and
    # week exclude each other, the days alone.
    near: tuple[datetime.date, ...] = ()

    @classmethod
    def of(cls, wish: Wish, now: datetime.datetime) -> "_Days":
        if not wish.wants_day:
            return cls(None)
        zone = center_zone()
        today = now.astimezone(zone).date()
        # A week either side of the bookable window is enough to measure any gap in it.
        first = today - datetime.timedelta(days=7)
        span = settings.BOOKING_HORIZON_DAYS + 15
        around = [first + datetime.timedelta(days=n) for n in range(span)]
        if wish.dates:
            dates = set(wish.dates)
        elif wish.days:
            dates = {d for d in around if WEEKDAY_NAMES[d.weekday()] in wish.days}
        else:
            dates = set(around)
        wanted = dates
        if wish.week is not None:
            monday = today - datetime.timedelta(days=today.weekday())
            if wish.week == "next":
                monday += datetime.timedelta(days=7)
            week = {monday + datetime.timedelta(days=n) for n in range(7)}
            wanted = dates & week
            if not wish.dates and not wish.days:
                dates = week
        return cls(frozenset(wanted), tuple(sorted(wanted or dates)))

    def gap(self, day: datetime.date) -> int:
        if self.wanted is None or day in self.wanted:
            return 0
        return min((abs((day - d).days) for d in self.near), default=0)


@dataclass(frozen=True)
class _Look:
    slot: OfferedSlot
    hard: frozenset[str]  # hard wishes this session misses
    soft: tuple[str, ...]  # soft wishes it misses: "time", "part_of_day"
    level: int  # 0 fits the soft wishes, 1 misses the time, 2 the part of day
    day_gap: int  # days from the wished day
    window_gap: int  # minutes outside earliest/latest
    time_gap: int  # minutes from the wished time or part of day

    @property
    def missed(self) -> tuple[str, ...]:
        return _ordered(set(self.hard) | set(self.soft))

    def key(self, wish: Wish, relaxed: frozenset[str]) -> tuple:
        start = self.slot.start.astimezone(UTC)
        if wish.soonest:
            return (start,)
        return (
            self.day_gap if "day" in relaxed else 0,
            self.window_gap if relaxed & {"earliest", "latest"} else 0,
            self.level,
            self.slot.start.date(),
            self.time_gap,
            start,
        )

    def score_level(self) -> int:
        """Return 0..4 for the score: 4 misses the mode, 3 another hard wish."""
        if "mode" in self.hard:
            return 4
        if self.hard:
            return 3
        return self.level


def _minutes(moment: datetime.datetime | datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def _part_gap(minutes: int, part: str) -> int:
    low, high = PARTS[PartOfDay(part)]
    if minutes < low:
        return low - minutes
    return max(0, minutes - (high - 1))


def _look(slot: OfferedSlot, wish: Wish, days: _Days) -> _Look:
    hard: set[str] = set()
    day_gap = days.gap(slot.start.date())
    if days.wanted is not None and slot.start.date() not in days.wanted:
        hard.add("day")
    if wish.after is not None and not slot.start > wish.after:
        hard.add("after")
    if wish.before is not None and not slot.start < wish.before:
        hard.add("before")
    if wish.mode is not None and slot.mode != wish.mode:
        hard.add("mode")

    minutes = _minutes(slot.start)
    window_gap = 0
    if wish.earliest is not None and minutes < _minutes(wish.earliest):
        hard.add("earliest")
        window_gap += _minutes(wish.earliest) - minutes
    if wish.latest is not None:
        ends = _minutes(slot.end) + (24 * 60 if slot.end.date() > slot.start.date() else 0)
        if ends > _minutes(wish.latest):
            hard.add("latest")
            window_gap += ends - _minutes(wish.latest)

    soft: list[str] = []
    time_gap = 0
    time_missed = False
    if wish.time is not None:
        time_gap = abs(minutes - _minutes(wish.time))
        time_missed = time_gap > TIME_TOLERANCE_MINUTES
        if time_missed:
            soft.append("time")
    part_missed = False
    if wish.part_of_day is not None:
        part_gap = _part_gap(minutes, wish.part_of_day)
        part_missed = part_gap > 0
        if part_missed:
            soft.append("part_of_day")
        if wish.time is None:
            time_gap = part_gap
    elif time_missed:
        # Relaxing the time keeps its part of day ("10" -> the morning) before the day.
        part_missed = _part_gap(minutes, part_of_day(wish.time)) > 0
    level = 2 if part_missed else 1 if time_missed else 0
    return _Look(slot, frozenset(hard), tuple(soft), level, day_gap, window_gap, time_gap)


def _relax(looks: Iterable[_Look]) -> frozenset[str]:
    """Return the hard wishes no session can keep, giving up the least important first."""
    left = list(looks)
    relaxed: set[str] = set()
    for wish in HARD_ORDER:
        keeping = [look for look in left if wish not in look.hard]
        if keeping:
            left = keeping
        elif left:
            relaxed.add(wish)
    return frozenset(relaxed)


def _ordered(unmet: Iterable[str]) -> tuple[str, ...]:
    unmet = set(unmet)
    return tuple(name for name in WISH_ORDER if name in unmet)


def _fitness(look: _Look, wish: Wish) -> float:
    """Return 0..1: 1 for a session that meets every wish exactly."""
    value = 1.0 - 0.2 * look.score_level()
    if wish.time is not None or wish.part_of_day is not None:
        value -= 0.1 * min(look.time_gap / 240, 1)
    if wish.wants_day:
        value -= 0.05 * min(look.day_gap, 3) / 3
    return max(value, 0.05)


# --- Ranking ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A tutor with the sessions offered, best first (for tutoring.wording)."""

    tutor: Tutor
    covered: list[str]
    looks: list[_Look]
    score: float = 0.0

    @property
    def best(self) -> _Look:
        return self.looks[0]


@dataclass
class _Ranking:
    candidates: list[Candidate]  # best first, not yet cut to the limit
    relaxed: frozenset[str]
    names: dict[str, str]  # wished subject, lower-case -> as the roster spells it
    untaught: list[str]  # lower-case wished subjects no candidate teaches
    hidden: set[str] = field(default_factory=set)  # taught, but only by tutors left out
    # The subjects are alternatives the student did not name (a named tutor's, for "who
    # else"): teaching one is enough, and the others go unmentioned.
    any_subject: bool = False


def _rank(
    wish: Wish,
    *,
    now: datetime.datetime,
    excluded: set[int],
    only: set[int] | None,
) -> _Ranking:
    """Rank the candidates; four queries: tutors, subjects, availability, bookings."""
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

    days = _Days.of(wish, now)
    free = upcoming_slots(tutors=candidates, now=now)
    looks = {tutor.pk: [_look(slot, wish, days) for slot in free[tutor.pk]] for tutor in candidates}
    relaxed = _relax(look for tutor_looks in looks.values() for look in tutor_looks)
    ranked: list[Candidate] = []
    for tutor in candidates:
        kept = [look for look in looks[tutor.pk] if look.hard <= relaxed]
        if not kept:
            continue
        kept.sort(key=lambda look: look.key(wish, relaxed))
        own = {s.name.lower() for s in tutor.subjects.all()}
        covered = [names[key] for key in wished if key in own]
        ranked.append(Candidate(tutor, covered, kept))
    ranked.sort(
        key=lambda c: (-len(c.covered), c.best.key(wish, relaxed), c.tutor.name, c.tutor.pk)
    )
    return _Ranking(
        candidates=ranked,
        relaxed=relaxed,
        names=names,
        untaught=[key for key in wished if key not in taught],
        hidden={key for key in taught_anywhere if key not in taught},
    )


def _matches(
    ranking: _Ranking, wish: Wish, *, limit: int, slots_per_tutor: int
) -> tuple[TutorMatch, ...]:
    ranked = ranking.candidates[: max(limit, 0)]
    wished = ranking.names
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
    return tuple(
        TutorMatch(
            tutor=c.tutor,
            score=c.score,
            reasoning=wording.reasoning(c, wish, wished, any_subject=ranking.any_subject),
            slots=tuple(look.slot for look in c.looks[: max(slots_per_tutor, 1)]),
        )
        for c in ranked
    )


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

    Named tutors (``wish.tutor_ids``, "book with Priya on Thursday"): only they are
    considered, and ``wish.subjects`` may be empty. When one of them has sessions that keep
    every hard wish (and teaches a wished subject, if any), the result is theirs, as usual.
    When none does, ``unmet`` starts with "tutor", ``tutor_elsewhere`` holds the soonest free
    named tutor's next open times ignoring the wishes about when (None if they have none or are
    inactive), and ``matches`` are the other tutors who fit the subjects and times (the named
    tutor's own subjects when the wish names none), ranked as usual; ``explanation`` says
    all of it.

    Four queries at most, whatever the roster size (twelve when a named tutor has nothing
    that fits).
    """
    now = now or timezone.now()
    excluded = set(exclude_tutor_ids)
    only = None if only_tutor_ids is None else set(only_tutor_ids)
    if wish.tutor_ids:
        named = set(wish.tutor_ids) if only is None else set(wish.tutor_ids) & only
        ranking = _rank(wish, now=now, excluded=excluded, only=named)
        fits = [c for c in ranking.candidates if c.covered or not ranking.names]
        if fits and not ranking.relaxed:
            ranking.candidates = fits
            return _result(ranking, wish, limit=limit, slots_per_tutor=slots_per_tutor)
        return _named_elsewhere(
            wish,
            now=now,
            excluded=excluded,
            named=named,
            limit=limit,
            slots_per_tutor=slots_per_tutor,
        )
    ranking = _rank(wish, now=now, excluded=excluded, only=only)
    return _result(ranking, wish, limit=limit, slots_per_tutor=slots_per_tutor)


def _result(ranking: _Ranking, wish: Wish, *, limit: int, slots_per_tutor: int) -> MatchResult:
    unmet, explanation = wording.explain(wish, ranking)
    matches = _matches(ranking, wish, limit=limit, slots_per_tutor=slots_per_tutor)
    return MatchResult(matches=matches, unmet=_ordered(unmet), explanation=explanation)


def _named_elsewhere(
    wish: Wish,
    *,
    now: datetime.datetime,
    excluded: set[int],
    named: set[int],
    limit: int,
    slots_per_tutor: int,
) -> MatchResult:
    """Return the others who fit, with the named tutor's own next times beside them."""
    # Their own times whatever the subjects too: "sql with hana" where Hana teaches no SQL
    # still says when Hana is free, beside the sentence that she does not teach it.
    anytime = replace(wish.without_times(), subjects=(), soonest=True, tutor_ids=())
    own = _rank(anytime, now=now, excluded=excluded, only=named)
    mine = _matches(own, anytime, limit=1, slots_per_tutor=slots_per_tutor)
    tutor = (
        own.candidates[0].tutor
        if own.candidates
        else Tutor.objects.filter(pk__in=named).prefetch_related("subjects").first()
    )
    teaches = {s.name.lower(): s.name for s in tutor.subjects.all()} if tutor else {}
    subjects = wish.subjects or tuple(teaches.values())
    others_wish = replace(wish, subjects=subjects, tutor_ids=())
    others = _rank(others_wish, now=now, excluded=excluded | named, only=None)
    others.any_subject = not wish.subjects
    unmet, explanation = wording.explain(others_wish, others)
    intro = wording.named_tutor_sentence(
        wish,
        tutor=tutor,
        elsewhere=mine[0] if mine else None,
        missing=[name for name in wish.subjects if name.lower() not in teaches],
    )
    return MatchResult(
        matches=_matches(others, others_wish, limit=limit, slots_per_tutor=slots_per_tutor),
        unmet=_ordered({"tutor", *unmet}),
        explanation=" ".join(text for text in (intro, explanation) if text),
        tutor_elsewhere=mine[0] if mine else None,
    )
