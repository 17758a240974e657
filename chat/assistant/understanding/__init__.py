"""Read one message a student typed to the scheduling assistant and say what it means.

Pure and deterministic: no database, no network, no clock of its own (the caller passes
``today``) and no Django models. The roster comes in as data (:class:`Vocabulary`), so the
caller decides how to load it and may cache it; the index built from it is cached here.

A message is read into an :class:`Understanding`: its dialogue ``acts`` (what it does in the
conversation, see :mod:`.acts`), its search ``request`` (:class:`Request`), and the older
single ``intent`` kept for callers that have not moved to acts.

The package, by concern: ``scanning`` (normalising, tokens, taken spans, phrase tables),
``lexicon`` (word lists), ``times`` (days, dates, clock times, bounds, parts of day, weeks),
``roster`` (subject, course and tutor index), ``reading`` (the readers in order, the
request), ``acts`` (the dialogue acts) and ``intents`` (the older intent, yes and no).

Reading a message
=================

The text is normalised first: Unicode compatibility forms folded (full-width letters,
ligatures), accents, invisible characters and apostrophes dropped ("can't" reads "cant"),
curly quotes straightened, lower-cased, a thumbs-up read as "yes" and a thumbs-down as "no".
The first :data:`READ_LIMIT` (4,000) characters are read, which bounds the cost of hostile
input and still reads a long message to its end; the original text is kept untouched in
:attr:`Understanding.text`.

Readers then run in this order, and each one *takes* what it understood so no later reader
sees it again (that is how "CS 110A" never becomes the time 11:00, or "12/7" the time 12:00):

1. "good morning/afternoon/evening/day" at the very start is a greeting, not a part of day.
   Email addresses and the name after "my name is" are taken too: they are the student's
   own, so "Sam Lee sam.lee@gmail.com" names no tutor Sam.
2. Due dates: "hw due friday", "exam is on thursday" name a deadline, not a day to meet.
3. "asap", "right now", "soonest", "earliest you have", "next available" ask for the
   soonest time; "any day", "whenever", "any time is fine", "any evening" leave the day open.
4. Course codes, for known departments only (:data:`DEFAULT_DEPARTMENTS` plus those in the
   roster), with or without space or hyphen, numbers of 1-4 digits and a letter: "CS 110A",
   "cs110a", "cs-110a", "CHEM 1010". A known code adds its subject; with a roster that lists
   courses, a code it lacks ("CS 999") is a subject the center does not teach.
5. Dates, read as the next such date on or after ``today`` unless a year is given: "12/7"
   (US month/day), "Dec 7", "December 7th", "7 Dec", "the 7th of December", "on the 7th".
6. Time bounds: "after 4" (earliest 16:00), "from 3 on", "3pm or later", "after my class at
   2"; "before noon", "by 3", "until 5", "no later than 4" (latest: the session ends by
   then); "between 2 and 5", "from 3 to 5", "10-11am" (both).
7. Clock times (the point time): "10:30", "3:30 pm", "10am", "noon", "3 o'clock", "10ish",
   and a number after "at", "around", "about" or "@". An impossible time ("9:75", "13pm")
   gives no time at all.
8. Choices by number: "#2", "option 2", "number 2", "pick 3", "I'll take 2".
9. Then word by word: subjects by exact roster name or alias (also run together or split:
   "java script", "python 3"); tutors by full name, by first or last name (a name two tutors
   share names both), by a name that is also a word ("Will", "Grace") only next to "with",
   "is ... free", "had", "then" and the like, and by a close misspelling ("Prya", "marcos",
   rapidfuzz); weeks ("this week", "next week", "this weekend", "weekdays"); days (weekdays
   and abbreviations, plurals, "today", "tonight", "tomorrow", "this Friday", "next Monday");
   parts of the day ("morning", "afternoon", "evening"; "night", "nite", "tonight", "after
   work" are evening); mode ("online", "zoom", "remote"; "on campus", "in person");
   ordinals ("the second one"); subjects the roster lacks, from a lexicon of common college
   subjects ("chemistry", "english essay" -> "English").
10. Typos: a leftover word of five or more letters, beginning with the same letter as a
    subject word or weekday of six or more letters and at most one edit away from it (two
    from one of nine or more letters; a swap of neighbours is one edit): "pyhton",
    "javscript", "thrusday".
11. Course numbers alone ("111B", "270") when exactly one roster course has that number.
12. A bare number as a time: only when the message also names something to search for and
    the number is not followed by a quantity word ("2 hours"). A message that is only a
    number is a choice, not a time.

Rules
-----

- Hours without am/pm: 1-7 mean pm and 8-11 mean am, because the center is open 8:00-21:00;
  12 is noon; 13-23 and zero-padded hours ("07:00") are 24-hour. A part of the day in the same
  message wins: "tomorrow morning at 7" is 7:00, "evening at 8" is 20:00.
- "this Friday" is the first Friday on or after today; "next Friday" is the Friday of next
  calendar week (weeks start on Monday). On Wednesday 2 December 2026: this Friday is
  4 December, next Friday 11 December, next Monday 7 December, next Wednesday 9 December.
- ``days`` and ``dates`` hold every day and date mentioned ("wednesday or thursday");
  ``day`` and ``on_date`` the first, an explicit date winning over a weekday name ("Monday
  Dec 8" is Tuesday 8 December). A weekday alone ("Monday") gives no date.
- ``time`` is a point time only; bounds go to ``earliest`` and ``latest``.
- Subjects are listed in the order mentioned, without duplicates; a subject written after
  "not" or "instead of" is dropped while another remains ("java not python" is Java).
- Both modes mentioned ("online or in person") means either: ``mode`` is None.

Intent precedence (the older reading)
-------------------------------------

The first rule that fits decides:

1. Nothing readable: UNKNOWN.
2. DONT_CANCEL: a negation a few words before a cancel verb. CANCEL_BOOKING: "cancel",
   "call off", "delete" or "remove" before "booking", "appointment", "session" or
   "reservation", or "can't make" one of those.
3. START_OVER: "start over", "restart", "reset", "begin again", "new search".
4. OTHER_TUTORS: "other tutors", "who else", "anyone else", "other options", "show me more".
5. CHOOSE: a number, a single tutor named, or a picking phrase ("the ... one", "take") with a
   day, time, part of day or mode, and no subject or course named.
6. SEARCH: the request has any search term.
7. CANCEL: "cancel", "stop", "never mind", "forget it", "quit".
8. BACK: "back", "go back", "previous", "undo".
9. YES / NO: as :func:`parse_yes_no`, so "no thanks" is NO rather than THANKS.
10. HELP: "help", "what can you do", "how does this work".
11. THANKS: "thanks", "thank you", "ty", and goodbyes ("bye").
12. GREETING: "hi", "hello", "hey there", "good morning".
13. UNKNOWN.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from .acts import (
    Accept,
    Act,
    Ask,
    Command,
    CommandKind,
    Correct,
    Decline,
    Manage,
    ManageKind,
    Pick,
    Refine,
    RefineKind,
    Search,
    Topic,
    find_acts,
)
from .intents import Intent, _decide_intent, _yes_no
from .lexicon import _PART_PHRASES, DEFAULT_DEPARTMENTS, WEEKDAYS
from .reading import Request, _read
from .roster import SubjectTerm, Vocabulary, _index_for, _take_courses, normalise_course_code
from .scanning import READ_LIMIT, _first, _in_order, _Scan
from .times import _take_bare_hour, _take_clocks, _take_dates, _time_of

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "Accept",
    "Act",
    "Ask",
    "Command",
    "CommandKind",
    "Correct",
    "Decline",
    "Manage",
    "ManageKind",
    "Pick",
    "Refine",
    "RefineKind",
    "Search",
    "Topic",
    "READ_LIMIT",
    "WEEKDAYS",
    "Intent",
    "Request",
    "SubjectTerm",
    "Understanding",
    "Vocabulary",
    "find_courses",
    "normalise_course_code",
    "parse_time",
    "parse_yes_no",
    "understand",
]


@dataclass(frozen=True)
class Understanding:
    """What one message means: its acts, the search criteria, and the older single intent.

    ``acts`` are in the order the dialogue policy should consider them, most specific first
    (see :mod:`.acts`); ``intent``, ``number`` and ``tutor_id`` are the older reading, kept
    for callers that have not moved to acts.
    """

    intent: Intent
    request: Request
    number: int | None = None
    tutor_id: int | None = None
    text: str = ""
    acts: tuple[Act, ...] = ()

    def search_criteria(self) -> dict[str, object]:
        """Return the request in the shape of the session's ``lastSearchCriteria``."""
        request = self.request
        return {
            "skill": list(request.subjects),
            "day": request.day,
            "time": request.time.strftime("%H:%M") if request.time is not None else None,
            "partOfDay": request.part_of_day,
            "mode": request.mode,
            "text": self.text,
        }


