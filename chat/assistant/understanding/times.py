"""Time expressions: days, dates, clock times, ranges, parts of the day and weeks."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import NamedTuple

from .lexicon import (
    _MONTHS,
    _PARTS,
    _QUANTITY_WORDS,
    _TOMORROW_WORDS,
    _TONIGHT_WORDS,
    _WEEKDAY_WORDS,
    WEEKDAYS,
)
from .scanning import _first, _Phrases, _Scan, _Token


class _DayRef(NamedTuple):
    kind: str  # "weekday" (no date), "this", "next" or "offset" (days from today)
    value: int
    part: str | None = None


def _build_day_phrases() -> dict[tuple[str, ...], _DayRef]:
    phrases: dict[tuple[str, ...], _DayRef] = {}
    for word, weekday in _WEEKDAY_WORDS.items():
        phrases[(word,)] = _DayRef("weekday", weekday)
        for prefix in (("this",), ("coming",), ("this", "coming")):
            phrases[(*prefix, word)] = _DayRef("this", weekday)
        phrases[("next", word)] = _DayRef("next", weekday)
    phrases[("today",)] = phrases[("hoy",)] = _DayRef("offset", 0)
    for word in _TONIGHT_WORDS:
        phrases[(word,)] = _DayRef("offset", 0, "evening")
    for part in _PARTS:
        phrases[("this", part)] = _DayRef("offset", 0, part)
    for word in _TOMORROW_WORDS:
        phrases[(word,)] = _DayRef("offset", 1)
    phrases[("day", "after", "tomorrow")] = _DayRef("offset", 2)
    return phrases


_DAY_PHRASES = _Phrases(_build_day_phrases())

_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A number followed by am/pm or a colon is a time: "may 3pm" is not the 3rd of May.
_NOT_A_TIME = r"(?!\s*(?:[ap]\.?m\b|[:.]\d))"
_SLASH_DATE = re.compile(r"(?<![\d/:])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?\b{_NOT_A_TIME}(?:,?\s*(\d{{4}})\b)?"
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b\.?")
_ON_THE_NTH = re.compile(
    r"\b(?P<on>on\s+(?:the\s+)?|the\s+)(\d{1,2})(?:st|nd|rd|th)\b"
    r"(?!\s+(?:one|option|choice|slot|time|session|tutor|person|1)\b)"
)
# Beside "the 2nd", a weekday or a clock time says it is a date, not the second option.
_DATE_CONTEXT = re.compile(
    r"\b(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)\w*\b|\d:\d\d|\d\s*[ap]\.?m\b"
    r"|\b(?:at|around|noon|morning|afternoon|evening|night|same time)\b"
)


def _take_dates(scan: _Scan, today: datetime.date) -> list[tuple[int, datetime.date]]:
    def slash(match: re.Match[str]) -> datetime.date | None:
        year = int(match[3]) if match[3] else None
        if year is not None and year < 100:  # "12/7/26"
            year += 2000
        return _upcoming(today, int(match[1]), int(match[2]), year)

    def month_day(match: re.Match[str]) -> datetime.date | None:
        year = int(match[3]) if match[3] else None
        return _upcoming(today, _MONTHS[match[1]], int(match[2]), year)

    def day_month(match: re.Match[str]) -> datetime.date | None:
        return _upcoming(today, _MONTHS[match[2]], int(match[1]), None)

    def nth(match: re.Match[str]) -> datetime.date | None:
        day = int(match[2])
        # "the 12th" is a date; "the 2nd" alone may be the second option.
        if not match["on"].startswith("on") and day < 5 and not _DATE_CONTEXT.search(scan.text):
            return None
        return _upcoming_day_of_month(today, day)

    return [
        *scan.take(_SLASH_DATE, slash),
        *scan.take(_MONTH_DAY, month_day),
        *scan.take(_DAY_MONTH, day_month),
        *scan.take(_ON_THE_NTH, nth),
    ]


def _upcoming(today: datetime.date, month: int, day: int, year: int | None) -> datetime.date | None:
    """Return month/day in ``year``, or the next such date on or after today; None if invalid."""
    try:
        if year is not None:
            return datetime.date(year, month, day)
        candidate = datetime.date(today.year, month, day)
        return candidate if candidate >= today else datetime.date(today.year + 1, month, day)
    except ValueError:  # 2/30, 13/1, or 29 February in a year without one
        return None


def _upcoming_day_of_month(today: datetime.date, day: int) -> datetime.date | None:
    """Return the next date on or after today that falls on this day of a month."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


