"""Running the readers over a message in order and assembling the search request."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .lexicon import (
    _AFTER_ORDINAL,
    _CHOICE_WORD_PHRASES,
    _COLLEGE_SUBJECTS,
    _MAY_FOLLOW_ORDINAL,
    _MODE_PHRASES,
    _NUMBER_FILLER,
    _NUMBER_WORDS,
    _ON_CAMPUS,
    _ONLINE,
    _ORDINALS,
    _PART_PHRASES,
    _PICK_VERBS,
    WEEKDAYS,
)
from .roster import (
    _GOOD_PART_GREETING,
    _Index,
    _take_course_numbers,
    _take_courses,
    _take_misspelt_tutors,
    _take_tutors,
    _take_typos,
)
from .scanning import _first, _in_order, _Phrases, _Scan, _Token
from .times import (
    _ANY_DAY,
    _DAY_PHRASES,
    _QUANTITY_AHEAD,
    _SOONEST,
    _all_days,
    _choose_day,
    _DayRef,
    _take_bare_hour,
    _take_bounds,
    _take_clocks,
    _take_dates,
    _take_day_ranges,
    _take_due_days,
    _take_weeks,
    _time_of,
)

# A mode refused ("not going to campus", "cant do zoom", "no online"): the other one is meant.
_REFUSED_MODE = re.compile(
    r"\b(?:not|no|cant|can't|cannot|dont|don't|never|wont|won't|without)\s+(?:\w+\s+){0,3}?"
    r"(?:(?P<campus>campus|in person|on campus|come in|coming in)|(?P<online>online|zoom|remote|"
    r"virtual))\b|\b(?:(?P<only_online>online)|(?P<only_campus>in person|on campus)) only\b"
)


@dataclass(frozen=True)
class Request:
    """Search criteria found in a message; every field is optional.

    ``day`` and ``on_date`` are the first weekday and date mentioned (the older fields);
    ``days`` and ``dates`` are all of them ("wednesday or thursday"). ``time`` is a point
    time ("at 3", "around 3", "6:30"); ``earliest`` and ``latest`` are bounds: "after 4" is
    earliest 16:00, "before noon" latest 12:00 (the session ends by then), "between 2 and 5"
    both. ``week`` is "this" or "next". ``soonest`` asks for the first open time ("asap",
    "right now"); ``any_day`` says the day does not matter ("any day", "whenever").
    ``tutor_ids`` are all tutors named (misspellings too); a first name two tutors share names
    both. ``unknown_subject`` is a subject or course the roster does not have ("Chemistry",
    "CS 999"), for a "we don't tutor that" reply.
    """

    subjects: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()
    day: str | None = None
    on_date: datetime.date | None = None
    time: datetime.time | None = None
    part_of_day: str | None = None
    mode: str | None = None
    days: tuple[str, ...] = ()
    dates: tuple[datetime.date, ...] = ()
    week: str | None = None
    earliest: datetime.time | None = None
    latest: datetime.time | None = None
    soonest: bool = False
    any_day: bool = False
    tutor_ids: tuple[int, ...] = ()
    unknown_subject: str | None = None

    def has_search_terms(self) -> bool:
        """Return whether the message named anything to search by."""
        return bool(
            self.subjects
            or self.courses
            or self.part_of_day
            or self.mode
            or self.days
            or self.dates
            or self.week
            or self.soonest
            or self.any_day
            or self.tutor_ids
            or self.unknown_subject
        ) or any(
            value is not None
            for value in (self.day, self.on_date, self.time, self.earliest, self.latest)
        )

    def is_empty(self) -> bool:
        """Return whether nothing at all was found."""
        return not self.has_search_terms()


_HASH_NUMBER = re.compile(r"#\s*(\d{1,2})\b")
_LEAD_NUMBER = re.compile(
    r"\b(?:option|choice|number|num|no\.|pick|choose|take|select|go with|tutor|slot)"
    rf"\s*#?\s*(\d{{1,2}})\b(?![:/]){_QUANTITY_AHEAD}"
)


def _take_choice_numbers(scan: _Scan) -> list[tuple[int, int]]:
    def read(match: re.Match[str]) -> int | None:
        number = int(match[1])
        return number if number >= 1 else None

    return [*scan.take(_HASH_NUMBER, read), *scan.take(_LEAD_NUMBER, read)]


def _take_ordinals(tokens: list[_Token]) -> list[tuple[int, int]]:
    """Take "the second one", "the first option" and "I'll take the first"."""
    found = []
    for i, token in enumerate(tokens):
        if token.used or token.text not in _ORDINALS:
            continue
        if i > 0 and tokens[i - 1].text == "a":  # "wait a second"
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is not None and after.text not in _MAY_FOLLOW_ORDINAL:
            continue
        found.append((token.start, _ORDINALS[token.text]))
        token.used = True
        if after is not None and after.text in _AFTER_ORDINAL:
            after.used = True
    return found


def _whole_message_number(words: tuple[str, ...]) -> int | None:
    """Return the number when the message is only a number, give or take "please"."""
    meaningful = [word for word in words if word not in _NUMBER_FILLER]
    if len(meaningful) != 1:
        return None
    word = meaningful[0]
    if word.isdigit() and 1 <= int(word) <= 99:
        return int(word)
    return _NUMBER_WORDS.get(word)


def _has_pick_phrase(words: tuple[str, ...]) -> bool:
    """Return whether the message picks ("take", "go with", "the ... one", "that one")."""
    if _PICK_VERBS.intersection(words) or " go with " in f" {' '.join(words)} ":
        return True
    for i, word in enumerate(words):
        if word in ("one", "ones") and {"the", "that", "this"}.intersection(words[:i]):
            return True
    return False


# --- Putting the request together -----------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    request: Request
    number: int | None
    tutor_id: int | None  # the first tutor named who is one person (the older field)
    declined_tutors: tuple[int, ...]  # "not maya", "i dont want hana"
    declined_day: bool  # "not monday", "any day but monday"
    picks: bool  # a picking phrase ("the ... one", "take") was used


def _read(scan: _Scan, index: _Index, today: datetime.date) -> _Reading:
    """Run the readers in order over the message and assemble what they found."""
    scan.take(_GOOD_PART_GREETING, lambda match: True)
    # A message with an email address is contact details: a name in it is the student's own,
    # not a tutor's ("Sam Lee sam.lee@gmail.com"). So is the name after "my name is".
    # Readers whose phrases all need a word the message lacks are skipped: a long message
    # then costs little more than a short one.
    words = frozenset(scan.words)
    gives_contact = "@" in scan.text and bool(scan.take(_EMAIL, lambda match: True))
    if words & _NAME_WORDS_NEEDED:
        scan.take(_OWN_NAME, lambda match: True)
    if words & _DUE_WORDS:
        _take_due_days(scan)
    soonest = bool(words & _SOONEST_WORDS) and bool(scan.take(_SOONEST, lambda match: True))
    any_day = bool(words & _ANY_DAY_WORDS) and bool(scan.take(_ANY_DAY, lambda match: True))
    courses = _take_courses(scan, index.departments)
    dates = _take_dates(scan, today)
    day_ranges = _take_day_ranges(scan)
    bounds = _take_bounds(scan)
    clocks = _take_clocks(scan)
    numbers = _take_choice_numbers(scan)

    tokens = scan.tokens()
    subjects = index.subjects.take(tokens)
    tutors = _take_tutors(tokens, index, alone=len(scan.words) == 1)
    week, week_days = _take_weeks(tokens)
    day_refs = _DAY_PHRASES.take(tokens) + day_ranges
    parts = _PART_PHRASES.take(tokens)
    modes = _MODE_PHRASES.take(tokens)
    numbers += _CHOICE_WORD_PHRASES.take(tokens) + _take_ordinals(tokens)
    unknown = _UNKNOWN_SUBJECTS.take(tokens)
    # Misspelt names only after subject words are taken: "linux" is never a tutor "Linus".
    tutors = sorted(tutors + _take_misspelt_tutors(tokens, index), key=lambda item: item[0])
    for position, typo in _take_typos(tokens, index.typo_targets):
        if isinstance(typo, _DayRef):
            day_refs.append((position, typo))
        else:
            subjects.append((position, typo))
    courses += _take_course_numbers(tokens, index)
    subjects += [(p, index.course_subjects[c]) for p, c in courses if c in index.course_subjects]
    if index.course_subjects:  # a roster that lists courses: a code it lacks is not taught
        unknown += [(p, c) for p, c in courses if c not in index.course_subjects]
    subjects = _without_negated(subjects, scan.text)

    # "not monday", "any day but monday": a day ruled out is no day to search.
    kept_days = [
        (p, ref) for p, ref in day_refs if not _NOT_DAY.search(scan.text[max(0, p - 16) : p])
    ]
    declined_day = len(kept_days) < len(day_refs)
    day_refs = kept_days
    parts += [(position, ref.part) for position, ref in day_refs if ref.part]
    part = _first(parts)
    day, on_date = _choose_day(day_refs, dates, today)
    days, on_dates = _all_days(day_refs, dates, today)
    days = tuple(dict.fromkeys(days + tuple(WEEKDAYS[d] for d in week_days)))
    found_modes = {mode for _, mode in modes}
    refused = _REFUSED_MODE.search(scan.text)
    if refused:
        # "online only, im not going to campus": the mode named without a "not" is the wish.
        campus = refused["online"] or refused["only_campus"]
        found_modes = {_ON_CAMPUS if campus else _ONLINE}
    number = _first(numbers)
    if number is None:
        number = _whole_message_number(scan.words)
    if gives_contact:
        tutors = []
    declined = [(p, ids) for p, ids in tutors if _NOT_TUTOR.search(scan.text[max(0, p - 24) : p])]
    tutors = [item for item in tutors if item not in declined]
    tutor_ids = tuple(dict.fromkeys(i for _, ids in tutors for i in ids))
    context = subjects or courses or day or part or found_modes or tutor_ids or unknown
    if not clocks and context:
        clocks = _take_bare_hour(tokens)
    request = Request(
        subjects=_in_order(subjects),
        courses=_in_order(courses),
        day=day,
        on_date=on_date,
        time=_time_of(clocks, part),
        part_of_day=part,
        mode=found_modes.pop() if len(found_modes) == 1 else None,
        days=days,
        dates=on_dates,
        week=week,
        # A bound's bare hour follows the usual rules: "wednesday after 5 or thursday morning"
        # is after 5 PM. Only a later part of the day moves it ("evening after 8").
        earliest=_time_of(bounds.earliest, None if part == "morning" else part),
        latest=_time_of(bounds.latest, None if part == "morning" else part),
        soonest=soonest,
        any_day=any_day,
        tutor_ids=tutor_ids,
        unknown_subject=None if subjects else _first(unknown),
    )
    single = _first((p, ids[0]) for p, ids in tutors if len(ids) == 1)
    declined_ids = tuple(i for _, ids in declined for i in ids)
    return _Reading(
        request, number, single, declined_ids, declined_day, _has_pick_phrase(scan.words)
    )


_UNKNOWN_SUBJECTS = _Phrases(_COLLEGE_SUBJECTS)
# The lookbehind and the bounds keep a 4,000-letter word from being rescanned at each letter.
_NOT_TUTOR = re.compile(
    r"(?:\bnot|\bno|\bdont want|\bdont like|\bexcept|\bother than|\bbesides|\bbut not"
    r"|\banyone but|\bwithout|\binstead of|\brather than)\s+(?:with\s+)?$"
)
_NAME_WORDS_NEEDED = frozenset(("name", "names", "call", "go"))
_DUE_WORDS = frozenset("due deadline exam test quiz midterm final turn".split())
_SOONEST_WORDS = frozenset(
    "now asap p soon soonest earliest available open opening right immediately whoever".split()
    + ["early"]
)
_ANY_DAY_WORDS = frozenset(
    "any anyday anydays anytime whenever whatever whichever dont doesnt im i flexible no".split()
)
_NOT_DAY = re.compile(r"(?:\bnot|\bbut|\bexcept|\bother than|\bbesides|\bno)\s+(?:on\s+)?$")
_EMAIL = re.compile(r"(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+")
_OWN_NAME = re.compile(
    r"\b(?:my name is|my names|name is|name should be|call me|i go by)"
    r"(?:\s+(?!and\b|but\b|i\b|im\b|email\b|my\b)[a-z][a-z-]*){1,4}"
)
_NEGATED = re.compile(r"(?:\bnot|\bno|\binstead of|\brather than|\bnot for)\s+$")


def _without_negated(found: list[tuple[int, str]], text: str) -> list[tuple[int, str]]:
    """Drop subjects written after "not" ("java not python") while another one is left."""
    kept = [(p, s) for p, s in found if not _NEGATED.search(text[max(0, p - 16) : p])]
    return kept if kept else found
