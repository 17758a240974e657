"""Read one message a student typed to the scheduling assistant and say what it means.

Pure and deterministic: no database, no network, no clock of its own (the caller passes
``today``) and no Django models. The roster comes in as data (:class:`Vocabulary`), so the
caller decides how to load it and may cache it; the index built from it is cached here.

Reading a message
=================

The text is normalised first: Unicode compatibility forms folded (full-width letters,
ligatures), accents, invisible characters and apostrophes dropped ("can't" reads "cant"),
curly quotes straightened, lower-cased, a thumbs-up read as "yes" and a thumbs-down as "no".
Only the first :data:`READ_LIMIT` characters are read, which bounds the cost of hostile input;
the original text is kept untouched in :attr:`Understanding.text`.

Readers then run in this order, and each one *takes* what it understood so no later reader
sees it again (that is how "CS 110A" never becomes the time 11:00, or "12/7" the time 12:00):

1. "good morning/afternoon/evening/day" at the very start is a greeting, not a part of day.
2. Course codes, for known departments only (:data:`DEFAULT_DEPARTMENTS` plus those in the
   roster), with or without space or hyphen: "CS 110A", "cs110a", "cs-110a". A known code adds
   its subject. So "at 10" or "mon 10" is never a course.
3. Dates, read as the next such date on or after ``today`` unless a year is given: "12/7"
   (US month/day), "Dec 7", "December 7th", "7 Dec", "the 7th of December", "on the 7th".
4. Clock times: "10:30", "3:30 pm", "10am", "10 a.m.", "10a", "noon", "3 o'clock", "10ish",
   the start of a range ("10-11am" is 10:00, "11-1pm" is 11:00), and a number after "at",
   "around", "about", "by", "after", "before", "from", "between", "@" or "~" ("after 4" is
   simply 16:00). An impossible time ("9:75", "13pm") gives no time at all.
5. Choices by number: "#2", "option 2", "number 2", "pick 3", "I'll take 2".
6. Then word by word: subjects by exact roster name or alias (also run together or split:
   "java script", "python 3", "c plus plus"); tutors by full name, or by first or last name
   when that names one tutor; a name that is also a common word ("Will", "Park") counts only
   after "with" or "tutor" or alone. Days: weekdays and abbreviations ("tues", "thurs"),
   plurals ("mondays"), "today", "tonight", "tomorrow", "this Friday", "next Monday". Parts
   of the day: "morning", "afternoon", "evening", "night"/"tonight" (evening), "after
   school" (afternoon), "after work" (evening). Mode: "online", "zoom", "remote", "virtual"
   mean online; "on campus", "campus", "in person", "face to face" mean on campus.
   Ordinals "the second one", "I'll take the first"; "number two", "option three".
7. Typos: a leftover word of five or more letters, beginning with the same letter as a
   subject word or weekday of six or more letters and at most one edit away from it (two
   from one of nine or more letters; a swap of neighbours is one edit): "pyhton", "javscript",
   "assmbly", "thrusday". Short words never match by typo, so "is", "at", "me" or "c" become
   a subject only if the roster lists them exactly as an alias.
8. Course numbers alone ("111B", "270") when exactly one roster course has that number.
9. A bare number as a time: only when the message also names something to search for (a
   subject, course, day, date, part of day, mode or tutor) and the number is not followed by
   a quantity word ("2 hours"). A message that is only a number is a choice, not a time.

Rules
-----

- Hours without am/pm: 1-7 mean pm and 8-11 mean am, because the center is open 8:00-21:00;
  12 is noon; 13-23 and zero-padded hours ("07:00") are 24-hour. A part of the day in the same
  message wins: "tomorrow morning at 7" is 7:00, "evening at 8" is 20:00.
- "this Friday" is the first Friday on or after today; "next Friday" is the Friday of next
  calendar week (weeks start on Monday). On Wednesday 2 December 2026: this Friday is
  4 December, next Friday 11 December, next Monday 7 December, next Wednesday 9 December.
  "today", "tonight", "tomorrow", "this Friday", "next Monday" and dates set both ``day`` and
  ``on_date``; a weekday alone ("Monday", "mondays") sets only ``day``.
- The first day, date, time and part of the day mentioned win, except that an explicit date
  wins over a weekday name ("Monday Dec 8" is Tuesday 8 December).
- Subjects are listed in the order mentioned, without duplicates.
- Both modes mentioned ("online or in person") means either: ``mode`` is None.
- Negation is not understood: "not python" still names Python.

Intent precedence
-----------------

The first rule that fits decides:

1. Nothing readable: UNKNOWN.
2. DONT_CANCEL: a negation a few words before a cancel verb: "don't cancel", "I do not want
   to cancel my booking", "no need to cancel". Never a cancellation of any kind.
   CANCEL_BOOKING: "cancel", "call off", "delete" or "remove" within a few words before
   "booking", "appointment", "session" or "reservation", or "can't make" one of those. So
   "cancel my booking" is not a mere CANCEL. ("drop" is not a cancel verb: "drop-in session".)
3. START_OVER: "start over", "restart", "reset", "begin again", "new search". The request is
   still filled in ("start over with java"), so the caller may search straight away.
4. OTHER_TUTORS: "other tutors", "who else", "anyone else", "other options", "a different
   tutor", "show me more". The request is filled in too ("who else teaches Python?").
5. CHOOSE: a number, a tutor named, or a picking phrase ("the ... one", "take", "pick",
   "choose", "go with") together with a day, time, part of day or mode ("the 10:30 one"), and
   no subject or course named (a subject means a new search). Any day or time found is in the
   request, for the caller to match against the slots on offer. "Monday at 10" on its own
   is a SEARCH; a caller that is offering slots may treat it as a pick.
6. SEARCH: the request has any search term. So "no, tuesday" and "never mind, java" search.
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