@dataclass(frozen=True)
class _Clock:
    """A time as written, before the am/pm rules decide what it means."""

    hour: int
    minute: int = 0
    meridiem: str | None = None  # "a" or "p"
    twenty_four_hour: bool = False  # zero-padded ("07:00") or midnight

    def resolve(self, part_of_day: str | None) -> datetime.time | None:
        """Return the time meant, using the part of the day for a bare hour; None if invalid."""
        hour = self.hour
        if self.meridiem is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if self.meridiem == "p" else 0)
        elif self.twenty_four_hour or hour == 0 or hour >= 12:
            if hour > 23:
                return None
        elif part_of_day == "morning":
            pass
        elif part_of_day in ("afternoon", "evening") or hour <= _LAST_BARE_PM_HOUR:
            hour += 12
        return datetime.time(hour, self.minute) if 0 <= self.minute <= 59 else None


# The center opens at 8:00, so a bare "3" means 15:00 but a bare "9" means 9:00.
_LAST_BARE_PM_HOUR = 7

_MERIDIEM = r"(?:\s*(?P<m1>[ap])\.?m\b\.?|(?P<m2>[ap])\b)"
_QUANTITY_AHEAD = (
    r"(?!\s*(?:hours?|hrs?|minutes?|mins?|sessions?|people|persons?|students?|weeks?|days?"
    r"|times|tutors?|classes|months?|years?)\b)"
)
# "10-11am" starts at 10am and "11-1pm" at 11am: the start takes the end's am/pm unless that
# would put it after the end.
_RANGE_TIME = re.compile(
    rf"(?<![\d:])(\d{{1,2}})(?::([0-5]\d))?\s*(?:-|to|till|til|until)\s*(\d{{1,2}})(?::[0-5]\d)?"
    rf"{_MERIDIEM}"
)
_COLON_TIME = re.compile(rf"(?<![\d:])(\d{{1,2}}):(\d{{2}})(?![\d:]){_MERIDIEM}?")
_MERIDIEM_TIME = re.compile(rf"(?<![\d:])(\d{{1,2}}){_MERIDIEM}")
_NAMED_TIME = re.compile(r"\b(?:12\s*)?(noon|midday|mid-day|midnight)\b")
_OCLOCK_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*o\s*clock\b")
_ISH_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*-?ish\b")
_MARKED_TIME = re.compile(
    r"(?:\b(?:at|around|round|about|approx|approximately|by|after|before|from|between"
    rf"|until|till|til)\b|[@~])\s*(\d{{1,2}})\b(?![:/]){_QUANTITY_AHEAD}"
)


def _take_clocks(scan: _Scan) -> list[tuple[int, _Clock]]:
    def checked(clock: _Clock) -> _Clock | None:
        return clock if clock.resolve(None) is not None else None

    def colon(match: re.Match[str]) -> _Clock:
        # Taken even when impossible ("9:75"), so its numbers are not read as another time.
        hour, meridiem = match[1], match["m1"] or match["m2"]
        padded = hour.startswith("0") or int(hour) == 0
        return _Clock(int(hour), int(match[2]), meridiem, padded and not meridiem)

    def range_start(match: re.Match[str]) -> _Clock | None:
        start, end, meridiem = int(match[1]), int(match[3]), match["m1"] or match["m2"]
        if start % 12 > end % 12:
            meridiem = "a" if meridiem == "p" else "p"
        return checked(_Clock(start, int(match[2] or 0), meridiem))

    def with_meridiem(match: re.Match[str]) -> _Clock | None:
        return checked(_Clock(int(match[1]), 0, match["m1"] or match["m2"]))

    def named(match: re.Match[str]) -> _Clock:
        return _Clock(0, twenty_four_hour=True) if match[1] == "midnight" else _Clock(12)

    def hour(match: re.Match[str]) -> _Clock | None:
        return checked(_Clock(int(match[1]), twenty_four_hour=match[1].startswith("0")))

    return [
        *scan.take(_RANGE_TIME, range_start),
        *scan.take(_COLON_TIME, colon),
        *scan.take(_MERIDIEM_TIME, with_meridiem),
        *scan.take(_NAMED_TIME, named),
        *scan.take(_OCLOCK_TIME, hour),
        *scan.take(_ISH_TIME, hour),
        *scan.take(_MARKED_TIME, hour),
    ]


