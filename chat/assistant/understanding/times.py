"""Time expressions: days, dates, clock times, ranges, parts of the day and weeks."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import NamedTuple

from .lexicon import _MONTHS, _PARTS, _QUANTITY_WORDS, _TOMORROW_WORDS, _WEEKDAY_WORDS, WEEKDAYS
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
    phrases[("today",)] = _DayRef("offset", 0)
    phrases[("tonight",)] = _DayRef("offset", 0, "evening")
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
_ON_THE_NTH = re.compile(r"\bon\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")


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
        return _upcoming_day_of_month(today, int(match[1]))

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