def understand(text: str, *, vocabulary: Vocabulary, today: datetime.date) -> Understanding:
    """Return what the student meant by ``text``, reading dates relative to ``today``."""
    scan = _Scan(text)
    reading = _read(scan, _index_for(vocabulary), today)
    return Understanding(
        intent=_decide_intent(scan.words, reading),
        request=reading.request,
        number=reading.number,
        tutor_id=reading.tutor_id,
        text=text,
        acts=find_acts(text[:READ_LIMIT], scan.text, scan.words, reading),
    )


def parse_yes_no(text: str) -> bool | None:
    """Return True for a plain yes, False for a plain no, None for anything else."""
    return _yes_no(_Scan(text).words)


def parse_time(text: str) -> datetime.time | None:
    """Return the time of day the text names, or None.

    Unlike :func:`understand`, a bare number is read as a time here ("10" is 10:00), since the
    caller asked for a time. Course codes and dates are skipped first.
    """
    scan = _Scan(text)
    # Taken only so that their numbers are not read as hours; any reference date will do.
    _take_courses(scan, DEFAULT_DEPARTMENTS)
    _take_dates(scan, datetime.date(2000, 1, 1))
    clocks = _take_clocks(scan)
    tokens = scan.tokens()
    part = _first(_PART_PHRASES.take(tokens))
    if not clocks:
        clocks = _take_bare_hour(tokens)
    return _time_of(clocks, part)


def find_courses(text: str, *, departments: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return every course code in the text, normalised, in order and without duplicates.

    Only codes of ``departments`` count (:data:`DEFAULT_DEPARTMENTS` by default), so words
    such as "at 10" or "mon 10" are not taken for courses.
    """
    known = DEFAULT_DEPARTMENTS if departments is None else frozenset(departments)
    return _in_order(_take_courses(_Scan(text), frozenset(d.upper() for d in known)))