def _time_of(clocks: list[tuple[int, _Clock]], part_of_day: str | None) -> datetime.time | None:
    """Return the first valid time among the clocks found."""
    times = ((position, clock.resolve(part_of_day)) for position, clock in clocks)
    return _first((position, time) for position, time in times if time is not None)


def _take_bare_hour(tokens: list[_Token]) -> list[tuple[int, _Clock]]:
    """Take the first free number that can be an hour and is not a quantity ("2 hours")."""
    for i, token in enumerate(tokens):
        if token.used or not token.text.isdigit() or len(token.text) > 2:
            continue
        if not 1 <= int(token.text) <= 23:
            continue
        if i + 1 < len(tokens) and tokens[i + 1].text in _QUANTITY_WORDS:
            continue
        token.used = True
        return [(token.start, _Clock(int(token.text), twenty_four_hour=token.text[0] == "0"))]
    return []


def _choose_day(
    refs: list[tuple[int, _DayRef]],
    dates: list[tuple[int, datetime.date]],
    today: datetime.date,
) -> tuple[str | None, datetime.date | None]:
    """Return (weekday, date): the first date mentioned wins, else the first weekday."""
    resolved = [(position, _resolve_day(ref, today)) for position, ref in refs]
    resolved += [(position, date) for position, date in dates]
    on_date = _first((p, d) for p, d in resolved if isinstance(d, datetime.date))
    if on_date is not None:
        return WEEKDAYS[on_date.weekday()], on_date
    weekday = _first(resolved)
    return (WEEKDAYS[weekday], None) if isinstance(weekday, int) else (None, None)


def _resolve_day(ref: _DayRef, today: datetime.date) -> datetime.date | int:
    """Return the date a day reference means, or just the weekday number for "Monday"."""
    if ref.kind == "offset":
        return today + datetime.timedelta(days=ref.value)
    if ref.kind == "this":
        return today + datetime.timedelta(days=(ref.value - today.weekday()) % 7)
    if ref.kind == "next":
        return today + datetime.timedelta(days=7 - today.weekday() + ref.value)
    return ref.value


# --- Bounds: "after 4", "before noon", "between 2 and 5" --------------------------------------


def _clock_pattern(name: str) -> str:
    """Return a regex for one written clock time, its groups prefixed with ``name``."""
    return (
        rf"(?:(?P<{name}h>\d{{1,2}})(?::(?P<{name}m>[0-5]\d))?"
        rf"(?:\s*(?P<{name}ap>[ap])\.?m?\b\.?)?(?!\s*[/:\d])|(?P<{name}n>noon|midday|midnight))"
    )


def _clock_from(match: re.Match[str], name: str) -> _Clock | None:
    """Return the clock the groups of :func:`_clock_pattern` captured, if it can be a time."""
    if match[f"{name}n"]:
        return _Clock(0, twenty_four_hour=True) if match[f"{name}n"] == "midnight" else _Clock(12)
    hour = match[f"{name}h"]
    if hour is None:
        return None
    clock = _Clock(
        int(hour),
        int(match[f"{name}m"] or 0),
        match[f"{name}ap"],
        twenty_four_hour=hour.startswith("0") and not match[f"{name}ap"],
    )
    return clock if clock.resolve(None) is not None else None


_START, _END = _clock_pattern("s"), _clock_pattern("e")
# "between 2 and 5", "from 3 to 5", "2-5pm", "10 till noon". A bare dash range needs an am/pm
# on its end ("10-11am"), as "2-5" alone could be a score or a count.
_BETWEEN = re.compile(
    rf"\b(?:between|btwn|from|anywhere from|sometime between)\s+{_START}\s*"
    rf"(?:and|to|-|till|til|until|or)\s*{_END}"
    rf"|(?<![\d:/]){_clock_pattern('b')}\s*(?:-|to|till|til|until)\s*{_clock_pattern('c')}"
)
# "after my class at 2", "after 4", "from 3 on", "3pm or later", "no earlier than 10".
_AFTER = re.compile(
    # "busy till 3", "i work until 5": free from then on.
    r"\b(?:busy|work|working|at work|in class|class|stuck|occupied)\s+(?:\w+\s+){0,2}?"
    rf"(?:until|till|til|to)\s+{_START.replace('?P<s', '?P<u')}{_QUANTITY_AHEAD}"
    r"|\b(?:after|from|(?<!no )later than|no earlier than|starting(?: at| from)?|not before"
    r"|past|(?:get|gets|getting|i'?m|im|am) (?:off|out|done|free)(?: of \w+| work)?)\s+"
    r"(?:(?:my|the|a|his|her|class|classes|work|school|lab|practice|shift|job|lecture|it|that"
    r"|ends?|ending|gets|get|out|is|over|done|finishes|which)\s+){0,4}?"
    rf"(?:(?:at|@)\s*)?{_START}{_QUANTITY_AHEAD}"
    r"|" + _START.replace("?P<s", "?P<t") + r"\s*(?:or later|onwards?|and later|or after|\+)(?!\w)"
)
# "before noon", "by 3", "until 5", "no later than 4", "done by 6", "4pm or earlier".
_BEFORE = re.compile(
    r"\b(?:before|b4|bfore|by|until|till|til|no later than|(?<!no )earlier than|not after"
    r"|done by|out by"
    rf"|finished by|ending by)\s+(?:(?:at|@)\s*)?{_END}{_QUANTITY_AHEAD}"
    r"|" + _END.replace("?P<e", "?P<f") + r"\s*(?:or earlier|or before|at the latest)\b"
)


@dataclass(frozen=True)
class _Bounds:
    earliest: list[tuple[int, _Clock]]
    latest: list[tuple[int, _Clock]]


def _take_bounds(scan: _Scan) -> _Bounds:
    """Take the time bounds of a message, before its point times are read.

    A range's start takes its end's am/pm when that keeps it before the end ("10-11am" starts
    at 10 AM, "11-1pm" at 11 AM); a bare hour otherwise follows the usual rules ("between 2 and
    5" is 2 PM to 5 PM).
    """
    earliest: list[tuple[int, _Clock]] = []
    latest: list[tuple[int, _Clock]] = []

    def between(match: re.Match[str]) -> bool | None:
        bare = match["bh"] is not None or match["bn"] is not None
        start, end = (
            _clock_from(match, "b" if bare else "s"),
            _clock_from(match, "c" if bare else "e"),
        )
        if start is None or end is None:
            return None
        if bare and not match["cap"] and not match["cn"]:
            return None  # "2-5" without am/pm
        if start.meridiem is None and end.meridiem is not None and not start.twenty_four_hour:
            meridiem = end.meridiem
            if start.hour % 12 > end.hour % 12:
                meridiem = "a" if meridiem == "p" else "p"
            start = _Clock(start.hour, start.minute, meridiem)
        earliest.append((match.start(), start))
        latest.append((match.start(), end))
        return True

    def after(match: re.Match[str]) -> bool | None:
        name = next(n for n in "stu" if match[f"{n}h"] or match[f"{n}n"])
        clock = _clock_from(match, name)
        if clock is None:
            return None
        earliest.append((match.start(), clock))
        return True

    def before(match: re.Match[str]) -> bool | None:
        clock = _clock_from(match, "e" if match["eh"] or match["en"] else "f")
        if clock is None:
            return None
        latest.append((match.start(), clock))
        return True

    # Each pattern needs one of its words, so a long message without them skips it.
    words = frozenset(scan.words)
    if words & _BETWEEN_WORDS or "-" in scan.rest:
        scan.take(_BETWEEN, between)
    if words & _AFTER_WORDS:
        scan.take(_AFTER, after)
    if words & _BEFORE_WORDS:
        scan.take(_BEFORE, before)
    return _Bounds(earliest, latest)


_BETWEEN_WORDS = frozenset("between btwn from to till til until".split())
_AFTER_WORDS = frozenset(
    "after from later earlier starting not past busy work working class stuck occupied or off"
    " out done free"
    " onwards onward and".split()
)
_BEFORE_WORDS = frozenset(
    "before b4 bfore by until till til later earlier not done out finished ending or at".split()
)


# --- Due dates, weeks, several days ------------------------------------------------------------

_DAY_WORD = "|".join(
    sorted([*_WEEKDAY_WORDS, "today", *_TONIGHT_WORDS, *_TOMORROW_WORDS], key=len, reverse=True)
)
# "hw due friday", "my exam is on thursday": the day something is due is not a day to meet.
_DUE_DAY = re.compile(
    r"\b(?:due|deadline|exam|test|quiz|midterm|final|essay is due|turn it in)\b"
    rf"(?:\s+(?:is|on|by|this|next|before|until|at|the|tho|though|its|it)\b)*\s+(?:{_DAY_WORD})\b"
    r"|\b(?:due|deadline)\s+(?:on\s+|by\s+)?\d{1,2}/\d{1,2}\b"
)


def _take_due_days(scan: _Scan) -> None:
    """Blank out days that name a deadline rather than a wish ("java hw due friday")."""
    scan.take(_DUE_DAY, lambda match: True)


_WEEKDAY_WORD = "|".join(sorted(_WEEKDAY_WORDS, key=len, reverse=True))
_DAY_RANGE = re.compile(
    rf"\b({_WEEKDAY_WORD})\s*(?:-|to|thru|through|till|until)\s*({_WEEKDAY_WORD})\b"
)


def _take_day_ranges(scan: _Scan) -> list[tuple[int, _DayRef]]:
    """Take "mon-wed" or "monday through thursday" as each weekday in the range."""
    found: list[tuple[int, _DayRef]] = []

    def read(match: re.Match[str]) -> bool:
        first, last = _WEEKDAY_WORDS[match[1]], _WEEKDAY_WORDS[match[2]]
        span = (last - first) % 7
        found.extend(
            (match.start() + i, _DayRef("weekday", (first + i) % 7)) for i in range(span + 1)
        )
        return True

    scan.take(_DAY_RANGE, read)
    return found


_WEEK_PHRASES = _Phrases(
    {
        **dict.fromkeys((("this", "week"), ("this", "wk"), ("later", "this", "week")), "this"),
        **dict.fromkeys((("next", "week"), ("next", "wk"), ("the", "week", "after")), "next"),
        **dict.fromkeys(
            (("this", "weekend"), ("this", "wknd"), ("this", "wkend"), ("this", "weeknd")),
            "this weekend",
        ),
        # "on the weekend", "weekends": Saturday or Sunday of any week in reach.
        **dict.fromkeys(
            (("the", "weekend"), ("weekend",), ("weekends",), ("wknd",), ("wkend",)),
            "any weekend",
        ),
        ("next", "weekend"): "next weekend",
        **dict.fromkeys((("weekdays",), ("weekday",)), "weekdays"),
    }
)


def _take_weeks(tokens: list[_Token]) -> tuple[str | None, tuple[int, ...]]:
    """Return (week, weekdays) for "this week", "next week", "this weekend", "weekdays"."""
    week: str | None = None
    days: list[int] = []
    weekend_named = False
    for _, found in sorted(_WEEK_PHRASES.take(tokens), key=lambda item: item[0]):
        if found == "weekdays":
            days += [0, 1, 2, 3, 4]
            continue
        when, _, weekend = found.partition(" ")
        if when != "any":
            week = week or when
        if weekend:
            weekend_named = True
            days += [5, 6]
    if weekend_named:
        # "weekdays are rough, anything on the weekend": the two are named to contrast them.
        days = [5, 6]
    return week, tuple(dict.fromkeys(days))


def _all_days(
    refs: list[tuple[int, _DayRef]],
    dates: list[tuple[int, datetime.date]],
    today: datetime.date,
) -> tuple[tuple[str, ...], tuple[datetime.date, ...]]:
    """Return every weekday and every date mentioned, each in the order mentioned."""
    resolved = sorted(
        [(position, _resolve_day(ref, today)) for position, ref in refs] + list(dates),
        key=lambda item: item[0],
    )
    days = [
        WEEKDAYS[v.weekday()] if isinstance(v, datetime.date) else WEEKDAYS[v] for _, v in resolved
    ]
    on_dates = [value for _, value in resolved if isinstance(value, datetime.date)]
    return tuple(dict.fromkeys(days)), tuple(dict.fromkeys(on_dates))


# --- Soonest, any day -----------------------------------------------------------------------

_SOONEST = re.compile(
    r"\b(?:right now|asap|a s a p|as soon as (?:possible|you can|i can|poss)|soonest"
    r"|earliest (?:you have|you got|available|possible|opening|time|slot|session|appointment"
    r"|thing|i can)|next available|first available|next open(?:ing)?|first open(?:ing)?"
    r"|right away|immediately|now if possible|soon as possible|whoever is free first"
    r"|as early as possible)\b"
)
_ANY_DAY = re.compile(
    r"\b(?:any ?days?|any ?time|whenever|whatever day|whichever day|dont care when"
    r"|doesnt matter when|any day of the week|im flexible|i am flexible|flexible|no preference"
    # "any evening", "any weekday": the day is open, the part of the day or week is still read.
    r"|any(?= (?:morning|afternoon|evening|night|weekday)s?\b))\b"
)
